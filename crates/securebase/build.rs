//! With the `embedded` feature, writes `content/` and `site.toml` (in the
//! crate folder: links to the project's own in the workspace, copies in a
//! packaged crate) as a preview edition bundle, which the library embeds
//! with `include_bytes!`.

use std::path::{Path, PathBuf};
use std::{env, fs};

/// The bundle container, shared with the library (it uses only `std`).
#[allow(dead_code)]
#[path = "src/bundle/container.rs"]
mod container;
/// The path rule the container reads with.
#[allow(dead_code)]
#[path = "src/relpath.rs"]
mod relpath;

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
    println!("cargo::rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let mut files = Vec::new();
    collect(&content, &content, &mut files);
    files.sort();
    let mut bundle = container::Container {
        edition: "preview".to_owned(),
        generator: format!("securebase {}", env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION")),
        date: epoch_date(),
        files: vec![("site.toml".to_owned(), fs::read(&site).expect("read site.toml"))],
        ..container::Container::default()
    };
    for (inside, path) in files {
        println!("cargo::rerun-if-changed={}", path.display());
        bundle.files.push((format!("content/{inside}"), fs::read(&path).expect("read a content file")));
    }
    let bundle_path = out.with_file_name("preview.bundle");
    fs::write(&bundle_path, bundle.to_bytes()).expect("write preview.bundle");
    let code = format!("const BUNDLE: &[u8] = include_bytes!({:?});\n", bundle_path.display().to_string());
    fs::write(&out, code).expect("write embedded.rs");
}

/// The bundle's date: SOURCE_DATE_EPOCH's (UTC) when it is set, else the
/// epoch's, so that the same sources always make the same bundle.
fn epoch_date() -> String {
    let seconds: i64 = env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    let days = seconds.div_euclid(86_400);
    // Howard Hinnant's days-to-civil conversion.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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
