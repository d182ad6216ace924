//! Markdown to safe HTML: pulldown-cmark with the extensions editors expect,
//! heading anchors and a table of contents, highlighted code, links checked
//! against the published site, and ammonia over the result.

use std::collections::BTreeSet;

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::highlight;

/// One heading of a page, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`, ...
    pub level: u8,
    /// The anchor id.
    pub id: String,
    /// The heading's text.
    pub text: String,
}

/// Rendered Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Headings of level 2 and 3, in order.
    pub toc: Vec<TocEntry>,
    /// Whether a code block was highlighted (the page needs the highlight stylesheet).
    pub has_code: bool,
    /// The plain text, for the search index.
    pub text: String,
}

// Link schemes that may appear in output; everything else (`javascript:`,
// `data:`, `vbscript:`, `file:` ...) is removed, keeping the link's text.
use securebase::SAFE_SCHEMES;

/// Ids the templates use, which headings must not take.
const RESERVED_IDS: &[&str] = &["main", "search-input", "search-status", "search-results"];

/// The scheme-like prefix that marks a site path a Markdown link was checked
/// against the published pages; the sanitiser removes it.
const CHECKED: &str = "securebase-checked:";

/// The sanitiser: ammonia's defaults plus heading ids, classes and task-list
/// checkboxes; images only from this site; site paths only when the
/// Markdown pass checked them (raw HTML links to the site are unlinked,
/// since they may point at pages the edition withholds).
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    let mut schemes: std::collections::HashSet<&str> = SAFE_SCHEMES.iter().copied().collect();
    schemes.insert(CHECKED.trim_end_matches(':'));
    builder
        .add_generic_attributes(["id", "class"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .url_schemes(schemes)
        .link_rel(None)
        .attribute_filter(|element, attribute, value| {
            // Images and media load without a click: only from this site.
            let loads =
                matches!(attribute, "src" | "srcset" | "poster") || (element == "img" && attribute == "longdesc");
            if loads && (value.contains(':') || value.trim_start().starts_with("//")) {
                return None;
            }
            if attribute != "href" {
                return Some(value.into());
            }
            match value.strip_prefix(CHECKED) {
                Some(path) => Some(path.to_owned().into()),
                None if value.starts_with('#') || value.contains(':') => Some(value.into()),
                None => None,
            }
        });
    builder
});

/// Whether `url` uses a scheme that is safe to publish (or none at all).
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            SAFE_SCHEMES.contains(&scheme.as_str())
        }
        _ => true,
    }
}

/// Whether a link may stay: a fragment on the same page, or a safe URL that
/// `link_ok` accepts.
fn link_allowed(url: &str, link_ok: &(dyn Fn(&str) -> bool + Sync)) -> bool {
    url.starts_with('#') || (is_safe_url(url) && link_ok(url))
}

/// Renders `markdown`. `link_ok` is asked about every link but same-page
/// fragments, whether written in Markdown or raw HTML, in a heading or not;
/// a link it refuses becomes plain text, so a page never links to one that
/// is not published (or, for the caller to decide, to a relative path).
pub fn render(markdown: &str, link_ok: &(dyn Fn(&str) -> bool + Sync)) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out = Rendered::default();
    let mut ids: BTreeSet<String> = RESERVED_IDS.iter().map(|s| (*s).to_owned()).collect();
    let mut events: Vec<Event<'_>> = Vec::new();
    let parsed: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    // Pulldown-cmark escapes everything but raw HTML, and links, images and
    // heading ids are checked here; only raw HTML needs the sanitiser.
    let raw_html = parsed.iter().any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut source = local_images(checked_links(parsed.into_iter(), link_ok, raw_html)).into_iter();
    while let Some(event) = source.next() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let inner: Vec<Event<'_>> =
                    source.by_ref().take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_)))).collect();
                let text = plain_text(&inner);
                let id = unique_id(id.map(|i| slugify(&i)).unwrap_or_else(|| slugify(&text)), &mut ids);
                let n = heading_number(level);
                if (2..=3).contains(&n) {
                    out.toc.push(TocEntry { level: n, id: id.clone(), text: text.clone() });
                }
                push_text(&mut out.text, &text);
                events.push(Event::Html(format!("<h{n} id=\"{id}\">").into()));
                events.extend(inner);
                events.push(Event::Html(format!("</h{n}>\n").into()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let code: String = source
                    .by_ref()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::CodeBlock)))
                    .filter_map(|e| if let Event::Text(t) = e { Some(t.into_string()) } else { None })
                    .collect();
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or_default().to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                out.has_code = true;
                push_text(&mut out.text, &code);
                events.push(Event::Html(highlight::code_block(&code, &lang).into()));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                push_text(&mut out.text, t);
                events.push(event);
            }
            other => events.push(other),
        }
    }
    out.text = out.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, events.into_iter());
    // Table alignment as classes: the Content-Security-Policy forbids inline styles.
    for align in ["left", "center", "right"] {
        html = html.replace(&format!(" style=\"text-align: {align}\""), &format!(" class=\"align-{align}\""));
    }
    out.html = if raw_html { SANITIZER.clean(&html).to_string() } else { html };
    out
}

/// The events with every image that is not a site path replaced by its
/// alt text, wherever it is (a paragraph, a heading, a link, a table): an
/// image loads without a click, so one from another host would tell it of
/// the reader's visit, and one with a script scheme has no place in a page.
fn local_images(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let local = |url: &str| url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Image { ref dest_url, .. }) if !local(dest_url) => {
                let mut depth = 1;
                let alt: Vec<Event<'_>> = events
                    .by_ref()
                    .take_while(|e| {
                        match e {
                            Event::Start(Tag::Image { .. }) => depth += 1,
                            Event::End(TagEnd::Image) => depth -= 1,
                            _ => {}
                        }
                        depth > 0
                    })
                    .collect();
                out.push(Event::Text(plain_text(&alt).into()));
            }
            other => out.push(other),
        }
    }
    out
}

/// The events with every Markdown link checked: a refused link becomes a
/// `<span class="unlinked">` around its text. With `mark` (the text has raw
/// HTML, so the sanitiser will run), an accepted site path is marked with
/// [`CHECKED`] so that the sanitiser can tell it from a link written in raw
/// HTML, which it cannot check and so unlinks.
fn checked_links<'e>(
    events: impl Iterator<Item = Event<'e>>,
    link_ok: &(dyn Fn(&str) -> bool + Sync),
    mark: bool,
) -> Vec<Event<'e>> {
    let mut out = Vec::new();
    let mut open: Vec<bool> = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let allowed = link_allowed(&dest_url, link_ok);
                open.push(allowed);
                if !allowed {
                    out.push(Event::Html("<span class=\"unlinked\">".into()));
                } else if mark && dest_url.starts_with('/') {
                    let dest_url = format!("{CHECKED}{dest_url}").into();
                    out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                } else {
                    out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Link) => match open.pop() {
                Some(false) => out.push(Event::Html("</span>".into())),
                _ => out.push(Event::End(TagEnd::Link)),
            },
            other => out.push(other),
        }
    }
    out
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn plain_text(events: &[Event<'_>]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            Event::SoftBreak | Event::HardBreak => Some(" "),
            _ => None,
        })
        .collect()
}

fn push_text(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// A URL fragment from heading text: lowercase letters and digits joined by hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "section".to_owned() } else { slug.to_owned() }
}

fn unique_id(base: String, ids: &mut BTreeSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    ids.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &str) -> bool {
        true
    }

    #[test]
    fn text_without_raw_html_is_safe_without_the_sanitiser() {
        let r = render("| a | b |\n|:-|-:|\n| <x | \"q\" & y |\n\n[l](/ok/ \"t\\\" onmouseover=\\\"x\")", &all);
        assert!(r.html.contains("class=\"align-left\"") && !r.html.contains("style="), "{}", r.html);
        assert!(r.html.contains("&lt;x") && r.html.contains("&amp; y"), "{}", r.html);
        assert!(!r.html.contains("\" onmouseover"), "{}", r.html);
    }

    #[test]
    fn fuzz_found_raw_html_with_link_text_stays_inert() {
        // From the markdown fuzz target: an HTML block swallowing Markdown,
        // with `href="JaVaScRiPt:x"` left as (escaped) text.
        let input = format!(
            "<sCript>alert(1)</script> [x](javascript:a{}  <a href=\"JaVaScRiPt:x\">y</a> ![t](https://tracker.example/p.gif)",
            "<".repeat(80)
        );
        let r = render(&input, &all);
        let lower = r.html.to_lowercase();
        assert!(!lower.contains("<script"), "{}", r.html);
        for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
            assert!(!tag.contains("javascript:") && !tag.contains("src=\"http"), "<{tag}> in {}", r.html);
        }
    }

    #[test]
    fn links_in_headings_and_raw_html_are_checked_too() {
        let published = |url: &str| url == "/styles/secure/" || url.starts_with("https:");
        let r = render(
            "## See [avoidant](/styles/avoidant/) and [secure](/styles/secure/)\n\n<a href=\"/styles/secure/\">raw</a> <a href=\"https://example.org/\">out</a> [rel](relative/page)",
            &published,
        );
        assert!(!r.html.contains("/styles/avoidant/"), "{}", r.html);
        assert!(r.html.contains("<a href=\"/styles/secure/\">secure</a>"), "{}", r.html);
        assert!(!r.html.contains("href=\"/styles/secure/\">raw"), "raw HTML site links are unlinked: {}", r.html);
        assert!(r.html.contains("href=\"https://example.org/\""), "{}", r.html);
        assert!(!r.html.contains("relative/page"), "{}", r.html);
        assert!(!r.html.contains(CHECKED), "{}", r.html);
    }

    #[test]
    fn headings_get_unique_anchors_and_a_toc() {
        let r = render("## What it is\n\ntext\n\n## What it is\n\n### Main\n", &all);
        assert!(r.html.contains("<h2 id=\"what-it-is\">What it is</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"what-it-is-2\">"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"main-2\">"), "{}", r.html);
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["what-it-is", "what-it-is-2", "main-2"]);
    }

    #[test]
    fn explicit_heading_ids_are_kept() {
        let r = render("## Steps {#first-steps}\n", &all);
        assert!(r.html.contains("<h2 id=\"first-steps\">Steps</h2>"), "{}", r.html);
    }

    #[test]
    fn extensions_are_on() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\"\n\n- [x] done\n\nNote[^1]\n\n[^1]: A footnote.\n",
            &all,
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>old</del>"), "{}", r.html);
        assert!(r.html.contains("\u{201c}quoted\u{201d}"), "{}", r.html);
        assert!(r.html.contains("type=\"checkbox\""), "{}", r.html);
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
    }

    #[test]
    fn raw_html_is_sanitised() {
        let r = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\">x</a>\n",
            &all,
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn unsafe_and_unpublished_links_become_text() {
        let published = |url: &str| url == "/styles/secure/" || url.starts_with("https:");
        let md = "[a](javascript:alert(1)) [b](<JaVa\tScRiPt:x>) [c](data:text/html,x) [d](vbscript:x) [e](/styles/secure/) [f](/styles/avoidant/) [g](https://example.org/)";
        let r = render(md, &published);
        for bad in ["javascript", "JaVa", "data:", "vbscript", "/styles/avoidant/"] {
            assert!(!r.html.contains(&format!("href=\"{bad}")), "{bad} in {}", r.html);
        }
        assert!(r.html.contains("href=\"/styles/secure/\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://example.org/\""), "{}", r.html);
        assert!(r.html.contains(">f</span>"), "{}", r.html);
    }

    #[test]
    fn images_from_other_hosts_keep_only_their_alt_text() {
        let r = render(
            "![a tracker](https://tracker.example/p.gif) ![local](/assets/icon.svg) <img src=\"//tracker.example/q.gif\"> <img src=\"https://tracker.example/r.gif\">",
            &all,
        );
        assert!(!r.html.contains("tracker.example"), "{}", r.html);
        assert!(r.html.contains("a tracker"), "{}", r.html);
        assert!(r.html.contains("src=\"/assets/icon.svg\""), "{}", r.html);
    }

    #[test]
    fn images_in_headings_links_and_tables_are_held_to_the_same_rule() {
        // A fuzz-found case: an image with a script scheme inside a heading.
        let r = render(
            "## A ![x](javascript:alert(2)) b\n\n[![y](https://tracker.example/a.gif)](/styles/a/)\n\n| c |\n|---|\n| ![z](/\\tracker.example/b.gif) |\n",
            &all,
        );
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(!r.html.contains("javascript:") && !r.html.contains("tracker.example"), "{}", r.html);
        assert!(r.html.contains(">A x b</h2>") && r.html.contains('y') && r.html.contains('z'), "{}", r.html);
    }

    #[test]
    fn code_is_highlighted_into_classes() {
        let r = render("```rust\nfn main() {}\n```\n", &all);
        assert!(r.has_code);
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
        assert!(!r.html.contains("style="), "{}", r.html);
    }

    #[test]
    fn plain_text_collects_words_for_search() {
        let r = render("## Title\n\nSome *emphasis* and `code`.", &all);
        assert_eq!(r.text, "Title Some emphasis and code .");
    }
}
