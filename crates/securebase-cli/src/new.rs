//! `securebase new <collection> <slug>`: a skeleton item that passes
//! `check` at once, with every placeholder marked TODO.

use crate::say;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use securebase::{Collection, Library, Role, Slug};

use crate::EXIT_ERRORS;

/// The front matter and body every skeleton shares, with `{extra}` for the
/// collection's own fields.
const SKELETON: &str = "---
title: \"TODO: {title}\"
summary: \"TODO: one or two plain sentences that say what this page is about and who it helps.\"
author: {author}
created: {created}
key_takeaways:
  - \"TODO: the first point a reader should take away.\"
related: []
{extra}sources:
  - authors: [\"TODO, A.\"]
    year: 2000
    title: \"TODO: replace with a published source this page draws on\"
    publisher: \"TODO\"
---
## TODO: first section

TODO: write the page in plain, warm language, from the sources above.
";

fn extra(collection: Collection) -> &'static str {
    match collection {
        Collection::Styles => {
            "also_known_as: []
security: insecure
dimensions:
  anxiety: high
  avoidance: high
signs:
  - \"TODO: a sign of this style\"
origins: \"TODO: the caregiving pattern this style often comes from.\"
in_relationships: \"TODO: how this style tends to show in adult relationships.\"
strategies: []
therapies: []
"
        }
        Collection::Strategies => {
            "helps_with: []
steps:
  - \"TODO: the first step\"
example: \"TODO: a concrete, everyday example.\"
"
        }
        Collection::Therapies => {
            "abbreviation: \"TODO\"
approach: \"TODO: what this therapy does.\"
what_to_expect: \"TODO: what sessions are like.\"
helps_with: []
"
        }
        Collection::Guides => "",
    }
}

/// Writes `content/<collection>/<slug>.md` under `root`.
pub fn run(root: &Path, collection: Collection, slug: &str) -> anyhow::Result<ExitCode> {
    let slug: Slug = match slug.parse() {
        Ok(slug) => slug,
        Err(e) => {
            eprintln!("error: {e}; for example `{}`", securebase::suggest_slug(slug));
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    };
    let path = root.join(securebase::ProjectLayout::item(&securebase::ItemRef::new(collection, slug.clone())));
    if path.exists() {
        eprintln!("error: {} already exists; securebase new never overwrites a file", path.display());
        return Ok(ExitCode::from(EXIT_ERRORS));
    }
    let library =
        Library::load(root).map_err(|d| anyhow::anyhow!("fix the content first ({d}); run `securebase check`"))?;
    let Some(author) = library.people().iter().find(|p| p.has_role(Role::Author)) else {
        eprintln!("error: no person in content/people/ has the author role; add one first");
        return Ok(ExitCode::from(EXIT_ERRORS));
    };
    let title = slug.as_str().replace('-', " ");
    let text = SKELETON
        .replace("{title}", &title)
        .replace("{author}", author.id.as_str())
        .replace("{created}", &crate::build::today()?.to_string())
        .replace("{extra}", extra(collection));
    std::fs::create_dir_all(path.parent().unwrap_or(root))
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    say!("wrote {}; replace every TODO, then run `securebase check`", path.display());
    Ok(ExitCode::SUCCESS)
}
