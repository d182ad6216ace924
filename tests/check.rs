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
/// An RSA public key (not accepted) and an Ed25519 key that is not Riley's.
const RSA_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDIlnCbiMoK0ybnFygy7pFP1+jyLxpgRMBvD5DbK2xY9yIjQGheCxbtvAiYh9GHD7+be0yk9rObcI9d94Gb7ec9MT4LkI60ok4rvsVLUQi9RAi8BR5oWio4jwYP+3D8pl6ZX1WhEXfVkrVlYhIVyM2dICL3dT5BopY8V9NmrT3LMw==";
const OTHER_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMXeHVOg0poC13bAzEErIy93el4QEuMeLs3l6tVFl6lz";
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
        case("a second file for one slug, in a folder", vec![Write("content/styles/more/avoidant.md", include_bytes!("fixtures/valid/content/styles/avoidant.md"))], "content/styles/more/avoidant.md", 1, Some(1), "misplaced", "an item file inside a folder of styles/ is not loaded"),
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
        case("missing site.toml", vec![Remove("site.toml")], "site.toml", 1, Some(1), "io", "there is no site.toml in "),
        case("byte-order mark keeps lines right", vec![Write(GUIDE, b"\xEF\xBB\xBF---\ntitle: A\nsummary: A fixture guide with a byte-order mark and a broken author.\nauthor: ghost\ncreated: 2026-01-15\nsources:\n  - authors: [\"B, J.\"]\n    year: 1969\n    title: T\n    publisher: P\n---\nBody\n")], GUIDE, 4, Some(9), "dangling-reference", "the author `ghost` does not exist"),
        case("CRLF keeps lines right", vec![Write(GUIDE, b"---\r\ntitle: A\r\nsummary: A fixture guide with CRLF line endings and a broken author.\r\nauthor: ghost\r\ncreated: 2026-01-15\r\nsources:\r\n  - authors: [\"B, J.\"]\r\n    year: 1969\r\n    title: T\r\n    publisher: P\r\n---\r\nBody\r\n")], GUIDE, 4, Some(9), "dangling-reference", "the author `ghost` does not exist"),
        case("yaml alias bomb", vec![Write(GUIDE, ALIAS_BOMB.as_bytes())], GUIDE, 2, Some(8), "syntax", "YAML anchors (&name) and aliases (*name) are not allowed"),
        case("yaml alias bomb of one long string", vec![Write(GUIDE, STRING_BOMB.as_bytes())], GUIDE, 3, Some(17), "syntax", "YAML anchors (&name) and aliases (*name) are not allowed"),
        case("deep nesting", vec![Write(GUIDE, DEEP_NESTING.as_bytes())], GUIDE, 2, Some(8), "invalid-value", "invalid type: sequence, expected a string"),
        case("control character", vec![Replace(GUIDE, "title: Overview", "title: Over\u{7}view")], GUIDE, 2, None, "syntax", "control characters are not allowed"),
        case("NUL byte", vec![Replace(GUIDE, "title: Overview", "title: Over\0view")], GUIDE, 2, None, "syntax", "control characters are not allowed"),
        case("right-to-left override in a slug", vec![Write("content/guides/over\u{202e}view.md", b"---\n---\n")], "content/guides/over\u{202e}view.md", 1, Some(1), "invalid-slug", "is not a valid id"),
        case("tab indentation", vec![Replace(GUIDE, "related:\n  - styles/avoidant", "related:\n\t- styles/avoidant")], GUIDE, 7, Some(1), "syntax", "found character that cannot start any token"),
        case("front matter that is a list", vec![Write(GUIDE, b"---\n- a\n- b\n---\nBody\n")], GUIDE, 2, Some(1), "invalid-value", "invalid type: sequence, expected struct"),
        case("empty front matter", vec![Write(GUIDE, b"---\n---\nBody\n")], GUIDE, 2, Some(1), "missing-field", "missing field `title`"),
        case("uppercase collection in a reference", vec![Replace(GUIDE, "  - therapies/cbt", "  - Therapies/cbt")], GUIDE, 8, None, "invalid-value", "`Therapies` is not a collection"),
        case("citation year out of range", vec![Replace(THERAPY, "    year: 2011", "    year: 3011")], THERAPY, 13, Some(12), "invalid-value", "has the year 3011"),
        case("unknown key in a citation", vec![Replace(THERAPY, "    journal: Journal", "    jornal: Journal")], THERAPY, 14, Some(5), "unknown-field", "unknown field `jornal`"),
        case("unknown key in dimensions", vec![Replace(STYLE, "  avoidance: high", "  avoidence: high")], STYLE, 14, Some(3), "unknown-field", "unknown field `avoidence`"),
        case("person email not an address", vec![Replace(REVIEWER, "email: riley@fixture.example", "email: riley")], REVIEWER, 7, Some(1), "invalid-value", "`riley` is not an email address"),
        case("person file that is a list", vec![Write("content/people/list.yaml", b"- name: A\n")], "content/people/list.yaml", 1, Some(1), "invalid-value", "invalid type: sequence"),
        case("organisation as clinical reviewer", vec![Replace("content/people/fixture-team.yaml", "roles: [author, editor]", "roles: [author, clinical_reviewer]")], "content/people/fixture-team.yaml", 3, None, "role", "an organisation cannot be a clinical reviewer"),
        case("a malformed signing key", vec![Replace(REVIEWER, "ssh-ed25519 AAAAC3", "ssh-ed25519 %%AAC3")], REVIEWER, 14, Some(5), "invalid-value", "is not an accepted OpenSSH public key: expected one line such as `ssh-ed25519 AAAA... comment`"),
        case("an RSA signing key", vec![Replace(REVIEWER, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENWdd/UcGGGKzDeFFR2ySthyX74ZnauKYNpzjl21F7P", RSA_KEY)], REVIEWER, 14, Some(5), "invalid-value", "ssh-rsa keys are not accepted; make an Ed25519 key with `ssh-keygen -t ed25519`"),
        case("a signing key mapping with an unknown key", vec![Replace(REVIEWER, "  - ssh-ed25519 ", "  - valid_until: 2030-01-01\n    key: ssh-ed25519 ")], REVIEWER, 14, Some(5), "unknown-field", "unknown field `valid_until`"),
        case("an unsigned ledger record", vec![Write(LEDGER, b"- blob: 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n  reviewer: riley-example\n  date: 2026-02-01\n  decision: approved\n  summary: First review (fictional).\n")], LEDGER, 1, Some(3), "signature", "record 1 (2026-02-01, riley-example) is not an approval: the record is not signed"),
        case("a ledger record edited after signing", vec![Replace(LEDGER, "First review (fictional).", "First review, edited.")], LEDGER, 7, Some(3), "signature", "record 1 (2026-02-01, riley-example) is not an approval: the signature does not match the record"),
        case("a ledger record signed by a key the reviewer does not list", vec![Replace(REVIEWER, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENWdd/UcGGGKzDeFFR2ySthyX74ZnauKYNpzjl21F7P", OTHER_KEY)], LEDGER, 7, Some(3), "signature", "which is not one of riley-example's keys in their people file"),
        case("an editorial ledger by a non-editor", vec![Write("content/reviews/site.yaml", b"- blob: 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n  reviewer: riley-example\n  date: 2026-02-01\n  decision: approved\n  summary: Site.\n")], "content/reviews/site.yaml", 2, Some(3), "role", "riley-example does not hold the editor role, so cannot approve site"),
        case("a people ledger for nobody", vec![Write("content/reviews/people/ghost.yaml", b"[]\n")], "content/reviews/people/ghost.yaml", 1, Some(1), "dangling-reference", "this ledger is for content/people/ghost.yaml, which does not exist"),
        case("ledger that is a mapping", vec![Write(LEDGER, b"blob: x\n")], LEDGER, 1, Some(1), "invalid-value", "invalid type: map, expected a sequence"),
        case("ledger with an unknown decision", vec![Replace(LEDGER, "decision: approved", "decision: maybe")], LEDGER, 4, Some(13), "invalid-value", "unknown variant `maybe`"),
        case("change request without notes", vec![Replace(LEDGER, "decision: approved\n  summary: First review (fictional).", "decision: changes_requested")], LEDGER, 4, Some(3), "missing-field", "a change request without notes"),
        case("ledger with an impossible date", vec![Replace(LEDGER, "date: 2026-02-01", "date: 2026-13-01")], LEDGER, 3, Some(9), "invalid-value", "date: failed to parse two digit integer as month: parameter 'month' is not in the required range of 1..=12"),
        case("site.toml syntax error", vec![Replace("site.toml", "title = \"Fixture Site\"", "title = \"Fixture Site")], "site.toml", 1, Some(22), "syntax", "invalid basic string, expected `\"`"),
        case("site.toml base_url not an address", vec![Replace("site.toml", "https://fixture.example", "fixture.example")], "site.toml", 3, Some(1), "invalid-value", "is not a web address"),
        case("site.toml javascript: crisis link", vec![Write("site.toml", b"title = \"T\"\ndescription = \"D\"\nbase_url = \"https://x.example\"\n[[crisis]]\nname = \"Help\"\naction = \"Call\"\nurl = \"javascript:alert(1)\"\n")], "site.toml", 7, Some(8), "invalid-value", "`javascript:alert(1)` is not an address a page may link to"),
        case("site.toml review interval of zero", vec![Replace("site.toml", "interval_days = 365", "interval_days = 0")], "site.toml", 6, Some(1), "invalid-value", "`interval_days = 0` is not a review interval"),
        // Found by fuzzing: lone CR line endings used to shift YAML line numbers.
        case("lone CR line endings keep lines right", vec![Write(GUIDE, b"---\rtitle: A\rsummary: A fixture guide with lone CR line endings and a broken author.\rauthor: ghost\rcreated: 2026-01-15\rsources:\r  - authors: [\"B, J.\"]\r    year: 1969\r    title: T\r    publisher: P\r---\rBody\r")], GUIDE, 4, Some(9), "dangling-reference", "the author `ghost` does not exist"),
        case("a line separator in YAML", vec![Replace(GUIDE, "title: Overview", "title: Over\u{2028}view")], GUIDE, 2, Some(12), "encoding", "LINE SEPARATOR"),
        case("a 50 MB file", vec![Write(GUIDE, FIFTY_MB)], GUIDE, 1, Some(1), "io", "over the limit"),
    ]
}

/// A YAML "billion laughs": nine levels of nine aliases.
const ALIAS_BOMB: &str = "---\ntitle: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nsummary: [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n---\n";

/// One 100 kB string, aliased twenty thousand times (2 GB if expanded).
static STRING_BOMB: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "---\ntitle: Overview\nkey_takeaways: [&a \"{}\", {}]\n---\n",
        "x".repeat(100_000),
        vec!["*a"; 20_000].join(",")
    )
});

/// Ten thousand nested sequences.
const DEEP_NESTING: &str = concat!("---\ntitle: ", include_str!("fixtures/deep-nesting.txt"), "\n---\n");

/// A file just over 50 MB, built once.
static FIFTY_MB: &[u8] = &[b'a'; 50 * 1024 * 1024 + 1];

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

impl Case {
    /// Whether `diagnostics` (as JSON) hold this case's error, with a hint.
    fn found_in(&self, diagnostics: &[Value]) -> bool {
        diagnostics.iter().any(|d| {
            d["severity"] == "error"
                && d["file"] == self.file
                && d["line"] == self.line
                && self.column.is_none_or(|c| d["column"] == c)
                && d["code"] == self.code
                && d["message"].as_str().unwrap().contains(self.message)
                && d["hint"].as_str().is_some_and(|h| !h.is_empty())
        })
    }
}

/// Runs every case through `run`, which checks a broken copy of the
/// fixture and returns whether it failed and its diagnostics as JSON.
fn every_case(run: impl Fn(&Path) -> (bool, Vec<Value>)) {
    let cases = cases();
    assert_eq!(cases.len(), 75, "a case was added or lost: update the count");
    let mut failures = Vec::new();
    for case in &cases {
        let site = copy_fixture("valid");
        for edit in &case.edits {
            apply(site.path(), edit);
        }
        let (failed, diagnostics) = run(site.path());
        if !failed || !case.found_in(&diagnostics) {
            failures.push(format!("{}: failed {failed}, diagnostics {diagnostics:#?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn every_bad_input_gets_its_located_error() {
    every_case(|root| {
        let (code, report) = check_json(root);
        (code == 1, report["diagnostics"].as_array().unwrap().clone())
    });
}

/// The same table through the library's API, in this process: what
/// `check` prints is what the library reports.
#[test]
fn every_bad_input_gets_its_located_error_from_the_library() {
    every_case(|root| match securebase::Library::check(root) {
        Ok(_) => (false, Vec::new()),
        Err(diagnostics) => (true, diagnostics.iter().map(|d| serde_json::to_value(d).unwrap()).collect()),
    });
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
fn an_empty_body_draws_a_warning_at_its_line() {
    let site = copy_fixture("valid");
    let text = fs::read_to_string(site.path().join(GUIDE)).unwrap();
    let end = text.find("---\n## Start").unwrap() + 4;
    fs::write(site.path().join(GUIDE), format!("{}  \n\n", &text[..end])).unwrap();
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    let line = text[..end].lines().count() as u64 + 1;
    let found = report["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["severity"] == "warning"
            && d["file"] == GUIDE
            && d["line"] == line
            && d["code"] == "missing-field"
            && d["message"] == "the body is empty"
    });
    assert!(found, "{report:#}");
}

/// `Library::check` lets each body go as soon as it is read; what it
/// reports must still be exactly what a full load reports, for a clean
/// site, one with warnings, and every broken case.
#[test]
fn check_reports_exactly_what_a_full_load_reports() {
    let mut sites = vec![("valid", copy_fixture("valid"))];
    let warned = copy_fixture("valid");
    apply(warned.path(), &Edit::Replace(STRATEGY, "helps_with:\n  - styles/avoidant\n", ""));
    apply(
        warned.path(),
        &Edit::Replace(GUIDE, "## Start here\n\nRead about [avoidant attachment](/styles/avoidant/) first.", ""),
    );
    apply(warned.path(), &Edit::Write("content/notes.txt", b"scratch"));
    sites.push(("warnings", warned));
    for case in cases() {
        let site = copy_fixture("valid");
        for edit in &case.edits {
            apply(site.path(), edit);
        }
        sites.push((case.name, site));
    }
    let mut warnings_seen = 0;
    for (name, site) in &sites {
        match (securebase::Library::load(site.path()), securebase::Library::check(site.path())) {
            (Ok(library), Ok(checked)) => {
                assert_eq!(&checked.warnings, library.warnings(), "{name}");
                for collection in securebase::Collection::ALL {
                    assert_eq!(checked.count(collection), library.count(collection), "{name}: {collection}");
                }
                assert_eq!(checked.people, library.people().len(), "{name}");
                assert_eq!(checked.ledgers, library.ledgers().len(), "{name}");
                warnings_seen += checked.warnings.warning_count();
            }
            (Err(loaded), Err(checked)) => assert_eq!(checked, loaded, "{name}"),
            (loaded, checked) => panic!("{name}: load gave {loaded:?}, check gave {checked:?}"),
        }
    }
    assert!(warnings_seen >= 3, "the warnings site must warn about its body, helper and stray file");
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

/// Runs `preview` under a 4 GB address-space limit; returns the exit code,
/// stderr and the time it took.
fn bounded_preview(root: &Path, out: &Path) -> (i32, String, std::time::Duration) {
    let started = std::time::Instant::now();
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -v 4000000; exec \"$0\" preview --root \"$1\" --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_securebase"))
        .arg(root)
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned(), started.elapsed())
}

fn snapshot(out: &Path) -> Vec<(String, Vec<u8>)> {
    common::files_under(out).into_iter().map(|f| (f.clone(), fs::read(out.join(&f)).unwrap())).collect()
}

/// Bad templates and themes, which only a build meets.
fn template_cases() -> Vec<(&'static str, Vec<Edit>, &'static str)> {
    use Edit::*;
    vec![
        (
            "template syntax error",
            vec![Write(
                "templates/404.html",
                b"{% extends \"base.html\" %}\n{% block content %}{{ x \n{% endblock content %}\n",
            )],
            "templates/404.html:3:",
        ),
        (
            "template that includes itself",
            vec![Write("templates/review.html", b"{% include \"review.html\" %}\n")],
            "include",
        ),
        (
            "template with an unknown variable",
            vec![Write(
                "templates/404.html",
                b"{% extends \"base.html\" %}\n{% block content %}{{ nothing.here }}{% endblock content %}\n",
            )],
            "templates/404.html:2:",
        ),
        (
            "template extending a missing parent",
            vec![Write("templates/404.html", b"{% extends \"nowhere.html\" %}\n")],
            "nowhere.html",
        ),
        (
            "theme name with ..",
            vec![Replace("site.toml", "base_url", "theme = \"../../etc\"\nbase_url")],
            "theme `../../etc`",
        ),
        (
            "theme that does not exist",
            vec![Replace("site.toml", "base_url", "theme = \"missing\"\nbase_url")],
            "theme `missing`",
        ),
        ("a 100,000-line body", vec![Write(GUIDE, HUGE_BODY.as_bytes())], ""),
    ]
}

/// A valid item with a 100,000-line body: accepted, in bounded time.
static HUGE_BODY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let head = "---\ntitle: Overview\nsummary: A fixture guide that links the other fixture pages together for the tests.\nauthor: fixture-team\ncreated: 2026-01-15\nsources:\n  - authors: [\"Bowlby, J.\"]\n    year: 1969\n    title: \"Attachment and Loss, Vol. 1: Attachment\"\n    publisher: Basic Books\n---\n";
    format!("{head}{}", "A line of body text.\n".repeat(100_000))
});

#[test]
fn every_bad_input_leaves_the_previous_site_in_bounded_time_and_memory() {
    let mut tried = 0;
    // A file name is shown as a terminal may show it: a right-to-left
    // override in it is written out, not obeyed.
    let content_cases =
        cases().into_iter().map(|c| (c.name, c.edits, format!("{}:{}:", securebase::visible(c.file), c.line)));
    let build_cases = template_cases().into_iter().map(|(name, edits, expect)| (name, edits, expect.to_owned()));
    for (name, edits, expect) in content_cases.chain(build_cases) {
        let site = common::copy_fixture_with_theme("valid");
        let out = site.path().join("public");
        let (code, stderr, _) = bounded_preview(site.path(), &out);
        assert_eq!(code, 0, "{name}: the fixture must build first: {stderr}");
        let before = snapshot(&out);
        for edit in &edits {
            apply(site.path(), edit);
        }
        let (code, stderr, took) = bounded_preview(site.path(), &out);
        assert!(took.as_secs() < 20, "{name}: took {took:?}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        if expect.is_empty() {
            assert_eq!(code, 0, "{name}: {stderr}");
        } else {
            assert_eq!(code, 1, "{name}: {stderr}");
            assert!(stderr.contains(&expect), "{name}: expected {expect:?} in {stderr}");
            assert!(snapshot(&out) == before, "{name}: the previous output changed");
        }
        tried += 1;
    }
    assert!(tried >= 60, "only {tried} cases");
}
