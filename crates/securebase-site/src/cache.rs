//! [`RenderCache`]: rendered Markdown kept between renders of one project,
//! so that a long-running `securebase serve` renders again only the text
//! that changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::markdown::Rendered;

/// Rendered Markdown by source text, for one project across many renders.
///
/// An entry is valid while the links it was checked against are the same:
/// [`Site::with_cache`](crate::Site::with_cache) empties the cache when the
/// site's address or its set of pages changes. Entries no render has used
/// since the last full pass are dropped, so the cache holds about the
/// site's current text.
#[derive(Debug, Default)]
pub struct RenderCache {
    inner: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    /// The fingerprint of the links the entries were checked against.
    links: u64,
    /// Entries used since the last full pass began.
    current: HashMap<String, Arc<Rendered>>,
    /// Entries from before it, moved to `current` when used again.
    previous: HashMap<String, Arc<Rendered>>,
}

impl RenderCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Empties the cache unless its entries were checked against the same
    /// links.
    pub(crate) fn links_are(&self, fingerprint: u64) {
        let mut inner = self.lock();
        if inner.links != fingerprint {
            *inner = Generations { links: fingerprint, ..Generations::default() };
        }
    }

    /// Starts a pass over every text of the site: what it does not use is
    /// dropped at the start of the next one.
    pub(crate) fn full_pass(&self) {
        let mut inner = self.lock();
        inner.previous = std::mem::take(&mut inner.current);
    }

    /// The rendering of `source`, from the cache or from `render`.
    pub(crate) fn rendered(&self, source: &str, render: impl FnOnce() -> Rendered) -> Arc<Rendered> {
        {
            let mut inner = self.lock();
            if let Some(hit) = inner.current.get(source) {
                return hit.clone();
            }
            if let Some(hit) = inner.previous.remove(source) {
                inner.current.insert(source.to_owned(), hit.clone());
                return hit;
            }
        }
        let rendered = Arc::new(render());
        self.lock().current.insert(source.to_owned(), rendered.clone());
        rendered
    }

    /// How many texts the cache holds.
    pub fn len(&self) -> usize {
        let inner = self.lock();
        inner.current.len() + inner.previous.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(html: &str) -> Rendered {
        Rendered { html: html.into(), ..Rendered::default() }
    }

    #[test]
    fn renders_each_text_once_until_the_links_change() {
        let cache = RenderCache::new();
        cache.links_are(1);
        assert_eq!(cache.rendered("a", || rendered("A")).html, "A");
        assert_eq!(cache.rendered("a", || panic!("rendered twice")).html, "A");
        cache.links_are(1);
        assert_eq!(cache.rendered("a", || panic!("rendered twice")).html, "A");
        cache.links_are(2);
        assert_eq!(cache.rendered("a", || rendered("A2")).html, "A2");
    }

    #[test]
    fn a_full_pass_drops_what_the_one_before_did_not_use() {
        let cache = RenderCache::new();
        cache.rendered("old", || rendered("1"));
        cache.rendered("kept", || rendered("2"));
        cache.full_pass();
        cache.rendered("kept", || panic!("kept entries survive a pass"));
        assert_eq!(cache.len(), 2);
        cache.full_pass();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.rendered("old", || rendered("again")).html, "again");
    }
}
