//! Rendering one edition: every item prepared once (in parallel), its page
//! and API document, then everything that lists items and the static
//! files; written straight into a build's staging folder, or returned as
//! files for serve and tests.

use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;
use securebase::{AnyItem, ItemRef, Library};

use crate::context::{self, Prepared};
use crate::output::Publisher;
use crate::routes::Route;
use crate::site::{Files, Site};
use crate::{SiteError, highlight, machine, pages};

impl Site<'_> {
    /// Renders every page and output, in parallel, as (path, bytes) pairs in
    /// a stable order.
    pub fn render(&self) -> Result<Files, SiteError> {
        let prepared = self.prepare_all();
        let items: Vec<Files> = prepared.par_iter().map(|p| self.item_outputs(p)).collect::<Result<_, SiteError>>()?;
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
            items.into_par_iter().map(|i| self.item_outputs(&context::prepare(self, i))).collect::<Result<_, _>>()?;
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
        items.into_par_iter().map(|item| context::prepare(self, item)).collect()
    }

    /// One item's own outputs: its page and its API document.
    fn item_outputs(&self, p: &Prepared<'_>) -> Result<Files, SiteError> {
        let page = (Route::Item(p.item.reference()).file(), pages::item_page(self, p)?.into_bytes());
        Ok(vec![page, machine::api_item(self, p)?])
    }

    /// Renders what [`render`](Self::render) renders straight
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
        files.extend(machine::outputs(self, prepared)?);
        files.push(("assets/highlight.css".into(), highlight::stylesheet().as_bytes().to_vec()));
        for (path, bytes) in self.theme.statics() {
            files.push((path.to_owned(), bytes.to_vec()));
        }
        Ok(files)
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
