//! The content crate as other apps get it: `cargo package -p securebase`
//! succeeds, and a crate outside the workspace that depends on the packaged
//! crate with the `embedded` feature builds and reads the bundled content.

mod common;

use std::fs;
use std::process::Command;

use common::project_root;

#[test]
fn a_crate_outside_the_workspace_reads_the_embedded_content() {
    let work = tempfile::TempDir::new().unwrap();
    let target = work.path().join("target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args(["package", "-p", "securebase", "--allow-dirty", "--no-verify", "--offline", "--target-dir"])
        .arg(&target)
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo package failed: {}", String::from_utf8_lossy(&out.stderr));
    let package = fs::read_dir(target.join("package"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "crate"))
        .expect("a .crate file");
    let status = Command::new("tar").arg("xzf").arg(&package).arg("-C").arg(work.path()).status().unwrap();
    assert!(status.success());
    let unpacked = fs::read_dir(work.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("securebase-")));
    let unpacked = unpacked.expect("the unpacked crate");
    assert!(unpacked.join("content/styles/avoidant.md").is_file(), "the package lacks the content");
    assert!(unpacked.join("site.toml").is_file(), "the package lacks site.toml");

    let app = work.path().join("app");
    fs::create_dir_all(app.join("src")).unwrap();
    fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"care-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nsecurebase = {{ path = {:?}, features = [\"embedded\"] }}\n\n[workspace]\n",
            unpacked.display().to_string()
        ),
    )
    .unwrap();
    fs::write(
        app.join("src/main.rs"),
        "fn main() {\n    let library = securebase::embedded().expect(\"bundled content\");\n    let style = library.get::<securebase::Style>(\"ambivalent\").expect(\"a style\");\n    println!(\"{} helped by {} strategies\", style.meta.title, library.strategies_for(style).count());\n}\n",
    )
    .unwrap();
    let lock = project_root().join("Cargo.lock");
    fs::copy(&lock, app.join("Cargo.lock")).unwrap();
    let out = Command::new(&cargo)
        .args(["run", "--quiet", "--offline", "--target-dir"])
        .arg(&target)
        .current_dir(&app)
        .env("SECUREBASE_ROOT", "/nonexistent")
        .output()
        .unwrap();
    assert!(out.status.success(), "the consumer failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.trim(), "Ambivalent (anxious) attachment helped by 5 strategies");
}
