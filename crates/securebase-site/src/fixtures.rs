//! What the unit tests render: the shipped project, in the preview edition.

use std::path::Path;

use securebase::Library;

use crate::{BuildOptions, Edition, GitInputs};

/// The shipped project, loaded.
pub(crate) fn shipped() -> Library {
    Library::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).expect("the shipped content loads")
}

/// The preview edition on a fixed day, outside git.
pub(crate) fn preview() -> BuildOptions {
    BuildOptions {
        edition: Edition::Preview,
        today: "2026-12-01".parse().unwrap(),
        git: GitInputs::default(),
        theme: None,
        bundle: None,
    }
}

/// The same library as the production edition would render it.
pub(crate) fn production() -> BuildOptions {
    BuildOptions { edition: Edition::Production, ..preview() }
}
