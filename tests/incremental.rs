//! Incremental rebuilds, as `securebase serve` does them: after an edit,
//! reloading only the changed items and rendering only what shows them
//! (into memory) must give exactly the site, warnings and errors of a build
//! from scratch (written to disk by `securebase_site::build`, as the
//! command's builds are).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{copy_dir, files_under, project_root};
use securebase::{Diagnostics, Library, Reload};
use securebase_site::output::MARKER;
use securebase_site::{BuildOptions, Edition, GitInputs, Part, RenderCache, Rerender, Site, after_edit};
use tempfile::TempDir;

/// A copy of the shipped project to edit.
fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    for part in ["content", "themes"] {
        copy_dir(&project_root().join(part), &dir.path().join(part));
    }
    fs::copy(project_root().join("site.toml"), dir.path().join("site.toml")).unwrap();
    dir
}

fn options() -> BuildOptions {
    let today = "2026-11-29".parse().unwrap();
    BuildOptions { edition: Edition::Preview, today, git: GitInputs::default(), theme: None, bundle: None }
}

/// Every file of a build from scratch, as written to disk, by path.
fn full_render(library: &Library) -> BTreeMap<String, Vec<u8>> {
    let out = TempDir::new().unwrap();
    let out = out.path().join("public");
    let report = securebase_site::build(library, &out, &options()).unwrap();
    let files: BTreeMap<String, Vec<u8>> = files_under(&out)
        .into_iter()
        .filter(|path| path != MARKER)
        .map(|path| {
            let bytes = fs::read(out.join(&path)).unwrap();
            (path, bytes)
        })
        .collect();
    assert_eq!(files.len(), report.files, "the build wrote what it reported");
    files
}

/// Renders `part` of `site` into memory, as serve does.
fn render(site: &Site<'_>, part: Part<'_>) -> Vec<(String, Vec<u8>)> {
    site.render(part).unwrap()
}

/// What a fresh load of the project finds wrong, without positions (a
/// reload checks only part of the sources, so it cannot always place them).
fn problems(diagnostics: &Diagnostics) -> BTreeSet<(String, String, String)> {
    diagnostics.iter().map(|d| (d.code.as_str().to_owned(), d.file.display().to_string(), d.message.clone())).collect()
}

/// Edits `file` under `root` with `edit`, reloads, and renders what the
/// edit shows on; returns the resulting site and what the reload did.
fn edit_and_update(
    root: &Path,
    library: &mut Library,
    site: &mut BTreeMap<String, Vec<u8>>,
    cache: &RenderCache,
    file: &str,
    edit: impl Fn(String) -> String,
) -> Rerender {
    let path = root.join(file);
    fs::write(&path, edit(fs::read_to_string(&path).unwrap())).unwrap();
    let rerender = after_edit(library, &[PathBuf::from(file)]).expect("the edit is valid");
    let options = options();
    let rendered = Site::new(library, &options).unwrap().with_cache(cache);
    match &rerender {
        Rerender::Items(shown) => {
            site.extend(render(&rendered, Part::Items(shown)));
            site.extend(render(&rendered, Part::Lists));
        }
        Rerender::All => *site = render(&rendered, Part::All).into_iter().collect(),
    }
    rerender
}

#[test]
fn an_edited_item_renders_again_exactly_as_a_full_build_would() {
    let dir = project();
    let root = dir.path();
    let mut library = Library::load(root).unwrap();
    let cache = RenderCache::new();
    let options = options();
    let mut site: BTreeMap<String, Vec<u8>> =
        render(&Site::new(&library, &options).unwrap().with_cache(&cache), Part::All).into_iter().collect();
    drop(options);

    // A new title shows on the pages of the styles it helps and of the items
    // that list it as related; new body text only on its own page.
    let reload = edit_and_update(root, &mut library, &mut site, &cache, "content/strategies/mindfulness.md", |text| {
        text.replace("title: Practice mindfulness", "title: Practice mindful noticing").replacen(
            "\n## ",
            "\nA sentence added in the edit.\n\n## ",
            1,
        )
    });
    // Its own page, the styles it helps and the items that list it as related.
    let shown = [
        "styles/ambivalent",
        "styles/avoidant",
        "styles/disorganized",
        "styles/secure",
        "strategies/mindfulness",
        "strategies/self-compassion",
        "therapies/dbt",
        "therapies/emotion-focused-therapy",
    ];
    assert_eq!(reload, Rerender::Items(shown.iter().map(|r| r.parse().unwrap()).collect()));
    assert!(String::from_utf8_lossy(&site["styles/avoidant/index.html"]).contains("Practice mindful noticing"));
    let fresh = Library::load(root).unwrap();
    assert_eq!(site, full_render(&fresh), "the incremental site differs from a full build");
    assert_eq!(problems(library.warnings()), problems(fresh.warnings()));

    // A changed relation: the style stops listing a strategy that still
    // says it helps the style, which both changes pages and draws a warning.
    let reload = edit_and_update(root, &mut library, &mut site, &cache, "content/styles/avoidant.md", |text| {
        text.replacen("  - strategies/set-boundaries\n", "", 1)
    });
    assert!(matches!(reload, Rerender::Items(_)));
    let fresh = Library::load(root).unwrap();
    assert_eq!(site, full_render(&fresh), "the incremental site differs from a full build");
    assert!(!fresh.warnings().is_empty(), "the one-sided relation draws a warning");
    assert_eq!(problems(library.warnings()), problems(fresh.warnings()));

    // And back: the warning goes again.
    let reload = edit_and_update(root, &mut library, &mut site, &cache, "content/styles/avoidant.md", |text| {
        text.replacen(
            "  - strategies/self-compassion\n",
            "  - strategies/self-compassion\n  - strategies/set-boundaries\n",
            1,
        )
    });
    assert!(matches!(reload, Rerender::Items(_)));
    let fresh = Library::load(root).unwrap();
    assert_eq!(site, full_render(&fresh));
    assert_eq!(problems(library.warnings()), problems(fresh.warnings()));

    // A person's file is not an item: everything is loaded again.
    let person = "content/people/securebase-editorial.yaml";
    let reload = edit_and_update(root, &mut library, &mut site, &cache, person, |text| text + "\n");
    assert_eq!(reload, Rerender::All);
    assert_eq!(site, full_render(&Library::load(root).unwrap()));
}

#[test]
fn a_broken_edit_reports_what_a_full_load_reports_and_keeps_the_library() {
    let dir = project();
    let root = dir.path();
    let mut library = Library::load(root).unwrap();
    let before = full_render(&library);
    let file = "content/therapies/dbt.md";
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    for broken in [
        text.replacen("title:", "title: [unclosed", 1),
        text.replacen("author: securebase-editorial", "author: nobody-at-all", 1),
        text.replacen("title:", "colour: blue\ntitle:", 1),
    ] {
        fs::write(&path, &broken).unwrap();
        let errors = library.reload(&[PathBuf::from(file)]).expect_err("the edit is broken");
        let fresh = Library::load(root).expect_err("a full load fails too");
        let text = |d: &Diagnostics| d.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(text(&errors), text(&fresh), "the reload reports exactly what a full load reports");
        assert_eq!(full_render(&library), before, "the library is unchanged by a failed reload");
    }
    fs::write(&path, &text).unwrap();
    assert_eq!(library.reload(&[PathBuf::from(file)]).unwrap(), Reload::Items(vec!["therapies/dbt".parse().unwrap()]));
    assert_eq!(full_render(&library), before);
}
