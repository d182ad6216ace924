//! Editions: which version of each file a build publishes.
//!
//! The preview edition is the working tree as loaded. The production
//! edition is every item, people file and `site.toml` at its latest
//! approved version, and the theme's files as an editor approved them, all
//! read from git by blob id even when the working tree has newer edits,
//! with never-approved items and people withheld. It loads through the same
//! passes as the working tree, with every signature checked against the
//! deployment's trust root (editors) and the approved people files
//! (clinical reviewers), after each ledger is checked against its history.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Position};
use crate::frontmatter::Locator;
use crate::git::{FileStatus, GitError, History, Repo};
use crate::layout::ProjectLayout;
use crate::library::Library;
use crate::model::{BlobId, Editorial, LedgerRecord, PersonId, Sha256, Subject};
use crate::review::latest_approval;
use crate::trust::{Mathematics, TrustRoot};

/// Why the production edition cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditionError {
    /// No item has an approved version.
    #[error(
        "nothing is approved, so the production edition would be empty; a clinical reviewer approves items with \
         `securebase review approve <collection>/<slug> --reviewer <id> --summary \"...\"` (see `securebase review status`), \
         and `securebase preview` shows the unreviewed text meanwhile"
    )]
    NothingApproved,
    /// `site.toml` or the theme has no approved version.
    #[error(
        "{0} has no approved version, and every page shows it; an editor the trust root names approves it with \
         `securebase review approve {0} --reviewer <editor-id> --summary \"...\"`, then commits content/reviews/{0}.yaml"
    )]
    NotApproved(Subject),
    /// Git could not provide an approved version.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The clone is shallow: the ledgers' history, which the append-only
    /// rule reads, is cut short.
    #[error(
        "this is a shallow clone, so the ledgers' history is cut short and no approval taken back could be seen; \
         run `git fetch --unshallow` (in CI, check out with full history, e.g. `fetch-depth: 0`)"
    )]
    Shallow,
    /// The ledgers have uncommitted changes, so the build would not be
    /// reproducible from git.
    #[error(
        "content/reviews/ has uncommitted changes; commit the review ledgers first, so that what is published is recorded in git"
    )]
    UncommittedLedgers,
    /// A ledger approves a blob that the file never held.
    #[error(
        "{subject}: the approved blob {blob} was never a version of {file}; ledgers record only blobs the file held in a commit (`securebase review approve` does this)"
    )]
    ForeignBlob {
        /// What the ledger approves.
        subject: Subject,
        /// The approved blob.
        blob: BlobId,
        /// The file.
        file: PathBuf,
    },
    /// The signed records do not make the approvals production needs, or
    /// the ledgers' history shows a record changed or removed; every
    /// problem, located.
    #[error("the approvals do not hold ({0})")]
    Trust(Diagnostics),
    /// The approved files could not be read again for the edition bundle
    /// (one changed while the build read it); every problem, located.
    #[error("the edition bundle's files cannot be read ({0})")]
    Bundle(Diagnostics),
    /// An approved version no longer loads against today's people or items;
    /// the diagnostics name the file, but the lines are those of the
    /// approved version (`git show <blob>`).
    #[error("the approved versions do not load ({0}); the lines below are those of the approved versions")]
    Content(Diagnostics),
}

/// The production edition: the library at its approved versions, checked
/// against a trust root, and the approved theme's files.
#[derive(Debug)]
#[non_exhaustive]
pub struct Production {
    /// Every approved item, people file and `site.toml`, at its latest
    /// approved version; its [`trust_root`](Library::trust_root) is set.
    pub library: Library,
    /// The approved theme: each file's path (relative to the project root,
    /// `/`-separated) and bytes.
    pub theme: Vec<(String, Vec<u8>)>,
    /// The approved theme's blob (that of its listing), to tell whether the
    /// working theme differs.
    pub theme_blob: BlobId,
    /// Warnings: people files and `site.toml` whose working text is not the
    /// version an editor approved, so production publishes the older one.
    pub unapproved: Diagnostics,
    /// The approved versions git gave, by blob id: with the working files
    /// that are their approved version, what [`Production::bundle`] holds.
    pub(crate) blobs: BTreeMap<BlobId, Vec<u8>>,
    /// The ids of the items and people the edition withholds.
    pub(crate) withheld: Vec<String>,
}

impl Library {
    /// The latest approved blob of every item that has one.
    pub fn approved_blobs(&self) -> BTreeMap<crate::model::ItemRef, &BlobId> {
        self.ledgers().iter().filter_map(|l| Some((l.item.clone(), &latest_approval(&l.records)?.blob))).collect()
    }

    /// The production edition of this (working-tree) library: every item,
    /// people file and `site.toml` at its latest approved version and the
    /// approved theme, read from `repo` in one pass, every signature checked
    /// against `trust_root` and the approved people files, and every ledger
    /// against its history in `history` (which must cover `content/`,
    /// `site.toml` and the theme: [`Repo::history`]).
    pub fn production(
        &self,
        repo: &Repo,
        history: &History,
        trust_root: &TrustRoot,
    ) -> Result<Production, EditionError> {
        if repo.status(Path::new(ProjectLayout::REVIEWS))? != FileStatus::Clean {
            return Err(EditionError::UncommittedLedgers);
        }
        // Every check that needs no approved version runs first, so that
        // `review verify` reports what is wrong whatever else is missing.
        let mut problems = match self.check_history(repo, history) {
            Ok(()) => Diagnostics::new(),
            Err(EditionError::Trust(problems)) => problems,
            Err(other) => return Err(other),
        };
        crate::validate::editorial_against(self, trust_root, &mut problems);
        if problems.has_errors() {
            return Err(EditionError::Trust(problems));
        }
        if self.approved_blobs().is_empty() {
            return Err(EditionError::NothingApproved);
        }
        let latest = |e: Editorial| self.editorial_ledger(&e).and_then(|l| latest_approval(&l.records));
        let site = latest(Editorial::Site).ok_or(EditionError::NotApproved(Subject::Site))?;
        let theme = latest(Editorial::Theme).ok_or(EditionError::NotApproved(Subject::Theme))?;
        let people = self.approved_people_records();
        let items: BTreeMap<Subject, &LedgerRecord> = self
            .ledgers()
            .iter()
            .filter_map(|l| Some((Subject::Item(l.item.clone()), latest_approval(&l.records)?)))
            .collect();

        // Every approved blob was a committed version of its file; all are
        // read in one pass (items only where the working text differs).
        let mut wanted: Vec<(BlobId, PathBuf)> = Vec::new();
        for (subject, record) in &items {
            let Subject::Item(r) = subject else { continue };
            let Some(item) = self.item(r) else { continue };
            committed(history, subject, &item.meta().path, &record.blob)?;
            if item.meta().blob != record.blob {
                wanted.push((record.blob.clone(), item.meta().path.clone()));
            }
        }
        for (id, record) in &people {
            let Some(path) = self.person(id).map(|p| p.path.clone()) else { continue };
            committed(history, &Subject::Person(id.clone()), &path, &record.blob)?;
            wanted.push((record.blob.clone(), path));
        }
        committed(history, &Subject::Site, Path::new(ProjectLayout::SITE_TOML), &site.blob)?;
        wanted.push((site.blob.clone(), ProjectLayout::SITE_TOML.into()));
        // The theme record's files are its listing's, with plain paths: the
        // editorial records' check above (`trust::theme_refusal`) says so.
        for file in &theme.files {
            committed(history, &Subject::Theme, Path::new(&file.path), &file.blob)?;
            wanted.push((file.blob.clone(), PathBuf::from(&file.path)));
        }
        if problems.has_errors() {
            return Err(EditionError::Trust(problems));
        }
        wanted.sort();
        wanted.dedup_by(|a, b| a.0 == b.0);
        let blobs = repo.read_blobs(&wanted)?;

        // Each file's bytes: its approved version's, checked against the
        // SHA-256 the signature covers (a SHA-1 blob id alone can collide).
        let mismatches = Mutex::new(Vec::new());
        let digest_ok = |subject: &Subject, record: &LedgerRecord, bytes: &[u8]| {
            let ok = record.sha256.as_ref().is_none_or(|d| *d == Sha256::of(bytes));
            if !ok {
                mismatches.lock().unwrap_or_else(|e| e.into_inner()).push(subject.clone());
            }
            ok
        };
        let select = |subject: &Subject, bytes: Vec<u8>| -> Option<Vec<u8>> {
            let record = match subject {
                Subject::Person(id) => *people.get(id)?,
                Subject::Site => site,
                _ => *items.get(subject)?,
            };
            let bytes = if BlobId::of(&bytes) == record.blob { bytes } else { blobs.get(&record.blob)?.clone() };
            digest_ok(subject, record, &bytes).then_some(bytes)
        };
        // The fast path reuses what the working tree's load parsed and
        // verified; any problem is reported by the full path, which loads
        // every file again, verifies every signature and locates each
        // diagnostic.
        let library = match self.assemble(trust_root, &items, &people, site, &blobs) {
            Some(library) => Ok(library),
            None => Library::load_trusted(self.root(), &select, trust_root.clone()),
        };
        let mut theme_files = Vec::with_capacity(theme.files.len());
        for file in &theme.files {
            let bytes = blobs.get(&file.blob).cloned().unwrap_or_default();
            let record = LedgerRecord { sha256: Some(file.sha256.clone()), ..theme.clone() };
            if digest_ok(&Subject::Theme, &record, &bytes) {
                theme_files.push((file.path.clone(), bytes));
            }
        }
        for subject in mismatches.into_inner().unwrap_or_else(|e| e.into_inner()) {
            let ledger = ProjectLayout::ledger(&subject);
            let at = self_locate(self.root(), &ledger, self.records(&subject).len().saturating_sub(1));
            let message = format!(
                "the bytes git holds for the approved version of {subject} do not have the SHA-256 its record signs"
            );
            problems.push(Diagnostic::error(Code::Signature, ledger, at, message).with_hint(
                "the object was replaced (a SHA-1 collision or a tampered repository); restore it from a trusted clone",
            ));
        }
        if problems.has_errors() {
            return Err(EditionError::Trust(problems));
        }
        let library = library.map_err(EditionError::Content)?;
        let mut unapproved = Diagnostics::new();
        let mut note = |path: &Path, subject: Subject, approved: Option<&BlobId>| {
            let bytes = std::fs::read(self.root().join(path)).unwrap_or_default();
            if approved == Some(&BlobId::of(&bytes)) {
                return;
            }
            let message = match approved {
                Some(blob) => format!(
                    "changed since the version an editor approved ({}); production publishes that version",
                    &blob.as_str()[..12]
                ),
                None => "no editor has approved this file, so production does not publish it".to_owned(),
            };
            unapproved.push(Diagnostic::warning(Code::Trust, path, Position::START, message).with_hint(format!(
                "an editor approves it: `securebase review approve {subject} --reviewer <editor-id> --summary \"...\"`"
            )));
        };
        note(Path::new(ProjectLayout::SITE_TOML), Subject::Site, Some(&site.blob));
        for person in self.people() {
            note(&person.path, Subject::Person(person.id.clone()), people.get(&person.id).map(|r| &r.blob));
        }
        let withheld = self
            .all_items()
            .map(|i| i.reference())
            .filter(|r| library.item(r).is_none())
            .map(|r| r.to_string())
            .chain(self.people().iter().filter(|p| library.person(&p.id).is_none()).map(|p| p.id.to_string()))
            .collect();
        Ok(Production { library, theme: theme_files, theme_blob: theme.blob.clone(), unapproved, blobs, withheld })
    }
}

/// A file in the project, as (path, bytes).
type File = (String, Vec<u8>);

impl Production {
    /// Every file the edition is made from, with its approved bytes: from
    /// what git gave or, for a file whose working text is its approved
    /// version, from disk; each checked against the SHA-256 its record
    /// signs; and the ledgers of what it publishes (committed, since
    /// production refuses uncommitted ledgers). Read only when a bundle is
    /// written, so that `review verify` does not pay for it.
    pub(crate) fn files(&self) -> Result<Vec<File>, Diagnostics> {
        use rayon::prelude::*;
        let (library, blobs) = (&self.library, &self.blobs);
        let read = |path: &Path| {
            std::fs::read(library.root().join(path)).map_err(|e| {
                Diagnostic::error(Code::Io, path, Position::START, format!("cannot read it for the bundle: {e}"))
            })
        };
        // A subject's approved file and its ledger.
        let approved = |path: &Path, subject: Subject| -> Result<[File; 2], Diagnostic> {
            let record = latest_approval(library.records(&subject));
            let bytes = match record.and_then(|r| blobs.get(&r.blob)) {
                Some(bytes) => bytes.clone(),
                None => read(path)?,
            };
            if record.and_then(|r| r.sha256.as_ref()) != Some(&Sha256::of(&bytes)) {
                let message = format!("the approved version of {subject} changed while the build read it");
                return Err(Diagnostic::error(Code::Io, path, Position::START, message)
                    .with_hint("build again once nothing is writing to the project"));
            }
            let ledger = ProjectLayout::ledger(&subject);
            let ledger_bytes = read(&ledger)?;
            Ok([(crate::diagnostic::path_text(path), bytes), (crate::diagnostic::path_text(&ledger), ledger_bytes)])
        };
        let mut subjects: Vec<(&Path, Subject)> = vec![(Path::new(ProjectLayout::SITE_TOML), Subject::Site)];
        subjects.extend(library.people().iter().map(|p| (p.path.as_path(), Subject::Person(p.id.clone()))));
        subjects.extend(library.all_items().map(|i| (i.meta().path.as_path(), Subject::Item(i.reference()))));
        let found: Vec<Result<[File; 2], Diagnostic>> =
            subjects.into_par_iter().map(|(path, subject)| approved(path, subject)).collect();
        let mut problems = Diagnostics::new();
        let mut files: Vec<File> = self.theme.clone();
        let theme_ledger = ProjectLayout::ledger(&Subject::Theme);
        match read(&theme_ledger) {
            Ok(bytes) => files.push((crate::diagnostic::path_text(&theme_ledger), bytes)),
            Err(problem) => problems.push(problem),
        }
        for result in found {
            match result {
                Ok(pair) => files.extend(pair),
                Err(problem) => problems.push(problem),
            }
        }
        if problems.has_errors() { Err(problems) } else { Ok(files) }
    }
}

impl Library {
    /// The keys each person may sign with as the production edition counts
    /// them: an editor's as `trust_root` lists them, and everyone's as their
    /// latest editor-approved people file lists them (read from `repo`,
    /// checked against the SHA-256 its record signs). Every editorial
    /// record must verify against the trust root first; a person with no
    /// approved people file has only what the trust root gives.
    pub fn approved_keys(
        &self,
        repo: &Repo,
        trust_root: &TrustRoot,
    ) -> Result<BTreeMap<PersonId, Vec<crate::model::SigningKey>>, EditionError> {
        Ok(counted_keys(&self.approved_people(repo, trust_root)?, trust_root))
    }

    /// The latest approval of each people file that has one.
    fn approved_people_records(&self) -> BTreeMap<PersonId, &LedgerRecord> {
        self.editorial_ledgers()
            .iter()
            .filter_map(|l| match &l.subject {
                Editorial::Person(id) => Some((id.clone(), latest_approval(&l.records)?)),
                _ => None,
            })
            .collect()
    }

    /// Every person's latest editor-approved people file, as production
    /// reads it (from `repo`, checked against the SHA-256 its record
    /// signs), after every editorial record is verified against the trust
    /// root: whose roles, licence and keys count.
    pub fn approved_people(
        &self,
        repo: &Repo,
        trust_root: &TrustRoot,
    ) -> Result<BTreeMap<PersonId, crate::model::Person>, EditionError> {
        let mut problems = Diagnostics::new();
        crate::validate::editorial_against(self, trust_root, &mut problems);
        if problems.has_errors() {
            return Err(EditionError::Trust(problems));
        }
        let mut people = BTreeMap::new();
        let approved = self.approved_people_records();
        let wanted: Vec<(BlobId, PathBuf)> =
            approved.iter().map(|(id, r)| (r.blob.clone(), ProjectLayout::person(id))).collect();
        let blobs = repo.read_blobs(&wanted)?;
        for (id, record) in approved {
            let Some(bytes) = blobs.get(&record.blob) else { continue };
            if record.sha256.as_ref() != Some(&Sha256::of(bytes)) {
                continue;
            }
            let inside = format!("people/{id}.yaml");
            let loaded = crate::load::load_files(&[(inside.as_str(), bytes)], false, None, &mut Diagnostics::new());
            for person in loaded.people.into_iter().filter(|p| p.id == id) {
                people.insert(id.clone(), person);
            }
        }
        Ok(people)
    }

    /// Checks every ledger against its history in `history`: each version a
    /// commit held must be the start of the ledger as it is now (ledgers are
    /// append-only), so that no record is changed or removed and no approval
    /// is taken back to bring an older version back. Production runs this
    /// first; `review verify` runs it too. A shallow clone, whose history
    /// is cut short, is refused.
    pub fn check_history(&self, repo: &Repo, history: &History) -> Result<(), EditionError> {
        if repo.is_shallow() {
            return Err(EditionError::Shallow);
        }
        let now: BTreeMap<&Path, &BlobId> = self
            .ledgers()
            .iter()
            .map(|l| (l.path.as_path(), &l.blob))
            .chain(self.editorial_ledgers().iter().map(|l| (l.path.as_path(), &l.blob)))
            .collect();
        append_only(self.root(), repo, history, &now)
    }
}

impl Library {
    /// The production library from this (working-tree) one, when nothing
    /// is wrong: items whose working text is their approved version are
    /// reused, the others parsed from their approved blobs, as are the
    /// approved people files and `site.toml`; never-approved items and
    /// people are withheld. The ledgers are this library's, whose
    /// signatures its load verified, so the validation that follows checks
    /// only that each signer's key is one the trust root or the approved
    /// people file lets them use. `None` on any problem, digest or
    /// diagnostic, and when the working items were not measured for
    /// readability as the approved `site.toml` says.
    fn assemble(
        &self,
        trust_root: &TrustRoot,
        items: &BTreeMap<Subject, &LedgerRecord>,
        people: &BTreeMap<PersonId, &LedgerRecord>,
        site: &LedgerRecord,
        blobs: &BTreeMap<BlobId, Vec<u8>>,
    ) -> Option<Library> {
        let digest_ok = |record: &LedgerRecord, bytes: &[u8]| record.sha256.as_ref() == Some(&Sha256::of(bytes));
        let approved = |record: &LedgerRecord| blobs.get(&record.blob).filter(|b| digest_ok(record, b));
        let inside = ProjectLayout::inside_content;
        let site_bytes = approved(site)?;
        let mut files: Vec<(String, &[u8])> = Vec::new();
        for (id, record) in people {
            let Some(person) = self.person(id) else { continue };
            files.push((inside(&person.path)?, approved(record)?.as_slice()));
        }
        let mut reused = std::collections::BTreeSet::new();
        let mut withheld = std::collections::BTreeSet::new();
        for item in self.all_items() {
            let meta = item.meta();
            let Some(record) = items.get(&Subject::Item(item.reference())) else {
                withheld.insert(item.reference().to_string());
                continue;
            };
            if meta.blob == record.blob {
                record.sha256.as_ref().filter(|d| **d == meta.sha256)?;
                reused.insert(item.reference());
            } else {
                files.push((inside(&meta.path)?, approved(record)?.as_slice()));
            }
        }
        withheld.extend(self.people().iter().filter(|p| !people.contains_key(&p.id)).map(|p| p.id.to_string()));
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let mut diags = Diagnostics::new();
        let mut loaded = crate::load::load_memory(site_bytes, &files, &mut diags);
        if diags.has_errors() {
            return None;
        }
        // The working items were measured for readability under the working
        // site.toml; reused, they must have been measured as the approved
        // one says.
        if crate::load::measured(loaded.config.as_ref()) != self.config().readability.measured() {
            return None;
        }
        loaded.items.extend_from(&self.items, |r| reused.contains(r));
        loaded.ledgers = self.ledgers.clone();
        loaded.editorial = self.editorial.clone();
        loaded.provenance = crate::load::Provenance::absent_only(withheld);
        Library::checked(self.root(), loaded, diags, Some(trust_root.clone()), Mathematics::AlreadyVerified).ok()
    }
}

/// The keys each person may sign with as production counts them: an
/// editor's as `trust_root` lists them, and everyone's as their approved
/// people file (`people`, [`Library::approved_people`]) lists them.
pub fn counted_keys(
    people: &BTreeMap<PersonId, crate::model::Person>,
    trust_root: &TrustRoot,
) -> BTreeMap<PersonId, Vec<crate::model::SigningKey>> {
    let mut keys: BTreeMap<PersonId, Vec<crate::model::SigningKey>> = BTreeMap::new();
    for (id, key) in &trust_root.editors {
        keys.entry(id.clone()).or_default().push(key.clone());
    }
    for (id, person) in people {
        keys.entry(id.clone()).or_default().extend(person.signing_keys.iter().cloned());
    }
    keys
}

/// Where the `index`th record of the ledger at `ledger` starts, read again
/// from disk (only when reporting a problem).
fn self_locate(root: &Path, ledger: &Path, index: usize) -> Position {
    let text = std::fs::read_to_string(root.join(ledger)).unwrap_or_default();
    Locator::new(&text, 0).entry_key(index, "blob")
}

/// Checks that `blob` is a version `path` held in a commit.
fn committed(history: &History, subject: &Subject, path: &Path, blob: &BlobId) -> Result<(), EditionError> {
    if history.changes(path).iter().any(|c| c.blob.as_ref() == Some(blob)) {
        return Ok(());
    }
    Err(EditionError::ForeignBlob { subject: subject.clone(), blob: blob.clone(), file: path.to_path_buf() })
}

/// Checks every ledger against its history: each version a commit held
/// must be the start of the ledger as it is now (ledgers are append-only),
/// so that no record is changed or removed, and no approval taken back to
/// bring an older version back. Old versions are read in one pass; one
/// that is a byte prefix of the file today needs no parsing.
///
/// `now` holds the blob of every ledger as loaded; only a ledger whose
/// history holds another version is read again.
fn append_only(
    root: &Path,
    repo: &Repo,
    history: &History,
    now: &BTreeMap<&Path, &BlobId>,
) -> Result<(), EditionError> {
    let mut wanted: Vec<(BlobId, PathBuf)> = Vec::new();
    let mut ledgers: Vec<(&Path, Vec<u8>)> = Vec::new();
    for path in history.paths().filter(|p| p.starts_with(ProjectLayout::REVIEWS)) {
        let current = now.get(path).copied();
        let older: Vec<&BlobId> =
            history.changes(path).iter().filter_map(|c| c.blob.as_ref()).filter(|b| Some(*b) != current).collect();
        if older.is_empty() {
            continue;
        }
        wanted.extend(older.into_iter().map(|b| (b.clone(), path.to_path_buf())));
        ledgers.push((path, std::fs::read(root.join(path)).unwrap_or_default()));
    }
    wanted.sort();
    wanted.dedup();
    let old = repo.read_blobs(&wanted)?;
    let mut problems = Diagnostics::new();
    for (path, current) in ledgers {
        let mut current_records: Option<Vec<LedgerRecord>> = None;
        for change in history.changes(path) {
            let Some(before) = change.blob.as_ref().and_then(|b| old.get(b)) else { continue };
            if current.starts_with(before) {
                continue;
            }
            let now = current_records
                .get_or_insert_with(|| serde_yaml::from_slice::<Vec<LedgerRecord>>(&current).unwrap_or_default());
            let short = &change.commit[..12.min(change.commit.len())];
            let (index, message) = match serde_yaml::from_slice::<Vec<LedgerRecord>>(before) {
                Ok(before_records) => {
                    let Some(first) = (0..before_records.len()).find(|&i| now.get(i) != Some(&before_records[i]))
                    else {
                        continue;
                    };
                    let record = &before_records[first];
                    let what = if now.get(first).is_some() { "is changed" } else { "is missing" };
                    let message = format!(
                        "record {} ({}, {}) as commit {short} holds it {what} now; ledgers are append-only",
                        first + 1,
                        record.date,
                        record.reviewer
                    );
                    (first.min(now.len()), message)
                }
                // A version that does not parse still holds the records
                // signed in it, whatever lines around them broke it.
                Err(_) => {
                    let kept: HashSet<String> =
                        now.iter().filter_map(|r| r.signature.as_deref()).flat_map(signatures).collect();
                    let Some(n) = signatures(&String::from_utf8_lossy(before)).iter().position(|s| !kept.contains(s))
                    else {
                        continue;
                    };
                    let message = format!(
                        "signature {} of the version commit {short} holds (which does not parse) is missing now; ledgers are append-only",
                        n + 1
                    );
                    (now.len(), message)
                }
            };
            let text = String::from_utf8_lossy(&current);
            let at = Locator::new(&text, 0).entry_key(index, "blob");
            problems.push(
                Diagnostic::error(Code::Ledger, path, at, message)
                    .with_hint("restore the record from git (`git show <commit>:<ledger>`); to replace an approval, add a new record after it"),
            );
            break;
        }
    }
    if problems.has_errors() { Err(EditionError::Trust(problems)) } else { Ok(()) }
}

/// The payloads of the SSH signatures in a ledger's text, in order, each
/// as its base64 characters only, so that indentation, line breaks and
/// YAML's quoting styles do not tell two copies apart.
fn signatures(text: &str) -> Vec<String> {
    const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
    const END: &str = "-----END SSH SIGNATURE-----";
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let body = &rest[start + BEGIN.len()..];
        let Some(end) = body.find(END) else { break };
        // `\n` is a line break in a double-quoted scalar; base64 has no `\`.
        let payload: String = body[..end]
            .replace("\\n", "\n")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        if !payload.is_empty() {
            found.push(payload);
        }
        rest = &body[end + END.len()..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::scratch::{commit, repository};

    /// The tests' valid fixture (one signed approval of an item, none of
    /// `site.toml` or the theme), committed to a new repository.
    fn committed_fixture() -> tempfile::TempDir {
        committed_fixture_without("no file")
    }

    /// [`committed_fixture`] without the files whose path starts with `left_out`.
    fn committed_fixture_without(left_out: &str) -> tempfile::TempDir {
        let dir = repository();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/valid");
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let inside = crate::diagnostic::path_text(entry.path().strip_prefix(&fixture).unwrap());
                if !inside.starts_with(left_out) {
                    files.push((inside, std::fs::read(entry.path()).unwrap()));
                }
            }
        }
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        commit(dir.path(), &files, "the fixture");
        dir
    }

    fn production(root: &Path) -> Result<Production, EditionError> {
        let library = Library::load(root).expect("the fixture loads");
        let repo = Repo::open(root).unwrap();
        let history = repo.history().unwrap();
        library.production(&repo, &history, &TrustRoot::default())
    }

    #[test]
    fn production_needs_an_approved_item_committed_ledgers_and_an_approved_site_toml_and_theme() {
        let dir = committed_fixture();
        let root = dir.path();
        // The item is approved and the ledgers committed, but nobody has
        // approved site.toml, which every page shows.
        assert!(matches!(production(root), Err(EditionError::NotApproved(Subject::Site))));

        let ledger = root.join("content/reviews/styles/avoidant.yaml");
        let text = std::fs::read_to_string(&ledger).unwrap();
        std::fs::write(&ledger, format!("{text}\n")).unwrap();
        assert!(matches!(production(root), Err(EditionError::UncommittedLedgers)));

        // A ledger removed is an approval taken back: the history says so
        // before anything else is judged.
        std::fs::remove_file(&ledger).unwrap();
        commit(root, &[], "no approvals");
        match production(root) {
            Err(EditionError::Trust(problems)) => {
                let text: Vec<String> = problems.into_iter().map(|d| d.to_string()).collect();
                assert!(text[0].starts_with("content/reviews/styles/avoidant.yaml:"), "{text:?}");
                assert!(text[0].contains("is missing now"), "{text:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nothing_approved_is_its_own_refusal() {
        let dir = committed_fixture_without("content/reviews/styles/");
        assert!(matches!(production(dir.path()), Err(EditionError::NothingApproved)));
    }

    #[test]
    fn signatures_are_found_in_any_shape_of_ledger_text() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/valid");
        let one = std::fs::read_to_string(fixture.join("content/reviews/styles/avoidant.yaml")).unwrap();
        let records: Vec<LedgerRecord> = serde_yaml::from_str(&one).unwrap();
        let signature = records[0].signature.as_deref().unwrap();
        let expected = signatures(signature);
        assert_eq!(expected.len(), 1);
        assert!(expected[0].starts_with("U1NIU0lH") && expected[0].ends_with("=="), "{expected:?}");
        let indented: String = one.lines().map(|l| format!("  {l}\n")).collect();
        let quoted = serde_yaml::to_string(&serde_json::json!([{ "signature": signature }])).unwrap();
        let escaped = format!("- signature: {:?}\n", signature);
        for (shape, text) in [
            ("as written", one.clone()),
            ("a broken line after it", format!("{one}  : [\n\t: [\n")),
            ("a broken line inside it", one.replacen("\n  ", "\n: [\n  ", 1)),
            ("indented", format!("{indented}: [\n")),
            ("another YAML style", quoted),
            ("a double-quoted scalar", escaped),
        ] {
            assert_eq!(signatures(&text), expected, "{shape}");
        }
        assert_eq!(signatures("-----BEGIN SSH SIGNATURE-----\nAAAA"), Vec::<String>::new(), "no end, no signature");
    }

    #[test]
    fn approved_blobs_are_each_items_latest_approval() {
        let dir = committed_fixture();
        let library = Library::load(dir.path()).unwrap();
        let blobs = library.approved_blobs();
        let avoidant: crate::model::ItemRef = "styles/avoidant".parse().unwrap();
        let record = library.ledger(&avoidant).and_then(|l| latest_approval(&l.records)).unwrap();
        assert_eq!(blobs.into_iter().collect::<Vec<_>>(), [(avoidant, &record.blob)]);
    }
}
