//! Template contexts: each item prepared once (its Markdown rendered, its
//! review block built from the library's review state), links, people and
//! citations, shared by the pages and the machine outputs.

use securebase::{AnyItem, Citation, Collection, Date, Item, ItemRef, Person, State, Style};
use serde::Serialize;

use crate::escape;
use crate::routes::Route;
use crate::site::Site;

/// A link to a page, or the title alone when the page is not published.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub title: String,
    pub url: Option<String>,
    pub summary: Option<String>,
}

/// The author or reviewer shown on a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PersonContext {
    pub name: String,
    /// The name with the credentials' abbreviations: "Riley Example, LCSW".
    pub short: String,
    pub url: String,
    /// Credentials spelled out: "LCSW (Licensed Clinical Social Worker)".
    pub credentials: String,
    pub bio_html: String,
}

/// The review block of a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReviewBlock {
    /// The state of the text this page shows, in the library's one
    /// vocabulary (`approved`, `changed_since_approval`, `changes_requested`,
    /// `never_reviewed`): in production, always the approved version's.
    pub state: State,
    /// Whether the shown version's regular review is overdue.
    pub overdue: bool,
    /// The heading: "Not yet clinically reviewed".
    pub label: String,
    /// One honest sentence about what the state means.
    pub detail: String,
    pub version: Option<u32>,
    pub reviewer: Option<PersonContext>,
    pub last_reviewed: Option<String>,
    pub last_reviewed_text: Option<String>,
    pub next_review: Option<String>,
    pub next_review_text: Option<String>,
    /// When the item was first published: the date of the first signed
    /// approval in its ledger (a writer's `created` and git's commit dates
    /// are claims anyone who commits can make).
    pub first_published: Option<String>,
    pub first_published_text: Option<String>,
    /// In preview only, the date of the commit that first held the shown
    /// text: git's date, which whoever commits writes, so production never
    /// shows it.
    pub last_edited: Option<String>,
    pub last_edited_text: Option<String>,
    /// Every approved version, newest first.
    pub history: Vec<VersionEntry>,
    /// In preview, the warning shown at the top of a page whose text is not
    /// an approved version.
    pub banner: Option<String>,
    /// The signature on the latest approval, when there is one.
    pub signature: Option<SignatureContext>,
}

/// Who signed an approval, and against what the signature was checked.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SignatureContext {
    /// Whether the signature verified (a library holds no record that does
    /// not, so this is true wherever a signature is shown).
    pub verified: bool,
    /// The signing key's SHA-256 fingerprint.
    pub signer: String,
    /// `trust_root` in the production edition (the deployment's trust root
    /// and the approved people files), `people_files` in the preview.
    pub checked_against: &'static str,
}

/// One approved version in a page's history.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct VersionEntry {
    pub number: u32,
    pub date: String,
    pub date_text: String,
    pub reviewer: String,
    pub summary: String,
}

impl ReviewBlock {
    /// The block for an item no clinician has approved.
    pub fn not_reviewed() -> Self {
        ReviewBlock {
            state: State::NeverReviewed,
            overdue: false,
            label: State::NeverReviewed.label().into(),
            detail: "No licensed clinician has checked this page yet. It is written from the published research listed under Sources.".into(),
            version: None,
            reviewer: None,
            last_reviewed: None,
            last_reviewed_text: None,
            next_review: None,
            next_review_text: None,
            first_published: None,
            first_published_text: None,
            last_edited: None,
            last_edited_text: None,
            history: Vec::new(),
            banner: None,
            signature: None,
        }
    }
}

pub(crate) fn dated(date: Option<Date>) -> (Option<String>, Option<String>) {
    (date.map(|d| d.to_string()), date.map(date_text))
}

/// "Riley Example, LCSW": the name with the credentials' abbreviations.
pub(crate) fn name_with_credentials(person: &Person) -> String {
    let creds: Vec<&str> = person.credentials.iter().map(|c| c.abbreviation.as_str()).collect();
    if creds.is_empty() { person.name.clone() } else { format!("{}, {}", person.name, creds.join(", ")) }
}

pub(crate) fn reviewer_name(site: &Site<'_>, id: &securebase::PersonId) -> String {
    site.library.person(id).map_or_else(|| id.to_string(), name_with_credentials)
}

/// The review block of an item: derived from its ledger, its text's blob
/// and the build date.
pub(crate) fn review_block(site: &Site<'_>, item: AnyItem<'_>) -> ReviewBlock {
    let meta = item.meta();
    let Some(review) = site.library.review(&item.reference(), site.today) else { return ReviewBlock::not_reviewed() };
    let mut block = ReviewBlock::not_reviewed();
    block.history = review
        .versions
        .iter()
        .rev()
        .map(|v| VersionEntry {
            number: v.number,
            date: v.approval.date.to_string(),
            date_text: date_text(v.approval.date),
            reviewer: reviewer_name(site, &v.approval.reviewer),
            summary: v.approval.summary.clone().unwrap_or_default(),
        })
        .collect();
    (block.first_published, block.first_published_text) = dated(review.versions.first().map(|v| v.approval.date));
    if site.edition == crate::Edition::Preview {
        (block.last_edited, block.last_edited_text) = dated(site.git.history.written(&meta.path, &meta.blob));
    }
    (block.last_reviewed, block.last_reviewed_text) = dated(review.last_reviewed);
    (block.next_review, block.next_review_text) = dated(review.next_review_due);
    let checked_against = if site.library.trust_root().is_some() { "trust_root" } else { "people_files" };
    block.signature =
        review.latest().map(|v| SignatureContext { verified: true, signer: v.signer.clone(), checked_against });
    match (review.state, review.current_version(), review.latest()) {
        // Production publishes only approved versions, so its text is one
        // even when a later change request is open.
        (state, Some(version), _) if state == State::Approved || site.edition == crate::Edition::Production => {
            block.version = Some(version.number);
            block.reviewer = site.library.person(&version.last_approval.reviewer).map(|p| person_context(site, p));
            (block.last_reviewed, block.last_reviewed_text) = dated(Some(version.last_approval.date));
            block.state = State::Approved;
            block.overdue = review.overdue;
            if review.overdue {
                block.label = "Clinical review overdue".into();
                block.detail = format!(
                    "A licensed clinician approved this version, but its regular review was due on {}. It is being scheduled.",
                    block.next_review_text.clone().unwrap_or_default()
                );
            } else {
                block.label = State::Approved.label().into();
                block.detail = "A licensed clinician approved this exact version of the page.".into();
            }
        }
        (State::ChangedSinceApproval, _, Some(latest)) => {
            block.state = State::ChangedSinceApproval;
            block.label = format!("Changed since version {}, not yet reviewed", latest.number);
            block.detail = format!(
                "The text has been edited since a clinician approved version {}. The changes have not been reviewed yet.",
                latest.number
            );
        }
        (State::ChangesRequested, _, _) => {
            block.state = State::ChangesRequested;
            block.label = State::ChangesRequested.label().into();
            block.detail = "A clinical reviewer asked for changes to this text. It has not been approved.".into();
        }
        _ => {}
    }
    if site.edition == crate::Edition::Preview && block.state != State::Approved {
        block.banner = Some(block.label.clone());
    }
    block
}

/// Everything an item template sees as `item`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemContext<'a> {
    pub collection: &'static str,
    pub collection_title: &'static str,
    pub kind: &'static str,
    pub kind_title: &'static str,
    pub slug: &'a str,
    pub url: String,
    pub title: &'a str,
    pub summary: &'a str,
    pub key_takeaways: &'a [String],
    pub created: String,
    pub created_text: String,
    pub body_html: String,
    pub toc: Vec<crate::markdown::TocEntry>,
    pub related: Vec<Link>,
    pub sources: Vec<String>,
    pub author: Option<PersonContext>,
    // Styles.
    pub also_known_as: &'a [String],
    pub security: Option<&'static str>,
    pub dimensions: Option<Dimensions>,
    pub signs: &'a [String],
    pub origins_html: Option<String>,
    pub in_relationships_html: Option<String>,
    pub strategies: Vec<Link>,
    pub therapies: Vec<Link>,
    // Strategies.
    pub steps: &'a [String],
    pub example_html: Option<String>,
    // Therapies.
    pub abbreviation: Option<&'a str>,
    pub approach_html: Option<String>,
    pub what_to_expect_html: Option<String>,
    // Strategies and therapies.
    pub helps_with: Vec<Link>,
}

/// A style's two dimensions in words.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dimensions {
    pub anxiety: &'static str,
    pub avoidance: &'static str,
}

/// The heading of a collection's index page.
pub(crate) fn collection_title(c: Collection) -> &'static str {
    match c {
        Collection::Styles => "Attachment styles",
        Collection::Strategies => "Self-help strategies",
        Collection::Therapies => "Therapies",
        Collection::Guides => "Guides",
    }
}

pub(crate) fn collection_intro(c: Collection) -> &'static str {
    match c {
        Collection::Styles => {
            "The secure style and the three insecure ones: how each shows up in adult relationships, and where it often comes from."
        }
        Collection::Strategies => {
            "Things you can practise on your own or with people you trust, each with steps and an everyday example."
        }
        Collection::Therapies => {
            "Therapies that can help with insecure attachment, what each one does, and what sessions are like."
        }
        Collection::Guides => {
            "Longer reads: an overview of attachment, how to start therapy, and how this site is written and reviewed."
        }
    }
}

pub(crate) fn kind_title(c: Collection) -> &'static str {
    match c {
        Collection::Styles => "Attachment style",
        Collection::Strategies => "Self-help strategy",
        Collection::Therapies => "Therapy",
        Collection::Guides => "Guide",
    }
}

pub(crate) fn level(l: securebase::Level) -> &'static str {
    match l {
        securebase::Level::Low => "low",
        securebase::Level::High => "high",
    }
}

/// "November 28, 2026".
pub(crate) fn date_text(date: Date) -> String {
    date.strftime("%B %-d, %Y").to_string()
}

/// "LCSW (Licensed Clinical Social Worker), NCC (National Certified Counselor)".
pub(crate) fn credentials_text(person: &Person) -> String {
    person.credentials.iter().map(|c| format!("{} ({})", c.abbreviation, c.meaning)).collect::<Vec<_>>().join(", ")
}

pub(crate) fn person_context(site: &Site<'_>, person: &Person) -> PersonContext {
    PersonContext {
        name: person.name.clone(),
        short: name_with_credentials(person),
        url: Route::Person(person.id.clone()).url(),
        credentials: credentials_text(person),
        bio_html: site.markdown(&person.bio).html.clone(),
    }
}

/// A link to the item `r`; `None` when this edition withholds it (its
/// title is unapproved text too).
pub(crate) fn link(site: &Site<'_>, r: &ItemRef) -> Option<Link> {
    let item = site.library.item(r)?;
    let url = Route::Item(r.clone()).url();
    Some(Link {
        title: item.meta().title.clone(),
        url: site.is_published(&url).then_some(url),
        summary: Some(item.meta().summary.clone()),
    })
}

pub(crate) fn links<'i, T: securebase::Kind + 'i>(
    site: &Site<'_>,
    items: impl Iterator<Item = &'i Item<T>>,
) -> Vec<Link> {
    items.filter_map(|i| link(site, &i.reference())).collect()
}

/// A citation in APA style, as HTML.
pub(crate) fn citation_html(c: &Citation) -> String {
    let authors = match c.authors.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, & {last}", rest.join(", ")),
    };
    let e = escape::html;
    let mut html = format!("{} ({}). ", e(&authors), c.year);
    let edition = c.edition.as_deref().map(|ed| format!(" ({} ed.)", e(ed))).unwrap_or_default();
    if let Some(journal) = &c.journal {
        html.push_str(&format!("{}. <cite>{}</cite>", e(&c.title), e(journal)));
        if let Some(volume) = &c.volume {
            html.push_str(&format!(", <i>{}</i>", e(volume)));
            if let Some(issue) = &c.issue {
                html.push_str(&format!("({})", e(issue)));
            }
        }
        if let Some(pages) = &c.pages {
            html.push_str(&format!(", {}", e(pages)));
        }
        html.push('.');
    } else if let Some(book) = &c.book {
        html.push_str(&format!("{}. In <cite>{}</cite>{edition}.", e(&c.title), e(book)));
    } else {
        html.push_str(&format!("<cite>{}</cite>{edition}.", e(&c.title)));
    }
    if let (None, Some(publisher)) = (&c.journal, &c.publisher) {
        html.push_str(&format!(" {}.", e(publisher)));
    }
    let href = c.doi.as_deref().map(|doi| format!("https://doi.org/{doi}")).or_else(|| c.url.clone());
    if let Some(href) = href.filter(|h| crate::markdown::is_safe_url(h) && h.starts_with("http")) {
        html.push_str(&format!(" <a href=\"{0}\">{0}</a>", e(&href)));
    }
    html
}

/// Renders an item's Markdown and builds its template context.
pub(crate) fn prepare<'a>(site: &Site<'a>, item: AnyItem<'a>) -> Prepared<'a> {
    let meta = item.meta();
    let collection = item.collection();
    let body = site.markdown(&meta.body);
    let md = |s: &str| Some(site.markdown(s).html.clone());
    let mut context = ItemContext {
        collection: collection.as_str(),
        collection_title: collection_title(collection),
        kind: match collection {
            Collection::Styles => "style",
            Collection::Strategies => "strategy",
            Collection::Therapies => "therapy",
            Collection::Guides => "guide",
        },
        kind_title: kind_title(collection),
        slug: meta.slug.as_str(),
        url: Route::Item(item.reference()).url(),
        title: &meta.title,
        summary: &meta.summary,
        key_takeaways: &meta.key_takeaways,
        created: meta.created.to_string(),
        created_text: date_text(meta.created),
        body_html: body.html.clone(),
        toc: if collection == Collection::Guides { body.toc.clone() } else { Vec::new() },
        related: meta.related.iter().filter_map(|r| link(site, r)).collect(),
        sources: meta.sources.iter().map(citation_html).collect(),
        author: site.library.person(&meta.author).map(|p| person_context(site, p)),
        also_known_as: &[],
        security: None,
        dimensions: None,
        signs: &[],
        origins_html: None,
        in_relationships_html: None,
        strategies: Vec::new(),
        therapies: Vec::new(),
        steps: &[],
        example_html: None,
        abbreviation: None,
        approach_html: None,
        what_to_expect_html: None,
        helps_with: Vec::new(),
    };
    let library = site.library;
    match item {
        AnyItem::Style(style) => {
            let k = &style.fields;
            context.also_known_as = &k.also_known_as;
            context.security = Some(match k.security {
                securebase::Security::Secure => "secure",
                securebase::Security::Insecure => "insecure",
            });
            context.dimensions =
                Some(Dimensions { anxiety: level(k.dimensions.anxiety), avoidance: level(k.dimensions.avoidance) });
            context.signs = &k.signs;
            context.origins_html = md(&k.origins);
            context.in_relationships_html = md(&k.in_relationships);
            context.strategies = links(site, library.strategies_for(style));
            context.therapies = links(site, library.therapies_for(style));
        }
        AnyItem::Strategy(strategy) => {
            context.steps = &strategy.fields.steps;
            context.example_html = md(&strategy.fields.example);
            context.helps_with = links::<Style>(site, library.styles_helped_by(&item.reference()));
        }
        AnyItem::Therapy(therapy) => {
            context.abbreviation = therapy.fields.abbreviation.as_deref();
            context.approach_html = md(&therapy.fields.approach);
            context.what_to_expect_html = md(&therapy.fields.what_to_expect);
            context.helps_with = links::<Style>(site, library.styles_helped_by(&item.reference()));
        }
        AnyItem::Guide(_) => {}
    }
    Prepared { item, context, review: review_block(site, item), text: body.text.clone(), has_code: body.has_code }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_follow_apa_and_escape() {
        let article: Citation = serde_json::from_value(serde_json::json!({
            "authors": ["Hazan, C.", "Shaver, P."], "year": 1987, "title": "Romantic <love>", "journal": "J",
            "volume": "52", "issue": "3", "pages": "511-524", "doi": "10.1037/x"
        }))
        .unwrap();
        assert_eq!(
            citation_html(&article),
            "Hazan, C., &amp; Shaver, P. (1987). Romantic &lt;love&gt;. <cite>J</cite>, <i>52</i>(3), 511-524. <a href=\"https://doi.org/10.1037/x\">https://doi.org/10.1037/x</a>"
        );
        let book: Citation = serde_json::from_value(serde_json::json!({
            "authors": ["Bowlby, J."], "year": 1969, "title": "Attachment", "publisher": "Basic Books", "edition": "2nd"
        }))
        .unwrap();
        assert_eq!(citation_html(&book), "Bowlby, J. (1969). <cite>Attachment</cite> (2nd ed.). Basic Books.");
        let hostile: Citation = serde_json::from_value(serde_json::json!({
            "authors": ["A"], "year": 2000, "title": "T", "publisher": "P", "url": "javascript:alert(1)"
        }))
        .unwrap();
        assert!(!citation_html(&hostile).contains("javascript"));
    }
}
