//! Nothing unapproved leaks: random sequences of edits, approvals and change
//! requests in a temporary git repository; after each production build,
//! every published item shows exactly its latest approved text, and no
//! text that was never approved appears in any output file.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{check_links, copy_fixture_with_theme, files_under, securebase};

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

#[test]
fn random_edits_approvals_and_change_requests_never_leak() {
    let mut builds = 0;
    for seed in 1..=4u64 {
        let site = copy_fixture_with_theme("valid");
        let root = site.path();
        fs::remove_dir_all(root.join("content/reviews")).unwrap();
        Command::new("git").arg("-C").arg(root).args(["init", "-q"]).status().unwrap();
        commit(root, "team@fixture.example");
        let mut rng = Rng(seed);
        let mut model: BTreeMap<&str, Expected> = ITEMS.iter().map(|i| (*i, Expected::default())).collect();
        let mut every_marker: Vec<String> = Vec::new();
        for step in 0..14 {
            let item = ITEMS[rng.below(ITEMS.len())];
            let path = root.join(format!("content/{item}.md"));
            match rng.below(4) {
                0 | 1 => {
                    let marker = format!("MARK-s{seed}-{step}-{}", item.replace('/', "-"));
                    let text = fs::read_to_string(&path).unwrap();
                    fs::write(&path, format!("{text}\n{marker}\n")).unwrap();
                    commit(root, "team@fixture.example");
                    model.get_mut(item).unwrap().current.push(marker.clone());
                    every_marker.push(marker);
                }
                2 => {
                    let out = securebase()
                        .args(["review", "approve", item, "--reviewer", "riley-example", "--summary", "ok", "--root"])
                        .arg(root)
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                    commit(root, "riley@fixture.example");
                    let e = model.get_mut(item).unwrap();
                    e.approved = Some(e.current.clone());
                }
                _ => {
                    let out = securebase()
                        .args([
                            "review",
                            "request-changes",
                            item,
                            "--reviewer",
                            "riley-example",
                            "--notes",
                            "more",
                            "--root",
                        ])
                        .arg(root)
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                    commit(root, "riley@fixture.example");
                }
            }
            let out_dir = root.join("public");
            let out = securebase().args(["build", "--root"]).arg(root).arg("--out").arg(&out_dir).output().unwrap();
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
}
