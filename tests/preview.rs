//! End-to-end tests of `securebase preview`: the shipped content renders
//! into a complete site whose links all resolve; hostile content comes out
//! inert; builds are reproducible; a failed build leaves the old site.

mod common;

use std::fs;
use std::path::Path;

use common::{
    attribute_names, attributes, check_links, copy_dir, copy_fixture_with_theme, files_under, html_unescape,
    json_ld_blocks, project_root, securebase, tags,
};
use serde_json::Value;
use tempfile::TempDir;

fn preview(root: &Path, out: &Path) -> std::process::Output {
    securebase().args(["preview", "--root"]).arg(root).arg("--out").arg(out).output().unwrap()
}

fn build_ok(root: &Path, out: &Path) {
    let output = preview(root, out);
    assert!(output.status.success(), "preview failed: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_shipped_content_renders_a_complete_site_with_working_links() {
    let out = TempDir::new().unwrap();
    let site = out.path().join("public");
    build_ok(&project_root(), &site);
    let files = files_under(&site);
    let mut expected: Vec<String> = [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "feed.xml",
        "search-index.json",
        "search/index.html",
        "editorial-process/index.html",
        "people/index.html",
        "people/securebase-editorial/index.html",
        "styles/index.html",
        "strategies/index.html",
        "therapies/index.html",
        "guides/index.html",
        "api/v1/index.json",
        "api/v1/styles.json",
        "assets/style.css",
        "assets/search.js",
    ]
    .map(String::from)
    .to_vec();
    let library = securebase::Library::load(project_root()).unwrap();
    for item in library.all_items() {
        let r = item.reference();
        expected.push(format!("{}/{}/index.html", r.collection, r.slug));
        expected.push(format!("api/v1/{}/{}.json", r.collection, r.slug));
    }
    for file in &expected {
        assert!(files.contains(file), "{file} is missing from the output");
    }

    // Every internal link and anchor resolves; pages make no request to another host.
    let checked = check_links(&site);
    for file in files.iter().filter(|f| f.ends_with(".html")) {
        let html = fs::read_to_string(site.join(file)).unwrap();
        for block in json_ld_blocks(&html) {
            let ld: Value =
                serde_json::from_str(block).unwrap_or_else(|e| panic!("{file}: JSON-LD does not parse: {e}"));
            if file.matches('/').count() == 2 && !file.starts_with("people/") {
                assert_eq!(ld["@type"], "MedicalWebPage", "{file}");
                for key in ["about", "author", "citation", "medicalAudience"] {
                    assert!(!ld[key].is_null(), "{file}: JSON-LD lacks {key}");
                }
                assert!(ld.get("reviewedBy").is_none(), "{file}: nothing is reviewed, so no reviewedBy");
            }
        }
        assert!(html.contains("988"), "{file} lacks the crisis resources");
        assert!(html.contains("not a substitute for professional"), "{file} lacks the care notice");
        assert!(html.contains("class=\"skip-link\" href=\"#main\""), "{file} lacks the skip link");
    }
    assert!(checked > 500, "only {checked} links checked");

    // Live reload belongs to `serve` only.
    for file in &files {
        let bytes = fs::read(site.join(file)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("__securebase"), "{file} has serve's live-reload hook");
    }

    // Item pages carry the honest review block.
    let avoidant = fs::read_to_string(site.join("styles/avoidant/index.html")).unwrap();
    assert!(avoidant.contains("Not yet clinically reviewed"));
    for href in ["/strategies/mindfulness/", "/therapies/cbt/"] {
        assert!(avoidant.contains(&format!("href=\"{href}\"")), "the avoidant page does not link {href}");
    }
    let guide = fs::read_to_string(site.join("guides/understanding-attachment/index.html")).unwrap();
    assert!(guide.contains("class=\"toc\""), "guides have a table of contents");

    // Machine outputs parse.
    for file in files.iter().filter(|f| f.ends_with(".json")) {
        let _: Value =
            serde_json::from_slice(&fs::read(site.join(file)).unwrap()).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let api: Value = serde_json::from_slice(&fs::read(site.join("api/v1/styles/avoidant.json")).unwrap()).unwrap();
    assert_eq!(api["review"]["state"], "never_reviewed");
    assert_eq!(api["review"]["overdue"], false);
    assert_eq!(api["version"], 2);
    assert_eq!(api["fields"]["security"], "insecure");
    for file in ["sitemap.xml", "feed.xml"] {
        let text = fs::read_to_string(site.join(file)).unwrap();
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file} is not well-formed XML: {e}"));
    }
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://securebase.example/styles/avoidant/</loc>"));
    let robots = fs::read_to_string(site.join("robots.txt")).unwrap();
    assert!(robots.contains("Disallow: /"), "the preview edition is not for search engines");
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = TempDir::new().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_ok(&project_root(), &a);
    build_ok(&project_root(), &b);
    let files = files_under(&a);
    assert_eq!(files, files_under(&b));
    for file in &files {
        assert!(fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(), "{file} differs between builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let site = copy_fixture_with_theme("valid");
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    let before: Vec<(String, Vec<u8>)> =
        files_under(&out).into_iter().map(|f| (f.clone(), fs::read(out.join(&f)).unwrap())).collect();

    // A broken template in the site's own templates/ overrides the theme's.
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/item.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{{ item.title \n{% endblock content %}\n",
    )
    .unwrap();
    let output = preview(site.path(), &out);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("templates/item.html:4:1: template error in `item.html`"),
        "the error names the template and line: {stderr}"
    );

    // So does broken content.
    fs::remove_file(site.path().join("templates/item.html")).unwrap();
    fs::write(site.path().join("content/guides/overview.md"), "---\ntitle: [\n---\n").unwrap();
    let output = preview(site.path(), &out);
    assert_eq!(output.status.code(), Some(1));

    let after: Vec<(String, Vec<u8>)> =
        files_under(&out).into_iter().map(|f| (f.clone(), fs::read(out.join(&f)).unwrap())).collect();
    assert!(before == after, "the previous output changed");
    let leftovers: Vec<_> = fs::read_dir(site.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public."))
        .collect();
    assert!(leftovers.is_empty(), "staging folders were left behind");
}

#[test]
fn a_site_template_overrides_the_theme() {
    let site = copy_fixture_with_theme("valid");
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Lost, overridden</h1>{% endblock content %}",
    )
    .unwrap();
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    assert!(fs::read_to_string(out.join("404.html")).unwrap().contains("Lost, overridden"));
}

#[test]
fn dangerous_output_folders_are_refused() {
    let site = copy_fixture_with_theme("valid");
    fs::create_dir_all(site.path().join("mine")).unwrap();
    fs::write(site.path().join("mine/notes.txt"), "keep").unwrap();
    for out in [
        site.path().to_path_buf(),
        site.path().join("content"),
        site.path().join("themes/default"),
        site.path().join("mine"),
    ] {
        let output = preview(site.path(), &out);
        assert_eq!(output.status.code(), Some(1), "{}", out.display());
        assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to write the site"), "{}", out.display());
    }
    assert_eq!(fs::read_to_string(site.path().join("mine/notes.txt")).unwrap(), "keep");
    assert!(site.path().join("content/styles/avoidant.md").is_file());
}

#[test]
fn a_bad_theme_name_is_refused() {
    let site = copy_fixture_with_theme("valid");
    fs::write(
        site.path().join("site.toml"),
        "title = \"T\"\ndescription = \"D\"\nbase_url = \"https://x.example\"\ntheme = \"../../etc\"\n",
    )
    .unwrap();
    let output = preview(site.path(), &site.path().join("public"));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("theme `../../etc`"));
}

const HOSTILE: &str = "<script>alert(1)</script></script><img src=x onerror=alert(2)>\\\"'&{{ x }}";

/// Writes a style whose every front-matter field and body holds `hostile`,
/// and an author whose name and bio hold it too.
fn write_hostile_site(root: &Path, hostile: &str) {
    let quoted = serde_json::to_string(hostile).unwrap();
    let style = format!(
        "---\ntitle: {quoted}\nsummary: {quoted}\nauthor: fixture-team\ncreated: 2026-01-15\nkey_takeaways:\n  - {quoted}\nalso_known_as: [{quoted}]\nsecurity: insecure\ndimensions:\n  anxiety: low\n  avoidance: high\nsigns:\n  - {quoted}\norigins: {quoted}\nin_relationships: {quoted}\nstrategies: [strategies/mindfulness]\ntherapies: [therapies/cbt]\nrelated: [guides/overview]\nsources:\n  - authors: [{quoted}]\n    year: 1969\n    title: {quoted}\n    publisher: {quoted}\n    url: \"javascript:alert(3)\"\n---\n## {hostile}\n\n{hostile}\n\n[click](javascript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox) <a href=\"JAVASCRIPT:alert(5)\">raw</a>\n\n<iframe src=\"https://evil.example\"></iframe><svg onload=alert(6)></svg>\n\n| {hostile} |\n|---|\n| [{hostile}](/styles/avoidant/) |\n"
    );
    fs::write(root.join("content/styles/avoidant.md"), style).unwrap();
    let person =
        format!("name: {quoted}\nkind: organisation\nroles: [author]\nemail: team@fixture.example\nbio: {quoted}\n");
    fs::write(root.join("content/people/fixture-team.yaml"), person).unwrap();
}

/// Checks that nothing in the site at `out` can run script or load from
/// another host; returns how many files contain `probe` (escaped or not).
fn assert_inert(out: &Path, probe: &str) -> usize {
    let mut seen = 0;
    for file in files_under(out) {
        let bytes = fs::read(out.join(&file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let lower = text.to_lowercase();
        if text.contains(probe) {
            seen += 1;
        }
        if file.ends_with(".html") {
            for tag in tags(&lower) {
                let name = tag.split(|c: char| c.is_whitespace() || c == '/' || c == '>').next().unwrap_or_default();
                assert!(
                    !["iframe", "svg", "object", "embed", "form", "base", "style", "meta", "link"].contains(&name)
                        || (name == "form" && tag.contains("action=\"/search/\""))
                        || (name == "meta" && !tag.contains("refresh"))
                        || (name == "link"
                            && attributes(&format!(" {tag}"), "href")
                                .iter()
                                .all(|h| h.starts_with('/') || h.starts_with("https://"))),
                    "{file} has an injected <{name}>: <{tag}>"
                );
                if name == "script" {
                    assert!(
                        tag.contains("type=\"application/ld+json\"") || tag.contains("src=\"/assets/search.js\""),
                        "{file} has an injected script: <{tag}>"
                    );
                }
                if name == "img" {
                    assert!(
                        !tag.contains("://") && !tag.contains("src=\"//"),
                        "{file} loads an image from elsewhere: <{tag}>"
                    );
                }
                assert!(
                    !attribute_names(tag).iter().any(|a| a.starts_with("on")),
                    "{file} has an event handler: <{tag}>"
                );
            }
            for block in json_ld_blocks(&text) {
                assert!(!block.contains('<'), "{file}: JSON-LD can close its script element");
                let _: Value = serde_json::from_str(block).unwrap();
            }
            for href in attributes(&text, "href") {
                let href = html_unescape(href).to_lowercase();
                assert!(!href.contains("script:") && !href.starts_with("data:"), "{file}: unsafe link {href}");
            }
        } else if file.ends_with(".xml") {
            let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(
                doc.descendants().all(|n| !n.has_tag_name("script") && !n.has_tag_name("img")),
                "{file} has injected elements"
            );
        } else if file.ends_with(".json") {
            let value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            if let Some(html) = value["body_html"].as_str() {
                let lower = html.to_lowercase();
                assert!(
                    !lower.contains("<script")
                        && !tags(&lower).iter().any(|t| attribute_names(t).iter().any(|a| a.starts_with("on"))),
                    "{file}: body_html is not sanitised"
                );
            }
        }
    }
    seen
}

#[test]
fn hostile_content_comes_out_escaped_or_removed() {
    let site = copy_fixture_with_theme("valid");
    write_hostile_site(site.path(), HOSTILE);
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    assert!(assert_inert(&out, "alert(1)") > 0, "the hostile strings should appear, escaped, somewhere");
}

/// Pieces of hostile input, combined at random by the property test below.
const FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>",
    "</script><script>x()</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<b>x</b>",
    "vbscript:msgbox(1)",
    "]]><!--",
    "-->",
    "{{ 7*7 }}",
    "{% raw %}",
    "&lt;script&gt;",
    "</title><svg onload=alert(1)>",
    "<iframe src=//evil.example>",
    "<style>*{display:none}</style>",
    "<base href=//evil.example/>",
    "<form action=//evil.example>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
    "<a href=\"vbscript:x\">v</a>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "\\",
    "`",
    "${x}",
    "&amp;&",
    "\u{202e}",
    "\u{0}",
    "\u{7}",
    "<![CDATA[x]]>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "[x](javascript:alert(1))",
    "![y](https://tracker.example/p.gif)",
];

#[test]
fn generated_hostile_strings_in_every_field_stay_inert() {
    let mut state = 0x5EC0_BA5Eu64;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % n as u64) as usize
    };
    for case in 0..12 {
        let probe = format!("PROBE{case}X");
        let mut hostile = probe.clone();
        for _ in 0..(3 + next(6)) {
            hostile.push_str(FRAGMENTS[next(FRAGMENTS.len())]);
            hostile.push(' ');
        }
        let site = copy_fixture_with_theme("valid");
        write_hostile_site(site.path(), &hostile);
        let out = site.path().join("public");
        let output = preview(site.path(), &out);
        assert!(
            output.status.success(),
            "case {case} ({hostile:?}) did not build: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(assert_inert(&out, &probe) > 0, "case {case}: the probe should appear, escaped, somewhere");
    }
}

#[test]
fn snapshots_of_one_page_per_template() {
    let site = copy_fixture_with_theme("valid");
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    for (name, file) in [
        ("home", "index.html"),
        ("index", "styles/index.html"),
        ("style", "styles/avoidant/index.html"),
        ("strategy", "strategies/mindfulness/index.html"),
        ("therapy", "therapies/cbt/index.html"),
        ("guide", "guides/overview/index.html"),
        ("person", "people/riley-example/index.html"),
        ("people", "people/index.html"),
        ("editorial", "editorial-process/index.html"),
        ("search", "search/index.html"),
        ("not-found", "404.html"),
    ] {
        let html = fs::read_to_string(out.join(file)).unwrap();
        insta::assert_snapshot!(name, html);
    }
}

#[test]
fn the_theme_in_the_fixture_is_the_shipped_one() {
    // The fixture tests above copy themes/default; make sure that copy is complete.
    let dir = TempDir::new().unwrap();
    copy_dir(&project_root().join("themes/default"), dir.path());
    assert_eq!(files_under(dir.path()), files_under(&project_root().join("themes/default")));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_project_and_symlinked_outputs_are_refused() {
    let site = copy_fixture_with_theme("valid");
    let outside = TempDir::new().unwrap();
    fs::write(outside.path().join("secret.html"), "{{ site.title }} secret").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.html"),
        site.path().join("themes/default/templates/secret.html"),
    )
    .unwrap();
    let output = preview(site.path(), &site.path().join("public"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("links outside the project"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    fs::remove_file(site.path().join("themes/default/templates/secret.html")).unwrap();

    // An output path that is a symlink to the project's content, or a
    // relative path that climbs back into it, is refused.
    std::os::unix::fs::symlink(site.path().join("content"), site.path().join("link-to-content")).unwrap();
    let output = preview(site.path(), &site.path().join("link-to-content"));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to write the site"));
    let output = securebase()
        .args(["preview", "--root"])
        .arg(site.path())
        .args(["--out", "public/../content"])
        .current_dir(site.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(site.path().join("content/styles/avoidant.md").is_file());
    // A relative output folder is fine.
    let output =
        securebase().args(["preview", "--root", ".", "--out", "site-out"]).current_dir(site.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(site.path().join("site-out/index.html").is_file());
}
