//! The modules of each crate form layers: every `crate::<module>` path in a
//! module's code (its unit tests aside) points at a module below it, so the
//! imports draw a graph with no cycle. ARCHITECTURE.md draws the order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each top-level module of the crate whose source is in `src`, with the
/// modules of the same crate its code names, directly (`crate::load`) or
/// through a name the crate root re-exports (`crate::Library`).
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let root = ["lib.rs", "main.rs"].iter().find_map(|f| fs::read_to_string(src.join(f)).ok()).unwrap_or_default();
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let text = if path.is_dir() {
            let mut text = String::new();
            for file in walk(&path) {
                text.push_str(&code(&fs::read_to_string(file).unwrap()));
            }
            text
        } else if path.extension().is_some_and(|e| e == "rs") {
            code(&fs::read_to_string(&path).unwrap())
        } else {
            continue;
        };
        // A module may be a file and a folder of its submodules beside it.
        modules.entry(name).or_default().push_str(&text);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let exports = reexports(&root, &names);
    modules
        .iter()
        .map(|(name, text)| {
            let mut used: BTreeSet<String> =
                names.iter().filter(|other| *other != name && names_module(text, other)).cloned().collect();
            for (item, module) in &exports {
                if module != name && names_root_item(text, item) {
                    used.insert(module.clone());
                }
            }
            (name.clone(), used)
        })
        .collect()
}

/// The names the crate root re-exports (`pub use module::{A, B};`), with
/// the module each comes from. A glob (`pub use model::*`) maps every
/// `pub` name that module declares.
fn reexports(root: &str, modules: &BTreeSet<String>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for line in root.lines().map(str::trim).filter(|l| l.starts_with("pub use ")) {
        let rest = line.trim_start_matches("pub use ").trim_end_matches(';');
        let Some((module, list)) = rest.split_once("::") else { continue };
        if !modules.contains(module) {
            continue;
        }
        for item in list.trim_matches(|c| c == '{' || c == '}').split(',').map(str::trim).filter(|i| !i.is_empty()) {
            found.push((item.to_owned(), module.to_owned()));
        }
    }
    found
}

/// Whether `text` names `crate::<item>` (a name the root re-exports).
fn names_root_item(text: &str, item: &str) -> bool {
    let direct = format!("crate::{item}");
    let boundary = |rest: &str| rest.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    text.match_indices(&direct).any(|(i, _)| boundary(&text[i + direct.len()..]))
        || text.match_indices("use crate::{").any(|(i, m)| {
            let list = &text[i + m.len()..];
            let list = &list[..list.find("};").unwrap_or(list.len())];
            list.split(|c: char| c == ',' || c == '{' || c.is_whitespace()).any(|part| part == item)
        })
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// A module's text without its unit tests and comments.
fn code(text: &str) -> String {
    let end = text
        .find("#[cfg(test)]\nmod tests")
        .or_else(|| text.find("#[cfg(test)]\npub(crate) mod tests"))
        .unwrap_or(text.len());
    text[..end].lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Whether `text` names module `module` of its crate: `crate::module`, or
/// `module` inside a `use crate::{...}` list.
fn names_module(text: &str, module: &str) -> bool {
    let direct = format!("crate::{module}");
    let boundary = |rest: &str| rest.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    if text.match_indices(&direct).any(|(i, _)| boundary(&text[i + direct.len()..])) {
        return true;
    }
    text.match_indices("use crate::{").any(|(i, m)| {
        let list = &text[i + m.len()..];
        let list = &list[..list.find("};").unwrap_or(list.len())];
        list.split(|c: char| c == ',' || c == '{' || c.is_whitespace())
            .any(|part| part == module || part.strip_prefix(module).is_some_and(|rest| rest.starts_with("::")))
    })
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_checker_finds_a_cycle_and_reads_use_lists() {
    let text = "use crate::{model::Item, load};\nfn f() { crate::review::x(); crate::reviews_more(); }";
    assert!(names_module(text, "model") && names_module(text, "load") && names_module(text, "review"));
    assert!(!names_module(text, "reviews") && !names_module(text, "validate"));
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(String::from).collect()))
            .collect();
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut found = Vec::new();
    for krate in ["securebase", "securebase-site", "securebase-desk", "securebase-cli"] {
        let graph = imports(&root.join(krate).join("src"));
        assert!(graph.len() >= 5, "{krate}: only {} modules found", graph.len());
        for cycle in cycles(&graph) {
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|m| graph[m].iter().filter(|t| cycle.contains(t)).map(move |t| format!("{m} -> {t}")))
                .collect();
            found.push(format!("{krate}: {} ({})", cycle.join(", "), edges.join("; ")));
        }
    }
    assert!(found.is_empty(), "modules in import cycles:\n{}", found.join("\n"));
}
