//! HTML pages: the template contexts for items, indexes, people and the
//! fixed pages, and their rendering through the theme.

use securebase::{AnyItem, Citation, Collection, Date, Item, ItemRef, Person, PersonKind, Role, Style};
use serde::Serialize;
use tera::Context;

use crate::SiteError;
use crate::escape;
use crate::machine;
use crate::routes::Route;
use crate::site::{Prepared, Site};

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
    pub url: String,
    /// Credentials spelled out: "LCSW (Licensed Clinical Social Worker)".
    pub credentials: String,
    pub bio_html: String,
}

/// The review block of a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReviewBlock {
    /// `not_reviewed`, `approved`, `changed`, `changes_requested`, `overdue`.
    pub state: &'static str,
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
    pub last_updated: Option<String>,
    pub last_updated_text: Option<String>,
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
            state: "not_reviewed",
            label: "Not yet clinically reviewed".into(),
            detail: "No licensed clinician has checked this page yet. It is written from the published research listed under Sources.".into(),
            version: None,
            reviewer: None,
            last_reviewed: None,
            last_reviewed_text: None,
            next_review: None,
            next_review_text: None,
            last_updated: None,
            last_updated_text: None,
            history: Vec::new(),
            banner: None,
            signature: None,
        }
    }
}

fn dated(date: Option<Date>) -> (Option<String>, Option<String>) {
    (date.map(|d| d.to_string()), date.map(date_text))
}

/// "Riley Example, LCSW": the name with the credentials' abbreviations.
fn name_with_credentials(person: &Person) -> String {
    let creds: Vec<&str> = person.credentials.iter().map(|c| c.abbreviation.as_str()).collect();
    if creds.is_empty() { person.name.clone() } else { format!("{}, {}", person.name, creds.join(", ")) }
}

fn reviewer_name(site: &Site<'_>, id: &securebase::PersonId) -> String {
    site.library.person(id).map_or_else(|| id.to_string(), name_with_credentials)
}

/// The review block of an item: derived from its ledger, its text's blob
/// and the build date.
pub(crate) fn review_block(site: &Site<'_>, item: AnyItem<'_>) -> ReviewBlock {
    use securebase::State;
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
    (block.last_updated, block.last_updated_text) = dated(site.git.history.written(&meta.path, &meta.blob));
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
            if review.overdue {
                block.state = "overdue";
                block.label = "Clinical review overdue".into();
                block.detail = format!(
                    "A licensed clinician approved this version, but its regular review was due on {}. It is being scheduled.",
                    block.next_review_text.clone().unwrap_or_default()
                );
            } else {
                block.state = "approved";
                block.label = "Clinically reviewed".into();
                block.detail = "A licensed clinician approved this exact version of the page.".into();
            }
        }
        (State::ChangedSinceApproval, _, Some(latest)) => {
            block.state = "changed";
            block.label = format!("Changed since version {}, not yet reviewed", latest.number);
            block.detail = format!(
                "The text has been edited since a clinician approved version {}. The changes have not been reviewed yet.",
                latest.number
            );
        }
        (State::ChangesRequested, _, _) => {
            block.state = "changes_requested";
            block.label = "Changes requested in clinical review".into();
            block.detail = "A clinical reviewer asked for changes to this text. It has not been approved.".into();
        }
        _ => {}
    }
    if site.edition == crate::Edition::Preview && !matches!(block.state, "approved" | "overdue") {
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

fn collection_intro(c: Collection) -> &'static str {
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

fn kind_title(c: Collection) -> &'static str {
    match c {
        Collection::Styles => "Attachment style",
        Collection::Strategies => "Self-help strategy",
        Collection::Therapies => "Therapy",
        Collection::Guides => "Guide",
    }
}

fn level(l: securebase::Level) -> &'static str {
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
fn credentials_text(person: &Person) -> String {
    person.credentials.iter().map(|c| format!("{} ({})", c.abbreviation, c.meaning)).collect::<Vec<_>>().join(", ")
}

pub(crate) fn person_context(site: &Site<'_>, person: &Person) -> PersonContext {
    PersonContext {
        name: person.name.clone(),
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

fn links<'i, T: securebase::Kind + 'i>(site: &Site<'_>, items: impl Iterator<Item = &'i Item<T>>) -> Vec<Link> {
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
            let k = &style.kind;
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
            context.steps = &strategy.kind.steps;
            context.example_html = md(&strategy.kind.example);
            context.helps_with = links::<Style>(site, library.styles_helped_by(&item.reference()));
        }
        AnyItem::Therapy(therapy) => {
            context.abbreviation = therapy.kind.abbreviation.as_deref();
            context.approach_html = md(&therapy.kind.approach);
            context.what_to_expect_html = md(&therapy.kind.what_to_expect);
            context.helps_with = links::<Style>(site, library.styles_helped_by(&item.reference()));
        }
        AnyItem::Guide(_) => {}
    }
    Prepared { item, context, review: review_block(site, item), text: body.text.clone(), has_code: body.has_code }
}

/// What every page's `page` is.
#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    canonical: String,
    has_code: bool,
    json_ld: Option<String>,
}

/// A main-navigation entry.
#[derive(Serialize)]
struct NavLink {
    title: &'static str,
    url: String,
    current: bool,
}

fn context(
    site: &Site<'_>,
    title: &str,
    description: &str,
    url: &str,
    has_code: bool,
    json_ld: Option<String>,
) -> Context {
    let mut ctx = Context::new();
    let section = url.split('/').nth(1).unwrap_or_default();
    let nav: Vec<NavLink> = Collection::ALL
        .iter()
        .map(|c| NavLink { title: collection_title(*c), url: format!("/{c}/"), current: section == c.as_str() })
        .chain([NavLink { title: "Search", url: "/search/".into(), current: section == "search" }])
        .collect();
    ctx.insert("nav", &nav);
    ctx.insert("page", &PageContext { title, description, url, canonical: site.absolute(url), has_code, json_ld });
    ctx
}

/// Renders an item's page.
pub(crate) fn item_page(site: &Site<'_>, p: &Prepared<'_>) -> Result<String, SiteError> {
    let c = &p.context;
    let json_ld = escape::json_for_script(&machine::json_ld(site, p));
    let mut ctx = context(site, c.title, c.summary, &c.url, p.has_code, Some(json_ld));
    ctx.insert("item", c);
    ctx.insert("review", &p.review);
    site.theme.render(&format!("{}.html", c.kind), &ctx)
}

#[derive(Serialize)]
struct IndexContext {
    name: &'static str,
    title: &'static str,
    intro: &'static str,
    items: Vec<Link>,
}

#[derive(Serialize)]
struct HomeContext {
    overview: Option<Link>,
    styles: Vec<Link>,
    start: Vec<Link>,
}

#[derive(Serialize)]
struct PersonPage {
    name: String,
    credentials: Vec<securebase::Credential>,
    roles: Vec<&'static str>,
    licence: Option<securebase::Licence>,
    bio_html: String,
    items: Vec<Link>,
}

#[derive(Serialize)]
struct EditorialContext {
    policy_html: String,
    interval_days: u32,
    reviewers: Vec<Link>,
    writers: Vec<Link>,
    guide: Option<Link>,
}

/// One approved version on the "What changed" page.
#[derive(Serialize)]
struct ChangeEntry {
    title: String,
    url: String,
    version: VersionEntry,
}

/// One row of the review dashboard, with the diff since its last approved version.
#[derive(Serialize)]
struct QueueEntry<'a> {
    item: String,
    anchor: String,
    title: &'a str,
    url: &'a str,
    review: &'a ReviewBlock,
    latest_version: Option<u32>,
    diff_html: Option<String>,
    readability: &'a securebase::Readability,
    /// The longer of the summary's and the prose's longest sentences.
    longest_sentence: Option<securebase::Sentence>,
}

/// How urgent a review state is on the dashboard (lower first).
fn urgency(state: &str) -> u8 {
    match state {
        "changes_requested" => 0,
        "changed" => 1,
        "overdue" => 2,
        "not_reviewed" => 3,
        _ => 4,
    }
}

/// The review queue, most urgent first, with a highlighted unified diff for
/// each item changed since its last approved version.
fn dashboard<'a>(site: &Site<'_>, prepared: &'a [Prepared<'a>]) -> Vec<QueueEntry<'a>> {
    let mut queue: Vec<QueueEntry<'a>> = prepared
        .iter()
        .map(|p| {
            let r = p.item.reference();
            let diff_html = site.git.approved_texts.get(&r).and_then(|approved| {
                let working = std::fs::read_to_string(site.library.root().join(&p.item.meta().path)).ok()?;
                let latest = p.review.history.first().map_or(0, |v| v.number);
                let diff = similar::TextDiff::from_lines(approved.as_str(), working.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("version {latest} (approved)"), "working text")
                    .to_string();
                Some(crate::highlight::code_block(&diff, "diff"))
            });
            QueueEntry {
                anchor: format!("{}-{}", r.collection, r.slug),
                item: r.to_string(),
                title: p.context.title,
                url: &p.context.url,
                review: &p.review,
                latest_version: p.review.history.first().map(|v| v.number),
                diff_html,
                readability: &p.item.meta().readability,
                longest_sentence: {
                    let r = &p.item.meta().readability;
                    r.summary.longest.into_iter().chain(r.prose.longest).max_by_key(|s| s.words)
                },
            }
        })
        .collect();
    queue.sort_by_key(|q| urgency(q.review.state));
    queue
}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Author => "Author",
        Role::ClinicalReviewer => "Clinical reviewer",
        Role::Editor => "Editor",
    }
}

fn person_link(person: &Person) -> Link {
    let credentials = credentials_text(person);
    Link {
        title: name_with_credentials(person),
        url: Some(Route::Person(person.id.clone()).url()),
        summary: Some(match (person.kind, credentials.is_empty()) {
            (PersonKind::Organisation, _) => "Organisation".to_owned(),
            (_, true) => person.roles.iter().map(|r| role_text(*r)).collect::<Vec<_>>().join(", "),
            (_, false) => credentials,
        }),
    }
}

/// The home page, collection indexes, people pages, the editorial-process
/// page, search and 404.
pub(crate) fn other_pages(site: &Site<'_>, prepared: &[Prepared<'_>]) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let library = site.library;
    let config = library.config();
    let mut files = Vec::new();
    let mut page = |route: Route, template: &str, ctx: Context| -> Result<(), SiteError> {
        files.push((route.file(), site.theme.render(template, &ctx)?.into_bytes()));
        Ok(())
    };

    let guide_link = |slug: &str| library.get::<securebase::Guide>(slug).and_then(|g| link(site, &g.reference()));
    let mut ctx = context(
        site,
        &config.title,
        &config.description,
        "/",
        false,
        Some(escape::json_for_script(&machine::website_json_ld(site))),
    );
    let start: Vec<Link> = library
        .guides()
        .iter()
        .filter_map(|g| link(site, &g.reference()))
        .chain(Collection::ALL[1..3].iter().map(|c| Link {
            title: collection_title(*c).to_owned(),
            url: Some(format!("/{c}/")),
            summary: Some(collection_intro(*c).to_owned()),
        }))
        .collect();
    ctx.insert(
        "home",
        &HomeContext {
            overview: guide_link("understanding-attachment")
                .or_else(|| library.guides().first().and_then(|g| link(site, &g.reference()))),
            styles: links(site, library.styles().iter()),
            start,
        },
    );
    page(Route::Home, "home.html", ctx)?;

    for c in Collection::ALL {
        let route = Route::Collection(c);
        let url = route.url();
        let items: Vec<Link> = prepared
            .iter()
            .filter(|p| p.item.collection() == c)
            .filter_map(|p| link(site, &p.item.reference()))
            .collect();
        let mut ctx = context(site, collection_title(c), collection_intro(c), &url, false, None);
        ctx.insert(
            "collection",
            &IndexContext { name: c.as_str(), title: collection_title(c), intro: collection_intro(c), items },
        );
        page(route, "index.html", ctx)?;
    }

    let people: Vec<Link> = library.people().iter().map(person_link).collect();
    let mut ctx = context(site, "People", "Who writes, reviews and edits this site.", "/people/", false, None);
    ctx.insert("people", &people);
    page(Route::People, "people.html", ctx)?;
    for person in library.people() {
        let route = Route::Person(person.id.clone());
        let mut ctx = context(site, &person.name, &person.name, &route.url(), false, None);
        ctx.insert(
            "person",
            &PersonPage {
                name: person.name.clone(),
                credentials: person.credentials.clone(),
                roles: person.roles.iter().map(|r| role_text(*r)).collect(),
                licence: person.licence.clone(),
                bio_html: site.markdown(&person.bio).html.clone(),
                items: library.written_by(&person.id).filter_map(|i| link(site, &i.reference())).collect(),
            },
        );
        page(route, "person.html", ctx)?;
    }

    let with_role = |role: Role| library.people().iter().filter(move |p| p.has_role(role));
    let mut ctx = context(
        site,
        "How we write and review",
        "How pages on this site are written, clinically reviewed and kept up to date.",
        "/editorial-process/",
        false,
        None,
    );
    ctx.insert(
        "editorial",
        &EditorialContext {
            policy_html: site.markdown(&config.review.policy).html.clone(),
            interval_days: config.review.interval_days,
            reviewers: with_role(Role::ClinicalReviewer).map(person_link).collect(),
            writers: library
                .people()
                .iter()
                .filter(|p| p.has_role(Role::Author) || p.has_role(Role::Editor))
                .map(person_link)
                .collect(),
            guide: guide_link("how-we-write-and-review"),
        },
    );
    page(Route::Editorial, "editorial.html", ctx)?;

    let changes: Vec<ChangeEntry> = machine::approved_versions(prepared)
        .into_iter()
        .map(|(p, v)| ChangeEntry { title: p.context.title.to_owned(), url: p.context.url.clone(), version: v.clone() })
        .collect();
    let mut ctx = context(
        site,
        "What changed",
        "Every clinically approved version of every page, newest first.",
        "/changes/",
        false,
        None,
    );
    ctx.insert("changes", &changes);
    page(Route::Changes, "changes.html", ctx)?;

    if site.edition == crate::Edition::Preview {
        let queue = dashboard(site, prepared);
        let has_diffs = queue.iter().any(|q| q.diff_html.is_some());
        let description = "The review queue and what changed since each approved version.";
        let mut ctx = context(site, "Review dashboard", description, "/review/", has_diffs, None);
        ctx.insert("queue", &queue);
        ctx.insert("limits", &site.library.config().readability);
        page(Route::Dashboard, "dashboard.html", ctx)?;
    }

    page(
        Route::Search,
        "search.html",
        context(site, "Search", "Search every page of the site.", "/search/", false, None),
    )?;
    page(
        Route::NotFound,
        "404.html",
        context(site, "Page not found", "This page could not be found.", "/404.html", false, None),
    )?;
    Ok(files)
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
