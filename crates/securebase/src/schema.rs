//! JSON Schema for every file an editor writes: the front matter of each
//! collection, people files, review ledgers and `site.toml`, generated from
//! the same Rust types the loader uses (enable the `schema` feature).
//!
//! Editors point their YAML language server at these files for completion
//! and checks as they type.

use serde_json::Value;

use crate::load::{GuideFrontMatter, PersonFile, StrategyFrontMatter, StyleFrontMatter, TherapyFrontMatter};
use crate::model::{Collection, LedgerRecord};

pub use crate::model::SLUG_PATTERN;

fn with_title(schema: schemars::Schema, title: &str) -> Value {
    let mut value = schema.to_value();
    if let Some(object) = value.as_object_mut() {
        object.insert("title".into(), Value::String(title.to_owned()));
    }
    value
}

/// The schema of a collection's front matter.
pub fn front_matter(collection: Collection) -> Value {
    let schema = match collection {
        Collection::Styles => schemars::schema_for!(StyleFrontMatter),
        Collection::Strategies => schemars::schema_for!(StrategyFrontMatter),
        Collection::Therapies => schemars::schema_for!(TherapyFrontMatter),
        Collection::Guides => schemars::schema_for!(GuideFrontMatter),
    };
    with_title(schema, &format!("securebase {} front matter", collection.singular()))
}

/// The schema of a person file (`content/people/<id>.yaml`).
pub fn person() -> Value {
    with_title(schemars::schema_for!(PersonFile), "securebase person")
}

/// The schema of a review ledger (`content/reviews/<collection>/<slug>.yaml`).
pub fn ledger() -> Value {
    with_title(schemars::schema_for!(Vec<LedgerRecord>), "securebase review ledger")
}

/// The schema of `site.toml`.
pub fn site_config() -> Value {
    with_title(schemars::schema_for!(crate::config::SiteConfig), "securebase site.toml")
}

/// Every schema with the file name `securebase schema` writes it to.
pub fn all() -> Vec<(String, Value)> {
    let mut schemas: Vec<(String, Value)> =
        Collection::ALL.iter().map(|c| (format!("{c}.schema.json"), front_matter(*c))).collect();
    schemas.push(("person.schema.json".into(), person()));
    schemas.push(("ledger.schema.json".into(), ledger()));
    schemas.push(("site.schema.json".into(), site_config()));
    schemas
}
