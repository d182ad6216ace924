//! Crash safety: `securebase preview` killed with SIGKILL at random moments
//! leaves the previous output intact every time, and the next build cleans
//! up what the killed ones left behind.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{files_under, project_root};

fn snapshot(out: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(out).into_iter().map(|f| (f.clone(), fs::read(out.join(&f)).unwrap())).collect()
}

#[test]
fn builds_killed_at_random_moments_leave_the_previous_site_intact() {
    let work = tempfile::TempDir::new().unwrap();
    let corpus = work.path().join("corpus");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let made = Command::new(cargo)
        .args(["run", "--quiet", "-p", "xtask", "--", "corpus", "--items", "400", "--out"])
        .arg(&corpus)
        .arg("--project")
        .arg(project_root())
        .current_dir(project_root())
        .status()
        .unwrap();
    assert!(made.success());
    let site = corpus.join("securebase");
    let out = work.path().join("public");
    let bin = env!("CARGO_BIN_EXE_securebase");
    let build = || {
        let mut cmd = Command::new(bin);
        cmd.args(["preview", "--quiet", "--root"]).arg(&site).arg("--out").arg(&out);
        cmd
    };

    let started = Instant::now();
    assert!(build().status().unwrap().success());
    let full = started.elapsed();
    let before = snapshot(&out);
    assert!(before.len() > 800);

    // Kill at moments spread over the whole build, from start-up to the swap.
    let mut killed_mid_build = 0;
    let mut attempts = 0u64;
    while killed_mid_build < 20 && attempts < 80 {
        let i = attempts;
        attempts += 1;
        // Moments spread over the build, visited in a scattered order.
        let delay = full.mul_f64(((i * 7 % 24) as f64 + 0.5) / 24.0);
        let mut child = build().spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_mid_build += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(out.is_dir(), "kill {i} after {delay:?}: the output folder is gone");
        assert!(snapshot(&out) == before, "kill {i} after {delay:?}: the output changed");
    }
    assert!(killed_mid_build >= 20, "only {killed_mid_build} kills landed mid-build");

    // The next build succeeds and clears what the killed ones left.
    let deadline = Instant::now() + Duration::from_secs(60);
    assert!(build().status().unwrap().success());
    assert!(Instant::now() < deadline);
    let leftovers: Vec<String> = fs::read_dir(work.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.tmp-") || n == ".public.lock")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    assert!(snapshot(&out) == before, "the rebuilt site differs from the first (builds are reproducible)");
}
