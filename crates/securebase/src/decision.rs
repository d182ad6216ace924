//! One path from a reviewer's decision to a ledger record, for every front
//! end (the CLI's `review approve` and `request-changes`, the review desk).
//!
//! [`Library::draft`] checks who may sign what, reads the subject's
//! committed bytes, and gives a [`Draft`]: the unsigned record, the
//! statement to sign, and the state of the ledger it chains to; or a
//! [`Refusal`] that says why not. The front end has the statement signed
//! (the CLI through `ssh-keygen`, the desk through a passkey) and
//! [`Draft::append`] checks the signature against the keys the signer may
//! use, locks the ledger, checks that neither the file nor the ledger moved
//! since the draft, and appends the record. Nothing here signs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::git::{FileStatus, GitError, Repo};
use crate::layout::{ProjectLayout, ThemeFilesError};
use crate::library::Library;
use crate::model::*;
pub use crate::review::Action;
use crate::trust::{self, TrustRoot};

/// What a signer decided, before anything is checked.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// What it is about.
    pub subject: &'a Subject,
    /// Who decides.
    pub signer: &'a PersonId,
    /// Approved, or changes requested.
    pub decision: Decision,
    /// The summary of what changed, or the notes on what must change.
    pub text: &'a str,
    /// The record's date.
    pub on: Date,
}

/// An unsigned record, ready to be signed and appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// What the record is about.
    pub subject: Subject,
    /// The record, without its signature.
    pub record: LedgerRecord,
    /// The canonical statement the signer signs ([`trust::statement`]).
    pub statement: String,
    /// The subject's file (project-relative); for the theme, its folder.
    pub file: PathBuf,
    /// The ledger (project-relative).
    pub ledger: PathBuf,
    /// The ledger's blob when drafted, `None` when it did not exist: the
    /// record chains to this ledger and no other.
    pub ledger_blob: Option<BlobId>,
    /// The keys the signer may sign with, and where they were found.
    keys: Vec<SigningKey>,
    found_in: &'static str,
}

/// Why a decision cannot be recorded. Nothing is written when one is
/// returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The summary or notes are empty.
    #[error("say what changed (a summary) or what must change (notes); the text is shown in the version history")]
    EmptyText,
    /// No such item or person.
    #[error("there is no {0}")]
    NoSubject(Subject),
    /// The signer may not sign this record.
    #[error("{reason}")]
    Signer {
        /// Why, in words.
        reason: String,
        /// What would help.
        action: Action,
    },
    /// The file has changes git does not hold.
    #[error(
        "{} {}; commit it first, so that the approved version is in git for the production build to read",
        path.display(),
        if *untracked { "is not committed" } else { "has uncommitted changes" }
    )]
    Uncommitted {
        /// The file.
        path: PathBuf,
        /// Whether git does not know it at all.
        untracked: bool,
    },
    /// git holds other bytes for the file than the disk.
    #[error(
        "the committed version of {} differs from its bytes on disk (a git filter or line-ending conversion?); the approved blob must be the one in git",
        .0.display()
    )]
    NotAsCommitted(PathBuf),
    /// The file changed since the version the signer looked at.
    #[error("{} changed since you opened it (it is now blob {now}); review the new version", file.display())]
    FileMoved {
        /// The file.
        file: PathBuf,
        /// Its blob now.
        now: BlobId,
    },
    /// The ledger gained or lost a record since the draft.
    #[error("{} changed since you opened the review (someone else recorded a decision); review it again", .0.display())]
    LedgerMoved(PathBuf),
    /// The signature is not one the signer may make.
    #[error("{refusal}")]
    Signature {
        /// Why.
        refusal: trust::Refusal,
        /// The signer's people file, where a missing key would be listed.
        people_file: PathBuf,
    },
    /// The theme's files cannot be listed.
    #[error(transparent)]
    Theme(#[from] ThemeFilesError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// Reading or writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Refusal {
    /// A stable name for the refusal, for scripts and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::EmptyText => "empty-text",
            Refusal::NoSubject(_) => "no-subject",
            Refusal::Signer { .. } => "signer",
            Refusal::Uncommitted { .. } => "uncommitted",
            Refusal::NotAsCommitted(_) => "not-as-committed",
            Refusal::FileMoved { .. } => "file-moved",
            Refusal::LedgerMoved(_) => "ledger-moved",
            Refusal::Signature { .. } => "signature",
            Refusal::Theme(_) => "theme",
            Refusal::Git(_) => "git",
            Refusal::Io { .. } => "io",
        }
    }

    /// What would help.
    pub fn action(&self) -> Action {
        match self {
            Refusal::EmptyText => Action::WriteText,
            Refusal::NoSubject(_) => Action::ChooseSubject,
            Refusal::Signer { action, .. } => action.clone(),
            Refusal::Uncommitted { path, .. } => Action::Commit(path.clone()),
            Refusal::FileMoved { .. } | Refusal::LedgerMoved(_) => Action::ReviewAgain,
            Refusal::Signature { refusal: trust::Refusal::UnknownKey { .. }, people_file } => {
                Action::ListKey(people_file.clone())
            }
            _ => Action::None,
        }
    }
}

impl Library {
    /// Whether `signer` may record `decision` about `subject` on `on`:
    /// `None` when they may, else why not. Items are approved by clinical
    /// reviewers (an unexpired licence, not the item's author) and
    /// questioned by any clinical reviewer; people files, `site.toml` and
    /// the theme by editors (those of `trust_root`, when given).
    pub fn signer_refusal(
        &self,
        subject: &Subject,
        signer: &PersonId,
        decision: Decision,
        on: Date,
        trust_root: Option<&TrustRoot>,
    ) -> Option<(String, Action)> {
        let nobody = || (format!("there is no person `{signer}` in content/people/"), Action::AskAnotherSigner);
        match (subject, decision) {
            (Subject::Item(item), Decision::Approved) => crate::review::approval_refusal(self, item, signer, on),
            (Subject::Item(_), _) => match self.person(signer) {
                None => Some(nobody()),
                Some(p) if !p.has_role(Role::ClinicalReviewer) => {
                    Some((format!("{} does not hold the clinical_reviewer role", p.name), Action::AskAnotherSigner))
                }
                Some(_) => None,
            },
            _ => match (trust_root, self.person(signer)) {
                (Some(root), _) if root.keys_of(signer).is_empty() => Some((
                    format!("`{signer}` is not an editor of the trust root {}", root.path.display()),
                    Action::AskAnotherSigner,
                )),
                (Some(_), _) => None,
                (None, None) => Some(nobody()),
                (None, Some(p)) if !p.has_role(Role::Editor) => Some((
                    format!(
                        "{} does not hold the editor role; editors approve people files, site.toml and the theme",
                        p.name
                    ),
                    Action::AskAnotherSigner,
                )),
                (None, Some(_)) => None,
            },
        }
    }

    /// The file a subject's record is about (project-relative): the item's
    /// or person's file, `site.toml`, or the theme's folder.
    pub fn subject_file(&self, subject: &Subject) -> Option<PathBuf> {
        match subject {
            Subject::Item(item) => self.item(item).map(|i| i.meta().path.clone()),
            Subject::Person(id) => self.person(id).map(|p| p.path.clone()),
            Subject::Site => Some(PathBuf::from(ProjectLayout::SITE_TOML)),
            Subject::Theme => Some(ProjectLayout::theme(&self.config().theme)),
        }
    }

    /// Drafts `request` about the committed version of its subject; keys
    /// and editors as `trust_root` says, when given.
    pub fn draft(&self, repo: &Repo, request: &Request<'_>, trust_root: Option<&TrustRoot>) -> Result<Draft, Refusal> {
        let Request { subject, signer, decision, text, on } = *request;
        if text.trim().is_empty() {
            return Err(Refusal::EmptyText);
        }
        let file = self.subject_file(subject).ok_or_else(|| Refusal::NoSubject(subject.clone()))?;
        if let Some((reason, action)) = self.signer_refusal(subject, signer, decision, on, trust_root) {
            return Err(Refusal::Signer { reason, action });
        }
        let root = self.root();
        let (blob, sha256, files) = if *subject == Subject::Theme {
            let mut files = Vec::new();
            for (path, _) in ProjectLayout::theme_files(root, &self.config().theme)? {
                let (blob, sha256) = committed(repo, root, Path::new(&path))?;
                files.push(ThemeFile { path, blob, sha256 });
            }
            let listing = trust::theme_listing(&files);
            (BlobId::of(listing.as_bytes()), Sha256::of(listing.as_bytes()), files)
        } else {
            let (blob, sha256) = committed(repo, root, &file)?;
            (blob, sha256, Vec::new())
        };
        let mut record = LedgerRecord::new(blob, sha256, signer.clone(), on, decision, text.trim());
        record.files = files;
        let statement = trust::next_statement(subject, self.records(subject), &record);
        let ledger = ProjectLayout::ledger(subject);
        let ledger_blob = std::fs::read(root.join(&ledger)).ok().map(|bytes| BlobId::of(&bytes));
        // The statement chains to the records this library holds: they must
        // be the ledger's on disk, or the record would chain to another.
        let loaded = match subject {
            Subject::Item(item) => self.ledger(item).map(|l| &l.blob),
            Subject::Person(id) => self.editorial_ledger(&Editorial::Person(id.clone())).map(|l| &l.blob),
            Subject::Site => self.editorial_ledger(&Editorial::Site).map(|l| &l.blob),
            Subject::Theme => self.editorial_ledger(&Editorial::Theme).map(|l| &l.blob),
        };
        if loaded != ledger_blob.as_ref() {
            return Err(Refusal::LedgerMoved(ledger));
        }
        let (keys, found_in) = self.signer_keys(subject, signer, trust_root);
        let keys = keys.into_iter().cloned().collect();
        Ok(Draft { subject: subject.clone(), record, statement, file, ledger, ledger_blob, keys, found_in })
    }
}

impl Draft {
    /// The people file where the signer's keys are listed.
    fn people_file(&self) -> PathBuf {
        ProjectLayout::person(&self.record.reviewer)
    }

    /// Keeps, of the keys the signer may use, only those also in `counted`
    /// (the keys production counts, [`Library::approved_keys`]), each as
    /// `counted` gives it (its dates, whether it needs user verification),
    /// so that a record production would refuse is never written.
    pub fn count_only(&mut self, counted: &[SigningKey]) {
        self.keys = counted.iter().filter(|c| self.keys.iter().any(|k| k.key == c.key)).cloned().collect();
    }

    /// The keys the signer may sign this record with.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Checks `signature` (an armored SSH signature of [`Draft::statement`])
    /// against the keys the signer may use, without writing anything.
    pub fn check(&self, signature: &str) -> Result<LedgerRecord, Refusal> {
        let mut record = self.record.clone();
        record.signature = Some(signature.to_owned());
        trust::check_signature(&self.statement, &record, &self.keys, self.found_in)
            .map_err(|refusal| Refusal::Signature { refusal, people_file: self.people_file() })?;
        Ok(record)
    }

    /// Appends the record, signed with `signature`, to the ledger of the
    /// project at `root`, holding the repository's review lock (`lock`, a
    /// file such as `.git/securebase-review.lock`) meanwhile: refused, with
    /// nothing written, when the signature does not verify, or the subject's
    /// file or the ledger changed since the draft. Returns the record.
    pub fn append(&self, root: &Path, lock: &Path, signature: &str) -> Result<LedgerRecord, Refusal> {
        let record = self.check(signature)?;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Refusal::Io { path, source }
        };
        let lock_file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(lock).map_err(io(lock))?;
        lock_file.lock().map_err(io(lock))?;
        let path = root.join(&self.ledger);
        let existing = std::fs::read(&path).ok();
        if existing.as_deref().map(BlobId::of) != self.ledger_blob {
            return Err(Refusal::LedgerMoved(self.ledger.clone()));
        }
        if self.subject != Subject::Theme {
            let now = BlobId::of(&std::fs::read(root.join(&self.file)).map_err(io(&self.file))?);
            if now != self.record.blob {
                return Err(Refusal::FileMoved { file: self.file.clone(), now });
            }
        }
        let yaml = serde_yaml::to_string(&[&record]).map_err(|e| Refusal::Io {
            path: self.ledger.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(&self.ledger))?;
        }
        let mut out = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io(&self.ledger))?;
        let separator = existing.as_deref().is_some_and(|e| !e.is_empty() && !e.ends_with(b"\n"));
        let bytes = if separator { format!("\n{yaml}") } else { yaml };
        out.write_all(bytes.as_bytes()).map_err(io(&self.ledger))?;
        Ok(record)
    }
}

/// The committed bytes of `path`: its blob id and SHA-256, refused when it
/// has uncommitted changes or git holds other bytes for it.
fn committed(repo: &Repo, root: &Path, path: &Path) -> Result<(BlobId, Sha256), Refusal> {
    match repo.status(path)? {
        FileStatus::Clean => {}
        status => {
            return Err(Refusal::Uncommitted { path: path.to_path_buf(), untracked: status == FileStatus::Untracked });
        }
    }
    let bytes = std::fs::read(root.join(path)).map_err(|source| Refusal::Io { path: path.to_path_buf(), source })?;
    let blob = BlobId::of(&bytes);
    if repo.head_blob(path).as_ref() != Some(&blob) {
        return Err(Refusal::NotAsCommitted(path.to_path_buf()));
    }
    Ok((blob, Sha256::of(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::scratch::{commit, repository};
    use crate::trust::tests::{public_line, test_key};

    const SITE: &[u8] =
        b"title = \"T\"\ndescription = \"D\"\nbase_url = \"https://t.example\"\n[review]\ninterval_days = 30\n";
    const TEAM: &str = "name: Team\nkind: organisation\nroles: [author, editor]\nemail: team@t.example\n";
    const RILEY: &str = "name: Riley Example (fictional)\ncredentials:\n  - abbreviation: LCSW\n    meaning: Licensed Clinical Social Worker\nroles: [clinical_reviewer, author]\nemail: riley@t.example\n";
    const GUIDE: &str = "---\ntitle: A guide\nsummary: A fictional guide used to test how decisions become ledger records.\nauthor: team\ncreated: 2026-01-01\nsources:\n  - authors: [\"A, B.\"]\n    year: 2000\n    title: T\n    publisher: P\n---\nBody\n";

    /// A committed project: Riley (key 1, licence expiring `expires`), the
    /// team (key 2), a guide by `author`.
    fn project(author: &str, expires: &str) -> tempfile::TempDir {
        let dir = repository();
        let riley = format!(
            "{RILEY}licence:\n  type: LCSW\n  jurisdiction: Oregon\n  expires: {expires}\nsigning_keys:\n  - {}\n",
            public_line(&test_key(1))
        );
        let team = format!("{TEAM}signing_keys:\n  - {}\n", public_line(&test_key(2)));
        let guide = GUIDE.replace("author: team", &format!("author: {author}"));
        let files: [(&str, &[u8]); 4] = [
            ("site.toml", SITE),
            ("content/people/riley.yaml", riley.as_bytes()),
            ("content/people/team.yaml", team.as_bytes()),
            ("content/guides/a.md", guide.as_bytes()),
        ];
        commit(dir.path(), &files, "a project");
        dir
    }

    fn sign(seed: u8, statement: &str) -> String {
        test_key(seed)
            .sign(trust::NAMESPACE, ssh_key::HashAlg::Sha512, statement.as_bytes())
            .unwrap()
            .to_pem(ssh_key::LineEnding::LF)
            .unwrap()
    }

    fn draft(root: &Path, subject: &str, signer: &str, on: &str) -> Result<Draft, Refusal> {
        let library = Library::load(root).unwrap_or_else(|d| panic!("{d:?}"));
        let repo = Repo::open(root).unwrap();
        let (subject, signer) = (subject.parse().unwrap(), signer.parse().unwrap());
        let on = on.parse().unwrap();
        let request =
            Request { subject: &subject, signer: &signer, decision: Decision::Approved, text: " Checked. ", on };
        library.draft(&repo, &request, None)
    }

    fn lock(root: &Path) -> PathBuf {
        Repo::open(root).unwrap().review_lock().unwrap()
    }

    #[test]
    fn who_may_sign_what_is_decided_once() {
        let dir = project("riley", "2026-06-01");
        let root = dir.path();
        let refused = |subject: &str, signer: &str, on: &str| match draft(root, subject, signer, on) {
            Err(Refusal::Signer { reason, action }) => (reason, action),
            other => panic!("{subject} by {signer}: {other:?}"),
        };
        let (reason, action) = refused("guides/a", "riley", "2026-03-01");
        assert_eq!(reason, "Riley Example (fictional) wrote guides/a; a different clinical reviewer must approve it");
        assert_eq!(action, Action::AskAnotherSigner);
        let (reason, action) = refused("guides/a", "team", "2026-03-01");
        assert!(reason.starts_with("Team does not hold the clinical_reviewer role"), "{reason}");
        assert_eq!(action, Action::AskAnotherSigner);
        let (reason, _) = refused("site", "riley", "2026-03-01");
        assert!(reason.starts_with("Riley Example (fictional) does not hold the editor role"), "{reason}");
        assert!(draft(root, "site", "team", "2026-03-01").is_ok());
        assert!(draft(root, "people/riley", "team", "2026-03-01").is_ok());

        let dir = project("team", "2026-02-01");
        match draft(dir.path(), "guides/a", "riley", "2026-03-01") {
            Err(Refusal::Signer { reason, action }) => {
                assert!(reason.contains("licence expired on 2026-02-01"), "{reason}");
                assert_eq!(action, Action::RenewLicence("content/people/riley.yaml".into()));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(draft(dir.path(), "guides/b", "riley", "2026-01-15"), Err(Refusal::NoSubject(_))));
    }

    #[test]
    fn a_draft_signed_by_the_signer_appends_once_and_then_refuses_to_chain_to_a_moved_ledger() {
        let dir = project("team", "2027-01-01");
        let root = dir.path();
        let first = draft(root, "guides/a", "riley", "2026-03-01").unwrap();
        assert_eq!(first.record.summary.as_deref(), Some("Checked."));
        assert_eq!(first.ledger, Path::new("content/reviews/guides/a.yaml"));
        assert_eq!(first.ledger_blob, None);
        let second = first.clone();

        // Another key than Riley's: refused, nothing written.
        match first.append(root, &lock(root), &sign(3, &first.statement)) {
            Err(refusal @ Refusal::Signature { .. }) => {
                assert_eq!(refusal.action(), Action::ListKey("content/people/riley.yaml".into()));
                assert!(refusal.to_string().contains("which is not one of riley's keys in their people file"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!root.join(&first.ledger).exists());

        let stale = Library::load(root).unwrap();
        let record = first.append(root, &lock(root), &sign(1, &first.statement)).unwrap();
        // A library loaded before the append would chain a record to the
        // wrong predecessor: it is refused.
        let (guide, riley) = ("guides/a".parse().unwrap(), "riley".parse().unwrap());
        let request = Request {
            subject: &guide,
            signer: &riley,
            decision: Decision::Approved,
            text: "Again",
            on: "2026-03-02".parse().unwrap(),
        };
        let repo = Repo::open(root).unwrap();
        assert!(matches!(stale.draft(&repo, &request, None), Err(Refusal::LedgerMoved(_))));
        assert_eq!(record.reviewer.as_str(), "riley");
        let written: Vec<LedgerRecord> =
            serde_yaml::from_slice(&std::fs::read(root.join(&first.ledger)).unwrap()).unwrap();
        assert_eq!(written, [record]);
        // The same draft again: the ledger moved under it.
        assert!(matches!(second.append(root, &lock(root), &sign(1, &second.statement)), Err(Refusal::LedgerMoved(_))));
        assert_eq!(
            std::fs::read(root.join(&first.ledger)).unwrap().len(),
            serde_yaml::to_string(&written).unwrap().len()
        );
        // The ledger loads, and the record is an approval.
        let library = Library::load(root).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(library.approved_blobs().len(), 1);
    }

    #[test]
    fn a_file_edited_after_the_draft_or_not_committed_is_refused() {
        let dir = project("team", "2027-01-01");
        let root = dir.path();
        let before = draft(root, "guides/a", "riley", "2026-03-01").unwrap();
        std::fs::write(root.join("content/guides/a.md"), GUIDE.replace("Body", "Body, edited")).unwrap();
        match draft(root, "guides/a", "riley", "2026-03-01") {
            Err(refusal @ Refusal::Uncommitted { .. }) => {
                assert_eq!(refusal.action(), Action::Commit("content/guides/a.md".into()));
                assert!(refusal.to_string().starts_with("content/guides/a.md has uncommitted changes"), "{refusal}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            before.append(root, &lock(root), &sign(1, &before.statement)),
            Err(Refusal::FileMoved { .. })
        ));
        assert!(!root.join(&before.ledger).exists());
        assert!(matches!(draft(root, "guides/a", "riley", "2026-03-01").map(|_| ()), Err(Refusal::Uncommitted { .. })));
        let library = Library::load(root).unwrap();
        let repo = Repo::open(root).unwrap();
        let (site, team) = (Subject::Site, "team".parse().unwrap());
        let request = Request {
            subject: &site,
            signer: &team,
            decision: Decision::Approved,
            text: "  ",
            on: "2026-03-01".parse().unwrap(),
        };
        let empty = library.draft(&repo, &request, None);
        assert!(matches!(empty, Err(Refusal::EmptyText)));
    }

    #[test]
    fn a_signers_keys_come_from_the_trust_root_for_editors_and_people_files_otherwise() {
        let dir = project("team", "2027-01-01");
        let library = Library::load(dir.path()).unwrap();
        let root = TrustRoot::parse(&format!("team {}\n", public_line(&test_key(4))), Path::new("root")).unwrap();
        let fingerprints = |(keys, found_in): (Vec<&SigningKey>, &'static str)| {
            (keys.iter().map(|k| k.key.fingerprint()).collect::<Vec<_>>(), found_in)
        };
        let fp = |seed| test_key(seed).public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string();
        let (site, team, riley) = (Subject::Site, "team".parse().unwrap(), "riley".parse().unwrap());
        assert_eq!(fingerprints(library.signer_keys(&site, &team, Some(&root))), (vec![fp(4)], "in the trust root"));
        assert_eq!(fingerprints(library.signer_keys(&site, &team, None)), (vec![fp(2)], "in their people file"));
        let item = Subject::Item("guides/a".parse().unwrap());
        assert_eq!(
            fingerprints(library.signer_keys(&item, &riley, Some(&root))),
            (vec![fp(1)], "in their people file")
        );
    }
}
