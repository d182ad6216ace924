//! Rendering one edition, or a [`Part`] of it, into a [`Sink`]: every item
//! prepared once (in parallel), everything that lists items and the static
//! files, then each item's page and API document. The one path for builds
//! (into the staging folder), serve and tests (into memory).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use securebase::{AnyItem, Diagnostics, ItemRef, Library, ProjectLayout, Reload};

use crate::context::{self, Prepared};
use crate::output::{Memory, Sink};
use crate::routes::Route;
use crate::site::{Files, Site};
use crate::{SiteError, highlight, machine, pages};

/// Which outputs of a site a render renders.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// Every output: a build.
    All,
    /// These items' own outputs, each one's page and API document (for
    /// those the edition has). With [`dependents`] and [`Part::Lists`],
    /// this brings a rendered site up to date after an edit without
    /// rendering every page.
    Items(&'a BTreeSet<ItemRef>),
    /// Every output that is not one item's own: the home page, the
    /// indexes, people, the editorial and changes pages, the review
    /// dashboard, search, 404, the sitemap, feed, search index, manifest,
    /// API lists, the highlight stylesheet and the theme's static files.
    Lists,
}

/// What a render wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files written.
    pub files: usize,
    /// Of which HTML pages.
    pub pages: usize,
}

impl Site<'_> {
    /// Renders `part` into memory, as (path, bytes) pairs in path order:
    /// [`render_into`](Self::render_into) with a [`Memory`] sink, as serve
    /// and tests render.
    pub fn render(&self, part: Part<'_>) -> Result<Files, SiteError> {
        let mut memory = Memory::new();
        self.render_into(part, &mut memory, &|_, _| {})?;
        Ok(memory.into_files())
    }

    /// Renders `part` into `sink`, keeping no more than a few item pages
    /// at once: every output's path first, then the outputs that list
    /// items and the static files, then each item's page and API document
    /// as soon as they are rendered (in parallel), calling
    /// `progress(done, total)` after each item. An item's own output wins
    /// over a theme's static file at the same path.
    pub fn render_into(
        &self,
        part: Part<'_>,
        sink: &mut dyn Sink,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Written, SiteError> {
        let prepared = match part {
            Part::Items(items) => {
                let items: Vec<AnyItem<'_>> = items.iter().filter_map(|r| self.library.item(r)).collect();
                items.into_par_iter().map(|item| context::prepare(self, item)).collect()
            }
            Part::All | Part::Lists => self.prepare_all(),
        };
        let own: &[Prepared<'_>] = if matches!(part, Part::Lists) { &[] } else { &prepared };
        let mut lists = if matches!(part, Part::Items(_)) { Files::new() } else { self.aggregate_outputs(&prepared)? };
        let own_paths: Vec<[String; 2]> = own
            .iter()
            .map(|p| {
                let r = p.item.reference();
                [Route::Item(r.clone()).file(), Route::ApiItem(r).file()]
            })
            .collect();
        let taken: HashSet<&str> = own_paths.iter().flatten().map(String::as_str).collect();
        lists.retain(|(path, _)| !taken.contains(path.as_str()));
        let lists = in_order(lists);
        let paths: Vec<&str> = taken.iter().copied().chain(lists.iter().map(|(path, _)| path.as_str())).collect();
        let written =
            Written { files: paths.len(), pages: paths.iter().filter(|path| path.ends_with(".html")).count() };
        sink.expect(&paths)?;
        drop(paths);
        sink.write(lists)?;
        let done = std::sync::atomic::AtomicUsize::new(0);
        let sink = &*sink;
        own.par_iter().try_for_each(|p| {
            let outputs = self.item_outputs(p)?;
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, own.len());
            sink.write(outputs)
        })?;
        Ok(written)
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

    /// The outputs that list or count items, and the static files.
    fn aggregate_outputs(&self, prepared: &[Prepared<'_>]) -> Result<Files, SiteError> {
        let mut files = pages::other_pages(self, prepared)?;
        files.extend(machine::outputs(self, prepared)?);
        files.push(("assets/highlight.css".into(), highlight::stylesheet().as_bytes().to_vec()));
        if let Some(bundle) = self.bundle {
            files.push((Route::Bundle.file(), bundle.to_vec()));
        }
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
/// that show its title or summary; lists of items are [`Part::Lists`].
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

/// What an edit makes a rendered site render again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rerender {
    /// These items' own outputs ([`Part::Items`]), then [`Part::Lists`].
    Items(BTreeSet<ItemRef>),
    /// Everything.
    All,
}

/// Brings `library` up to date after an edit to the files `changed`
/// (relative to its root) and says what a site rendered from it must
/// render again: the [`dependents`] of every changed item, before and
/// after the edit, when only item files changed; everything when anything
/// else did (a person, a ledger, `site.toml`, the theme, a file added or
/// removed). The incremental policy of `securebase serve`.
///
/// # Errors
///
/// Every problem the edit brings, as [`Library::reload`] reports them; the
/// library is then unchanged.
pub fn after_edit(library: &mut Library, changed: &[PathBuf]) -> Result<Rerender, Diagnostics> {
    let content = |p: &&PathBuf| p.starts_with(ProjectLayout::CONTENT) || *p == Path::new(ProjectLayout::SITE_TOML);
    let content: Vec<PathBuf> = changed.iter().filter(content).cloned().collect();
    if content.is_empty() {
        return Ok(Rerender::All);
    }
    let before: Vec<ItemRef> = content.iter().filter_map(|p| library.item_at(p)).map(|i| i.reference()).collect();
    let mut shown: BTreeSet<ItemRef> = before.iter().flat_map(|r| dependents(library, r)).collect();
    match library.reload(&content)? {
        Reload::Items(items) if content.len() == changed.len() => {
            shown.extend(items.iter().flat_map(|r| dependents(library, r)));
            Ok(Rerender::Items(shown))
        }
        _ => Ok(Rerender::All),
    }
}

/// Files sorted by path, the first of each path kept (a theme's static
/// file never replaces a generated one).
fn in_order(mut files: Files) -> Files {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|later, earlier| later.0 == earlier.0);
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{preview, shipped};

    fn render(site: &Site<'_>, part: Part<'_>) -> (Written, Files) {
        let mut memory = Memory::new();
        let written = site.render_into(part, &mut memory, &|_, _| {}).unwrap();
        (written, memory.into_files())
    }

    fn paths(files: &Files) -> Vec<&str> {
        files.iter().map(|(path, _)| path.as_str()).collect()
    }

    #[test]
    fn each_part_writes_exactly_its_outputs_and_together_they_are_the_whole_site() {
        let library = shipped();
        let options = preview();
        let site = Site::new(&library, &options).unwrap();
        let one: BTreeSet<ItemRef> = ["styles/ambivalent".parse().unwrap()].into();
        let (written, items) = render(&site, Part::Items(&one));
        assert_eq!(paths(&items), ["api/v1/styles/ambivalent.json", "styles/ambivalent/index.html"]);
        assert_eq!(written, Written { files: 2, pages: 1 });

        let every: BTreeSet<ItemRef> = library.all_items().map(|i| i.reference()).collect();
        let (_, items) = render(&site, Part::Items(&every));
        let (lists_written, lists) = render(&site, Part::Lists);
        assert_eq!(items.len(), 2 * every.len());
        assert!(lists.iter().all(|(path, _)| !items.iter().any(|(own, _)| own == path)), "no item output is a list");
        assert!(paths(&lists).contains(&"index.html") && paths(&lists).contains(&"sitemap.xml"));
        assert_eq!(lists_written.files, lists.len());

        let (all_written, all) = render(&site, Part::All);
        let mut together = items;
        together.extend(lists);
        together.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(all, together, "the parts add up to the whole site, byte for byte");
        assert_eq!(all_written.files, all.len());
        assert_eq!(all_written.pages, all.iter().filter(|(path, _)| path.ends_with(".html")).count());
        assert_eq!(site.render(Part::All).unwrap(), all);
    }

    #[test]
    fn an_edit_to_anything_but_items_renders_everything_again() {
        let mut library = shipped();
        for changed in ["themes/default/templates/base.html", "templates/item.html", "static/logo.svg"] {
            assert_eq!(after_edit(&mut library, &[PathBuf::from(changed)]).unwrap(), Rerender::All, "{changed}");
        }
        // An unchanged item file reloads as itself; with a theme file beside it, everything renders.
        let item = PathBuf::from("content/styles/secure.md");
        let both = [item.clone(), PathBuf::from("themes/default/templates/base.html")];
        assert_eq!(after_edit(&mut library, &both).unwrap(), Rerender::All);
        let Rerender::Items(shown) = after_edit(&mut library, &[item]).unwrap() else { panic!("only an item changed") };
        let secure: ItemRef = "styles/secure".parse().unwrap();
        assert_eq!(shown, dependents(&library, &secure));
        assert!(shown.contains(&secure));
    }

    #[test]
    fn a_missing_item_renders_nothing() {
        let library = shipped();
        let options = preview();
        let site = Site::new(&library, &options).unwrap();
        let gone: BTreeSet<ItemRef> = ["styles/no-such-style".parse().unwrap()].into();
        let (written, files) = render(&site, Part::Items(&gone));
        assert_eq!((written, files.len()), (Written { files: 0, pages: 0 }, 0));
    }
}
