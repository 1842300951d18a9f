//! The engine's top-level modules form layers, not a tangle: this reads every source file,
//! collects which top-level module names which other (`crate::x::…`, `use crate::{x, …}`,
//! and names re-exported by lib.rs such as `crate::Diagnosis`, resolved to the module they
//! come from), and fails on any cycle, printing it. See docs/architecture.md.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/checks/agent.rs` → `checks`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib").then(|| name.to_owned())
}

/// Source without `#[cfg(test)] mod tests { … }` blocks and comments, roughly: tests may
/// use anything.
fn production_part(text: &str) -> String {
    let cut = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names lib.rs re-exports (`pub use diagnosis::{diagnose, Diagnosis}` → `Diagnosis` →
/// `diagnosis`), so `crate::Diagnosis` counts as naming its module.
fn reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let lib = lib.replace('\n', " ");
    let re = regex::Regex::new(r"pub use ([a-z_]+)((?:::[a-z_]+)*)::(?:\{([^}]*)\}|([A-Za-z_]+))")
        .unwrap();
    let mut out = BTreeMap::new();
    for c in re.captures_iter(&lib) {
        let module = c[1].to_owned();
        let names = c.get(3).or(c.get(4)).map_or("", |m| m.as_str());
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            out.insert(name.to_owned(), module.clone());
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let reexported = reexports(&src);
    assert!(
        reexported.get("Diagnosis").map(String::as_str) == Some("diagnosis"),
        "the scan of lib.rs's re-exports broke: {reexported:?}"
    );
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let path_re = regex::Regex::new(r"crate::([A-Za-z_]+)").unwrap();
    let group_re = regex::Regex::new(r"crate::\{([^}]*)\}").unwrap();
    for file in &files {
        let Some(from) = module_of(&src, file) else {
            continue;
        };
        let text = production_part(&std::fs::read_to_string(file).unwrap());
        let mut named: Vec<String> = path_re
            .captures_iter(&text)
            .map(|c| c[1].to_owned())
            .collect();
        for g in group_re.captures_iter(&text) {
            named.extend(
                g[1].split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or_default().to_owned()),
            );
        }
        // A name re-exported by lib.rs stands for the module it comes from.
        for n in named.iter_mut() {
            if let Some(m) = reexported.get(n.as_str()) {
                *n = m.clone();
            }
        }
        let deps = graph.entry(from.clone()).or_default();
        for to in named {
            if to != from && modules.contains(&to) {
                deps.insert(to);
            }
        }
    }
    graph
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let graph = graph();
    assert!(graph.len() > 8, "the scan found too few modules: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between modules: {}", cycle.join(" → "));
    }
}

#[test]
fn the_scan_sees_a_cycle_when_there_is_one() {
    let mut graph = graph();
    graph
        .entry("finding".into())
        .or_default()
        .insert("checks".into());
    assert!(find_cycle(&graph).is_some());
}

/// Facts never depend on judgement or presentation.
#[test]
fn facts_do_not_import_judgement_or_presentation() {
    let graph = graph();
    for facts in [
        "probe", "layout", "netfacts", "network", "identity", "units", "finding",
    ] {
        for upper in ["checks", "present", "bundle", "fleet"] {
            assert!(
                !graph.get(facts).is_some_and(|d| d.contains(upper)),
                "{facts} imports {upper}"
            );
        }
    }
}
