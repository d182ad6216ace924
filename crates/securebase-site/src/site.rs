//! [`Site`]: one edition of a library, ready to render.

use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use securebase::{AnyItem, ItemRef, Library};
use serde::Serialize;

use crate::markdown::{self, Rendered};
use crate::output::Publisher;
use crate::pages::{self, ItemContext, ReviewBlock};
use crate::routes::Route;
use crate::theme::Theme;
use crate::{BuildOptions, Edition, GitInputs, RenderCache, SiteError, highlight, machine};

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
    pub(crate) theme: Theme,
    /// The site's address without a trailing slash.
    pub(crate) base_url: String,
    /// The theme's static files, as site paths (`/assets/style.css`).
    statics: BTreeSet<String>,
    /// Rendered Markdown kept from earlier renders, when one is in use.
    cache: Option<&'a RenderCache>,
}

/// Files as (path inside the site, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// An item with its Markdown rendered, shared by its page, the API and the
/// search index.
pub(crate) struct Prepared<'a> {
    pub item: AnyItem<'a>,
    pub context: ItemContext<'a>,
    pub review: ReviewBlock,
    /// Plain text of the body, for the search index.
    pub text: String,
    pub has_code: bool,
}

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
    /// Prepares `library` as `options.edition`, loading the theme named in site.toml.
    pub fn new(library: &'a Library, options: &'a BuildOptions) -> Result<Self, SiteError> {
        let edition = options.edition;
        let config = library.config();
        let theme = match &options.theme {
            Some(files) => Theme::from_files(&config.theme, files)?,
            None => Theme::load(library.root(), &config.theme)?,
        };
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let statics = theme.statics().map(|(path, _)| format!("/{path}")).collect();
        let mut site =
            Site { library, edition, today: options.today, git: &options.git, theme, base_url, statics, cache: None };
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
        Ok(site)
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

    /// Renders every page and output, in parallel, as (path, bytes) pairs in
    /// a stable order.
    pub fn render(&self) -> Result<Files, SiteError> {
        self.render_with(&|_, _| {})
    }

    /// Renders like [`render`](Self::render), calling `progress(done,
    /// total)` as item pages are rendered (from several threads).
    pub fn render_with(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Files, SiteError> {
        let prepared = self.prepare_all();
        let total = prepared.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let items: Vec<Files> = prepared
            .par_iter()
            .map(|p| {
                let files = self.item_outputs(p)?;
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                Ok(files)
            })
            .collect::<Result<_, SiteError>>()?;
        let mut files: Files = items.into_iter().flatten().collect();
        files.extend(self.aggregate_outputs(&prepared)?);
        Ok(in_order(files))
    }

    /// Renders only the outputs of `items` that exist in this edition: each
    /// one's page and API document. With [`dependents`]
    /// and [`render_aggregates`](Self::render_aggregates), this brings a
    /// rendered site up to date after an edit without rendering every page.
    pub fn render_items(&self, items: &BTreeSet<ItemRef>) -> Result<Files, SiteError> {
        let items: Vec<AnyItem<'_>> = items.iter().filter_map(|r| self.library.item(r)).collect();
        let files: Vec<Files> =
            items.into_par_iter().map(|i| self.item_outputs(&pages::prepare(self, i))).collect::<Result<_, _>>()?;
        Ok(in_order(files.into_iter().flatten().collect()))
    }

    /// Renders every output that is not one item's own: the home page,
    /// the indexes, people, the editorial and changes pages, the review
    /// dashboard, search, 404, the sitemap, feed, search index, manifest,
    /// API lists, the highlight stylesheet and the theme's static files.
    pub fn render_aggregates(&self) -> Result<Files, SiteError> {
        let prepared = self.prepare_all();
        Ok(in_order(self.aggregate_outputs(&prepared)?))
    }

    /// Every item of the edition with its Markdown rendered and its context
    /// built, in parallel.
    fn prepare_all(&self) -> Vec<Prepared<'_>> {
        if let Some(cache) = self.cache {
            cache.full_pass();
        }
        let items: Vec<AnyItem<'_>> = self.library.all_items().collect();
        items.into_par_iter().map(|item| pages::prepare(self, item)).collect()
    }

    /// One item's own outputs: its page and its API document.
    fn item_outputs(&self, p: &Prepared<'_>) -> Result<Files, SiteError> {
        let page = (Route::Item(p.item.reference()).file(), pages::item_page(self, p)?.into_bytes());
        Ok(vec![page, machine::api_item(self, p)])
    }

    /// Renders what [`render_with`](Self::render_with) renders straight
    /// into `publisher`'s staging folder, keeping no more than a few item
    /// pages at once: every output's path first, then the outputs that list
    /// items and the static files, then each item's page and API document
    /// as soon as they are rendered. Returns the number of files and of
    /// HTML pages.
    pub(crate) fn render_into(
        &self,
        publisher: &mut Publisher,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<(usize, usize), SiteError> {
        let prepared = self.prepare_all();
        let own: Vec<[String; 2]> = prepared
            .iter()
            .map(|p| {
                let r = p.item.reference();
                [Route::Item(r.clone()).file(), Route::ApiItem(r).file()]
            })
            .collect();
        let taken: HashSet<&str> = own.iter().flatten().map(String::as_str).collect();
        // An item's own outputs come first, as in `render`.
        let mut others = self.aggregate_outputs(&prepared)?;
        others.retain(|(path, _)| !taken.contains(path.as_str()));
        let others = in_order(others);
        let paths = || taken.iter().copied().chain(others.iter().map(|(path, _)| path.as_str()));
        let (files, pages) = (paths().count(), paths().filter(|path| path.ends_with(".html")).count());
        publisher.expect(paths())?;
        publisher.write(others)?;
        let done = std::sync::atomic::AtomicUsize::new(0);
        let publisher = &*publisher;
        prepared.par_iter().try_for_each(|p| {
            let outputs = self.item_outputs(p)?;
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, prepared.len());
            publisher.write(outputs)
        })?;
        Ok((files, pages))
    }

    /// The outputs that list or count items, and the static files.
    fn aggregate_outputs(&self, prepared: &[Prepared<'_>]) -> Result<Files, SiteError> {
        let mut files = pages::other_pages(self, prepared)?;
        files.extend(machine::outputs(self, prepared));
        files.push(("assets/highlight.css".into(), highlight::stylesheet().as_bytes().to_vec()));
        for (path, bytes) in self.theme.statics() {
            files.push((path.to_owned(), bytes.to_vec()));
        }
        Ok(files)
    }

    /// An absolute URL for a site path.
    pub(crate) fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// The items whose outputs show something of item `r`: `r` itself, the
/// items that list it as related, and the styles, strategies and
/// therapies it helps or is helped by. Its page and API document are
/// `r`'s own outputs, and these items' pages the only other item pages
/// that show its title or summary; lists of items are
/// [`Site::render_aggregates`]'s.
pub fn dependents(library: &Library, r: &ItemRef) -> BTreeSet<ItemRef> {
    let mut items: BTreeSet<ItemRef> = library.related_to(r).map(|i| i.reference()).collect();
    items.insert(r.clone());
    match library.item(r) {
        Some(AnyItem::Style(style)) => {
            items.extend(library.strategies_for(style).map(|i| i.reference()));
            items.extend(library.therapies_for(style).map(|i| i.reference()));
        }
        Some(AnyItem::Strategy(_) | AnyItem::Therapy(_)) => {
            items.extend(library.styles_helped_by(r).map(|i| i.reference()))
        }
        _ => {}
    }
    items
}

/// Files sorted by path, the first of each path kept (a theme's static
/// file never replaces a generated one).
fn in_order(mut files: Files) -> Files {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|later, earlier| later.0 == earlier.0);
    files
}
