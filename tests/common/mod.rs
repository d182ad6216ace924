//! Helpers shared by the end-to-end tests: copy a fixture site, change it,
//! run the real binary on it.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The folder holding the fixture sites.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The project root (the shipped content).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the fixture site `name` in a fresh temporary folder.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().expect("temporary folder");
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

/// A copy of the fixture site `name` with the project's default theme, as a
/// site with its own `themes/` folder has.
pub fn copy_fixture_with_theme(name: &str) -> TempDir {
    let dir = copy_fixture(name);
    copy_dir(&project_root().join("themes/default"), &dir.path().join("themes/default"));
    dir
}

/// Every file under `root`, as `/`-separated paths relative to it.
pub fn files_under(root: &Path) -> Vec<String> {
    walkdir(root)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect()
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&entry, &target).unwrap();
        }
    }
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        if out[i].is_dir() {
            let mut children: Vec<PathBuf> = fs::read_dir(&out[i]).unwrap().map(|e| e.unwrap().path()).collect();
            children.sort();
            out.extend(children);
        }
        i += 1;
    }
    out
}

/// The `securebase` binary built by this package, keeping what `check`
/// remembers between runs under the tests' own folder in `target/`.
pub fn securebase() -> Command {
    let mut cmd = Command::cargo_bin("securebase").expect("the securebase binary");
    cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    cmd.env("SECUREBASE_CACHE_DIR", test_cache());
    cmd
}

/// The cache folder of this test run, emptied when a test binary first
/// asks for it so that runs do not pile up memos of folders long gone.
fn test_cache() -> &'static str {
    const FOLDER: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/cache");
    static EMPTIED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    EMPTIED.get_or_init(|| {
        let _ = std::fs::remove_dir_all(FOLDER);
    });
    FOLDER
}

/// Every value of `attr="..."` in `html`.
pub fn attributes<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The contents of every `<script type="application/ld+json">` block.
pub fn json_ld_blocks(html: &str) -> Vec<&str> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .filter_map(|(i, _)| {
            let rest = &html[i + open.len()..];
            rest.find("</script>").map(|end| &rest[..end])
        })
        .collect()
}

/// The inside of every tag (`<...>`) of `html`. Text from content is
/// escaped, so every `<` that remains opens a real tag.
pub fn tags(html: &str) -> Vec<&str> {
    html.split('<').skip(1).filter_map(|rest| rest.find('>').map(|end| &rest[..end])).collect()
}

/// The attribute names of a tag's inside (`a href="x" class='y' hidden`).
pub fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || c == '/' {
            continue;
        }
        let mut name = String::from(c);
        while let Some(&n) = chars.peek() {
            if n == '=' || n.is_whitespace() || n == '/' {
                break;
            }
            name.push(n);
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            match chars.peek().copied() {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for v in chars.by_ref() {
                        if v == q {
                            break;
                        }
                    }
                }
                _ => while chars.next_if(|v| !v.is_whitespace()).is_some() {},
            }
        }
        names.push(name);
    }
    names
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\"")
}

/// The file an internal URL resolves to.
pub fn resolve(out: &Path, url: &str) -> std::path::PathBuf {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') { out.join(path).join("index.html") } else { out.join(path) }
}

/// Checks every link and anchor in every HTML page of the site at `out`:
/// internal ones resolve to files (and ids) that exist, nothing loads from
/// another host. Returns how many links were checked.
pub fn check_links(out: &Path) -> usize {
    let files = files_under(out);
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files.iter().filter(|f| f.ends_with(".html")) {
        let html = fs::read_to_string(out.join(file)).unwrap();
        ids.insert(file.clone(), attributes(&html, "id").into_iter().map(String::from).collect());
    }
    let mut checked = 0;
    for file in files.iter().filter(|f| f.ends_with(".html")) {
        let html = fs::read_to_string(out.join(file)).unwrap();
        for src in attributes(&html, "src") {
            assert!(src.starts_with('/') && !src.starts_with("//"), "{file} loads {src} from another host");
        }
        for href in attributes(&html, "href").into_iter().map(html_unescape) {
            if ["https://", "tel:", "sms:", "mailto:"].iter().any(|p| href.starts_with(p)) {
                continue;
            }
            assert!(href.starts_with('/') || href.starts_with('#'), "{file}: unexpected link {href}");
            let (path, anchor) = href.split_once('#').map_or((href.as_str(), None), |(p, a)| (p, Some(a)));
            let target = if path.is_empty() { out.join(file) } else { resolve(out, path) };
            assert!(target.is_file(), "{file} links to {href}, which does not exist");
            if let Some(anchor) = anchor {
                let rel = target.strip_prefix(out).unwrap().to_string_lossy().into_owned();
                assert!(ids[&rel].contains(anchor), "{file} links to {href}, but #{anchor} is not in {rel}");
            }
            checked += 1;
        }
    }
    checked
}

/// The fixture's fictional signers: the clinical reviewer, the editorial
/// team (the trust root's editor) and a writer who holds no approving key.
pub const SIGNERS: [&str; 3] = ["riley-example", "fixture-team", "writer"];

/// Runs git in `root`, returning what it printed.
pub fn git(root: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git").arg("-C").arg(root).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Commits everything in `root` as a fictional author.
pub fn commit_all(root: &Path, message: &str) {
    git(root, &["add", "-A"]);
    git(
        root,
        &[
            "-c",
            "user.email=someone@fixture.example",
            "-c",
            "user.name=Someone (fictional)",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
}

/// The private key `ssh-keygen` made for `who` (in `<root>/.keys/`, which
/// git ignores).
pub fn key(root: &Path, who: &str) -> PathBuf {
    root.join(".keys").join(who)
}

/// The public key line of `who`.
pub fn public_key(root: &Path, who: &str) -> String {
    fs::read_to_string(key(root, who).with_extension("pub")).unwrap().trim().to_owned()
}

/// The SHA-256 fingerprint of `who`'s key, as `ssh-keygen -l` prints it.
pub fn fingerprint(root: &Path, who: &str) -> String {
    let out = std::process::Command::new("ssh-keygen")
        .arg("-l")
        .arg("-f")
        .arg(key(root, who).with_extension("pub"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().nth(1).unwrap().to_owned()
}

/// The deployment's trust root: the editorial team's key.
pub fn trust_root(root: &Path) -> PathBuf {
    root.join(".keys/trust-root")
}

/// Makes a key for each of [`SIGNERS`] with `ssh-keygen`, and the trust root.
pub fn make_keys(root: &Path) {
    fs::create_dir_all(root.join(".keys")).unwrap();
    for who in SIGNERS {
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", &format!("{who} (fictional)"), "-f"])
            .arg(key(root, who))
            .status()
            .expect("ssh-keygen (openssh-client) is installed");
        assert!(status.success());
    }
    fs::write(trust_root(root), format!("fixture-team {}\n", public_key(root, "fixture-team"))).unwrap();
    fs::write(root.join(".gitignore"), ".keys/\n").unwrap();
}

/// Lists the generated keys in the people files: Riley's replaces the
/// fixture's, the team's is added.
pub fn list_keys(root: &Path) {
    let riley = root.join("content/people/riley-example.yaml");
    let text = fs::read_to_string(&riley).unwrap();
    let start = text.find("signing_keys:").expect("the fixture lists Riley's key");
    fs::write(&riley, format!("{}signing_keys:\n  - {}\n", &text[..start], public_key(root, "riley-example"))).unwrap();
    let team = root.join("content/people/fixture-team.yaml");
    let text = fs::read_to_string(&team).unwrap();
    fs::write(&team, format!("{text}signing_keys:\n  - {}\n", public_key(root, "fixture-team"))).unwrap();
}

/// Runs `securebase review <decision> <subject> --reviewer <who> --key <who's key>`,
/// with the trust root.
pub fn sign(root: &Path, decision: &str, subject: &str, who: &str, text: &str) -> std::process::Output {
    let flag = if decision == "approve" { "--summary" } else { "--notes" };
    securebase()
        .args(["review", decision, subject, "--reviewer", who, flag, text, "--key"])
        .arg(key(root, who))
        .arg("--root")
        .arg(root)
        .env("SECUREBASE_TRUST_ROOT", trust_root(root))
        .output()
        .unwrap()
}

/// Like [`sign`], asserting that it succeeded.
pub fn sign_ok(root: &Path, decision: &str, subject: &str, who: &str, text: &str) {
    let out = sign(root, decision, subject, who, text);
    assert!(out.status.success(), "{decision} {subject} by {who}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The fixture site (with the shipped theme) in a new git repository, with
/// keys made for its signers and listed, and the people files, `site.toml`
/// and the theme approved by the editorial team; no item approved yet.
pub fn signed_repo() -> TempDir {
    let site = copy_fixture_with_theme("valid");
    let root = site.path();
    fs::remove_dir_all(root.join("content/reviews")).unwrap();
    make_keys(root);
    list_keys(root);
    git(root, &["init", "-q"]);
    commit_all(root, "Content");
    for subject in ["people/riley-example", "people/fixture-team", "site", "theme"] {
        sign_ok(root, "approve", subject, "fixture-team", "First editorial approval");
    }
    commit_all(root, "Editorial approvals");
    site
}

/// Appends to `ledger` a record about `subject` as a writer would forge it:
/// the right statement, signed with `signer_key` (which may be anyone's), or
/// unsigned.
pub fn forge(root: &Path, subject: &str, reviewer: &str, date: &str, summary: &str, signer_key: Option<&Path>) {
    let subject: securebase::Subject = subject.parse().unwrap();
    let ledger = securebase::ProjectLayout::ledger(&subject);
    let path = root.join(&ledger);
    let existing = fs::read_to_string(&path).unwrap_or_default();
    let records: Vec<securebase::LedgerRecord> = serde_yaml::from_str(&existing).unwrap_or_default();
    let securebase::Subject::Item(item) = &subject else { panic!("items only") };
    let bytes = fs::read(root.join(format!("content/{}/{}.md", item.collection, item.slug))).unwrap();
    let mut record = securebase::LedgerRecord::new(
        securebase::BlobId::of(&bytes),
        securebase::Sha256::of(&bytes),
        reviewer.parse().unwrap(),
        date.parse().unwrap(),
        securebase::Decision::Approved,
        summary,
    );
    if let Some(key) = signer_key {
        let statement = securebase::trust::next_statement(&subject, &records, &record);
        record.signature = Some(ssh_sign(key, &statement));
    }
    let yaml = serde_yaml::to_string(&[record]).unwrap();
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, existing + &yaml).unwrap();
    commit_all(root, "A forged record");
}

pub fn ssh_sign(key: &Path, statement: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "securebase-review", "-f"])
        .arg(key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(statement.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under `out` with its bytes (empty when `out` does not exist).
pub fn snapshot(out: &Path) -> BTreeMap<String, Vec<u8>> {
    if !out.exists() {
        return BTreeMap::new();
    }
    files_under(out)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}
