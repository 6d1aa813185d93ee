//! The support table of docs/expressions.md, generated from the type
//! registry so that it cannot drift: one row per type of APIM's allow-list
//! (and per helper type of the `context` API), with the members Outpost
//! implements and those it does not implement yet.
//!
//! `cargo test -p outpost-expr docs_table` checks the table in
//! docs/expressions.md; `OUTPOST_BLESS=1` rewrites it.

use std::fmt::Write;

use super::allowed::ALLOWED;
use super::types;
use crate::types::{Apim, Member, TypeDef};

fn names(ms: &[Member]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = ms.iter().map(|m| m.name).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn row(out: &mut String, ns: &str, name: &str, apim: Option<Apim>, def: Option<&TypeDef>) {
    let allowed = match apim {
        Some(Apim::All) => "all".to_owned(),
        Some(Apim::Only(ms)) => format!("only {}", ms.join(", ")),
        Some(Apim::Except(ms)) => format!("all but {}", ms.join(", ")),
        Some(Apim::Helper) | None => "helper (context API)".to_owned(),
    };
    let (status, members, missing) = match def {
        None => ("not implemented yet".to_owned(), String::new(), String::new()),
        Some(d) => {
            let mut ms = names(d.statics);
            ms.extend(names(d.members));
            ms.extend(d.enum_values.iter().map(|(n, _)| *n));
            if d.ctor.is_some() {
                ms.push("(constructor)");
            }
            ms.sort_unstable();
            ms.dedup();
            let status = if d.unimplemented.is_empty() {
                "implemented"
            } else {
                "partly"
            };
            (status.to_owned(), ms.join(", "), d.unimplemented.join(", "))
        }
    };
    let _ = writeln!(out, "| `{ns}.{name}` | {allowed} | {status} | {members} | {missing} |");
}

/// The markdown table.
pub fn support_table() -> String {
    let mut out = String::from(
        "| Type | APIM allows | Outpost | Members implemented | Not implemented yet |\n|---|---|---|---|---|\n",
    );
    let mut seen: Vec<&'static TypeDef> = Vec::new();
    for (ns, name, apim) in ALLOWED {
        let short = name.rsplit('.').next().unwrap_or(name);
        let def = types().find(|d| d.namespace == *ns && d.name == short);
        if let Some(d) = def {
            seen.push(d);
        }
        row(&mut out, ns, name, Some(*apim), def);
    }
    for d in types() {
        if !seen.iter().any(|s| s.is(d)) {
            row(&mut out, d.namespace, d.name, Some(d.apim), Some(d));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    const BEGIN: &str = "<!-- support-table:begin -->\n";
    const END: &str = "<!-- support-table:end -->";

    #[test]
    fn docs_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/expressions.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let table = super::support_table();
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/expressions.md lacks the support-table markers");
        };
        let current = &doc[b + BEGIN.len()..e];
        if current != table {
            if std::env::var_os("OUTPOST_BLESS").is_some() {
                let new = format!("{}{BEGIN}{table}{}", &doc[..b], &doc[e..]);
                std::fs::write(path, new).expect("write docs/expressions.md");
            } else {
                panic!("docs/expressions.md's support table is stale: run OUTPOST_BLESS=1 cargo test -p outpost-expr docs_table");
            }
        }
    }
}
