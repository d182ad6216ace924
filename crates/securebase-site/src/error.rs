//! [`SiteError`]: why a site could not be built.

use std::io;
use std::path::PathBuf;

/// Why a site could not be built. Every variant names the file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteError {
    /// A template does not parse, or fails while rendering.
    #[error("{file}:{line}:{column}: template error in `{template}`: {message}")]
    Template {
        /// The template's name (`item.html`).
        template: String,
        /// The file it came from, relative to the project root.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The theme named in site.toml cannot be used.
    #[error("theme `{name}`: {reason}")]
    Theme {
        /// The name from site.toml.
        name: String,
        /// Why it cannot be used, and what to do.
        reason: String,
    },
    /// The theme's files cannot be listed.
    #[error(transparent)]
    ThemeFiles(#[from] securebase::ThemeFilesError),
    /// The output folder is one the generator must not write to.
    #[error("refusing to write the site to {path}: {reason}")]
    UnsafeOutput {
        /// The folder asked for.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// A JSON output could not be written.
    #[error("cannot write {path} as JSON: {message}")]
    Json {
        /// The output.
        path: String,
        /// What serde_json said.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl SiteError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> SiteError {
        let path = path.into();
        move |source| SiteError::Io { path, source }
    }
}
