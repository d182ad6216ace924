//! [`Library`]: the loaded, validated content of one project.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostics;
use crate::load::{self, Loaded};
use crate::model::*;
use crate::review::{self, Review};
use crate::validate;

/// Every item, person and ledger of a project, validated, with the warnings
/// that did not stop it loading.
///
/// Collections are sorted by slug, so iteration order is stable and lookups
/// are binary searches.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
    config: SiteConfig,
    styles: Vec<Item<Style>>,
    strategies: Vec<Item<Strategy>>,
    therapies: Vec<Item<Therapy>>,
    guides: Vec<Item<Guide>>,
    people: Vec<Person>,
    ledgers: Vec<Ledger>,
    warnings: Diagnostics,
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
        Self::load_selected(root.as_ref(), &mut |_, bytes| Some(bytes))
    }

    /// Loads like [`load`](Self::load), with each item file's bytes passed
    /// through `select`, which may replace them (with an approved version)
    /// or withhold the item (`None`). References to withheld items are not
    /// errors.
    pub(crate) fn load_selected(root: &Path, select: load::Select<'_>) -> Result<Library, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = load::load(root, &mut diags, select);
        Self::checked(root, loaded, diags)
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
        Self::checked(Path::new(""), loaded, diags)
    }

    /// Sorts what loaded, runs the reference and rule passes, and hands out
    /// the library only when there are no errors.
    fn checked(root: &Path, loaded: Loaded, mut diags: Diagnostics) -> Result<Library, Diagnostics> {
        let Loaded { config, mut styles, mut strategies, mut therapies, mut guides, mut people, mut ledgers, sources } =
            loaded;
        styles.sort_by(|a, b| a.meta.slug.cmp(&b.meta.slug));
        strategies.sort_by(|a, b| a.meta.slug.cmp(&b.meta.slug));
        therapies.sort_by(|a, b| a.meta.slug.cmp(&b.meta.slug));
        guides.sort_by(|a, b| a.meta.slug.cmp(&b.meta.slug));
        people.sort_by(|a, b| a.id.cmp(&b.id));
        ledgers.sort_by(|a, b| a.item.cmp(&b.item));
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
            warnings: Diagnostics::new(),
        };
        validate::validate(&library, &sources, &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Err(diags);
        }
        library.warnings = diags;
        Ok(library)
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
        items.binary_search_by(|i| i.meta.slug.as_str().cmp(slug)).ok().map(|i| &items[i])
    }

    /// The item a reference points at, of whatever collection.
    pub fn item(&self, r: &ItemRef) -> Option<AnyItem<'_>> {
        let slug = r.slug.as_str();
        match r.collection {
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

    /// The review ledger of one item, if it has one.
    pub fn ledger(&self, item: &ItemRef) -> Option<&Ledger> {
        self.ledgers.binary_search_by(|l| l.item.cmp(item)).ok().map(|i| &self.ledgers[i])
    }

    /// The strategies that help a style: those the style lists and those
    /// that list the style, in slug order.
    pub fn strategies_for<'a>(&'a self, style: &'a Item<Style>) -> impl Iterator<Item = &'a Item<Strategy>> + 'a {
        helpers(&self.strategies, style, &style.kind.strategies, |s| &s.kind.helps_with)
    }

    /// The therapies that help a style: those the style lists and those that
    /// list the style, in slug order.
    pub fn therapies_for<'a>(&'a self, style: &'a Item<Style>) -> impl Iterator<Item = &'a Item<Therapy>> + 'a {
        helpers(&self.therapies, style, &style.kind.therapies, |t| &t.kind.helps_with)
    }

    /// The styles a strategy or therapy helps: those it lists and those that
    /// list it, in slug order.
    pub fn styles_helped_by<'a>(&'a self, item: &ItemRef) -> impl Iterator<Item = &'a Item<Style>> + 'a {
        let own: &[ItemRef] = match self.item(item) {
            Some(AnyItem::Strategy(s)) => &s.kind.helps_with,
            Some(AnyItem::Therapy(t)) => &t.kind.helps_with,
            _ => &[],
        };
        let item = item.clone();
        self.styles.iter().filter(move |style| {
            own.contains(&style.reference())
                || style.kind.strategies.contains(&item)
                || style.kind.therapies.contains(&item)
        })
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

fn helpers<'a, K: Kind>(
    all: &'a [Item<K>],
    style: &'a Item<Style>,
    listed: &'a [ItemRef],
    helps_with: impl Fn(&Item<K>) -> &Vec<ItemRef> + 'a,
) -> impl Iterator<Item = &'a Item<K>> + 'a {
    let style_ref = style.reference();
    all.iter().filter(move |h| listed.contains(&h.reference()) || helps_with(h).contains(&style_ref))
}
