//! [`ProjectLayout`]: where each kind of file sits in a project, the one
//! place those paths are spelled.

use std::path::{Path, PathBuf};

use crate::model::{ItemRef, PersonId, Subject};

/// The layout of a project, as paths relative to its root (`/`-separated;
/// join them to the root for the file system).
///
/// ```
/// use securebase::{ItemRef, ProjectLayout, Subject};
///
/// let item: ItemRef = "styles/avoidant".parse().unwrap();
/// assert_eq!(ProjectLayout::item(&item), std::path::Path::new("content/styles/avoidant.md"));
/// assert_eq!(ProjectLayout::ledger(&Subject::Item(item)), std::path::Path::new("content/reviews/styles/avoidant.yaml"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProjectLayout;

impl ProjectLayout {
    /// The content: items, people and ledgers.
    pub const CONTENT: &'static str = "content";
    /// The site's settings.
    pub const SITE_TOML: &'static str = "site.toml";
    /// The review ledgers, inside the content.
    pub const REVIEWS: &'static str = "content/reviews";
    /// The themes, one folder each.
    pub const THEMES: &'static str = "themes";
    /// The project's own templates, which override the theme's.
    pub const TEMPLATES: &'static str = "templates";
    /// The project's own static files, which override the theme's.
    pub const STATIC: &'static str = "static";
    /// Everything a site is built from: what serve watches, what git's
    /// history is read for, what an output folder may never be inside
    /// (with `.git`).
    pub const INPUTS: [&'static str; 5] = [Self::CONTENT, Self::SITE_TOML, Self::THEMES, Self::TEMPLATES, Self::STATIC];
    /// What a theme is made of (`site.toml` names which theme).
    pub const THEME_INPUTS: [&'static str; 3] = [Self::THEMES, Self::TEMPLATES, Self::STATIC];

    /// An item's file: `content/<collection>/<slug>.md`.
    pub fn item(item: &ItemRef) -> PathBuf {
        Path::new(Self::CONTENT).join(item.collection.as_str()).join(format!("{}.md", item.slug))
    }

    /// A person's file: `content/people/<id>.yaml`.
    pub fn person(id: &PersonId) -> PathBuf {
        Path::new(Self::CONTENT).join("people").join(format!("{id}.yaml"))
    }

    /// A theme's folder: `themes/<name>`.
    pub fn theme(name: &str) -> PathBuf {
        Path::new(Self::THEMES).join(name)
    }

    /// The ledger of `subject`: `content/reviews/<collection>/<slug>.yaml`,
    /// `content/reviews/people/<id>.yaml`, `content/reviews/site.yaml` or
    /// `content/reviews/theme.yaml`.
    pub fn ledger(subject: &Subject) -> PathBuf {
        let reviews = Path::new(Self::REVIEWS);
        match subject {
            Subject::Item(item) => reviews.join(item.collection.as_str()).join(format!("{}.yaml", item.slug)),
            Subject::Person(id) => reviews.join("people").join(format!("{id}.yaml")),
            Subject::Site => reviews.join("site.yaml"),
            Subject::Theme => reviews.join("theme.yaml"),
        }
    }

    /// A project-relative path under `content/` as the path inside it
    /// (`content/styles/avoidant.md` is `styles/avoidant.md`),
    /// `/`-separated; `None` for a path elsewhere.
    pub fn inside_content(path: &Path) -> Option<String> {
        Some(crate::diagnostic::path_text(path.strip_prefix(Self::CONTENT).ok()?))
    }

    /// Whether a project-relative path is one of the theme's inputs, or
    /// `site.toml`, which names the theme.
    pub fn shapes_theme(path: &Path) -> bool {
        Self::THEME_INPUTS.iter().any(|dir| path.starts_with(dir)) || path == Path::new(Self::SITE_TOML)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_file_has_its_place() {
        let person: PersonId = "riley-example".parse().unwrap();
        assert_eq!(ProjectLayout::person(&person), Path::new("content/people/riley-example.yaml"));
        assert_eq!(ProjectLayout::theme("default"), Path::new("themes/default"));
        let ledgers = [
            (Subject::Person(person), "content/reviews/people/riley-example.yaml"),
            (Subject::Site, "content/reviews/site.yaml"),
            (Subject::Theme, "content/reviews/theme.yaml"),
            (Subject::Item("guides/overview".parse().unwrap()), "content/reviews/guides/overview.yaml"),
        ];
        for (subject, path) in ledgers {
            assert_eq!(ProjectLayout::ledger(&subject), Path::new(path), "{subject}");
        }
        let item: ItemRef = "therapies/cbt".parse().unwrap();
        assert_eq!(ProjectLayout::inside_content(&ProjectLayout::item(&item)).as_deref(), Some("therapies/cbt.md"));
        assert_eq!(ProjectLayout::inside_content(Path::new("site.toml")), None);
        assert_eq!(ProjectLayout::inside_content(Path::new("contents/x.md")), None);
    }

    #[test]
    fn the_theme_is_shaped_by_its_folders_and_site_toml_only() {
        for path in ["themes/default/templates/base.html", "templates/item.html", "static/logo.svg", "site.toml"] {
            assert!(ProjectLayout::shapes_theme(Path::new(path)), "{path}");
        }
        for path in ["content/site.toml", "content/styles/avoidant.md", "themes.toml", "site.toml.bak"] {
            assert!(!ProjectLayout::shapes_theme(Path::new(path)), "{path}");
        }
    }
}
