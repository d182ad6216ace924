//! `securebase build` and `securebase preview`: load, validate, select the
//! edition, read git once, render.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use securebase::git::Repo;
use securebase::{BlobId, Date, ItemRef, Library, TrustRoot};
use securebase_site::{BuildOptions, Edition, GitInputs};

use crate::{EXIT_ERRORS, Terminal};

/// The date reviews are judged against: SOURCE_DATE_EPOCH's (UTC) when it is
/// set, so that builds are reproducible, else today's (UTC).
pub fn today() -> anyhow::Result<Date> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            let seconds: i64 = epoch
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH={epoch:?} is not a number of seconds"))?;
            let timestamp = jiff::Timestamp::from_second(seconds).context("SOURCE_DATE_EPOCH is out of range")?;
            Ok(timestamp.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
        }
        Err(_) => Ok(securebase::today()),
    }
}

/// Loads the working tree, printing every problem when it has errors.
pub fn load_or_report(term: Terminal, root: &Path) -> Option<Library> {
    match Library::load(root) {
        Ok(library) => {
            if !term.quiet {
                for warning in library.warnings() {
                    eprintln!("{warning}");
                }
            }
            Some(library)
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("failed: {} error(s); nothing was written", diagnostics.error_count());
            None
        }
    }
}

/// Reads the trust root a command was given, if any, printing its problems.
pub fn read_trust_root(path: Option<&Path>) -> anyhow::Result<Option<TrustRoot>> {
    let Some(path) = path else { return Ok(None) };
    match TrustRoot::read(path) {
        Ok(root) => Ok(Some(root)),
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            bail!("the trust root {} is not usable", path.display())
        }
    }
}

/// What production needs to be told that preview is not.
const NO_TRUST_ROOT: &str = "the production build needs the deployment's trust root, which names the editors whose \
signatures approve people files, site.toml and the theme: pass --trust-root FILE or set SECUREBASE_TRUST_ROOT \
(lines of `<editor-id> <public key>`, kept outside the repository, so that no commit can change it; see the README's \
review workflow); `securebase preview` needs none";

/// Builds `edition` of the project at `root` into `out` (default
/// `root/public`); production checks every signature against `trust_root`.
pub fn run(
    term: Terminal,
    root: &Path,
    out: Option<PathBuf>,
    edition: Edition,
    trust_root: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let trust_root = match edition {
        Edition::Production => match read_trust_root(trust_root)? {
            Some(trust_root) => Some(trust_root),
            None => anyhow::bail!(NO_TRUST_ROOT),
        },
        _ => None,
    };
    let Some(working) = load_or_report(term, root) else { return Ok(ExitCode::from(EXIT_ERRORS)) };
    crate::detail!(term, "loaded the working tree in {:.3} s", started.elapsed().as_secs_f64());
    let repo = Repo::open(root);
    let today = today()?;
    let (library, git, theme, bundle) = match (edition, trust_root) {
        (Edition::Production, Some(trust_root)) => {
            let repo = repo?;
            let history = repo.history()?;
            let checking = Instant::now();
            let production = match working.production(&repo, &history, &trust_root) {
                Ok(production) => production,
                Err(securebase::EditionError::Content(diagnostics) | securebase::EditionError::Trust(diagnostics)) => {
                    for d in &diagnostics {
                        eprintln!("{d}");
                    }
                    eprintln!(
                        "failed: {} problem(s) with the approved versions or their signatures; nothing was written",
                        diagnostics.error_count()
                    );
                    return Ok(ExitCode::from(EXIT_ERRORS));
                }
                Err(e) => return Err(e.into()),
            };
            crate::detail!(
                term,
                "selected and verified the approved versions in {:.3} s",
                checking.elapsed().as_secs_f64()
            );
            for warning in &production.unapproved {
                crate::note!(term, "{warning}");
            }
            if theme_listing(root, &production.library.config().theme).ok().as_ref() != Some(&production.theme_blob) {
                crate::note!(
                    term,
                    "warning: the theme (themes/{}/, templates/, static/) has changes since the version an editor approved; \
                     production uses the approved files (`securebase review approve theme` approves the changes)",
                    production.library.config().theme
                );
            }
            // No git date reaches production: every date it shows is a
            // signed record's, since commit dates are the committer's to write.
            let git = GitInputs { commit: repo.head(), ..GitInputs::default() };
            let bundle = production.bundle(&securebase::Made::new(today, git.commit.clone()))?;
            (production.library, git, Some(production.theme), Some(bundle))
        }
        _ => {
            let git = match &repo {
                Ok(repo) => preview_git(&working, repo)?,
                Err(_) => GitInputs::default(),
            };
            (working, git, None, None)
        }
    };
    let out = out.unwrap_or_else(|| root.join("public"));
    let options = BuildOptions { edition, today, git, theme, bundle };
    crate::detail!(
        term,
        "loaded and selected the {} edition in {:.3} s",
        edition.as_str(),
        started.elapsed().as_secs_f64()
    );
    let bar = Progress::new(term, library.all_items().count());
    let report = securebase_site::build_with(&library, &out, &options, &|done, _| bar.set(done))
        .with_context(|| format!("cannot build the {} edition into {}", edition.as_str(), out.display()))?;
    bar.finish();
    crate::detail!(
        term,
        "rendered and wrote in {:.3} s, swapped in {:.3} s",
        report.render_time.as_secs_f64(),
        report.write_time.as_secs_f64()
    );
    crate::note!(
        term,
        "built the {} edition: {} pages, {} files in {} ({:.2} s)",
        edition.as_str(),
        report.pages,
        report.files,
        report.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The blob of the working theme's listing (see `securebase::trust::theme_listing`).
pub fn theme_listing(root: &Path, name: &str) -> anyhow::Result<BlobId> {
    let files = securebase::trust::working_theme(root, name)?;
    Ok(BlobId::of(securebase::trust::theme_listing(&files).as_bytes()))
}

/// A progress bar for builds that take more than a second, on a terminal
/// only (and not with --quiet).
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
    /// Whether bars may be drawn (stderr is a terminal, and not quiet).
    progress: bool,
}

impl Progress {
    fn new(term: Terminal, total: usize) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages {wide_bar} {eta}")
        {
            bar.set_style(style);
        }
        Progress { bar, started: Instant::now(), progress: term.progress }
    }

    fn set(&self, done: usize) {
        if self.progress && self.bar.is_hidden() && self.started.elapsed().as_secs() >= 1 {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// What the preview reads from git: the history, and the text of each
/// item's latest approved version where the working text differs (one
/// `git log` and one `git cat-file --batch`).
pub fn preview_git(library: &Library, repo: &Repo) -> anyhow::Result<GitInputs> {
    let approved_texts = approved_texts(library, repo, &|_| true);
    Ok(GitInputs { commit: repo.head(), history: repo.history()?, approved_texts })
}

/// The approved text of each item `wanted` picks whose working text is not
/// its latest approved version, read from `repo` in one pass, for the
/// dashboard's diffs.
pub fn approved_texts(library: &Library, repo: &Repo, wanted: &dyn Fn(&ItemRef) -> bool) -> BTreeMap<ItemRef, String> {
    let approved: Vec<(ItemRef, &BlobId, &std::path::Path)> = library
        .approved_blobs()
        .into_iter()
        .filter(|(r, _)| wanted(r))
        .filter_map(|(r, blob)| {
            let meta = library.item(&r)?.meta();
            (meta.blob != *blob).then_some((r, blob, meta.path.as_path()))
        })
        .collect();
    let blobs: Vec<(BlobId, std::path::PathBuf)> =
        approved.iter().map(|(_, blob, path)| ((*blob).clone(), path.to_path_buf())).collect();
    let blobs = match repo.read_blobs(&blobs) {
        Ok(blobs) => blobs,
        Err(e) => {
            eprintln!("warning: the review dashboard will show no diffs: {e}");
            Default::default()
        }
    };
    approved
        .into_iter()
        .filter_map(|(r, blob, _)| Some((r, String::from_utf8_lossy(blobs.get(blob)?).into_owned())))
        .collect()
}
