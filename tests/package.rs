//! The content crate as other apps get it: `cargo package -p securebase`
//! succeeds, and a crate outside the workspace that depends on the packaged
//! crate with the `embedded` feature builds, reads the embedded content as
//! a preview, and loads a production edition bundle that reaches nothing
//! no clinician approved.

mod common;

use std::fs;
use std::process::Command;

use common::project_root;

#[test]
fn a_crate_outside_the_workspace_reads_the_embedded_preview_and_only_approved_text_from_a_bundle() {
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
    // A production bundle from a signed repository: one item approved,
    // then edited; the other items never approved.
    let site = common::signed_repo();
    let root = site.path();
    common::sign_ok(root, "approve", "styles/avoidant", "riley-example", "First clinical review");
    common::commit_all(root, "Clinical review");
    let item = root.join("content/styles/avoidant.md");
    let text = fs::read_to_string(&item).unwrap();
    fs::write(&item, format!("{text}\nUNAPPROVED-EDIT: a sentence no clinician has read.\n")).unwrap();
    common::commit_all(root, "An edit after the review");
    let built = common::securebase()
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--trust-root")
        .arg(common::trust_root(root))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    fs::copy(root.join("public/edition.bundle"), app.join("edition.bundle")).unwrap();
    fs::copy(common::trust_root(root), app.join("trust-root")).unwrap();
    fs::write(
        app.join("src/main.rs"),
        r#"fn main() {
    // The shipped content: a preview, and its type says so.
    let preview = securebase::embedded().expect("bundled content");
    let library = preview.unapproved_library();
    let style = library.get::<securebase::Style>("ambivalent").expect("a style");
    println!("preview: {} helped by {} strategies", style.meta.title, library.strategies_for(style).count());

    // A deployment's production bundle, verified against its trust root.
    const BUNDLE: &[u8] = include_bytes!("../edition.bundle");
    let trust_root = securebase::TrustRoot::read("trust-root".as_ref()).expect("the trust root");
    let edition = securebase::Approved::from_bundle("edition.bundle", BUNDLE, &trust_root).expect("a verified bundle");
    for (item, verified) in edition.items() {
        println!("approved: {} by {} on {}", item.reference(), verified.signer.name, verified.date);
    }
    let cbt = "therapies/cbt".parse().expect("a reference");
    println!("never approved: {}", if edition.library().item(&cbt).is_some() { "reachable" } else { "absent" });
    // Everything the edition holds, as its Debug output spells it.
    println!("everything: {edition:?}");
}
"#,
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
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "preview: Ambivalent (anxious) attachment helped by 5 strategies");
    let ledger = fs::read_to_string(root.join("content/reviews/styles/avoidant.yaml")).unwrap();
    let signed_on = ledger.lines().find_map(|l| l.trim().strip_prefix("date: ")).unwrap();
    assert_eq!(lines[1], format!("approved: styles/avoidant by Riley Example (fictional) on {signed_on}"));
    assert_eq!(lines[2], "never approved: absent");
    let everything = lines[3];
    assert!(everything.contains("Body text for the fixture."), "the approved text is there");
    assert!(!everything.contains("UNAPPROVED-EDIT"), "the unapproved edit is not reachable");
    let cbt = fs::read_to_string(root.join("content/therapies/cbt.md")).unwrap();
    let cbt_title = cbt.lines().find_map(|l| l.strip_prefix("title: ")).unwrap();
    assert!(!everything.contains(cbt_title), "the never-approved item is not reachable");
}
