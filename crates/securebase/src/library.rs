//! [`Library`]: the loaded, validated content of one project.

use rustc_hash::FxHashMap;
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostics;
use crate::load;
use crate::model::*;
use crate::readability::Readability;
use crate::trust::TrustRoot;

/// Every item, person and ledger of a project, validated, with the warnings
/// that did not stop it loading.
///
/// Collections are sorted by slug, so iteration order is stable and lookups
/// are binary searches.
#[derive(Debug, Clone)]
pub struct Library {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) items: Items,
    pub(crate) people: Vec<Person>,
    pub(crate) ledgers: Vec<Ledger>,
    pub(crate) editorial: Vec<EditorialLedger>,
    /// The trust root the production edition was checked against; `None`
    /// for the working tree, whose people files give every key.
    pub(crate) trust_root: Option<TrustRoot>,
    pub(crate) warnings: Diagnostics,
    pub(crate) helpers: Helpers,
    pub(crate) positions: Positions,
}

/// One item's figures, as [`Library::check`](Library::check)
/// reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ItemReadability {
    /// The item.
    pub item: ItemRef,
    /// Its file, relative to the project root.
    pub file: PathBuf,
    /// Its figures.
    #[serde(flatten)]
    pub readability: Readability,
}

impl ItemReadability {
    /// The figures of `item`, if it was measured.
    pub fn of(item: AnyItem<'_>) -> Option<ItemReadability> {
        let meta = item.meta();
        let readability = meta.readability?;
        Some(ItemReadability { item: item.reference(), file: meta.path.clone(), readability })
    }
}

/// Where each item and ledger sits in its sorted collection, so that a
/// lookup by slug is one hash probe rather than a search through large
/// structures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Positions {
    /// For each collection, in [`Collection::ALL`] order: slug to index.
    items: [FxHashMap<String, usize>; 4],
    /// Item to index in the ledgers.
    ledgers: FxHashMap<ItemRef, usize>,
}

impl Positions {
    pub(crate) fn build(library: &Library) -> Positions {
        fn slugs<K: Kind>(items: &[Item<K>]) -> FxHashMap<String, usize> {
            items.iter().enumerate().map(|(at, i)| (i.meta.slug.as_str().to_owned(), at)).collect()
        }
        Positions {
            items: [
                slugs(&library.items.styles),
                slugs(&library.items.strategies),
                slugs(&library.items.therapies),
                slugs(&library.items.guides),
            ],
            ledgers: library.ledgers.iter().enumerate().map(|(at, l)| (l.item.clone(), at)).collect(),
        }
    }

    fn item(&self, collection: Collection, slug: &str) -> Option<usize> {
        let at = Collection::ALL.iter().position(|c| *c == collection)?;
        self.items[at].get(slug).copied()
    }
}

/// Which strategies and therapies help which styles, as indices into the
/// collections: the union of what styles list and what helpers list, built
/// once so that the reverse relations are not searches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Helpers {
    /// For each style: (strategy indices, therapy indices), in slug order.
    of_style: Vec<(Vec<usize>, Vec<usize>)>,
    /// For each strategy: the style indices it helps.
    of_strategy: Vec<Vec<usize>>,
    /// For each therapy: the style indices it helps.
    of_therapy: Vec<Vec<usize>>,
}

impl Helpers {
    pub(crate) fn build(library: &Library) -> Helpers {
        let mut helpers = Helpers {
            of_style: vec![(Vec::new(), Vec::new()); library.items.styles.len()],
            of_strategy: vec![Vec::new(); library.items.strategies.len()],
            of_therapy: vec![Vec::new(); library.items.therapies.len()],
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
        for (s, style) in library.items.styles.iter().enumerate() {
            for r in style.fields.strategies.iter().chain(&style.fields.therapies) {
                if let Some(h) = position(r.collection, &r.slug) {
                    pair(s, r.collection, h);
                }
            }
        }
        for (h, strategy) in library.items.strategies.iter().enumerate() {
            for s in strategy.fields.helps_with.iter().filter_map(index) {
                pair(s, Collection::Strategies, h);
            }
        }
        for (h, therapy) in library.items.therapies.iter().enumerate() {
            for s in therapy.fields.helps_with.iter().filter_map(index) {
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
        &self.items.styles
    }

    /// Self-help strategies, by slug.
    pub fn strategies(&self) -> &[Item<Strategy>] {
        &self.items.strategies
    }

    /// Therapies, by slug.
    pub fn therapies(&self) -> &[Item<Therapy>] {
        &self.items.therapies
    }

    /// Guides, by slug.
    pub fn guides(&self) -> &[Item<Guide>] {
        &self.items.guides
    }

    /// The items of collection `K`, by slug: `library.items::<Style>()`.
    pub fn items<K: Kind>(&self) -> &[Item<K>] {
        self.items.of()
    }

    /// One item of collection `K` by slug.
    pub fn get<K: Kind>(&self, slug: &str) -> Option<&Item<K>> {
        let items = self.items.of::<K>();
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
        self.items.iter()
    }

    /// The slugs of one collection.
    pub fn slugs(&self, collection: Collection) -> impl Iterator<Item = &str> {
        self.all_items().filter(move |i| i.collection() == collection).map(|i| i.meta().slug.as_str())
    }

    /// How many items a collection holds.
    pub fn count(&self, collection: Collection) -> usize {
        self.items.count(collection)
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

    /// Adds `record`, which was just appended to the ledger of `subject`
    /// through [`Draft::append`](crate::decision::Draft::append) (so its
    /// signature and rules were checked), leaving that ledger's file with
    /// the blob `ledger_blob`: for a long-running front end (the review
    /// desk) that keeps its library up to date without loading every file
    /// again. Anything else that changed needs [`Library::reload`].
    pub fn record_appended(&mut self, subject: &Subject, record: LedgerRecord, ledger_blob: BlobId) {
        let path = crate::layout::ProjectLayout::ledger(subject);
        let editorial = match subject {
            Subject::Item(item) => {
                match self.positions.ledgers.get(item).copied() {
                    Some(at) => {
                        self.ledgers[at].records.push(record);
                        self.ledgers[at].blob = ledger_blob;
                    }
                    None => {
                        let ledger = Ledger { item: item.clone(), records: vec![record], path, blob: ledger_blob };
                        let at = self.ledgers.partition_point(|l| (&l.item, &l.path) < (&ledger.item, &ledger.path));
                        self.ledgers.insert(at, ledger);
                        self.positions.ledgers =
                            self.ledgers.iter().enumerate().map(|(at, l)| (l.item.clone(), at)).collect();
                    }
                }
                return;
            }
            Subject::Person(id) => Editorial::Person(id.clone()),
            Subject::Site => Editorial::Site,
            Subject::Theme => Editorial::Theme,
        };
        match self.editorial.iter_mut().find(|l| l.subject == editorial) {
            Some(ledger) => {
                ledger.records.push(record);
                ledger.blob = ledger_blob;
            }
            None => {
                self.editorial.push(EditorialLedger {
                    subject: editorial,
                    records: vec![record],
                    path,
                    blob: ledger_blob,
                });
                self.editorial.sort_unstable_by(|a, b| (&a.subject, &a.path).cmp(&(&b.subject, &b.path)));
            }
        }
    }

    /// The review ledger of one item, if it has one.
    pub fn ledger(&self, item: &ItemRef) -> Option<&Ledger> {
        self.positions.ledgers.get(item).and_then(|&at| self.ledgers.get(at))
    }

    /// The strategies that help a style: those the style lists and those
    /// that list the style, in slug order.
    pub fn strategies_for<'a>(&'a self, style: &Item<Style>) -> impl Iterator<Item = &'a Item<Strategy>> + 'a {
        let list = self.style_index(style).map_or(&[][..], |s| self.helpers.of_style[s].0.as_slice());
        list.iter().map(|&i| &self.items.strategies[i])
    }

    /// The therapies that help a style: those the style lists and those that
    /// list the style, in slug order.
    pub fn therapies_for<'a>(&'a self, style: &Item<Style>) -> impl Iterator<Item = &'a Item<Therapy>> + 'a {
        let list = self.style_index(style).map_or(&[][..], |s| self.helpers.of_style[s].1.as_slice());
        list.iter().map(|&i| &self.items.therapies[i])
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
        list.iter().map(|&i| &self.items.styles[i])
    }

    fn style_index(&self, style: &Item<Style>) -> Option<usize> {
        self.positions.item(Collection::Styles, style.meta.slug.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests' valid fixture site: one item of each collection.
    fn fixture() -> Library {
        Library::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/valid")).expect("it loads")
    }

    fn refs<'a>(items: impl Iterator<Item = AnyItem<'a>>) -> Vec<String> {
        items.map(|i| i.reference().to_string()).collect()
    }

    #[test]
    fn items_are_found_by_reference_path_and_slug() {
        let library = fixture();
        let avoidant: ItemRef = "styles/avoidant".parse().unwrap();
        assert_eq!(library.item(&avoidant).map(|i| i.reference()), Some(avoidant.clone()));
        assert_eq!(
            library.item_at(Path::new("content/styles/avoidant.md")).map(|i| i.reference()),
            Some(avoidant.clone())
        );
        assert!(library.item_at(Path::new("content/styles/missing.md")).is_none());
        assert_eq!(library.get::<Style>("avoidant").map(|s| s.meta.title.as_str()), Some("Avoidant attachment"));
        assert!(library.get::<Guide>("avoidant").is_none(), "a slug is looked up in its own collection");
        assert_eq!(library.find(Collection::Therapies, "cbt").map(|i| i.collection()), Some(Collection::Therapies));
        assert_eq!(
            refs(library.all_items()),
            ["styles/avoidant", "strategies/mindfulness", "therapies/cbt", "guides/overview"]
        );
        assert_eq!(Collection::ALL.map(|c| library.count(c)), [1, 1, 1, 1]);
    }

    #[test]
    fn relations_are_answered_both_ways() {
        let library = fixture();
        let avoidant = library.get::<Style>("avoidant").unwrap();
        let names = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            library.strategies_for(avoidant).map(|s| s.meta.slug.to_string()).collect::<Vec<_>>(),
            names(vec!["mindfulness"])
        );
        assert_eq!(
            library.therapies_for(avoidant).map(|t| t.meta.slug.to_string()).collect::<Vec<_>>(),
            names(vec!["cbt"])
        );
        let cbt: ItemRef = "therapies/cbt".parse().unwrap();
        assert_eq!(
            library.styles_helped_by(&cbt).map(|s| s.meta.slug.to_string()).collect::<Vec<_>>(),
            names(vec!["avoidant"])
        );
        assert_eq!(refs(library.related_to(&cbt)), ["guides/overview"]);
        let overview: ItemRef = "guides/overview".parse().unwrap();
        assert_eq!(refs(library.related_to(&overview)), ["styles/avoidant"]);
        let team: PersonId = "fixture-team".parse().unwrap();
        assert_eq!(refs(library.written_by(&team)).len(), 4);
        let nobody: PersonId = "nobody".parse().unwrap();
        assert_eq!(refs(library.written_by(&nobody)), Vec::<String>::new());
    }

    #[test]
    fn ledgers_are_found_by_item_and_subject() {
        let library = fixture();
        let avoidant: ItemRef = "styles/avoidant".parse().unwrap();
        let ledger = library.ledger(&avoidant).expect("the fixture's one ledger");
        assert_eq!(ledger.item, avoidant);
        assert_eq!(library.records(&Subject::Item(avoidant)).len(), ledger.records.len());
        assert!(library.ledger(&"therapies/cbt".parse().unwrap()).is_none());
        assert!(library.records(&Subject::Item("therapies/cbt".parse().unwrap())).is_empty());
    }
}
