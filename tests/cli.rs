//! CLI tests: `new`, `schema`, completions, `--help` and exit codes.

mod common;

use std::fs;

use common::{copy_fixture, project_root, securebase};
use serde_json::Value;

#[test]
fn new_writes_a_skeleton_that_checks_clean_for_every_collection() {
    let site = copy_fixture("valid");
    for collection in ["styles", "strategies", "therapies", "guides"] {
        let out = securebase().args(["new", collection, "my-new-page", "--root"]).arg(site.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = fs::read_to_string(site.path().join(format!("content/{collection}/my-new-page.md"))).unwrap();
        assert!(text.contains("TODO"), "placeholders are marked");
    }
    let out = securebase().args(["check", "--format", "json", "--root"]).arg(site.path()).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 0, "{report:#}");
}

#[test]
fn new_refuses_to_overwrite_and_rejects_bad_slugs() {
    let site = copy_fixture("valid");
    let before = fs::read(site.path().join("content/styles/avoidant.md")).unwrap();
    let out = securebase().args(["new", "styles", "avoidant", "--root"]).arg(site.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites"));
    assert_eq!(fs::read(site.path().join("content/styles/avoidant.md")).unwrap(), before);
    for bad in ["Bad", "a..b", "a b", "x-"] {
        let out = securebase().args(["new", "guides", bad, "--root"]).arg(site.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("is not a valid id"), "{bad}");
    }
    let out = securebase().args(["new", "recipes", "x", "--root"]).arg(site.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown collection is a usage error");
}

/// The YAML front matter of a Markdown file, as JSON.
fn front_matter(text: &str) -> Value {
    let text = text.trim_start_matches('\u{feff}');
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("closing fence");
    serde_yaml::from_str(&rest[..end + 1]).unwrap()
}

#[test]
fn the_schemas_accept_the_shipped_content_and_reject_typos() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = securebase().args(["schema", "--out"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let load = |name: &str| -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(&fs::read_to_string(dir.path().join(name)).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let root = project_root();
    let mut checked = 0;
    for collection in ["styles", "strategies", "therapies", "guides"] {
        let validator = load(&format!("{collection}.schema.json"));
        for entry in fs::read_dir(root.join("content").join(collection)).unwrap() {
            let path = entry.unwrap().path();
            let fm = front_matter(&fs::read_to_string(&path).unwrap());
            let errors: Vec<String> = validator.iter_errors(&fm).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
            let mut typo = fm.clone();
            typo.as_object_mut().unwrap().insert("titel".into(), Value::String("x".into()));
            assert!(!validator.is_valid(&typo), "the {collection} schema accepts an unknown key");
        }
    }
    let person = load("person.schema.json");
    for entry in fs::read_dir(root.join("content/people")).unwrap() {
        let value: Value = serde_yaml::from_str(&fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        assert!(person.is_valid(&value), "{value:#}");
        checked += 1;
    }
    let ledger = load("ledger.schema.json");
    let fixture_ledger: Value = serde_yaml::from_str(
        &fs::read_to_string(common::fixtures().join("valid/content/reviews/styles/avoidant.yaml")).unwrap(),
    )
    .unwrap();
    assert!(ledger.is_valid(&fixture_ledger));
    assert!(!ledger.is_valid(
        &serde_json::json!([{ "blob": "abc", "reviewer": "x", "date": "2026-01-01", "decision": "approved" }])
    ));
    assert_eq!(checked, 18);
}

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        vec!["check"],
        vec!["preview"],
        vec!["build"],
        vec!["new"],
        vec!["schema"],
        vec!["completions"],
        vec!["review", "status"],
        vec!["review", "approve"],
        vec!["review", "request-changes"],
        vec!["review", "diff"],
        vec!["review", "history"],
        vec!["review", "verify"],
        vec!["review", "statement"],
        vec!["desk"],
        vec!["desk", "invite"],
    ] {
        let out = securebase().args(&command).arg("--help").output().unwrap();
        assert!(out.status.success(), "{command:?}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Example"), "{command:?} --help has no examples:\n{help}");
    }
    let out = securebase().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = securebase().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("securebase") && script.contains("preview"), "{shell}");
    }
    assert_eq!(securebase().args(["completions", "cmd"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn quiet_and_verbose_change_only_the_status_lines() {
    let site = common::copy_fixture_with_theme("valid");
    let out_dir = site.path().join("public");
    let run = |flag: &str| {
        let out = securebase()
            .args(["preview", flag, "--root"])
            .arg(site.path())
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let quiet = run("--quiet");
    assert!(quiet.is_empty(), "{quiet}");
    let verbose = run("--verbose");
    assert!(verbose.contains("built the preview edition") && verbose.contains("loaded and selected"), "{verbose}");
    let out = securebase().args(["check", "--quiet", "--verbose"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_colour_when_output_is_not_a_terminal() {
    let site = copy_fixture("valid");
    fs::write(site.path().join("content/guides/overview.md"), "---\ntitle: [\n---\n").unwrap();
    let out = securebase().args(["check", "--root"]).arg(site.path()).env_remove("NO_COLOR").output().unwrap();
    assert!(!out.stdout.contains(&0x1b), "escape codes in piped output");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    // The reader closes its end before the command writes: the command's
    // first line fails with a broken pipe, which is not an error.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_securebase"))
        .args(["review", "history", "styles/avoidant", "--root"])
        .arg(common::project_root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
