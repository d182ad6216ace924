//! HTML pages: items, indexes, people and the fixed pages, rendered through
//! the theme from the template contexts.

use securebase::{Collection, Person, PersonKind, Role, State};
use serde::Serialize;
use tera::Context;

use crate::SiteError;
use crate::context::*;
use crate::escape;
use crate::machine;
use crate::routes::Route;
use crate::site::Site;

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
    /// The SHA-256 fingerprints of the keys the person signs reviews with:
    /// for auditors, who check a record's signature against them.
    keys: Vec<String>,
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
    /// `None` when `site.toml` turns the measuring off.
    readability: Option<&'a securebase::Readability>,
    /// The longer of the summary's and the prose's longest sentences.
    longest_sentence: Option<securebase::Sentence>,
}

/// How urgent a review is on the dashboard (lower first).
fn urgency(review: &ReviewBlock) -> u8 {
    match (review.state, review.overdue) {
        (State::ChangesRequested, _) => 0,
        (State::ChangedSinceApproval, _) => 1,
        (_, true) => 2,
        (State::NeverReviewed, _) => 3,
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
                readability: p.item.meta().readability.as_ref(),
                longest_sentence: p
                    .item
                    .meta()
                    .readability
                    .as_ref()
                    .and_then(|r| r.summary.longest.into_iter().chain(r.prose.longest).max_by_key(|s| s.words)),
            }
        })
        .collect();
    queue.sort_by_key(|q| urgency(q.review));
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
                keys: person.signing_keys.iter().map(|k| k.key.fingerprint()).collect(),
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
