//! An item as JSON, in the shape the site's API serves it
//! (`/api/v1/<collection>/<slug>.json`): one serialiser, used by the site
//! and by any app that hands items on.

use serde::Serialize;

use crate::library::Library;
use crate::model::{AnyItem, Citation, Collection, Guide, ItemRef, PersonId, Slug, Strategy, Style, Therapy};
use crate::readability::Readability;

/// The version of the API's documents (`version` in each).
pub const API_VERSION: u32 = 2;

/// An item as the API serves it. `R` is the review: the site puts its
/// review block there, an app the item's [`Verified`](crate::Verified)
/// approval. What only a site knows (`url`, `body_html`, the author's
/// `url`) is `None` until the caller fills it in, and written as `null`.
///
/// Keys are written in alphabetical order at every level
/// ([`to_json`](Self::to_json)), as the site's API writes them.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ItemDocument<'a, R> {
    /// The API's version ([`API_VERSION`]).
    pub version: u32,
    /// The item's collection.
    pub collection: Collection,
    /// The item's id.
    pub slug: &'a Slug,
    /// The page's address on the site.
    pub url: Option<String>,
    /// The page title.
    pub title: &'a str,
    /// The summary.
    pub summary: &'a str,
    /// Who wrote it, when the library holds their people file.
    pub author: Option<Author<'a>>,
    /// The writer's `created` date.
    pub created: String,
    /// The key takeaways.
    pub key_takeaways: &'a [String],
    /// Related items the library holds (references to others are left out).
    pub related: Vec<&'a ItemRef>,
    /// The sources.
    pub sources: &'a [Citation],
    /// The collection's own fields, with references to items the library
    /// does not hold left out.
    pub fields: Fields,
    /// The body as written (Markdown).
    pub body_markdown: &'a str,
    /// The body rendered and sanitised, when a site rendered it.
    pub body_html: Option<String>,
    /// The review, as the caller describes it.
    pub review: R,
    /// The readability figures, when measured.
    pub readability: Option<&'a Readability>,
}

/// An item's author in a document.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Author<'a> {
    /// Their id.
    pub id: &'a PersonId,
    /// Their name.
    pub name: &'a str,
    /// Their page on the site, when a site has one.
    pub url: Option<String>,
}

/// A collection's own fields, as a document holds them.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Fields {
    /// A style's.
    Style(Style),
    /// A strategy's.
    Strategy(Strategy),
    /// A therapy's.
    Therapy(Therapy),
    /// A guide's (none).
    Guide(Guide),
}

impl<'a, R: Serialize> ItemDocument<'a, R> {
    /// The document of `item` from `library`, with `review`.
    pub fn new(library: &'a Library, item: AnyItem<'a>, review: R) -> ItemDocument<'a, R> {
        let held = |r: &ItemRef| library.item(r).is_some();
        let kept = |refs: &[ItemRef]| refs.iter().filter(|r| held(r)).cloned().collect::<Vec<_>>();
        let fields = match item {
            AnyItem::Style(i) => Fields::Style(Style {
                strategies: kept(&i.fields.strategies),
                therapies: kept(&i.fields.therapies),
                ..i.fields.clone()
            }),
            AnyItem::Strategy(i) => {
                Fields::Strategy(Strategy { helps_with: kept(&i.fields.helps_with), ..i.fields.clone() })
            }
            AnyItem::Therapy(i) => {
                Fields::Therapy(Therapy { helps_with: kept(&i.fields.helps_with), ..i.fields.clone() })
            }
            AnyItem::Guide(i) => Fields::Guide(i.fields.clone()),
        };
        let meta = item.meta();
        ItemDocument {
            version: API_VERSION,
            collection: item.collection(),
            slug: &meta.slug,
            url: None,
            title: &meta.title,
            summary: &meta.summary,
            author: library.person(&meta.author).map(|a| Author { id: &a.id, name: &a.name, url: None }),
            created: meta.created.to_string(),
            key_takeaways: &meta.key_takeaways,
            related: meta.related.iter().filter(|r| held(r)).collect(),
            sources: &meta.sources,
            fields,
            body_markdown: &meta.body,
            body_html: None,
            review,
            readability: meta.readability.as_ref(),
        }
    }

    /// The document as one line of JSON, keys in alphabetical order at
    /// every level.
    ///
    /// # Errors
    ///
    /// When `R` cannot be written as JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&serde_json::to_value(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A style and the strategy that helps it, written by a team.
    fn library() -> Library {
        let site = b"title = \"Example\"\ndescription = \"A tiny example site.\"\nbase_url = \"https://example.org\"\n";
        let team = b"name: Example Team\nkind: organisation\nroles: [author]\nemail: team@example.org\n";
        let style = b"---\ntitle: Avoidant attachment\nsummary: Keeping people at a distance and relying mostly on yourself.\n\
            author: team\ncreated: 2026-01-15\nsecurity: insecure\ndimensions: { anxiety: low, avoidance: high }\n\
            origins: Care that was there in practical ways but distant.\nin_relationships: Needing space, especially after conflict.\n\
            strategies: [strategies/mindfulness]\nsources:\n  - { authors: [\"Bowlby, J.\"], year: 1969, title: Attachment, publisher: Basic Books }\n\
            ---\nBody text.\n";
        let strategy = b"---\ntitle: Practise mindfulness\nsummary: Noticing feelings as they happen, so there is a pause before reacting.\n\
            author: team\ncreated: 2026-01-15\nhelps_with: [styles/avoidant]\nexample: Noticing the urge to withdraw, and naming it.\n\
            sources:\n  - { authors: [\"Neff, K. D.\"], year: 2003, title: Self-compassion, journal: Self and Identity }\n---\nBody text.\n";
        let files: [(&str, &[u8]); 3] =
            [("people/team.yaml", team), ("styles/avoidant.md", style), ("strategies/mindfulness.md", strategy)];
        Library::from_memory(site, &files).expect("valid content")
    }

    #[test]
    fn a_document_holds_the_item_in_the_apis_shape_with_its_keys_sorted() {
        let library = library();
        let style = library.get::<Style>("avoidant").unwrap();
        let doc = ItemDocument::new(&library, AnyItem::Style(style), "reviewed");
        let text = doc.to_json().unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["fields"]["strategies"], serde_json::json!(["strategies/mindfulness"]));
        assert_eq!(json["fields"]["dimensions"], serde_json::json!({ "anxiety": "low", "avoidance": "high" }));
        assert_eq!(json["author"], serde_json::json!({ "id": "team", "name": "Example Team", "url": null }));
        assert_eq!(json["review"], "reviewed");
        assert_eq!(json["version"], API_VERSION);
        assert_eq!(json["body_markdown"], "Body text.\n");
        assert!(json["url"].is_null() && json["body_html"].is_null());
        assert!(
            text.starts_with(
                "{\"author\":{\"id\":\"team\",\"name\":\"Example Team\",\"url\":null},\"body_html\":null,"
            ),
            "{text}"
        );
    }
}
