//! The review desk end to end, with software authenticators standing in
//! for passkeys: invitation, enrolment, an editor's approvals, a
//! clinician's approval, a production edition that publishes it, and
//! `ssh-keygen -Y verify` accepting every record the desk wrote. Then each
//! attack an attacker with commit access or a stolen request could try,
//! each refused with nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding as _};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::EncodePublicKey as _;
use securebase::decision::Request;
use securebase::passkey::Assertion;
use securebase::{BlobId, Decision, Library, PersonId, Sha256, Subject, TrustRoot};
use securebase_desk::{Desk, DeskError, DeskOptions};
use sha2::Digest as _;
use tempfile::TempDir;

const ORIGIN: &str = "http://localhost:8417";

/// A software authenticator: one P-256 key, answering as a browser at
/// `origin` would.
struct Authenticator {
    key: p256::ecdsa::SigningKey,
    origin: String,
    flags: u8,
}

impl Authenticator {
    fn new(seed: u8) -> Authenticator {
        let key = p256::ecdsa::SigningKey::from_bytes(&[seed; 32].into()).unwrap();
        Authenticator { key, origin: ORIGIN.into(), flags: 0x05 }
    }

    fn key_line(&self, comment: &str) -> String {
        let point = self.key.verifying_key().to_encoded_point(false);
        securebase::passkey::key_line(point.as_bytes(), "localhost", comment).unwrap()
    }

    fn spki(&self) -> Vec<u8> {
        self.key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec()
    }

    fn client_data(&self, kind: &str, challenge: &[u8]) -> Vec<u8> {
        format!(
            "{{\"type\":\"{kind}\",\"challenge\":\"{}\",\"origin\":\"{}\",\"crossOrigin\":false}}",
            Base64UrlUnpadded::encode_string(challenge),
            self.origin
        )
        .into_bytes()
    }

    fn get(&self, challenge: &[u8]) -> Assertion {
        let client_data_json = self.client_data("webauthn.get", challenge);
        let mut authenticator_data = sha2::Sha256::digest(b"localhost").to_vec();
        authenticator_data.push(self.flags);
        authenticator_data.extend_from_slice(&1u32.to_be_bytes());
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&sha2::Sha256::digest(&client_data_json));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        Assertion {
            authenticator_data,
            client_data_json,
            signature_der: signature.to_der().as_bytes().to_vec(),
            origin: self.origin.clone(),
        }
    }
}

/// Runs git in `root`.
fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "user.name=Writer (fictional)",
            "-c",
            "user.email=writer@fixture.example",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn copy(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let target = to.join(entry.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, target).unwrap();
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walkdir(&path)) } else { out.push(path) }
    }
    out
}

/// The fixture site in a new repository, without ledgers; the overview
/// guide is Riley's own, so that Riley may not approve it.
fn repository() -> TempDir {
    let dir = TempDir::new().unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    copy(&project.join("tests/fixtures/valid"), dir.path());
    copy(&project.join("themes/default"), &dir.path().join("themes/default"));
    std::fs::remove_dir_all(dir.path().join("content/reviews")).unwrap();
    let overview = dir.path().join("content/guides/overview.md");
    let text = std::fs::read_to_string(&overview).unwrap().replacen("author: fixture-team", "author: riley-example", 1);
    std::fs::write(overview, text).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "Content"]);
    dir
}

fn team() -> PersonId {
    "fixture-team".parse().unwrap()
}

fn riley() -> PersonId {
    "riley-example".parse().unwrap()
}

/// A desk over `root` whose trust root names the editor's passkey.
fn desk(root: &Path, editor: &Authenticator) -> Desk {
    let text = format!("fixture-team {}\n", editor.key_line("fixture-team passkey (fictional)"));
    let trust_root = TrustRoot::parse(&text, Path::new("trust-root")).unwrap();
    let options = DeskOptions { root: root.to_path_buf(), origin: ORIGIN.into(), trust_root, push: None };
    Desk::new(options, Box::new(|| "2026-12-07".parse().unwrap())).unwrap()
}

fn enrol(desk: &Desk, person: &PersonId, who: &Authenticator) -> String {
    let secret = desk.invitations().create(person, Duration::from_secs(600)).unwrap();
    let (id, challenge, invited) = desk.enrol_begin(&secret).unwrap();
    assert_eq!(&invited, person);
    desk.enrol_finish(&id, &who.client_data("webauthn.create", &challenge), &who.spki()).unwrap()
}

/// What a review page shows of `subject`: its blob, SHA-256 and ledger.
fn shown(root: &Path, desk: &Desk, subject: &Subject) -> (BlobId, Sha256, Option<BlobId>) {
    let snapshot = desk.snapshot().unwrap();
    let library = &snapshot.library;
    let (blob, sha256) = if *subject == Subject::Theme {
        let files = securebase::trust::working_theme(root, "default").unwrap();
        let listing = securebase::trust::theme_listing(&files);
        (BlobId::of(listing.as_bytes()), Sha256::of(listing.as_bytes()))
    } else {
        let bytes = std::fs::read(root.join(library.subject_file(subject).unwrap())).unwrap();
        (BlobId::of(&bytes), Sha256::of(&bytes))
    };
    let ledger = std::fs::read(root.join(securebase::ProjectLayout::ledger(subject))).ok().map(|b| BlobId::of(&b));
    (blob, sha256, ledger)
}

fn begin(
    desk: &Desk,
    root: &Path,
    person: &PersonId,
    subject: &str,
    decision: Decision,
) -> Result<(String, Vec<u8>), DeskError> {
    let subject: Subject = subject.parse().unwrap();
    let (blob, sha256, ledger) = shown(root, desk, &subject);
    let request =
        Request { subject: &subject, signer: person, decision, text: "Checked at the desk", on: desk.today() };
    desk.decide_begin(person, &request, (&blob, &sha256, ledger.as_ref()))
}

fn decide(desk: &Desk, root: &Path, person: &PersonId, who: &Authenticator, subject: &str) -> String {
    let (id, challenge) = begin(desk, root, person, subject, Decision::Approved).unwrap();
    desk.decide_finish(person, &id, &who.get(&challenge)).unwrap_or_else(|e| panic!("{subject}: {e}"))
}

/// A project where the editor approved everything editorial at the desk
/// and Riley enrolled; nothing approved by a clinician yet.
struct Signed {
    dir: TempDir,
    editor: Authenticator,
    riley: Authenticator,
}

fn signed() -> Signed {
    let dir = repository();
    let root = dir.path();
    let (editor, riley_key) = (Authenticator::new(1), Authenticator::new(2));
    let desk = desk(root, &editor);
    // The editor enrols too: the key goes into their people file (so that
    // the working tree verifies their records) and, by hand, into the
    // deployment's trust root (here from the start).
    enrol(&desk, &team(), &editor);
    let line = enrol(&desk, &riley(), &riley_key);
    assert!(
        line.starts_with("sk-ecdsa-sha2-nistp256@openssh.com ")
            && line.ends_with("riley-example passkey, enrolled 2026-12-07")
    );
    let people = std::fs::read_to_string(root.join("content/people/riley-example.yaml")).unwrap();
    assert!(people.contains(&format!("  - {line}\n")), "{people}");
    assert_eq!(git(root, &["status", "--porcelain"]), "", "the enrolment was committed");
    for subject in ["people/fixture-team", "people/riley-example", "site", "theme"] {
        let done = decide(&desk, root, &team(), &editor, subject);
        assert!(done.starts_with(&format!("{subject} approved by fixture-team; committed ")), "{done}");
    }
    Signed { dir, editor, riley: riley_key }
}

#[test]
fn invite_enrol_approve_publish_and_ssh_keygen_verifies_every_record() {
    let Signed { dir, editor, riley: riley_key } = signed();
    let root = dir.path();
    let desk = desk(root, &editor);
    // Riley signs in with the passkey the editor's approval made count.
    let (id, challenge) = desk.sign_in_begin().unwrap();
    let cookie = desk.sign_in_finish(&id, &riley(), &riley_key.get(&challenge)).unwrap();
    assert_eq!(desk.session(&cookie).map(|s| s.person), Some(riley()));
    let done = decide(&desk, root, &riley(), &riley_key, "styles/avoidant");
    assert!(done.starts_with("styles/avoidant version 1 approved by riley-example; committed "), "{done}");
    let log = git(root, &["log", "-1", "--format=%an|%s"]);
    assert_eq!(log.trim(), "Riley Example (fictional)|Review: styles/avoidant version 1 approved by riley-example");

    // The desk brought its snapshot up to the commit without loading every
    // file again, and it holds what a full load holds.
    let snapshot = desk.snapshot().unwrap();
    let fresh = Library::load(root).unwrap();
    assert_eq!(snapshot.head.as_deref(), Some(git(root, &["rev-parse", "HEAD"]).trim()));
    assert_eq!(snapshot.library.ledgers(), fresh.ledgers());
    assert_eq!(snapshot.library.editorial_ledgers(), fresh.editorial_ledgers());

    // Production publishes that version, naming Riley.
    let library = Library::load(root).unwrap();
    let repo = securebase::git::Repo::open(root).unwrap();
    let trust_root = TrustRoot::parse(&format!("fixture-team {}\n", editor.key_line("e")), Path::new("t")).unwrap();
    let production = library.production(&repo, &repo.history().unwrap(), &trust_root).unwrap();
    let avoidant: securebase::ItemRef = "styles/avoidant".parse().unwrap();
    let review = production.library.review(&avoidant, "2026-12-07".parse().unwrap()).unwrap();
    assert_eq!(review.current_version().map(|v| v.last_approval.reviewer.clone()), Some(riley()));

    // OpenSSH accepts every record the desk wrote.
    let allowed = root.join(".git/allowed_signers");
    std::fs::write(
        &allowed,
        format!("fixture-team {}\nriley-example {}\n", editor.key_line("e"), riley_key.key_line("r")),
    )
    .unwrap();
    let mut verified = 0;
    for subject in ["people/fixture-team", "people/riley-example", "site", "theme", "styles/avoidant"] {
        let subject: Subject = subject.parse().unwrap();
        let records = library.records(&subject);
        assert_eq!(records.len(), 1, "{subject}");
        let statement = securebase::trust::next_statement(&subject, &[], &records[0]);
        let signature = root.join(".git/record.sig");
        std::fs::write(&signature, records[0].signature.as_deref().unwrap()).unwrap();
        let mut child = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "securebase-review", "-I", records[0].reviewer.as_str(), "-f"])
            .arg(&allowed)
            .arg("-s")
            .arg(&signature)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(statement.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && said.contains("with ECDSA-SK key"), "{subject}: {said}");
        verified += 1;
    }
    assert_eq!(verified, 5);
}

/// The ledger and HEAD, to show a refusal wrote nothing.
fn state(root: &Path) -> (String, String) {
    (git(root, &["rev-parse", "HEAD"]), git(root, &["status", "--porcelain"]))
}

fn refused(result: Result<String, DeskError>, code: &str, message: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert!(e.to_string().contains(message), "{e}");
        }
        Ok(done) => panic!("not refused: {done}"),
    }
}

#[test]
fn every_attack_is_refused_and_writes_nothing() {
    let Signed { dir, editor, riley: riley_key } = signed();
    let root = dir.path();
    let desk = desk(root, &editor);
    // A licence renewed in the working tree, which no editor approved: the
    // desk judges the signer as production does, by the approved file.
    let riley_file = root.join("content/people/riley-example.yaml");
    let text = std::fs::read_to_string(&riley_file).unwrap();
    std::fs::write(&riley_file, text.replace("expires: 2099-12-31", "expires: 2026-01-01")).unwrap();
    git(root, &["commit", "-q", "-am", "Riley's licence as it stands"]);
    let done = decide(&desk, root, &team(), &editor, "people/riley-example");
    assert!(done.starts_with("people/riley-example approved by fixture-team"), "{done}");
    std::fs::write(&riley_file, text).unwrap();
    git(root, &["commit", "-q", "-am", "A renewal no editor has approved"]);
    let unapproved = state(root);
    match begin(&desk, root, &riley(), "therapies/cbt", Decision::Approved) {
        Err(e) => assert!(
            e.code() == "signer"
                && e.to_string().contains(
                    "in their approved people file: Riley Example (fictional)'s licence expired on 2026-01-01"
                ),
            "{e}"
        ),
        Ok(_) => panic!("an unapproved renewal counted"),
    }
    assert_eq!(state(root), unapproved);
    // Renewed, and approved: Riley signs again.
    let done = decide(&desk, root, &team(), &editor, "people/riley-example");
    assert!(done.starts_with("people/riley-example approved by fixture-team"), "{done}");
    let before = state(root);

    // A signature by a key that is not Riley's.
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    refused(desk.decide_finish(&riley(), &id, &Authenticator::new(9).get(&challenge)), "signature", "by another key");

    // An assertion replayed: for another subject, and the same one again.
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    let answer = riley_key.get(&challenge);
    let (other, _) = begin(&desk, root, &riley(), "therapies/cbt", Decision::Approved).unwrap();
    let replayed = desk.decide_finish(&riley(), &other, &answer);
    if let Err(e) = &replayed {
        println!("a replayed assertion: {e}");
    }
    refused(replayed, "signature", "it was made for another record (another subject, version, text or date)");
    // The same challenge answered twice: the first answer used it up.
    let (id2, challenge2) = begin(&desk, root, &riley(), "strategies/mindfulness", Decision::Approved).unwrap();
    let _ = desk.decide_finish(&riley(), &id2, &riley_key.get(&challenge2)).unwrap();
    let after_one = state(root);
    refused(desk.decide_finish(&riley(), &id2, &riley_key.get(&challenge2)), "challenge", "answered already");
    assert_eq!(state(root), after_one);
    // The unanswered avoidant challenge is still good: nothing above spent it.
    drop(id);

    // Another origin than the desk's.
    let elsewhere = Authenticator { origin: "http://evil.localhost:8417".into(), ..Authenticator::new(2) };
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    refused(desk.decide_finish(&riley(), &id, &elsewhere.get(&challenge)), "origin", "not this desk");

    // No user presence.
    let absent = Authenticator { flags: 0x04, ..Authenticator::new(2) };
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    refused(desk.decide_finish(&riley(), &id, &absent.get(&challenge)), "signature", "did not see the user present");

    // Someone else's challenge.
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    refused(desk.decide_finish(&team(), &id, &editor.get(&challenge)), "signer", "started by someone else");

    // Riley wrote the overview: refused before any signature.
    match begin(&desk, root, &riley(), "guides/overview", Decision::Approved) {
        Err(e) => assert!(e.code() == "signer" && e.to_string().contains("wrote guides/overview"), "{e}"),
        Ok(_) => panic!("an author approved their own item"),
    }
    assert_eq!(state(root), after_one);
    let _ = before;

    // The page showed a version that has changed since.
    let subject: Subject = "styles/avoidant".parse().unwrap();
    let (blob, sha256, ledger) = shown(root, &desk, &subject);
    let path = root.join("content/styles/avoidant.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Body text for the fixture.", "Body text for the fixture, edited.")).unwrap();
    git(root, &["commit", "-q", "-am", "An edit"]);
    let request =
        Request { subject: &subject, signer: &riley(), decision: Decision::Approved, text: "Fine", on: desk.today() };
    match desk.decide_begin(&riley(), &request, (&blob, &sha256, ledger.as_ref())) {
        Err(e) => assert!(e.code() == "file-moved" && e.to_string().contains("changed since you opened it"), "{e}"),
        Ok(_) => panic!("a moved file was approved"),
    }
    // Begun on the current version, then edited again before the touch.
    let (id, challenge) = begin(&desk, root, &riley(), "styles/avoidant", Decision::Approved).unwrap();
    std::fs::write(&path, text).unwrap();
    git(root, &["commit", "-q", "-am", "Another edit"]);
    let edited = state(root);
    refused(desk.decide_finish(&riley(), &id, &riley_key.get(&challenge)), "file-moved", "changed since you opened it");
    assert_eq!(state(root), edited);

    // An approval taken off a people file's ledger: the desk stops, as
    // production would, rather than count what the history took back.
    let ledger = root.join("content/reviews/people/riley-example.yaml");
    let kept = std::fs::read_to_string(&ledger).unwrap();
    let first = kept.match_indices("\n- ").map(|(at, _)| at).next().unwrap();
    std::fs::write(&ledger, &kept[..=first]).unwrap();
    git(root, &["commit", "-q", "-am", "Drop an approval"]);
    match desk.snapshot() {
        Err(e) => assert!(
            e.to_string().contains("the ledgers' history does not hold") && e.to_string().contains("is missing now"),
            "{e}"
        ),
        Ok(_) => panic!("a history that takes an approval back was accepted"),
    }
    std::fs::write(&ledger, &kept).unwrap();
    git(root, &["commit", "-q", "-am", "Put it back"]);
    assert!(desk.snapshot().is_ok());

    // An expired invitation.
    let secret = desk.invitations().create(&riley(), Duration::ZERO).unwrap();
    match desk.enrol_begin(&secret) {
        Err(e) => assert_eq!(e.code(), "invitation-expired"),
        Ok(_) => panic!("an expired invitation opened"),
    }
    // A sign-in by a passkey that no editor approved.
    let (id, challenge) = desk.sign_in_begin().unwrap();
    match desk.sign_in_finish(&id, &riley(), &Authenticator::new(9).get(&challenge)) {
        Err(e) => assert_eq!(e.code(), "signature", "{e}"),
        Ok(_) => panic!("an unknown passkey signed in"),
    }
}

/// Riley's answers, each finished on a thread of its own, at once.
fn together(desk: &Arc<Desk>, answers: &[(String, Assertion)]) -> Vec<Result<String, DeskError>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = answers
            .iter()
            .map(|(id, answer)| {
                let desk = desk.clone();
                scope.spawn(move || desk.decide_finish(&riley(), id, answer))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn concurrent_decisions_are_serialised_and_none_is_lost() {
    let Signed { dir, editor, riley: riley_key } = signed();
    let root = dir.path().to_path_buf();
    let desk = Arc::new(desk(&root, &editor));
    // Two items at once: both land.
    let begun: Vec<(String, Vec<u8>)> = ["styles/avoidant", "therapies/cbt"]
        .iter()
        .map(|s| begin(&desk, &root, &riley(), s, Decision::Approved).unwrap())
        .collect();
    let answers: Vec<(String, Assertion)> = begun.into_iter().map(|(id, c)| (id, riley_key.get(&c))).collect();
    let results = together(&desk, &answers);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    // The same item twice at once: one lands, the other is told.
    let begun: Vec<(String, Vec<u8>)> =
        (0..2).map(|_| begin(&desk, &root, &riley(), "strategies/mindfulness", Decision::Approved).unwrap()).collect();
    let answers: Vec<(String, Assertion)> = begun.into_iter().map(|(id, c)| (id, riley_key.get(&c))).collect();
    let results = together(&desk, &answers);
    let landed = results.iter().filter(|r| r.is_ok()).count();
    let told: Vec<&DeskError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(landed, 1, "{results:?}");
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].code(), "ledger-moved", "{}", told[0]);
    // Every ledger loads, each with its one record, and the tree is clean.
    let library = Library::load(&root).unwrap();
    for item in ["styles/avoidant", "therapies/cbt", "strategies/mindfulness"] {
        assert_eq!(library.records(&item.parse().unwrap()).len(), 1, "{item}");
    }
    assert_eq!(git(&root, &["status", "--porcelain"]), "");
}

mod http {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode, header};
    use tower::ServiceExt as _;

    async fn send(router: &axum::Router, request: HttpRequest<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
    }

    fn post(path: &str, origin: Option<&str>, cookie: Option<&str>, body: serde_json::Value) -> HttpRequest<Body> {
        let mut request = HttpRequest::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("securebase_desk={cookie}"));
        }
        request.body(Body::from(body.to_string())).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        Base64UrlUnpadded::encode_string(bytes)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_web_app_signs_in_with_a_strict_cookie_and_refuses_cross_site_requests() {
        let Signed { dir, editor, riley: riley_key } = signed();
        let router = securebase_desk::router(Arc::new(desk(dir.path(), &editor)));
        // Signed out: the queue sends you to sign in; every page carries the policy.
        let (status, headers, _) = send(&router, HttpRequest::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!((status, headers[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/sign-in"));
        let (status, headers, page) = send(&router, HttpRequest::get("/sign-in").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.starts_with("default-src 'none';") && !csp.contains("unsafe") && !csp.contains("'self'; script"),
            "{csp}"
        );
        assert!(csp.ends_with("script-src http://localhost:8417/desk/desk.js"), "only the desk's own script: {csp}");
        assert!(!page.contains("<script>") && page.contains("<script src=\"/desk/desk.js\" defer></script>"));

        // A cross-site post, with another origin or none, is refused before anything runs.
        for origin in [Some("https://evil.example"), None] {
            let (status, _, body) =
                send(&router, post("/api/sign-in/begin", origin, None, serde_json::json!({}))).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}");
            assert!(body.contains("\"code\":\"cross-site\""), "{body}");
        }

        // Sign in.
        let (_, _, begun) = send(&router, post("/api/sign-in/begin", Some(ORIGIN), None, serde_json::json!({}))).await;
        let begun: serde_json::Value = serde_json::from_str(&begun).unwrap();
        assert_eq!(begun["rpId"], "localhost");
        let challenge = Base64UrlUnpadded::decode_vec(begun["challenge"].as_str().unwrap()).unwrap();
        let answer = riley_key.get(&challenge);
        let body = serde_json::json!({
            "id": begun["id"],
            "authenticatorData": b64(&answer.authenticator_data),
            "clientDataJSON": b64(&answer.client_data_json),
            "signature": b64(&answer.signature_der),
            "userHandle": b64(b"riley-example"),
        });
        let (status, headers, _) = send(&router, post("/api/sign-in/finish", Some(ORIGIN), None, body)).await;
        assert_eq!(status, StatusCode::OK);
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.contains("; HttpOnly; SameSite=Strict") && !cookie.contains("Secure"), "{cookie}");
        assert!(cookie.contains("Max-Age=43200"), "{cookie}");
        let secret = cookie.split(';').next().unwrap().strip_prefix("securebase_desk=").unwrap().to_owned();

        // The queue and a review page, with the diff's controls.
        let get = |path: &str| {
            HttpRequest::get(path)
                .header(header::COOKIE, format!("securebase_desk={secret}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, _, queue) = send(&router, get("/")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("<a href=\"/review/styles/avoidant\">"), "{queue}");
        assert!(!queue.contains("Waiting for an editor"), "Riley is no editor");
        let (status, _, page) = send(&router, get("/review/styles/avoidant")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("this is the first review") && page.contains("data-subject=\"styles/avoidant\""),
            "{page}"
        );
        let (status, _, reader) = send(&router, get("/reader/styles/avoidant/")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(reader.contains("<link rel=\"stylesheet\" href=\"/assets/style.css\">"), "{reader}");
        let (status, headers, _) = send(&router, get("/assets/style.css")).await;
        assert_eq!(
            (status, headers[header::CONTENT_TYPE].to_str().unwrap()),
            (StatusCode::OK, "text/css; charset=utf-8")
        );
        // What the repository holds runs no script at the desk's origin:
        // the reader's view and the assets are sandboxed, scripts are not
        // served, and a committed link is not followed.
        for path in ["/reader/styles/avoidant/", "/assets/style.css"] {
            let (_, headers, _) = send(&router, get(path)).await;
            let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.starts_with("sandbox;") && !csp.contains("script-src"), "{path}: {csp}");
        }
        let assets = dir.path().join("themes/default/static/assets");
        std::fs::write(assets.join("evil.js"), "alert(1)").unwrap();
        std::os::unix::fs::symlink("../../../../.git/config", assets.join("git.css")).unwrap();
        for path in ["/assets/evil.js", "/assets/git.css"] {
            let (status, _, body) = send(&router, get(path)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }

        // A decision without a session, or with a forged cookie, is refused.
        let body = serde_json::json!({ "subject": "styles/avoidant", "blob": "0".repeat(40), "sha256": "0".repeat(64), "ledger": "", "decision": "approved", "text": "x" });
        let (status, _, answer) =
            send(&router, post("/api/decide/begin", Some(ORIGIN), Some("forged"), body.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        let (status, _, answer) = send(&router, post("/api/decide/begin", Some(ORIGIN), Some(&secret), body)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert!(answer.contains("\"code\":\"file-moved\""), "{answer}");
        // An oversized body is refused.
        let huge = serde_json::json!({ "invitation": "x".repeat(100_000) });
        let (status, _, _) = send(&router, post("/api/enrol/begin", Some(ORIGIN), None, huge)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
