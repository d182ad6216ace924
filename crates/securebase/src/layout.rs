//! [`ProjectLayout`]: where each kind of file sits in a project, the one
//! place those paths are spelled.

#[cfg(feature = "project")]
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{ItemRef, PersonId, Slug, Subject};

/// Why a theme's files cannot be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThemeFilesError {
    /// `site.toml`'s `theme` is not a folder name.
    #[error("theme `{0}`: a theme name is a folder name under themes/: lowercase letters, digits and hyphens")]
    BadName(String),
    /// The theme has no templates.
    #[error("theme `{0}`: there is no themes/{0}/templates; set `theme` in site.toml to a folder under themes/")]
    NoTemplates(String),
    /// A file links outside the project.
    #[error("{} links outside the project; copy the file in instead", .0.display())]
    LinksOutside(PathBuf),
    /// A folder or file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path, relative to the project root.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The layout of a project, as paths relative to its root (`/`-separated;
/// join them to the root for the file system).
///
/// ```
/// use securebase::{ItemRef, ProjectLayout, Subject};
///
/// let item: ItemRef = "styles/avoidant".parse().unwrap();
/// assert_eq!(ProjectLayout::item(&item), std::path::Path::new("content/styles/avoidant.md"));
/// assert_eq!(ProjectLayout::ledger(&Subject::Item(item)), std::path::Path::new("content/reviews/styles/avoidant.yaml"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProjectLayout;

impl ProjectLayout {
    /// The content: items, people and ledgers.
    pub const CONTENT: &'static str = "content";
    /// The site's settings.
    pub const SITE_TOML: &'static str = "site.toml";
    /// The review ledgers, inside the content.
    pub const REVIEWS: &'static str = "content/reviews";
    /// The themes, one folder each.
    pub const THEMES: &'static str = "themes";
    /// The project's own templates, which override the theme's.
    pub const TEMPLATES: &'static str = "templates";
    /// The project's own static files, which override the theme's.
    pub const STATIC: &'static str = "static";
    /// Everything a site is built from: what serve watches, what git's
    /// history is read for, what an output folder may never be inside
    /// (with `.git`).
    pub const INPUTS: [&'static str; 5] = [Self::CONTENT, Self::SITE_TOML, Self::THEMES, Self::TEMPLATES, Self::STATIC];
    /// What a theme is made of (`site.toml` names which theme).
    pub const THEME_INPUTS: [&'static str; 3] = [Self::THEMES, Self::TEMPLATES, Self::STATIC];

    /// An item's file: `content/<collection>/<slug>.md`.
    pub fn item(item: &ItemRef) -> PathBuf {
        Path::new(Self::CONTENT).join(item.collection.as_str()).join(format!("{}.md", item.slug))
    }

    /// A person's file: `content/people/<id>.yaml`.
    pub fn person(id: &PersonId) -> PathBuf {
        Path::new(Self::CONTENT).join("people").join(format!("{id}.yaml"))
    }

    /// A theme's folder: `themes/<name>`.
    pub fn theme(name: &str) -> PathBuf {
        Path::new(Self::THEMES).join(name)
    }

    /// The ledger of `subject`: `content/reviews/<collection>/<slug>.yaml`,
    /// `content/reviews/people/<id>.yaml`, `content/reviews/site.yaml` or
    /// `content/reviews/theme.yaml`.
    pub fn ledger(subject: &Subject) -> PathBuf {
        let reviews = Path::new(Self::REVIEWS);
        match subject {
            Subject::Item(item) => reviews.join(item.collection.as_str()).join(format!("{}.yaml", item.slug)),
            Subject::Person(id) => reviews.join("people").join(format!("{id}.yaml")),
            Subject::Site => reviews.join("site.yaml"),
            Subject::Theme => reviews.join("theme.yaml"),
        }
    }

    /// A project-relative path under `content/` as the path inside it
    /// (`content/styles/avoidant.md` is `styles/avoidant.md`),
    /// `/`-separated; `None` for a path elsewhere.
    pub fn inside_content(path: &Path) -> Option<String> {
        Some(crate::diagnostic::path_text(path.strip_prefix(Self::CONTENT).ok()?))
    }

    #[cfg(feature = "project")]
    /// Every file of theme `name` as the project at `root` holds it:
    /// everything under `themes/<name>/`, and the project's `templates/`
    /// and `static/`, as (path relative to `root`, `/`-separated; file), in
    /// path order. This is the set an editor approves as `theme`.
    pub fn theme_files(root: &Path, name: &str) -> Result<Vec<(String, PathBuf)>, ThemeFilesError> {
        if name.parse::<Slug>().is_err() {
            return Err(ThemeFilesError::BadName(name.to_owned()));
        }
        let dir = root.join(Self::theme(name));
        if !dir.join("templates").is_dir() {
            return Err(ThemeFilesError::NoTemplates(name.to_owned()));
        }
        let mut files = Vec::new();
        for (prefix, folder) in [
            (crate::diagnostic::path_text(&Self::theme(name)), dir),
            (Self::TEMPLATES.into(), root.join(Self::TEMPLATES)),
            (Self::STATIC.into(), root.join(Self::STATIC)),
        ] {
            for (inside, file) in Self::files_under(root, &folder)? {
                files.push((format!("{prefix}/{inside}"), root.join(file)));
            }
        }
        Ok(files)
    }

    #[cfg(feature = "project")]
    /// The files under `dir` (inside the project at `root`), skipping
    /// hidden ones, keyed by their `/`-separated path inside it, each with
    /// its path relative to `root`; a symlink that leaves the project is
    /// refused.
    pub fn files_under(root: &Path, dir: &Path) -> Result<BTreeMap<String, PathBuf>, ThemeFilesError> {
        let rel = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let io = |path: &Path| {
            let path = rel(path);
            move |source: std::io::Error| ThemeFilesError::Io { path, source }
        };
        let mut out = BTreeMap::new();
        if !dir.is_dir() {
            return Ok(out);
        }
        let canonical_root = root.canonicalize().map_err(io(root))?;
        for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
            let entry = entry.map_err(|e| ThemeFilesError::Io { path: rel(dir), source: e.into() })?;
            if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let real = entry.path().canonicalize().map_err(io(entry.path()))?;
            if !real.starts_with(&canonical_root) {
                return Err(ThemeFilesError::LinksOutside(rel(entry.path())));
            }
            let inside = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            out.insert(crate::diagnostic::path_text(inside), rel(entry.path()));
        }
        Ok(out)
    }

    /// Whether a project-relative path is one of the theme's inputs, or
    /// `site.toml`, which names the theme.
    pub fn shapes_theme(path: &Path) -> bool {
        Self::THEME_INPUTS.iter().any(|dir| path.starts_with(dir)) || path == Path::new(Self::SITE_TOML)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_file_has_its_place() {
        let person: PersonId = "riley-example".parse().unwrap();
        assert_eq!(ProjectLayout::person(&person), Path::new("content/people/riley-example.yaml"));
        assert_eq!(ProjectLayout::theme("default"), Path::new("themes/default"));
        let ledgers = [
            (Subject::Person(person), "content/reviews/people/riley-example.yaml"),
            (Subject::Site, "content/reviews/site.yaml"),
            (Subject::Theme, "content/reviews/theme.yaml"),
            (Subject::Item("guides/overview".parse().unwrap()), "content/reviews/guides/overview.yaml"),
        ];
        for (subject, path) in ledgers {
            assert_eq!(ProjectLayout::ledger(&subject), Path::new(path), "{subject}");
        }
        let item: ItemRef = "therapies/cbt".parse().unwrap();
        assert_eq!(ProjectLayout::inside_content(&ProjectLayout::item(&item)).as_deref(), Some("therapies/cbt.md"));
        assert_eq!(ProjectLayout::inside_content(Path::new("site.toml")), None);
        assert_eq!(ProjectLayout::inside_content(Path::new("contents/x.md")), None);
    }

    #[test]
    fn the_theme_is_shaped_by_its_folders_and_site_toml_only() {
        for path in ["themes/default/templates/base.html", "templates/item.html", "static/logo.svg", "site.toml"] {
            assert!(ProjectLayout::shapes_theme(Path::new(path)), "{path}");
        }
        for path in ["content/site.toml", "content/styles/avoidant.md", "themes.toml", "site.toml.bak"] {
            assert!(!ProjectLayout::shapes_theme(Path::new(path)), "{path}");
        }
    }
}
