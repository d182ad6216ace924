//! [`Site`]: one edition of a library, ready to render.

use std::collections::BTreeSet;

use rayon::prelude::*;
use securebase::{AnyItem, Collection, ItemRef, Library, Person};
use serde::Serialize;

use crate::markdown::{self, Rendered};
use crate::pages::{self, ItemContext, ReviewBlock};
use crate::theme::Theme;
use crate::{BuildOptions, Edition, GitInputs, SiteError, highlight, machine};

/// The Content-Security-Policy every page carries: nothing from other
/// hosts, no inline script (the JSON-LD data block is not executed).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

/// The machine-readable files every build writes.
pub(crate) const MACHINE_FILES: &[&str] = &[
    "/feed.xml",
    "/sitemap.xml",
    "/robots.txt",
    "/search-index.json",
    "/manifest.json",
    "/api/v1/index.json",
    "/assets/highlight.css",
];

/// The pages that are not items.
pub(crate) const FIXED_PAGES: &[&str] = &["/", "/people/", "/editorial-process/", "/changes/", "/search/", "/404.html"];

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
    /// Every page URL this build writes; links to anything else are dropped.
    pub(crate) urls: BTreeSet<String>,
}

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
        let mut theme = Theme::load(library.root(), &config.theme)?;
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let mut urls: BTreeSet<String> = FIXED_PAGES.iter().map(|s| (*s).to_owned()).collect();
        urls.extend(Collection::ALL.iter().map(|c| format!("/{c}/")));
        urls.extend(library.all_items().map(|i| item_url(&i.reference())));
        urls.extend(library.people().iter().map(person_url));
        if edition == Edition::Preview {
            urls.insert("/review/".to_owned());
        }
        urls.extend(MACHINE_FILES.iter().map(|f| (*f).to_owned()));
        urls.extend(Collection::ALL.iter().map(|c| format!("/api/v1/{c}.json")));
        urls.extend(library.all_items().map(|i| format!("/api/v1/{}/{}.json", i.collection(), i.meta().slug)));
        urls.extend(theme.statics().map(|(path, _)| format!("/{path}")));
        let care_url = config.care.url.as_deref().filter(|u| !u.starts_with('/') || urls.contains(*u));
        theme.set_global(
            "site",
            &SiteGlobals {
                title: &config.title,
                description: &config.description,
                base_url: &base_url,
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
        Ok(Site { library, edition, today: options.today, git: &options.git, theme, base_url, urls })
    }

    /// Whether a site path (`/styles/avoidant/#signs`) is a file this build
    /// writes.
    pub fn is_published(&self, path: &str) -> bool {
        let path = path.split(['#', '?']).next().unwrap_or_default();
        self.urls.contains(path)
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
    pub(crate) fn markdown(&self, source: &str) -> Rendered {
        markdown::render(source, &|url| self.link_ok(url))
    }

    /// Renders every page and output, in parallel, as (path, bytes) pairs in
    /// a stable order.
    pub fn render(&self) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
        self.render_with(&|_, _| {})
    }

    /// Renders like [`render`](Self::render), calling `progress(done,
    /// total)` as item pages are rendered (from several threads).
    pub fn render_with(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
        let items: Vec<AnyItem<'_>> = self.library.all_items().collect();
        let total = items.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let prepared: Vec<Prepared<'_>> = items.into_par_iter().map(|item| pages::prepare(self, item)).collect();
        let mut files: Vec<(String, Vec<u8>)> = prepared
            .par_iter()
            .map(|p| {
                let page = (page_file(&item_url(&p.item.reference())), pages::item_page(self, p)?.into_bytes());
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                Ok(page)
            })
            .collect::<Result<_, SiteError>>()?;
        files.extend(pages::other_pages(self, &prepared)?);
        files.extend(machine::outputs(self, &prepared));
        files.push(("assets/highlight.css".into(), highlight::stylesheet().as_bytes().to_vec()));
        for (path, source) in self.theme.statics() {
            let file = self.library.root().join(source);
            let bytes = std::fs::read(&file).map_err(SiteError::io(source))?;
            files.push((path.to_owned(), bytes));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|later, earlier| later.0 == earlier.0);
        Ok(files)
    }

    /// An absolute URL for a site path.
    pub(crate) fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// The URL of an item's page.
pub fn item_url(r: &ItemRef) -> String {
    format!("/{}/{}/", r.collection, r.slug)
}

/// The URL of a person's page.
pub fn person_url(person: &Person) -> String {
    format!("/people/{}/", person.id)
}

/// The file a page URL is written to.
pub(crate) fn page_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() }
}
