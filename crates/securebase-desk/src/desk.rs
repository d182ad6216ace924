//! The desk's state and what it does: the content as committed, who is
//! signed in, the challenges handed out, and the three ceremonies (sign in,
//! enrol, decide), each checked by the library's rules before anything is
//! written.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use securebase::decision::{Draft, Refusal, Request};
use securebase::git::{History, Repo};
use securebase::passkey::{self, Assertion, PasskeySignature};
use securebase::{BlobId, Date, Decision, Library, PersonId, Role, Sha256, SigningKey, Subject, TrustRoot};

use crate::invite::{Invitations, InviteError};
use crate::secret;

/// The SSHSIG namespace of sign-in assertions: never `securebase-review`,
/// so that no sign-in can be replayed as an approval.
pub const SIGN_IN_NAMESPACE: &str = "securebase-desk-sign-in";

/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// How long a challenge may wait for the person's touch.
const CHALLENGE_TTL: Duration = Duration::from_secs(300);

/// The most challenges waiting at once: a flood of requests cannot grow
/// the desk's memory without bound.
const MAX_PENDING: usize = 10_000;

/// Why a request was refused. Nothing is written when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// No valid session.
    #[error("sign in first")]
    SignedOut,
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The library's rules refuse it.
    #[error("{message}")]
    Refused {
        /// A stable name (`file-moved`, `ledger-moved`, `signer`, `signature` ...).
        code: &'static str,
        /// Why, in words.
        message: String,
    },
    /// The invitation cannot be used.
    #[error(transparent)]
    Invite(#[from] InviteError),
    /// The content or git failed.
    #[error("{0}")]
    Internal(String),
}

impl DeskError {
    /// The stable name of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::SignedOut => "signed-out",
            DeskError::BadRequest(_) => "bad-request",
            DeskError::Refused { code, .. } => code,
            DeskError::Invite(InviteError::Expired) => "invitation-expired",
            DeskError::Invite(_) => "invitation",
            DeskError::Internal(_) => "internal",
        }
    }

    fn refused(code: &'static str, message: impl Into<String>) -> DeskError {
        DeskError::Refused { code, message: message.into() }
    }
}

impl From<Refusal> for DeskError {
    fn from(refusal: Refusal) -> DeskError {
        DeskError::Refused { code: refusal.code(), message: refusal.to_string() }
    }
}

/// The content as one commit holds it, loaded once per HEAD.
#[derive(Clone)]
pub struct Snapshot {
    /// The commit.
    pub head: Option<String>,
    /// The working tree's library.
    pub library: Library,
    /// Every person's keys as production counts them.
    pub keys: BTreeMap<PersonId, Vec<SigningKey>>,
    /// Every person's editor-approved people file: whose role and licence
    /// count.
    pub people: BTreeMap<PersonId, securebase::Person>,
    /// The history of every content file, for ages.
    pub history: History,
    /// The working theme's listing (`securebase::trust::theme_listing`):
    /// its version, and what a decision on the theme signs.
    pub theme_listing: Option<String>,
}

/// Someone signed in.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub person: PersonId,
    expires: Instant,
}

/// A challenge handed out, waiting for the authenticator's answer.
enum Pending {
    SignIn { nonce: Vec<u8> },
    Enrol { secret: String, challenge: Vec<u8> },
    Decide { person: PersonId, draft: Box<Draft> },
}

/// What the desk was started with.
#[derive(Debug, Clone)]
pub struct DeskOptions {
    /// The project (a git work tree).
    pub root: PathBuf,
    /// The origin browsers reach the desk at (`https://review.example.org`,
    /// or `http://localhost:8417` on loopback); its host is the passkeys'
    /// relying party id.
    pub origin: String,
    /// The deployment's trust root (editors and their keys).
    pub trust_root: TrustRoot,
    /// A remote to push each recorded decision to.
    pub push: Option<String>,
}

/// The review desk.
pub struct Desk {
    /// What it was started with.
    pub options: DeskOptions,
    /// The relying party id: the origin's host.
    pub rp_id: String,
    repo: Repo,
    invitations: Invitations,
    lock: PathBuf,
    today: Box<dyn Fn() -> Date + Send + Sync>,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    sessions: Mutex<HashMap<String, Session>>,
    pending: Mutex<HashMap<String, (Instant, Pending)>>,
    /// Held while a decision or an enrolment is written and committed.
    writing: Mutex<()>,
}

/// The host of an origin (`https://review.example.org:8443` is
/// `review.example.org`).
pub fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"))?;
    let host = rest.rsplit_once(':').map_or(rest, |(host, _)| host);
    (!host.is_empty() && !host.contains(['/', '@', '?', '#'])).then_some(host)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Desk {
    /// A desk over the repository at `options.root`; `today` says the date
    /// records are made on.
    pub fn new(options: DeskOptions, today: Box<dyn Fn() -> Date + Send + Sync>) -> Result<Desk, DeskError> {
        let rp_id = origin_host(&options.origin)
            .ok_or_else(|| {
                DeskError::BadRequest(format!(
                    "`{}` is not an origin such as https://review.example.org",
                    options.origin
                ))
            })?
            .to_owned();
        let repo = Repo::open(&options.root).map_err(|e| DeskError::Internal(e.to_string()))?;
        let lock = repo.review_lock().map_err(|e| DeskError::Internal(e.to_string()))?;
        let invitations = Invitations::in_git_dir(lock.parent().unwrap_or(Path::new(".")));
        Ok(Desk {
            options,
            rp_id,
            repo,
            invitations,
            lock,
            today,
            snapshot: RwLock::new(None),
            sessions: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            writing: Mutex::new(()),
        })
    }

    /// Today, as records are dated.
    pub fn today(&self) -> Date {
        (self.today)()
    }

    /// The text of `blob`, a version of `file`, from git.
    pub fn read_blob(&self, blob: &BlobId, file: &Path) -> Option<String> {
        let blobs = self.repo.read_blobs(&[(blob.clone(), file.to_path_buf())]).ok()?;
        blobs.get(blob).map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// The repository's invitations.
    pub fn invitations(&self) -> &Invitations {
        &self.invitations
    }

    /// The content as HEAD holds it, loaded again when HEAD has moved.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, DeskError> {
        let head = self.repo.head();
        if let Some(snapshot) = self.snapshot.read().unwrap_or_else(|e| e.into_inner()).as_ref()
            && snapshot.head == head
        {
            return Ok(snapshot.clone());
        }
        let library = Library::load(&self.options.root).map_err(|diagnostics| {
            let lines: Vec<String> = diagnostics.errors().map(|d| d.to_string()).collect();
            DeskError::Internal(format!("the content does not load:\n{}", lines.join("\n")))
        })?;
        let people = library.approved_people(&self.repo, &self.options.trust_root).map_err(|e| match e {
            securebase::EditionError::Trust(d) => {
                let lines: Vec<String> = d.errors().map(|d| d.to_string()).collect();
                DeskError::Internal(format!("the editorial approvals do not hold:\n{}", lines.join("\n")))
            }
            other => DeskError::Internal(other.to_string()),
        })?;
        let history = self.repo.history().map_err(|e| DeskError::Internal(e.to_string()))?;
        // Ledgers are append-only: a desk over a history that takes an
        // approval back (a key an editor retired, brought back) refuses to
        // work, as production refuses to build.
        library.check_history(&self.repo, &history).map_err(|e| match e {
            securebase::EditionError::Trust(d) => {
                let lines: Vec<String> = d.errors().map(|d| d.to_string()).collect();
                DeskError::Internal(format!("the ledgers' history does not hold:\n{}", lines.join("\n")))
            }
            other => DeskError::Internal(other.to_string()),
        })?;
        let theme_listing = securebase::trust::working_theme(&self.options.root, &library.config().theme)
            .ok()
            .map(|files| securebase::trust::theme_listing(&files));
        let keys = securebase::counted_keys(&people, &self.options.trust_root);
        let snapshot = Arc::new(Snapshot { head, library, keys, people, history, theme_listing });
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Brings the snapshot `before` (the one the decision was made on) up
    /// to `commit`, which appended `record` as `draft` said, without
    /// loading every file again: the ledger gains the record, and for a
    /// people file the keys that count are worked out again. Any other
    /// change since `before` means a full load on the next request.
    fn advance(&self, before: Option<&str>, commit: &str, draft: &Draft, record: securebase::LedgerRecord) {
        let mut cached = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        let fresh = before.is_some() && self.repo.parent(commit).as_deref() == before;
        let ledger = std::fs::read(self.options.root.join(&draft.ledger)).ok().map(|bytes| BlobId::of(&bytes));
        let taken = cached.take();
        let (true, Some(ledger), Some(mut arc)) = (fresh, ledger, taken) else { return };
        // Only the snapshot the draft was made against gains the record:
        // its ledger must be the one the record was appended to.
        let held = match &draft.subject {
            Subject::Item(item) => arc.library.ledger(item).map(|l| l.blob.clone()),
            subject => {
                let editorial = arc.library.editorial_ledgers().iter().find(|l| &l.subject.subject() == subject);
                editorial.map(|l| l.blob.clone())
            }
        };
        if arc.head.as_deref() != before || held != draft.ledger_blob {
            return;
        }
        // In place when no request holds this snapshot; else on a copy.
        let snapshot = Arc::make_mut(&mut arc);
        snapshot.library.record_appended(&draft.subject, record, ledger);
        if let Subject::Person(_) = &draft.subject {
            match snapshot.library.approved_people(&self.repo, &self.options.trust_root) {
                Ok(people) => {
                    snapshot.keys = securebase::counted_keys(&people, &self.options.trust_root);
                    snapshot.people = people;
                }
                Err(_) => return,
            }
        }
        snapshot.head = Some(commit.to_owned());
        *cached = Some(arc);
    }

    /// The person a session cookie's secret names, if it is still valid.
    pub fn session(&self, cookie: &str) -> Option<Session> {
        let mut sessions = lock(&self.sessions);
        let key = secret::digest(cookie);
        match sessions.get(&key) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                sessions.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn sign_out(&self, cookie: &str) {
        lock(&self.sessions).remove(&secret::digest(cookie));
    }

    fn hand_out(&self, pending: Pending) -> Result<String, DeskError> {
        let id = secret::token();
        let now = Instant::now();
        let mut map = lock(&self.pending);
        if map.len() >= MAX_PENDING {
            map.retain(|_, (at, _)| now.duration_since(*at) < CHALLENGE_TTL);
        }
        if map.len() >= MAX_PENDING {
            return Err(DeskError::refused(
                "busy",
                "the desk has too many requests waiting; try again in a few minutes",
            ));
        }
        map.insert(id.clone(), (now, pending));
        Ok(id)
    }

    /// Takes a challenge back, once: a second answer to it is refused.
    fn take(&self, id: &str) -> Result<Pending, DeskError> {
        match lock(&self.pending).remove(id) {
            Some((at, pending)) if at.elapsed() < CHALLENGE_TTL => Ok(pending),
            _ => Err(DeskError::refused("challenge", "this request was answered already or has expired; start again")),
        }
    }

    /// Whether `person` is an editor: the trust root names them.
    pub fn is_editor(&self, person: &PersonId) -> bool {
        !self.options.trust_root.keys_of(person).is_empty()
    }

    /// Whether `person` holds the clinical reviewer role.
    pub fn is_reviewer(snapshot: &Snapshot, person: &PersonId) -> bool {
        snapshot.library.person(person).is_some_and(|p| p.has_role(Role::ClinicalReviewer))
    }

    /// The passkeys of `person` that count (production's view), for this
    /// desk's relying party.
    fn passkeys<'s>(&self, snapshot: &'s Snapshot, person: &PersonId) -> Vec<&'s SigningKey> {
        let keys = snapshot.keys.get(person).map(Vec::as_slice).unwrap_or_default();
        keys.iter().filter(|k| passkey::application(&k.key) == Some(self.rp_id.as_str())).collect()
    }

    // ------------------------------------------------------------ sign in

    /// Starts signing in: the challenge id and the challenge.
    pub fn sign_in_begin(&self) -> Result<(String, Vec<u8>), DeskError> {
        let nonce = secret::nonce();
        let challenge = passkey::challenge(SIGN_IN_NAMESPACE, &nonce);
        Ok((self.hand_out(Pending::SignIn { nonce })?, challenge))
    }

    /// Finishes signing in with the authenticator's answer for `person`
    /// (the credential's user handle): the new session's cookie secret.
    pub fn sign_in_finish(&self, id: &str, person: &PersonId, assertion: &Assertion) -> Result<String, DeskError> {
        let Pending::SignIn { nonce } = self.take(id)? else {
            return Err(DeskError::BadRequest("not a sign-in challenge".into()));
        };
        self.origin_is_ours(assertion)?;
        let snapshot = self.snapshot()?;
        let keys = self.passkeys(&snapshot, person);
        if keys.is_empty() {
            return Err(DeskError::refused(
                "no-key",
                format!("{person} has no passkey that counts yet: an editor approves the people file that lists it"),
            ));
        }
        verify_any(&keys, SIGN_IN_NAMESPACE, assertion, &nonce)?;
        let cookie = secret::token();
        let session = Session { person: person.clone(), expires: Instant::now() + SESSION_TTL };
        lock(&self.sessions).insert(secret::digest(&cookie), session);
        Ok(cookie)
    }

    fn origin_is_ours(&self, assertion: &Assertion) -> Result<(), DeskError> {
        if assertion.origin != self.options.origin {
            return Err(DeskError::refused(
                "origin",
                format!("the passkey answered {}, not this desk ({})", assertion.origin, self.options.origin),
            ));
        }
        Ok(())
    }

    // ------------------------------------------------------------- enrol

    /// Starts enrolling with an invitation: the challenge id, the
    /// challenge, and who is invited.
    pub fn enrol_begin(&self, secret: &str) -> Result<(String, Vec<u8>, PersonId), DeskError> {
        let invitation = self.invitations.open(secret)?;
        let challenge = secret::nonce();
        let id = self.hand_out(Pending::Enrol { secret: secret.to_owned(), challenge: challenge.clone() })?;
        Ok((id, challenge, invitation.person))
    }

    /// Finishes enrolling: checks the browser's client data, writes the
    /// passkey's key line into the person's people file and commits it (it
    /// counts once an editor approves that file). Returns the key line.
    pub fn enrol_finish(&self, id: &str, client_data_json: &[u8], spki: &[u8]) -> Result<String, DeskError> {
        let Pending::Enrol { secret, challenge } = self.take(id)? else {
            return Err(DeskError::BadRequest("not an enrolment challenge".into()));
        };
        // The invitation is opened and used up under the lock: two answers
        // to one link register one key.
        let _writing = lock(&self.writing);
        let invitation = self.invitations.open(&secret)?;
        let client: serde_json::Value = serde_json::from_slice(client_data_json)
            .map_err(|_| DeskError::BadRequest("the client data is not JSON".into()))?;
        if client["type"] != "webauthn.create" || client["challenge"] != secret::b64url(&challenge).as_str() {
            return Err(DeskError::refused("client-data", "the browser's answer is not for this enrolment"));
        }
        if client["origin"] != self.options.origin.as_str() {
            return Err(DeskError::refused("origin", "the passkey was made for another site than this desk"));
        }
        let point = passkey::point_of_spki(spki).map_err(|e| DeskError::BadRequest(e.to_string()))?;
        let comment = format!("{} passkey, enrolled {}", invitation.person, self.today());
        let line =
            passkey::key_line(&point, &self.rp_id, &comment).map_err(|e| DeskError::BadRequest(e.to_string()))?;
        let snapshot = self.snapshot()?;
        let person = snapshot.library.person(&invitation.person).ok_or_else(|| {
            DeskError::refused("no-subject", format!("there is no people file for {}", invitation.person))
        })?;
        let path = self.options.root.join(&person.path);
        let text = std::fs::read_to_string(&path).map_err(|e| DeskError::Internal(e.to_string()))?;
        std::fs::write(&path, with_key(&text, &line)).map_err(|e| DeskError::Internal(e.to_string()))?;
        let message = format!(
            "People: a passkey for {} (enrolled at the review desk; it counts once an editor approves people/{})",
            invitation.person, invitation.person
        );
        self.invitations.consume(&secret)?;
        if let Err(e) = self.repo.commit(&[person.path.as_path()], &message, &person.name, &person.email) {
            let _ = std::fs::write(&path, text);
            return Err(DeskError::Internal(e.to_string()));
        }
        Ok(line)
    }

    // ------------------------------------------------------------ decide

    /// Starts a decision on the version the page showed: refused when the
    /// file (`blob`, `sha256`) or the ledger (`ledger`, its blob, or none)
    /// moved since, or when the rules refuse. Returns the challenge id and
    /// the challenge (the SSHSIG signed data of the record's statement).
    pub fn decide_begin(
        &self,
        person: &PersonId,
        request: &Request<'_>,
        shown: (&BlobId, &Sha256, Option<&BlobId>),
    ) -> Result<(String, Vec<u8>), DeskError> {
        let snapshot = self.snapshot()?;
        let mut draft = snapshot.library.draft(&self.repo, request, Some(&self.options.trust_root))?;
        let (blob, sha256, ledger) = shown;
        if &draft.record.blob != blob || draft.record.sha256.as_ref() != Some(sha256) {
            return Err(Refusal::FileMoved { file: draft.file.clone(), now: draft.record.blob.clone() }.into());
        }
        if draft.ledger_blob.as_ref() != ledger {
            return Err(Refusal::LedgerMoved(draft.ledger.clone()).into());
        }
        // Production judges a clinician by their approved people file: its
        // role and licence, not the working tree's.
        if let Subject::Item(_) = request.subject {
            let today = self.today();
            let refusal = match snapshot.people.get(person) {
                None => {
                    Some(format!("{person} has no people file an editor approved, so production would not count this"))
                }
                Some(p) => securebase::clinician_refusal(p, today)
                    .map(|(reason, _)| format!("in their approved people file: {reason}")),
            };
            if let Some(message) = refusal {
                return Err(DeskError::refused("signer", message));
            }
        }
        draft.count_only(snapshot.keys.get(person).map(Vec::as_slice).unwrap_or_default());
        if !draft.keys().iter().any(|k| passkey::application(&k.key) == Some(self.rp_id.as_str())) {
            return Err(DeskError::refused(
                "no-key",
                "you have no passkey that counts for this: an editor approves the people file that lists it",
            ));
        }
        let challenge = passkey::challenge(securebase::trust::NAMESPACE, draft.statement.as_bytes());
        Ok((self.hand_out(Pending::Decide { person: person.clone(), draft: Box::new(draft) })?, challenge))
    }

    /// Finishes a decision with the authenticator's answer: the record is
    /// appended and committed (and pushed), or nothing is written.
    /// Returns what was done, in words.
    pub fn decide_finish(&self, person: &PersonId, id: &str, assertion: &Assertion) -> Result<String, DeskError> {
        let Pending::Decide { person: asked, draft } = self.take(id)? else {
            return Err(DeskError::BadRequest("not a decision challenge".into()));
        };
        if &asked != person {
            return Err(DeskError::refused("signer", "this decision was started by someone else"));
        }
        self.origin_is_ours(assertion)?;
        let keys: Vec<&SigningKey> =
            draft.keys().iter().filter(|k| passkey::application(&k.key) == Some(self.rp_id.as_str())).collect();
        let mut refusal = None;
        let mut signed = None;
        for key in keys {
            let Ok(signature) = passkey::armor(&key.key, securebase::trust::NAMESPACE, assertion) else { continue };
            match draft.check(&signature) {
                Ok(_) => {
                    signed = Some(signature);
                    break;
                }
                Err(r) => refusal = refusal.or(Some(r)),
            }
        }
        let Some(signature) = signed else {
            return Err(match refusal {
                Some(Refusal::Signature { refusal: securebase::trust::Refusal::Mismatch, .. }) => DeskError::refused(
                    "signature",
                    "this passkey answer is not a signature of this record by one of your passkeys: it was made for another \
                     record (another subject, version, text or date) or by another key, and an answer cannot be replayed",
                ),
                Some(other) => other.into(),
                None => DeskError::refused("signature", "no passkey of yours signed this"),
            });
        };
        let _writing = lock(&self.writing);
        // The snapshot is taken before the record is on disk: a full load
        // after would already hold it, and advancing that would count it twice.
        let snapshot = self.snapshot()?;
        let before = snapshot.head.clone();
        let ledger_path = self.options.root.join(&draft.ledger);
        let ledger_before = std::fs::read(&ledger_path).ok();
        let record = draft.append(&self.options.root, &self.lock, &signature)?;
        let who = snapshot.library.person(person);
        let what = match (&draft.subject, record.decision) {
            (Subject::Item(item), Decision::Approved) => {
                let number = snapshot.library.review(item, self.today()).map_or(1, |r| {
                    r.versions
                        .iter()
                        .find(|v| *v.blob == record.blob)
                        .map_or(r.versions.len() + 1, |v| v.number as usize)
                });
                format!("{item} version {number} approved by {person}")
            }
            (subject, Decision::Approved) => format!("{subject} approved by {person}"),
            (subject, _) => format!("changes requested to {subject} by {person}"),
        };
        let message = format!("Review: {what}");
        let (name, email) = who.map_or((person.to_string(), String::new()), |p| (p.name.clone(), p.email.clone()));
        drop(snapshot);
        let commit = match self.repo.commit(&[draft.ledger.as_path()], &message, &name, &email) {
            Ok(commit) => commit,
            Err(e) => {
                // Not committed (HEAD is where it was): the ledger goes back
                // to its exact bytes, so that nothing uncommitted is left.
                if self.repo.head() == before {
                    let restored = match &ledger_before {
                        Some(bytes) => std::fs::write(&ledger_path, bytes),
                        None => std::fs::remove_file(&ledger_path),
                    };
                    restored.map_err(|e| DeskError::Internal(e.to_string()))?;
                }
                return Err(DeskError::Internal(e.to_string()));
            }
        };
        self.advance(before.as_deref(), &commit, &draft, record);
        if let Some(remote) = &self.options.push {
            self.repo.push_replaying(remote).map_err(|e| {
                DeskError::Internal(format!("recorded and committed ({commit}), but not pushed to {remote}: {e}"))
            })?;
        }
        Ok(format!("{what}; committed {}", &commit[..12.min(commit.len())]))
    }
}

/// Checks an assertion over `message` against each key until one verifies.
fn verify_any(keys: &[&SigningKey], namespace: &str, assertion: &Assertion, message: &[u8]) -> Result<(), DeskError> {
    let mut last = None;
    for key in keys {
        let Ok(armored) = passkey::armor(&key.key, namespace, assertion) else { continue };
        let Some(Ok(signature)) = PasskeySignature::parse(&armored) else { continue };
        match signature.verify(message, key.verify_required) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(DeskError::refused(
        "signature",
        last.map_or_else(|| "the passkey's answer does not parse".to_owned(), |e| e.to_string()),
    ))
}

/// A people file's text with `line` added to its `signing_keys`.
pub(crate) fn with_key(text: &str, line: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if let Some(at) = lines.iter().position(|l| l.trim_end() == "signing_keys: []") {
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        out[at] = format!("signing_keys:\n  - {line}");
        return out.join("\n") + "\n";
    }
    let Some(start) = lines.iter().position(|l| l.trim_end() == "signing_keys:") else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("signing_keys:\n  - {line}\n"));
        return out;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| !(l.starts_with(' ') || l.starts_with("- ") || l.is_empty()))
        .map_or(lines.len(), |i| start + 1 + i);
    let mut out: Vec<String> = lines[..end].iter().map(|l| (*l).to_owned()).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.push(format!("  - {line}"));
    out.extend(lines[end..].iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_joins_the_people_files_list_or_starts_one() {
        assert_eq!(with_key("name: R\n", "sk-x AAAA c"), "name: R\nsigning_keys:\n  - sk-x AAAA c\n");
        assert_eq!(with_key("name: R", "sk-x AAAA c"), "name: R\nsigning_keys:\n  - sk-x AAAA c\n");
        assert_eq!(with_key("signing_keys: []\nbio: B\n", "sk-x AAAA c"), "signing_keys:\n  - sk-x AAAA c\nbio: B\n");
        assert_eq!(
            with_key("name: R\nsigning_keys:\n  - ssh-ed25519 AAAA a\nbio: B\n", "sk-x AAAA c"),
            "name: R\nsigning_keys:\n  - ssh-ed25519 AAAA a\n  - sk-x AAAA c\nbio: B\n"
        );
        assert_eq!(
            with_key("signing_keys:\n  - key: ssh-ed25519 AAAA a\n    valid_after: 2026-01-01\n", "sk-x AAAA c"),
            "signing_keys:\n  - key: ssh-ed25519 AAAA a\n    valid_after: 2026-01-01\n  - sk-x AAAA c\n"
        );
    }

    #[test]
    fn the_relying_party_is_the_origins_host() {
        assert_eq!(origin_host("http://localhost:8417"), Some("localhost"));
        assert_eq!(origin_host("https://review.example.org"), Some("review.example.org"));
        assert_eq!(origin_host("https://user@evil.example"), None);
        assert_eq!(origin_host("review.example.org"), None);
    }
}
