//! The desk's pages, as HTML: sign in, enrol, the queue and the review of
//! one subject. Every value from content is escaped; the rendered body
//! comes from the site's Markdown renderer, which sanitises it.

use securebase::{BlobId, Decision, PersonId, State, Subject, latest_approval};
use securebase_site::escape::html;

use crate::desk::{Desk, Snapshot};
use crate::diff;

/// A whole page: `title`, the signed-in person (if any), and `main`.
pub fn layout(title: &str, person: Option<&str>, main: &str) -> String {
    let nav = match person {
        Some(who) => format!(
            "<nav aria-label=\"Desk\"><a href=\"/\">Queue</a><span class=\"who\">Signed in as {}</span><form method=\"post\" action=\"/sign-out\"><button type=\"submit\">Sign out</button></form></nav>",
            html(who)
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · securebase review desk</title>\n<link rel=\"icon\" href=\"/desk/icon.svg\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"/desk/desk.css\">\n<script src=\"/desk/desk.js\" defer></script>\n</head>\n<body>\n<header class=\"bar\"><p class=\"brand\">securebase review desk</p>{nav}</header>\n<main id=\"main\">\n{main}\n</main>\n</body>\n</html>\n",
        html(title)
    )
}

/// Where the outcome of a ceremony is announced.
const STATUS: &str = "<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>";

/// The sign-in page.
pub fn sign_in() -> String {
    layout(
        "Sign in",
        None,
        &format!(
            "<h1>Sign in</h1>\n<p>Sign in with the passkey you registered here: your fingerprint, face, device PIN or security key.</p>\n<button type=\"button\" id=\"sign-in\" class=\"primary\">Sign in with a passkey</button>\n{STATUS}"
        ),
    )
}

/// The enrolment page of an invitation for `name` (`person`).
pub fn enrol(secret: &str, person: &PersonId, name: &str) -> String {
    layout(
        "Register your passkey",
        None,
        &format!(
            "<h1>Register your passkey</h1>\n<p>This invitation is for <strong>{}</strong> ({}). Registering makes a passkey on this device (or your phone or security key) that signs your reviews. Nobody, not even this desk, can sign with it but you.</p>\n<p>Your passkey counts once an editor approves the change to your people file that lists it.</p>\n<button type=\"button\" id=\"enrol\" class=\"primary\" data-invitation=\"{}\">Register a passkey</button>\n{STATUS}\n<pre id=\"key-line\" class=\"key-line\" hidden></pre>",
            html(name),
            html(person.as_str()),
            html(secret)
        ),
    )
}

/// A page that says what went wrong.
pub fn problem(title: &str, message: &str, person: Option<&str>) -> String {
    layout(title, person, &format!("<h1>{}</h1>\n<p class=\"problem\">{}</p>", html(title), html(message)))
}

/// One row of the queue.
struct Row {
    subject: Subject,
    title: String,
    state: String,
    age: String,
    author: String,
    grade: String,
}

/// The queue for `person`: items waiting for a clinician (never reviewed,
/// changed since approval, changes requested, overdue) if they are one,
/// and the people files, `site` and the theme waiting for an editor if
/// they are one.
pub fn queue(desk: &Desk, snapshot: &Snapshot, person: &PersonId) -> String {
    let library = &snapshot.library;
    let today = desk.today();
    let age = |path: &std::path::Path, blob: &BlobId| {
        snapshot.history.written(path, blob).map_or_else(
            || "-".to_owned(),
            |d| {
                let days = (today - d).get_days();
                if days == 1 { "1 day".to_owned() } else { format!("{days} days") }
            },
        )
    };
    let mut sections = String::new();
    if Desk::is_reviewer(snapshot, person) {
        let rows: Vec<Row> = library
            .reviews(today)
            .filter(|r| r.state != State::Approved || r.overdue)
            .filter_map(|r| {
                let item = library.item(&r.item)?;
                let meta = item.meta();
                let author = library.person(&meta.author).map_or_else(|| meta.author.to_string(), |p| p.name.clone());
                let grade =
                    meta.readability.as_ref().map_or_else(|| "-".to_owned(), |f| format!("{:.1}", f.prose.grade()));
                Some(Row {
                    subject: Subject::Item(r.item.clone()),
                    title: meta.title.clone(),
                    state: r.state_text(),
                    age: age(&meta.path, &meta.blob),
                    author,
                    grade,
                })
            })
            .collect();
        sections.push_str(&table("Waiting for a clinical reviewer", &rows, true));
    }
    if desk.is_editor(person) {
        let mut rows = Vec::new();
        let approved = |subject: &Subject| latest_approval(library.records(subject)).map(|r| r.blob.clone());
        for p in library.people() {
            let subject = Subject::Person(p.id.clone());
            let blob = BlobId::of(&std::fs::read(library.root().join(&p.path)).unwrap_or_default());
            if approved(&subject).as_ref() != Some(&blob) {
                let state = if approved(&subject).is_some() { "changed since approval" } else { "never approved" };
                rows.push(Row {
                    subject,
                    title: p.name.clone(),
                    state: state.into(),
                    age: age(&p.path, &blob),
                    author: "-".into(),
                    grade: "-".into(),
                });
            }
        }
        let site = BlobId::of(&std::fs::read(library.root().join("site.toml")).unwrap_or_default());
        if approved(&Subject::Site) != Some(site.clone()) {
            let state = if approved(&Subject::Site).is_some() { "changed since approval" } else { "never approved" };
            rows.push(Row {
                subject: Subject::Site,
                title: "site.toml".into(),
                state: state.into(),
                age: age("site.toml".as_ref(), &site),
                author: "-".into(),
                grade: "-".into(),
            });
        }
        if approved(&Subject::Theme) != snapshot.theme_listing.as_ref().map(|l| BlobId::of(l.as_bytes())) {
            let state = if approved(&Subject::Theme).is_some() { "changed since approval" } else { "never approved" };
            rows.push(Row {
                subject: Subject::Theme,
                title: "The theme".into(),
                state: state.into(),
                age: "-".into(),
                author: "-".into(),
                grade: "-".into(),
            });
        }
        sections.push_str(&table("Waiting for an editor", &rows, false));
    }
    if sections.is_empty() {
        sections.push_str(
            "<p>You hold neither the clinical reviewer role nor an editor's key, so nothing waits for you.</p>",
        );
    }
    let name = library.person(person).map_or_else(|| person.to_string(), |p| p.name.clone());
    layout("Review queue", Some(&name), &format!("<h1>Review queue</h1>\n{sections}"))
}

fn table(caption: &str, rows: &[Row], items: bool) -> String {
    if rows.is_empty() {
        return format!("<h2>{}</h2>\n<p>Nothing is waiting.</p>\n", html(caption));
    }
    let mut out = format!(
        "<h2>{}</h2>\n<div class=\"table\"><table>\n<thead><tr><th scope=\"col\">Subject</th><th scope=\"col\">State</th><th scope=\"col\">Waiting</th>{}</tr></thead>\n<tbody>\n",
        html(caption),
        if items { "<th scope=\"col\">Author</th><th scope=\"col\">Reading grade</th>" } else { "" }
    );
    for row in rows {
        out.push_str(&format!(
            "<tr><td><a href=\"/review/{}\">{}</a> <span class=\"ref\">{}</span></td><td>{}</td><td>{}</td>",
            html(&row.subject.to_string()),
            html(&row.title),
            html(&row.subject.to_string()),
            html(&row.state),
            html(&row.age)
        ));
        if items {
            out.push_str(&format!("<td>{}</td><td>{}</td>", html(&row.author), html(&row.grade)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// The front matter's fields, each as YAML text.
fn fields(front_matter: &str) -> Vec<(String, String)> {
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(front_matter) else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let key = k.as_str().map_or_else(|| format!("{k:?}"), str::to_owned);
            let value = match v {
                serde_yaml::Value::String(s) => s,
                other => serde_yaml::to_string(&other).unwrap_or_default().trim_end().to_owned(),
            };
            (key, value)
        })
        .collect()
}

/// What the page carries, for the decision it starts: the version shown,
/// read once.
pub struct Shown {
    /// The bytes shown (for the theme, its listing).
    pub bytes: Vec<u8>,
    /// The subject's blob.
    pub blob: BlobId,
    /// Its SHA-256.
    pub sha256: securebase::Sha256,
    /// The ledger's blob, if it exists.
    pub ledger: Option<BlobId>,
}

/// The review page of `subject` for `person`: the version readers would
/// see, what changed since the last approved version, the ledger, the
/// readability figures and the controls.
pub fn review(
    desk: &Desk,
    snapshot: &Snapshot,
    person: &PersonId,
    subject: &Subject,
    approved_text: Option<String>,
    shown: &Shown,
) -> Option<String> {
    let library = &snapshot.library;
    library.subject_file(subject)?;
    let records = library.records(subject);
    let mut main = String::new();
    let name = library.person(person).map_or_else(|| person.to_string(), |p| p.name.clone());
    let link_ok = |_: &str| true;
    match subject {
        Subject::Item(r) => {
            let item = library.item(r)?;
            let meta = item.meta();
            let review = library.review(r, desk.today())?;
            let author = library.person(&meta.author).map_or_else(|| meta.author.to_string(), |p| p.name.clone());
            main.push_str(&format!(
                "<h1>{}</h1>\n<p class=\"meta\"><span class=\"ref\">{}</span> · {} · by {} · blob <code>{}</code></p>\n",
                html(&meta.title),
                html(&r.to_string()),
                html(&review.state_text()),
                html(&author),
                &meta.blob.as_str()[..12]
            ));
            main.push_str(&format!(
                "<p><a href=\"/reader/{}/{}/\">Open the page as readers will see it</a></p>\n",
                r.collection, r.slug
            ));
            // The text shown is the bytes the decision will sign, split as
            // the loader splits them: what readers would see, nothing hidden.
            let text = String::from_utf8_lossy(&shown.bytes).into_owned();
            let Some((front, body)) = securebase::front_matter_and_body(&shown.bytes) else {
                main.push_str("<p class=\"problem\">This file does not load, so it cannot be reviewed; `securebase check` says why.</p>\n");
                return Some(layout(&format!("Review {subject}"), Some(&name), &main));
            };
            let (front, body) = (front.as_str(), body.as_str());
            let new_html = securebase_site::markdown::render(body, &link_ok).html;
            let old = approved_text
                .as_deref()
                .map(|old| securebase::front_matter_and_body(old.as_bytes()).unwrap_or_default());
            match &old {
                Some((old_front, old_body)) => {
                    let version = review.latest().map_or(0, |v| v.number);
                    let old_html = securebase_site::markdown::render(old_body, &link_ok).html;
                    main.push_str(&format!("<h2>What changed since version {version}</h2>\n"));
                    main.push_str(&field_changes(old_front, front));
                    main.push_str(&format!(
                        "<h3>The text</h3>\n<div class=\"article diff\">{}</div>\n",
                        diff::words(&old_html, &new_html)
                    ));
                }
                None => {
                    main.push_str(
                        "<h2>The text</h2>\n<p>No version has been approved before: this is the first review.</p>\n",
                    );
                    main.push_str(&field_changes("", front));
                    main.push_str(&format!("<div class=\"article\">{new_html}</div>\n"));
                }
            }
            if let Some(figures) = &meta.readability {
                main.push_str(&format!(
                    "<h2>Readability</h2>\n<p>Summary grade {:.1}; prose grade {:.1} ({} words, {} sentences).</p>\n",
                    figures.summary.grade(),
                    figures.prose.grade(),
                    figures.prose.words,
                    figures.prose.sentences
                ));
                if let Some(hardest) = &figures.prose.hardest {
                    let line = text.lines().nth(hardest.line.saturating_sub(1)).unwrap_or_default();
                    let sentence: String = line.chars().skip(hardest.column.saturating_sub(1)).collect();
                    main.push_str(&format!(
                        "<p>The hardest sentence (line {}): <q>{}</q></p>\n",
                        hardest.line,
                        html(sentence.trim())
                    ));
                }
            }
        }
        _ => {
            let title = match subject {
                Subject::Person(id) => library.person(id).map_or_else(|| id.to_string(), |p| p.name.clone()),
                Subject::Site => "site.toml".to_owned(),
                _ => "The theme".to_owned(),
            };
            main.push_str(&format!(
                "<h1>{}</h1>\n<p class=\"meta\"><span class=\"ref\">{}</span> · blob <code>{}</code></p>\n",
                html(&title),
                html(&subject.to_string()),
                &shown.blob.as_str()[..12]
            ));
            if *subject == Subject::Theme {
                let files =
                    securebase::ProjectLayout::theme_files(library.root(), &library.config().theme).unwrap_or_default();
                let approved = latest_approval(records);
                main.push_str("<h2>Files</h2>\n<ul class=\"files\">\n");
                for (path, on_disk) in files {
                    let blob = BlobId::of(&std::fs::read(&on_disk).unwrap_or_default());
                    let changed = approved.is_none_or(|a| !a.files.iter().any(|f| f.path == path && f.blob == blob));
                    main.push_str(&format!(
                        "<li>{}{}</li>\n",
                        html(&path),
                        if changed { " <strong>(changed)</strong>" } else { "" }
                    ));
                }
                main.push_str("</ul>\n");
            } else {
                let now = String::from_utf8_lossy(&shown.bytes);
                main.push_str("<h2>What changed since the approved version</h2>\n");
                main.push_str(&diff::lines(approved_text.as_deref().unwrap_or_default(), &now));
            }
        }
    }
    main.push_str("<h2>History</h2>\n");
    if records.is_empty() {
        main.push_str("<p>No decisions yet.</p>\n");
    } else {
        main.push_str("<ol class=\"history\">\n");
        for record in records {
            let (what, text) = match record.decision {
                Decision::Approved => ("approved", record.summary.as_deref()),
                Decision::ChangesRequested => ("changes requested", record.notes.as_deref()),
            };
            main.push_str(&format!(
                "<li><time datetime=\"{0}\">{0}</time>: {1} by {2}: {3}</li>\n",
                record.date,
                what,
                html(record.reviewer.as_str()),
                html(text.unwrap_or_default())
            ));
        }
        main.push_str("</ol>\n");
    }
    main.push_str(&format!(
        "<h2>Your decision</h2>\n<form id=\"decide\" class=\"decide\" data-subject=\"{}\" data-blob=\"{}\" data-sha256=\"{}\" data-ledger=\"{}\">\n<label for=\"decision-text\">What this version changed (to approve), or what must change (to ask for changes)</label>\n<textarea id=\"decision-text\" name=\"text\" rows=\"4\" required></textarea>\n<div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"approved\" class=\"primary\">Approve and sign</button> <button type=\"submit\" name=\"decision\" value=\"changes_requested\">Request changes and sign</button></div>\n</form>\n{STATUS}",
        html(&subject.to_string()),
        shown.blob,
        shown.sha256,
        shown.ledger.as_ref().map_or("", BlobId::as_str)
    ));
    Some(layout(&format!("Review {subject}"), Some(&name), &main))
}

/// The front matter's changes, field by field.
fn field_changes(old: &str, new: &str) -> String {
    let (old, new) = (fields(old), fields(new));
    let mut rows = String::new();
    for (key, value) in &new {
        let before = old.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        if before == Some(value.as_str()) {
            continue;
        }
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            html(key),
            diff::lines(before.unwrap_or_default(), value)
        ));
    }
    for (key, value) in &old {
        if !new.iter().any(|(k, _)| k == key) {
            rows.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
                html(key),
                diff::lines(value, "")
            ));
        }
    }
    if rows.is_empty() {
        return "<p>The front matter (title, summary, steps, sources ...) is unchanged.</p>\n".to_owned();
    }
    format!(
        "<h3>Front matter, field by field</h3>\n<div class=\"table\"><table class=\"fields\">\n<tbody>\n{rows}</tbody></table></div>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_and_compared_field_by_field() {
        // Split as the loader splits: a closing fence with trailing spaces
        // ends the front matter, and everything after it is body.
        let (front, body) =
            securebase::front_matter_and_body(b"---\ntitle: A\n--- \nHidden?\n\n---\n\nShown.\n").unwrap();
        assert_eq!(front, "title: A\n");
        assert!(body.contains("Hidden?") && body.contains("Shown."), "{body}");
        let changes = field_changes("title: A\nsummary: S\nsteps: [a]\n", "title: A\nsummary: T <b>\n");
        assert!(changes.contains("<th scope=\"row\">summary</th><td><pre class=\"line-diff\"><del>- S</del>\n<ins>+ T &lt;b&gt;</ins>\n</pre>"), "{changes}");
        assert!(changes.contains("<th scope=\"row\">steps</th>"), "{changes}");
        assert!(!changes.contains(">title<"), "{changes}");
        assert!(field_changes("title: A\n", "title: A\n").contains("unchanged"));
    }
}
