//! `securebase review`: the queue, approvals and change requests, diffs,
//! history and verification against git.

use crate::say;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use securebase::git::{FileStatus, Repo};
use securebase::{Date, Decision, ItemRef, Library, PersonId, Review, State};
use serde_json::json;

use crate::EXIT_ERRORS;
use crate::build::{load_or_report, today};

/// The `review` subcommands.
#[derive(Subcommand)]
pub enum ReviewCommand {
    /// The review queue: each item's state, version, last review, next review due and reviewer.
    #[command(
        after_help = "Examples:\n  securebase review status\n  securebase review status --format github   # annotations for a pull request\n\nExit codes: 0 printed, 1 content errors, 2 usage errors."
    )]
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
        format: StatusFormat,
    },
    /// Approve the current, committed text of an item (appends to its ledger).
    #[command(
        after_help = "Example:\n  securebase review approve styles/avoidant --reviewer riley-example --summary \"Clarified where avoidant patterns come from\"\n\nThen commit the ledger file. Refused when the reviewer lacks the clinical_reviewer role, their licence has expired, they wrote the item, or the item's file has uncommitted changes."
    )]
    Approve {
        /// The item, as collection/slug.
        item: ItemRef,
        /// The clinical reviewer's person id.
        #[arg(long)]
        reviewer: PersonId,
        /// What this version changed.
        #[arg(long)]
        summary: String,
    },
    /// Record that a reviewer asked for changes to the current text.
    #[command(
        after_help = "Example:\n  securebase review request-changes therapies/emdr --reviewer riley-example --notes \"Say that EMDR needs a trained therapist\""
    )]
    RequestChanges {
        /// The item, as collection/slug.
        item: ItemRef,
        /// The clinical reviewer's person id.
        #[arg(long)]
        reviewer: PersonId,
        /// What must change.
        #[arg(long)]
        notes: String,
    },
    /// Show what changed since the item's last approved version (a unified diff).
    #[command(after_help = "Example:\n  securebase review diff styles/avoidant")]
    Diff {
        /// The item, as collection/slug.
        item: ItemRef,
    },
    /// List every version of an item with its date, reviewer and summary.
    #[command(after_help = "Example:\n  securebase review history styles/avoidant")]
    History {
        /// The item, as collection/slug.
        item: ItemRef,
    },
    /// Check that each ledger record was committed by the reviewer it names (by email).
    #[command(
        after_help = "Example:\n  securebase review verify\n\nExit codes: 0 every committed record matches, 1 a mismatch or content errors."
    )]
    Verify,
}

/// How `review status` prints.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusFormat {
    /// A table for people.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Runs a review subcommand on the project at `root`.
pub fn run(root: &Path, command: ReviewCommand) -> anyhow::Result<ExitCode> {
    let Some(library) = load_or_report(root) else { return Ok(ExitCode::from(EXIT_ERRORS)) };
    let today = today()?;
    match command {
        ReviewCommand::Status { format } => status(&library, today, format),
        ReviewCommand::Approve { item, reviewer, summary } => {
            record(&library, &item, &reviewer, today, Decision::Approved, &summary)
        }
        ReviewCommand::RequestChanges { item, reviewer, notes } => {
            record(&library, &item, &reviewer, today, Decision::ChangesRequested, &notes)
        }
        ReviewCommand::Diff { item } => diff(&library, &item, today),
        ReviewCommand::History { item } => history(&library, &item, today),
        ReviewCommand::Verify => verify(&library),
    }
}

fn review_of<'a>(library: &'a Library, item: &ItemRef, today: Date) -> anyhow::Result<Review<'a>> {
    library
        .review(item, today)
        .with_context(|| format!("there is no item {item}; `securebase review status` lists them"))
}

fn state_text(review: &Review<'_>) -> String {
    let state = match (review.state, review.latest()) {
        (State::Approved, _) => "approved".to_owned(),
        (State::ChangedSinceApproval, Some(v)) => format!("changed since version {}", v.number),
        (State::ChangesRequested, _) => "changes requested".to_owned(),
        _ => "never reviewed".to_owned(),
    };
    if review.overdue { format!("{state}, review overdue") } else { state }
}

fn reviewer_name(library: &Library, review: &Review<'_>) -> String {
    review.latest().and_then(|v| library.person(&v.last_approval.reviewer)).map_or_else(String::new, |p| p.name.clone())
}

fn status(library: &Library, today: Date, format: StatusFormat) -> anyhow::Result<ExitCode> {
    let reviews: Vec<Review<'_>> = library.reviews(today).collect();
    let text = |d: Option<Date>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    match format {
        StatusFormat::Human => {
            let rows: Vec<[String; 6]> = reviews
                .iter()
                .map(|r| {
                    [
                        r.item.to_string(),
                        state_text(r),
                        r.current.or(r.latest().map(|v| v.number)).map_or_else(|| "-".to_owned(), |n| n.to_string()),
                        text(r.last_reviewed),
                        text(r.next_review_due),
                        reviewer_name(library, r),
                    ]
                })
                .collect();
            let header = ["ITEM", "STATE", "VERSION", "LAST REVIEWED", "NEXT REVIEW DUE", "REVIEWER"].map(String::from);
            let mut widths = [0; 6];
            for row in rows.iter().chain([&header]) {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            for row in [&header].into_iter().chain(&rows) {
                let line: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
                say!("{}", line.join("  ").trim_end());
            }
            let approved = reviews.iter().filter(|r| r.state == State::Approved).count();
            say!(
                "\n{approved} of {} items approved; {} overdue",
                reviews.len(),
                reviews.iter().filter(|r| r.overdue).count()
            );
        }
        StatusFormat::Json => {
            let items: Vec<_> = reviews
                .iter()
                .map(|r| {
                    json!({
                        "item": r.item.to_string(),
                        "state": r.state.as_str(),
                        "overdue": r.overdue,
                        "version": r.current,
                        "latest_version": r.latest().map(|v| v.number),
                        "last_reviewed": r.last_reviewed.map(|d| d.to_string()),
                        "next_review_due": r.next_review_due.map(|d| d.to_string()),
                        "reviewer": r.latest().map(|v| v.last_approval.reviewer.to_string()),
                        "readability": library.item(&r.item).map(|i| i.meta().readability),
                    })
                })
                .collect();
            say!(
                "{}",
                serde_json::to_string_pretty(&json!({ "version": 1, "today": today.to_string(), "items": items }))?
            );
        }
        StatusFormat::Github => {
            for r in reviews.iter().filter(|r| r.state != State::Approved || r.overdue) {
                let path = library.item(&r.item).map(|i| i.meta().path.display().to_string()).unwrap_or_default();
                let level = if r.state == State::ChangesRequested { "error" } else { "warning" };
                say!("::{level} file={path},line=1,title=Clinical review::{} is {}", r.item, state_text(r));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Appends an approval or change request for the current text of `item`.
fn record(
    library: &Library,
    item: &ItemRef,
    reviewer: &PersonId,
    today: Date,
    decision: Decision,
    text: &str,
) -> anyhow::Result<ExitCode> {
    if text.trim().is_empty() {
        bail!("say what changed (--summary) or what must change (--notes); the text is shown in the version history");
    }
    let any = library
        .item(item)
        .with_context(|| format!("there is no item {item}; `securebase review status` lists them"))?;
    let meta = any.meta();
    let refusal = match decision {
        Decision::Approved => securebase::approval_refusal(library, item, reviewer, today),
        _ => match library.person(reviewer) {
            None => Some(format!("there is no person `{reviewer}` in content/people/")),
            Some(p) if !p.has_role(securebase::Role::ClinicalReviewer) => {
                Some(format!("{} does not hold the clinical_reviewer role", p.name))
            }
            Some(_) => None,
        },
    };
    if let Some(reason) = refusal {
        eprintln!("refused: {reason}");
        return Ok(ExitCode::from(EXIT_ERRORS));
    }
    let repo = Repo::open(library.root())?;
    match repo.status(&meta.path)? {
        FileStatus::Clean => {}
        status => {
            let what = if status == FileStatus::Untracked { "is not committed" } else { "has uncommitted changes" };
            eprintln!(
                "refused: {} {what}; commit it first, so that the approved version is in git for the production build to read",
                meta.path.display()
            );
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    }
    if repo.head_blob(&meta.path).as_ref() != Some(&meta.blob) {
        eprintln!(
            "refused: the committed version of {} differs from its bytes on disk (a git filter or line-ending conversion?); \
             the approved blob must be the one in git",
            meta.path.display()
        );
        return Ok(ExitCode::from(EXIT_ERRORS));
    }
    let (summary, notes) = match decision {
        Decision::Approved => (Some(text.trim()), None),
        _ => (None, Some(text.trim())),
    };
    let entry = json!([{
        "blob": meta.blob,
        "reviewer": reviewer,
        "date": today.to_string(),
        "decision": decision,
        "summary": summary,
        "notes": notes,
    }]);
    let mut entry = entry;
    if let Some(record) = entry[0].as_object_mut() {
        record.retain(|_, v| !v.is_null());
    }
    let yaml = serde_yaml::to_string(&entry)?;
    let ledger = PathBuf::from("content/reviews").join(item.collection.as_str()).join(format!("{}.yaml", item.slug));
    let path = library.root().join(&ledger);
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot create {}", ledger.display()))?;
    let existing = std::fs::read(&path).unwrap_or_default();
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", ledger.display()))?;
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        file.write_all(b"\n")?;
    }
    file.write_all(yaml.as_bytes()).with_context(|| format!("cannot write {}", ledger.display()))?;
    let short = &meta.blob.as_str()[..12];
    match decision {
        Decision::Approved => {
            let review = review_of(library, item, today)?;
            let number = review
                .versions
                .iter()
                .find(|v| *v.blob == meta.blob)
                .map_or(review.versions.len() + 1, |v| v.number as usize);
            say!("approved {item} as version {number} (blob {short}); commit {} to publish it", ledger.display());
        }
        _ => say!("recorded a change request for {item} (blob {short}); commit {}", ledger.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(library: &Library, item: &ItemRef, today: Date) -> anyhow::Result<ExitCode> {
    let review = review_of(library, item, today)?;
    let meta = library.item(item).map(|i| i.meta()).context("no such item")?;
    let Some(latest) = review.latest() else {
        say!("{item} has no approved version yet; all of its text is new to review");
        return Ok(ExitCode::SUCCESS);
    };
    if *latest.blob == meta.blob {
        say!("{item} is unchanged since version {}", latest.number);
        return Ok(ExitCode::SUCCESS);
    }
    let repo = Repo::open(library.root())?;
    let blobs = repo.read_blobs(&[(latest.blob.clone(), meta.path.clone())])?;
    let old = String::from_utf8_lossy(blobs.get(latest.blob).map_or(&[][..], Vec::as_slice)).into_owned();
    let new = std::fs::read_to_string(library.root().join(&meta.path))?;
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .header(
            &format!("{} (version {}, approved)", meta.path.display(), latest.number),
            &format!("{} (working text)", meta.path.display()),
        )
        .to_string();
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for line in diff.lines() {
        let code = match line.as_bytes().first() {
            _ if !colour => None,
            Some(b'+') if !line.starts_with("+++") => Some("32"),
            Some(b'-') if !line.starts_with("---") => Some("31"),
            Some(b'@') => Some("36"),
            _ => None,
        };
        match code {
            Some(code) => say!("\x1b[{code}m{line}\x1b[0m"),
            None => say!("{line}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn history(library: &Library, item: &ItemRef, today: Date) -> anyhow::Result<ExitCode> {
    let review = review_of(library, item, today)?;
    let ledger = library.ledger(item).map_or(&[][..], |l| l.records.as_slice());
    if ledger.is_empty() {
        say!("{item} has never been reviewed");
    }
    for record in ledger {
        let who = library.person(&record.reviewer).map_or_else(|| record.reviewer.to_string(), |p| p.name.clone());
        match record.decision {
            Decision::Approved => {
                let number = review.versions.iter().find(|v| v.blob == &record.blob).map_or(0, |v| v.number);
                say!(
                    "version {number}  {}  approved by {who}: {}",
                    record.date,
                    record.summary.as_deref().unwrap_or_default()
                );
            }
            _ => say!(
                "           {}  changes requested by {who}: {}",
                record.date,
                record.notes.as_deref().unwrap_or_default()
            ),
        }
    }
    say!("current state: {}", state_text(&review));
    Ok(ExitCode::SUCCESS)
}

fn verify(library: &Library) -> anyhow::Result<ExitCode> {
    let repo = Repo::open(library.root())?;
    let history = repo.ledger_history()?;
    let (mut checked, mut problems) = (0, 0);
    for (ledger, commit, email) in &history.rewrites {
        problems += 1;
        let short = &commit[..12.min(commit.len())];
        say!(
            "{}: commit {short} by <{email}> changed or removed existing records; ledgers are append-only",
            ledger.display()
        );
    }
    for ledger in library.ledgers() {
        for (index, record) in ledger.records.iter().enumerate() {
            let Some(addition) = history.additions.iter().find(|a| a.ledger == ledger.path && a.index == index) else {
                problems += 1;
                say!(
                    "{}: record {} ({} by {}) is not committed, so who added it cannot be verified",
                    ledger.path.display(),
                    index + 1,
                    record.date,
                    record.reviewer
                );
                continue;
            };
            checked += 1;
            let expected = library.person(&record.reviewer).map(|p| p.email.trim().to_lowercase()).unwrap_or_default();
            if addition.email.trim().to_lowercase() != expected {
                problems += 1;
                say!(
                    "{}: record {} names {} <{expected}>, but commit {} that added it was authored by <{}>",
                    ledger.path.display(),
                    index + 1,
                    record.reviewer,
                    &addition.commit[..12.min(addition.commit.len())],
                    addition.email
                );
            }
        }
    }
    say!("verified {checked} committed record(s): {problems} problem(s)");
    Ok(if problems > 0 { ExitCode::from(EXIT_ERRORS) } else { ExitCode::SUCCESS })
}
