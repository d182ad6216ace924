//! [`Library`]: the loaded, validated content of one project.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostics;
use crate::load::{self, Loaded};
use crate::model::*;
use crate::readability::ItemReadability;
use crate::review::{self, Review};
use crate::trust::{Mathematics, TrustRoot};
use crate::validate;

/// Every item, person and ledger of a project, validated, with the warnings
/// that did not stop it loading.
///
/// Collections are sorted by slug, so iteration order is stable and lookups
/// are binary searches.
#[derive(Debug, Clone)]
pub struct Library {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) styles: Vec<Item<Style>>,
    pub(crate) strategies: Vec<Item<Strategy>>,
    pub(crate) therapies: Vec<Item<Therapy>>,
    pub(crate) guides: Vec<Item<Guide>>,
    pub(crate) people: Vec<Person>,
    pub(crate) ledgers: Vec<Ledger>,
    pub(crate) editorial: Vec<EditorialLedger>,
    /// The trust root the production edition was checked against; `None`
    /// for the working tree, whose people files give every key.
    pub(crate) trust_root: Option<TrustRoot>,
    warnings: Diagnostics,
    helpers: Helpers,
    positions: Positions,
}

/// Where each item and ledger sits in its sorted collection, so that a
/// lookup by slug is one hash probe rather than a search through large
/// structures.
#[derive(Debug, Clone, Default)]
struct Positions {
    /// For each collection, in [`Collection::ALL`] order: slug to index.
    items: [FxHashMap<String, usize>; 4],
    /// Item to index in the ledgers.
    ledgers: FxHashMap<ItemRef, usize>,
}

impl Positions {
    fn build(library: &Library) -> Positions {
        fn slugs<K: Kind>(items: &[Item<K>]) -> FxHashMap<String, usize> {
            items.iter().enumerate().map(|(at, i)| (i.meta.slug.as_str().to_owned(), at)).collect()
        }
        Positions {
            items: [
                slugs(&library.styles),
                slugs(&library.strategies),
                slugs(&library.therapies),
                slugs(&library.guides),
            ],
            ledgers: library.ledgers.iter().enumerate().map(|(at, l)| (l.item.clone(), at)).collect(),
        }
    }

    fn item(&self, collection: Collection, slug: &str) -> Option<usize> {
        let at = Collection::ALL.iter().position(|c| *c == collection)?;
        self.items[at].get(slug).copied()
    }
}

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

/// Which strategies and therapies help which styles, as indices into the
/// collections: the union of what styles list and what helpers list, built
/// once so that the reverse relations are not searches.
#[derive(Debug, Clone, Default)]
struct Helpers {
    /// For each style: (strategy indices, therapy indices), in slug order.
    of_style: Vec<(Vec<usize>, Vec<usize>)>,
    /// For each strategy: the style indices it helps.
    of_strategy: Vec<Vec<usize>>,
    /// For each therapy: the style indices it helps.
    of_therapy: Vec<Vec<usize>>,
}

impl Helpers {
    fn build(library: &Library) -> Helpers {
        let mut helpers = Helpers {
            of_style: vec![(Vec::new(), Vec::new()); library.styles.len()],
            of_strategy: vec![Vec::new(); library.strategies.len()],
            of_therapy: vec![Vec::new(); library.therapies.len()],
        };
        let index = |r: &ItemRef| -> Option<usize> {
            (r.collection == Collection::Styles)
                .then(|| library.positions.item(Collection::Styles, r.slug.as_str()))
                .flatten()
        };
        let position = |collection: Collection, slug: &Slug| match collection {
            Collection::Strategies | Collection::Therapies => library.positions.item(collection, slug.as_str()),
            _ => None,
        };
        let mut pair = |style: usize, collection: Collection, helper: usize| match collection {
            Collection::Strategies => {
                helpers.of_style[style].0.push(helper);
                helpers.of_strategy[helper].push(style);
            }
            _ => {
                helpers.of_style[style].1.push(helper);
                helpers.of_therapy[helper].push(style);
            }
        };
        for (s, style) in library.styles.iter().enumerate() {
            for r in style.kind.strategies.iter().chain(&style.kind.therapies) {
                if let Some(h) = position(r.collection, &r.slug) {
                    pair(s, r.collection, h);
                }
            }
        }
        for (h, strategy) in library.strategies.iter().enumerate() {
            for s in strategy.kind.helps_with.iter().filter_map(index) {
                pair(s, Collection::Strategies, h);
            }
        }
        for (h, therapy) in library.therapies.iter().enumerate() {
            for s in therapy.kind.helps_with.iter().filter_map(index) {
                pair(s, Collection::Therapies, h);
            }
        }
        let tidy = |v: &mut Vec<usize>| {
            v.sort_unstable();
            v.dedup();
        };
        for (a, b) in &mut helpers.of_style {
            tidy(a);
            tidy(b);
        }
        helpers.of_strategy.iter_mut().chain(&mut helpers.of_therapy).for_each(tidy);
        helpers
    }
}

impl Library {
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

    /// Loads like [`load`](Self::load), with each item file's bytes passed
    /// through `select`, which may replace them (with an approved version)
    /// or withhold the item (`None`). References to withheld items are not
    /// errors.
    pub(crate) fn load_selected(root: &Path, select: load::Select<'_>) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, select, load::Bodies::Keep);
        Self::checked(root, loaded, diags, None, Mathematics::Verify)
    }

    /// Loads like [`load_selected`](Self::load_selected), checking every
    /// signature against `trust_root` (editors) and the selected people
    /// files (clinical reviewers): the production edition.
    pub(crate) fn load_trusted(
        root: &Path,
        select: load::Select<'_>,
        trust_root: TrustRoot,
    ) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, select, load::Bodies::Keep);
        Self::checked(root, loaded, diags, Some(trust_root), Mathematics::Verify)
    }

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
        let root = root.as_ref();
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, &|_, bytes| Some(bytes), load::Bodies::Drop);
        let library = Self::checked(root, loaded, diags, None, Mathematics::Verify)?;
        Ok(Checked {
            items: Collection::ALL.map(|c| library.count(c)),
            people: library.people.len(),
            ledgers: library.ledgers.len(),
            readability: library.all_items().map(ItemReadability::of).collect(),
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
        let Loaded {
            config,
            mut styles,
            mut strategies,
            mut therapies,
            mut guides,
            mut people,
            mut ledgers,
            mut editorial,
            sources,
        } = loaded;
        // Files load in no set order; among files that claim the same id,
        // the one first in path order counts as the first.
        fn by_slug<K: Kind>(items: &mut [Item<K>]) {
            items.sort_unstable_by(|a, b| (&a.meta.slug, &a.meta.path).cmp(&(&b.meta.slug, &b.meta.path)));
        }
        by_slug(&mut styles);
        by_slug(&mut strategies);
        by_slug(&mut therapies);
        by_slug(&mut guides);
        people.sort_unstable_by(|a, b| (&a.id, &a.path).cmp(&(&b.id, &b.path)));
        ledgers.sort_unstable_by(|a, b| (&a.item, &a.path).cmp(&(&b.item, &b.path)));
        editorial.sort_unstable_by(|a, b| (&a.subject, &a.path).cmp(&(&b.subject, &b.path)));
        let mut library = Library {
            root: root.to_path_buf(),
            // Without a usable site.toml an error is already recorded, so this
            // library is only checked, never returned.
            config: config.unwrap_or_else(SiteConfig::placeholder),
            styles,
            strategies,
            therapies,
            guides,
            people,
            ledgers,
            editorial,
            trust_root,
            warnings: Diagnostics::new(),
            helpers: Helpers::default(),
            positions: Positions::default(),
        };
        library.positions = Positions::build(&library);
        library.validated(&sources, diags, mathematics)?;
        Ok(library)
    }

    /// Runs the reference and rule passes over this library as it stands;
    /// with no errors, keeps the warnings and builds the reverse relations.
    fn validated(
        &mut self,
        sources: &load::Sources,
        mut diags: Diagnostics,
        mathematics: Mathematics,
    ) -> Result<(), Diagnostics> {
        validate::validate(self, sources, validate::Scope::All, mathematics, &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Err(diags);
        }
        self.warnings = diags;
        self.helpers = Helpers::build(self);
        Ok(())
    }

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
            let inside = path.strip_prefix("content").ok()?.to_str()?.replace('\\', "/");
            refs.push(r);
            files.push((inside, bytes));
        }
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        let mut diags = Diagnostics::new();
        let loaded = load::load_files(&files, &mut diags);
        let parsed = loaded.styles.len() + loaded.strategies.len() + loaded.therapies.len() + loaded.guides.len();
        if diags.has_errors() || parsed != refs.len() {
            return None;
        }
        // Only what the changed texts can affect is checked again; the rest
        // of the library was valid and has not changed.
        let none = load::Sources::absent_only(Default::default());
        let scope = validate::Scope::Items(&refs);
        let relations = |library: &Library| -> Vec<Vec<(&'static str, ItemRef, Collection)>> {
            let owned = |i: AnyItem<'_>| i.typed_refs().into_iter().map(|(f, r, c)| (f, r.clone(), c)).collect();
            refs.iter().filter_map(|r| library.item(r)).map(owned).collect()
        };
        let (mut before, related_before) = (Diagnostics::new(), relations(self));
        validate::validate(self, &none, scope, Mathematics::Verify, &mut before);
        // The body's rule runs as a file loads, so the old texts' results
        // are found again here.
        for meta in refs.iter().filter_map(|r| self.item(r)).map(|i| i.meta()) {
            if let Some(warning) = load::body_warning(&meta.path, &meta.body, meta.body_line) {
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
        Loaded {
            styles: swap(&mut self.styles, items.styles),
            strategies: swap(&mut self.strategies, items.strategies),
            therapies: swap(&mut self.therapies, items.therapies),
            guides: swap(&mut self.guides, items.guides),
            ..Loaded::default()
        }
    }

    /// The project folder this library was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The site configuration.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// Problems that did not stop loading.
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// Attachment styles, by slug.
    pub fn styles(&self) -> &[Item<Style>] {
        &self.styles
    }

    /// Self-help strategies, by slug.
    pub fn strategies(&self) -> &[Item<Strategy>] {
        &self.strategies
    }

    /// Therapies, by slug.
    pub fn therapies(&self) -> &[Item<Therapy>] {
        &self.therapies
    }

    /// Guides, by slug.
    pub fn guides(&self) -> &[Item<Guide>] {
        &self.guides
    }

    /// The items of collection `K`, by slug: `library.items::<Style>()`.
    pub fn items<K: Kind>(&self) -> &[Item<K>] {
        K::items(self)
    }

    /// One item of collection `K` by slug.
    pub fn get<K: Kind>(&self, slug: &str) -> Option<&Item<K>> {
        let items = K::items(self);
        self.positions.item(K::COLLECTION, slug).and_then(|at| items.get(at))
    }

    /// The item whose file is `path` (relative to [`root`](Self::root), as
    /// `content/styles/avoidant.md`).
    pub fn item_at(&self, path: &Path) -> Option<AnyItem<'_>> {
        let r = load::item_of_file(path)?;
        self.item(&r).filter(|i| i.meta().path == path)
    }

    /// The item a reference points at, of whatever collection.
    pub fn item(&self, r: &ItemRef) -> Option<AnyItem<'_>> {
        self.find(r.collection, r.slug.as_str())
    }

    /// The item with `slug` in `collection`, when the slug is at hand as
    /// text.
    pub fn find(&self, collection: Collection, slug: &str) -> Option<AnyItem<'_>> {
        match collection {
            Collection::Styles => self.get::<Style>(slug).map(AnyItem::Style),
            Collection::Strategies => self.get::<Strategy>(slug).map(AnyItem::Strategy),
            Collection::Therapies => self.get::<Therapy>(slug).map(AnyItem::Therapy),
            Collection::Guides => self.get::<Guide>(slug).map(AnyItem::Guide),
        }
    }

    /// Every item: styles, then strategies, therapies and guides.
    pub fn all_items(&self) -> impl Iterator<Item = AnyItem<'_>> {
        let styles = self.styles.iter().map(AnyItem::Style);
        let strategies = self.strategies.iter().map(AnyItem::Strategy);
        let therapies = self.therapies.iter().map(AnyItem::Therapy);
        let guides = self.guides.iter().map(AnyItem::Guide);
        styles.chain(strategies).chain(therapies).chain(guides)
    }

    /// The slugs of one collection.
    pub fn slugs(&self, collection: Collection) -> impl Iterator<Item = &str> {
        self.all_items().filter(move |i| i.collection() == collection).map(|i| i.meta().slug.as_str())
    }

    /// How many items a collection holds.
    pub fn count(&self, collection: Collection) -> usize {
        match collection {
            Collection::Styles => self.styles.len(),
            Collection::Strategies => self.strategies.len(),
            Collection::Therapies => self.therapies.len(),
            Collection::Guides => self.guides.len(),
        }
    }

    /// People and organisations, by id.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// One person by id.
    pub fn person(&self, id: &PersonId) -> Option<&Person> {
        self.people.binary_search_by(|p| p.id.cmp(id)).ok().map(|i| &self.people[i])
    }

    /// Every review ledger, by item.
    pub fn ledgers(&self) -> &[Ledger] {
        &self.ledgers
    }

    /// The ledgers of people files, `site.toml` and the theme, by subject.
    pub fn editorial_ledgers(&self) -> &[EditorialLedger] {
        &self.editorial
    }

    /// The ledger of one people file, `site.toml` or the theme, if it has one.
    pub fn editorial_ledger(&self, subject: &Editorial) -> Option<&EditorialLedger> {
        self.editorial.iter().find(|l| &l.subject == subject)
    }

    /// The records of the ledger about `subject`; empty when it has none.
    pub fn records(&self, subject: &Subject) -> &[LedgerRecord] {
        let editorial = |e: Editorial| self.editorial_ledger(&e).map(|l| l.records.as_slice());
        match subject {
            Subject::Item(item) => self.ledger(item).map(|l| l.records.as_slice()),
            Subject::Person(id) => editorial(Editorial::Person(id.clone())),
            Subject::Site => editorial(Editorial::Site),
            Subject::Theme => editorial(Editorial::Theme),
        }
        .unwrap_or_default()
    }

    /// The trust root this library's signatures were checked against: set
    /// for the production edition ([`production`](Self::production)),
    /// `None` for the working tree, where people files give every key.
    pub fn trust_root(&self) -> Option<&TrustRoot> {
        self.trust_root.as_ref()
    }

    /// The review ledger of one item, if it has one.
    pub fn ledger(&self, item: &ItemRef) -> Option<&Ledger> {
        self.positions.ledgers.get(item).and_then(|&at| self.ledgers.get(at))
    }

    /// The strategies that help a style: those the style lists and those
    /// that list the style, in slug order.
    pub fn strategies_for<'a>(&'a self, style: &Item<Style>) -> impl Iterator<Item = &'a Item<Strategy>> + 'a {
        let list = self.style_index(style).map_or(&[][..], |s| self.helpers.of_style[s].0.as_slice());
        list.iter().map(|&i| &self.strategies[i])
    }

    /// The therapies that help a style: those the style lists and those that
    /// list the style, in slug order.
    pub fn therapies_for<'a>(&'a self, style: &Item<Style>) -> impl Iterator<Item = &'a Item<Therapy>> + 'a {
        let list = self.style_index(style).map_or(&[][..], |s| self.helpers.of_style[s].1.as_slice());
        list.iter().map(|&i| &self.therapies[i])
    }

    /// The styles a strategy or therapy helps: those it lists and those that
    /// list it, in slug order.
    pub fn styles_helped_by<'a>(&'a self, item: &ItemRef) -> impl Iterator<Item = &'a Item<Style>> + 'a {
        let slug = &item.slug;
        let (index, position): (&'a [Vec<usize>], Option<usize>) = match item.collection {
            Collection::Strategies => (&self.helpers.of_strategy, self.positions.item(item.collection, slug.as_str())),
            Collection::Therapies => (&self.helpers.of_therapy, self.positions.item(item.collection, slug.as_str())),
            _ => (&[], None),
        };
        let list: &'a [usize] = position.map_or(&[][..], |p| index[p].as_slice());
        list.iter().map(|&i| &self.styles[i])
    }

    fn style_index(&self, style: &Item<Style>) -> Option<usize> {
        self.positions.item(Collection::Styles, style.meta.slug.as_str())
    }

    /// The review of an item as of `today`: its state, versions and dates,
    /// derived from its ledger and the blob of its loaded text.
    pub fn review(&self, item: &ItemRef, today: Date) -> Option<Review<'_>> {
        let blob = &self.item(item)?.meta().blob;
        Some(review::review(self, item.clone(), blob, today))
    }

    /// The review of every item, in collection and slug order.
    pub fn reviews(&self, today: Date) -> impl Iterator<Item = Review<'_>> {
        self.all_items().map(move |i| review::review(self, i.reference(), &i.meta().blob, today))
    }

    /// Items that list `target` as related: the reverse of `related`.
    pub fn related_to<'a>(&'a self, target: &'a ItemRef) -> impl Iterator<Item = AnyItem<'a>> + 'a {
        self.all_items().filter(move |i| i.meta().related.contains(target))
    }

    /// Items written by a person.
    pub fn written_by<'a>(&'a self, person: &'a PersonId) -> impl Iterator<Item = AnyItem<'a>> + 'a {
        self.all_items().filter(move |i| i.meta().author == *person)
    }
}
