//! The edition bundle, as an app and an auditor meet it: a production build
//! writes it, it loads verified and equals what production published, any
//! tampering is refused with a located reason, and `verify-site` checks a
//! deployed copy byte for byte.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use securebase::bundle::Container;
use securebase::{Approved, BundleError, Edition, ItemRef, Library, Sha256, TrustRoot};
use tempfile::TempDir;

/// Text written after the clinician's approval, which no one approved.
const UNAPPROVED: &str = "UNAPPROVED-EDIT: a sentence no clinician has read.";

/// The signed fixture with `styles/avoidant` approved (twice: a first
/// review, then a periodic one of the same text), a later unapproved edit
/// committed, and the production edition built into `<root>/public`.
fn published() -> TempDir {
    let site = signed_repo();
    let root = site.path();
    sign_ok(root, "approve", "styles/avoidant", "riley-example", "First clinical review");
    sign_ok(root, "approve", "styles/avoidant", "riley-example", "Periodic review, no changes");
    commit_all(root, "Clinical review");
    let item = root.join("content/styles/avoidant.md");
    let text = fs::read_to_string(&item).unwrap();
    fs::write(&item, format!("{text}\n{UNAPPROVED}\n")).unwrap();
    commit_all(root, "An edit after the review");
    build(root, &root.join("public"));
    site
}

fn build(root: &Path, out: &Path) {
    let output = securebase()
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .arg("--trust-root")
        .arg(trust_root(root))
        .output()
        .unwrap();
    assert!(output.status.success(), "build: {}", String::from_utf8_lossy(&output.stderr));
}

fn bundle(root: &Path) -> Vec<u8> {
    fs::read(root.join("public/edition.bundle")).unwrap()
}

fn the_trust_root(root: &Path) -> TrustRoot {
    TrustRoot::read(&trust_root(root)).unwrap()
}

fn avoidant() -> ItemRef {
    "styles/avoidant".parse().unwrap()
}

#[test]
fn a_bundle_loads_verified_and_equals_what_production_published() {
    let site = published();
    let root = site.path();
    let bytes = bundle(root);
    let api: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("public/api/v1/index.json")).unwrap()).unwrap();
    assert_eq!(api["bundle"], "https://fixture.example/edition.bundle");
    assert!(!String::from_utf8_lossy(&bytes).contains("UNAPPROVED-EDIT"), "the unapproved edit is not in the bundle");

    let trust = the_trust_root(root);
    let approved = Approved::from_bundle("edition.bundle", &bytes, &trust).expect("the bundle verifies");

    // What production published, computed here from git.
    let working = Library::load(root).unwrap();
    let repo = securebase::git::Repo::open(root).unwrap();
    let production = working.production(&repo, &repo.history().unwrap(), &trust).unwrap();
    let refs = |library: &Library| library.all_items().map(|i| i.reference()).collect::<Vec<_>>();
    assert_eq!(refs(approved.library()), refs(&production.library));
    assert_eq!(refs(approved.library()), [avoidant()], "only the approved item; the others are withheld");
    let body = |library: &Library| library.item(&avoidant()).unwrap().meta().body.clone();
    assert_eq!(body(approved.library()), body(&production.library));
    assert!(!body(approved.library()).contains("UNAPPROVED-EDIT"));
    let people = |library: &Library| library.people().iter().map(|p| p.id.to_string()).collect::<Vec<_>>();
    assert_eq!(people(approved.library()), people(&production.library));
    assert_eq!(approved.theme(), production.theme.as_slice());

    // The verification fact is typed: the signer's approved people file,
    // the key's fingerprint, the record's date and the version.
    let verified = approved.verified(&avoidant()).expect("the item is verified");
    assert_eq!(verified.signer.id.as_str(), "riley-example");
    assert_eq!(verified.signer.name, "Riley Example (fictional)");
    assert_eq!(verified.fingerprint, fingerprint(root, "riley-example"));
    assert_eq!(verified.version, 1);
    assert_eq!(verified.summary, "Periodic review, no changes");
    let record = production.library.ledger(&avoidant()).unwrap().records.last().unwrap().clone();
    assert_eq!(verified.date, record.date);
    let editors: Vec<String> = approved
        .approvals()
        .iter()
        .filter(|(s, _)| !matches!(s, securebase::Subject::Item(_)))
        .map(|(s, v)| format!("{s} by {}", v.signer.id))
        .collect();
    assert_eq!(
        editors,
        [
            "people/fixture-team by fixture-team",
            "people/riley-example by fixture-team",
            "site by fixture-team",
            "theme by fixture-team"
        ]
    );
    assert_eq!(approved.items().count(), 1);

    // The same sources give the same bundle, byte for byte.
    let again = root.join("again");
    build(root, &again);
    assert_eq!(fs::read(again.join("edition.bundle")).unwrap(), bytes);
}

/// Rewrites the bundle's file at `path` with `change`.
fn with_file(bytes: &[u8], path: &str, change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut container = Container::parse(bytes).unwrap();
    let file = container.files.iter_mut().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path} in the bundle"));
    change(&mut file.1);
    container.to_bytes()
}

/// The bundle with a file added at `path`.
fn with_added(bytes: &[u8], path: &str, contents: &[u8]) -> Vec<u8> {
    let mut container = Container::parse(bytes).unwrap();
    container.files.push((path.to_owned(), contents.to_vec()));
    container.to_bytes()
}

fn replace(bytes: &mut Vec<u8>, from: &str, to: &str) {
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(from), "{from:?}");
    *bytes = text.replacen(from, to, 1).into_bytes();
}

/// The refusal of `bytes` as text, with every located problem.
fn refusal(bytes: &[u8], trust: &TrustRoot) -> String {
    match Approved::from_bundle("edition.bundle", bytes, trust) {
        Ok(_) => panic!("a tampered bundle verified"),
        Err(BundleError::Invalid(problems)) => {
            problems.into_iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
        }
        Err(other) => other.to_string(),
    }
}

#[test]
fn every_tampering_is_refused_with_a_located_reason() {
    let site = published();
    let root = site.path();
    let bytes = bundle(root);
    let trust = the_trust_root(root);
    let item = "content/styles/avoidant.md";
    let ledger = "content/reviews/styles/avoidant.yaml";

    // One byte of the item's text.
    let text =
        String::from_utf8(Container::parse(&bytes).unwrap().files.into_iter().find(|(p, _)| p == item).unwrap().1)
            .unwrap();
    assert!(text.contains("Body text for the fixture."));
    let changed = with_file(&bytes, item, |b| replace(b, "Body text for the fixture.", "Body text for the fixturE."));
    let reason = refusal(&changed, &trust);
    assert!(
        reason.starts_with(&format!(
            "{item}:1:1: error[signature]: this is not the version of styles/avoidant that its latest approval"
        )),
        "{reason}"
    );

    // A record's summary.
    let changed = with_file(&bytes, ledger, |b| replace(b, "First clinical review", "First clinical review, and more"));
    let reason = refusal(&changed, &trust);
    assert!(reason.starts_with(&format!("{ledger}:")) && reason.contains("error[signature]"), "{reason}");

    // A dropped record: the first of the chain.
    let changed = with_file(&bytes, ledger, |b| {
        let text = String::from_utf8(b.clone()).unwrap();
        let second = text[1..].find("\n- ").unwrap() + 2;
        *b = text.as_bytes()[second..].to_vec();
    });
    let reason = refusal(&changed, &trust);
    assert!(reason.starts_with(&format!("{ledger}:")) && reason.contains("error[signature]"), "{reason}");

    // The whole ledger dropped.
    let mut container = Container::parse(&bytes).unwrap();
    container.files.retain(|(p, _)| p != ledger);
    let reason = refusal(&container.to_bytes(), &trust);
    assert!(reason.contains(&format!("{item}:1:1: error[signature]: styles/avoidant has no approval")), "{reason}");

    // A people file swapped for one no editor approved.
    let people = "content/people/riley-example.yaml";
    let changed = with_file(&bytes, people, |b| replace(b, "Riley Example (fictional)", "Mallory (fictional)"));
    let reason = refusal(&changed, &trust);
    assert!(
        reason.contains(&format!("{people}:1:1: error[signature]: this is not the version of people/riley-example")),
        "{reason}"
    );

    // An unapproved item slipped in.
    let mut container = Container::parse(&bytes).unwrap();
    container.files.push(("content/therapies/cbt.md".into(), fs::read(root.join("content/therapies/cbt.md")).unwrap()));
    container.withheld.retain(|id| id != "therapies/cbt");
    let reason = refusal(&container.to_bytes(), &trust);
    assert!(
        reason.contains("content/therapies/cbt.md:1:1: error[signature]: therapies/cbt has no approval"),
        "{reason}"
    );

    // The theme's file list, which no signature covers by itself: a
    // template's entry pointed at hostile bytes, and a page added.
    let theme_ledger = "content/reviews/theme.yaml";
    let hostile = b"<p>Approved by Riley Example, LCSW: stop your medication.</p>".to_vec();
    let (blob, sha) = (securebase::BlobId::of(&hostile).to_string(), Sha256::of(&hostile).to_string());
    let template = "themes/default/templates/item.html";
    let container = Container::parse(&bytes).unwrap();
    let listed = String::from_utf8(container.files.iter().find(|(p, _)| p == theme_ledger).unwrap().1.clone()).unwrap();
    let entry = listed.find(&format!("- path: {template}\n")).unwrap();
    let old_blob = listed[entry..].lines().nth(1).unwrap().trim().to_owned();
    let old_sha = listed[entry..].lines().nth(2).unwrap().trim().to_owned();
    let retargeted =
        listed.replacen(&old_blob, &format!("blob: {blob}"), 1).replacen(&old_sha, &format!("sha256: {sha}"), 1);
    let added = listed.replacen(
        &format!("  - path: {template}\n"),
        &format!("  - path: themes/default/static/assets/advice.html\n    blob: {blob}\n    sha256: {sha}\n  - path: {template}\n"),
        1,
    );
    for (what, ledger, path) in
        [("retargeted", retargeted, template), ("added", added, "themes/default/static/assets/advice.html")]
    {
        let mut tampered = container.clone();
        for (p, b) in tampered.files.iter_mut() {
            if p == theme_ledger {
                *b = ledger.clone().into_bytes();
            }
        }
        tampered.files.retain(|(p, _)| p != path);
        tampered.files.push((path.to_owned(), hostile.clone()));
        let reason = refusal(&tampered.to_bytes(), &trust);
        assert!(
            reason.starts_with(&format!(
                "{theme_ledger}:1:3: error[signature]: the theme record's files do not match its blob and sha256"
            )),
            "{what}: {reason}"
        );
    }

    // A content file that is no item, people file or ledger.
    let reason = refusal(&with_added(&bytes, "content/notes.txt", b"unreviewed notes"), &trust);
    assert!(
        reason.contains("content/notes.txt:1:1: error[signature]: this file is not an item, people file or ledger"),
        "{reason}"
    );

    // A file outside what the edition approved.
    let reason = refusal(&with_added(&bytes, "static/extra.js", b"alert(1)"), &trust);
    assert!(
        reason.contains("static/extra.js:1:1: error[signature]: this file is not one of the approved theme's files"),
        "{reason}"
    );

    // A bundle made against another trust root (an attacker's own editor key).
    let other = TempDir::new().unwrap();
    let key = other.path().join("mallory");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let line = format!("fixture-team {}", fs::read_to_string(key.with_extension("pub")).unwrap());
    let other_root = TrustRoot::parse(&line, &other.path().join("trust-root")).unwrap();
    let reason = refusal(&bytes, &other_root);
    assert!(
        reason.starts_with("edition.bundle was verified against another trust root (fixture-team SHA256:"),
        "{reason}"
    );
    // ... and the same bundle claiming the attacker's trust root: the
    // editors' signatures no longer verify.
    let mut container = Container::parse(&bytes).unwrap();
    container.editors = other_root.fingerprints().into_iter().map(|(id, f)| (id.to_string(), f)).collect();
    let reason = refusal(&container.to_bytes(), &other_root);
    assert!(reason.contains("content/reviews/site.yaml:") && reason.contains("error[signature]"), "{reason}");

    // Truncated.
    let reason = refusal(&bytes[..bytes.len() / 2], &trust);
    assert!(reason.starts_with("edition.bundle: not a readable edition bundle: line "), "{reason}");
    assert!(reason.ends_with("the bundle is truncated"), "{reason}");
    let reason = refusal(&bytes[..bytes.len() - 3], &trust);
    assert!(reason.contains("before its `end` line") || reason.contains("has no end"), "{reason}");

    // A preview bundle (the working text) is never an approved edition.
    let mut content: Vec<(String, Vec<u8>)> = Vec::new();
    for file in files_under(&root.join("content")) {
        content.push((file.clone(), fs::read(root.join("content").join(&file)).unwrap()));
    }
    let content: Vec<(&str, &[u8])> = content.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let made = securebase::Made::new("2026-12-07".parse().unwrap(), None);
    let preview = securebase::Preview::bundle(&fs::read(root.join("site.toml")).unwrap(), &content, &made);
    let reason = refusal(&preview, &trust);
    assert!(reason.starts_with("edition.bundle is a preview bundle"), "{reason}");
    match Edition::from_bundle("edition.bundle", &preview, &trust).unwrap() {
        Edition::Preview(preview) => {
            let body = &preview.unapproved_library().item(&avoidant()).unwrap().meta().body;
            assert!(body.contains("UNAPPROVED-EDIT"), "a preview holds the working text, and says so in its type");
        }
        Edition::Approved(_) => panic!("a preview bundle loaded as approved"),
    }
}

/// A copy of the built site, to change.
fn deployed(root: &Path) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let copy = dir.path().join("site");
    copy_dir(&root.join("public"), &copy);
    (dir, copy)
}

fn verify_site(root: &Path, dir: &Path) -> std::process::Output {
    verify_with(root, dir, &root.join("public/edition.bundle"), &[])
}

/// `verify-site dir --bundle bundle` against the site's trust root, with `flags`.
fn verify_with(root: &Path, dir: &Path, bundle: &Path, flags: &[&str]) -> std::process::Output {
    securebase()
        .arg("verify-site")
        .arg(dir)
        .args(flags)
        .arg("--bundle")
        .arg(bundle)
        .arg("--trust-root")
        .arg(trust_root(root))
        .output()
        .unwrap()
}

#[test]
fn verify_site_passes_on_a_fresh_build_and_names_every_file_that_differs() {
    let site = published();
    let root = site.path();
    let out = verify_site(root, &root.join("public"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.starts_with(&format!("verified: {} matches the bundle byte for byte (", root.join("public").display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 item(s), each approved by a signature that verifies against the trust root"),
        "{stdout}"
    );

    let flip = |path: &Path| {
        let mut bytes = fs::read(path).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        fs::write(path, bytes).unwrap();
    };
    for file in ["styles/avoidant/index.html", "api/v1/styles/avoidant.json", "search-index.json", "edition.bundle"] {
        let (_dir, copy) = deployed(root);
        flip(&copy.join(file));
        let out = verify_site(root, &copy);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("changed: {file} is not what the bundle renders\n"));
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("not verified: 1 file(s) of "), "{file}");
    }
    // A symbolic link, even to the right bytes, is not the deployed file.
    let (_dir, copy) = deployed(root);
    let page = copy.join("styles/avoidant/index.html");
    fs::rename(&page, copy.join("elsewhere.html")).unwrap();
    std::os::unix::fs::symlink(root.join("public/styles/avoidant/index.html"), &page).unwrap();
    let out = verify_site(root, &copy);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "extra:   elsewhere.html is deployed but not rendered from the bundle\nchanged: styles/avoidant/index.html is not what the bundle renders\n"
    );

    let (_dir, copy) = deployed(root);
    fs::write(copy.join("styles/new.html"), "<p>Unreviewed</p>").unwrap();
    fs::remove_file(copy.join("feed.xml")).unwrap();
    let out = verify_site(root, &copy);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "missing: feed.xml is rendered from the bundle but not deployed\nextra:   styles/new.html is deployed but not rendered from the bundle\n"
    );

    // A mirror made by following links lacks files: with --present-only
    // they are counted, and a changed file still fails.
    let (_dir, copy) = deployed(root);
    fs::remove_file(copy.join("api/v1/styles/avoidant.json")).unwrap();
    let present_only = |copy: &Path| verify_with(root, copy, &root.join("public/edition.bundle"), &["--present-only"]);
    let out = present_only(&copy);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("not compared: 1 file(s) the bundle renders are not in "));
    flip(&copy.join("styles/avoidant/index.html"));
    let out = present_only(&copy);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "changed: styles/avoidant/index.html is not what the bundle renders\n"
    );

    // ... but an empty folder is no mirror: the home page and the bundle
    // must be there.
    let empty = TempDir::new().unwrap();
    let out = present_only(empty.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "missing: edition.bundle is rendered from the bundle but not deployed\nmissing: index.html is rendered from the bundle but not deployed\n"
    );

    // The marker a build leaves is ignored only as the build writes it.
    let (_dir, copy) = deployed(root);
    fs::write(copy.join(".securebase-output"), "<script>alert(1)</script>").unwrap();
    let out = verify_site(root, &copy);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "extra:   .securebase-output is deployed but not rendered from the bundle\n"
    );

    // A bundle that does not verify is refused before any comparison.
    let mut container = Container::parse(&bundle(root)).unwrap();
    container.files.retain(|(p, _)| p != "content/reviews/styles/avoidant.yaml");
    let forged = root.join("forged.bundle");
    fs::write(&forged, container.to_bytes()).unwrap();
    let out = verify_with(root, &root.join("public"), &forged, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/styles/avoidant.md:1:1: error[signature]: styles/avoidant has no approval"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
