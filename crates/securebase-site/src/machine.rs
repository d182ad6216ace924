//! The machine-readable outputs: schema.org JSON-LD, `sitemap.xml`, the Atom
//! feed, `robots.txt`, the JSON API under `/api/v1/` and the search index.

use rayon::prelude::*;
use securebase::{AnyItem, Collection, PersonKind};
use serde::Serialize;
use serde_json::{Value, json};

use crate::context::{Prepared, ReviewBlock, VersionEntry, collection_title};
use crate::escape::html as xml;
use crate::routes::Route;
use crate::site::Site;
use crate::{Edition, SiteError};

/// The version of the JSON API and search index shapes.
pub const API_VERSION: u32 = securebase::API_VERSION;

/// schema.org `MedicalWebPage` for an item.
pub(crate) fn json_ld(site: &Site<'_>, p: &Prepared<'_>) -> Value {
    let meta = p.item.meta();
    let author = site.library.person(&meta.author).map(|a| {
        let kind = if a.kind == PersonKind::Organisation { "Organization" } else { "Person" };
        json!({ "@type": kind, "name": a.name, "url": site.absolute(&Route::Person(a.id.clone()).url()) })
    });
    let about = match p.item {
        AnyItem::Therapy(_) => json!({ "@type": "MedicalTherapy", "name": meta.title }),
        _ => json!({ "@type": "Thing", "name": meta.title }),
    };
    let citations: Vec<Value> = meta
        .sources
        .iter()
        .map(|c| {
            json!({
                "@type": if c.journal.is_some() { "ScholarlyArticle" } else { "Book" },
                "name": c.title,
                "author": c.authors,
                "datePublished": c.year.to_string(),
            })
        })
        .collect();
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": meta.title,
        "headline": meta.title,
        "description": meta.summary,
        "url": site.absolute(&p.context.url),
        "inLanguage": site.library.config().language,
        "about": about,
        "author": author,
        "citation": citations,
        "medicalAudience": { "@type": "MedicalAudience", "audienceType": "Patient" },
        "isPartOf": { "@type": "WebSite", "name": site.library.config().title, "url": site.absolute("/") },
    });
    // Production's dates are those of signed records; the preview's page
    // is not published, and takes the writer's `created`.
    let published = match site.edition {
        Edition::Production => p.review.first_published.clone(),
        Edition::Preview => Some(meta.created.to_string()),
    };
    if let Some(published) = published {
        ld["datePublished"] = json!(published);
    }
    if let (Some(reviewer), Some(date)) = (&p.review.reviewer, &p.review.last_reviewed) {
        ld["reviewedBy"] = json!({ "@type": "Person", "name": reviewer.name, "url": site.absolute(&reviewer.url) });
        ld["lastReviewed"] = json!(date);
    }
    ld
}

/// schema.org `WebSite` for the home page.
pub(crate) fn website_json_ld(site: &Site<'_>) -> Value {
    let config = site.library.config();
    json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": config.title,
        "description": config.description,
        "url": site.absolute("/"),
        "inLanguage": config.language,
    })
}

/// Every machine output, as (path, bytes).
pub(crate) fn outputs(site: &Site<'_>, prepared: &[Prepared<'_>]) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let mut files = vec![
        (Route::Sitemap.file(), sitemap(site, prepared).into_bytes()),
        (Route::Feed.file(), feed(site, prepared).into_bytes()),
        (Route::Robots.file(), robots(site).into_bytes()),
        json_file(Route::SearchIndex, &search_index(prepared))?,
        json_file(Route::Manifest, &manifest(site, prepared))?,
    ];
    files.extend(api(site, prepared)?);
    Ok(files)
}

/// A JSON output, with a final line feed; an error rather than an empty
/// file when the value cannot be written.
fn json_file(route: Route, value: &impl Serialize) -> Result<(String, Vec<u8>), SiteError> {
    let file = route.file();
    let mut bytes =
        serde_json::to_vec(value).map_err(|e| SiteError::Json { path: file.clone(), message: e.to_string() })?;
    bytes.push(b'\n');
    Ok((file, bytes))
}

/// The date a page's content last changed, for the sitemap: its last
/// signed review; in preview, for a page never reviewed, the date its
/// writer gives.
fn content_date(site: &Site<'_>, p: &Prepared<'_>) -> Option<String> {
    match site.edition {
        Edition::Production => p.review.last_reviewed.clone(),
        Edition::Preview => Some(p.review.last_reviewed.clone().unwrap_or_else(|| p.item.meta().created.to_string())),
    }
}

fn sitemap(site: &Site<'_>, prepared: &[Prepared<'_>]) -> String {
    let mut xml_out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let fixed = crate::routes::PAGES.iter().filter(|r| **r != Route::NotFound).map(|r| (r.url(), None));
    let indexes = Collection::ALL.iter().map(|c| (format!("/{c}/"), None));
    let items = prepared.iter().map(|p| (p.context.url.clone(), content_date(site, p)));
    let people = site.library.people().iter().map(|p| (Route::Person(p.id.clone()).url(), None));
    for (url, lastmod) in fixed.chain(indexes).chain(items).chain(people) {
        xml_out.push_str(&format!("  <url><loc>{}</loc>", xml(&site.absolute(&url))));
        if let Some(date) = lastmod {
            xml_out.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml_out.push_str("</url>\n");
    }
    xml_out.push_str("</urlset>\n");
    xml_out
}

/// Every approved version of every published item, newest first: the
/// "What changed" page and the feed.
pub(crate) fn approved_versions<'p>(prepared: &'p [Prepared<'p>]) -> Vec<(&'p Prepared<'p>, &'p VersionEntry)> {
    let mut versions: Vec<_> = prepared.iter().flat_map(|p| p.review.history.iter().map(move |v| (p, v))).collect();
    versions.sort_by(|a, b| {
        b.1.date.cmp(&a.1.date).then_with(|| a.0.context.url.cmp(&b.0.context.url)).then(b.1.number.cmp(&a.1.number))
    });
    versions
}

fn feed(site: &Site<'_>, prepared: &[Prepared<'_>]) -> String {
    let config = site.library.config();
    let versions = approved_versions(prepared);
    let updated = versions.first().map_or_else(|| "1970-01-01".to_owned(), |(_, v)| v.date.clone());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}: newly reviewed pages</title>\n  <subtitle>{}</subtitle>\n  <id>{}</id>\n  <link rel=\"self\" href=\"{}\"/>\n  <link href=\"{}\"/>\n  <updated>{updated}T00:00:00Z</updated>\n  <author><name>{}</name></author>\n",
        xml(&config.title),
        xml(&config.description),
        xml(&site.absolute("/")),
        xml(&site.absolute("/feed.xml")),
        xml(&site.absolute("/changes/")),
        xml(&config.title),
    );
    for (p, v) in versions {
        let meta = p.item.meta();
        let url = site.absolute(&p.context.url);
        out.push_str(&format!(
            "  <entry>\n    <title>{}, version {}</title>\n    <id>{}#version-{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <category term=\"{}\"/>\n    <summary>{} (Clinically reviewed by {}.)</summary>\n  </entry>\n",
            xml(&meta.title),
            v.number,
            xml(&url),
            v.number,
            xml(&url),
            v.date,
            p.item.collection(),
            xml(&v.summary),
            xml(&v.reviewer),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The audit record of a build: the commit, and each published item's
/// version, blob, reviewer and review date.
fn manifest(site: &Site<'_>, prepared: &[Prepared<'_>]) -> Value {
    let items: Vec<Value> = prepared
        .iter()
        .map(|p| {
            let meta = p.item.meta();
            json!({
                "item": p.item.reference().to_string(),
                "path": securebase::path_text(&meta.path),
                "blob": meta.blob,
                "state": p.review.state,
                "overdue": p.review.overdue,
                "version": p.review.version,
                "reviewer": p.review.reviewer.as_ref().map(|r| &r.name),
                "last_reviewed": p.review.last_reviewed,
                "first_published": p.review.first_published,
                "signer": p.review.signature.as_ref().map(|s| &s.signer),
            })
        })
        .collect();
    let library = site.library;
    // The editors' approvals of what every page shows besides its item.
    let editorial: Vec<Value> = library
        .editorial_ledgers()
        .iter()
        .filter(|l| match &l.subject {
            securebase::Editorial::Person(id) => library.person(id).is_some(),
            _ => true,
        })
        .filter_map(|l| {
            let record = securebase::latest_approval(&l.records)?;
            Some(json!({
                "subject": l.subject.subject().to_string(),
                "blob": record.blob,
                "sha256": record.sha256,
                "editor": record.reviewer,
                "date": record.date.to_string(),
                "signer": securebase::trust::signer_fingerprint(record),
            }))
        })
        .collect();
    let trust_root: Option<Vec<Value>> = library.trust_root().map(|root| {
        root.fingerprints()
            .into_iter()
            .map(|(id, fingerprint)| json!({ "editor": id, "fingerprint": fingerprint }))
            .collect()
    });
    json!({
        "version": API_VERSION,
        "edition": site.edition.as_str(),
        "commit": site.git.commit,
        "bundle": site.bundle.map(|_| site.absolute(&Route::Bundle.url())),
        "trust_root": trust_root,
        "items": items,
        "approvals": editorial,
    })
}

fn robots(site: &Site<'_>) -> String {
    match site.edition {
        Edition::Preview => "# Preview edition: not for search engines.\nUser-agent: *\nDisallow: /\n".to_owned(),
        Edition::Production => format!("User-agent: *\nAllow: /\nSitemap: {}\n", site.absolute("/sitemap.xml")),
    }
}

/// One search-index entry.
#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    summary: &'a str,
    url: &'a str,
    collection: &'static str,
    text: String,
}

#[derive(Serialize)]
struct SearchIndex<'a> {
    version: u32,
    entries: Vec<SearchEntry<'a>>,
}

/// The most words of a page the search index keeps: enough for every
/// distinct term of a typical page, bounded so the index stays small.
const SEARCH_WORDS: usize = 400;

/// The distinct words of `text`, lowercased, in order of first use, at most
/// [`SEARCH_WORDS`]: what search matches against, at a fraction of the size.
fn search_words(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut seen = rustc_hash::FxHashSet::default();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| w.len() > 1 && seen.insert(*w))
        .take(SEARCH_WORDS)
        .collect();
    words.join(" ")
}

fn search_index<'a>(prepared: &'a [Prepared<'a>]) -> SearchIndex<'a> {
    let entries = prepared
        .par_iter()
        .map(|p| {
            let c = &p.context;
            let mut text = format!(
                "{} {} {} {} {}",
                c.title,
                c.summary,
                c.key_takeaways.join(" "),
                c.signs.join(" "),
                c.steps.join(" ")
            );
            text.push(' ');
            text.push_str(&p.text);
            SearchEntry {
                title: c.title,
                summary: c.summary,
                url: &c.url,
                collection: c.collection_title,
                text: search_words(&text),
            }
        })
        .collect();
    SearchIndex { version: API_VERSION, entries }
}

/// A summary of an item in API lists.
#[derive(Serialize)]
struct ApiSummary<'a> {
    collection: &'static str,
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    url: String,
    api_url: String,
    review: &'a ReviewBlock,
}

fn api_summary<'a>(site: &Site<'_>, p: &'a Prepared<'a>) -> ApiSummary<'a> {
    let c = &p.context;
    ApiSummary {
        collection: c.collection,
        slug: c.slug,
        title: c.title,
        summary: c.summary,
        url: site.absolute(&c.url),
        api_url: format!("/api/v1/{}/{}.json", c.collection, c.slug),
        review: &p.review,
    }
}

fn api(site: &Site<'_>, prepared: &[Prepared<'_>]) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let config = site.library.config();
    let collections: Vec<Value> = Collection::ALL
        .iter()
        .map(|c| {
            json!({
                "name": c.as_str(),
                "title": collection_title(*c),
                "count": prepared.iter().filter(|p| p.item.collection() == *c).count(),
                "api_url": Route::ApiCollection(*c).url(),
            })
        })
        .collect();
    let index = json!({
        "version": API_VERSION,
        "edition": site.edition.as_str(),
        "site": { "title": config.title, "base_url": site.absolute("/"), "language": config.language },
        "bundle": site.bundle.map(|_| site.absolute(&Route::Bundle.url())),
        "collections": collections,
    });
    let mut files = vec![json_file(Route::ApiIndex, &index)?];
    for c in Collection::ALL {
        let items: Vec<ApiSummary<'_>> =
            prepared.iter().filter(|p| p.item.collection() == c).map(|p| api_summary(site, p)).collect();
        let list =
            json!({ "version": API_VERSION, "collection": c.as_str(), "title": collection_title(c), "items": items });
        files.push(json_file(Route::ApiCollection(c), &list)?);
    }
    Ok(files)
}

/// The API document of one item.
/// Where an item's API document is, inside the site.
pub(crate) fn api_item(site: &Site<'_>, p: &Prepared<'_>) -> Result<(String, Vec<u8>), SiteError> {
    let route = Route::ApiItem(p.item.reference());
    let mut doc = securebase::ItemDocument::new(site.library, p.item, &p.review);
    doc.url = Some(site.absolute(&Route::Item(p.item.reference()).url()));
    doc.body_html = Some(p.context.body_html.clone());
    if let Some(author) = &mut doc.author {
        author.url = Some(site.absolute(&Route::Person(author.id.clone()).url()));
    }
    let mut bytes =
        doc.to_json().map_err(|e| SiteError::Json { path: route.file(), message: e.to_string() })?.into_bytes();
    bytes.push(b'\n');
    Ok((route.file(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_output_that_cannot_be_written_is_an_error_not_an_empty_file() {
        let mut bad = std::collections::BTreeMap::new();
        bad.insert((1u8, 2u8), "a key JSON cannot hold");
        match json_file(Route::Manifest, &bad) {
            Err(SiteError::Json { path, message }) => {
                assert_eq!(path, "manifest.json");
                assert!(message.contains("key must be a string"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let (path, bytes) = json_file(Route::ApiIndex, &json!({ "version": API_VERSION })).unwrap();
        assert_eq!((path.as_str(), bytes.as_slice()), ("api/v1/index.json", &b"{\"version\":2}\n"[..]));
    }

    /// The machine outputs of the shipped project in `options`' edition,
    /// by path.
    fn outputs_of(
        library: &securebase::Library,
        options: &crate::BuildOptions,
    ) -> std::collections::BTreeMap<String, String> {
        let site = Site::new(library, options).unwrap();
        let files = site.render(crate::Part::All).unwrap();
        let machine = |path: &str| !path.ends_with(".html") && !path.starts_with("assets/");
        files.into_iter().filter(|(path, _)| machine(path)).map(|(p, b)| (p, String::from_utf8(b).unwrap())).collect()
    }

    #[test]
    fn the_sitemap_lists_every_page_but_404_and_the_dashboard() {
        let library = crate::fixtures::shipped();
        let outputs = outputs_of(&library, &crate::fixtures::preview());
        let sitemap = &outputs["sitemap.xml"];
        let locs: Vec<&str> = sitemap.lines().filter_map(|l| l.split("<loc>").nth(1)?.split("</loc>").next()).collect();
        let base = library.config().base_url.trim_end_matches('/');
        let items = library.all_items().count();
        assert_eq!(locs.len(), crate::routes::PAGES.len() - 1 + Collection::ALL.len() + items + library.people().len());
        assert_eq!(locs[0], format!("{base}/"));
        assert!(locs.contains(&format!("{base}/styles/avoidant/").as_str()), "{sitemap}");
        assert!(!locs.iter().any(|l| l.ends_with("/404.html") || l.contains("/review/")), "{sitemap}");
        // No item is reviewed in the shipped content: each dates from when it was written.
        let avoidant = library.item(&"styles/avoidant".parse().unwrap()).unwrap();
        let lastmod = format!("<loc>{base}/styles/avoidant/</loc><lastmod>{}</lastmod>", avoidant.meta().created);
        assert!(sitemap.contains(&lastmod), "{sitemap}");
    }

    #[test]
    fn without_approvals_the_feed_is_empty_and_the_manifest_lists_every_item_unreviewed() {
        let library = crate::fixtures::shipped();
        let outputs = outputs_of(&library, &crate::fixtures::preview());
        let feed = &outputs["feed.xml"];
        assert_eq!(feed.matches("<entry>").count(), 0, "{feed}");
        assert!(feed.contains("<updated>1970-01-01T00:00:00Z</updated>"), "{feed}");
        let manifest: Value = serde_json::from_str(&outputs["manifest.json"]).unwrap();
        assert_eq!(manifest["edition"], "preview");
        let items = manifest["items"].as_array().unwrap();
        assert_eq!(items.len(), library.all_items().count());
        assert!(items.iter().all(|i| i["state"] == "never_reviewed" && i["version"].is_null()), "{manifest:#}");
        assert_eq!(manifest["approvals"], json!([]));
        let index: Value = serde_json::from_str(&outputs["search-index.json"]).unwrap();
        assert_eq!(index["entries"].as_array().unwrap().len(), items.len());
    }

    #[test]
    fn robots_keep_search_engines_off_the_preview_only() {
        let library = crate::fixtures::shipped();
        assert_eq!(
            outputs_of(&library, &crate::fixtures::preview())["robots.txt"],
            "# Preview edition: not for search engines.\nUser-agent: *\nDisallow: /\n"
        );
        let base = library.config().base_url.trim_end_matches('/').to_owned();
        assert_eq!(
            outputs_of(&library, &crate::fixtures::production())["robots.txt"],
            format!("User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
        );
    }

    #[test]
    fn search_words_are_distinct_lowercase_and_bounded() {
        assert_eq!(search_words("Calm, calm CALM: self-care isn't a race. A"), "calm self-care isn't race");
        let many: String = (0..1000).map(|i| format!("w{i} ")).collect();
        assert_eq!(search_words(&many).split(' ').count(), SEARCH_WORDS);
    }
}
