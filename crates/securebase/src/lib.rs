//! # securebase: clinician-reviewed mental-health content as typed data
//!
//! This crate loads securebase content (a `site.toml` and a `content/`
//! folder of YAML and Markdown) into a typed, validated [`Library`]:
//! attachment [`Style`]s, self-help [`Strategy`]s, [`Therapy`]s and
//! [`Guide`]s, the [`Person`]s who write and review them, their
//! [`Citation`]s, and each item's review [`Ledger`].
//!
//! It never renders HTML: the site generator and any other app (a care
//! matching service, a chat assistant) read the same typed content from it.
//!
//! ## Which text to show readers: editions
//!
//! The working text of a project is not what readers may see: only a
//! version a licensed clinician approved is. Pick the edition by who reads:
//!
//! | You want | Use | What you get |
//! |---|---|---|
//! | What the public site shows | [`Approved::from_bundle`] with the site's `edition.bundle` and your pinned trust root | Only approved text; every item with its [`Verified`] approval (signer, key, date); refused whole if any signature, chain or file does not verify |
//! | A demo or a test | `embedded()` (feature `embedded`), [`Preview::from_bundle`] | The working text, typed as a [`Preview`]: [`Preview::unapproved_library`] says what it is |
//! | A writing or review tool | [`Library::load`] on a checkout (feature `project`) | The working tree, each item with its [`State`] ([`Library::review`]) |
//!
//! A production build writes the bundle to `/edition.bundle` (the API
//! index gives its address). An app includes the bundle its deployment
//! built (`include_bytes!`) or fetches it, and pins the deployment's trust
//! root (the editors' public keys) in its own configuration, never taken
//! from the site. [`Edition::from_bundle`] loads either kind and says which
//! in its type; `match` names both.
//!
//! ## Adding the dependency
//!
//! securebase is not on crates.io yet: depend on a checkout or on the
//! repository.
//!
//! ```toml
//! [dependencies]
//! securebase = { path = "../securebase/crates/securebase" }
//! # or: securebase = { git = "https://your.git.host/securebase.git" }
//!
//! # An app that only reads bundles leaves out loading from disk, git,
//! # recording decisions and rayon (8 crates fewer; README's "Using the
//! # content library" has the build times):
//! # securebase = { path = "...", default-features = false }
//! ```
//!
//! Features: `project` (default: [`Library::load`], `check`, `reload`,
//! [`git`], [`Library::production`], [`decision`]), `parallel` (default:
//! signatures checked on every core), `embedded` (the shipped content as a
//! preview bundle), `schema` (JSON Schema of the file formats).
//!
//! ## Reading a verified edition
//!
//! ```
//! use securebase::{Approved, TrustRoot};
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edition");
//! // The deployment's trust root, pinned by the app, and the bundle its
//! // production build wrote.
//! let trust_root = TrustRoot::read(&dir.join("trust-root")).expect("a trust root");
//! let bundle = std::fs::read(dir.join("edition.bundle")).expect("the bundle");
//!
//! let edition = Approved::from_bundle("edition.bundle", &bundle, &trust_root).expect("every approval verifies");
//! for (item, verified) in edition.items() {
//!     // "Avoidant attachment: Riley Example (fictional), LCSW, on 2026-12-07 (version 1, key SHA256:…)"
//!     println!("{}: {verified}", item.meta().title);
//!     assert_eq!(verified.signer.name, "Riley Example (fictional)");
//! }
//! // The item as the site's API serves it, with its verified approval.
//! let avoidant = "styles/avoidant".parse().expect("a reference");
//! let json = edition.document(&avoidant).expect("an approved item").to_json().expect("JSON");
//! assert!(json.contains("\"fingerprint\":\"SHA256:"));
//!
//! // One changed byte, and nothing of the bundle is handed out.
//! let mut tampered = bundle.clone();
//! let at = tampered.windows(7).position(|w| w == b"## What").expect("a heading");
//! tampered[at + 3] = b'w';
//! assert!(Approved::from_bundle("edition.bundle", &tampered, &trust_root).is_err());
//! ```
//!
//! ## Loading files you hold
//!
//! [`Library::load`] reads a project folder; [`Library::from_memory`] reads
//! files you already hold. Each item is an [`Item`]: the common [`Meta`]
//! and its collection's own fields (`item.fields`). Review state comes from
//! [`Library::review`], against a date ([`today()`]).
//!
//! ```
//! use securebase::{Library, State, Strategy, Style};
//!
//! let site_toml = br#"
//! title = "Example"
//! description = "A tiny example site."
//! base_url = "https://example.org"
//! "#;
//! let team = b"name: Example Team\nkind: organisation\nroles: [author]\nemail: team@example.org\n";
//! let style = b"---
//! title: Avoidant attachment
//! summary: Keeping people at a distance and relying mostly on yourself.
//! author: team
//! created: 2026-01-15
//! security: insecure
//! dimensions: { anxiety: low, avoidance: high }
//! origins: Care that was there in practical ways but distant.
//! in_relationships: Needing space, especially after conflict.
//! strategies: [strategies/mindfulness]
//! sources:
//!   - { authors: [\"Bowlby, J.\"], year: 1969, title: Attachment, publisher: Basic Books }
//! ---
//! Body text.
//! ";
//! let strategy = b"---
//! title: Practise mindfulness
//! summary: Noticing feelings as they happen, so there is a pause before reacting.
//! author: team
//! created: 2026-01-15
//! helps_with: [styles/avoidant]
//! example: Noticing the urge to withdraw, and naming it.
//! sources:
//!   - { authors: [\"Neff, K. D.\"], year: 2003, title: Self-compassion, journal: Self and Identity }
//! ---
//! Body text.
//! ";
//! let library = Library::from_memory(site_toml, &[
//!     ("people/team.yaml", &team[..]),
//!     ("styles/avoidant.md", &style[..]),
//!     ("strategies/mindfulness.md", &strategy[..]),
//! ])
//! .expect("valid content");
//!
//! let avoidant = library.get::<Style>("avoidant").expect("the avoidant style");
//! let helpers: Vec<&str> = library.strategies_for(avoidant).map(|s| s.meta.title.as_str()).collect();
//! assert_eq!(helpers, ["Practise mindfulness"]);
//!
//! let today = "2026-11-28".parse().expect("a date");
//! let review = library.review(&avoidant.reference(), today).expect("an item");
//! assert_eq!(review.state, State::NeverReviewed);
//! assert_eq!(library.get::<Strategy>("mindfulness").map(|s| s.fields.helps_with.len()), Some(1));
//! ```
//!
//! Each item's [`Meta::readability`] holds the Flesch-Kincaid figures of its
//! summary and prose, measured as it loaded ([`Figures::measure`] measures
//! any Markdown text).
//!
//! Loading reports every problem at once, as [`Diagnostics`], each with the
//! file, line and column and a hint for the fix. To validate a project
//! without keeping it (in a pre-commit hook, say), [`Library::check`]
//! reports exactly the same problems and holds no page bodies.

// Without `project`, the helpers only loading from disk uses are left
// unused rather than each marked.
#![cfg_attr(not(feature = "project"), allow(dead_code, unused_imports))]

pub mod bundle;
mod config;
#[cfg(feature = "project")]
pub mod decision;
mod diagnostic;
pub mod document;
#[cfg(feature = "project")]
mod edition;
#[cfg(feature = "embedded")]
mod embedded;
mod frontmatter;
#[cfg(feature = "project")]
pub mod git;
mod layout;
mod library;
mod load;
mod memo;
mod model;
mod open;
pub mod passkey;
mod readability;
mod relpath;
mod review;
#[cfg(feature = "schema")]
pub mod schema;
pub mod trust;
mod validate;

/// Entry points for the fuzz targets in `fuzz/`; not part of the API.
#[doc(hidden)]
pub mod __fuzz {
    /// Reads `bytes` as an edition bundle: a container that parses writes
    /// back to the same bytes, and loading never panics.
    pub fn bundle(bytes: &[u8]) {
        if let Ok(container) = crate::bundle::Container::parse(bytes) {
            assert_eq!(container.to_bytes(), bytes, "a parsed bundle writes back to its bytes");
        }
        let _ = crate::bundle::Edition::from_bundle("fuzz", bytes, &crate::TrustRoot::default());
    }

    /// Decodes and splits `bytes` as a content file, checking that every
    /// position reported stays inside the text.
    pub fn split(bytes: &[u8]) {
        let Ok(text) = crate::frontmatter::decode(bytes.to_vec()) else { return };
        let lines = text.lines().count().max(1);
        match crate::frontmatter::split(&text) {
            Ok(split) => {
                assert!(split.body_line <= lines + 2);
                let _ = crate::frontmatter::find_anchor(split.yaml);
            }
            Err(e) => assert!(e.at.line <= lines + 1),
        }
    }
}

pub use bundle::{Approved, BundleError, Edition, Made, Preview, Verified};
pub use config::{
    Care, CrisisResource, ReadabilityLevel, ReadabilityLimits, ReviewPolicy, SafetyNote, SiteConfig, default_crisis,
};
pub use config::{SAFE_SCHEMES, is_safe_address};
pub use diagnostic::{Code, Diagnostic, Diagnostics, Position, Severity, path_text, visible};
pub use document::{API_VERSION, ItemDocument};
#[cfg(feature = "project")]
pub use edition::{EditionError, Production, counted_keys};
#[cfg(feature = "embedded")]
pub use embedded::embedded;
pub use frontmatter::front_matter_and_body;
pub use layout::{ProjectLayout, ThemeFilesError};
pub use library::{ItemReadability, Library};
pub use load::{MAX_FILE_BYTES, suggest_slug};
pub use memo::ReadabilityMemo;
pub use model::*;
pub use open::{Checked, Reload};
pub use readability::{Figures, Readability, Sentence};
pub use review::{Action, Review, State, Version, approval_refusal, clinician_refusal, latest_approval, today};
pub use trust::TrustRoot;
pub use validate::{MAX_SUMMARY_CHARS, MIN_SUMMARY_CHARS};
