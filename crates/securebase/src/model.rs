//! The content model: items of four collections, the people who write and
//! review them, their sources, and the review ledger.
//!
//! Every type here is plain data. Loading and checking live in
//! [`load`](crate::load) and [`validate`](crate::validate).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub use jiff::civil::Date;

/// Gives an enum `label()`, its value in words for people, capitalised for
/// a heading or a table cell, and `Display`, the same words in lower case
/// for a sentence.
macro_rules! labels {
    ($ty:ty { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $ty {
            /// The value in words, capitalised ("Changes requested").
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }

        impl fmt::Display for $ty {
            /// The value in words, in lower case ("changes requested").
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.label().to_lowercase())
            }
        }
    };
}
use serde::{Deserialize, Serialize};

/// The pattern every slug and person id matches.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// The JSON Schema of a date field: a string in `YYYY-MM-DD` form.
#[cfg(feature = "schema")]
pub(crate) struct DateSchema;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DateSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }
}

/// The four collections of items, each a folder under `content/`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Collection {
    /// Attachment styles (`content/styles/`).
    Styles,
    /// Self-help strategies (`content/strategies/`).
    Strategies,
    /// Therapies (`content/therapies/`).
    Therapies,
    /// Free articles (`content/guides/`).
    Guides,
}

impl Collection {
    /// Every collection, in the order the site presents them.
    pub const ALL: [Collection; 4] =
        [Collection::Styles, Collection::Strategies, Collection::Therapies, Collection::Guides];

    /// The folder name, which is also the first part of a reference.
    pub fn as_str(self) -> &'static str {
        match self {
            Collection::Styles => "styles",
            Collection::Strategies => "strategies",
            Collection::Therapies => "therapies",
            Collection::Guides => "guides",
        }
    }

    /// A human name for one item of the collection ("attachment style").
    pub fn singular(self) -> &'static str {
        match self {
            Collection::Styles => "attachment style",
            Collection::Strategies => "strategy",
            Collection::Therapies => "therapy",
            Collection::Guides => "guide",
        }
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that is not a collection name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a collection; expected one of styles, strategies, therapies, guides")]
pub struct UnknownCollection(pub String);

impl FromStr for Collection {
    type Err = UnknownCollection;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Collection::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownCollection(s.to_owned()))
    }
}

/// Why a string is not a valid slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a valid id: use lowercase letters a-z, digits and single hyphens, \
     not starting or ending with a hyphen"
)]
pub struct InvalidSlug(pub String);

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What every id and digest newtype that wraps checked text has: `as_str`,
/// the way back into a `String`, and `Display`.
macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! slug_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        text_newtype!($name);

        impl TryFrom<String> for $name {
            type Error = InvalidSlug;
            fn try_from(s: String) -> Result<Self, InvalidSlug> {
                if is_slug(&s) { Ok($name(s)) } else { Err(InvalidSlug(s)) }
            }
        }

        impl FromStr for $name {
            type Err = InvalidSlug;
            fn from_str(s: &str) -> Result<Self, InvalidSlug> {
                Self::try_from(s.to_owned())
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "pattern": SLUG_PATTERN })
            }
        }
    };
}

slug_newtype!(
    /// The id of an item within its collection: the file stem, `[a-z0-9-]+`.
    Slug
);
slug_newtype!(
    /// The id of a person or organisation: the stem of `content/people/<id>.yaml`.
    PersonId
);

impl From<Slug> for PersonId {
    /// A person id with the same text (both are slugs).
    fn from(slug: Slug) -> PersonId {
        PersonId(slug.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for ItemRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ItemRef".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": format!("^(styles|strategies|therapies|guides)/{}", &SLUG_PATTERN[1..]),
            "description": "A reference to an item: collection/slug, for example styles/avoidant",
        })
    }
}

/// A reference to an item, written `collection/slug` in front matter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemRef {
    /// The collection the item belongs to.
    pub collection: Collection,
    /// The item's id.
    pub slug: Slug,
}

impl ItemRef {
    /// A reference to `collection/slug`.
    pub fn new(collection: Collection, slug: Slug) -> Self {
        ItemRef { collection, slug }
    }
}

/// Why a string is not a valid `collection/slug` reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRef {
    /// No `/` between collection and slug.
    #[error("`{0}` is not a reference: write it as collection/slug, for example styles/avoidant")]
    Form(String),
    /// The collection part is unknown.
    #[error(transparent)]
    Collection(#[from] UnknownCollection),
    /// The slug part is malformed.
    #[error(transparent)]
    Slug(#[from] InvalidSlug),
}

impl TryFrom<String> for ItemRef {
    type Error = InvalidRef;
    fn try_from(s: String) -> Result<Self, InvalidRef> {
        s.parse()
    }
}

impl FromStr for ItemRef {
    type Err = InvalidRef;
    fn from_str(s: &str) -> Result<Self, InvalidRef> {
        let (collection, slug) = s.split_once('/').ok_or_else(|| InvalidRef::Form(s.to_owned()))?;
        Ok(ItemRef { collection: collection.parse()?, slug: slug.parse()? })
    }
}

impl From<ItemRef> for String {
    fn from(r: ItemRef) -> String {
        r.to_string()
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.collection, self.slug)
    }
}

/// A git blob id: 40 lowercase hexadecimal digits (SHA-1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobId(String);

/// Why a string is not a git blob id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a git blob id: expected 40 lowercase hexadecimal digits (see `git hash-object <file>`)")]
pub struct InvalidBlobId(pub String);

impl BlobId {
    /// The git blob id of `bytes`: what `git hash-object` prints for a file
    /// holding them.
    pub fn of(bytes: &[u8]) -> BlobId {
        use sha1::Digest;
        let mut hasher = sha1::Sha1::new();
        hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
        hasher.update(bytes);
        BlobId(hex(&hasher.finalize()))
    }
}

/// The text form of a digest newtype: parsing from exactly `$digits`
/// lowercase hexadecimal digits, and its JSON Schema (`$about`).
macro_rules! hex_digest {
    ($name:ident, $invalid:ident, $digits:literal, $about:literal) => {
        text_newtype!($name);

        impl TryFrom<String> for $name {
            type Error = $invalid;
            fn try_from(s: String) -> Result<Self, $invalid> {
                if s.len() == $digits && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                    Ok($name(s))
                } else {
                    Err($invalid(s))
                }
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let pattern = format!("^[0-9a-f]{{{}}}$", $digits);
                schemars::json_schema!({ "type": "string", "pattern": pattern, "description": $about })
            }
        }
    };
}

hex_digest!(BlobId, InvalidBlobId, 40, "A git blob id (git hash-object)");

/// A published work an item draws on.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Citation {
    /// Authors as "Surname, I." strings, in the order of the work.
    pub authors: Vec<String>,
    /// Year of publication.
    pub year: u16,
    /// Title of the article, chapter or book.
    pub title: String,
    /// The journal, for an article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    /// The publisher, for a book or chapter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The book a chapter appears in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub book: Option<String>,
    /// The edition of a book ("2nd").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// Journal volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// Journal issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Page range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<String>,
    /// Digital Object Identifier, without the `https://doi.org/` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// A web address for the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Whether an attachment style is secure.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// The secure style.
    Secure,
    /// One of the insecure styles.
    Insecure,
}

labels!(Security { Secure => "Secure", Insecure => "Insecure" });

/// A position on one of the two attachment dimensions.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Low on the dimension.
    Low,
    /// High on the dimension.
    High,
}

labels!(Level { Low => "Low", High => "High" });

/// Where a style sits on the two dimensions of adult attachment
/// (Bartholomew & Horowitz 1991; Fraley, Waller & Brennan 2000).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimensions {
    /// Attachment anxiety: worry about rejection and abandonment.
    pub anxiety: Level,
    /// Attachment avoidance: discomfort with closeness and depending on others.
    pub avoidance: Level,
}

/// An attachment style (`content/styles/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Style {
    /// Other names ("anxious", "preoccupied").
    pub also_known_as: Vec<String>,
    /// Secure or insecure.
    pub security: Security,
    /// Anxiety and avoidance levels.
    pub dimensions: Dimensions,
    /// How the style tends to show.
    pub signs: Vec<String>,
    /// The caregiving pattern it often comes from (Markdown).
    pub origins: String,
    /// How it shows in adult relationships (Markdown).
    pub in_relationships: String,
    /// Strategies that help (references into `strategies`).
    pub strategies: Vec<ItemRef>,
    /// Therapies that help (references into `therapies`).
    pub therapies: Vec<ItemRef>,
}

/// A self-help strategy (`content/strategies/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Strategy {
    /// The styles it helps (references into `styles`).
    pub helps_with: Vec<ItemRef>,
    /// What to do, step by step.
    pub steps: Vec<String>,
    /// A concrete, everyday example (Markdown).
    pub example: String,
}

/// A therapy (`content/therapies/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Therapy {
    /// The usual abbreviation ("CBT"), if there is one.
    pub abbreviation: Option<String>,
    /// What the therapy does (Markdown).
    pub approach: String,
    /// What sessions are like (Markdown).
    pub what_to_expect: String,
    /// The styles it helps (references into `styles`).
    pub helps_with: Vec<ItemRef>,
}

/// A free article (`content/guides/`): only the common fields and a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Guide {}

/// What every item has, whatever its collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Meta {
    /// The item's id (its file stem).
    pub slug: Slug,
    /// The page title.
    pub title: String,
    /// One or two sentences; also the meta description.
    pub summary: String,
    /// Who wrote it.
    pub author: PersonId,
    /// When it was first written.
    pub created: Date,
    /// Points to take away, shown at the top.
    pub key_takeaways: Vec<String>,
    /// Other items worth reading next.
    pub related: Vec<ItemRef>,
    /// The works the item draws on.
    pub sources: Vec<Citation>,
    /// The Markdown body after the front matter.
    pub body: String,
    /// The 1-based line of the file where the body starts.
    pub body_line: usize,
    /// The git blob id of the file's bytes as loaded (its version).
    pub blob: BlobId,
    /// The SHA-256 of the file's bytes as loaded, which an approval signs
    /// beside the blob id (SHA-1 alone can collide).
    pub sha256: Sha256,
    /// The file, relative to the project root.
    pub path: PathBuf,
    /// How readable the summary and prose are, measured as the file loaded;
    /// `None` when `site.toml` turns the measuring off.
    pub readability: Option<crate::readability::Readability>,
}

/// One item: the common [`Meta`] and its collection's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Item<K> {
    /// What every item has.
    #[serde(flatten)]
    pub meta: Meta,
    /// The fields of its collection.
    #[serde(flatten)]
    pub fields: K,
}

impl<K: Kind> Item<K> {
    /// The item's `collection/slug` reference.
    pub fn reference(&self) -> ItemRef {
        ItemRef::new(K::COLLECTION, self.meta.slug.clone())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Style {}
    impl Sealed for super::Strategy {}
    impl Sealed for super::Therapy {}
    impl Sealed for super::Guide {}
}

/// The collection-specific part of an item. Implemented by [`Style`],
/// [`Strategy`], [`Therapy`] and [`Guide`] only.
pub trait Kind: sealed::Sealed + Sized {
    /// The collection this kind belongs to.
    const COLLECTION: Collection;

    /// The references this kind makes, each with its field name and the
    /// collection it must point into.
    fn typed_refs(&self) -> Vec<(&'static str, &ItemRef, Collection)>;

    /// This collection's items in `items`.
    fn of(items: &Items) -> &[Item<Self>];

    /// This collection's items in `items`, to change.
    fn of_mut(items: &mut Items) -> &mut Vec<Item<Self>>;

    /// Wraps a reference to an item as an [`AnyItem`].
    fn any(item: &Item<Self>) -> AnyItem<'_>;
}

impl Kind for Style {
    const COLLECTION: Collection = Collection::Styles;
    fn typed_refs(&self) -> Vec<(&'static str, &ItemRef, Collection)> {
        let strategies = self.strategies.iter().map(|r| ("strategies", r, Collection::Strategies));
        let therapies = self.therapies.iter().map(|r| ("therapies", r, Collection::Therapies));
        strategies.chain(therapies).collect()
    }
    fn of(items: &Items) -> &[Item<Self>] {
        &items.styles
    }
    fn of_mut(items: &mut Items) -> &mut Vec<Item<Self>> {
        &mut items.styles
    }
    fn any(item: &Item<Self>) -> AnyItem<'_> {
        AnyItem::Style(item)
    }
}

impl Kind for Strategy {
    const COLLECTION: Collection = Collection::Strategies;
    fn typed_refs(&self) -> Vec<(&'static str, &ItemRef, Collection)> {
        self.helps_with.iter().map(|r| ("helps_with", r, Collection::Styles)).collect()
    }
    fn of(items: &Items) -> &[Item<Self>] {
        &items.strategies
    }
    fn of_mut(items: &mut Items) -> &mut Vec<Item<Self>> {
        &mut items.strategies
    }
    fn any(item: &Item<Self>) -> AnyItem<'_> {
        AnyItem::Strategy(item)
    }
}

impl Kind for Therapy {
    const COLLECTION: Collection = Collection::Therapies;
    fn typed_refs(&self) -> Vec<(&'static str, &ItemRef, Collection)> {
        self.helps_with.iter().map(|r| ("helps_with", r, Collection::Styles)).collect()
    }
    fn of(items: &Items) -> &[Item<Self>] {
        &items.therapies
    }
    fn of_mut(items: &mut Items) -> &mut Vec<Item<Self>> {
        &mut items.therapies
    }
    fn any(item: &Item<Self>) -> AnyItem<'_> {
        AnyItem::Therapy(item)
    }
}

impl Kind for Guide {
    const COLLECTION: Collection = Collection::Guides;
    fn typed_refs(&self) -> Vec<(&'static str, &ItemRef, Collection)> {
        Vec::new()
    }
    fn of(items: &Items) -> &[Item<Self>] {
        &items.guides
    }
    fn of_mut(items: &mut Items) -> &mut Vec<Item<Self>> {
        &mut items.guides
    }
    fn any(item: &Item<Self>) -> AnyItem<'_> {
        AnyItem::Guide(item)
    }
}

/// Items by collection: what a library holds, and what loading gathers.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Items {
    /// Attachment styles.
    pub styles: Vec<Item<Style>>,
    /// Self-help strategies.
    pub strategies: Vec<Item<Strategy>>,
    /// Therapies.
    pub therapies: Vec<Item<Therapy>>,
    /// Guides.
    pub guides: Vec<Item<Guide>>,
}

impl Items {
    /// The items of `K`'s collection.
    pub fn of<K: Kind>(&self) -> &[Item<K>] {
        K::of(self)
    }

    /// How many items there are in all.
    pub fn len(&self) -> usize {
        self.styles.len() + self.strategies.len() + self.therapies.len() + self.guides.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many items `collection` has.
    pub fn count(&self, collection: Collection) -> usize {
        match collection {
            Collection::Styles => self.styles.len(),
            Collection::Strategies => self.strategies.len(),
            Collection::Therapies => self.therapies.len(),
            Collection::Guides => self.guides.len(),
        }
    }

    /// Every item: styles, then strategies, therapies and guides.
    pub fn iter(&self) -> impl Iterator<Item = AnyItem<'_>> {
        let styles = self.styles.iter().map(AnyItem::Style);
        let strategies = self.strategies.iter().map(AnyItem::Strategy);
        let therapies = self.therapies.iter().map(AnyItem::Therapy);
        let guides = self.guides.iter().map(AnyItem::Guide);
        styles.chain(strategies).chain(therapies).chain(guides)
    }

    /// Adds the items of `other`.
    pub(crate) fn extend(&mut self, other: Items) {
        self.styles.extend(other.styles);
        self.strategies.extend(other.strategies);
        self.therapies.extend(other.therapies);
        self.guides.extend(other.guides);
    }

    /// Adds a clone of each item of `from` that `keep` picks.
    pub(crate) fn extend_from(&mut self, from: &Items, keep: impl Fn(&ItemRef) -> bool) {
        fn picked<K: Kind + Clone>(from: &[Item<K>], keep: &impl Fn(&ItemRef) -> bool) -> Vec<Item<K>> {
            from.iter().filter(|i| keep(&i.reference())).cloned().collect()
        }
        self.styles.extend(picked(&from.styles, &keep));
        self.strategies.extend(picked(&from.strategies, &keep));
        self.therapies.extend(picked(&from.therapies, &keep));
        self.guides.extend(picked(&from.guides, &keep));
    }

    /// Sorts each collection by slug, then path: files load in no set
    /// order, and among files that claim one id, the first in path order
    /// counts as the first.
    pub(crate) fn sort(&mut self) {
        fn by_slug<K: Kind>(items: &mut [Item<K>]) {
            items.sort_unstable_by(|a, b| (&a.meta.slug, &a.meta.path).cmp(&(&b.meta.slug, &b.meta.path)));
        }
        by_slug(&mut self.styles);
        by_slug(&mut self.strategies);
        by_slug(&mut self.therapies);
        by_slug(&mut self.guides);
    }
}

/// A borrowed item of any collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnyItem<'a> {
    /// An attachment style.
    Style(&'a Item<Style>),
    /// A strategy.
    Strategy(&'a Item<Strategy>),
    /// A therapy.
    Therapy(&'a Item<Therapy>),
    /// A guide.
    Guide(&'a Item<Guide>),
}

impl<'a> AnyItem<'a> {
    /// What every item has.
    pub fn meta(self) -> &'a Meta {
        match self {
            AnyItem::Style(i) => &i.meta,
            AnyItem::Strategy(i) => &i.meta,
            AnyItem::Therapy(i) => &i.meta,
            AnyItem::Guide(i) => &i.meta,
        }
    }

    /// The item's collection.
    pub fn collection(self) -> Collection {
        match self {
            AnyItem::Style(_) => Collection::Styles,
            AnyItem::Strategy(_) => Collection::Strategies,
            AnyItem::Therapy(_) => Collection::Therapies,
            AnyItem::Guide(_) => Collection::Guides,
        }
    }

    /// The item's `collection/slug` reference.
    pub fn reference(self) -> ItemRef {
        ItemRef::new(self.collection(), self.meta().slug.clone())
    }

    /// The Markdown fields of the item's collection besides the body, with
    /// their keys (`origins`, `example`, ...).
    pub fn prose_fields(self) -> [Option<(&'static str, &'a str)>; 2] {
        match self {
            AnyItem::Style(s) => [
                Some(("origins", s.fields.origins.as_str())),
                Some(("in_relationships", s.fields.in_relationships.as_str())),
            ],
            AnyItem::Strategy(s) => [Some(("example", s.fields.example.as_str())), None],
            AnyItem::Therapy(t) => [
                Some(("approach", t.fields.approach.as_str())),
                Some(("what_to_expect", t.fields.what_to_expect.as_str())),
            ],
            AnyItem::Guide(_) => [None, None],
        }
    }

    /// The references the item's collection-specific fields make.
    pub fn typed_refs(self) -> Vec<(&'static str, &'a ItemRef, Collection)> {
        match self {
            AnyItem::Style(i) => i.fields.typed_refs(),
            AnyItem::Strategy(i) => i.fields.typed_refs(),
            AnyItem::Therapy(i) => i.fields.typed_refs(),
            AnyItem::Guide(i) => i.fields.typed_refs(),
        }
    }
}

/// Whether a person record is a person or an organisation.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonKind {
    /// An individual.
    #[default]
    Person,
    /// A team or organisation (may author, never review).
    Organisation,
}

labels!(PersonKind { Person => "Person", Organisation => "Organisation" });

/// What a person may do in the editorial process.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes items.
    Author,
    /// Approves exact versions of items (a licensed clinician).
    ClinicalReviewer,
    /// Publishes.
    Editor,
}

impl Role {
    /// The role as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::ClinicalReviewer => "clinical_reviewer",
            Role::Editor => "editor",
        }
    }
}

labels!(Role { Author => "Author", ClinicalReviewer => "Clinical reviewer", Editor => "Editor" });

/// A credential and what it stands for ("LPC", "Licensed Professional Counselor").
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// The letters after the name.
    pub abbreviation: String,
    /// What they mean, spelled out.
    pub meaning: String,
}

/// A professional licence.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// The kind of licence ("LPC", "LCSW", "Psychologist").
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is valid ("Texas, USA").
    pub jurisdiction: String,
    /// The licence number, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// When it expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<DateSchema>"))]
    pub expires: Option<Date>,
}

/// An author, clinical reviewer or editor (`content/people/<id>.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Person {
    /// The id (the file stem).
    pub id: PersonId,
    /// Display name.
    pub name: String,
    /// Person or organisation.
    pub kind: PersonKind,
    /// Credentials with their meaning.
    pub credentials: Vec<Credential>,
    /// What they do; at least one.
    pub roles: Vec<Role>,
    /// The address their git commits use; `review verify` compares it.
    pub email: String,
    /// A short biography (Markdown).
    pub bio: String,
    /// Their licence, for clinicians.
    pub licence: Option<Licence>,
    /// The keys whose signatures stand for this person's approvals.
    pub signing_keys: Vec<SigningKey>,
    /// The file, relative to the project root.
    pub path: PathBuf,
}

impl Person {
    /// Whether the person holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// An OpenSSH public key, written as one line: `ssh-ed25519 AAAA... comment`
/// (what `~/.ssh/id_ed25519.pub` holds). Ed25519 and ECDSA P-256 keys are
/// accepted, hardware-backed (`sk-`) ones included.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicKey {
    line: String,
    key: ssh_key::PublicKey,
}

/// Why a string is not an accepted OpenSSH public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{line}` is not an accepted OpenSSH public key: {reason}")]
pub struct InvalidKey {
    /// The text given.
    pub line: String,
    /// What is wrong with it.
    pub reason: String,
}

impl PublicKey {
    /// The key as written.
    pub fn as_str(&self) -> &str {
        &self.line
    }

    /// The SHA-256 fingerprint, as `ssh-keygen -l` prints it (`SHA256:...`).
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
    }

    /// The key's comment (often an email address or a device name).
    pub fn comment(&self) -> &str {
        self.key.comment()
    }

    /// The parsed key, for signature checks.
    pub(crate) fn ssh(&self) -> &ssh_key::PublicKey {
        &self.key
    }
}

impl PartialEq for PublicKey {
    /// Two keys are equal when their key material is, whatever the comment.
    fn eq(&self, other: &Self) -> bool {
        self.key.key_data() == other.key.key_data()
    }
}

impl Eq for PublicKey {}

impl TryFrom<String> for PublicKey {
    type Error = InvalidKey;
    fn try_from(line: String) -> Result<Self, InvalidKey> {
        let invalid = |reason: &str| InvalidKey { line: line.clone(), reason: reason.to_owned() };
        if line.contains("PRIVATE KEY") {
            return Err(invalid(
                "this is a private key; list the public key (the .pub file) and keep the private key secret",
            ));
        }
        let key = ssh_key::PublicKey::from_openssh(line.trim()).map_err(|_| {
            invalid("expected one line such as `ssh-ed25519 AAAA... comment`, as in ~/.ssh/id_ed25519.pub")
        })?;
        use ssh_key::Algorithm;
        match key.algorithm() {
            Algorithm::Ed25519 | Algorithm::SkEd25519 => {}
            Algorithm::Ecdsa { curve: ssh_key::EcdsaCurve::NistP256 } | Algorithm::SkEcdsaSha2NistP256 => {}
            other => {
                return Err(invalid(&format!(
                    "{} keys are not accepted; make an Ed25519 key with `ssh-keygen -t ed25519` (or `-t ed25519-sk` for a hardware key)",
                    other.as_str()
                )));
            }
        }
        Ok(PublicKey { line: line.trim().to_owned(), key })
    }
}

impl FromStr for PublicKey {
    type Err = InvalidKey;
    fn from_str(s: &str) -> Result<Self, InvalidKey> {
        Self::try_from(s.to_owned())
    }
}

impl From<PublicKey> for String {
    fn from(key: PublicKey) -> String {
        key.line
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for PublicKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PublicKey".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(ssh-ed25519|sk-ssh-ed25519@openssh.com|ecdsa-sha2-nistp256|sk-ecdsa-sha2-nistp256@openssh.com) [A-Za-z0-9+/=]+( .*)?$",
            "description": "An OpenSSH public key line, as in ~/.ssh/id_ed25519.pub"
        })
    }
}

/// A key a person signs approvals with, and the dates it may sign on: a
/// retired key keeps its `valid_before`, so its past approvals stay valid
/// while new ones are refused.
///
/// In YAML, a plain key line, or a mapping with `key` and optional
/// `valid_after` / `valid_before` (YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKey {
    /// The public key.
    pub key: PublicKey,
    /// The first day the key may sign on, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_after: Option<Date>,
    /// The day from which the key may no longer sign, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_before: Option<Date>,
    /// Whether a passkey's signature counts only when the authenticator
    /// verified the user (PIN or biometric), not only saw them present
    /// (`verify_required: true`; an allowed-signers line's
    /// `verify-required`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub verify_required: bool,
}

impl SigningKey {
    /// Whether the key may sign a record dated `date`.
    pub fn valid_on(&self, date: Date) -> bool {
        self.valid_after.is_none_or(|d| date >= d) && self.valid_before.is_none_or(|d| date < d)
    }
}

/// The mapping form of a signing key.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde and schemars only
struct KeyMapping {
    /// The OpenSSH public key line.
    key: PublicKey,
    /// The first day the key may sign on (YYYY-MM-DD).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<DateSchema>"))]
    valid_after: Option<Date>,
    /// The day from which the key may no longer sign (YYYY-MM-DD).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<DateSchema>"))]
    valid_before: Option<Date>,
    /// Whether a passkey's signature counts only when the user was
    /// verified (PIN or biometric).
    #[serde(default)]
    verify_required: bool,
}

impl<'de> Deserialize<'de> for SigningKey {
    /// A key line, or a mapping of `key`, `valid_after` and `valid_before`; a malformed key is reported at its
    /// own line and column, with the reason.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = SigningKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an OpenSSH public key line, or a mapping with `key` and optional `valid_after` / `valid_before`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, line: &str) -> Result<SigningKey, E> {
                let key = line.parse::<PublicKey>().map_err(E::custom)?;
                Ok(SigningKey { key, valid_after: None, valid_before: None, verify_required: false })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<SigningKey, A::Error> {
                let m = KeyMapping::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(SigningKey {
                    key: m.key,
                    valid_after: m.valid_after,
                    valid_before: m.valid_before,
                    verify_required: m.verify_required,
                })
            }
        }
        deserializer.deserialize_any(Entry)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for SigningKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SigningKey".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let line = generator.subschema_for::<PublicKey>();
        let mapping = generator.subschema_for::<KeyMapping>();
        schemars::json_schema!({ "oneOf": [line, mapping] })
    }
}

/// A SHA-256 digest: 64 lowercase hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256(String);

/// Why a string is not a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a SHA-256 digest: expected 64 lowercase hexadecimal digits (see `sha256sum <file>`)")]
pub struct InvalidSha256(pub String);

impl Sha256 {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256 {
        use sha2::Digest;
        Sha256(hex(&sha2::Sha256::digest(bytes)))
    }
}

hex_digest!(Sha256, InvalidSha256, 64, "The SHA-256 of a file's bytes (sha256sum)");

/// Lowercase hexadecimal digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

/// What a ledger approves: an item (approved by clinical reviewers), or a
/// people file, `site.toml` or the theme (approved by editors).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Subject {
    /// An item, `collection/slug`.
    Item(ItemRef),
    /// A people file, `people/<id>`.
    Person(PersonId),
    /// `site.toml`, `site`.
    Site,
    /// The theme's files and the project's `templates/` and `static/`, `theme`.
    Theme,
}

impl Subject {
    /// Whether an editor (rather than a clinical reviewer) approves it.
    pub fn is_editorial(&self) -> bool {
        !matches!(self, Subject::Item(_))
    }
}

/// Why a string is not a ledger subject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not something a ledger approves: write collection/slug (styles/avoidant), people/<id>, site or theme"
)]
pub struct InvalidSubject(pub String);

impl TryFrom<String> for Subject {
    type Error = InvalidSubject;
    fn try_from(s: String) -> Result<Self, InvalidSubject> {
        match s.as_str() {
            "site" => return Ok(Subject::Site),
            "theme" => return Ok(Subject::Theme),
            _ => {}
        }
        if let Some(id) = s.strip_prefix("people/") {
            return id.parse().map(Subject::Person).map_err(|_| InvalidSubject(s));
        }
        s.parse().map(Subject::Item).map_err(|_| InvalidSubject(s))
    }
}

impl FromStr for Subject {
    type Err = InvalidSubject;
    fn from_str(s: &str) -> Result<Self, InvalidSubject> {
        Self::try_from(s.to_owned())
    }
}

impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.to_string()
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Item(item) => write!(f, "{item}"),
            Subject::Person(id) => write!(f, "people/{id}"),
            Subject::Site => f.write_str("site"),
            Subject::Theme => f.write_str("theme"),
        }
    }
}

/// One file of an approved theme version: its path (relative to the
/// project root), git blob id and SHA-256.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// The file, `/`-separated, relative to the project root.
    pub path: String,
    /// Its git blob id.
    pub blob: BlobId,
    /// The SHA-256 of its bytes.
    pub sha256: Sha256,
}

/// A reviewer's decision on one version.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The version is approved for publication.
    Approved,
    /// The reviewer asked for changes.
    ChangesRequested,
}

labels!(Decision { Approved => "Approved", ChangesRequested => "Changes requested" });

impl Decision {
    /// The decision as written in a ledger (`changes_requested`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ChangesRequested => "changes_requested",
        }
    }
}

/// One entry of a review ledger.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LedgerRecord {
    /// The git blob id of the item's file as reviewed.
    pub blob: BlobId,
    /// Who reviewed it.
    pub reviewer: PersonId,
    /// When.
    #[cfg_attr(feature = "schema", schemars(with = "DateSchema"))]
    pub date: Date,
    /// Approved or changes requested.
    pub decision: Decision,
    /// What this version changed (required for approvals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// What the reviewer asked for (required for change requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The SHA-256 of the reviewed bytes (git's SHA-1 blob id alone can be
    /// forged by a collision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256>,
    /// For `theme` records: every file of the approved theme version; the
    /// record's blob and SHA-256 are those of their listing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ThemeFile>,
    /// The reviewer's SSH signature over the record's statement (the
    /// armored `ssh-keygen -Y sign` format, namespace `securebase-review`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl LedgerRecord {
    /// A record of `decision` on the bytes with `blob` and `sha256`, not yet
    /// signed: `text` is the summary of an approval or the notes of a
    /// change request.
    pub fn new(blob: BlobId, sha256: Sha256, reviewer: PersonId, date: Date, decision: Decision, text: &str) -> Self {
        let text = Some(text.trim().to_owned());
        let (summary, notes) = match decision {
            Decision::Approved => (text, None),
            Decision::ChangesRequested => (None, text),
        };
        LedgerRecord {
            blob,
            reviewer,
            date,
            decision,
            summary,
            notes,
            sha256: Some(sha256),
            files: Vec::new(),
            signature: None,
        }
    }
}

/// The review ledger of one item (`content/reviews/<collection>/<slug>.yaml`),
/// oldest record first. The ledgers of people files, `site.toml` and the
/// theme are [`EditorialLedger`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Ledger {
    /// The item it is about.
    pub item: ItemRef,
    /// The records, oldest first.
    pub records: Vec<LedgerRecord>,
    /// The file, relative to the project root.
    pub path: PathBuf,
    /// The git blob id of the file as loaded.
    pub blob: BlobId,
}

/// What an editor approves: a people file, `site.toml` or the theme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub enum Editorial {
    /// `content/people/<id>.yaml`.
    Person(PersonId),
    /// `site.toml`.
    Site,
    /// The theme.
    Theme,
}

impl Editorial {
    /// As a ledger subject.
    pub fn subject(&self) -> Subject {
        match self {
            Editorial::Person(id) => Subject::Person(id.clone()),
            Editorial::Site => Subject::Site,
            Editorial::Theme => Subject::Theme,
        }
    }
}

impl From<Editorial> for String {
    fn from(e: Editorial) -> String {
        e.subject().to_string()
    }
}

/// The ledger of a people file (`content/reviews/people/<id>.yaml`),
/// `site.toml` (`content/reviews/site.yaml`) or the theme
/// (`content/reviews/theme.yaml`), signed by editors; oldest record first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EditorialLedger {
    /// What it approves.
    pub subject: Editorial,
    /// The records, oldest first.
    pub records: Vec<LedgerRecord>,
    /// The file, relative to the project root.
    pub path: PathBuf,
    /// The git blob id of the file as loaded.
    pub blob: BlobId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_digits_and_single_hyphens() {
        for ok in ["avoidant", "cbt", "step-2", "a1"] {
            assert!(ok.parse::<Slug>().is_ok(), "{ok}");
        }
        for bad in ["", "Avoidant", "a.b", "a b", "..", "-a", "a-", "a--b", "é", "a/b"] {
            assert!(bad.parse::<Slug>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn references_parse_collection_and_slug() {
        let r: ItemRef = "styles/avoidant".parse().unwrap();
        assert_eq!(r.collection, Collection::Styles);
        assert_eq!(r.to_string(), "styles/avoidant");
        assert!(matches!("avoidant".parse::<ItemRef>(), Err(InvalidRef::Form(_))));
        assert!(matches!("style/avoidant".parse::<ItemRef>(), Err(InvalidRef::Collection(_))));
        assert!(matches!("styles/Avoidant".parse::<ItemRef>(), Err(InvalidRef::Slug(_))));
    }

    #[test]
    fn blob_ids_match_git_hash_object() {
        // `printf 'hello\n' | git hash-object --stdin` and `git hash-object /dev/null`.
        assert_eq!(BlobId::of(b"hello\n").as_str(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(BlobId::of(b"").as_str(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn blob_ids_are_forty_lowercase_hex_digits() {
        let ok = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad".to_owned();
        assert!(BlobId::try_from(ok.clone()).is_ok());
        assert!(BlobId::try_from(ok.to_uppercase()).is_err());
        assert!(BlobId::try_from(ok[..39].to_owned()).is_err());
        assert!(BlobId::try_from(format!("{}g", &ok[..39])).is_err());
    }
}
