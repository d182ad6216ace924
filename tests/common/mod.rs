//! Helpers shared by the end-to-end tests: copy a fixture site, change it,
//! run the real binary on it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The folder holding the fixture sites.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The project root (the shipped content).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the fixture site `name` in a fresh temporary folder.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().expect("temporary folder");
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

/// A copy of the fixture site `name` with the project's default theme, as a
/// site with its own `themes/` folder has.
pub fn copy_fixture_with_theme(name: &str) -> TempDir {
    let dir = copy_fixture(name);
    copy_dir(&project_root().join("themes/default"), &dir.path().join("themes/default"));
    dir
}

/// Every file under `root`, as `/`-separated paths relative to it.
pub fn files_under(root: &Path) -> Vec<String> {
    walkdir(root)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect()
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&entry, &target).unwrap();
        }
    }
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        if out[i].is_dir() {
            let mut children: Vec<PathBuf> = fs::read_dir(&out[i]).unwrap().map(|e| e.unwrap().path()).collect();
            children.sort();
            out.extend(children);
        }
        i += 1;
    }
    out
}

/// The `securebase` binary built by this package.
pub fn securebase() -> Command {
    let mut cmd = Command::cargo_bin("securebase").expect("the securebase binary");
    cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    cmd
}
