//! Routes: every output of a site, with its URL and the file it is written
//! to, in one place. Pages link by route, the build writes by route, and
//! [`Route::parse`] reads a site path back, so that whether a link points
//! at a published file is answered by the same table.

use securebase::{Collection, ItemRef, PersonId};

/// One output of a site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    /// `/`.
    Home,
    /// `/people/`.
    People,
    /// `/people/<id>/`.
    Person(PersonId),
    /// `/editorial-process/`.
    Editorial,
    /// `/changes/`: newly approved versions.
    Changes,
    /// `/search/`.
    Search,
    /// `/404.html`.
    NotFound,
    /// `/review/`, the review dashboard (the preview edition only).
    Dashboard,
    /// `/<collection>/`, a collection's index.
    Collection(Collection),
    /// `/<collection>/<slug>/`, an item's page.
    Item(ItemRef),
    /// `/feed.xml`.
    Feed,
    /// `/sitemap.xml`.
    Sitemap,
    /// `/robots.txt`.
    Robots,
    /// `/search-index.json`.
    SearchIndex,
    /// `/manifest.json`.
    Manifest,
    /// `/assets/highlight.css`.
    HighlightCss,
    /// `/api/v1/index.json`.
    ApiIndex,
    /// `/api/v1/<collection>.json`.
    ApiCollection(Collection),
    /// `/api/v1/<collection>/<slug>.json`.
    ApiItem(ItemRef),
    /// `/edition.bundle`: the production edition's signed bundle (the API
    /// index and the manifest give its address).
    Bundle,
    /// A theme's static file, by its path inside the site (`assets/style.css`).
    Static(String),
}

/// The pages that are not items, lists or people.
pub(crate) const PAGES: &[Route] =
    &[Route::Home, Route::People, Route::Editorial, Route::Changes, Route::Search, Route::NotFound];

/// The routes every build writes whatever the content holds (the
/// dashboard, collections, items, people, API lists and static files are
/// listed by the build).
pub(crate) const FIXED: &[Route] = &[
    Route::Home,
    Route::People,
    Route::Editorial,
    Route::Changes,
    Route::Search,
    Route::NotFound,
    Route::Feed,
    Route::Sitemap,
    Route::Robots,
    Route::SearchIndex,
    Route::Manifest,
    Route::HighlightCss,
    Route::ApiIndex,
];

impl Route {
    /// The route's URL path (`/styles/avoidant/`, `/feed.xml`).
    pub fn url(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::People => "/people/".into(),
            Route::Person(id) => format!("/people/{id}/"),
            Route::Editorial => "/editorial-process/".into(),
            Route::Changes => "/changes/".into(),
            Route::Search => "/search/".into(),
            Route::NotFound => "/404.html".into(),
            Route::Dashboard => "/review/".into(),
            Route::Collection(c) => format!("/{c}/"),
            Route::Item(r) => format!("/{}/{}/", r.collection, r.slug),
            Route::Feed => "/feed.xml".into(),
            Route::Sitemap => "/sitemap.xml".into(),
            Route::Robots => "/robots.txt".into(),
            Route::SearchIndex => "/search-index.json".into(),
            Route::Manifest => "/manifest.json".into(),
            Route::HighlightCss => "/assets/highlight.css".into(),
            Route::ApiIndex => "/api/v1/index.json".into(),
            Route::ApiCollection(c) => format!("/api/v1/{c}.json"),
            Route::ApiItem(r) => format!("/api/v1/{}/{}.json", r.collection, r.slug),
            Route::Bundle => "/edition.bundle".into(),
            Route::Static(path) => format!("/{path}"),
        }
    }

    /// The file the route is written to, inside the output folder and
    /// `/`-separated: a page's URL ending in `/` is its folder's
    /// `index.html`.
    pub fn file(&self) -> String {
        page_file(&self.url())
    }

    /// The route a site path (`/styles/avoidant/#signs` or `/feed.xml?x`)
    /// names, whether or not an edition publishes it; a path no route has
    /// is a static file's. `None` for what is not a site path.
    pub fn parse(path: &str) -> Option<Route> {
        let path = path.split(['#', '?']).next().unwrap_or_default();
        let inside = path.strip_prefix('/')?;
        if let Some(fixed) = FIXED.iter().chain([&Route::Dashboard, &Route::Bundle]).find(|r| r.url() == path) {
            return Some(fixed.clone());
        }
        let parts: Vec<&str> = inside.split('/').collect();
        let item = |collection: &str, slug: &str| Some(ItemRef::new(collection.parse().ok()?, slug.parse().ok()?));
        let routed = match parts.as_slice() {
            ["people", id, ""] => id.parse().ok().map(Route::Person),
            [collection, ""] => collection.parse().ok().map(Route::Collection),
            [collection, slug, ""] => item(collection, slug).map(Route::Item),
            ["api", "v1", list] => list.strip_suffix(".json").and_then(|c| c.parse().ok()).map(Route::ApiCollection),
            ["api", "v1", collection, file] => {
                file.strip_suffix(".json").and_then(|slug| item(collection, slug)).map(Route::ApiItem)
            }
            _ => None,
        };
        Some(routed.unwrap_or_else(|| Route::Static(inside.to_owned())))
    }
}

/// The file a page URL is written to.
pub(crate) fn page_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_parses_back_from_its_url() {
        let avoidant: ItemRef = "styles/avoidant".parse().unwrap();
        let routes = [
            Route::Person("riley".parse().unwrap()),
            Route::Dashboard,
            Route::Collection(Collection::Therapies),
            Route::Item(avoidant.clone()),
            Route::ApiCollection(Collection::Guides),
            Route::ApiItem(avoidant),
            Route::Static("assets/style.css".into()),
            Route::Bundle,
        ];
        for route in FIXED.iter().chain(&routes) {
            assert_eq!(Route::parse(&route.url()).as_ref(), Some(route), "{route:?}");
        }
    }

    #[test]
    fn urls_and_files() {
        let r: ItemRef = "styles/avoidant".parse().unwrap();
        assert_eq!(
            (Route::Item(r.clone()).url(), Route::Item(r.clone()).file()),
            ("/styles/avoidant/".into(), "styles/avoidant/index.html".into())
        );
        assert_eq!(Route::ApiItem(r).file(), "api/v1/styles/avoidant.json");
        assert_eq!(Route::Home.file(), "index.html");
        assert_eq!(Route::NotFound.file(), "404.html");
        assert_eq!(Route::parse("/styles/avoidant/#signs"), Some(Route::Item("styles/avoidant".parse().unwrap())));
        assert_eq!(Route::parse("/people/Not_An_Id/"), Some(Route::Static("people/Not_An_Id/".into())));
        assert_eq!(Route::parse("relative/path"), None);
    }
}
