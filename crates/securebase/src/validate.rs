//! The reference and rule passes, run once everything has loaded.
//!
//! Every check looks at the whole [`Library`] so that references between
//! files resolve regardless of the order files were read in.

use std::path::Path;

use crate::config::ReadabilityLevel;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Position};
use crate::library::Library;
use crate::load::Provenance;
use crate::model::*;
use crate::trust::{self, TrustRoot};

/// The longest summary allowed, in characters (search engines cut meta
/// descriptions at about this length).
pub const MAX_SUMMARY_CHARS: usize = 300;

/// Summaries shorter than this draw a warning.
pub const MIN_SUMMARY_CHARS: usize = 40;

/// How much of a library a validation looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'s> {
    /// Everything.
    All,
    /// What the text of these items can change when nothing else has
    /// changed (the same files, people and ledgers): their own checks, their
    /// ledgers, and the style and helper pairs they are part of. The other
    /// checks' results depend only on what is unchanged.
    Items(&'s [ItemRef]),
}

impl Scope<'_> {
    fn covers(&self, r: &ItemRef) -> bool {
        match self {
            Scope::All => true,
            Scope::Items(items) => items.contains(r),
        }
    }
}

/// Runs every pass `scope` covers and records what it finds.
pub(crate) fn validate(
    library: &Library,
    provenance: &Provenance,
    scope: Scope<'_>,
    mathematics: trust::Mathematics,
    diags: &mut Diagnostics,
) {
    let mut check = Checker { library, provenance, diags };
    let items: Vec<AnyItem<'_>> = match scope {
        Scope::All => {
            check.unique_ids();
            for person in library.people() {
                check.person(person);
            }
            library.all_items().collect()
        }
        Scope::Items(items) => items.iter().filter_map(|r| library.item(r)).collect(),
    };
    for item in items {
        check.item_references(item);
        check.item_rules(item);
        check.readability(item);
    }
    check.consistency(scope);
    // Signatures are the costly check: each ledger's are checked on a
    // worker (with the `parallel` feature), and reported in ledger order.
    let ledgers: Vec<&Ledger> = library.ledgers().iter().filter(|l| scope.covers(&l.item)).collect();
    #[cfg(feature = "parallel")]
    let refusals: Vec<Vec<(usize, trust::Refusal)>> = {
        use rayon::prelude::*;
        ledgers.par_iter().map(|l| item_refusals(library, l, mathematics)).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let refusals: Vec<Vec<(usize, trust::Refusal)>> =
        ledgers.iter().map(|l| item_refusals(library, l, mathematics)).collect();
    for (ledger, refused) in ledgers.into_iter().zip(refusals) {
        check.ledger(ledger);
        check.signatures(&ledger.path, &ledger.records, refused);
    }
    if let Scope::All = scope {
        for ledger in library.editorial_ledgers() {
            check.editorial_ledger(ledger, library.trust_root(), mathematics);
        }
    }
}

/// Every editorial ledger's records checked against `root` as the
/// production edition checks them (its signers are the trust root's
/// editors, with the keys it lists), whatever else the project holds: the
/// production edition runs this before anything that could stop it early,
/// such as nothing being approved.
pub(crate) fn editorial_against(library: &Library, root: &TrustRoot, diags: &mut Diagnostics) {
    let provenance =
        Provenance::read_again(library.root(), library.editorial_ledgers().iter().map(|l| l.path.as_path()));
    let mut check = Checker { library, provenance: &provenance, diags };
    for ledger in library.editorial_ledgers() {
        check.editorial_ledger(ledger, Some(root), trust::Mathematics::AlreadyVerified);
    }
}

/// Why records of an item's ledger are not approvals: each must be signed
/// by a key its reviewer's people file lists (in the production edition,
/// the approved people file).
fn item_refusals(library: &Library, ledger: &Ledger, mathematics: trust::Mathematics) -> Vec<(usize, trust::Refusal)> {
    let subject = Subject::Item(ledger.item.clone());
    let keys = |r: &LedgerRecord| library.signer_keys(&subject, &r.reviewer, None);
    trust::check_ledger(&subject, &ledger.records, &keys, mathematics)
}

/// The hint for a person the production edition names but cannot publish.
fn unapproved_person(id: &PersonId) -> String {
    format!(
        "an editor the trust root names approves content/people/{id}.yaml: `securebase review approve people/{id} --reviewer <editor-id> --summary \"...\"`, then commit the ledger"
    )
}

struct Checker<'a> {
    library: &'a Library,
    provenance: &'a Provenance,
    diags: &'a mut Diagnostics,
}

impl Checker<'_> {
    fn error(&mut self, code: Code, file: &Path, at: Position, message: String, hint: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, file, at, message).with_hint(hint));
    }

    fn warning(&mut self, code: Code, file: &Path, at: Position, message: String, hint: impl Into<String>) {
        self.diags.push(Diagnostic::warning(code, file, at, message).with_hint(hint));
    }

    /// Ids are unique within each collection, among people, and among
    /// ledgers. Each list is sorted by id and then path, so a repeated id
    /// is next to its first use (the file first in path order).
    fn unique_ids(&mut self) {
        /// Each entry whose id is the one before it, with the first entry
        /// of that id.
        fn repeats<'a, K: PartialEq + Copy>(
            sorted: impl Iterator<Item = (K, &'a Path)>,
        ) -> Vec<(K, &'a Path, &'a Path)> {
            let mut first: Option<(K, &Path)> = None;
            let mut repeats = Vec::new();
            for (id, path) in sorted {
                match first {
                    Some((seen, at)) if seen == id => repeats.push((id, path, at)),
                    _ => first = Some((id, path)),
                }
            }
            repeats
        }
        let library = self.library;
        let items =
            library.all_items().map(|i| ((i.collection().as_str(), i.meta().slug.as_str()), i.meta().path.as_path()));
        let people = library.people().iter().map(|p| (("people", p.id.as_str()), p.path.as_path()));
        for ((what, id), path, first) in repeats(items.chain(people)) {
            let message = format!("the id `{id}` is already used in {what} by {}", first.display());
            self.error(
                Code::DuplicateId,
                path,
                Position::START,
                message,
                "ids are file names and must be unique within a collection; rename one of the files",
            );
        }
        for (item, path, first) in repeats(library.ledgers().iter().map(|l| (&l.item, l.path.as_path()))) {
            let message = format!("a second review ledger for {item}; the first is {}", first.display());
            self.error(Code::DuplicateId, path, Position::START, message, "keep one ledger file per item (.yaml)");
        }
        // Two ledgers for one people file would leave which of them counts
        // to the order of their names: one could hold fewer records.
        for (subject, path, first) in
            repeats(library.editorial_ledgers().iter().map(|l| (&l.subject, l.path.as_path())))
        {
            let message = format!("a second review ledger for {}; the first is {}", subject.subject(), first.display());
            self.error(
                Code::DuplicateId,
                path,
                Position::START,
                message,
                "keep one ledger file per people file (.yaml)",
            );
        }
    }

    fn item_references(&mut self, item: AnyItem<'_>) {
        let meta = item.meta();
        // Positions are found only for problems: finding them is the slow part.
        let provenance = self.provenance;
        let loc = || provenance.locator(&meta.path);
        if let Some((code, message, hint)) = self.missing_person(&meta.author, "author", "person id") {
            self.error(code, &meta.path, loc().value("author", meta.author.as_str()), message, hint);
        }
        for r in &meta.related {
            let at = || loc().value("related", &r.to_string());
            if r.collection == item.collection() && r.slug == meta.slug {
                self.warning(
                    Code::InvalidValue,
                    &meta.path,
                    at(),
                    format!("the item lists itself as related ({r})"),
                    "remove it from `related`",
                );
            } else {
                self.reference_exists(&meta.path, at, "related", r);
            }
        }
        for (field, r, expected) in item.typed_refs() {
            let at = || loc().value(field, &r.to_string());
            if r.collection != expected {
                let message = format!("`{field}` must refer to {expected}, but `{r}` is in {}", r.collection);
                self.error(Code::WrongCollection, &meta.path, at(), message, format!("write {expected}/<slug>"));
            } else {
                self.reference_exists(&meta.path, at, field, r);
            }
        }
    }

    fn reference_exists(&mut self, file: &Path, at: impl FnOnce() -> Position, field: &str, r: &ItemRef) {
        if self.library.item(r).is_none() && !self.provenance.is_absent(&r.to_string()) {
            let message = format!("`{field}` refers to {r}, which does not exist");
            let hint = match self.library.slugs(r.collection).min_by_key(|s| edit_distance(s, r.slug.as_str())) {
                Some(near) => format!(
                    "did you mean {}/{near}? items of {} are the .md files in content/{}/",
                    r.collection, r.collection, r.collection
                ),
                None => format!("there are no {} yet; create content/{}/{}.md", r.collection, r.collection, r.slug),
            };
            self.error(Code::DanglingReference, file, at(), message, hint);
        }
    }

    fn item_rules(&mut self, item: AnyItem<'_>) {
        let meta = item.meta();
        // Positions are found only for problems: finding them is the slow part.
        let provenance = self.provenance;
        let loc = || provenance.locator(&meta.path);
        let path = &meta.path;
        if meta.title.trim().is_empty() {
            self.error(
                Code::MissingField,
                path,
                loc().key("title"),
                "the title is empty".into(),
                "give the page a title",
            );
        }
        let chars = meta.summary.chars().count();
        if meta.summary.trim().is_empty() {
            self.error(
                Code::MissingField,
                path,
                loc().key("summary"),
                "the summary is empty".into(),
                "write one or two sentences",
            );
        } else if chars > MAX_SUMMARY_CHARS {
            self.error(
                Code::InvalidValue,
                path,
                loc().key("summary"),
                format!("the summary is {chars} characters, over the limit of {MAX_SUMMARY_CHARS}"),
                "shorten it to one or two sentences; put detail in the body",
            );
        } else if chars < MIN_SUMMARY_CHARS {
            self.warning(Code::InvalidValue, path, loc().key("summary"), format!("the summary is only {chars} characters"), format!("search results and link previews read better with {MIN_SUMMARY_CHARS} to {MAX_SUMMARY_CHARS} characters"));
        }
        if meta.sources.is_empty() {
            self.error(
                Code::MissingField,
                path,
                loc().key("sources"),
                "the item cites no sources".into(),
                "add at least one citation under `sources:` (authors, year, title, journal or publisher)",
            );
        }
        for citation in &meta.sources {
            let at = || loc().value("sources", &citation.title);
            if citation.journal.is_some() == citation.publisher.is_some() {
                self.error(
                    Code::InvalidValue,
                    path,
                    at(),
                    format!("the citation \"{}\" needs exactly one of `journal` or `publisher`", citation.title),
                    "articles name their journal; books and chapters their publisher",
                );
            }
            if citation.authors.is_empty() {
                self.error(
                    Code::MissingField,
                    path,
                    at(),
                    format!("the citation \"{}\" names no authors", citation.title),
                    "list the authors as \"Surname, I.\"",
                );
            }
            if !(1800..=2200).contains(&citation.year) {
                self.error(
                    Code::InvalidValue,
                    path,
                    at(),
                    format!("the citation \"{}\" has the year {}", citation.title, citation.year),
                    "give the year of publication",
                );
            }
        }
        if let AnyItem::Style(style) = item {
            let k = &style.fields;
            let expected = match (k.dimensions.anxiety, k.dimensions.avoidance) {
                (Level::Low, Level::Low) => Security::Secure,
                _ => Security::Insecure,
            };
            if k.security != expected {
                self.error(
                    Code::Inconsistent,
                    path,
                    loc().key("security"),
                    format!(
                        "`security: {:?}` contradicts the dimensions (only low anxiety with low avoidance is secure)",
                        k.security
                    )
                    .to_lowercase(),
                    "fix `security` or `dimensions`",
                );
            }
            if k.signs.is_empty() {
                self.warning(
                    Code::MissingField,
                    path,
                    loc().key("signs"),
                    "the style lists no signs".into(),
                    "add a few short signs under `signs:`",
                );
            }
        }
    }

    /// The `[readability]` limits of `site.toml`, on the figures measured as
    /// the item loaded: one diagnostic per limit a text is over, at its
    /// hardest (for a grade) or longest sentence.
    fn readability(&mut self, item: AnyItem<'_>) {
        let meta = item.meta();
        let Some(readability) = &meta.readability else { return };
        let limits = self.library.config().readability;
        let texts = [
            ("summary", &readability.summary, limits.summary_grade),
            ("prose", &readability.prose, limits.prose_grade),
        ];
        for (what, figures, limit) in texts {
            let grade = figures.rounded_grade();
            if let Some(hardest) = figures.hardest.filter(|_| grade > limit) {
                let message = format!(
                    "the {what} reads at grade {grade:.1}, over the limit of {limit}; its hardest sentence ({} words) is at line {}",
                    hardest.words, hardest.line
                );
                let hint = "split long sentences in two and use shorter, everyday words (Flesch-Kincaid grade)";
                self.readability_diagnostic(&meta.path, Position::new(hardest.line, hardest.column), message, hint);
            }
            if let Some(longest) = figures.longest.filter(|l| l.words > limits.sentence_words) {
                let message = format!(
                    "a sentence of the {what} has {} words, over the limit of {}; it is at line {}",
                    longest.words, limits.sentence_words, longest.line
                );
                let hint = "split the sentence into two or three shorter ones";
                self.readability_diagnostic(&meta.path, Position::new(longest.line, longest.column), message, hint);
            }
        }
    }

    fn readability_diagnostic(&mut self, file: &Path, at: Position, message: String, hint: &str) {
        let level = self.library.config().readability.level;
        let diagnostic = match level {
            ReadabilityLevel::Error => Diagnostic::error(Code::Readability, file, at, message),
            ReadabilityLevel::Warning | ReadabilityLevel::Off => {
                Diagnostic::warning(Code::Readability, file, at, message)
            }
        };
        self.diags.push(diagnostic.with_hint(hint));
    }

    /// Styles name the strategies and therapies that help them, and those
    /// name the styles they help; the two lists must agree.
    fn consistency(&mut self, scope: Scope<'_>) {
        for style in self.library.styles() {
            let style_ref = style.reference();
            let covered = scope.covers(&style_ref);
            let claims = style.fields.strategies.iter().chain(&style.fields.therapies);
            for r in claims.filter(|r| covered || scope.covers(r)) {
                let helps = match self.library.item(r) {
                    Some(AnyItem::Strategy(s)) => &s.fields.helps_with,
                    Some(AnyItem::Therapy(t)) => &t.fields.helps_with,
                    _ => continue,
                };
                if !helps.contains(&style_ref) {
                    let at = || self.provenance.locator(&style.meta.path).value(r.collection.as_str(), &r.to_string());
                    let message = format!("{style_ref} lists {r}, but {r} does not list {style_ref} in `helps_with`");
                    self.warning(
                        Code::Inconsistent,
                        &style.meta.path,
                        at(),
                        message,
                        format!("add {style_ref} to helps_with in {r}, or remove {r} here"),
                    );
                }
            }
        }
        let helpers = self.library.strategies().iter().map(|s| (s.reference(), &s.fields.helps_with, &s.meta.path));
        let therapies = self.library.therapies().iter().map(|t| (t.reference(), &t.fields.helps_with, &t.meta.path));
        let pairs: Vec<_> = helpers.chain(therapies).collect();
        for (helper, helps_with, path) in pairs {
            let covered = scope.covers(&helper);
            for style_ref in helps_with.iter().filter(|r| covered || scope.covers(r)) {
                let Some(AnyItem::Style(style)) = self.library.item(style_ref) else {
                    continue;
                };
                let listed = style.fields.strategies.iter().chain(&style.fields.therapies).any(|r| *r == helper);
                if !listed {
                    let at = || self.provenance.locator(path).value("helps_with", &style_ref.to_string());
                    let message = format!("{helper} says it helps {style_ref}, but {style_ref} does not list it");
                    self.warning(
                        Code::Inconsistent,
                        path,
                        at(),
                        message,
                        format!("add {helper} to `{}` in {style_ref}", helper.collection),
                    );
                }
            }
        }
    }

    fn person(&mut self, person: &Person) {
        // Positions are found only for problems: finding them is the slow part.
        let provenance = self.provenance;
        let loc = || provenance.locator(&person.path);
        let path = &person.path;
        if person.roles.is_empty() {
            self.error(
                Code::Role,
                path,
                loc().key("roles"),
                format!("{} has no role", person.id),
                "add `roles:` with at least one of author, clinical_reviewer, editor",
            );
        }
        if person.name.trim().is_empty() {
            self.error(
                Code::MissingField,
                path,
                loc().key("name"),
                "the name is empty".into(),
                "give the person's name as it should appear on pages",
            );
        }
        let email = person.email.trim();
        let well_formed = email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !email.contains(char::is_whitespace));
        if !well_formed {
            self.error(
                Code::InvalidValue,
                path,
                loc().key("email"),
                format!("`{email}` is not an email address"),
                "give the address this person's git commits use; `review verify` compares them",
            );
        }
        if person.has_role(Role::ClinicalReviewer) {
            if person.kind == PersonKind::Organisation {
                self.error(
                    Code::Role,
                    path,
                    loc().value("roles", "clinical_reviewer"),
                    "an organisation cannot be a clinical reviewer".into(),
                    "name the licensed clinician who reviews, in a file of their own",
                );
            }
            if person.credentials.is_empty() {
                self.error(
                    Code::Role,
                    path,
                    loc().value("roles", "clinical_reviewer"),
                    format!("{} is a clinical reviewer with no credentials", person.id),
                    "list their credentials (abbreviation and meaning), as they appear on review blocks",
                );
            }
        }
    }

    fn ledger(&mut self, ledger: &Ledger) {
        // Positions are found only for problems: finding them is the slow part.
        let provenance = self.provenance;
        let loc = || provenance.locator(&ledger.path);
        let path = &ledger.path;
        let item = self.library.item(&ledger.item);
        if item.is_none() && !self.provenance.is_absent(&ledger.item.to_string()) {
            let message = format!("this ledger is for {}, which does not exist", ledger.item);
            self.error(
                Code::DanglingReference,
                path,
                Position::START,
                message,
                format!(
                    "ledgers sit at content/reviews/<collection>/<slug>.yaml; is there a content/{}.md?",
                    ledger.item
                ),
            );
        }
        for (i, record) in ledger.records.iter().enumerate() {
            let reviewer_at = || loc().entry_key(i, "reviewer");
            match self.library.person(&record.reviewer) {
                None => {
                    if let Some((code, message, hint)) =
                        self.missing_person(&record.reviewer, "reviewer", "reviewer's id")
                    {
                        self.error(code, path, reviewer_at(), message, hint);
                    }
                }
                Some(person) if !person.has_role(Role::ClinicalReviewer) => {
                    let message = format!("{} does not hold the clinical_reviewer role, so cannot review", person.id);
                    self.error(Code::Role, path, reviewer_at(), message, "only licensed clinicians with the clinical_reviewer role may review; ask one to review this item");
                }
                // An item that failed to load is reported once, by its own file.
                Some(_) if record.decision == Decision::Approved && item.is_some() => {
                    if let Some((reason, _)) =
                        crate::review::approval_refusal(self.library, &ledger.item, &record.reviewer, record.date)
                    {
                        self.error(
                            Code::Role,
                            path,
                            reviewer_at(),
                            reason,
                            "a licensed clinical reviewer who did not write the item must approve it",
                        );
                    }
                }
                Some(_) => {}
            }
        }
        self.record_rules(path, &ledger.records);
    }

    /// The rules every ledger's records keep: an approval says what changed,
    /// a change request what must change, and records are oldest first.
    fn record_rules(&mut self, path: &Path, records: &[LedgerRecord]) {
        let provenance = self.provenance;
        let loc = || provenance.locator(path);
        let mut previous: Option<Date> = None;
        for (i, record) in records.iter().enumerate() {
            match record.decision {
                Decision::Approved if record.summary.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                    self.error(
                        Code::MissingField,
                        path,
                        loc().entry_key(i, "decision"),
                        "an approval without a summary".into(),
                        "add `summary:` saying what this version changed",
                    );
                }
                Decision::ChangesRequested if record.notes.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                    self.error(
                        Code::MissingField,
                        path,
                        loc().entry_key(i, "decision"),
                        "a change request without notes".into(),
                        "add `notes:` saying what must change",
                    );
                }
                _ => {}
            }
            if previous.is_some_and(|p| record.date < p) {
                self.error(
                    Code::Ledger,
                    path,
                    loc().entry_key(i, "date"),
                    format!("the date {} is earlier than the record before it", record.date),
                    "the ledger is append-only, oldest first; add new records at the end",
                );
            }
            previous = Some(record.date);
        }
    }

    /// Why the person `id` a file names as its `role` cannot be used, if it
    /// cannot: in the production edition, no editor-approved people file;
    /// otherwise no file at all (one that exists but failed to load is
    /// reported already). `other` ends the hint: "use an existing ...".
    fn missing_person(&self, id: &PersonId, role: &str, other: &str) -> Option<(Code, String, String)> {
        if self.library.person(id).is_some() {
            return None;
        }
        if self.library.trust_root().is_some() {
            let message = format!("the {role} `{id}` has no people file an editor approved");
            return Some((Code::Trust, message, unapproved_person(id)));
        }
        if self.provenance.is_absent(id.as_str()) {
            return None;
        }
        let hint = format!("add content/people/{id}.yaml or use an existing {other}");
        Some((Code::DanglingReference, format!("the {role} `{id}` does not exist"), hint))
    }

    /// The ledger of a people file, `site.toml` or the theme: signed by
    /// editors, who in the production edition are those of the trust root
    /// (`root`).
    fn editorial_ledger(
        &mut self,
        ledger: &EditorialLedger,
        root: Option<&TrustRoot>,
        mathematics: trust::Mathematics,
    ) {
        let provenance = self.provenance;
        let loc = || provenance.locator(&ledger.path);
        let path = &ledger.path;
        if let Editorial::Person(id) = &ledger.subject
            && self.library.person(id).is_none()
            && !self.provenance.is_absent(id.as_str())
        {
            let message = format!("this ledger is for content/people/{id}.yaml, which does not exist");
            self.error(
                Code::DanglingReference,
                path,
                Position::START,
                message,
                "people ledgers sit at content/reviews/people/<id>.yaml",
            );
        }
        for (i, record) in ledger.records.iter().enumerate() {
            let at = || loc().entry_key(i, "reviewer");
            match (root, self.library.person(&record.reviewer)) {
                (Some(root), _) if root.keys_of(&record.reviewer).is_empty() => {
                    let message =
                        format!("`{}` is not an editor of the trust root {}", record.reviewer, root.path.display());
                    self.error(Code::Trust, path, at(), message, "only the editors the deployment's trust root names approve people files, site.toml and the theme");
                }
                (None, None) => {
                    let message = format!("the editor `{}` does not exist", record.reviewer);
                    self.error(
                        Code::DanglingReference,
                        path,
                        at(),
                        message,
                        format!("add content/people/{}.yaml or use an existing editor's id", record.reviewer),
                    );
                }
                (None, Some(person)) if !person.has_role(Role::Editor) => {
                    let message = format!(
                        "{} does not hold the editor role, so cannot approve {}",
                        person.id,
                        ledger.subject.subject()
                    );
                    self.error(
                        Code::Role,
                        path,
                        at(),
                        message,
                        "people files, site.toml and the theme are approved by editors",
                    );
                }
                _ => {}
            }
        }
        self.record_rules(path, &ledger.records);
        if ledger.subject == Editorial::Theme {
            for (i, record) in ledger.records.iter().enumerate().filter(|(_, r)| r.decision == Decision::Approved) {
                if let Some(message) = trust::theme_refusal(record) {
                    let at = loc().entry_key(i, "blob");
                    self.error(
                        Code::Signature,
                        path,
                        at,
                        message,
                        "approve the theme again with `securebase review approve theme`, which lists its files",
                    );
                }
            }
        }
        let library = self.library;
        let subject = ledger.subject.subject();
        let keys = |r: &LedgerRecord| library.signer_keys(&subject, &r.reviewer, root);
        let refused = trust::check_ledger(&subject, &ledger.records, &keys, mathematics);
        self.signatures(path, &ledger.records, refused);
    }

    /// Every record of a ledger must be signed, in its chain, by a key its
    /// signer may use: a record that is not is never an approval. Reports
    /// the `refused` records of the ledger at `path`.
    fn signatures(&mut self, path: &Path, records: &[LedgerRecord], refused: Vec<(usize, trust::Refusal)>) {
        let provenance = self.provenance;
        for (i, refusal) in refused {
            let record = &records[i];
            let key = if record.signature.is_some() { "signature" } else { "blob" };
            let message =
                format!("record {} ({}, {}) is not an approval: {refusal}", i + 1, record.date, record.reviewer);
            let hint = match refusal {
                trust::Refusal::Unsigned
                | trust::Refusal::NoDigest
                | trust::Refusal::Malformed
                | trust::Refusal::Namespace(_) => {
                    "records are written and signed by `securebase review approve` or `request-changes` with the signer's own SSH key; a record made any other way never counts"
                }
                trust::Refusal::UnknownKey { .. } => {
                    "the signer lists the key under `signing_keys` in their people file (in production: the version an editor approved; editors' keys come from the trust root)"
                }
                trust::Refusal::OutsideValidity { .. } => {
                    "sign with a key that is valid on the record's date, or correct the key's dates in an editor-approved people file"
                }
                _ => {
                    "ledgers are append-only: restore the record exactly as it was signed, or have the signer review the text again"
                }
            };
            self.error(Code::Signature, path, provenance.locator(path).entry_key(i, key), message, hint);
        }
    }
}

/// The Levenshtein distance between two short strings, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;
    use crate::Library;
    use crate::config::is_safe_address;

    #[test]
    fn a_second_ledger_for_an_item_or_a_people_file_is_an_error() {
        const SITE: &[u8] = b"title = \"T\"\ndescription = \"D\"\nbase_url = \"https://t.example\"\n";
        const TEAM: &[u8] = b"name: Team\nkind: organisation\nroles: [author]\nemail: team@t.example\n";
        const GUIDE: &[u8] = b"---\ntitle: A guide\nsummary: A fictional guide.\nauthor: team\ncreated: 2026-01-01\nsources:\n  - authors: [\"A, B.\"]\n    year: 2000\n    title: T\n    publisher: P\n---\nBody.\n";
        let files: Vec<(&str, &[u8])> = vec![
            ("people/team.yaml", TEAM),
            ("guides/a.md", GUIDE),
            ("reviews/guides/a.yaml", b"[]\n"),
            ("reviews/guides/a.yml", b"[]\n"),
            ("reviews/people/team.yaml", b"[]\n"),
            ("reviews/people/team.yml", b"[]\n"),
        ];
        let errors = Library::from_memory(SITE, &files).unwrap_err();
        let found: Vec<String> = errors.errors().map(|d| format!("{}: {}", d.file.display(), d.message)).collect();
        assert_eq!(
            found,
            [
                "content/reviews/guides/a.yml: a second review ledger for guides/a; the first is content/reviews/guides/a.yaml",
                "content/reviews/people/team.yml: a second review ledger for people/team; the first is content/reviews/people/team.yaml",
            ]
        );
    }

    #[test]
    fn configured_addresses_must_be_pages_or_safe_schemes() {
        for ok in ["/guides/x/", "https://988lifeline.org", "tel:988", "SMS:741741", "mailto:a@b.example"] {
            assert!(is_safe_address(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", "//evil.example", "data:text/html,x", "vbscript:x", "relative/path"] {
            assert!(!is_safe_address(bad), "{bad}");
        }
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("avoidant", "avoidant"), 0);
        assert_eq!(edit_distance("avoidnat", "avoidant"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
