//! Editions: which version of each item a build publishes.
//!
//! The preview edition is the working tree as loaded. The production
//! edition is each item's latest approved version, read from git by blob id
//! even when the working tree has newer edits, with never-approved items
//! withheld. It is loaded through the same passes as the working tree, so
//! it is validated the same way.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::git::{GitError, Repo};
use crate::library::Library;
use crate::model::{BlobId, Decision, ItemRef};

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
    /// Git could not provide an approved version.
    #[error(transparent)]
    Git(#[from] GitError),
    /// An approved version no longer loads against today's people or items.
    #[error("the approved versions do not load: {0}")]
    Content(Diagnostics),
}

impl Library {
    /// The latest approved blob of every item that has one.
    pub fn approved_blobs(&self) -> BTreeMap<ItemRef, &BlobId> {
        self.ledgers()
            .iter()
            .filter_map(|l| {
                let last = l.records.iter().rev().find(|r| r.decision == Decision::Approved)?;
                Some((l.item.clone(), &last.blob))
            })
            .collect()
    }

    /// The production edition of this (working-tree) library: every item at
    /// its latest approved version, read from `repo` in one pass; items with
    /// no approved version are withheld.
    pub fn production(&self, repo: &Repo) -> Result<Library, EditionError> {
        let approved = self.approved_blobs();
        if approved.is_empty() {
            return Err(EditionError::NothingApproved);
        }
        let wanted: Vec<(BlobId, std::path::PathBuf)> = approved
            .iter()
            .filter_map(|(r, blob)| {
                let item = self.item(r)?;
                (item.meta().blob != **blob).then(|| ((*blob).clone(), item.meta().path.clone()))
            })
            .collect();
        let blobs = repo.read_blobs(&wanted)?;
        let approved: BTreeMap<ItemRef, BlobId> = approved.into_iter().map(|(r, b)| (r, b.clone())).collect();
        Library::load_selected(self.root(), &mut |item, bytes| {
            let blob = approved.get(item)?;
            if BlobId::of(&bytes) == *blob { Some(bytes) } else { blobs.get(blob).cloned() }
        })
        .map_err(EditionError::Content)
    }
}
