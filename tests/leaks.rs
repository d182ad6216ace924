//! Nothing unapproved leaks: random sequences of edits, signed approvals and
//! change requests, and forgeries (unsigned records, records signed with a
//! writer's key, a writer's key slipped into the reviewer's people file) in
//! a temporary git repository. After each production build, every published
//! item shows exactly its latest verified approval's text, no text that was
//! never approved appears in any output file, and a forgery fails the build
//! and leaves the previous site as it was.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{check_links, files_under, forge, key, public_key, securebase, sign_ok, snapshot, trust_root};

/// SplitMix64: deterministic, so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

fn git(root: &Path, email: &str, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", &format!("user.email={email}"), "-c", "user.name=Someone (fictional)"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn commit(root: &Path, email: &str) {
    git(root, email, &["add", "-A"]);
    git(root, email, &["commit", "-q", "--allow-empty", "-m", "step"]);
}

const ITEMS: [&str; 4] = ["styles/avoidant", "strategies/mindfulness", "therapies/cbt", "guides/overview"];

/// What the model expects of one item.
#[derive(Default, Clone)]
struct Expected {
    /// Markers in the working text.
    current: Vec<String>,
    /// Markers in the latest approved text, if any approval.
    approved: Option<Vec<String>>,
}

/// What a forgery step does; each is undone after its build fails.
#[derive(Debug, Clone, Copy)]
enum Forgery {
    /// An approval record with no signature.
    Unsigned,
    /// An approval signed with the writer's key.
    WritersKey,
    /// The writer adds their key to Riley's people file (no editor
    /// approves it) and signs an approval with it through the command.
    KeyInPeopleFile,
}

#[test]
fn random_edits_approvals_change_requests_and_forgeries_never_leak() {
    let mut builds = 0;
    let mut forgeries = 0;
    for seed in 1..=4u64 {
        let site = common::signed_repo();
        let root = site.path();
        let mut rng = Rng(seed);
        let mut model: BTreeMap<&str, Expected> = ITEMS.iter().map(|i| (*i, Expected::default())).collect();
        let mut every_marker: Vec<String> = Vec::new();
        let out_dir = root.join("public");
        let build = || {
            securebase()
                .args(["build", "--root"])
                .arg(root)
                .arg("--out")
                .arg(&out_dir)
                .env("SECUREBASE_TRUST_ROOT", trust_root(root))
                .output()
                .unwrap()
        };
        for step in 0..16 {
            let item = ITEMS[rng.below(ITEMS.len())];
            let path = root.join(format!("content/{item}.md"));
            let forgery = match rng.below(7) {
                0 | 1 => {
                    let marker = format!("MARK-s{seed}-{step}-{}", item.replace('/', "-"));
                    let text = fs::read_to_string(&path).unwrap();
                    fs::write(&path, format!("{text}\n{marker}\n")).unwrap();
                    commit(root, "team@fixture.example");
                    model.get_mut(item).unwrap().current.push(marker.clone());
                    every_marker.push(marker);
                    None
                }
                2 => {
                    sign_ok(root, "approve", item, "riley-example", "ok");
                    commit(root, "riley@fixture.example");
                    let e = model.get_mut(item).unwrap();
                    e.approved = Some(e.current.clone());
                    None
                }
                3 => {
                    sign_ok(root, "request-changes", item, "riley-example", "more");
                    commit(root, "riley@fixture.example");
                    None
                }
                4 => Some(Forgery::Unsigned),
                5 => Some(Forgery::WritersKey),
                _ => Some(Forgery::KeyInPeopleFile),
            };
            if let Some(forgery) = forgery {
                let before = common::git(root, &["rev-parse", "HEAD"]);
                let previous = snapshot(&out_dir);
                match forgery {
                    Forgery::Unsigned => forge(root, item, "riley-example", "2026-12-01", "ok", None),
                    Forgery::WritersKey => {
                        forge(root, item, "riley-example", "2026-12-01", "ok", Some(&key(root, "writer")))
                    }
                    Forgery::KeyInPeopleFile => {
                        let riley = root.join("content/people/riley-example.yaml");
                        let text = fs::read_to_string(&riley).unwrap();
                        fs::write(&riley, format!("{text}  - {}\n", public_key(root, "writer"))).unwrap();
                        commit(root, "writer@fixture.example");
                        let out = securebase()
                            .args([
                                "review",
                                "approve",
                                item,
                                "--reviewer",
                                "riley-example",
                                "--summary",
                                "ok",
                                "--key",
                            ])
                            .arg(key(root, "writer"))
                            .arg("--root")
                            .arg(root)
                            .output()
                            .unwrap();
                        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                        commit(root, "writer@fixture.example");
                    }
                }
                let out = build();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(1), "seed {seed} step {step}: {forgery:?} was published");
                assert!(
                    stderr.contains(&format!("content/reviews/{item}.yaml:")) && stderr.contains("error[signature]"),
                    "seed {seed} step {step}: {forgery:?}: {stderr}"
                );
                assert!(snapshot(&out_dir) == previous, "seed {seed} step {step}: {forgery:?} changed the site");
                common::git(root, &["reset", "-q", "--hard", before.trim()]);
                forgeries += 1;
                continue;
            }
            let out = build();
            if model.values().all(|e| e.approved.is_none()) {
                assert_eq!(out.status.code(), Some(1), "seed {seed} step {step}: nothing approved must fail");
                continue;
            }
            assert!(out.status.success(), "seed {seed} step {step}: {}", String::from_utf8_lossy(&out.stderr));
            builds += 1;
            check_links(&out_dir);
            let published: Vec<&String> = model.values().filter_map(|e| e.approved.as_ref()).flatten().collect();
            // No unapproved marker in any file.
            for file in files_under(&out_dir) {
                let text = String::from_utf8_lossy(&fs::read(out_dir.join(&file)).unwrap()).into_owned();
                for marker in &every_marker {
                    if text.contains(marker.as_str()) {
                        assert!(published.contains(&marker), "seed {seed} step {step}: unapproved {marker} in {file}");
                    }
                }
            }
            // Every published item shows exactly its latest approved text.
            for (item, e) in &model {
                let page = out_dir.join(format!("{item}/index.html"));
                match &e.approved {
                    None => {
                        assert!(!page.exists(), "seed {seed} step {step}: {item} was never approved but is published")
                    }
                    Some(markers) => {
                        let html = fs::read_to_string(&page).unwrap();
                        for marker in markers {
                            assert!(
                                html.contains(marker.as_str()),
                                "seed {seed} step {step}: {item} lacks approved {marker}"
                            );
                        }
                        for marker in e.current.iter().filter(|m| !markers.contains(m)) {
                            assert!(
                                !html.contains(marker.as_str()),
                                "seed {seed} step {step}: {item} shows unapproved {marker}"
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(builds >= 20, "only {builds} production builds were checked");
    assert!(forgeries >= 8, "only {forgeries} forgeries were tried");
}
