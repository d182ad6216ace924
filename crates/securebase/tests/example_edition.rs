//! The `edition` example, run as an app developer would run it, on a
//! production bundle from a signed test site (fictional people; the bundle
//! and its trust root are in `tests/fixtures/edition/`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn example() -> PathBuf {
    // `cargo test` builds a package's examples before its integration
    // tests, into `target/<profile>/examples/`, beside this test's `deps/`;
    // a run of this test alone builds it here.
    static BUILT: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("examples").join("edition");
    BUILT.call_once(|| {
        if !path.is_file() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--offline", "-p", "securebase", "--example", "edition"])
                .status()
                .unwrap();
            assert!(status.success());
        }
    });
    assert!(path.is_file(), "the example is built at {}", path.display());
    path
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edition").join(name)
}

#[test]
fn the_example_lists_what_is_verified_and_by_whom() {
    let out = Command::new(example()).arg(fixture("edition.bundle")).arg(fixture("trust-root")).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].ends_with(&format!(
            "verified against {} (built 2026-12-07 by securebase 0.1.0)",
            fixture("trust-root").display()
        )),
        "{stdout}"
    );
    assert!(lines[1].starts_with("  styles/avoidant "), "{stdout}");
    assert!(
        lines[1]
            .contains(" Avoidant attachment (Riley Example (fictional), LCSW, on 2026-12-07 (version 1, key SHA256:"),
        "{stdout}"
    );
    let editorial: Vec<&str> = lines[2..].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(
        editorial,
        ["people/alex-editor", "people/riley-example", "people/securebase-editorial", "site", "theme"]
    );
    assert!(
        lines[2..]
            .iter()
            .all(|l| l.contains("approved by Alex Editor (fictional) on 2026-12-07 (version 1, key SHA256:")),
        "{stdout}"
    );
}

#[test]
fn the_example_shows_nothing_of_a_tampered_bundle() {
    let mut bytes = std::fs::read(fixture("edition.bundle")).unwrap();
    let at = bytes.windows(9).position(|w| w == b"## What a").expect("a heading in the item");
    bytes[at + 3] = b'w';
    let dir = tempfile::tempdir().unwrap();
    let tampered = dir.path().join("edition.bundle");
    std::fs::write(&tampered, bytes).unwrap();
    let out = Command::new(example()).arg(&tampered).arg(fixture("trust-root")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing listed");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "content/styles/avoidant.md:1:1: error[signature]: this is not the version of styles/avoidant"
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with("refused: 1 problem(s); nothing is shown\n"), "{stderr}");
}

fn get(address: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_example_serves_approved_items_only() {
    let mut child = Command::new(example())
        .arg(fixture("edition.bundle"))
        .arg(fixture("trust-root"))
        .args(["--serve", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the example says where it serves").unwrap();
        if let Some(address) = line.strip_prefix("serving on http://") {
            break address.to_owned();
        }
    };
    let approved = get(&address, "/items/styles/avoidant");
    let never_approved = get(&address, "/items/styles/secure");
    let elsewhere = get(&address, "/edition.bundle");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(approved.starts_with("HTTP/1.0 200 OK\r\n"), "{approved}");
    let body: serde_json::Value = serde_json::from_str(approved.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["title"], "Avoidant attachment");
    assert_eq!(body["review"]["signer"]["name"], "Riley Example (fictional)");
    assert_eq!(body["review"]["version"], 1);
    assert!(body["review"]["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    assert!(never_approved.starts_with("HTTP/1.0 404 Not Found\r\n"), "{never_approved}");
    assert!(elsewhere.starts_with("HTTP/1.0 404 Not Found\r\n"), "{elsewhere}");
}
