//! End-to-end tests of the readability pass: `check`'s located diagnostics
//! over each `[readability]` limit, the level, the limits themselves, and
//! the figures in `check --format json`, `review status --format json`, the
//! JSON API and the preview dashboard.

mod common;

use std::fs;
use std::path::Path;

use common::{copy_fixture, copy_fixture_with_theme, files_under, project_root, securebase};
use serde_json::Value;

const STYLE: &str = "content/styles/avoidant.md";
const THERAPY: &str = "content/therapies/cbt.md";
const GUIDE: &str = "content/guides/overview.md";

/// Replaces the first `from` in the file at `path` under `root`.
fn replace(root: &Path, path: &str, from: &str, to: &str) {
    let path = root.join(path);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{} does not contain {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Runs `check --format json` and returns the exit code and the report.
fn check_json(root: &Path) -> (i32, Value) {
    let output = securebase().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("check printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().expect("exit code"), report)
}

/// Puts one text of a copy of the valid fixture over each readability
/// limit: a summary's grade, a Markdown field's grade (the prose), and a
/// sentence's length in a body.
fn over_readability_limits(root: &Path) {
    replace(
        root,
        THERAPY,
        "summary: A fixture page about changing unhelpful thoughts, written for tests only.",
        "summary: A fixture page about cognitive restructuring of maladaptive automatic interpretations.",
    );
    replace(
        root,
        STYLE,
        "origins: Distant care, in this fictional fixture.",
        "origins: Intergenerational transmission of insecure attachment representations.",
    );
    replace(
        root,
        GUIDE,
        "Read about [avoidant attachment](/styles/avoidant/) first.",
        "Read about [avoidant attachment](/styles/avoidant/) first. When you read a page like this one, it can help to go slowly, to stop when you need to, and to come back later to the parts that felt hard to read.",
    );
}
/// The readability diagnostics of a report, as (severity, file, line,
/// column, message), with a hint each.
fn readability_diagnostics(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let readability = diagnostics.iter().filter(|d| d["code"] == "readability");
    readability
        .map(|d| {
            assert!(d["hint"].as_str().is_some_and(|h| h.contains("split")), "{d}");
            let text = |key: &str| d[key].as_str().unwrap().to_owned();
            (
                text("severity"),
                text("file"),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                text("message"),
            )
        })
        .collect()
}

#[test]
fn a_text_over_each_readability_limit_gets_a_located_warning() {
    let site = copy_fixture("valid");
    over_readability_limits(site.path());
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0, "warnings do not fail the check: {report:#}");
    let warning = |file: &str, line, column, message: &str| {
        ("warning".to_owned(), file.to_owned(), line, column, message.to_owned())
    };
    assert_eq!(
        readability_diagnostics(&report),
        [
            warning(GUIDE, 17, 60, "a sentence of the prose has 33 words, over the limit of 30; it is at line 17"),
            warning(
                STYLE,
                17,
                10,
                "the prose reads at grade 11.1, over the limit of 7; its hardest sentence (6 words) is at line 17"
            ),
            warning(
                THERAPY,
                3,
                10,
                "the summary reads at grade 20.2, over the limit of 8; its hardest sentence (10 words) is at line 3"
            ),
        ]
    );
    // The valid fixture itself is within the limits.
    let (_, clean) = check_json(copy_fixture("valid").path());
    assert_eq!(readability_diagnostics(&clean), []);
}

#[test]
fn readability_limits_and_level_come_from_site_toml() {
    let site = copy_fixture("valid");
    over_readability_limits(site.path());
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, format!("{text}\n[readability]\nsummary_grade = 25\nsentence_words = 40\nlevel = \"error\"\n"))
        .unwrap();
    let (code, report) = check_json(site.path());
    assert_eq!(code, 1, "with level = \"error\" a text over a limit fails the check: {report:#}");
    assert_eq!(
        readability_diagnostics(&report),
        [(
            "error".to_owned(),
            STYLE.to_owned(),
            17,
            10,
            "the prose reads at grade 11.1, over the limit of 7; its hardest sentence (6 words) is at line 17"
                .to_owned()
        )]
    );
    let output = securebase().args(["check", "--root"]).arg(site.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("content/styles/avoidant.md:17:10: error[readability]: the prose reads at grade 11.1"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn readability_limits_that_are_not_limits_are_errors() {
    for (setting, line, message) in [
        ("summary_grade = -1", 2, "`summary_grade = -1` is not a grade"),
        ("prose_grade = nan", 2, "`prose_grade = NaN` is not a grade"),
        ("sentence_words = 0", 2, "`sentence_words = 0` allows no sentence"),
        ("level = \"loud\"", 2, "unknown variant `loud`"),
        ("grade = 8", 2, "unknown field `grade`"),
    ] {
        let site = copy_fixture("valid");
        let toml = site.path().join("site.toml");
        let text = fs::read_to_string(&toml).unwrap();
        let lines = text.lines().count() as u64;
        fs::write(&toml, format!("{text}[readability]\n{setting}\n")).unwrap();
        let (code, report) = check_json(site.path());
        assert_eq!(code, 1, "{setting}: {report:#}");
        let found = report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["file"] == "site.toml" && d["line"] == lines + line && d["message"].as_str().unwrap().contains(message)
        });
        assert!(found, "{setting}: {report:#}");
    }
}

#[test]
fn check_json_gives_each_items_readability_figures() {
    let site = copy_fixture("valid");
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0);
    let items = report["readability"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(names, ["styles/avoidant", "strategies/mindfulness", "therapies/cbt", "guides/overview"]);
    let library = securebase::Library::load(site.path()).unwrap();
    for (entry, item) in items.iter().zip(library.all_items()) {
        let meta = item.meta();
        let figures = meta.readability.expect("measured by default");
        assert_eq!(entry["file"], meta.path.to_str().unwrap());
        assert_eq!(entry["summary"], serde_json::to_value(figures.summary).unwrap());
        assert_eq!(entry["prose"], serde_json::to_value(figures.prose).unwrap());
    }
    // The overview guide: its heading and one sentence of five words.
    let overview = &items[3]["prose"];
    assert_eq!((overview["sentences"].as_u64(), overview["words"].as_u64()), (Some(2), Some(7)));
    assert_eq!(overview["longest_sentence"]["line"], 17);
    assert_eq!(overview["longest_sentence"]["column"], 1);
    assert_eq!(overview["grade"], 6.0);
}

/// Passes once the shipped content is rewritten to the limits (the second
/// part of the readability work).
#[test]
fn the_shipped_content_has_no_readability_diagnostics() {
    let (_, report) = check_json(&project_root());
    let found = readability_diagnostics(&report);
    assert!(found.is_empty(), "{} readability diagnostics: {found:#?}", found.len());
}

#[test]
fn review_status_json_gives_each_items_readability() {
    let site = copy_fixture("valid");
    over_readability_limits(site.path());
    let output =
        securebase().args(["review", "status", "--format", "json", "--root"]).arg(site.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    let therapy = status["items"].as_array().unwrap().iter().find(|i| i["item"] == "therapies/cbt").unwrap();
    let summary = &therapy["readability"]["summary"];
    assert_eq!(summary["grade"], 20.2);
    assert_eq!((summary["sentences"].as_u64(), summary["words"].as_u64()), (Some(1), Some(10)));
    assert_eq!(
        (summary["longest_sentence"]["line"].as_u64(), summary["longest_sentence"]["column"].as_u64()),
        (Some(3), Some(10))
    );
    assert!(therapy["readability"]["prose"]["grade"].is_number());
}

#[test]
fn the_api_and_the_dashboard_show_the_figures() {
    let site = copy_fixture_with_theme("valid");
    over_readability_limits(site.path());
    let out = site.path().join("public");
    let output = securebase().args(["preview", "--root"]).arg(site.path()).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let doc: Value = serde_json::from_slice(&fs::read(out.join("api/v1/guides/overview.json")).unwrap()).unwrap();
    let prose = &doc["readability"]["prose"];
    assert_eq!(prose["longest_sentence"]["words"], 33);
    assert_eq!(
        (prose["longest_sentence"]["line"].as_u64(), prose["longest_sentence"]["column"].as_u64()),
        (Some(17), Some(60))
    );
    assert_eq!(doc["readability"]["summary"]["words"], 13);
    let dashboard = fs::read_to_string(out.join("review/index.html")).unwrap();
    assert!(dashboard.contains("<th scope=\"col\">Readability</th>"), "{dashboard}");
    assert!(
        dashboard.contains("Summary: grade 20.2 <strong class=\"over-limit\">over the limit (8.0)</strong>"),
        "{dashboard}"
    );
    assert!(
        dashboard
            .contains("Longest sentence: 33 words, line 17 <strong class=\"over-limit\">over the limit (30)</strong>"),
        "{dashboard}"
    );
}

#[test]
fn level_off_measures_nothing_and_shows_no_figures() {
    let site = copy_fixture_with_theme("valid");
    over_readability_limits(site.path());
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, format!("{text}\n[readability]\nlevel = \"off\"\n")).unwrap();
    let (code, report) = check_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(readability_diagnostics(&report), []);
    assert_eq!(report["readability"], serde_json::json!([]));
    let library = securebase::Library::load(site.path()).unwrap();
    assert_eq!(library.all_items().filter(|i| i.meta().readability.is_some()).count(), 0);
    let output =
        securebase().args(["review", "status", "--format", "json", "--root"]).arg(site.path()).output().unwrap();
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    let nulls = status["items"].as_array().unwrap().iter().filter(|i| i["readability"].is_null()).count();
    assert_eq!(nulls, 4, "{status:#}");
    let out = site.path().join("public");
    let output = securebase().args(["preview", "--root"]).arg(site.path()).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let doc: Value = serde_json::from_slice(&fs::read(out.join("api/v1/guides/overview.json")).unwrap()).unwrap();
    assert_eq!(doc["readability"], Value::Null);
    let dashboard = fs::read_to_string(out.join("review/index.html")).unwrap();
    assert_eq!(dashboard.matches("<td class=\"readability\">not measured</td>").count(), 4, "{dashboard}");
    assert!(!dashboard.contains("Summary: grade"), "{dashboard}");
}

/// `check --format json` with the memo kept in `cache` (and `args`).
fn check_with_cache(root: &Path, cache: &Path, args: &[&str]) -> Value {
    let output = securebase()
        .env("SECUREBASE_CACHE_DIR", cache)
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("no JSON ({e})"))
}

/// The files of the folder `dir`, with their bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir).into_iter().map(|f| (f.clone(), fs::read(dir.join(&f)).unwrap())).collect()
}

#[test]
fn check_remembers_figures_by_file_outside_the_project_and_measures_edits_afresh() {
    let site = copy_fixture("valid");
    let cache = tempfile::tempdir().unwrap();
    let project = snapshot(site.path());
    let cold = check_with_cache(site.path(), cache.path(), &["--no-cache"]);
    assert_eq!(snapshot(cache.path()), Vec::new(), "--no-cache keeps nothing");
    assert_eq!(cold["readability"].as_array().map(Vec::len), Some(4));
    assert_eq!(check_with_cache(site.path(), cache.path(), &[]), cold, "the first check, which keeps its figures");
    let kept = files_under(cache.path());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].starts_with("readability-") && kept[0].ends_with(".bin"), "{kept:?}");
    assert_eq!(snapshot(site.path()), project, "nothing is written into the project");
    let memo_path = cache.path().join(&kept[0]);
    let memo = identity(&memo_path);
    assert_eq!(check_with_cache(site.path(), cache.path(), &[]), cold, "a check that takes them");
    assert_eq!(identity(&memo_path), memo, "unchanged figures are not written again");
    // With readability off nothing is measured, and the memo stays.
    let toml = site.path().join("site.toml");
    let measured = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, format!("{measured}\n[readability]\nlevel = \"off\"\n")).unwrap();
    assert_eq!(check_with_cache(site.path(), cache.path(), &[])["readability"], serde_json::json!([]));
    assert_eq!(identity(&memo_path), memo, "readability off leaves the memo as it was");
    fs::write(&toml, measured).unwrap();
    // Edited files have other bytes: they are measured again.
    over_readability_limits(site.path());
    let edited = check_with_cache(site.path(), cache.path(), &[]);
    assert_eq!(edited, check_with_cache(site.path(), cache.path(), &["--no-cache"]));
    assert_ne!(edited["readability"], cold["readability"]);
    assert_eq!(readability_diagnostics(&edited).len(), 3);
}

#[test]
fn a_forged_memo_reaches_no_edition() {
    let site = copy_fixture_with_theme("valid");
    let cache = tempfile::tempdir().unwrap();
    let honest = check_with_cache(site.path(), cache.path(), &[]);
    // Someone who can write to the cache folder sets the first file's
    // summary to 999 words.
    forge_memo(cache.path(), |_| {});
    let summary_words = |report: &Value| -> Vec<u64> {
        report["readability"].as_array().unwrap().iter().map(|r| r["summary"]["words"].as_u64().unwrap()).collect()
    };
    let forged = check_with_cache(site.path(), cache.path(), &[]);
    assert!(summary_words(&forged).contains(&999), "check takes what its cache folder holds: {forged}");
    assert!(!summary_words(&honest).contains(&999));
    // The editions measure for themselves.
    let out = site.path().join("public");
    let output = securebase()
        .env("SECUREBASE_CACHE_DIR", cache.path())
        .args(["preview", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut published = Vec::new();
    for file in files_under(&out.join("api/v1")) {
        let doc: Value = serde_json::from_slice(&fs::read(out.join("api/v1").join(&file)).unwrap()).unwrap();
        if let Some(words) = doc["readability"]["summary"]["words"].as_u64() {
            published.push(words);
        }
    }
    published.sort_unstable();
    let mut expected = summary_words(&honest);
    expected.sort_unstable();
    assert_eq!(published, expected);
}

/// Sets the summary of the first file in the memo kept in `cache` to 999
/// words, and passes the last byte of its stamp to `stamp`; returns the
/// memo's path and its new bytes.
fn forge_memo(cache: &Path, stamp: impl FnOnce(&mut u8)) -> (std::path::PathBuf, Vec<u8>) {
    let path = cache.join(&files_under(cache)[0]);
    let mut memo = fs::read(&path).unwrap();
    let header = memo.iter().position(|&b| b == b'\n').unwrap() + 1;
    stamp(&mut memo[header - 2]);
    // After the first file's SHA-256 in hexadecimal: its summary's
    // sentences, then words.
    let words = header + 64 + 4;
    memo[words..words + 4].copy_from_slice(&999u32.to_le_bytes());
    fs::write(&path, &memo).unwrap();
    (path, memo)
}

/// A file's bytes and, on Unix, its inode: a memo written again (to a new
/// file renamed over the old) has another.
fn identity(path: &Path) -> (Vec<u8>, u64) {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).unwrap());
    #[cfg(not(unix))]
    let inode = 0;
    (fs::read(path).unwrap(), inode)
}

#[test]
fn a_cache_folder_inside_the_project_is_not_used() {
    let site = copy_fixture("valid");
    let project = snapshot(site.path());
    let inside = site.path().join(".cache/securebase");
    let first = check_with_cache(site.path(), &inside, &[]);
    assert_eq!(check_with_cache(site.path(), &inside, &[]), first);
    assert!(!site.path().join(".cache").exists(), "a memo was kept inside the project");
    assert_eq!(snapshot(site.path()), project);
    // Nor through HOME set to the project, as some CI runners do.
    let output = securebase()
        .env_remove("SECUREBASE_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", site.path())
        .args(["check", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(snapshot(site.path()), project);
}

#[test]
fn a_memo_written_under_another_stamp_is_not_taken() {
    let site = copy_fixture("valid");
    let cache = tempfile::tempdir().unwrap();
    let honest = check_with_cache(site.path(), cache.path(), &[]);
    // Another build of the program (its stamp's last digit), with figures
    // of its own.
    let (path, memo) = forge_memo(cache.path(), |stamp| *stamp = if *stamp == b'0' { b'1' } else { b'0' });
    assert_eq!(check_with_cache(site.path(), cache.path(), &[]), honest);
    assert_ne!(fs::read(&path).unwrap(), memo, "the memo is written again, under this build's stamp");
}
