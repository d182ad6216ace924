//! Editions: which version of each item a build publishes.
//!
//! The preview edition is the working tree as loaded. The production
//! edition is each item's latest approved version, read from git by blob id
//! even when the working tree has newer edits, with never-approved items
//! withheld. It is loaded through the same passes as the working tree, so
//! it is validated the same way.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::git::{FileStatus, GitError, History, Repo};
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
    /// The ledgers have uncommitted changes, so the build would not be
    /// reproducible from git.
    #[error(
        "content/reviews/ has uncommitted changes; commit the review ledgers first, so that what is published is recorded in git"
    )]
    UncommittedLedgers,
    /// A ledger approves a blob that the item's file never held.
    #[error(
        "{item}: the approved blob {blob} was never a version of {file}; ledgers record only blobs the file held in a commit (`securebase review approve` does this)"
    )]
    ForeignBlob {
        /// The item.
        item: ItemRef,
        /// The approved blob.
        blob: BlobId,
        /// The item's file.
        file: std::path::PathBuf,
    },
    /// An approved version no longer loads against today's people or items;
    /// the diagnostics name the file, but the lines are those of the
    /// approved version (`git show <blob>`).
    #[error("the approved versions do not load ({0}); the lines below are those of the approved versions")]
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
    pub fn production(&self, repo: &Repo, history: &History) -> Result<Library, EditionError> {
        let approved = self.approved_blobs();
        if approved.is_empty() {
            return Err(EditionError::NothingApproved);
        }
        if repo.status(std::path::Path::new("content/reviews"))? != FileStatus::Clean {
            return Err(EditionError::UncommittedLedgers);
        }
        for (item, blob) in &approved {
            let Some(file) = self.item(item).map(|i| i.meta().path.clone()) else { continue };
            if !history.changes(&file).iter().any(|c| c.blob.as_ref() == Some(*blob)) {
                if repo.is_shallow() {
                    let shallow = crate::git::SHALLOW_HINT;
                    return Err(GitError::MissingBlob { blob: (*blob).clone(), file, shallow }.into());
                }
                return Err(EditionError::ForeignBlob { item: item.clone(), blob: (*blob).clone(), file });
            }
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
        // Fast path: reuse every item whose text is already its approved
        // version, parse only the others from their blobs, and check the
        // result. Any problem is reported by the full path below, which
        // loads every file again and locates each diagnostic.
        if let Ok(library) = self.assemble(&approved, &wanted, &blobs) {
            return Ok(library);
        }
        Library::load_selected(self.root(), &|item, bytes| {
            let blob = approved.get(item)?;
            if BlobId::of(&bytes) == *blob { Some(bytes) } else { blobs.get(blob).cloned() }
        })
        .map_err(EditionError::Content)
    }

    /// The production library from this one's parsed items: unchanged
    /// approved items cloned, changed ones parsed from their approved blobs,
    /// never-approved ones withheld; then the reference and rule passes.
    fn assemble(
        &self,
        approved: &BTreeMap<ItemRef, BlobId>,
        wanted: &[(BlobId, std::path::PathBuf)],
        blobs: &BTreeMap<BlobId, Vec<u8>>,
    ) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let files: Vec<(String, &[u8])> = wanted
            .iter()
            .filter_map(|(blob, path)| {
                let inside = path.strip_prefix("content").ok()?.to_string_lossy().replace('\\', "/");
                Some((inside, blobs.get(blob)?.as_slice()))
            })
            .collect();
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let mut loaded = crate::load::load_files(&files, &mut diags);
        if diags.has_errors()
            || loaded.styles.len() + loaded.strategies.len() + loaded.therapies.len() + loaded.guides.len()
                != files.len()
        {
            return Err(diags);
        }
        let replaced: std::collections::BTreeSet<ItemRef> = loaded
            .styles
            .iter()
            .map(|i| i.reference())
            .chain(loaded.strategies.iter().map(|i| i.reference()))
            .chain(loaded.therapies.iter().map(|i| i.reference()))
            .chain(loaded.guides.iter().map(|i| i.reference()))
            .collect();
        let keep = |r: ItemRef| approved.contains_key(&r) && !replaced.contains(&r);
        loaded.styles.extend(self.styles.iter().filter(|i| keep(i.reference())).cloned());
        loaded.strategies.extend(self.strategies.iter().filter(|i| keep(i.reference())).cloned());
        loaded.therapies.extend(self.therapies.iter().filter(|i| keep(i.reference())).cloned());
        loaded.guides.extend(self.guides.iter().filter(|i| keep(i.reference())).cloned());
        loaded.people = self.people.clone();
        loaded.ledgers = self.ledgers.clone();
        loaded.config = Some(self.config.clone());
        let withheld =
            self.all_items().map(|i| i.reference()).filter(|r| !approved.contains_key(r)).map(|r| r.to_string());
        loaded.sources = crate::load::Sources::absent_only(withheld.collect());
        Library::checked(&self.root, loaded, diags)
    }
}
