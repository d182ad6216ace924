//! Review state: derived from an item's ledger and the blob of its text,
//! never stored.
//!
//! Version N of an item is the Nth distinct blob a clinician approved. An
//! item is approved when its text is an approved version and the last
//! decision on that text was an approval.

use serde::Serialize;

use crate::library::Library;
use crate::model::*;

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
    /// The version number of the current text, if it is approved.
    pub current: Option<u32>,
    /// The date of the latest approval of any version.
    pub last_reviewed: Option<Date>,
    /// When the next review falls due: the last approval plus the interval.
    pub next_review_due: Option<Date>,
    /// The latest change request, if it is the latest decision.
    pub open_request: Option<&'a LedgerRecord>,
}

impl<'a> Review<'a> {
    /// The latest approved version.
    pub fn latest(&self) -> Option<&Version<'a>> {
        self.versions.last()
    }

    /// The version the current text is, if approved.
    pub fn current_version(&self) -> Option<&Version<'a>> {
        self.current.and_then(|n| self.versions.get(n as usize - 1))
    }
}

/// Derives the review of an item whose text has blob `blob`, as of `today`.
pub(crate) fn review<'a>(library: &'a Library, item: ItemRef, blob: &BlobId, today: Date) -> Review<'a> {
    let records: &[LedgerRecord] = library.ledger(&item).map_or(&[], |l| &l.records);
    let mut versions: Vec<Version<'a>> = Vec::new();
    for record in records.iter().filter(|r| r.decision == Decision::Approved) {
        match versions.iter_mut().find(|v| v.blob == &record.blob) {
            Some(v) => v.last_approval = record,
            None => versions.push(Version {
                number: versions.len() as u32 + 1,
                blob: &record.blob,
                approval: record,
                last_approval: record,
            }),
        }
    }
    let last_on_current = records.iter().rev().find(|r| &r.blob == blob);
    let last_decision = records.last();
    let state = match (last_on_current.map(|r| r.decision), versions.is_empty(), last_decision.map(|r| r.decision)) {
        (Some(Decision::Approved), _, _) => State::Approved,
        (Some(Decision::ChangesRequested), _, _) => State::ChangesRequested,
        (None, false, _) => State::ChangedSinceApproval,
        (None, true, Some(Decision::ChangesRequested)) => State::ChangesRequested,
        (None, true, _) => State::NeverReviewed,
    };
    let current =
        if state == State::Approved { versions.iter().find(|v| v.blob == blob).map(|v| v.number) } else { None };
    let last_reviewed = records.iter().filter(|r| r.decision == Decision::Approved).map(|r| r.date).max();
    let interval = i64::from(library.config().review.interval_days);
    let next_review_due = last_reviewed.and_then(|d| d.checked_add(jiff::Span::new().days(interval)).ok());
    let overdue = next_review_due.is_some_and(|due| due < today);
    let open_request = last_decision.filter(|r| r.decision == Decision::ChangesRequested);
    Review { item, state, overdue, versions, current, last_reviewed, next_review_due, open_request }
}

/// Why a person may not approve an item; `None` when they may.
pub fn approval_refusal(library: &Library, item: &ItemRef, reviewer: &PersonId, on: Date) -> Option<String> {
    let Some(person) = library.person(reviewer) else {
        return Some(format!("there is no person `{reviewer}` in content/people/"));
    };
    if !person.has_role(Role::ClinicalReviewer) {
        return Some(format!(
            "{} does not hold the clinical_reviewer role; only licensed clinicians with it may approve",
            person.name
        ));
    }
    if let Some(expires) = person.licence.as_ref().and_then(|l| l.expires).filter(|e| *e < on) {
        let path = person.path.display();
        return Some(format!("{}'s licence expired on {expires}; renew it in {path} before approving", person.name));
    }
    match library.item(item) {
        None => Some(format!("there is no item {item}")),
        Some(i) if i.meta().author == *reviewer => {
            Some(format!("{} wrote {item}; a different clinical reviewer must approve it", person.name))
        }
        Some(_) => None,
    }
}
