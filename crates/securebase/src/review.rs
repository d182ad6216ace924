//! Review state: derived from an item's ledger and the blob of its text,
//! never stored.
//!
//! Version N of an item is the Nth distinct blob a clinician approved. An
//! item is approved when its text is an approved version and the last
//! decision on that text was an approval.

use serde::Serialize;

use crate::library::Library;
use crate::model::*;

/// Today's date in UTC, the day to judge reviews overdue against when
/// showing them now ([`Library::review`] takes it): `jiff`'s
/// [`Date`] is re-exported, so an app needs no date crate of its own.
pub fn today() -> Date {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// Where an item stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum State {
    /// Its text is an approved version.
    Approved,
    /// An approved version exists, but the text has changed since.
    ChangedSinceApproval,
    /// A reviewer asked for changes, and nothing has been approved since.
    ChangesRequested,
    /// No clinician has reviewed it.
    NeverReviewed,
}

impl State {
    /// The state as written in JSON (`changed_since_approval`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Approved => "approved",
            State::ChangedSinceApproval => "changed_since_approval",
            State::ChangesRequested => "changes_requested",
            State::NeverReviewed => "never_reviewed",
        }
    }
}

impl State {
    /// The state as a reader's heading, as the site shows it: "Clinically
    /// reviewed", "Changed since approval, not yet reviewed", "Changes
    /// requested in clinical review", "Not yet clinically reviewed".
    pub fn label(self) -> &'static str {
        match self {
            State::Approved => "Clinically reviewed",
            State::ChangedSinceApproval => "Changed since approval, not yet reviewed",
            State::ChangesRequested => "Changes requested in clinical review",
            State::NeverReviewed => "Not yet clinically reviewed",
        }
    }
}

impl std::fmt::Display for State {
    /// The state in words, for people: "changed since approval".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Approved => "approved",
            State::ChangedSinceApproval => "changed since approval",
            State::ChangesRequested => "changes requested",
            State::NeverReviewed => "never reviewed",
        })
    }
}

/// One approved version of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Version<'a> {
    /// 1 for the first approved blob, 2 for the next, ...
    pub number: u32,
    /// The approved blob.
    pub blob: &'a BlobId,
    /// The first approval of this blob (its reviewer, date and summary).
    pub approval: &'a LedgerRecord,
    /// The latest approval of this blob (a periodic re-review of unchanged text).
    pub last_approval: &'a LedgerRecord,
    /// The SHA-256 fingerprint of the key that signed the latest approval.
    /// A [`Library`] holds no record whose signature does not verify, so
    /// this is a verified signer: against the keys of the working tree's
    /// people files, or, when [`Library::trust_root`] is set (the production
    /// edition), against the trust root and the approved people files.
    pub signer: String,
}

/// An item's review, derived from its ledger, its blob and a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Review<'a> {
    /// The item.
    pub item: ItemRef,
    /// The state of its current text.
    pub state: State,
    /// Whether the last approval is older than the review interval.
    pub overdue: bool,
    /// Every approved version, oldest first.
    pub versions: Vec<Version<'a>>,
    /// The version number of the current text, if it is an approved version
    /// (even if a change request on it came later).
    pub current: Option<u32>,
    /// The version the production edition publishes: the one approved last.
    pub published: Option<u32>,
    /// The date of the latest approval of any version.
    pub last_reviewed: Option<Date>,
    /// When the next review falls due: the last approval plus the interval.
    pub next_review_due: Option<Date>,
    /// The latest change request, if it is the latest decision.
    pub open_request: Option<&'a LedgerRecord>,
}

impl<'a> Review<'a> {
    /// The state in words, with the version it departs from and whether
    /// the review is overdue: "changed since version 2, review overdue".
    /// Every front end (the CLI's status, the desk's queue) says it so.
    pub fn state_text(&self) -> String {
        let state = match (self.state, self.latest()) {
            (State::ChangedSinceApproval, Some(v)) => format!("changed since version {}", v.number),
            (state, _) => state.to_string(),
        };
        if self.overdue { format!("{state}, review overdue") } else { state }
    }

    /// The version the production edition publishes: the one approved last
    /// (usually the highest-numbered; an older one if a reviewer approved a
    /// return to it).
    pub fn latest(&self) -> Option<&Version<'a>> {
        self.published.and_then(|n| self.versions.get(n as usize - 1))
    }

    /// The version the current text is, if it is an approved version.
    pub fn current_version(&self) -> Option<&Version<'a>> {
        self.current.and_then(|n| self.versions.get(n as usize - 1))
    }
}

/// The approval a ledger's subject is published at: its latest approval,
/// whatever came after it (a change request withholds nothing already
/// approved). Every edition and command asks this one function.
pub fn latest_approval(records: &[LedgerRecord]) -> Option<&LedgerRecord> {
    records.iter().rev().find(|r| r.decision == Decision::Approved)
}

impl Library {
    /// The review of an item as of `today`: its state, versions and dates,
    /// derived from its ledger and the blob of its loaded text.
    pub fn review(&self, item: &ItemRef, today: Date) -> Option<Review<'_>> {
        let blob = &self.item(item)?.meta().blob;
        Some(review(self, item.clone(), blob, today))
    }

    /// The keys `signer` may sign a record about `subject` with, and where
    /// they were found (for messages): an editor's are the trust root's
    /// when there is one; everyone else's are those their people file lists
    /// (in the production edition, the approved one).
    pub fn signer_keys<'a>(
        &'a self,
        subject: &Subject,
        signer: &PersonId,
        trust_root: Option<&'a crate::trust::TrustRoot>,
    ) -> (Vec<&'a SigningKey>, &'static str) {
        let trust_root = trust_root.or(self.trust_root());
        match trust_root {
            Some(root) if subject.is_editorial() => (root.keys_of(signer), "in the trust root"),
            _ => {
                let found_in =
                    if self.trust_root().is_some() { "in their approved people file" } else { "in their people file" };
                (self.person(signer).map(|p| p.signing_keys.iter().collect()).unwrap_or_default(), found_in)
            }
        }
    }

    /// The review of every item, in collection and slug order.
    pub fn reviews(&self, today: Date) -> impl Iterator<Item = Review<'_>> {
        self.all_items().map(move |i| review(self, i.reference(), &i.meta().blob, today))
    }
}

/// The approved versions of a ledger's `records`, oldest first: version N
/// is the Nth distinct blob approved (of an item, a people file, `site.toml`
/// or the theme alike).
pub(crate) fn versions(records: &[LedgerRecord]) -> Vec<Version<'_>> {
    let mut versions: Vec<Version<'_>> = Vec::new();
    for record in records.iter().filter(|r| r.decision == Decision::Approved) {
        let signer = crate::trust::signer_fingerprint(record).unwrap_or_default();
        match versions.iter_mut().find(|v| v.blob == &record.blob) {
            Some(v) => (v.last_approval, v.signer) = (record, signer),
            None => versions.push(Version {
                number: versions.len() as u32 + 1,
                blob: &record.blob,
                approval: record,
                last_approval: record,
                signer,
            }),
        }
    }
    versions
}

/// Derives the review of an item whose text has blob `blob`, as of `today`.
pub(crate) fn review<'a>(library: &'a Library, item: ItemRef, blob: &BlobId, today: Date) -> Review<'a> {
    let records: &[LedgerRecord] = library.ledger(&item).map_or(&[], |l| &l.records);
    let versions = versions(records);
    let last_on_current = records.iter().rev().find(|r| &r.blob == blob);
    let last_decision = records.last();
    let state = match (last_on_current.map(|r| r.decision), versions.is_empty(), last_decision.map(|r| r.decision)) {
        (Some(Decision::Approved), _, _) => State::Approved,
        (Some(Decision::ChangesRequested), _, _) => State::ChangesRequested,
        (None, false, _) => State::ChangedSinceApproval,
        (None, true, Some(Decision::ChangesRequested)) => State::ChangesRequested,
        (None, true, _) => State::NeverReviewed,
    };
    let number_of = |b: &BlobId| versions.iter().find(|v| v.blob == b).map(|v| v.number);
    let current = number_of(blob);
    let published = latest_approval(records).and_then(|r| number_of(&r.blob));
    let last_reviewed = records.iter().filter(|r| r.decision == Decision::Approved).map(|r| r.date).max();
    let interval = i64::from(library.config().review.interval_days);
    let next_review_due = last_reviewed.and_then(|d| d.checked_add(jiff::Span::new().days(interval)).ok());
    let overdue = next_review_due.is_some_and(|due| due < today);
    let open_request = last_decision.filter(|r| r.decision == Decision::ChangesRequested);
    Review { item, state, overdue, versions, current, published, last_reviewed, next_review_due, open_request }
}

/// What a front end should offer a person refused, for it to word: a
/// hint as data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Say what changed, or what must change.
    WriteText,
    /// Choose a subject that exists.
    ChooseSubject,
    /// Ask someone who holds the right role, or did not write the item.
    AskAnotherSigner,
    /// Renew the licence in this people file.
    RenewLicence(std::path::PathBuf),
    /// Commit this file first.
    Commit(std::path::PathBuf),
    /// List the key in this people file (an editor approves the change).
    ListKey(std::path::PathBuf),
    /// Look at the subject again: it or its ledger changed meanwhile.
    ReviewAgain,
    /// Nothing the person can do; the message says what failed.
    None,
}

/// Why `person`, as the people file given describes them, may not approve
/// items on `on` (no clinical reviewer role, or an expired licence): the
/// rule every front end applies, to the working tree's file or, where
/// production's judgement is wanted, the approved one.
pub fn clinician_refusal(person: &crate::model::Person, on: Date) -> Option<(String, Action)> {
    if !person.has_role(Role::ClinicalReviewer) {
        return Some((
            format!(
                "{} does not hold the clinical_reviewer role; only licensed clinicians with it may approve",
                person.name
            ),
            Action::AskAnotherSigner,
        ));
    }
    let expires = person.licence.as_ref().and_then(|l| l.expires).filter(|e| *e < on)?;
    let path = person.path.display();
    Some((
        format!("{}'s licence expired on {expires}; renew it in {path} before approving", person.name),
        Action::RenewLicence(person.path.clone()),
    ))
}

/// Why a person may not approve an item, and what would help; `None` when
/// they may.
pub fn approval_refusal(library: &Library, item: &ItemRef, reviewer: &PersonId, on: Date) -> Option<(String, Action)> {
    let Some(person) = library.person(reviewer) else {
        return Some((format!("there is no person `{reviewer}` in content/people/"), Action::AskAnotherSigner));
    };
    if let Some(refusal) = clinician_refusal(person, on) {
        return Some(refusal);
    }
    match library.item(item) {
        None => Some((format!("there is no item {item}"), Action::ChooseSubject)),
        Some(i) if i.meta().author == *reviewer => Some((
            format!("{} wrote {item}; a different clinical reviewer must approve it", person.name),
            Action::AskAnotherSigner,
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &[u8] =
        b"title = \"T\"\ndescription = \"D\"\nbase_url = \"https://t.example\"\n[review]\ninterval_days = 30\n";
    const TEAM: &[u8] = b"name: Team\nkind: organisation\nroles: [author]\nemail: team@t.example\n";
    const RILEY: &str = "name: Riley Example (fictional)\ncredentials:\n  - abbreviation: LCSW\n    meaning: Licensed Clinical Social Worker\nroles: [clinical_reviewer]\nemail: riley@t.example\n";
    const GUIDE: &[u8] = b"---\ntitle: A guide\nsummary: A fictional guide used to test how review states are derived.\nauthor: team\ncreated: 2026-01-01\nsources:\n  - authors: [\"A, B.\"]\n    year: 2000\n    title: T\n    publisher: P\n---\nBody\n";

    fn record(blob: &BlobId, date: &str, decision: &str) -> LedgerRecord {
        let (decision, text) =
            if decision == "approved" { (Decision::Approved, "s") } else { (Decision::ChangesRequested, "n") };
        let sha256 = Sha256::of(blob.as_str().as_bytes());
        LedgerRecord::new(blob.clone(), sha256, "riley".parse().unwrap(), date.parse().unwrap(), decision, text)
    }

    /// The guide's ledger holding `records`, signed by Riley's key.
    fn library(records: Vec<LedgerRecord>) -> Library {
        let key = crate::trust::tests::test_key(1);
        let riley = format!("{RILEY}signing_keys:\n  - {}\n", crate::trust::tests::public_line(&key));
        let ledger = crate::trust::tests::signed_yaml(&"guides/a".parse().unwrap(), &key, records);
        let files: Vec<(&str, &[u8])> = vec![
            ("people/team.yaml", TEAM),
            ("people/riley.yaml", riley.as_bytes()),
            ("guides/a.md", GUIDE),
            ("reviews/guides/a.yaml", ledger.as_bytes()),
        ];
        Library::from_memory(SITE, &files).unwrap_or_else(|d| panic!("{d:?}"))
    }

    fn review_on<'a>(library: &'a Library, date: &str) -> Review<'a> {
        library.review(&"guides/a".parse().unwrap(), date.parse().unwrap()).unwrap()
    }

    #[test]
    fn states_follow_the_ledger_and_the_current_blob() {
        let current = BlobId::of(GUIDE);
        let other = BlobId::of(b"an older text");
        let lib = library(vec![]);
        assert_eq!(review_on(&lib, "2026-02-01").state, State::NeverReviewed);

        let lib = library(vec![record(&current, "2026-01-10", "approved")]);
        let r = review_on(&lib, "2026-02-01");
        assert_eq!((r.state, r.current, r.overdue), (State::Approved, Some(1), false));
        let riley = crate::trust::tests::test_key(1).public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string();
        assert_eq!(r.versions[0].signer, riley);
        assert_eq!(r.next_review_due, Some("2026-02-09".parse().unwrap()));
        assert!(review_on(&lib, "2026-02-10").overdue, "30 days after the approval");

        let lib = library(vec![record(&other, "2026-01-10", "approved")]);
        let r = review_on(&lib, "2026-02-01");
        assert_eq!((r.state, r.current, r.latest().map(|v| v.number)), (State::ChangedSinceApproval, None, Some(1)));

        let lib = library(vec![record(&current, "2026-01-10", "changes_requested")]);
        assert_eq!(review_on(&lib, "2026-02-01").state, State::ChangesRequested);
    }

    #[test]
    fn an_unsigned_or_forged_record_does_not_load() {
        let current = BlobId::of(GUIDE);
        let key = crate::trust::tests::test_key(1);
        let riley = format!("{RILEY}signing_keys:\n  - {}\n", crate::trust::tests::public_line(&key));
        let subject: Subject = "guides/a".parse().unwrap();
        let unsigned = serde_yaml::to_string(&[record(&current, "2026-01-10", "approved")]).unwrap();
        let forged = crate::trust::tests::signed_yaml(
            &subject,
            &crate::trust::tests::test_key(2),
            vec![record(&current, "2026-01-10", "approved")],
        );
        for (ledger, reason) in
            [(unsigned, "the record is not signed"), (forged, "which is not one of riley's keys in their people file")]
        {
            let files: Vec<(&str, &[u8])> = vec![
                ("people/team.yaml", TEAM),
                ("people/riley.yaml", riley.as_bytes()),
                ("guides/a.md", GUIDE),
                ("reviews/guides/a.yaml", ledger.as_bytes()),
            ];
            let errors = Library::from_memory(SITE, &files).unwrap_err();
            let found: Vec<String> =
                errors.errors().map(|d| format!("{}:{}: {}", d.file.display(), d.line, d.message)).collect();
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].starts_with("content/reviews/guides/a.yaml:"), "{found:?}");
            assert!(
                found[0].contains("record 1 (2026-01-10, riley) is not an approval: ") && found[0].contains(reason),
                "{found:?}"
            );
        }
    }

    #[test]
    fn a_return_to_an_older_version_is_published_under_its_own_number() {
        let current = BlobId::of(GUIDE);
        let other = BlobId::of(b"a second text");
        let lib = library(vec![
            record(&current, "2026-01-10", "approved"),
            record(&other, "2026-01-11", "approved"),
            record(&current, "2026-01-12", "approved"),
        ]);
        let r = review_on(&lib, "2026-01-20");
        assert_eq!(r.versions.len(), 2, "versions are distinct blobs");
        assert_eq!(r.latest().map(|v| v.number), Some(1), "the last approval is of version 1");
        assert_eq!(r.current, Some(1));
        assert_eq!(r.current_version().map(|v| v.last_approval.date), Some("2026-01-12".parse().unwrap()));
        assert_eq!(lib.approved_blobs().values().next().copied(), Some(&current));
    }
}
