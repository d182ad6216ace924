//! The edition bundle: one file holding everything a production build
//! published from (each approved item, people file, `site.toml` and theme
//! file, the ledgers whose signed records approve them, and the trust
//! root's fingerprints), written by the build and verified by
//! [`Edition::from_bundle`] without git or any other process.
//!
//! Loading a bundle runs the same passes as the production edition: every
//! file through the shape pass, every record's signature and chain
//! checked against the trust root (editors) and the approved people files
//! (clinical reviewers), every rule; and then each file's bytes must be
//! the version its ledger's latest approval signs. Any problem refuses the
//! whole bundle.

pub mod container;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Position};
#[cfg(feature = "project")]
use crate::edition::Production;
use crate::layout::ProjectLayout;
use crate::library::Library;
use crate::model::{AnyItem, BlobId, Date, ItemRef, Person, Sha256, Subject};
use crate::review::latest_approval;
use crate::trust::{Mathematics, TrustRoot};

pub use container::{Container, FormatError};

/// This library's name and version, as a bundle records its generator.
pub const GENERATOR: &str = concat!("securebase ", env!("CARGO_PKG_VERSION"));

/// What a build recorded about itself besides the content: facts that
/// change no signature and that a verifier needs to render the same site.
/// They are not signed: the bundle proves what the text is and who
/// approved it, not when it was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Made {
    /// The generator that wrote the bundle ([`GENERATOR`]).
    pub generator: String,
    /// The date the build judged reviews overdue against.
    pub date: Date,
    /// The commit the build was made from, if any.
    pub commit: Option<String>,
}

impl Made {
    /// The facts of a build by this generator on `date` from `commit`.
    pub fn new(date: Date, commit: Option<String>) -> Made {
        Made { generator: GENERATOR.to_owned(), date, commit }
    }
}

/// A verified approval: who signed it (their editor-approved people
/// file), with which key, on what day. Only [`Approved`] hands these out,
/// each one checked against the trust root.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Verified {
    /// The signer: a clinician for an item, an editor for a people file,
    /// `site.toml` or the theme, as their approved people file describes
    /// them (name, credentials, licence).
    pub signer: Person,
    /// The SHA-256 fingerprint of the key that made the signature
    /// (`SHA256:…`, as `ssh-keygen -l` prints it).
    pub fingerprint: String,
    /// The date the signed record carries.
    pub date: Date,
    /// Which approved version this is: 1 for the first distinct text
    /// approved, 2 for the next, …
    pub version: u32,
    /// What the version changed, as the signer wrote it.
    pub summary: String,
}

/// Why a bundle was refused. Nothing of a refused bundle is handed out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The bytes are not a well-formed bundle (truncated, reordered, not
    /// this format).
    #[error("{name}: not a readable edition bundle: {error}")]
    Format {
        /// The name the caller gave the bundle.
        name: String,
        /// Where and why reading stopped.
        error: FormatError,
    },
    /// A preview bundle was given where an approved edition is needed.
    #[error(
        "{name} is a preview bundle: it holds working text that no clinician's signature was checked for; \
         use the bundle a production build wrote (`edition.bundle` in its output)"
    )]
    Preview {
        /// The bundle's name.
        name: String,
    },
    /// The bundle was made against another trust root.
    #[error(
        "{name} was verified against another trust root ({bundle}), not {given} ({path}); \
         pin the trust root of the deployment the bundle comes from"
    )]
    TrustRoot {
        /// The bundle's name.
        name: String,
        /// The bundle's editors and fingerprints.
        bundle: String,
        /// The given trust root's.
        given: String,
        /// The given trust root's file.
        path: PathBuf,
    },
    /// The content, a signature, a chain or a rule does not hold; every
    /// problem, located in the file inside the bundle.
    #[error("the bundle's approvals do not hold ({0})")]
    Invalid(Diagnostics),
}

/// A loaded bundle: either an approved edition, every signature verified,
/// or a preview, which says so in its type.
///
/// Deliberately exhaustive: a `match` names both, so a preview cannot pass
/// for approved content.
#[derive(Debug)]
pub enum Edition {
    /// A production bundle, verified against a trust root.
    Approved(Approved),
    /// The working text: no approval was checked. Never for readers.
    Preview(Preview),
}

/// The production edition, every approval verified: the text a reader of
/// the public site sees, and nothing else.
#[derive(Debug)]
pub struct Approved {
    library: Library,
    theme: Vec<(String, Vec<u8>)>,
    approvals: BTreeMap<Subject, Verified>,
    made: Made,
}

/// The working text of a project as a preview bundle holds it (the
/// shipped content's is one): every file checked for shape and references,
/// but no approval, so none of it is clinician-approved. For tests, demos
/// and previews, never for readers.
#[derive(Debug)]
pub struct Preview {
    library: Library,
    made: Made,
}

impl Edition {
    /// Reads and verifies a bundle (`name` says which, in errors). A
    /// production bundle must have been made against `trust_root`, and
    /// every record in it must verify against it and the approved people
    /// files; a preview bundle is loaded and checked as the working tree
    /// is, and comes back as [`Edition::Preview`].
    ///
    /// # Errors
    ///
    /// The first reason for a malformed bundle, or every problem with its
    /// content, signatures and approvals, located.
    pub fn from_bundle(name: &str, bytes: &[u8], trust_root: &TrustRoot) -> Result<Edition, BundleError> {
        let container = parse(name, bytes)?;
        if container.edition == "preview" {
            return Preview::from_container(name, container).map(Edition::Preview);
        }
        Approved::from_container(name, container, trust_root).map(Edition::Approved)
    }

    /// The approved edition, if this is one.
    pub fn approved(&self) -> Option<&Approved> {
        match self {
            Edition::Approved(a) => Some(a),
            Edition::Preview(_) => None,
        }
    }
}

fn parse(name: &str, bytes: &[u8]) -> Result<Container, BundleError> {
    Container::parse(bytes).map_err(|error| BundleError::Format { name: name.to_owned(), error })
}

impl Approved {
    /// Reads and verifies a production bundle against `trust_root`,
    /// refusing a preview bundle.
    ///
    /// # Errors
    ///
    /// As [`Edition::from_bundle`], and [`BundleError::Preview`].
    pub fn from_bundle(name: &str, bytes: &[u8], trust_root: &TrustRoot) -> Result<Approved, BundleError> {
        let container = parse(name, bytes)?;
        if container.edition != "production" {
            return Err(BundleError::Preview { name: name.to_owned() });
        }
        Approved::from_container(name, container, trust_root)
    }

    fn from_container(name: &str, container: Container, trust_root: &TrustRoot) -> Result<Approved, BundleError> {
        let given: Vec<(String, String)> =
            trust_root.fingerprints().into_iter().map(|(id, f)| (id.to_string(), f)).collect();
        if given != container.editors {
            let list = |editors: &[(String, String)]| {
                editors.iter().map(|(id, f)| format!("{id} {f}")).collect::<Vec<_>>().join(", ")
            };
            return Err(BundleError::TrustRoot {
                name: name.to_owned(),
                bundle: list(&container.editors),
                given: list(&given),
                path: trust_root.path.clone(),
            });
        }
        let made = made(name, &container)?;
        let Container { withheld, files, .. } = container;
        let parts = Parts::split(files);
        let mut diags = Diagnostics::new();
        let mut loaded = crate::load::load_memory(parts.site_toml(), &parts.content(), &mut diags);
        loaded.provenance.absent.extend(withheld);
        let library = Library::checked(Path::new(""), loaded, diags, Some(trust_root.clone()), Mathematics::Verify)
            .map_err(BundleError::Invalid)?;
        let mut problems = Diagnostics::new();
        let theme = parts.approved(&library, &mut problems);
        if problems.has_errors() {
            problems.sort();
            return Err(BundleError::Invalid(problems));
        }
        let approvals = approvals(&library);
        Ok(Approved { library, theme, approvals, made })
    }

    /// The library: every item, person and setting exactly as approved.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The verified approval of an item's text (every item in
    /// [`library`](Self::library) has one).
    pub fn verified(&self, item: &ItemRef) -> Option<&Verified> {
        self.approvals.get(&Subject::Item(item.clone()))
    }

    /// Every item with its verified approval, in collection and slug order.
    pub fn items(&self) -> impl Iterator<Item = (AnyItem<'_>, &Verified)> {
        self.library.all_items().filter_map(|item| Some((item, self.verified(&item.reference())?)))
    }

    /// The item's document in the site API's shape, with its verified
    /// approval as `review`
    /// ([`ItemDocument::to_json`](crate::ItemDocument::to_json) writes it).
    pub fn document(&self, item: &ItemRef) -> Option<crate::ItemDocument<'_, &Verified>> {
        Some(crate::ItemDocument::new(&self.library, self.library.item(item)?, self.verified(item)?))
    }

    /// Every verified approval, of items and of what editors approve
    /// (people files, `site.toml`, the theme), by subject.
    pub fn approvals(&self) -> &BTreeMap<Subject, Verified> {
        &self.approvals
    }

    /// The approved theme's files: (path in the project, bytes).
    pub fn theme(&self) -> &[(String, Vec<u8>)] {
        &self.theme
    }

    /// What the build recorded about itself (unsigned).
    pub fn made(&self) -> &Made {
        &self.made
    }
}

impl Preview {
    /// Reads a preview bundle: the working text, checked for shape and
    /// references only.
    ///
    /// # Errors
    ///
    /// A malformed bundle, a production bundle (load it with
    /// [`Approved::from_bundle`], which verifies it), or the content's
    /// problems.
    pub fn from_bundle(name: &str, bytes: &[u8]) -> Result<Preview, BundleError> {
        let container = parse(name, bytes)?;
        if container.edition != "preview" {
            let mut diags = Diagnostics::new();
            diags.push(
                Diagnostic::error(Code::Trust, name, Position::START, "this is a production bundle").with_hint(
                    "load it with `Approved::from_bundle` and the deployment's trust root, which verifies it",
                ),
            );
            return Err(BundleError::Invalid(diags));
        }
        Preview::from_container(name, container)
    }

    fn from_container(name: &str, container: Container) -> Result<Preview, BundleError> {
        let made = made(name, &container)?;
        let parts = Parts::split(container.files);
        let library = Library::from_memory(parts.site_toml(), &parts.content()).map_err(BundleError::Invalid)?;
        Ok(Preview { library, made })
    }

    /// A preview bundle of `site.toml` and the files under `content/`
    /// (paths inside it), as `build.rs` embeds the shipped content.
    pub fn bundle(site_toml: &[u8], content: &[(&str, &[u8])], made: &Made) -> Vec<u8> {
        let mut files = vec![(ProjectLayout::SITE_TOML.to_owned(), site_toml.to_vec())];
        files.extend(
            content.iter().map(|(inside, bytes)| (format!("{}/{inside}", ProjectLayout::CONTENT), bytes.to_vec())),
        );
        container_of("preview", made, Vec::new(), Vec::new(), files).to_bytes()
    }

    /// The working text: not approved by anyone.
    pub fn unapproved_library(&self) -> &Library {
        &self.library
    }

    /// What the build recorded about itself.
    pub fn made(&self) -> &Made {
        &self.made
    }
}

#[cfg(feature = "project")]
impl Production {
    /// The edition bundle of this production edition: every approved file
    /// it was made from, the ledgers approving them, the trust root's
    /// fingerprints and `made`. The same edition and `made` always give the
    /// same bytes.
    ///
    /// # Errors
    ///
    /// An approved file that cannot be read again, or that changed since
    /// the edition was made (its SHA-256 is not the one its record signs).
    pub fn bundle(&self, made: &Made) -> Result<Vec<u8>, crate::EditionError> {
        let files = self.files().map_err(crate::EditionError::Bundle)?;
        let editors = self
            .library
            .trust_root()
            .map(|root| root.fingerprints().into_iter().map(|(id, f)| (id.to_string(), f)).collect())
            .unwrap_or_default();
        Ok(container_of("production", made, editors, self.withheld.clone(), Vec::new()).to_bytes_with(&files))
    }
}

fn container_of(
    edition: &str,
    made: &Made,
    editors: Vec<(String, String)>,
    withheld: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
) -> Container {
    Container {
        edition: edition.to_owned(),
        generator: made.generator.clone(),
        date: made.date.to_string(),
        commit: made.commit.clone(),
        editors,
        withheld,
        files,
    }
}

fn made(name: &str, container: &Container) -> Result<Made, BundleError> {
    let date = container.date.parse().map_err(|_| BundleError::Format {
        name: name.to_owned(),
        error: FormatError { line: 4, offset: 0, message: format!("`{}` is not a date (YYYY-MM-DD)", container.date) },
    })?;
    Ok(Made { generator: container.generator.clone(), date, commit: container.commit.clone() })
}

/// A bundle's files by where they belong.
struct Parts {
    site_toml: Option<Vec<u8>>,
    /// Under `content/`, by path inside it.
    content: Vec<(String, Vec<u8>)>,
    /// Everything else: the theme's files.
    theme: Vec<(String, Vec<u8>)>,
}

impl Parts {
    fn split(files: Vec<(String, Vec<u8>)>) -> Parts {
        let mut parts = Parts { site_toml: None, content: Vec::new(), theme: Vec::new() };
        let prefix = format!("{}/", ProjectLayout::CONTENT);
        for (path, bytes) in files {
            if path == ProjectLayout::SITE_TOML {
                parts.site_toml = Some(bytes);
            } else if let Some(inside) = path.strip_prefix(&prefix) {
                parts.content.push((inside.to_owned(), bytes));
            } else {
                parts.theme.push((path, bytes));
            }
        }
        parts
    }

    /// `site.toml`'s bytes (empty when missing, which loading reports).
    fn site_toml(&self) -> &[u8] {
        self.site_toml.as_deref().unwrap_or_default()
    }

    fn content(&self) -> Vec<(&str, &[u8])> {
        self.content.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect()
    }

    /// Checks that every file is the version its ledger's latest approval
    /// signs and that nothing else is in the bundle, returning the theme.
    fn approved(self, library: &Library, problems: &mut Diagnostics) -> Vec<(String, Vec<u8>)> {
        let mut ledgers_wanted: BTreeSet<PathBuf> = BTreeSet::new();
        let mut check =
            |path: &Path, subject: Subject, bytes: &[u8]| {
                let ledger = ProjectLayout::ledger(&subject);
                let records = library.records(&subject);
                let approval = latest_approval(records);
                ledgers_wanted.insert(ledger.clone());
                let problem = match approval {
                    None => Some(format!(
                        "{subject} has no approval in {}, so production would not publish it",
                        ledger.display()
                    )),
                    Some(record)
                        if record.blob != BlobId::of(bytes) || record.sha256.as_ref() != Some(&Sha256::of(bytes)) =>
                    {
                        Some(format!(
                            "this is not the version of {subject} that its latest approval ({}, {}) signs",
                            record.date, record.reviewer
                        ))
                    }
                    Some(_) => None,
                };
                if let Some(message) = problem {
                    problems.push(Diagnostic::error(Code::Signature, path, Position::START, message).with_hint(
                        "the bundle was changed after the build; take the bundle the production build wrote",
                    ));
                }
            };
        check(Path::new(ProjectLayout::SITE_TOML), Subject::Site, self.site_toml());
        let prefix = Path::new(ProjectLayout::CONTENT);
        let ledgers: BTreeSet<&Path> = library
            .ledgers()
            .iter()
            .map(|l| l.path.as_path())
            .chain(library.editorial_ledgers().iter().map(|l| l.path.as_path()))
            .collect();
        let mut stray = Vec::new();
        for (inside, bytes) in &self.content {
            let path = prefix.join(inside);
            if let Some(item) = library.item_at(&path) {
                check(&path, Subject::Item(item.reference()), bytes);
            } else if let Some(person) = library.people().iter().find(|p| p.path == path) {
                check(&path, Subject::Person(person.id.clone()), bytes);
            } else if !ledgers.contains(path.as_path()) {
                stray.push(path);
            }
        }
        for path in stray {
            problems.push(
                Diagnostic::error(
                    Code::Signature,
                    &path,
                    Position::START,
                    "this file is not an item, people file or ledger the edition holds",
                )
                .with_hint("a bundle holds what its edition publishes and nothing else"),
            );
        }
        // The theme: exactly the files its record lists, each the bytes
        // the record signs.
        let theme_ledger = ProjectLayout::ledger(&Subject::Theme);
        ledgers_wanted.insert(theme_ledger.clone());
        let listed: BTreeMap<&str, &crate::model::ThemeFile> = latest_approval(library.records(&Subject::Theme))
            .map(|r| r.files.iter().map(|f| (f.path.as_str(), f)).collect())
            .unwrap_or_default();
        let held: BTreeSet<&str> = self.theme.iter().map(|(p, _)| p.as_str()).collect();
        for (path, bytes) in &self.theme {
            let message = match listed.get(path.as_str()) {
                None => "this file is not one of the approved theme's files, nor content or site.toml".to_owned(),
                Some(f) if f.blob == BlobId::of(bytes) && f.sha256 == Sha256::of(bytes) => continue,
                Some(_) => {
                    "this is not the version of the theme file that the theme's latest approval signs".to_owned()
                }
            };
            problems.push(
                Diagnostic::error(Code::Signature, path, Position::START, message)
                    .with_hint("the bundle was changed after the build; take the bundle the production build wrote"),
            );
        }
        for missing in listed.keys().filter(|p| !held.contains(*p)) {
            let message = format!("the approved theme lists {missing}, which the bundle does not hold");
            problems.push(
                Diagnostic::error(Code::Signature, &theme_ledger, Position::START, message)
                    .with_hint("the bundle was changed after the build; take the bundle the production build wrote"),
            );
        }
        // Ledgers only of what the edition publishes.
        for path in ledgers.into_iter().filter(|p| !ledgers_wanted.contains(*p)) {
            problems.push(
                Diagnostic::error(Code::Ledger, path, Position::START, "this ledger's subject is not in the bundle")
                    .with_hint("a bundle holds the ledgers of what it publishes and nothing else"),
            );
        }
        self.theme
    }
}

/// The verified approval of every subject with one: its latest approval,
/// as the version it approves.
fn approvals(library: &Library) -> BTreeMap<Subject, Verified> {
    let items = library.ledgers().iter().map(|l| (Subject::Item(l.item.clone()), &l.records));
    let editorial = library.editorial_ledgers().iter().map(|l| (l.subject.subject(), &l.records));
    items
        .chain(editorial)
        .filter_map(|(subject, records)| {
            let record = latest_approval(records)?;
            let version = crate::review::versions(records).into_iter().find(|v| *v.blob == record.blob)?;
            let verified = Verified {
                signer: library.person(&record.reviewer)?.clone(),
                fingerprint: version.signer,
                date: record.date,
                version: version.number,
                summary: record.summary.clone().unwrap_or_default(),
            };
            Some((subject, verified))
        })
        .collect()
}

impl fmt::Display for Verified {
    /// "Riley Example (fictional), LCSW, on 2026-12-07 (version 1, key
    /// SHA256:…)"; without credentials, "Alex Editor (fictional) on …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials: Vec<&str> = self.signer.credentials.iter().map(|c| c.abbreviation.as_str()).collect();
        write!(f, "{}", self.signer.name)?;
        if !credentials.is_empty() {
            write!(f, ", {},", credentials.join(", "))?;
        }
        write!(f, " on {} (version {}, key {})", self.date, self.version, self.fingerprint)
    }
}
