//! `tuopin lint`: what a careful reviewer would point out in a pack that loads.
//!
//! | code | warning |
//! | --- | --- |
//! | W001 | a number written in a script (other than 0 and 1) that should be a parameter |
//! | W002 | a parameter no rule uses |
//! | W003 | a rule no other rule reads and `pack.toml` does not publish (main, flags, outputs) |
//! | W004 | a rule without a source |
//! | W006 | a rule reads a parameter in a year it has no value, without a guard on the year |
//! | W007 | a parameter set year by year whose last value is carried on past its year |
//!
//! Load-time errors come first and are errors; these are warnings. (A code field compared
//! with text that is neither its code nor its label, once W005, is a load-time error:
//! `rules::codes`.)

use super::diagnostic::Diagnostic;
use super::{Pack, Ref, analysis};
use crate::messages::{authoring, pack as msgs};
use crate::register::{Aliases, Table};

pub fn lint(pack: &Pack, _aliases: &Aliases) -> Vec<Diagnostic> {
    let mut out = vec![];
    let published: Vec<(Table, &String)> = pack
        .manifest
        .main
        .iter()
        .chain(pack.manifest.flags.iter().flat_map(|(l, rs)| rs.iter().map(move |r| (l, r))))
        .chain(pack.manifest.outputs.iter().flat_map(|(l, rs)| rs.iter().map(move |r| (l, r))))
        .filter_map(|(l, r)| Table::from_level(l).map(|t| (t, r)))
        .collect();
    for (i, rule) in pack.rules.iter().enumerate() {
        let file = pack.dir.join(&rule.file).display().to_string();
        let at = |(line, col): (usize, usize), m| Diagnostic::at(&file, &rule.text, line, col, m);
        for (n, pos) in analysis::number_literals(&rule.ast) {
            out.push(at(pos, msgs::number_in_script(&n)).warning("W001"));
        }
        let read_by_others = pack
            .rules
            .iter()
            .any(|r| r.rule_deps().any(|d| d == i) || r.aggregates.iter().any(|a| a.target == Some(Ref::Rule(i))));
        let is_published =
            published.iter().any(|(t, n)| *t == rule.level && (**n == rule.name || rule.alias.as_ref() == Some(*n)));
        if !read_by_others && !is_published {
            out.push(at((1, 1), msgs::unused_rule(&rule.id)).warning("W003"));
        }
        if rule.source.trim().is_empty() {
            out.push(at((1, 1), msgs::no_source(&rule.id)).warning("W004"));
        }
        let [first, last] = pack.manifest.years;
        for name in &rule.params {
            let Some(p) = pack.params.get(name) else { continue };
            let excluded = analysis::years_excluded(rule, first..=last);
            let open: Vec<i32> = p.unknown_years(first, last).into_iter().filter(|y| !excluded.contains(y)).collect();
            if !open.is_empty() {
                let pos = analysis::param_position(rule, &p.name, p.alias.as_deref());
                out.push(at(pos, authoring::unguarded_parameter(&p.name, &spans(&open))).warning("W006"));
            }
        }
    }
    let params_text = std::fs::read_to_string(pack.dir.join("parameters.toml")).unwrap_or_default();
    for p in pack.params.params.values() {
        let [_, last] = pack.manifest.years;
        if let Some((&set, Some(_))) = p.values.iter().next_back()
            && p.values.len() > 1
            && set < last
        {
            out.push(
                Diagnostic::at(
                    &pack.params.file,
                    &params_text,
                    p.line,
                    1,
                    authoring::carried_forward(&p.name, set, last),
                )
                .warning("W007"),
            );
        }
        if !p.builtin && !pack.rules.iter().any(|r| r.params.contains(&p.name)) {
            out.push(
                Diagnostic::at(&pack.params.file, &params_text, p.line, 1, msgs::unused_parameter(&p.name))
                    .warning("W002"),
            );
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, a.col, a.code).cmp(&(&b.file, b.line, b.col, b.code)));
    out
}

/// Lint a pack folder: its load-time errors (including a parameter missing in any year the
/// pack covers), or, when it loads, its warnings.
pub fn run(dir: &std::path::Path, aliases: &Aliases) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let pack = match super::load(dir, aliases) {
        Ok(p) => p,
        Err(errors) => return (errors, vec![]),
    };
    let [first, last] = pack.manifest.years;
    let mut errors: Vec<Diagnostic> = vec![];
    for y in first..=last {
        if let Err(ds) = pack.values_for_year(y) {
            for d in ds {
                if !errors.iter().any(|e| e.file == d.file && e.line == d.line) {
                    errors.push(d);
                }
            }
        }
    }
    (errors, lint(&pack, aliases))
}

/// Years as runs: `2014–2020、2024`.
fn spans(years: &[i32]) -> String {
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        out.push(if i == j { years[i].to_string() } else { format!("{}–{}", years[i], years[j]) });
        i = j + 1;
    }
    out.join("、")
}
