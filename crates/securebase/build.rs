//! With the `embedded` feature, bundles `content/` and `site.toml` (in the
//! crate folder: links to the project's own in the workspace, copies in a
//! packaged crate) into the library as `include_bytes!` tables.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo::rerun-if-env-changed=CARGO_FEATURE_EMBEDDED");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    if env::var_os("CARGO_FEATURE_EMBEDDED").is_none() {
        fs::write(&out, "").expect("write embedded.rs");
        return;
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let content = manifest.join("content");
    let site = manifest.join("site.toml");
    println!("cargo::rerun-if-changed={}", content.display());
    println!("cargo::rerun-if-changed={}", site.display());
    let mut files = Vec::new();
    collect(&content, &content, &mut files);
    files.sort();
    let mut code = format!("const SITE_TOML: &[u8] = include_bytes!({:?});\n", site.display().to_string());
    code.push_str("const FILES: &[(&str, &[u8])] = &[\n");
    for (inside, path) in &files {
        println!("cargo::rerun-if-changed={}", path.display());
        let _ = writeln!(code, "    ({inside:?}, include_bytes!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    fs::write(&out, code).expect("write embedded.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if name.ends_with(".md") || name.ends_with(".yaml") || name.ends_with(".yml") {
            let inside = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.push((inside, path));
        }
    }
}
