//! The Grafana dashboard and the Prometheus alert rules in `deploy/` name only metrics the code
//! records, and the dashboard shows every metric the code records. A renamed counter, or a new
//! one nobody looks at, fails here instead of leaving an empty panel or a silent alert.
//!
//! The metrics are read from the sources: every `counter!`, `gauge!` and `histogram!` call with
//! a literal name in `crates/*/src`. The exporter renders a histogram as a summary (quantiles
//! under the name itself, plus `_sum` and `_count`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

/// Series Prometheus makes itself.
const BUILTIN: [&str; 1] = ["up"];

/// PromQL words followed by a list of label names in parentheses.
const GROUPING: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Other PromQL words that are not metric names: aggregations (`sum by (x) (...)` puts a
/// grouping between the word and its parenthesis) and operators. Functions are told by their
/// parenthesis.
const PROMQL: [&str; 13] = [
    "sum", "max", "min", "avg", "count", "topk", "bottomk", "stddev", "quantile", "offset", "bool",
    "and", "or",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(name, kind)` of every metric recorded in `crates/*/src`.
fn recorded() -> BTreeSet<(String, &'static str)> {
    let mut files = Vec::new();
    for krate in fs::read_dir(root().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut found = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for kind in ["counter", "gauge", "histogram"] {
            let call = format!("{kind}!(");
            for (at, _) in text.match_indices(&call) {
                let rest = text[at + call.len()..].trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    let name = &literal[..literal.find('"').unwrap()];
                    found.insert((name.to_owned(), kind));
                }
            }
        }
    }
    found
}

/// The series names Prometheus sees for what the code records.
fn exposed(recorded: &BTreeSet<(String, &'static str)>) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = BUILTIN.iter().map(|s| (*s).to_owned()).collect();
    for (name, kind) in recorded {
        names.insert(name.clone());
        if *kind == "histogram" {
            names.insert(format!("{name}_sum"));
            names.insert(format!("{name}_count"));
        }
    }
    names
}

/// The metric names a PromQL expression uses: identifiers outside strings, label matchers,
/// groupings and ranges, that are neither functions nor PromQL words.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut plain = String::new();
    let mut depth_braces = 0_u32;
    let mut in_string = false;
    let mut in_range = false;
    for c in expr.chars() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '{' => depth_braces += 1,
            '}' => depth_braces = depth_braces.saturating_sub(1),
            '[' => in_range = true,
            ']' => in_range = false,
            _ if depth_braces > 0 || in_range => {}
            c => plain.push(c),
        }
        if matches!(c, '"' | '{' | '}' | '[' | ']') {
            plain.push(' ');
        }
    }
    let mut names = BTreeSet::new();
    let chars: Vec<char> = plain.chars().collect();
    let mut i = 0;
    let mut grouping = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            if grouping {
                // Label names inside `by (...)` and the like.
                continue;
            }
            if GROUPING.contains(&word.as_str()) {
                grouping = true;
                continue;
            }
            if next != Some(&'(') && !PROMQL.contains(&word.as_str()) {
                names.insert(word);
            }
        } else {
            if c == ')' {
                grouping = false;
            }
            i += 1;
        }
    }
    names
}

fn dashboard_exprs() -> Vec<String> {
    let text = fs::read_to_string(root().join("deploy/grafana/platform.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut exprs = Vec::new();
    for panel in json["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            exprs.push(target["expr"].as_str().unwrap().to_owned());
        }
    }
    exprs
}

fn alert_exprs() -> Vec<String> {
    let text = fs::read_to_string(root().join("deploy/prometheus/alerts.yml")).unwrap();
    let exprs: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr:"))
        .map(|e| e.trim().to_owned())
        .collect();
    for e in &exprs {
        assert!(
            !e.is_empty() && !e.starts_with('|') && !e.starts_with('>'),
            "keep each expr on one line: {e:?}"
        );
    }
    let alerts = text.matches("- alert:").count();
    assert_eq!(exprs.len(), alerts, "one expr per alert");
    exprs
}

#[test]
fn the_reader_finds_metric_names_and_nothing_else() {
    let names = metric_names(
        r#"sum by (change, actor) (rate(booking_changes_total{change="book"}[5m])) / max(up)"#,
    );
    assert_eq!(
        names,
        BTreeSet::from(["booking_changes_total".to_owned(), "up".to_owned()])
    );
    assert_eq!(
        metric_names(r#"max by (path) (http_request_duration_seconds{quantile="0.99"}) > 0.5"#),
        BTreeSet::from(["http_request_duration_seconds".to_owned()])
    );
}

#[test]
fn dashboards_and_alerts_name_only_recorded_metrics() {
    let recorded = recorded();
    assert!(
        recorded.len() >= 15,
        "the scan found too few metrics: {recorded:?}"
    );
    let exposed = exposed(&recorded);
    for expr in dashboard_exprs().iter().chain(&alert_exprs()) {
        for name in metric_names(expr) {
            assert!(
                exposed.contains(&name),
                "{name} (in `{expr}`) is recorded nowhere; recorded: {exposed:?}"
            );
        }
    }
}

#[test]
fn the_dashboard_shows_every_recorded_metric() {
    let shown: BTreeSet<String> = dashboard_exprs()
        .iter()
        .flat_map(|e| metric_names(e))
        .collect();
    for (name, _) in recorded() {
        let on_dashboard = shown.contains(&name)
            || shown.contains(&format!("{name}_sum"))
            || shown.contains(&format!("{name}_count"));
        assert!(on_dashboard, "{name} is recorded but on no panel");
    }
}
