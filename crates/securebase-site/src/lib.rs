//! Renders a validated [`securebase::Library`] into a static site: HTML pages
//! through the theme's Tera templates, and the machine outputs (sitemap,
//! Atom feed, robots.txt, JSON API, search index).
//!
//! Rendering is a pure function from the library and the edition to a list
//! of files; [`output`] then swaps them into place in one step.
//!
//! ```no_run
//! use securebase::Library;
//! use securebase_site::{BuildOptions, Edition, GitInputs};
//!
//! let library = Library::load(".").expect("valid content");
//! let today = "2026-11-28".parse().expect("a date");
//! let options = BuildOptions { edition: Edition::Preview, today, git: GitInputs::default(), theme: None, bundle: None };
//! let report = securebase_site::build(&library, "public".as_ref(), &options)?;
//! println!("{} pages in {}", report.pages, report.out.display());
//! # Ok::<(), securebase_site::SiteError>(())
//! ```

mod cache;
mod context;
mod error;
pub mod escape;
#[cfg(test)]
mod fixtures;
mod highlight;
mod machine;
pub mod markdown;
pub mod output;
mod pages;
mod render;
pub mod routes;
mod site;
mod theme;

use std::path::{Path, PathBuf};

pub use cache::RenderCache;
pub use error::SiteError;
pub use output::{Comparison, Difference};
pub use render::{Part, Rerender, Written, after_edit, dependents};
pub use site::{Files, Site};
pub use theme::{Theme, theme_files};

/// Which text of each item a build publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Edition {
    /// The working tree, every item, each page marked with its review state,
    /// with the review dashboard; not for search engines.
    Preview,
    /// Each item's latest approved version only (the library passed in is
    /// [`Library::production`](securebase::Library::production)).
    Production,
}

impl Edition {
    /// The edition's name, as shown in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Preview => "preview",
            Edition::Production => "production",
        }
    }
}

/// What to render, and what git knows about the content.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Which edition to build.
    pub edition: Edition,
    /// The date reviews are judged overdue against (SOURCE_DATE_EPOCH's, or
    /// today's).
    pub today: securebase::Date,
    /// History and approved texts from git; empty outside a repository.
    pub git: GitInputs,
    /// The theme's files, as (path relative to the project root, bytes):
    /// the approved version's for the production edition
    /// ([`Production::theme`](securebase::Production)); `None` reads the
    /// theme from disk.
    pub theme: Option<Vec<(String, Vec<u8>)>>,
    /// The production edition's bundle ([`Production::bundle`](securebase::Production::bundle)),
    /// published at `/edition.bundle`; `None` in the preview.
    pub bundle: Option<Vec<u8>>,
}

impl BuildOptions {
    /// The options that render `approved` exactly as the production build
    /// that wrote its bundle (`bundle`, its bytes) rendered it: on the
    /// build's date, from its commit, with the approved theme.
    pub fn approved(approved: &securebase::Approved, bundle: &[u8]) -> BuildOptions {
        let made = approved.made();
        BuildOptions {
            edition: Edition::Production,
            today: made.date,
            git: GitInputs { commit: made.commit.clone(), ..GitInputs::default() },
            theme: Some(approved.theme().to_vec()),
            bundle: Some(bundle.to_vec()),
        }
    }
}

/// What a build reads from git, gathered in one pass by the caller.
#[derive(Debug, Clone, Default)]
pub struct GitInputs {
    /// The commit the build is made from, for the manifest.
    pub commit: Option<String>,
    /// Every content file's history, for the preview's "last edited"
    /// (production shows only the dates of signed records, and leaves it
    /// empty).
    pub history: securebase::git::History,
    /// The text of each item's latest approved version, where it differs
    /// from the working tree: the preview dashboard diffs against it.
    pub approved_texts: std::collections::BTreeMap<securebase::ItemRef, String>,
}

/// What a build wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// The output folder, absolute.
    pub out: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Time spent rendering the files and writing them to the staging
    /// folder (each is written as soon as it is rendered).
    pub render_time: std::time::Duration,
    /// Time spent swapping the staging folder in for the output folder.
    pub write_time: std::time::Duration,
}

/// Renders `library` as `options.edition` and writes it to the folder
/// `out` (created or replaced), replacing the previous site only when
/// everything rendered.
///
/// # Errors
///
/// An unsafe output folder, a theme or template error, or an I/O error. On
/// error the previous output is untouched.
pub fn build(library: &securebase::Library, out: &Path, options: &BuildOptions) -> Result<BuildReport, SiteError> {
    build_with(library, out, options, &|_, _| {})
}

/// Builds like [`build`], calling `progress(done, total)` as item pages are
/// rendered (from several threads), for a progress bar.
///
/// # Errors
///
/// As [`build`].
pub fn build_with(
    library: &securebase::Library,
    out: &Path,
    options: &BuildOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport, SiteError> {
    let started = std::time::Instant::now();
    let out = output::guard(library.root(), out)?;
    let mut publisher = output::Publisher::start(&out)?;
    let site = Site::new(library, options)?;
    let Written { files, pages } = site.render_into(Part::All, &mut publisher, progress)?;
    let render_time = started.elapsed();
    publisher.finish()?;
    Ok(BuildReport { out, pages, files, render_time, write_time: started.elapsed() - render_time })
}
