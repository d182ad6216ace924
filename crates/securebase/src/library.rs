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
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) styles: Vec<Item<Style>>,
    pub(crate) strategies: Vec<Item<Strategy>>,
    pub(crate) therapies: Vec<Item<Therapy>>,
    pub(crate) guides: Vec<Item<Guide>>,
    pub(crate) people: Vec<Person>,
    pub(crate) ledgers: Vec<Ledger>,
    warnings: Diagnostics,
    helpers: Helpers,
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
        let index = |items: &[Item<Style>], r: &ItemRef| -> Option<usize> {
            (r.collection == Collection::Styles)
                .then(|| items.binary_search_by(|i| i.meta.slug.cmp(&r.slug)).ok())
                .flatten()
        };
        let position = |collection: Collection, slug: &Slug| match collection {
            Collection::Strategies => library.strategies.binary_search_by(|i| i.meta.slug.cmp(slug)).ok(),
            Collection::Therapies => library.therapies.binary_search_by(|i| i.meta.slug.cmp(slug)).ok(),
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
            for s in strategy.kind.helps_with.iter().filter_map(|r| index(&library.styles, r)) {
                pair(s, Collection::Strategies, h);
            }
        }
        for (h, therapy) in library.therapies.iter().enumerate() {
            for s in therapy.kind.helps_with.iter().filter_map(|r| index(&library.styles, r)) {
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
    pub(crate) fn checked(root: &Path, loaded: Loaded, mut diags: Diagnostics) -> Result<Library, Diagnostics> {
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
            helpers: Helpers::default(),
        };
        validate::validate(&library, &sources, &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Err(diags);
        }
        library.warnings = diags;
        library.helpers = Helpers::build(&library);
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
            Collection::Strategies => {
                (&self.helpers.of_strategy, self.strategies.binary_search_by(|i| i.meta.slug.cmp(slug)).ok())
            }
            Collection::Therapies => {
                (&self.helpers.of_therapy, self.therapies.binary_search_by(|i| i.meta.slug.cmp(slug)).ok())
            }
            _ => (&[], None),
        };
        let list: &'a [usize] = position.map_or(&[][..], |p| index[p].as_slice());
        list.iter().map(|&i| &self.styles[i])
    }

    fn style_index(&self, style: &Item<Style>) -> Option<usize> {
        self.styles.binary_search_by(|i| i.meta.slug.cmp(&style.meta.slug)).ok()
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
