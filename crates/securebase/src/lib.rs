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
//! ```no_run
//! use securebase::{Library, Style};
//!
//! let library = match Library::load(".") {
//!     Ok(library) => library,
//!     Err(problems) => {
//!         for problem in &problems {
//!             eprintln!("{problem}");
//!         }
//!         std::process::exit(1);
//!     }
//! };
//! let avoidant = library.get::<Style>("avoidant").expect("the avoidant style");
//! for strategy in library.strategies_for(avoidant) {
//!     println!("{}: {}", strategy.meta.title, strategy.meta.summary);
//! }
//! ```
//!
//! Loading reports every problem at once, as [`Diagnostics`], each with the
//! file, line and column and a hint for the fix.

mod config;
mod diagnostic;
mod edition;
#[cfg(feature = "embedded")]
mod embedded;
mod frontmatter;
pub mod git;
mod library;
mod load;
mod model;
mod review;
#[cfg(feature = "schema")]
pub mod schema;
mod validate;

pub use config::{Care, CrisisResource, ReviewPolicy, SiteConfig, default_crisis};
pub use diagnostic::{Code, Diagnostic, Diagnostics, Position, Severity};
pub use edition::EditionError;
#[cfg(feature = "embedded")]
pub use embedded::embedded;
pub use library::Library;
pub use load::{MAX_FILE_BYTES, suggest_slug};
pub use model::*;
pub use review::{Review, State, Version, approval_refusal};
pub use validate::{MAX_SUMMARY_CHARS, MIN_SUMMARY_CHARS, SAFE_SCHEMES, is_safe_address};
