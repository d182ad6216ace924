//! The benchmark corpus generator writes a valid site: a 200-item corpus
//! checks clean, builds in both editions (production against the trust
//! root it writes, every signature verified), and its output holds up to
//! the same checks as the shipped site's.

mod common;

use std::fs;
use std::process::Command;

use common::{check_links, files_under, project_root, securebase};

#[test]
fn a_generated_corpus_checks_and_builds_cleanly() {
    let work = tempfile::TempDir::new().unwrap();
    let corpus = work.path().join("corpus");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "-p", "xtask", "--", "corpus", "--items", "200", "--seed", "7", "--out"])
        .arg(&corpus)
        .arg("--project")
        .arg(project_root())
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = corpus.join("securebase");
    assert!(corpus.join("hugo/hugo.toml").is_file(), "the Hugo twin is written");

    let check = securebase().args(["check", "--format", "json", "--root"]).arg(&site).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(check.status.code(), Some(0), "{report:#}");
    assert_eq!(report["warnings"], 0, "{report:#}");
    assert_eq!(report["counts"]["styles"], 50);
    assert_eq!(report["counts"]["reviews"], 180, "90% approved");

    // The trust root the production build needs sits beside the repository,
    // not in it.
    let trust_root = corpus.join("trust-root");
    assert!(trust_root.is_file(), "the trust root is written");

    for edition in ["build", "preview"] {
        let out_dir = work.path().join(edition);
        let mut build = securebase();
        build.args([edition, "--root"]).arg(&site).arg("--out").arg(&out_dir);
        if edition == "build" {
            build.arg("--trust-root").arg(&trust_root);
        }
        let out = build.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{edition}: {stderr}");
        // People files, site.toml and the theme are approved as they stand.
        assert!(!stderr.contains("warning"), "{edition}: {stderr}");
        check_links(&out_dir);
        for file in files_under(&out_dir).iter().filter(|f| f.ends_with(".json")) {
            let _: serde_json::Value = serde_json::from_slice(&fs::read(out_dir.join(file)).unwrap()).unwrap();
        }
        let pages = files_under(&out_dir).iter().filter(|f| f.ends_with("/index.html")).count();
        let expected = if edition == "build" { 180 } else { 200 };
        assert!(pages >= expected, "{edition}: {pages} pages");
    }
    // Items edited after approval publish their approved text.
    let production = files_under(&work.path().join("build"));
    let leaked = production
        .iter()
        .filter(|f| {
            fs::read_to_string(work.path().join("build").join(f))
                .is_ok_and(|t| t.contains("An edit made after approval"))
        })
        .count();
    assert_eq!(leaked, 0, "unapproved edits reached the production edition");
}
