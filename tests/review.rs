//! End-to-end tests of the review workflow in temporary git repositories:
//! approvals, versions, the production edition, the rules on who may
//! approve, overdue reviews, verification, shallow clones, withheld items.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{check_links, files_under, git, project_root, securebase};
use serde_json::Value;
use tempfile::TempDir;

const STYLE: &str = "content/styles/avoidant.md";
const MARKER: &str = "UNREVIEWED-MARKER-7f3a";

fn commit_as(root: &Path, _email: &str, message: &str) {
    common::commit_all(root, message);
}

/// The fixture site committed to a new repository, with its people files,
/// site.toml and theme approved by the editor; no item approved yet.
fn repo() -> TempDir {
    common::signed_repo()
}

fn sb(root: &Path, args: &[&str]) -> Output {
    securebase()
        .arg(args[0])
        .args(&args[1..])
        .arg("--root")
        .arg(root)
        .env("SECUREBASE_TRUST_ROOT", common::trust_root(root))
        .output()
        .unwrap()
}

fn sb_ok(root: &Path, args: &[&str]) -> String {
    let out = sb(root, args);
    assert!(
        out.status.success(),
        "securebase {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Riley approves `item`, signing with their key, and the ledger is committed.
fn approve(root: &Path, item: &str, summary: &str) {
    common::sign_ok(root, "approve", item, "riley-example", summary);
    commit_as(root, "riley@fixture.example", &format!("Review: approve {item}"));
}

fn build(root: &Path, edition: &str) -> std::path::PathBuf {
    let out = root.join(format!("out-{edition}"));
    sb_ok(root, &[edition, "--out", out.to_str().unwrap()]);
    out
}

fn read(path: impl AsRef<Path>) -> String {
    fs::read_to_string(path).unwrap()
}

/// Every file under `out`, read as text, that contains `needle`.
fn files_containing(out: &Path, needle: &str) -> Vec<String> {
    files_under(out)
        .into_iter()
        .filter(|f| String::from_utf8_lossy(&fs::read(out.join(f)).unwrap()).contains(needle))
        .collect()
}

#[test]
fn blob_ids_match_git_hash_object() {
    let site = repo();
    let library = securebase::Library::load(site.path()).unwrap();
    for item in library.all_items() {
        let meta = item.meta();
        let git_id = git(site.path(), &["hash-object", meta.path.to_str().unwrap()]);
        assert_eq!(meta.blob.as_str(), git_id.trim(), "{}", meta.path.display());
    }
}

#[test]
fn approved_versions_are_published_and_later_edits_are_not() {
    let site = repo();
    let root = site.path();

    // Nothing approved: the production build fails and says what to do.
    let out = sb(root, &["build", "--out", root.join("out-build").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing is approved"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Version 1.
    approve(root, "styles/avoidant", "First clinical review");
    let prod = build(root, "build");
    let page = read(prod.join("styles/avoidant/index.html"));
    for expected in [
        "Clinically reviewed by",
        "Riley Example (fictional)",
        "LCSW (Licensed Clinical Social Worker)",
        "<dt>Version</dt><dd>1</dd>",
        "Last reviewed",
        "Next review due",
        "First published",
        "First clinical review",
    ] {
        assert!(page.contains(expected), "the review block lacks {expected:?}");
    }
    let ld = common::json_ld_blocks(&page);
    let ld: Value = serde_json::from_str(ld[0]).unwrap();
    assert_eq!(ld["reviewedBy"]["name"], "Riley Example (fictional)");
    assert!(ld["lastReviewed"].is_string());
    let manifest: Value = serde_json::from_str(&read(prod.join("manifest.json"))).unwrap();
    assert_eq!(manifest["edition"], "production");
    assert_eq!(manifest["commit"].as_str().unwrap(), git(root, &["rev-parse", "HEAD"]).trim());
    assert_eq!(manifest["items"].as_array().unwrap().len(), 1, "only the approved item is published");
    assert_eq!(manifest["items"][0]["version"], 1);
    let robots = read(prod.join("robots.txt"));
    assert!(robots.contains("Sitemap:"));
    assert!(read(prod.join("sitemap.xml")).contains("<lastmod>"));
    assert!(read(prod.join("feed.xml")).contains("version 1"));
    assert!(read(prod.join("changes/index.html")).contains("First clinical review"));
    assert!(!prod.join("review").exists(), "the dashboard never appears in production");

    // Withheld items leave no trace and no broken link.
    check_links(&prod);
    for withheld in ["strategies/mindfulness", "therapies/cbt", "guides/overview"] {
        assert!(!prod.join(withheld).exists(), "{withheld} is not approved but was published");
    }
    for title in ["A fixture page about noticing feelings", "Cognitive behavioral therapy (CBT)"] {
        assert!(
            files_containing(&prod, title).is_empty(),
            "unapproved text {title:?} leaked into {:?}",
            files_containing(&prod, title)
        );
    }

    // An edit after approval, committed: production still shows version 1.
    let text =
        read(root.join(STYLE)).replace("Body text for the fixture.", &format!("Body text for the fixture. {MARKER}"));
    fs::write(root.join(STYLE), text).unwrap();
    commit_as(root, "team@fixture.example", "Edit after approval");
    let prod = build(root, "build");
    assert!(
        files_containing(&prod, MARKER).is_empty(),
        "the unapproved edit leaked into {:?}",
        files_containing(&prod, MARKER)
    );
    assert!(read(prod.join("styles/avoidant/index.html")).contains("<dt>Version</dt><dd>1</dd>"));

    // Preview shows the edit with a banner, and the dashboard shows the diff.
    let preview = build(root, "preview");
    let page = read(preview.join("styles/avoidant/index.html"));
    assert!(page.contains(MARKER));
    assert!(page.contains("class=\"review-banner"), "no banner on a changed page");
    assert!(page.contains("Changed since version 1, not yet reviewed"));
    let dashboard = read(preview.join("review/index.html"));
    assert!(dashboard.contains("changes since version 1"), "no diff on the dashboard");
    assert!(dashboard.contains(MARKER));
    assert!(dashboard.contains("class=\"hl-"), "the diff is not highlighted");
    check_links(&preview);

    let status = sb_ok(root, &["review", "status"]);
    assert!(status.contains("styles/avoidant") && status.contains("changed since version 1"), "{status}");
    let diff = sb_ok(root, &["review", "diff", "styles/avoidant"]);
    assert!(diff.contains(&format!("+Body text for the fixture. {MARKER}")), "{diff}");

    // Version 2.
    approve(root, "styles/avoidant", "Added a marker sentence");
    let prod = build(root, "build");
    let page = read(prod.join("styles/avoidant/index.html"));
    assert!(page.contains(MARKER));
    assert!(page.contains("<dt>Version</dt><dd>2</dd>"));
    assert_eq!(page.matches("<li id=\"version-").count(), 2, "a two-entry history");
    let history = sb_ok(root, &["review", "history", "styles/avoidant"]);
    assert!(
        history.contains("version 1") && history.contains("version 2") && history.contains("Added a marker sentence"),
        "{history}"
    );
    let json: Value = serde_json::from_str(&sb_ok(root, &["review", "status", "--format", "json"])).unwrap();
    let avoidant = json["items"].as_array().unwrap().iter().find(|i| i["item"] == "styles/avoidant").unwrap();
    assert_eq!(avoidant["state"], "approved");
    assert_eq!(avoidant["version"], 2);

    let verify = sb_ok(root, &["review", "verify"]);
    assert!(verify.contains("verified 6 signed record(s), editors against the trust root"), "{verify}");
    assert!(verify.ends_with("every ledger's history: 0 problem(s)\n"), "{verify}");
}

#[test]
fn only_licensed_clinical_reviewers_who_did_not_write_it_may_approve() {
    let site = repo();
    let root = site.path();
    let key = common::key(root, "riley-example");
    let refused = |args: &[&str], reason: &str| {
        let mut args = args.to_vec();
        args.extend(["--key", key.to_str().unwrap()]);
        let out = sb(root, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?} was not refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    };
    // Not a clinical reviewer.
    refused(
        &["review", "approve", "styles/avoidant", "--reviewer", "fixture-team", "--summary", "x"],
        "does not hold the clinical_reviewer role",
    );
    // A key that is not Riley's.
    let writer = common::key(root, "writer");
    let out = sb(
        root,
        &[
            "review",
            "approve",
            "styles/avoidant",
            "--reviewer",
            "riley-example",
            "--summary",
            "x",
            "--key",
            writer.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let fingerprint = common::fingerprint(root, "writer");
    assert!(
        stderr.contains(&format!("refused: it is signed with key {fingerprint}, which is not one of riley-example's keys in their people file; list the public key under `signing_keys` in content/people/riley-example.yaml")),
        "{stderr}"
    );
    // An editor approving an item.
    refused(
        &["review", "approve", "people/riley-example", "--reviewer", "riley-example", "--summary", "x"],
        "`riley-example` is not an editor of the trust root",
    );
    // The author.
    let text = read(root.join("content/therapies/cbt.md")).replace("author: fixture-team", "author: riley-example");
    fs::write(root.join("content/therapies/cbt.md"), text).unwrap();
    commit_as(root, "team@fixture.example", "Riley writes CBT");
    refused(
        &["review", "approve", "therapies/cbt", "--reviewer", "riley-example", "--summary", "x"],
        "a different clinical reviewer must approve it",
    );
    // An expired licence.
    let person =
        read(root.join("content/people/riley-example.yaml")).replace("expires: 2099-12-31", "expires: 2020-01-01");
    fs::write(root.join("content/people/riley-example.yaml"), person).unwrap();
    commit_as(root, "team@fixture.example", "Licence lapses");
    refused(
        &["review", "approve", "styles/avoidant", "--reviewer", "riley-example", "--summary", "x"],
        "licence expired on 2020-01-01",
    );
    // Uncommitted changes.
    let person =
        read(root.join("content/people/riley-example.yaml")).replace("expires: 2020-01-01", "expires: 2099-12-31");
    fs::write(root.join("content/people/riley-example.yaml"), person).unwrap();
    commit_as(root, "team@fixture.example", "Licence renewed");
    fs::write(root.join(STYLE), read(root.join(STYLE)) + "\nDraft.\n").unwrap();
    refused(
        &["review", "approve", "styles/avoidant", "--reviewer", "riley-example", "--summary", "x"],
        "has uncommitted changes",
    );
    assert!(!root.join("content/reviews/styles").exists(), "a refused approval wrote to the ledger");
    assert!(!root.join("content/reviews/therapies").exists(), "a refused approval wrote to the ledger");
}

#[test]
fn an_overdue_review_is_flagged_in_status_and_on_the_page() {
    let site = repo();
    let root = site.path();
    approve(root, "styles/avoidant", "First clinical review");
    // Two years on (SOURCE_DATE_EPOCH fixes "today").
    let later = (jiff_now_seconds() + 2 * 365 * 86_400).to_string();
    let out = securebase()
        .args(["review", "status", "--format", "json", "--root"])
        .arg(root)
        .env("SOURCE_DATE_EPOCH", &later)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let avoidant = json["items"].as_array().unwrap().iter().find(|i| i["item"] == "styles/avoidant").unwrap();
    assert_eq!(avoidant["overdue"], true);
    let out_dir = root.join("out");
    let out = securebase()
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(&out_dir)
        .env("SOURCE_DATE_EPOCH", &later)
        .env("SECUREBASE_TRUST_ROOT", common::trust_root(root))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = read(out_dir.join("styles/avoidant/index.html"));
    assert!(page.contains("Clinical review overdue"), "the page does not flag the overdue review");
    let github = securebase()
        .args(["review", "status", "--format", "github", "--root"])
        .arg(root)
        .env("SOURCE_DATE_EPOCH", &later)
        .output()
        .unwrap();
    let expected = format!(
        "::warning file=content/styles/avoidant.md,line=1,title=Clinical review::styles/avoidant is approved, review overdue (signed by {}, a key the working tree's people files list)",
        common::fingerprint(root, "riley-example")
    );
    let github = String::from_utf8_lossy(&github.stdout).into_owned();
    assert!(github.lines().any(|l| l == expected), "{github}");
    assert!(
        github.contains(
            "::warning file=content/therapies/cbt.md,line=1,title=Clinical review::therapies/cbt is never reviewed\n"
        ),
        "{github}"
    );
}

fn jiff_now_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn production_refuses_uncommitted_ledgers_and_foreign_blobs() {
    let site = repo();
    let root = site.path();
    common::sign_ok(root, "approve", "styles/avoidant", "riley-example", "First");
    let out = sb(root, &["build", "--out", root.join("out").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("commit the review ledgers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    commit_as(root, "riley@fixture.example", "Review");
    // A hand-edited ledger that approves the blob of another file.
    let other = git(root, &["hash-object", "content/therapies/cbt.md"]);
    let ledger = root.join("content/reviews/styles/avoidant.yaml");
    let text = read(&ledger);
    let blob = text.lines().find_map(|l| l.strip_prefix("- blob: ")).unwrap().to_owned();
    fs::write(&ledger, text.replace(&blob, other.trim())).unwrap();
    commit_as(root, "riley@fixture.example", "Forged");
    let out = sb(root, &["build", "--out", root.join("out").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("content/reviews/styles/avoidant.yaml:7:3: error[signature]: record 1 ("),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!root.join("out").exists(), "a failed build wrote its output");
}

#[test]
fn a_shallow_clone_gives_a_clear_error() {
    let site = repo();
    let root = site.path();
    approve(root, "styles/avoidant", "First");
    fs::write(root.join(STYLE), read(root.join(STYLE)) + "\nLater edit.\n").unwrap();
    commit_as(root, "team@fixture.example", "Edit");
    let clone = TempDir::new().unwrap();
    let url = format!("file://{}", root.display());
    let status =
        Command::new("git").args(["clone", "-q", "--depth", "1", &url]).arg(clone.path().join("c")).status().unwrap();
    assert!(status.success());
    let out = securebase()
        .args(["build", "--root"])
        .arg(clone.path().join("c"))
        .arg("--out")
        .arg(clone.path().join("out"))
        .env("SECUREBASE_TRUST_ROOT", common::trust_root(root))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("this is a shallow clone") && stderr.contains("git fetch --unshallow"), "{stderr}");
}

#[test]
fn the_readme_walkthrough_runs() {
    let scratch = TempDir::new().unwrap();
    let out = Command::new("bash")
        .arg(project_root().join("scripts/walkthrough.sh"))
        .arg(scratch.path().join("site"))
        .env("SECUREBASE", env!("CARGO_BIN_EXE_securebase"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Clinically reviewed by Riley Example (fictional)"), "{stdout}");
    assert!(stdout.contains("0 problem(s)"), "{stdout}");
    let page = read(scratch.path().join("site/public/styles/avoidant/index.html"));
    assert!(!page.contains("written after the approval"));
}
