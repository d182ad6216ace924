//! [`Site`]: one edition of a library, ready to render.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use securebase::Library;
use serde::Serialize;

use crate::markdown::{self, Rendered};
use crate::routes::Route;
use crate::theme::Theme;
use crate::{BuildOptions, Edition, GitInputs, RenderCache, SiteError};

/// The Content-Security-Policy every page carries: nothing from other
/// hosts, no inline script (the JSON-LD data block is not executed).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

/// An edition of a library with its theme loaded: everything needed to
/// render, computed once.
pub struct Site<'a> {
    pub(crate) library: &'a Library,
    pub(crate) edition: Edition,
    pub(crate) today: securebase::Date,
    pub(crate) git: &'a GitInputs,
    /// The edition bundle, published as it is.
    pub(crate) bundle: Option<&'a [u8]>,
    pub(crate) theme: Theme,
    /// The site's address without a trailing slash.
    pub(crate) base_url: String,
    /// The theme's static files, as site paths (`/assets/style.css`).
    statics: BTreeSet<String>,
    /// Rendered Markdown kept from earlier renders, when one is in use.
    pub(crate) cache: Option<&'a RenderCache>,
}

/// Files as (path inside the site, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// The care call-to-action; its link is dropped when it points at a page
/// this edition does not publish.
#[derive(Serialize)]
struct Care<'a> {
    heading: &'a str,
    text: &'a str,
    link_text: Option<&'a str>,
    url: Option<&'a str>,
}

/// The global site values every template sees as `site`.
#[derive(Serialize)]
struct SiteGlobals<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    crisis: &'a [securebase::CrisisResource],
    care: Care<'a>,
    edition: &'static str,
    noindex: bool,
    csp: &'static str,
}

impl<'a> Site<'a> {
    /// Prepares `library` as `options.edition`, loading the theme named in
    /// site.toml (from `options.theme`'s files, or else from disk).
    pub fn new(library: &'a Library, options: &'a BuildOptions) -> Result<Self, SiteError> {
        let name = &library.config().theme;
        let theme = match &options.theme {
            Some(files) => Theme::from_files(name, files)?,
            None => Theme::load(library.root(), name)?,
        };
        Ok(Self::with_theme(library, options, theme))
    }

    /// Prepares `library` as `options.edition` with a theme already loaded,
    /// which [`into_theme`](Self::into_theme) gives back: for a process
    /// that renders again after each edit and loads the theme only when it
    /// changes.
    pub fn with_theme(library: &'a Library, options: &'a BuildOptions, theme: Theme) -> Self {
        let edition = options.edition;
        let config = library.config();
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let statics = theme.statics().map(|(path, _)| format!("/{path}")).collect();
        let mut site = Site {
            library,
            edition,
            today: options.today,
            git: &options.git,
            bundle: options.bundle.as_deref(),
            theme,
            base_url,
            statics,
            cache: None,
        };
        let care_url = config.care.url.as_deref().filter(|u| !u.starts_with('/') || site.is_published(u));
        site.theme.set_global(
            "site",
            &SiteGlobals {
                title: &config.title,
                description: &config.description,
                base_url: &site.base_url,
                language: &config.language,
                crisis: &config.crisis,
                care: Care {
                    heading: &config.care.heading,
                    text: &config.care.text,
                    link_text: config.care.link_text.as_deref(),
                    url: care_url,
                },
                edition: edition.as_str(),
                noindex: edition == Edition::Preview,
                csp: CONTENT_SECURITY_POLICY,
            },
        );
        site
    }

    /// The theme, for the next site rendered with it.
    pub fn into_theme(self) -> Theme {
        self.theme
    }

    /// Keeps rendered Markdown in `cache`, and reuses what it holds from
    /// earlier renders of the same project: for a long-running process
    /// that renders again after each edit. Entries checked against other
    /// links (another address, pages added or removed) are dropped.
    pub fn with_cache(mut self, cache: &'a RenderCache) -> Self {
        let mut links = std::hash::DefaultHasher::new();
        (&self.base_url, self.edition, &self.statics).hash(&mut links);
        self.library.all_items().for_each(|i| i.reference().hash(&mut links));
        self.library.people().iter().for_each(|p| p.id.hash(&mut links));
        cache.links_are(links.finish());
        self.cache = Some(cache);
        self
    }

    /// Whether a site path (`/styles/avoidant/#signs`) is a file this build
    /// writes.
    pub fn is_published(&self, path: &str) -> bool {
        match Route::parse(path) {
            None => false,
            Some(Route::Dashboard) => self.edition == Edition::Preview,
            Some(Route::Bundle) => self.bundle.is_some(),
            Some(Route::Person(id)) => self.library.person(&id).is_some(),
            Some(Route::Item(r) | Route::ApiItem(r)) => self.library.item(&r).is_some(),
            Some(Route::Static(file)) => self.statics.contains(&format!("/{file}")),
            Some(_) => true,
        }
    }

    /// Whether content may link to `url`: another site (the scheme is
    /// checked by the Markdown renderer), or a page of this one that this
    /// edition publishes, written as a path (`/styles/avoidant/`) or with
    /// the base URL. Relative paths are refused: they would resolve
    /// differently on each page.
    pub fn link_ok(&self, url: &str) -> bool {
        let path = match url.strip_prefix(self.base_url.as_str()) {
            Some("") => "/",
            Some(rest) if rest.starts_with(['/', '#', '?']) => rest,
            _ if url.starts_with('/') && !url.starts_with("//") => url,
            _ => return url.contains(':') && !url.starts_with('/'),
        };
        self.is_published(path)
    }

    /// Renders Markdown from this site's content, dropping links to pages it
    /// does not publish.
    pub(crate) fn markdown(&self, source: &str) -> Arc<Rendered> {
        let render = || markdown::render(source, &|url| self.link_ok(url));
        match self.cache {
            Some(cache) => cache.rendered(source, render),
            None => Arc::new(render()),
        }
    }

    /// An absolute URL for a site path.
    pub(crate) fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{preview, production, shipped};

    use super::*;

    #[test]
    fn published_paths_are_the_editions_files() {
        let library = shipped();
        let options = preview();
        let site = Site::new(&library, &options).unwrap();
        for path in ["/", "/styles/avoidant/", "/styles/avoidant/#signs", "/people/", "/review/", "/assets/style.css"] {
            assert!(site.is_published(path), "{path}");
        }
        for path in ["/styles/no-such/", "/people/nobody/", "/assets/missing.css", "/../etc/passwd", "styles/avoidant/"]
        {
            assert!(!site.is_published(path), "{path}");
        }
        let options = production();
        let production = Site::new(&library, &options).unwrap();
        assert!(!production.is_published("/review/"), "the dashboard is the preview's only");
    }

    #[test]
    fn content_may_link_to_other_sites_and_published_pages_only() {
        let library = shipped();
        let options = preview();
        let site = Site::new(&library, &options).unwrap();
        let base = library.config().base_url.trim_end_matches('/').to_owned();
        for url in [
            "https://www.nhs.uk/".to_owned(),
            "tel:988".to_owned(),
            "/styles/secure/".to_owned(),
            format!("{base}/styles/secure/"),
            base.clone(),
        ] {
            assert!(site.link_ok(&url), "{url}");
        }
        for url in ["styles/secure/", "../secure/", "/styles/nope/", "//evil.example/", "#top"] {
            assert!(!site.link_ok(url), "{url}");
        }
    }
}
