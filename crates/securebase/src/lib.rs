//! # securebase: clinician-reviewed mental-health content as typed data
//!
//! This crate loads a securebase project (a `site.toml` and a `content/`
//! folder of YAML and Markdown) into a typed, validated [`Library`]:
//! attachment [`Style`]s, self-help [`Strategy`]s, [`Therapy`]s and
//! [`Guide`]s, the [`Person`]s who write and review them, their
//! [`Citation`]s, and each item's review [`Ledger`].
//!
//! It never renders HTML: the site generator and any other app (a care
//! matching service, a chat assistant) read the same typed content from it.
//!
//! ## From `cargo add` to printing content
//!
//! ```sh
//! cargo add securebase --features embedded   # the shipped content, bundled
//! ```
//!
//! `embedded()` (with the `embedded` feature) gives the bundled content; [`Library::load`] reads a
//! project folder; [`Library::from_memory`] reads files you already hold.
//! Each item is an [`Item`]: the common [`Meta`] and its collection's own
//! fields (`item.fields`). Review state comes from [`Library::review`].
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
