//! `xtask desk-speed --corpus DIR`: the review desk's server time on a
//! benchmark corpus, served from a warm desk in this process (the router
//! itself, no network): the queue page, a review page with a rendered diff,
//! and an approval from its first request to the committed record, less
//! the person's touch (the authenticator is software here, and its signing
//! is not timed).
//!
//! It works on a clone of DIR/securebase. Riley, the corpus's fictional
//! clinician, gets a passkey (a P-256 key from a fixed seed), listed in
//! the people file and approved by the corpus's editor, as the desk's
//! enrolment and an editor's approval would make it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, header};
use base64ct::{Base64UrlUnpadded, Encoding as _};
use p256::ecdsa::signature::Signer as _;
use securebase::{BlobId, LedgerRecord, Library, Sha256, State, Subject, TrustRoot};
use sha2::Digest as _;
use tower::ServiceExt as _;

use crate::{EDITOR_SEED, Signer, commit, git, write_ledger};

const ORIGIN: &str = "http://localhost:8417";

/// Riley's passkey: a software authenticator.
struct Passkey(p256::ecdsa::SigningKey);

impl Passkey {
    fn answer(&self, id: &str, challenge: &[u8], user: Option<&str>) -> serde_json::Value {
        let client = format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"{ORIGIN}\",\"crossOrigin\":false}}",
            Base64UrlUnpadded::encode_string(challenge)
        );
        let mut data = sha2::Sha256::digest(b"localhost").to_vec();
        data.push(0x05);
        data.extend_from_slice(&1u32.to_be_bytes());
        let mut signed = data.clone();
        signed.extend_from_slice(&sha2::Sha256::digest(client.as_bytes()));
        let signature: p256::ecdsa::Signature = self.0.sign(&signed);
        serde_json::json!({
            "id": id,
            "authenticatorData": Base64UrlUnpadded::encode_string(&data),
            "clientDataJSON": Base64UrlUnpadded::encode_string(client.as_bytes()),
            "signature": Base64UrlUnpadded::encode_string(signature.to_der().as_bytes()),
            "userHandle": user.map(|u| Base64UrlUnpadded::encode_string(u.as_bytes())),
        })
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Measures the desk over a clone of the corpus at `corpus`, `runs` times each.
pub fn desk_speed(corpus: &Path, runs: usize) -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("securebase-desk-speed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let root = work.join("repo");
    let source = corpus.join("securebase");
    git(&work, &["clone", "-q", source.to_str().context("a UTF-8 path")?, root.to_str().context("a UTF-8 path")?])?;

    // Riley's passkey, listed and approved by the corpus's editor.
    let passkey = Passkey(p256::ecdsa::SigningKey::from_bytes(&[0xA5; 32].into())?);
    let point = passkey.0.verifying_key().to_encoded_point(false);
    let line = securebase::passkey::key_line(point.as_bytes(), "localhost", "riley-example passkey (fictional)")?;
    let people = root.join("content/people/riley-example.yaml");
    let text = std::fs::read_to_string(&people)?;
    std::fs::write(&people, format!("{text}  - {line}\n"))?;
    commit(&root, "riley@example.invalid", "A passkey for Riley")?;
    let editor = Signer::new("corpus-team", &EDITOR_SEED)?;
    let subject: Subject = "people/riley-example".parse()?;
    let ledger = root.join(securebase::ProjectLayout::ledger(&subject));
    let mut records: Vec<LedgerRecord> = serde_yaml::from_str(&std::fs::read_to_string(&ledger)?)?;
    let record =
        editor.approve(&subject, &records, &std::fs::read(&people)?, "2026-12-01", "Riley's passkey.", Vec::new())?;
    records.push(record);
    write_ledger(&root, &subject, &records)?;
    commit(&root, "team@example.invalid", "Review: people/riley-example approved by corpus-team")?;

    let trust_root =
        TrustRoot::read(&corpus.join("trust-root")).map_err(|_| anyhow::anyhow!("the corpus's trust root"))?;
    let options = securebase_desk::DeskOptions { root: root.clone(), origin: ORIGIN.into(), trust_root, push: None };
    let desk = Arc::new(securebase_desk::Desk::new(options, Box::new(|| "2026-12-07".parse().expect("a date")))?);
    let cold = Instant::now();
    let snapshot = desk.snapshot()?;
    let load = cold.elapsed();
    let items = snapshot.library.all_items().count();
    let today = desk.today();
    let in_state = |state: State| -> Vec<String> {
        snapshot.library.reviews(today).filter(|r| r.state == state).map(|r| r.item.to_string()).collect()
    };
    let (changed, never) = (in_state(State::ChangedSinceApproval), in_state(State::NeverReviewed));
    anyhow::ensure!(changed.len() >= runs && never.len() >= runs, "the corpus has too few items for {runs} runs");
    drop(snapshot);

    let (id, challenge) = desk.sign_in_begin()?;
    let answer = passkey.answer(&id, &challenge, Some("riley-example"));
    let assertion = securebase::passkey::Assertion {
        authenticator_data: Base64UrlUnpadded::decode_vec(answer["authenticatorData"].as_str().unwrap_or_default())?,
        client_data_json: Base64UrlUnpadded::decode_vec(answer["clientDataJSON"].as_str().unwrap_or_default())?,
        signature_der: Base64UrlUnpadded::decode_vec(answer["signature"].as_str().unwrap_or_default())?,
        origin: ORIGIN.into(),
    };
    let cookie = format!("securebase_desk={}", desk.sign_in_finish(&id, &"riley-example".parse()?, &assertion)?);
    let router = securebase_desk::router(desk.clone());
    let runtime = tokio::runtime::Runtime::new()?;

    let get = |path: String| {
        let request = Request::get(path).header(header::COOKIE, &cookie).body(Body::empty());
        let router = router.clone();
        runtime.block_on(async move {
            let started = Instant::now();
            let response = router.oneshot(request?).await?;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await?;
            anyhow::ensure!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
            Ok::<_, anyhow::Error>((started.elapsed(), bytes.len()))
        })
    };
    let post = |path: &str, body: serde_json::Value| {
        let request = Request::post(path)
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()));
        let router = router.clone();
        runtime.block_on(async move {
            let started = Instant::now();
            let response = router.oneshot(request?).await?;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
            let elapsed = started.elapsed();
            anyhow::ensure!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
            Ok::<_, anyhow::Error>((elapsed, serde_json::from_slice::<serde_json::Value>(&bytes)?))
        })
    };

    get("/".into())?; // warm
    let mut queue = Vec::new();
    let mut queue_bytes = 0;
    for _ in 0..runs {
        let (time, bytes) = get("/".into())?;
        queue.push(time);
        queue_bytes = bytes;
    }
    let mut review = Vec::new();
    for item in changed.iter().take(runs) {
        review.push(get(format!("/review/{item}"))?.0);
    }
    let mut approval = Vec::new();
    for item in never.iter().take(runs) {
        let subject: Subject = item.parse()?;
        let file = root.join(desk.snapshot()?.library.subject_file(&subject).context("the item's file")?);
        let bytes = std::fs::read(&file)?;
        let ledger = std::fs::read(root.join(securebase::ProjectLayout::ledger(&subject))).ok().map(|b| BlobId::of(&b));
        let begin = serde_json::json!({
            "subject": item,
            "blob": BlobId::of(&bytes).as_str(),
            "sha256": Sha256::of(&bytes).as_str(),
            "ledger": ledger.as_ref().map_or("", BlobId::as_str),
            "decision": "approved",
            "text": "Checked for the benchmark.",
        });
        let (first, begun) = post("/api/decide/begin", begin)?;
        let challenge = Base64UrlUnpadded::decode_vec(begun["challenge"].as_str().unwrap_or_default())?;
        let answer = passkey.answer(begun["id"].as_str().unwrap_or_default(), &challenge, None);
        let (second, done) = post("/api/decide/finish", answer)?;
        anyhow::ensure!(done["ok"] == true, "{done}");
        approval.push(first + second);
    }
    // Every approval landed as a verified record a full load accepts.
    let library =
        Library::load(&root).map_err(|d| anyhow::anyhow!("{} error(s) after the approvals", d.error_count()))?;
    let approved = never
        .iter()
        .take(runs)
        .filter(|i| i.parse().ok().and_then(|r| library.review(&r, today)).is_some_and(|r| r.state == State::Approved))
        .count();
    anyhow::ensure!(approved == runs, "{approved} of {runs} approvals landed");
    println!(
        "{items} items: cold load {:.2} s; queue page {} (median of {runs}, {} KB); review page with a diff {} (median of {runs}); approval, first request to committed record, less the touch {} (median of {runs}, slowest {})",
        load.as_secs_f64(),
        ms(median(queue.clone())),
        queue_bytes / 1024,
        ms(median(review.clone())),
        ms(median(approval.clone())),
        ms(approval.iter().max().copied().unwrap_or_default()),
    );
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
