//! End-to-end tests of `securebase check` on fixture sites: one valid site
//! and one broken copy of it per kind of bad input.

mod common;

use std::fs;
use std::path::Path;

use common::{copy_fixture, project_root, securebase};
use serde_json::Value;

/// One change to a copy of the valid fixture.
enum Edit {
    /// Write the file with these bytes.
    Write(&'static str, &'static [u8]),
    /// Replace the first occurrence of a string in a file.
    Replace(&'static str, &'static str, &'static str),
    /// Remove a file.
    Remove(&'static str),
}

/// A broken site and the error it must produce.
struct Case {
    name: &'static str,
    edits: Vec<Edit>,
    file: &'static str,
    line: u64,
    column: Option<u64>,
    code: &'static str,
    message: &'static str,
}

fn apply(root: &Path, edit: &Edit) {
    match edit {
        Edit::Write(path, bytes) => {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        Edit::Replace(path, from, to) => {
            let path = root.join(path);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{} does not contain {from:?}", path.display());
            fs::write(path, text.replacen(from, to, 1)).unwrap();
        }
        Edit::Remove(path) => fs::remove_file(root.join(path)).unwrap(),
    }
}

/// Runs `check --format json` and returns the exit code and the report.
fn check_json(root: &Path) -> (i32, Value) {
    let output = securebase().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("check printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().expect("exit code"), report)
}

const STYLE: &str = "content/styles/avoidant.md";
const STRATEGY: &str = "content/strategies/mindfulness.md";
const THERAPY: &str = "content/therapies/cbt.md";
const GUIDE: &str = "content/guides/overview.md";
const REVIEWER: &str = "content/people/riley-example.yaml";
const LEDGER: &str = "content/reviews/styles/avoidant.yaml";

fn cases() -> Vec<Case> {
    use Edit::*;
    let case = |name, edits, file, line, column, code, message| Case { name, edits, file, line, column, code, message };
    vec![
        case("unterminated front matter", vec![Replace(GUIDE, "---\n## Start", "## Start")], GUIDE, 1, Some(1), "front-matter", "never closed"),
        case("no front matter", vec![Write(GUIDE, b"# Just a heading\n")], GUIDE, 1, Some(1), "front-matter", "does not start with front matter"),
        case("yaml syntax error", vec![Replace(GUIDE, "title: Overview", "title: \"Overview")], GUIDE, 10, None, "syntax", "did not find expected key"),
        case("mapping value in a plain scalar", vec![Replace(GUIDE, "title: Overview", "title: Overview: again")], GUIDE, 2, Some(16), "syntax", "mapping values are not allowed"),
        case("wrong type", vec![Replace(STYLE, "signs:\n  - Keeps busy when feelings come up", "signs: 5")], STYLE, 15, Some(8), "invalid-value", "invalid type: integer `5`, expected a sequence"),
        case("unknown key", vec![Replace(STRATEGY, "steps:", "stpes:")], STRATEGY, 8, Some(1), "unknown-field", "unknown field `stpes`, expected one of"),
        case("missing required field", vec![Replace(THERAPY, "summary: A fixture page about changing unhelpful thoughts, written for tests only.\n", "")], THERAPY, 2, Some(1), "missing-field", "missing field `summary`"),
        case("duplicate id", vec![Write("content/styles/more/avoidant.md", include_bytes!("fixtures/valid/content/styles/avoidant.md"))], "content/styles/more/avoidant.md", 1, Some(1), "duplicate-id", "the id `avoidant` is already used in styles"),
        case("slug with capitals", vec![Write("content/guides/Overview-Two.md", b"---\n---\n")], "content/guides/Overview-Two.md", 1, Some(1), "invalid-slug", "`Overview-Two` is not a valid id"),
        case("slug with a dot", vec![Write("content/guides/over.view.md", b"---\n---\n")], "content/guides/over.view.md", 1, Some(1), "invalid-slug", "`over.view` is not a valid id"),
        case("slug with a space", vec![Write("content/guides/over view.md", b"---\n---\n")], "content/guides/over view.md", 1, Some(1), "invalid-slug", "`over view` is not a valid id"),
        case("reference with ..", vec![Replace(GUIDE, "  - therapies/cbt", "  - therapies/..")], GUIDE, 8, Some(15), "invalid-value", "`..` is not a valid id"),
        case("dangling reference", vec![Replace(GUIDE, "  - therapies/cbt", "  - therapies/cbd")], GUIDE, 8, Some(5), "dangling-reference", "refers to therapies/cbd, which does not exist"),
        case("reference into the wrong collection", vec![Replace(STYLE, "  - strategies/mindfulness", "  - therapies/cbt")], STYLE, 20, Some(5), "wrong-collection", "`strategies` must refer to strategies, but `therapies/cbt` is in therapies"),
        case("author who does not exist", vec![Replace(THERAPY, "author: fixture-team", "author: nobody")], THERAPY, 4, Some(9), "dangling-reference", "the author `nobody` does not exist"),
        case("person with no role", vec![Replace(REVIEWER, "roles:\n  - clinical_reviewer\n", "roles: []\n")], REVIEWER, 5, Some(1), "role", "riley-example has no role"),
        case("ledger for a missing item", vec![Write("content/reviews/guides/gone.yaml", include_bytes!("fixtures/valid/content/reviews/styles/avoidant.yaml"))], "content/reviews/guides/gone.yaml", 1, Some(1), "dangling-reference", "this ledger is for guides/gone, which does not exist"),
        case("ledger by a non-reviewer", vec![Replace(LEDGER, "reviewer: riley-example", "reviewer: fixture-team")], LEDGER, 2, Some(3), "role", "fixture-team does not hold the clinical_reviewer role"),
        case("ledger by an unknown person", vec![Replace(LEDGER, "reviewer: riley-example", "reviewer: sam")], LEDGER, 2, Some(3), "dangling-reference", "the reviewer `sam` does not exist"),
        case("ledger blob not 40 hex digits", vec![Replace(LEDGER, "3b18e512dba79e4c8300dd08aeb37f8e728b8dad", "3b18e512")], LEDGER, 1, Some(9), "invalid-value", "`3b18e512` is not a git blob id"),
        case("ledger out of order", vec![Write(LEDGER, b"- blob: 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n  reviewer: riley-example\n  date: 2026-02-01\n  decision: approved\n  summary: One.\n- blob: 4b18e512dba79e4c8300dd08aeb37f8e728b8dad\n  reviewer: riley-example\n  date: 2026-01-01\n  decision: approved\n  summary: Two.\n")], LEDGER, 8, Some(3), "ledger", "earlier than the record before it"),
        case("approval without summary", vec![Replace(LEDGER, "  summary: First review (fictional).\n", "")], LEDGER, 4, Some(3), "missing-field", "an approval without a summary"),
        case("impossible date", vec![Replace(GUIDE, "created: 2026-01-15", "created: 2026-02-30")], GUIDE, 5, Some(10), "invalid-value", "created: "),
        case("empty file", vec![Write(STRATEGY, b"")], STRATEGY, 1, Some(1), "empty-file", "the file is empty"),
        case("empty person file", vec![Write("content/people/blank.yaml", b"\n")], "content/people/blank.yaml", 1, Some(1), "empty-file", "the file is empty"),
        case("not UTF-8", vec![Write(GUIDE, b"---\ntitle: Caf\xe9\n---\n")], GUIDE, 2, Some(11), "encoding", "not valid UTF-8"),
        case("duplicate yaml key", vec![Replace(GUIDE, "title: Overview", "title: Overview\ntitle: Again")], GUIDE, 3, None, "syntax", "duplicate"),
        case("unknown enum value", vec![Replace(STYLE, "security: insecure", "security: maybe")], STYLE, 11, Some(11), "invalid-value", "unknown variant `maybe`"),
        case("security contradicts dimensions", vec![Replace(STYLE, "security: insecure", "security: secure")], STYLE, 11, Some(1), "inconsistent", "contradicts the dimensions"),
        case("summary too long", vec![Replace(THERAPY, "summary: A fixture page", "summary: A fixture page that goes on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on")], THERAPY, 3, Some(1), "invalid-value", "over the limit of 300"),
        case("no sources", vec![Replace(THERAPY, "sources:\n  - authors: [\"Levy, K. N.\"]\n    year: 2011\n    title: Attachment style\n    journal: Journal of Clinical Psychology\n", "")], THERAPY, 2, Some(1), "missing-field", "cites no sources"),
        case("citation with journal and publisher", vec![Replace(THERAPY, "    journal: Journal of Clinical Psychology", "    journal: Journal of Clinical Psychology\n    publisher: Wiley")], THERAPY, 13, Some(12), "invalid-value", "exactly one of `journal` or `publisher`"),
        case("unknown person key", vec![Replace(REVIEWER, "email:", "emial:")], REVIEWER, 7, Some(1), "unknown-field", "unknown field `emial`"),
        case("clinical reviewer without credentials", vec![Replace(REVIEWER, "credentials:\n  - abbreviation: LCSW\n    meaning: Licensed Clinical Social Worker\n", "")], REVIEWER, 3, Some(5), "role", "clinical reviewer with no credentials"),
        case("author approves own item", vec![Replace(STYLE, "author: fixture-team", "author: riley-example")], LEDGER, 2, Some(3), "role", "Riley Example (fictional) wrote styles/avoidant; a different clinical reviewer must approve it"),
        case("approval after the licence expired", vec![Replace(REVIEWER, "expires: 2099-12-31", "expires: 2026-01-31")], LEDGER, 2, Some(3), "role", "licence expired on 2026-01-31"),
        case("unknown key in site.toml", vec![Replace("site.toml", "base_url", "base_uri")], "site.toml", 3, Some(1), "unknown-field", "unknown field `base_uri`"),
        case("missing site.toml", vec![Remove("site.toml")], "site.toml", 1, Some(1), "io", "there is no site.toml"),
        case("byte-order mark keeps lines right", vec![Write(GUIDE, b"\xEF\xBB\xBF---\ntitle: A\nsummary: A fixture guide with a byte-order mark and a broken author.\nauthor: ghost\ncreated: 2026-01-15\nsources:\n  - authors: [\"B, J.\"]\n    year: 1969\n    title: T\n    publisher: P\n---\nBody\n")], GUIDE, 4, Some(9), "dangling-reference", "the author `ghost` does not exist"),
        case("CRLF keeps lines right", vec![Write(GUIDE, b"---\r\ntitle: A\r\nsummary: A fixture guide with CRLF line endings and a broken author.\r\nauthor: ghost\r\ncreated: 2026-01-15\r\nsources:\r\n  - authors: [\"B, J.\"]\r\n    year: 1969\r\n    title: T\r\n    publisher: P\r\n---\r\nBody\r\n")], GUIDE, 4, Some(9), "dangling-reference", "the author `ghost` does not exist"),
    ]
}

#[test]
fn the_valid_fixture_checks_clean() {
    let site = copy_fixture("valid");
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["counts"]["styles"], 1);
    assert_eq!(report["counts"]["people"], 2);
    assert_eq!(report["counts"]["reviews"], 1);
}

#[test]
fn every_bad_input_gets_its_located_error() {
    let cases = cases();
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for case in &cases {
        let site = copy_fixture("valid");
        for edit in &case.edits {
            apply(site.path(), edit);
        }
        let (code, report) = check_json(site.path());
        let found = report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["severity"] == "error"
                && d["file"] == case.file
                && d["line"] == case.line
                && case.column.is_none_or(|c| d["column"] == c)
                && d["code"] == case.code
                && d["message"].as_str().unwrap().contains(case.message)
                && d["hint"].as_str().is_some_and(|h| !h.is_empty())
        });
        if code != 1 || !found {
            failures.push(format!("{}: exit {code}, diagnostics {:#}", case.name, report["diagnostics"]));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn every_error_is_reported_at_once() {
    let site = copy_fixture("valid");
    apply(site.path(), &Edit::Replace(GUIDE, "therapies/cbt", "therapies/nope"));
    apply(site.path(), &Edit::Replace(STRATEGY, "steps:", "stpes:"));
    apply(site.path(), &Edit::Replace(REVIEWER, "email: riley@fixture.example", "email: not-an-address"));
    let (code, report) = check_json(site.path());
    assert_eq!(code, 1);
    let files: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    for file in [GUIDE, STRATEGY, REVIEWER] {
        assert!(files.contains(&file), "{file} missing from {files:?}");
    }
    assert_eq!(report["errors"], 3, "{report:#}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_not_a_hang() {
    let site = copy_fixture("valid");
    std::os::unix::fs::symlink("..", site.path().join("content/guides/loop")).unwrap();
    let (code, report) = check_json(site.path());
    assert_eq!(code, 1);
    let diag =
        report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "symlink").expect("a symlink error");
    assert_eq!(diag["file"], "content/guides/loop");
    assert!(diag["message"].as_str().unwrap().contains("loop"), "{diag}");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_content_is_refused() {
    let site = copy_fixture("valid");
    let outside = tempfile::TempDir::new().unwrap();
    fs::write(outside.path().join("secret.md"), "---\n---\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), site.path().join("content/guides/secret.md")).unwrap();
    let (code, report) = check_json(site.path());
    assert_eq!(code, 1);
    assert!(
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "symlink" && d["file"] == "content/guides/secret.md"),
        "{report:#}"
    );
}

#[test]
fn human_output_names_file_line_column_and_hint() {
    let site = copy_fixture("valid");
    apply(site.path(), &Edit::Replace(GUIDE, "therapies/cbt", "therapies/cbd"));
    let output = securebase().args(["check", "--root"]).arg(site.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("content/guides/overview.md:8:5: error[dangling-reference]: `related` refers to therapies/cbd"),
        "{stdout}"
    );
    assert!(stdout.contains("hint: did you mean therapies/cbt?"), "{stdout}");
    assert!(stdout.contains("check failed: 1 error, 0 warnings"), "{stdout}");
}

#[test]
fn warnings_do_not_fail_the_check() {
    let site = copy_fixture("valid");
    apply(site.path(), &Edit::Replace(STRATEGY, "helps_with:\n  - styles/avoidant\n", ""));
    apply(site.path(), &Edit::Write("content/notes.txt", b"scratch"));
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["errors"], 0);
    let codes: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"inconsistent") && codes.contains(&"ignored-file"), "{codes:?}");
}

#[test]
fn usage_errors_exit_with_two() {
    let output = securebase().args(["check", "--format", "yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = securebase().arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_shipped_content_checks_clean() {
    let (code, report) = check_json(&project_root());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["warnings"], 0, "{report:#}");
    let counts = &report["counts"];
    assert_eq!(
        (counts["styles"].as_u64(), counts["strategies"].as_u64(), counts["therapies"].as_u64()),
        (Some(4), Some(5), Some(5))
    );
    assert!(counts["guides"].as_u64().unwrap() >= 3);
    assert_eq!(counts["reviews"], 0, "the shipped content holds no approvals");
}
