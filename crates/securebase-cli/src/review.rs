//! `securebase review`: the queue, approvals and change requests, diffs,
//! history and verification against git.

use crate::say;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use securebase::git::Repo;
use securebase::{Date, Decision, Diagnostics, EditionError, ItemRef, Library, PersonId, Review, State, Subject};
use serde_json::json;

use crate::build::{load_or_report, read_trust_root, today};
use crate::sign::KeyFile;
use crate::{EXIT_ERRORS, Terminal};

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
    /// Approve the current, committed version of an item (a clinical
    /// reviewer), or of a people file, site.toml or the theme (an editor),
    /// signed with the approver's SSH key; appends to the ledger.
    #[command(
        after_help = "Examples:\n  securebase review approve styles/avoidant --reviewer riley-example --summary \"Clarified where avoidant patterns come from\"\n  securebase review approve people/riley-example --reviewer sam-editor --summary \"Riley joins as a reviewer\" --key ~/.ssh/id_ed25519\n  securebase review approve site --reviewer sam-editor --summary \"Crisis lines checked\"\n  securebase review approve theme --reviewer sam-editor --summary \"First theme\"\n\n\
The record is signed through `ssh-keygen -Y sign` (ssh-agent and hardware keys work) with --key, or git's user.signingkey. \
Then commit the ledger file. Refused, with nothing written, when the key is not one of the approver's signing_keys, \
the reviewer lacks the clinical_reviewer role (editor for people, site and theme), their licence has expired, they wrote the item, or a file has uncommitted changes."
    )]
    Approve {
        /// What to approve: collection/slug, people/<id>, site or theme.
        subject: Subject,
        /// The approver's person id (a clinical reviewer for items, an editor otherwise).
        #[arg(long)]
        reviewer: PersonId,
        /// What this version changed.
        #[arg(long)]
        summary: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// Record, signed, that a reviewer asked for changes to the current version.
    #[command(
        after_help = "Example:\n  securebase review request-changes therapies/emdr --reviewer riley-example --notes \"Say that EMDR needs a trained therapist\""
    )]
    RequestChanges {
        /// What the request is about: collection/slug, people/<id>, site or theme.
        subject: Subject,
        /// The reviewer's person id.
        #[arg(long)]
        reviewer: PersonId,
        /// What must change.
        #[arg(long)]
        notes: String,
        #[command(flatten)]
        signing: Signing,
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
    /// Print the exact statement a ledger record signs, so that anyone can check it with `ssh-keygen -Y verify`.
    #[command(
        after_help = "Example:\n  securebase review statement styles/avoidant 1 --signature record.sig > statement\n  ssh-keygen -Y verify -f allowed_signers -I riley-example -n securebase-review -s record.sig < statement\n\n\
Records are numbered from 1, oldest first, as `securebase review history` lists an item's. \
Works for records made by `review approve` and for those a passkey signed at the review desk."
    )]
    Statement {
        /// What the ledger is about: collection/slug, people/<id>, site or theme.
        subject: Subject,
        /// The record's number in its ledger, from 1.
        number: usize,
        /// Also write the record's signature (armored) to this file.
        #[arg(long)]
        signature: Option<PathBuf>,
    },
    /// Check every record's signature and every ledger's history, as the production build does.
    #[command(
        after_help = "Examples:\n  securebase review verify --trust-root /etc/securebase/trust-root\n  securebase review verify   # against the people files only\n\n\
With a trust root, editors' signatures are checked against it and reviewers' against their approved people files, exactly as \
`securebase build` checks them. Without one, every key is taken from the working tree's people files.\n\n\
Exit codes: 0 every record verifies, 1 a problem (each named with its file and line) or content errors."
    )]
    Verify {
        /// The deployment's trust root: lines of `<editor-id> <public key>`.
        #[arg(long, env = "SECUREBASE_TRUST_ROOT")]
        trust_root: Option<PathBuf>,
    },
}

/// How a record is signed.
#[derive(clap::Args)]
pub struct Signing {
    /// The signing key: a private key file, or the .pub file of a key in
    /// ssh-agent (default: git's user.signingkey).
    #[arg(long)]
    key: Option<PathBuf>,
    /// A trust root to check an editor's key against before signing.
    #[arg(long, env = "SECUREBASE_TRUST_ROOT")]
    trust_root: Option<PathBuf>,
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
pub fn run(term: Terminal, root: &Path, command: ReviewCommand) -> anyhow::Result<ExitCode> {
    let Some(library) = load_or_report(term, root) else { return Ok(ExitCode::from(EXIT_ERRORS)) };
    let today = today()?;
    match command {
        ReviewCommand::Status { format } => status(&library, today, format),
        ReviewCommand::Approve { subject, reviewer, summary, signing } => {
            record(&library, &subject, &reviewer, today, Decision::Approved, &summary, signing)
        }
        ReviewCommand::RequestChanges { subject, reviewer, notes, signing } => {
            record(&library, &subject, &reviewer, today, Decision::ChangesRequested, &notes, signing)
        }
        ReviewCommand::Diff { item } => diff(&library, &item, today, term.colour),
        ReviewCommand::History { item } => history(&library, &item, today),
        ReviewCommand::Verify { trust_root } => verify(&library, trust_root),
        ReviewCommand::Statement { subject, number, signature } => statement(&library, &subject, number, signature),
    }
}

fn review_of<'a>(library: &'a Library, item: &ItemRef, today: Date) -> anyhow::Result<Review<'a>> {
    library
        .review(item, today)
        .with_context(|| format!("there is no item {item}; `securebase review status` lists them"))
}

fn reviewer_name(library: &Library, review: &Review<'_>) -> String {
    review.latest().and_then(|v| library.person(&v.last_approval.reviewer)).map_or_else(String::new, |p| p.name.clone())
}

/// The fingerprint of the key that signed the latest approval. A loaded
/// library holds no record whose signature does not verify.
fn signer(review: &Review<'_>) -> Option<String> {
    review.latest().map(|v| v.signer.clone())
}

fn status(library: &Library, today: Date, format: StatusFormat) -> anyhow::Result<ExitCode> {
    let reviews: Vec<Review<'_>> = library.reviews(today).collect();
    let text = |d: Option<Date>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    match format {
        StatusFormat::Human => {
            let rows: Vec<[String; 7]> = reviews
                .iter()
                .map(|r| {
                    [
                        r.item.to_string(),
                        r.state_text(),
                        r.current.or(r.latest().map(|v| v.number)).map_or_else(|| "-".to_owned(), |n| n.to_string()),
                        text(r.last_reviewed),
                        text(r.next_review_due),
                        reviewer_name(library, r),
                        signer(r).map_or_else(|| "-".to_owned(), |s| format!("yes, {s}")),
                    ]
                })
                .collect();
            let header = ["ITEM", "STATE", "VERSION", "LAST REVIEWED", "NEXT REVIEW DUE", "REVIEWER", "VERIFIED"]
                .map(String::from);
            let mut widths = [0; 7];
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
            say!(
                "Signatures are verified against the keys the working tree's people files list; \
                 `securebase review verify --trust-root FILE` checks them as the production build does."
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
                        "signature": signer(r).map(|s| json!({
                            "verified": true,
                            "signer": s,
                            "checked_against": "people_files",
                        })),
                        "readability": library.item(&r.item).and_then(|i| i.meta().readability),
                    })
                })
                .collect();
            say!(
                "{}",
                serde_json::to_string_pretty(&json!({ "version": 1, "today": today.to_string(), "items": items }))?
            );
        }
        StatusFormat::Github => {
            for r in &reviews {
                let path = library.item(&r.item).map(|i| i.meta().path.display().to_string()).unwrap_or_default();
                let level = match r.state {
                    State::ChangesRequested => "error",
                    State::Approved if !r.overdue => "notice",
                    _ => "warning",
                };
                let signed = signer(r).map_or_else(String::new, |s| {
                    format!(" (signed by {s}, a key the working tree's people files list)")
                });
                say!("::{level} file={path},line=1,title=Clinical review::{} is {}{signed}", r.item, r.state_text());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What to suggest for a refusal, in the terminal's words.
fn hint(action: &securebase::Action) -> String {
    use securebase::Action;
    match action {
        Action::ListKey(people_file) => format!(
            "; list the public key under `signing_keys` in {} (an editor approves that change), or sign with --key",
            people_file.display()
        ),
        Action::ReviewAgain => "; look at it again (`securebase review diff`) and run the command again".to_owned(),
        _ => String::new(),
    }
}

/// Appends a signed approval or change request for the current, committed
/// version of `subject`.
fn record(
    library: &Library,
    subject: &Subject,
    signer: &PersonId,
    today: Date,
    decision: Decision,
    text: &str,
    signing: Signing,
) -> anyhow::Result<ExitCode> {
    let refuse = |refusal: securebase::decision::Refusal| {
        eprintln!("refused: {refusal}{}; nothing was written", hint(&refusal.action()));
        Ok(ExitCode::from(EXIT_ERRORS))
    };
    if text.trim().is_empty() {
        bail!("say what changed (--summary) or what must change (--notes); the text is shown in the version history");
    }
    let trust_root = read_trust_root(signing.trust_root.as_deref())?;
    let root = library.root();
    if library.subject_file(subject).is_none() {
        bail!("there is no {subject}; `securebase review status` lists the items, content/people/ the people");
    }
    let repo = Repo::open(root)?;
    let request = securebase::decision::Request { subject, signer, decision, text, on: today };
    let draft = match library.draft(&repo, &request, trust_root.as_ref()) {
        Ok(draft) => draft,
        Err(refusal) => return refuse(refusal),
    };
    let key = KeyFile::choose(root, signing.key)?;
    let signature = key.sign(securebase::trust::NAMESPACE, &draft.statement)?;
    let record = match draft.append(root, &repo.review_lock()?, &signature) {
        Ok(record) => record,
        Err(refusal) => return refuse(refusal),
    };
    let ledger = &draft.ledger;
    let short = &record.blob.as_str()[..12];
    let fingerprint = securebase::trust::signer_fingerprint(&record).unwrap_or_default();
    match (decision, subject) {
        (Decision::Approved, Subject::Item(item)) => {
            let review = review_of(library, item, today)?;
            let number = review
                .versions
                .iter()
                .find(|v| *v.blob == record.blob)
                .map_or(review.versions.len() + 1, |v| v.number as usize);
            say!(
                "approved {item} as version {number} (blob {short}), signed with {fingerprint}; commit {} to publish it",
                ledger.display()
            );
        }
        (Decision::Approved, _) => {
            say!("approved {subject} (blob {short}), signed with {fingerprint}; commit {}", ledger.display())
        }
        _ => say!(
            "recorded a change request for {subject} (blob {short}), signed with {fingerprint}; commit {}",
            ledger.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(library: &Library, item: &ItemRef, today: Date, colour: bool) -> anyhow::Result<ExitCode> {
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
    let mut out = std::io::stdout().lock();
    for line in diff.lines() {
        let code = match line.as_bytes().first() {
            _ if !colour => None,
            Some(b'+') if !line.starts_with("+++") => Some("32"),
            Some(b'-') if !line.starts_with("---") => Some("31"),
            Some(b'@') => Some("36"),
            _ => None,
        };
        // The diff's own colours around the text, whose control
        // characters are shown, not obeyed.
        let line = securebase::visible(line);
        match code {
            Some(code) => writeln!(out, "\x1b[{code}m{line}\x1b[0m")?,
            None => writeln!(out, "{line}")?,
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
    say!("current state: {}", review.state_text());
    Ok(ExitCode::SUCCESS)
}

fn statement(
    library: &Library,
    subject: &Subject,
    number: usize,
    signature: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let records = library.records(subject);
    let Some(record) = number.checked_sub(1).and_then(|i| records.get(i)) else {
        bail!("{subject}'s ledger has {} record(s); number them from 1", records.len());
    };
    if let Some(path) = signature {
        let armored = record.signature.as_deref().context("the record is not signed")?;
        std::fs::write(&path, armored).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let text = securebase::trust::next_statement(subject, &records[..number - 1], record);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn verify(library: &Library, trust_root: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let trust_root = read_trust_root(trust_root.as_deref())?;
    let repo = Repo::open(library.root())?;
    let history = repo.history()?;
    let records: usize = library.ledgers().iter().map(|l| l.records.len()).sum::<usize>()
        + library.editorial_ledgers().iter().map(|l| l.records.len()).sum::<usize>();
    let result = match &trust_root {
        Some(root) => library.production(&repo, &history, root).map(|_| ()),
        None => library.check_history(&repo, &history),
    };
    let problems = match result {
        Ok(()) | Err(EditionError::NothingApproved) => Diagnostics::new(),
        Err(EditionError::Trust(d) | EditionError::Content(d)) => d,
        Err(other) => {
            eprintln!("error: {other}");
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    };
    for d in &problems {
        say!("{d}");
    }
    let against = match &trust_root {
        Some(root) => format!(
            "editors against the trust root {} ({} key(s)), reviewers against their approved people files",
            root.path.display(),
            root.editors.len()
        ),
        None => {
            "every key as the working tree's people files list it (pass --trust-root FILE to check as production does)"
                .into()
        }
    };
    say!(
        "verified {records} signed record(s), {against}, and every ledger's history: {} problem(s)",
        problems.error_count()
    );
    // Nothing to publish is not a pass: a gate that trusts this command
    // must not take an empty ledger for a verified one.
    let nothing_approved = library.approved_blobs().is_empty();
    if nothing_approved {
        say!(
            "not verified: no item has an approved version, so there is no approval to check and nothing production could publish"
        );
    }
    Ok(if problems.has_errors() || nothing_approved { ExitCode::from(EXIT_ERRORS) } else { ExitCode::SUCCESS })
}
