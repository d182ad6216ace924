//! Opening a project: [`Library::load`], [`Library::check`],
//! [`Library::from_memory`] and [`Library::reload`] run the shape pass
//! ([`load`](crate::load)) and the reference and rule passes
//! ([`validate`](crate::validate)) and hand out a [`Library`] only when
//! there are no errors.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostics;
use crate::layout::ProjectLayout;
use crate::library::{Helpers, ItemReadability, Library, Positions};
use crate::load::{self, Loaded};
use crate::memo::ReadabilityMemo;
use crate::model::*;
use crate::trust::{Mathematics, TrustRoot};
use crate::validate;

/// What [`Library::check`] found in a project without errors.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Checked {
    /// How many items each collection holds, in [`Collection::ALL`] order.
    pub items: [usize; 4],
    /// How many people.
    pub people: usize,
    /// How many review ledgers.
    pub ledgers: usize,
    /// The warnings, sorted by file and line.
    pub warnings: Diagnostics,
    /// Each item's readability figures, in collection and slug order.
    pub readability: Vec<ItemReadability>,
}

impl Checked {
    /// How many items `collection` holds.
    pub fn count(&self, collection: Collection) -> usize {
        Collection::ALL.iter().position(|c| *c == collection).map_or(0, |at| self.items[at])
    }
}

/// What [`Library::reload`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reload {
    /// Only these items changed; nothing else was read again.
    Items(Vec<ItemRef>),
    /// The whole project was loaded again.
    All,
}

impl Library {
    #[cfg(feature = "project")]
    /// Loads and validates the project at `root` (the folder holding
    /// `site.toml` and `content/`).
    ///
    /// # Errors
    ///
    /// Every problem found, errors and warnings, sorted by file and line,
    /// when there is at least one error.
    pub fn load(root: impl AsRef<Path>) -> Result<Library, Diagnostics> {
        Self::load_selected(root.as_ref(), &|_, bytes| Some(bytes))
    }

    #[cfg(feature = "project")]
    /// Loads like [`load`](Self::load), with each item file's bytes passed
    /// through `select`, which may replace them (with an approved version)
    /// or withhold the item (`None`). References to withheld items are not
    /// errors.
    pub(crate) fn load_selected(root: &Path, select: load::Select<'_>) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, select, load::Bodies::Keep, None);
        Self::checked(root, loaded, diags, None, Mathematics::Verify)
    }

    #[cfg(feature = "project")]
    /// Loads like [`load_selected`](Self::load_selected), checking every
    /// signature against `trust_root` (editors) and the selected people
    /// files (clinical reviewers): the production edition.
    pub(crate) fn load_trusted(
        root: &Path,
        select: load::Select<'_>,
        trust_root: TrustRoot,
    ) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, select, load::Bodies::Keep, None);
        Self::checked(root, loaded, diags, Some(trust_root), Mathematics::Verify)
    }

    #[cfg(feature = "project")]
    /// Checks the project at `root` exactly as [`load`](Self::load) does and
    /// says what it found, without keeping the library: each item's body is
    /// read (for its blob id and the rule that it is not empty) and let go
    /// at once. For a caller that only validates, such as `securebase
    /// check`, this takes a fraction of the memory.
    ///
    /// # Errors
    ///
    /// Every problem found, the same as [`load`](Self::load) reports, when
    /// there is at least one error.
    pub fn check(root: impl AsRef<Path>) -> Result<Checked, Diagnostics> {
        Self::check_remembering(root.as_ref(), None)
    }

    #[cfg(feature = "project")]
    /// Checks like [`check`](Self::check), taking the readability figures
    /// of each item file `memo` has (by its SHA-256) instead of measuring it
    /// again, and leaving in `memo` the figures of exactly the item files
    /// this check met (with readability off, it is left as it was). With a
    /// memo this program wrote, the result is the same as `check`'s: its
    /// figures are taken as they are.
    ///
    /// ```
    /// # let project = tempfile::tempdir()?;
    /// # let write = |path: &str, text: &str| -> std::io::Result<()> {
    /// #     let path = project.path().join(path);
    /// #     std::fs::create_dir_all(path.parent().unwrap())?;
    /// #     std::fs::write(path, text)
    /// # };
    /// # write("site.toml", "title = \"Example\"\ndescription = \"A tiny example site.\"\nbase_url = \"https://example.org\"\n")?;
    /// # write("content/people/team.yaml", "name: Example Team\nkind: organisation\nroles: [author]\nemail: team@example.org\n")?;
    /// # write("content/guides/start.md", "---\ntitle: Start here\nsummary: Where to begin, and what each part of the site is for.\n\
    /// #     author: team\ncreated: 2026-01-15\nsources:\n  - { authors: [\"Bowlby, J.\"], year: 1969, title: Attachment, publisher: Basic Books }\n\
    /// #     ---\nWelcome. This page is where to begin.\n")?;
    /// use securebase::{Library, ReadabilityMemo};
    ///
    /// let mut memo = ReadabilityMemo::new("my-app 1.0");
    /// let first = Library::check_with(project.path(), &mut memo).expect("no errors");
    /// assert_eq!((memo.len(), memo.changed()), (1, true));
    /// // Kept between runs as bytes, and read back under the same stamp.
    /// let mut memo = ReadabilityMemo::from_bytes("my-app 1.0", &memo.to_bytes());
    /// let again = Library::check_with(project.path(), &mut memo).expect("no errors");
    /// assert_eq!((again.readability, memo.changed()), (first.readability, false));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Every problem found, the same as [`check`](Self::check) reports.
    pub fn check_with(root: impl AsRef<Path>, memo: &mut ReadabilityMemo) -> Result<Checked, Diagnostics> {
        Self::check_remembering(root.as_ref(), Some(memo))
    }

    #[cfg(feature = "project")]
    fn check_remembering(root: &Path, mut memo: Option<&mut ReadabilityMemo>) -> Result<Checked, Diagnostics> {
        if let Some(memo) = memo.as_mut() {
            memo.unchanged();
        }
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, &|_, bytes| Some(bytes), load::Bodies::Drop, memo.as_deref());
        // With readability off nothing was measured: the memo stays as it
        // was, for when it is on again.
        if let Some(memo) = memo.as_mut().filter(|_| load::measured(loaded.config.as_ref())) {
            let figures =
                loaded.items.iter().filter_map(|item| Some((item.meta().sha256.clone(), item.meta().readability?)));
            memo.replace(figures.collect());
        }
        let library = Self::checked(root, loaded, diags, None, Mathematics::Verify)?;
        Ok(Checked {
            items: Collection::ALL.map(|c| library.count(c)),
            people: library.people.len(),
            ledgers: library.ledgers.len(),
            readability: library.all_items().filter_map(ItemReadability::of).collect(),
            warnings: library.warnings,
        })
    }

    /// Loads a project held in memory: the bytes of `site.toml`, and every
    /// file under `content/` as (path inside `content/`, bytes), such as
    /// (`"styles/avoidant.md"`, ...). Checked exactly as [`load`](Self::load)
    /// checks files on disk; [`root`](Self::root) is empty.
    ///
    /// # Errors
    ///
    /// Every problem found, when there is at least one error.
    pub fn from_memory(site_toml: &[u8], files: &[(&str, &[u8])]) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load_memory(site_toml, files, &mut diags);
        Self::checked(Path::new(""), loaded, diags, None, Mathematics::Verify)
    }

    /// Sorts what loaded, runs the reference and rule passes, and hands out
    /// the library only when there are no errors.
    pub(crate) fn checked(
        root: &Path,
        loaded: Loaded,
        diags: Diagnostics,
        trust_root: Option<TrustRoot>,
        mathematics: Mathematics,
    ) -> Result<Library, Diagnostics> {
        let Loaded { config, mut items, mut people, mut ledgers, mut editorial, provenance } = loaded;
        items.sort();
        people.sort_unstable_by(|a, b| (&a.id, &a.path).cmp(&(&b.id, &b.path)));
        ledgers.sort_unstable_by(|a, b| (&a.item, &a.path).cmp(&(&b.item, &b.path)));
        editorial.sort_unstable_by(|a, b| (&a.subject, &a.path).cmp(&(&b.subject, &b.path)));
        let mut library = Library {
            root: root.to_path_buf(),
            // Without a usable site.toml an error is already recorded, so this
            // library is only checked, never returned.
            config: config.unwrap_or_else(SiteConfig::placeholder),
            items,
            people,
            ledgers,
            editorial,
            trust_root,
            warnings: Diagnostics::new(),
            helpers: Helpers::default(),
            positions: Positions::default(),
        };
        library.positions = Positions::build(&library);
        library.validated(&provenance, diags, mathematics)?;
        Ok(library)
    }

    /// Runs the reference and rule passes over this library as it stands;
    /// with no errors, keeps the warnings and builds the reverse relations.
    fn validated(
        &mut self,
        provenance: &load::Provenance,
        mut diags: Diagnostics,
        mathematics: Mathematics,
    ) -> Result<(), Diagnostics> {
        validate::validate(self, provenance, validate::Scope::All, mathematics, &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Err(diags);
        }
        self.warnings = diags;
        self.helpers = Helpers::build(self);
        Ok(())
    }

    #[cfg(feature = "project")]
    /// Brings the library up to date after the files at `changed` (paths
    /// under [`root`](Self::root), as `content/styles/avoidant.md`)
    /// changed on disk, as a long-running tool such as `securebase serve`
    /// needs.
    ///
    /// When every changed file is the file of an item already in the
    /// library, only those files are parsed again, and only the checks
    /// their texts can affect run again (their own, their ledgers', and
    /// the style and helper pairs they are part of). Anything else (a person, a ledger,
    /// `site.toml`, a new or removed file), and any problem, loads the whole
    /// project again, so that errors are reported exactly as
    /// [`load`](Self::load) reports them.
    ///
    /// # Errors
    ///
    /// Every problem found, when there is at least one error; the library is
    /// then unchanged.
    pub fn reload(&mut self, changed: &[PathBuf]) -> Result<Reload, Diagnostics> {
        if let Some(items) = self.reload_items(changed) {
            return Ok(Reload::Items(items));
        }
        *self = Library::load(&self.root)?;
        Ok(Reload::All)
    }

    #[cfg(feature = "project")]
    /// The fast path of [`reload`](Self::reload): the changed items parsed
    /// again and swapped in, or `None` (and the library as it was) when
    /// that is not enough or does not validate.
    fn reload_items(&mut self, changed: &[PathBuf]) -> Option<Vec<ItemRef>> {
        let mut refs = Vec::new();
        let mut files = Vec::new();
        for path in changed {
            let r = self.item_at(path)?.reference();
            if refs.contains(&r) {
                return None;
            }
            let bytes = load::read_again(&self.root.join(path))?;
            let inside = ProjectLayout::inside_content(path)?;
            refs.push(r);
            files.push((inside, bytes));
        }
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        let mut diags = Diagnostics::new();
        let loaded = load::load_files(
            &files,
            self.config().readability.measured(),
            Some(&self.config().safety_note),
            &mut diags,
        );
        let parsed = loaded.items.len();
        if diags.has_errors() || parsed != refs.len() {
            return None;
        }
        // Only what the changed texts can affect is checked again; the rest
        // of the library was valid and has not changed.
        let none = load::Provenance::absent_only(Default::default());
        let scope = validate::Scope::Items(&refs);
        let relations = |library: &Library| -> Vec<Vec<(&'static str, ItemRef, Collection)>> {
            let owned = |i: AnyItem<'_>| i.typed_refs().into_iter().map(|(f, r, c)| (f, r.clone(), c)).collect();
            refs.iter().filter_map(|r| library.item(r)).map(owned).collect()
        };
        let (mut before, related_before) = (Diagnostics::new(), relations(self));
        validate::validate(self, &none, scope, Mathematics::Verify, &mut before);
        // The body's rule runs as a file loads, so the old texts' results
        // are found again here.
        let safety = Some(&self.config().safety_note);
        for item in refs.iter().filter_map(|r| self.item(r)) {
            let meta = item.meta();
            for warning in load::body_warnings(&meta.path, item.collection(), &meta.body, meta.body_line, safety) {
                before.push(warning);
            }
        }
        let previous = self.swap_items(loaded);
        validate::validate(self, &none, scope, Mathematics::Verify, &mut diags);
        if diags.has_errors() {
            self.swap_items(previous);
            return None;
        }
        self.warnings.replace(before, diags);
        if relations(self) != related_before {
            self.helpers = Helpers::build(self);
        }
        Some(refs)
    }

    #[cfg(feature = "project")]
    /// Puts each item of `items` in place of the item with its slug, and
    /// returns the items it replaced.
    fn swap_items(&mut self, items: Loaded) -> Loaded {
        fn swap<K: Kind>(into: &mut [Item<K>], items: Vec<Item<K>>) -> Vec<Item<K>> {
            items
                .into_iter()
                .filter_map(|item| {
                    let at = into.binary_search_by(|i| i.meta.slug.cmp(&item.meta.slug)).ok()?;
                    Some(std::mem::replace(&mut into[at], item))
                })
                .collect()
        }
        let items = items.items;
        let replaced = Items {
            styles: swap(&mut self.items.styles, items.styles),
            strategies: swap(&mut self.items.strategies, items.strategies),
            therapies: swap(&mut self.items.therapies, items.therapies),
            guides: swap(&mut self.items.guides, items.guides),
        };
        Loaded { items: replaced, ..Loaded::default() }
    }
}
