//! The trust model, attacked as a writer with commit access but no
//! reviewer's or editor's private key would attack it. Each attack runs on
//! its own copy of a repository where an honest, signed approval already
//! published; it must leave its marker text out of every production output
//! file and be reported with its file and line.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{commit_all, copy_dir, files_under, fingerprint, git, key, public_key, securebase, sign_ok};
use securebase::Sha256;
use tempfile::TempDir;

const STYLE: &str = "content/styles/avoidant.md";
const LEDGER: &str = "content/reviews/styles/avoidant.yaml";
const MARKER: &str = "FORGED-MARKER-5c1e";

/// A repository in which Riley approved the avoidant style (version 1,
/// signed), and whose production build in `out/` published it.
struct Site {
    dir: TempDir,
}

impl Site {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("out")
    }

    fn build(&self) -> Output {
        self.build_with(&common::trust_root(self.root()))
    }

    fn build_with(&self, trust_root: &Path) -> Output {
        securebase()
            .args(["build", "--root"])
            .arg(self.root())
            .arg("--out")
            .arg(self.out())
            .arg("--trust-root")
            .arg(trust_root)
            .output()
            .unwrap()
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.root().join(path)).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn replace(&self, path: &str, from: &str, to: &str) {
        let text = self.read(path);
        assert!(text.contains(from), "{path} lacks {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    /// Adds the marker to the avoidant style's body and commits it.
    fn edit_style(&self) {
        self.replace(STYLE, "Body text for the fixture.", &format!("Body text for the fixture. {MARKER}"));
        commit_all(self.root(), "A writer's edit");
    }

    /// Every output file that holds the marker.
    fn leaks(&self) -> Vec<String> {
        let out = self.out();
        files_under(&out)
            .into_iter()
            .filter(|f| String::from_utf8_lossy(&fs::read(out.join(f)).unwrap()).contains(MARKER))
            .collect()
    }
}

/// The repository every attack starts from, made once and copied.
fn base() -> &'static Path {
    static BASE: std::sync::OnceLock<TempDir> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        let dir = common::signed_repo();
        sign_ok(dir.path(), "approve", "styles/avoidant", "riley-example", "First clinical review");
        commit_all(dir.path(), "Review: approve styles/avoidant");
        dir
    })
    .path()
}

fn site() -> Site {
    let dir = TempDir::new().unwrap();
    copy_dir(base(), dir.path());
    let site = Site { dir };
    let out = site.build();
    assert!(out.status.success(), "the honest build failed: {}", String::from_utf8_lossy(&out.stderr));
    site
}

/// The build fails, names `file:line:` with `reason`, writes nothing, and
/// the previous site (without the marker) stays.
fn refused(site: &Site, output: Output, at: &str, reason: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the attack was not refused: {stderr}");
    assert!(stderr.contains(at) && stderr.contains(reason), "expected {at} {reason:?} in:\n{stderr}");
    assert!(site.leaks().is_empty(), "the marker leaked into {:?}", site.leaks());
    assert!(site.out().join("styles/avoidant/index.html").is_file(), "the previous site was not kept");
}

/// The line of the `n`th record (1-based) of a ledger, at its signature key.
fn record_line(site: &Site, ledger: &str, n: usize, key: &str) -> String {
    format!("{ledger}:{}:3:", key_line(&site.read(ledger), n, key))
}

/// The 1-based line of `key` in the `n`th record (1-based) of a ledger's text.
fn key_line(text: &str, n: usize, key: &str) -> usize {
    let starts: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.starts_with("- ")).map(|(i, _)| i).collect();
    let from = starts[n - 1];
    let line = text
        .lines()
        .enumerate()
        .skip(from)
        .find(|(_, l)| l.trim_start().trim_start_matches("- ").starts_with(&format!("{key}:")))
        .unwrap()
        .0;
    line + 1
}

#[test]
fn an_honest_signed_approval_publishes_and_shows_who_signed_it() {
    let site = site();
    let page = fs::read_to_string(site.out().join("styles/avoidant/index.html")).unwrap();
    let riley = fingerprint(site.root(), "riley-example");
    assert!(page.contains("Clinically reviewed by <a href=\"/people/riley-example/\">Riley Example (fictional)</a>"));
    assert!(
        page.contains(
            "Reviewed by <a href=\"/people/riley-example/\">Riley Example (fictional), LCSW</a>, on <time datetime="
        ),
        "{page}"
    );
    // The key's fingerprint is for auditors: the reviewer's page, not the reader's.
    assert!(!page.contains(&riley), "{page}");
    let person = fs::read_to_string(site.out().join("people/riley-example/index.html")).unwrap();
    assert!(person.contains(&format!("<li><code>{riley}</code></li>")), "{person}");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(site.out().join("manifest.json")).unwrap()).unwrap();
    let team = fingerprint(site.root(), "fixture-team");
    assert_eq!(manifest["trust_root"], serde_json::json!([{ "editor": "fixture-team", "fingerprint": team }]));
    assert_eq!(manifest["items"][0]["signer"], riley.as_str());
    let subjects: Vec<(&str, &str)> = manifest["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["subject"].as_str().unwrap(), a["signer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        subjects,
        [
            ("people/fixture-team", team.as_str()),
            ("people/riley-example", team.as_str()),
            ("site", team.as_str()),
            ("theme", team.as_str())
        ]
    );
    let api: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(site.out().join("api/v1/styles/avoidant.json")).unwrap()).unwrap();
    assert_eq!(
        api["review"]["signature"],
        serde_json::json!({ "verified": true, "signer": riley, "checked_against": "trust_root" })
    );
}

#[test]
fn an_unsigned_record_is_not_an_approval() {
    let site = site();
    site.edit_style();
    common::forge(site.root(), "styles/avoidant", "riley-example", "2026-12-01", "Looks fine", None);
    let at = record_line(&site, LEDGER, 2, "blob");
    refused(
        &site,
        site.build(),
        &at,
        "record 2 (2026-12-01, riley-example) is not an approval: the record is not signed",
    );
}

#[test]
fn a_record_signed_with_someone_elses_key_is_not_an_approval() {
    let site = site();
    site.edit_style();
    let writer = key(site.root(), "writer");
    common::forge(site.root(), "styles/avoidant", "riley-example", "2026-12-01", "Looks fine", Some(&writer));
    let at = record_line(&site, LEDGER, 2, "signature");
    let reason = format!(
        "it is signed with key {}, which is not one of riley-example's keys",
        fingerprint(site.root(), "writer")
    );
    refused(&site, site.build(), &at, &reason);
}

#[test]
fn a_writer_adding_their_key_to_a_reviewers_file_cannot_approve() {
    let site = site();
    let riley = "content/people/riley-example.yaml";
    site.write(riley, &format!("{}  - {}\n", site.read(riley), public_key(site.root(), "writer")));
    commit_all(site.root(), "Add a key to Riley's file");
    site.edit_style();
    // The working tree lists the key, so the command signs; production
    // trusts only the people file an editor approved.
    let mut args =
        vec!["review", "approve", "styles/avoidant", "--reviewer", "riley-example", "--summary", "Looks fine"];
    let writer = key(site.root(), "writer");
    args.extend(["--key", writer.to_str().unwrap(), "--root", site.root().to_str().unwrap()]);
    let out = securebase().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    commit_all(site.root(), "The writer's approval");
    let at = record_line(&site, LEDGER, 2, "signature");
    refused(&site, site.build(), &at, "which is not one of riley-example's keys in their approved people file");
}

#[test]
fn a_record_edited_after_signing_is_not_an_approval() {
    for (what, from, to) in [
        ("summary", "summary: First clinical review", "summary: First clinical review, and the marker text"),
        ("date", "date: ", ""),
    ] {
        let site = site();
        let text = site.read(LEDGER);
        let line = text.lines().find(|l| l.contains(from)).unwrap_or_else(|| panic!("{what}")).to_owned();
        let edited = match what {
            "date" if line.ends_with("2026-01-01") => "  date: 2026-01-02".to_owned(),
            "date" => "  date: 2026-01-01".to_owned(),
            _ => line.replace(from, to),
        };
        site.write(LEDGER, &text.replacen(&line, &edited, 1));
        commit_all(site.root(), "Edit a signed record");
        let at = record_line(&site, LEDGER, 1, "signature");
        refused(&site, site.build(), &at, "record 1");
        let stderr = String::from_utf8_lossy(&site.build().stderr).into_owned();
        assert!(stderr.contains("the signature does not match the record"), "{what}: {stderr}");
    }
    // The blob: pointed at a version with the marker in it.
    let site = site();
    site.edit_style();
    let blob = git(site.root(), &["hash-object", STYLE]);
    let text = site.read(LEDGER);
    let old = text.lines().find_map(|l| l.strip_prefix("- blob: ")).unwrap().to_owned();
    site.write(LEDGER, &text.replace(&old, blob.trim()));
    commit_all(site.root(), "Point the approval at the new text");
    let at = record_line(&site, LEDGER, 1, "signature");
    refused(&site, site.build(), &at, "the signature does not match the record");
}

#[test]
fn a_genuine_record_copied_into_another_ledger_approves_nothing() {
    let site = site();
    site.replace("content/guides/overview.md", "\n---\n", &format!("\n---\n{MARKER}\n"));
    commit_all(site.root(), "Overview with the marker");
    site.write("content/reviews/guides/overview.yaml", &site.read(LEDGER));
    commit_all(site.root(), "Copy Riley's approval");
    let at = record_line(&site, "content/reviews/guides/overview.yaml", 1, "signature");
    refused(&site, site.build(), &at, "the signature does not match the record");
}

/// Riley approves three versions; the second has the marker, the third
/// takes it out again. The third record is signed, not yet committed.
fn third_signed() -> Site {
    let site = site();
    site.edit_style();
    sign_ok(site.root(), "approve", "styles/avoidant", "riley-example", "Second version");
    commit_all(site.root(), "Review: version 2");
    site.replace(STYLE, &format!(" {MARKER}"), " Corrected.");
    commit_all(site.root(), "Take the marker out");
    sign_ok(site.root(), "approve", "styles/avoidant", "riley-example", "Third version");
    site
}

/// [`third_signed`], with the third record committed and published.
fn three_versions() -> Site {
    let site = third_signed();
    commit_all(site.root(), "Review: version 3");
    let out = site.build();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(site.leaks().is_empty());
    site
}

/// The ledger's records, as text, one per entry.
fn entries(text: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("- ") || entries.is_empty() {
            entries.push(String::new());
        }
        let last = entries.last_mut().unwrap();
        last.push_str(line);
        last.push('\n');
    }
    entries
}

#[test]
fn a_record_removed_from_the_middle_breaks_the_chain_and_the_history() {
    let site = three_versions();
    let records = entries(&site.read(LEDGER));
    site.write(LEDGER, &[records[0].as_str(), records[2].as_str()].concat());
    commit_all(site.root(), "Drop version 2's record");
    let at = record_line(&site, LEDGER, 2, "signature");
    refused(&site, site.build(), &at, "record 2 (");
}

#[test]
fn removing_the_latest_approval_cannot_bring_back_an_older_version() {
    let site = three_versions();
    roll_back(&site);
    let output = site.build();
    let at = format!("{LEDGER}:");
    refused(&site, output, &at, "record 3 (");
    let stderr = String::from_utf8_lossy(&site.build().stderr).into_owned();
    assert!(stderr.contains("is missing now; ledgers are append-only"), "{stderr}");
}

#[test]
fn a_merge_that_keeps_an_older_ledger_cannot_bring_back_an_older_version() {
    let site = three_versions();
    let root = site.root();
    let log = git(root, &["log", "--format=%H %s"]);
    let second = log.lines().find(|l| l.ends_with(" Review: version 2")).unwrap().split(' ').next().unwrap().to_owned();
    let main = git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).trim().to_owned();
    // A branch from version 2's approval merges main but keeps its own
    // tree: git's default history leaves main's side out of the ledger's log.
    git(root, &["checkout", "-q", "-b", "side", &second]);
    git(root, &["-c", "user.email=w@x.example", "-c", "user.name=W", "merge", "-q", "-s", "ours", "--no-edit", &main]);
    git(root, &["checkout", "-q", &main]);
    git(root, &["merge", "-q", "--ff-only", "side"]);
    assert_eq!(entries(&site.read(LEDGER)).len(), 2, "the third record is gone");
    assert!(site.read(STYLE).contains(MARKER));
    let output = site.build();
    refused(&site, output, &format!("{LEDGER}:"), "record 3 (");
}

#[test]
fn a_ledger_version_that_does_not_parse_still_keeps_its_signed_records() {
    /// What breaks the ledger, given its text.
    type Breaks = fn(&str) -> String;
    let shapes: [(&str, Breaks); 4] = [
        ("a line at the margin after the record", |l| format!("{l}: [\n")),
        ("an indented line after the record", |l| format!("{l}  : [\n")),
        ("a tab-started line after the record", |l| format!("{l}\t: [\n")),
        ("the whole ledger indented", |l| {
            l.lines().map(|line| format!("  {line}\n")).chain([": [\n".into()]).collect()
        }),
    ];
    for (shape, broken) in shapes {
        let site = third_signed();
        // The third record is committed in a ledger that does not parse,
        // then dropped with what broke it, and the marker put back.
        let ledger = site.read(LEDGER);
        site.write(LEDGER, &broken(&ledger));
        commit_all(site.root(), "Review: version 3");
        site.write(LEDGER, &entries(&ledger)[..2].concat());
        site.replace(STYLE, " Corrected.", &format!(" {MARKER}"));
        commit_all(site.root(), "Mend the ledger");
        let output = site.build();
        assert_eq!(output.status.code(), Some(1), "{shape}: {}", String::from_utf8_lossy(&output.stderr));
        refused(&site, output, &format!("{LEDGER}:"), "signature 3 of the version commit ");
    }
}

/// Builds a clone of `site` made with `git clone ARGS`, as a deploy job
/// would, into the clone's own `out/`.
fn build_clone(site: &Site, args: &[&str], then: impl FnOnce(&Path)) -> (TempDir, Output) {
    let clone = TempDir::new().unwrap();
    let dest = clone.path().join("repo");
    let url = format!("file://{}", site.root().display());
    let mut clone_args = vec!["clone", "-q"];
    clone_args.extend_from_slice(args);
    clone_args.extend([url.as_str(), dest.to_str().unwrap()]);
    git(clone.path(), &clone_args);
    then(&dest);
    let output = securebase()
        .args(["build", "--root"])
        .arg(&dest)
        .arg("--out")
        .arg(clone.path().join("out"))
        .arg("--trust-root")
        .arg(common::trust_root(site.root()))
        .output()
        .unwrap();
    assert!(files_under(&clone.path().join("out")).is_empty(), "a refused build wrote its output");
    (clone, output)
}

/// Drops the third record of [`three_versions`] and puts the marker back.
fn roll_back(site: &Site) {
    let records = entries(&site.read(LEDGER));
    site.write(LEDGER, &records[..2].concat());
    site.replace(STYLE, " Corrected.", &format!(" {MARKER}"));
    commit_all(site.root(), "Back to version 2");
}

#[test]
fn a_shallow_clone_is_refused_since_its_history_is_cut_short() {
    let site = three_versions();
    roll_back(&site);
    let (_clone, output) = build_clone(&site, &["--depth", "1"], |_| {});
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("this is a shallow clone, so the ledgers' history is cut short"), "{stderr}");
}

#[test]
fn a_pushed_replace_ref_cannot_make_an_old_ledger_version_read_as_another() {
    let site = three_versions();
    let root = site.root();
    let third = git(root, &["rev-parse", &format!("HEAD:{LEDGER}")]).trim().to_owned();
    roll_back(&site);
    let second = git(root, &["rev-parse", &format!("HEAD:{LEDGER}")]).trim().to_owned();
    // The ledger's third version would read as its second, for a job that
    // fetches every ref.
    git(root, &["replace", &third, &second]);
    let fetch_replace = |dest: &Path| {
        git(dest, &["fetch", "-q", "origin", "refs/replace/*:refs/replace/*"]);
    };
    let (_clone, output) = build_clone(&site, &[], fetch_replace);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("record 3 (") && stderr.contains("is missing now"), "{stderr}");
}

/// Commits everything in `root`, dated `date` (as git reads one) by whoever
/// commits.
fn commit_dated(root: &Path, message: &str, date: &str) {
    git(root, &["add", "-A"]);
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.email=w@x.example", "-c", "user.name=W", "commit", "-q", "-m", message])
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The date of the `n`th record (1-based) of a ledger, as it is signed.
fn record_date(site: &Site, ledger: &str, n: usize) -> String {
    let dates: Vec<String> =
        site.read(ledger).lines().filter_map(|l| l.trim_start().strip_prefix("date: ")).map(str::to_owned).collect();
    dates[n - 1].clone()
}

#[test]
fn an_item_file_in_a_folder_of_its_collection_is_refused_everywhere() {
    let site = site();
    let root = site.root();
    // The approved bytes move into a folder whose name is the attacker's
    // text, in a commit dated long before any review.
    let folder = format!("content/styles/{MARKER}");
    fs::create_dir_all(root.join(&folder)).unwrap();
    fs::rename(root.join(STYLE), root.join(&folder).join("avoidant.md")).unwrap();
    commit_dated(root, "Move", "1999-01-01T12:00:00 +0000");
    let at = format!("{folder}/avoidant.md:1:1: error[misplaced]");
    let hint = "move it to content/styles/avoidant.md";
    refused(&site, site.build(), &at, hint);
    let check = securebase().args(["check", "--root"]).arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&at) && stdout.contains(hint), "{stdout}");
    let verify = securebase()
        .args(["review", "verify", "--root"])
        .arg(root)
        .arg("--trust-root")
        .arg(common::trust_root(root))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&verify.stderr);
    assert_eq!(verify.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&at), "{stderr}");
}

#[test]
fn review_verify_reports_forged_editor_records_when_no_item_is_approved() {
    // No item was ever approved; the attacker lists their own key in the
    // editor's people file and signs `site` and that file with it (the
    // command signs: the working tree lists the key).
    let dir = common::signed_repo();
    let root = dir.path();
    let team = "content/people/fixture-team.yaml";
    let text = fs::read_to_string(root.join(team)).unwrap();
    fs::write(root.join(team), format!("{text}  - {}\n", public_key(root, "writer"))).unwrap();
    fs::write(root.join("site.toml"), fs::read_to_string(root.join("site.toml")).unwrap() + "\n# changed\n").unwrap();
    commit_all(root, "The writer's key");
    for subject in ["people/fixture-team", "site"] {
        let out = securebase()
            .args(["review", "approve", subject, "--reviewer", "fixture-team", "--summary", "Forged", "--key"])
            .arg(key(root, "writer"))
            .arg("--root")
            .arg(root)
            .env_remove("SECUREBASE_TRUST_ROOT")
            .output()
            .unwrap();
        assert!(out.status.success(), "{subject}: {}", String::from_utf8_lossy(&out.stderr));
    }
    commit_all(root, "Forged editorial approvals");
    let verify = |trust_root: bool| {
        let mut cmd = securebase();
        cmd.args(["review", "verify", "--root"]).arg(root).env_remove("SECUREBASE_TRUST_ROOT");
        if trust_root {
            cmd.arg("--trust-root").arg(common::trust_root(root));
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, stdout) = verify(true);
    assert_eq!(code, Some(1), "{stdout}");
    let writer = fingerprint(root, "writer");
    for ledger in ["content/reviews/people/fixture-team.yaml", "content/reviews/site.yaml"] {
        let line = key_line(&fs::read_to_string(root.join(ledger)).unwrap(), 2, "signature");
        let forged = format!("{ledger}:{line}:3: error[signature]: record 2 (");
        assert!(stdout.contains(&forged), "{forged} in {stdout}");
    }
    let reason = format!("it is signed with key {writer}, which is not one of fixture-team's keys in the trust root");
    assert_eq!(stdout.matches(&reason).count(), 2, "{stdout}");
    assert!(stdout.contains("and every ledger's history: 2 problem(s)\n"), "{stdout}");
    assert!(stdout.contains("not verified: no item has an approved version"), "{stdout}");
    // Without a trust root the working tree's keys count, so the records
    // verify; that nothing is approved is still no pass.
    let (code, stdout) = verify(false);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("every ledger's history: 0 problem(s)\nnot verified: no item has an approved version"),
        "{stdout}"
    );
}

#[test]
fn every_date_production_shows_is_a_signed_records_never_a_commits() {
    let site = site();
    let root = site.root();
    // An orphan commit dated 1999 holds the approved blob and becomes the
    // first parent of a merge whose tree is the genuine tip.
    let main = git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).trim().to_owned();
    git(root, &["checkout", "-q", "--orphan", "old"]);
    commit_dated(root, "Written long ago", "1999-01-01T12:00:00 +0000");
    let merge = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.email=w@x.example", "-c", "user.name=W", "merge", "-q", "--allow-unrelated-histories"])
        .args(["-s", "ours", "--no-edit", &main])
        .env("GIT_COMMITTER_DATE", "1999-01-02T12:00:00 +0000")
        .env("GIT_AUTHOR_DATE", "1999-01-02T12:00:00 +0000")
        .output()
        .unwrap();
    assert!(merge.status.success(), "{}", String::from_utf8_lossy(&merge.stderr));
    git(root, &["checkout", "-q", &main]);
    git(root, &["reset", "-q", "--hard", "old"]);
    let output = site.build();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let signed = record_date(&site, LEDGER, 1);
    let out = site.out();
    for file in files_under(&out) {
        let text = String::from_utf8_lossy(&fs::read(out.join(&file)).unwrap()).into_owned();
        // Blob ids, digests and signatures (the bundle and the manifest
        // hold them) are left out: "1999" turns up in random hex.
        assert!(!without_hashes(&text).contains("1999"), "{file} shows a commit's date");
    }
    let json = |file: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(out.join(file)).unwrap()).unwrap()
    };
    let review = json("api/v1/styles/avoidant.json")["review"].clone();
    assert_eq!(
        (review["first_published"].as_str(), review["last_reviewed"].as_str()),
        (Some(&*signed), Some(&*signed))
    );
    assert_eq!(review["last_edited"], serde_json::Value::Null, "{review}");
    assert!(review.get("last_updated").is_none(), "{review}");
    let manifest = json("manifest.json");
    assert_eq!(manifest["items"][0]["first_published"].as_str(), Some(&*signed));
    let page = fs::read_to_string(out.join("styles/avoidant/index.html")).unwrap();
    assert!(page.contains(&format!("<dt>First published</dt><dd><time datetime=\"{signed}\">")), "{page}");
    assert!(!page.contains("Last edited"), "{page}");
    let ld: serde_json::Value = serde_json::from_str(common::json_ld_blocks(&page)[0]).unwrap();
    assert_eq!((ld["datePublished"].as_str(), ld["lastReviewed"].as_str()), (Some(&*signed), Some(&*signed)));
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("/styles/avoidant/</loc><lastmod>{signed}</lastmod>")), "{sitemap}");
    let feed = fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains(&format!("<updated>{signed}T00:00:00Z</updated>")), "{feed}");
    // The preview may show git's date, labelled as what it is.
    let preview = site.root().join("preview-out");
    let output = securebase().args(["preview", "--root"]).arg(root).arg("--out").arg(&preview).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let page = fs::read_to_string(preview.join("styles/avoidant/index.html")).unwrap();
    assert!(page.contains("<dt>Last edited (git commit date)</dt>"), "{page}");
}

#[test]
fn the_output_folder_is_never_reached_through_a_committed_symlink() {
    let site = site();
    let root = site.root();
    let elsewhere = TempDir::new().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), root.join("public")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), root.join("deploy")).unwrap();
    commit_all(root, "Links");
    let build = |out: Option<&str>| {
        let mut cmd = securebase();
        cmd.args(["build", "--root"]).arg(root).arg("--trust-root").arg(common::trust_root(root));
        if let Some(out) = out {
            cmd.arg("--out").arg(root.join(out));
        }
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{out:?} was not refused");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let stderr = build(None);
    assert!(stderr.contains("it is a symlink; name the folder itself, not a link to it"), "{stderr}");
    let stderr = build(Some("deploy/site"));
    let through = format!(
        "it is reached through the symlink {} inside the project",
        root.canonicalize().unwrap().join("deploy").display()
    );
    assert!(stderr.contains(&through), "{stderr}");
    assert!(files_under(elsewhere.path()).is_empty(), "the build wrote where a commit pointed it");
}

#[test]
fn a_commit_with_a_date_git_can_hold_but_no_calendar_can_is_refused() {
    let site = third_signed();
    let root = site.root();
    // The third record lands in a commit dated after the year 9999.
    commit_dated(root, "Review: version 3", "@253402300800 +0000");
    let output = site.build();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("has a date securebase cannot read (10000-01-01)"), "{stderr}");
}

#[test]
fn a_second_ledger_for_a_people_file_cannot_bring_back_an_older_version() {
    const PEOPLE: &str = "content/people/riley-example.yaml";
    const PEOPLE_LEDGER: &str = "content/reviews/people/riley-example.yaml";
    let site = site();
    let root = site.root();
    // An editor approves credentials with the marker, then corrected ones.
    let honest = "meaning: Licensed Clinical Social Worker";
    site.replace(PEOPLE, honest, &format!("meaning: {MARKER} psychiatrist"));
    commit_all(root, "Riley's credentials");
    sign_ok(root, "approve", "people/riley-example", "fixture-team", "Credentials");
    commit_all(root, "Approve Riley's credentials");
    site.replace(PEOPLE, &format!("meaning: {MARKER} psychiatrist"), honest);
    commit_all(root, "Correct Riley's credentials");
    sign_ok(root, "approve", "people/riley-example", "fixture-team", "Corrected credentials");
    commit_all(root, "Approve the correction");
    let output = site.build();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // A new file beside the ledger, with its first two records only, and
    // the marker put back: `.yml` is read after `.yaml`.
    let records = entries(&site.read(PEOPLE_LEDGER));
    assert_eq!(records.len(), 3);
    site.write("content/reviews/people/riley-example.yml", &records[..2].concat());
    site.replace(PEOPLE, honest, &format!("meaning: {MARKER} psychiatrist"));
    commit_all(root, "Tidy the people ledgers");
    let output = site.build();
    refused(
        &site,
        output,
        "content/reviews/people/riley-example.yml:1:1:",
        "a second review ledger for people/riley-example",
    );
}

#[test]
fn unapproved_edits_to_people_site_and_theme_are_not_published() {
    let cases: [(&str, &str, &str, &str); 4] = [
        (
            "content/people/riley-example.yaml",
            "abbreviation: LCSW",
            "abbreviation: MD",
            "content/people/riley-example.yaml:1:1: warning[trust]: changed since the version an editor approved",
        ),
        (
            "site.toml",
            "[review]",
            "[[crisis]]\nname = \"FORGED-MARKER-5c1e\"\naction = \"Call 555-0100\"\n\n[review]",
            "site.toml:1:1: warning[trust]",
        ),
        (
            "themes/default/templates/base.html",
            "</body>",
            "FORGED-MARKER-5c1e</body>",
            "the theme (themes/default/, templates/, static/) has changes",
        ),
        ("templates/base.html", "", "", "the theme (themes/default/, templates/, static/) has changes"),
    ];
    for (file, from, to, warning) in cases {
        let site = site();
        if file == "templates/base.html" {
            let base = site.read("themes/default/templates/base.html").replace("</body>", &format!("{MARKER}</body>"));
            site.write(file, &base);
        } else if file.ends_with("riley-example.yaml") {
            site.replace(file, from, to);
            site.replace(
                file,
                "meaning: Licensed Clinical Social Worker",
                &format!("meaning: {MARKER} board-certified psychiatrist"),
            );
        } else {
            site.replace(file, from, to);
        }
        commit_all(site.root(), "An unapproved edit");
        let out = site.build();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{file}: {stderr}");
        assert!(stderr.contains(warning), "{file}: no warning {warning:?} in {stderr}");
        assert!(site.leaks().is_empty(), "{file}: the unapproved edit leaked into {:?}", site.leaks());
        let page = fs::read_to_string(site.out().join("styles/avoidant/index.html")).unwrap();
        assert!(page.contains("LCSW (Licensed Clinical Social Worker)"), "{file}");
        if file == "site.toml" {
            assert!(page.contains("988 Suicide &amp; Crisis Lifeline"), "the approved crisis line is gone");
        }
    }
}

#[test]
fn an_unapproved_readability_setting_does_not_change_what_production_measures() {
    let site = site();
    let api = |site: &Site| {
        let doc: serde_json::Value =
            serde_json::from_slice(&fs::read(site.out().join("api/v1/styles/avoidant.json")).unwrap()).unwrap();
        doc["readability"].clone()
    };
    let approved = api(&site);
    assert!(approved["prose"]["words"].as_u64().is_some_and(|w| w > 0), "{approved:#}");
    let text = site.read("site.toml");
    site.write("site.toml", &format!("{text}\n[readability]\nlevel = \"off\"\n"));
    commit_all(site.root(), "Turn the readability figures off, unapproved");
    let out = site.build();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("site.toml:1:1: warning[trust]"), "{stderr}");
    assert_eq!(api(&site), approved, "the approved site.toml still measures the approved text");
}

/// The UTC date `days` from today, as `date` prints it.
fn day(days: i64) -> String {
    let out = Command::new("date").args(["-u", "-d", &format!("{days} days"), "+%F"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_key_used_after_its_valid_before_date_is_refused() {
    let site = site();
    let (retired, late) = (day(1), day(5));
    let riley = "content/people/riley-example.yaml";
    let line = format!("  - {}", public_key(site.root(), "riley-example"));
    site.replace(
        riley,
        &line,
        &format!("  - key: {}\n    valid_before: {retired}", public_key(site.root(), "riley-example")),
    );
    commit_all(site.root(), "Retire Riley's key");
    sign_ok(site.root(), "approve", "people/riley-example", "fixture-team", "Riley's key retired");
    commit_all(site.root(), "Editor approves the retirement");
    let out = site.build();
    assert!(
        out.status.success(),
        "the approval made before the key retired stays valid: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    site.edit_style();
    // The command refuses a retired key...
    let epoch = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 5 * 86_400)
        .to_string();
    let out = securebase()
        .args(["review", "approve", "styles/avoidant", "--reviewer", "riley-example", "--summary", "Late", "--key"])
        .arg(key(site.root(), "riley-example"))
        .arg("--root")
        .arg(site.root())
        .env("SOURCE_DATE_EPOCH", &epoch)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("may sign only before {retired}, and the record is dated {late}")), "{stderr}");
    // ...and a record signed by hand with it fails the build.
    common::forge(
        site.root(),
        "styles/avoidant",
        "riley-example",
        &late,
        "Late",
        Some(&key(site.root(), "riley-example")),
    );
    let at = record_line(&site, LEDGER, 2, "signature");
    refused(&site, site.build(), &at, &format!("may sign only before {retired}, and the record is dated {late}"));
}

#[test]
fn a_trust_root_that_does_not_list_the_signer_publishes_nothing() {
    let site = site();
    let other = site.root().join(".keys/other-root");
    fs::write(&other, format!("fixture-team {}\n", public_key(site.root(), "writer"))).unwrap();
    let out = site.build_with(&other);
    let reason = format!(
        "it is signed with key {}, which is not one of fixture-team's keys in the trust root",
        fingerprint(site.root(), "fixture-team")
    );
    refused(&site, out, "content/reviews/people/fixture-team.yaml:", &reason);
    let missing = site.root().join(".keys/no-root");
    let out = securebase()
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--out")
        .arg(site.out())
        .env_remove("SECUREBASE_TRUST_ROOT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the production build needs the deployment's trust root"));
    let out = site.build_with(&missing);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the trust root"));
}

/// The statement of a record, built from the README's description alone.
fn statement_from_readme(subject: &str, path: &str, r: &serde_yaml::Value, previous: Option<&str>) -> String {
    let field = |k: &str| r[k].as_str().map(str::to_owned).unwrap_or_else(|| format!("{:?}", r[k]));
    let text = r["summary"]
        .as_str()
        .or(r["notes"].as_str())
        .unwrap()
        .trim()
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    let label = if r["decision"].as_str() == Some("approved") { "summary" } else { "notes" };
    format!(
        "securebase-review-v1\nref: {subject}\npath: {path}\nblob: {}\nsha256: {}\ndecision: {}\nreviewer: {}\ndate: {}\n{label}: {text}\nprevious: {}\n",
        field("blob"),
        field("sha256"),
        field("decision"),
        field("reviewer"),
        field("date"),
        previous.unwrap_or("none")
    )
}

#[test]
fn a_trust_root_key_retired_or_kept_to_other_namespaces_approves_nothing() {
    let site = site();
    let team = public_key(site.root(), "fixture-team");
    let file = site.root().join(".keys/restricted-root");
    for (options, reason) in [
        (r#"valid-before="20200101""#, "is not an approval: "),
        (
            r#"namespaces="git""#,
            "the trust root names no editor whose key may sign reviews (1 keyed to other namespaces)",
        ),
    ] {
        fs::write(&file, format!("fixture-team {options} {team}\n")).unwrap();
        let output = site.build_with(&file);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{options}: {stderr}");
        assert!(stderr.contains(reason), "{options}: {stderr}");
        assert!(site.leaks().is_empty());
    }
    // The same key without a restriction approves as before.
    fs::write(&file, format!("fixture-team valid-after=\"20200101\" {team}\n")).unwrap();
    let output = site.build_with(&file);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn review_diff_shows_control_characters_rather_than_obeying_them() {
    let site = site();
    // Text a terminal would hide: erase the line, then show a mild one.
    let hidden = format!("Take 50 pills at once. {MARKER}\x1b[2K\rTake one pill a day.");
    site.replace(STYLE, "Body text for the fixture.", &format!("Body text for the fixture. {hidden}"));
    commit_all(site.root(), "A writer's edit");
    let out = securebase().args(["review", "diff", "styles/avoidant", "--root"]).arg(site.root()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The carriage return also ends a line for the diff: both halves show.
    let shown = format!("+Body text for the fixture. Take 50 pills at once. {MARKER}\\u{{1b}}[2K\\u{{d}}+Take one");
    assert!(stdout.contains(&shown), "{stdout}");
    assert!(!stdout.contains('\x1b') && !stdout.contains('\r'), "{stdout:?}");
}

#[test]
fn a_ledger_behind_a_symlink_is_refused() {
    // A ledger moved to a hidden file behind a link: git would keep only
    // the link, so the records could later change with no history.
    let site = site();
    let root = site.root();
    fs::create_dir_all(root.join("content/.ledgers")).unwrap();
    fs::rename(root.join(LEDGER), root.join("content/.ledgers/avoidant.yaml")).unwrap();
    std::os::unix::fs::symlink("../../.ledgers/avoidant.yaml", root.join(LEDGER)).unwrap();
    commit_all(root, "Tidy the ledgers");
    refused(&site, site.build(), &format!("{LEDGER}:1:1:"), "a review ledger cannot be a symlink");
    // The same with the collection's folder of ledgers linked.
    let site = self::site();
    let root = site.root();
    fs::rename(root.join("content/reviews/styles"), root.join("content/.styles-ledgers")).unwrap();
    std::os::unix::fs::symlink("../.styles-ledgers", root.join("content/reviews/styles")).unwrap();
    commit_all(root, "Tidy the ledgers");
    refused(&site, site.build(), "content/reviews/styles:1:1:", "a review ledger cannot be a symlink");
}

#[test]
fn a_record_verifies_with_ssh_keygen_alone() {
    let site = three_versions();
    let records: Vec<serde_yaml::Value> = serde_yaml::from_str(&site.read(LEDGER)).unwrap();
    let allowed = site.root().join(".keys/allowed_signers");
    fs::write(&allowed, format!("riley-example {}\n", public_key(site.root(), "riley-example"))).unwrap();
    let mut previous: Option<String> = None;
    for (i, record) in records.iter().enumerate() {
        let statement = statement_from_readme("styles/avoidant", STYLE, record, previous.as_deref());
        let signature = site.root().join(format!(".keys/record-{i}.sig"));
        fs::write(&signature, record["signature"].as_str().unwrap()).unwrap();
        let verify = |message: &str| {
            use std::io::Write;
            let mut child = Command::new("ssh-keygen")
                .args(["-Y", "verify", "-n", "securebase-review", "-I", "riley-example", "-f"])
                .arg(&allowed)
                .arg("-s")
                .arg(&signature)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        };
        let out = verify(&statement);
        assert!(out.status.success(), "record {i}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "Good \"securebase-review\" signature for riley-example with ED25519 key ".to_owned()
                + &fingerprint(site.root(), "riley-example")
        );
        assert!(!verify(&statement.replace("decision: approved", "decision: changes_requested")).status.success());
        // The SHA-256 of the bytes git holds for the blob is the one signed.
        let bytes = Command::new("git")
            .arg("-C")
            .arg(site.root())
            .args(["cat-file", "blob", record["blob"].as_str().unwrap()])
            .output()
            .unwrap()
            .stdout;
        assert_eq!(Sha256::of(&bytes).as_str(), record["sha256"].as_str().unwrap());
        previous = Some(Sha256::of(statement.as_bytes()).as_str().to_owned());
        // `review statement` prints the same bytes and writes the same signature.
        let printed_signature = site.root().join(format!(".keys/printed-{i}.sig"));
        let printed = securebase()
            .args(["review", "statement", "styles/avoidant", &(i + 1).to_string(), "--signature"])
            .arg(&printed_signature)
            .arg("--root")
            .arg(site.root())
            .output()
            .unwrap();
        assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
        assert_eq!(String::from_utf8(printed.stdout).unwrap(), statement);
        assert_eq!(fs::read_to_string(&printed_signature).unwrap(), record["signature"].as_str().unwrap());
    }
    let beyond =
        securebase().args(["review", "statement", "styles/avoidant", "4", "--root"]).arg(site.root()).output().unwrap();
    assert_eq!(beyond.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&beyond.stderr)
            .contains("styles/avoidant's ledger has 3 record(s); number them from 1")
    );
}

#[test]
fn the_shipped_content_approves_nothing_so_production_refuses_with_guidance() {
    let scratch = TempDir::new().unwrap();
    let out = scratch.path().join("public");
    // The shipped content, in a repository of its own (the project's own
    // checkout may be a shallow clone).
    let root = scratch.path().join("project");
    for part in ["content", "themes"] {
        copy_dir(&common::project_root().join(part), &root.join(part));
    }
    fs::copy(common::project_root().join("site.toml"), root.join("site.toml")).unwrap();
    git(&root, &["init", "-q"]);
    commit_all(&root, "The shipped content");
    let build = |trust_root: Option<&Path>| {
        let mut cmd = securebase();
        cmd.args(["build", "--root"]).arg(&root).arg("--out").arg(&out).env_remove("SECUREBASE_TRUST_ROOT");
        if let Some(file) = trust_root {
            cmd.arg("--trust-root").arg(file);
        }
        cmd.output().unwrap()
    };
    let refused = build(None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("the production build needs the deployment's trust root")
    );
    let trust_root = scratch.path().join("trust-root");
    let key = fs::read_to_string(common::project_root().join("tests/fixtures/keys/riley-example.pub")).unwrap();
    fs::write(&trust_root, format!("some-editor {key}")).unwrap();
    let refused = build(Some(&trust_root));
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("nothing is approved, so the production edition would be empty"), "{stderr}");
    assert!(!out.exists(), "a refused build wrote {}", out.display());
}

/// `text` without SSH signatures and runs of 12 or more hexadecimal digits.
fn without_hashes(text: &str) -> String {
    let mut kept = String::new();
    let mut in_signature = false;
    for line in text.lines() {
        if line.contains("-----BEGIN SSH SIGNATURE-----") {
            in_signature = true;
        }
        if !in_signature {
            let mut run = String::new();
            for c in line.chars().chain(['\n']) {
                if c.is_ascii_hexdigit() {
                    run.push(c);
                    continue;
                }
                if run.len() < 12 {
                    kept.push_str(&run);
                }
                run.clear();
                kept.push(c);
            }
        }
        if line.contains("-----END SSH SIGNATURE-----") {
            in_signature = false;
        }
    }
    kept
}
