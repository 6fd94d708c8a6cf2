//! Rule packs: what policy staff edit.
//!
//! A pack is a folder: `pack.toml` (name, province, years covered, the main verdict and
//! risk flags of each level), `parameters.toml` (dated thresholds, see [`params`]), and one
//! `.rhai` file per rule under `person/`, `household/`, `village/`, `county/`. A rule file
//! starts with a header of `// key: value` lines:
//!
//! ```text
//! // id: household.income_above_line
//! // 标题: 人均纯收入达到扶贫标准
//! // 来源: 《中共湖南省委 湖南省人民政府关于深入贯彻〈中共中央国务院关于打赢脱贫攻坚战的决定〉的实施意见》（2016年4月1日）二、目标任务
//! // 类型: 判断
//! per_capita_net_income >= param("poverty_line")
//! ```
//!
//! Everything is checked when the pack loads, before any row is evaluated: syntax, names
//! (a field of the level, a rule of the level, a parameter, or an aggregation over a lower
//! level), rules reading a higher level, cycles, and parameters missing for the year; and
//! the mistakes that would otherwise pass silently: `years` that are not two plausible years
//! in order, rules named in `[main]`, `[flags]` or `[outputs]` that do not exist (or a number
//! rule as a verdict), parameters that are not finite or set outside the pack's years, and
//! rules with no expression. Files over [`MAX_SCRIPT_BYTES`] and rules with more than
//! [`script::MAX_LETS`] names are refused before they are parsed (Rhai's parser is quadratic
//! in the number of names). Each problem is a [`Diagnostic`] with file, line, column and a
//! caret.

pub mod analysis;
pub mod codes;
pub mod diagnostic;
pub mod dictionary;
pub mod fields;
pub mod lint;
pub mod params;
pub mod script;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

pub use diagnostic::Diagnostic;
pub use params::{Parameter, Parameters};

use crate::messages::pack;
use crate::register::{Aliases, Table};

/// Whether a rule yields 是/否/未知 or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Predicate,
    Value,
}

/// How serious a data-quality finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    Error,
    Warning,
}

/// What a name in a script refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    /// A field of the rule's level (canonical column name).
    Field(&'static str),
    /// Another rule of the same level (index into [`Pack::rules`]).
    Rule(usize),
    /// The year evaluated.
    Year,
    /// The constant unknown.
    Unknown,
}

/// An aggregation a script uses: function (English name), argument as written, and what
/// the argument resolves to at the level below (`None` for `count_…()` with no argument).
#[derive(Debug, Clone, PartialEq)]
pub struct AggUse {
    pub func: &'static str,
    /// The kind of the field aggregated (built in or declared by the pack), when a field is.
    pub kind: Option<crate::register::Kind>,
    pub agg: script::AggFn,
    pub over: Table,
    pub arg: String,
    pub target: Option<Ref>,
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `household.exit_eligible`
    pub id: String,
    pub level: Table,
    /// `exit_eligible`: the output column.
    pub name: String,
    pub title: String,
    pub alias: Option<String>,
    pub source: String,
    pub kind: RuleKind,
    /// For a data-quality check: how serious a true outcome (a fault found) is.
    pub severity: Option<FindingSeverity>,
    /// For a data-quality check: the column a finding points at.
    pub column: Option<String>,
    /// A number rule's unit (`单位` header): `元` is money (two decimals), `%` a share written
    /// as a percentage, anything else (`人`, `岁`) a count in that unit.
    pub unit: Option<String>,
    /// Path relative to the pack folder, for messages.
    pub file: String,
    pub text: String,
    pub ast: Arc<rhai::AST>,
    /// Names the script reads, as written, with what they mean.
    pub reads: Vec<(String, Ref)>,
    pub aggregates: Vec<AggUse>,
    /// Parameters used (canonical names).
    pub params: Vec<String>,
}

impl Rule {
    /// Rules of the same level this rule reads.
    pub fn rule_deps(&self) -> impl Iterator<Item = usize> + '_ {
        self.reads.iter().filter_map(|(_, r)| if let Ref::Rule(i) = r { Some(*i) } else { None })
    }

    /// Fields of its level this rule reads.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.reads.iter().filter_map(|(_, r)| if let Ref::Field(f) = r { Some(*f) } else { None })
    }
}

#[derive(Debug, Clone)]
pub struct Manifest {
    pub name: String,
    pub province: Option<String>,
    pub description: Option<String>,
    /// First and last year the pack covers.
    pub years: [i32; 2],
    /// The main verdict of each level (rule name without the level), explained in `reasons`.
    pub main: BTreeMap<String, String>,
    /// Risk flags of each level, listed in `reasons` when raised.
    pub flags: BTreeMap<String, Vec<String>>,
    /// Other rules of each level published as results (so `lint` does not call them unused).
    pub outputs: BTreeMap<String, Vec<String>>,
}

/// `pack.toml` as written, with positions for messages; checked into a [`Manifest`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    name: String,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    description: Option<String>,
    years: toml::Spanned<Vec<toml::Spanned<i64>>>,
    #[serde(default)]
    main: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    flags: BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>,
    #[serde(default)]
    outputs: BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>,
}

/// The years a pack may cover.
pub const YEARS_ALLOWED: std::ops::RangeInclusive<i64> = 1949..=2100;

/// A rule named in `pack.toml` (`[main]`, `[flags]`, `[outputs]`): which section, the level
/// as written, the rule name as written, and where.
struct Named {
    section: &'static str,
    level: String,
    rule: String,
    span: std::ops::Range<usize>,
}

impl RawManifest {
    /// Check the years, keeping the rule names for a check once the rules are loaded.
    fn check(self, file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<(Manifest, Vec<Named>)> {
        let at = |span: std::ops::Range<usize>, m| {
            let (line, col) = diagnostic::line_col(text, span.start);
            Diagnostic::at(file, text, line, col, m)
        };
        let years_span = self.years.span();
        let years: Vec<(i64, std::ops::Range<usize>)> =
            self.years.into_inner().into_iter().map(|y| (*y.get_ref(), y.span())).collect();
        let mut ok = true;
        if years.len() != 2 {
            diags.push(at(years_span.clone(), pack::years_shape(years.len())));
            ok = false;
        }
        for (y, span) in &years {
            if !YEARS_ALLOWED.contains(y) {
                diags.push(at(span.clone(), pack::year_implausible(*y, *YEARS_ALLOWED.start(), *YEARS_ALLOWED.end())));
                ok = false;
            }
        }
        if ok && years[0].0 > years[1].0 {
            diags.push(at(years_span, pack::years_reversed(years[0].0, years[1].0)));
            ok = false;
        }
        // Every rule named, section by section (`[main]` names one per level).
        let main = self.main.into_iter().map(|(level, rule)| (level, vec![rule])).collect();
        let mut named = vec![];
        for (section, map) in [("main", main), ("flags", self.flags), ("outputs", self.outputs)] {
            for (level, rules) in map {
                named.extend(rules.into_iter().map(|r| Named {
                    section,
                    level: level.get_ref().clone(),
                    span: r.span(),
                    rule: r.into_inner(),
                }));
            }
        }
        for n in &named {
            if !Table::ALL.iter().any(|t| t.level() == n.level) {
                diags.push(at(n.span.clone(), pack::manifest_level_unknown(n.section, &n.level)));
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let manifest = Manifest {
            name: self.name,
            province: self.province,
            description: self.description,
            years: [years[0].0 as i32, years[1].0 as i32],
            main: named.iter().filter(|n| n.section == "main").map(|n| (n.level.clone(), n.rule.clone())).collect(),
            flags: group(named.iter().filter(|n| n.section == "flags")),
            outputs: group(named.iter().filter(|n| n.section == "outputs")),
        };
        Some((manifest, named))
    }
}

fn group<'a>(named: impl Iterator<Item = &'a Named>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in named {
        out.entry(n.level.clone()).or_default().push(n.rule.clone());
    }
    out
}

/// Rules named in `pack.toml` must exist at their level; a main verdict and a flag must be
/// verdicts (判断), not numbers.
fn check_named(pack: &Pack, named: &[Named], file: &str, text: &str, diags: &mut Vec<Diagnostic>) {
    for n in named {
        let Some(level) = Table::ALL.into_iter().find(|t| t.level() == n.level) else { continue };
        let (line, col) = diagnostic::line_col(text, n.span.start);
        match pack.rule_index(level, &n.rule) {
            None => {
                let names: Vec<String> =
                    pack.rules.iter().filter(|r| r.level == level).map(|r| r.name.clone()).collect();
                diags.push(Diagnostic::at(
                    file,
                    text,
                    line,
                    col,
                    pack::manifest_rule_unknown(n.section, &n.level, &n.rule, &names),
                ));
            }
            Some(r) if n.section != "outputs" && pack.rules[r].kind != RuleKind::Predicate => {
                diags.push(Diagnostic::at(
                    file,
                    text,
                    line,
                    col,
                    pack::manifest_rule_not_verdict(n.section, &pack.rules[r].id),
                ));
            }
            Some(_) => {}
        }
    }
}

/// Parameter values must be set for years the pack covers.
fn check_parameter_years(manifest: &Manifest, params: &Parameters, text: &str, diags: &mut Vec<Diagnostic>) {
    let [first, last] = manifest.years;
    for p in params.params.values() {
        for &y in p.values.keys().filter(|&&y| y < first || y > last) {
            let m = pack::parameter_year_outside(&p.name, y, first, last);
            diags.push(Diagnostic::at(&params.file, text, p.line, 1, m));
        }
    }
}

/// A loaded, checked rule pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub dir: PathBuf,
    /// The alias table the pack was loaded with, extended by the fields it declares
    /// (`fields.toml`): the one its register is read with.
    pub aliases: Aliases,
    pub manifest: Manifest,
    pub params: Parameters,
    pub rules: Vec<Rule>,
    /// Rule indexes per level, in dependency order (a rule after the rules it reads).
    pub order: BTreeMap<Table, Vec<usize>>,
}

impl Pack {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn rule_index(&self, level: Table, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.level == level && (r.name == name || r.alias.as_deref() == Some(name)))
    }

    /// The main verdict rule of a level.
    pub fn main_rule(&self, level: Table) -> Option<usize> {
        self.manifest.main.get(level.level()).and_then(|n| self.rule_index(level, n))
    }

    /// The risk flag rules of a level.
    pub fn flag_rules(&self, level: Table) -> Vec<usize> {
        self.manifest
            .flags
            .get(level.level())
            .map(|v| v.iter().filter_map(|n| self.rule_index(level, n)).collect())
            .unwrap_or_default()
    }

    /// Every parameter's value for `year`, by name and alias; a parameter unknown that year
    /// (before its first value, or ended) is absent, and reads as unknown. An error when the
    /// year is outside the pack.
    pub fn values_for_year(&self, year: i32) -> Result<HashMap<String, f64>, Vec<Diagnostic>> {
        let [first, last] = self.manifest.years;
        if year < first || year > last {
            let manifest = self.dir.join("pack.toml").display().to_string();
            return Err(vec![Diagnostic::file(&manifest, pack::year_outside(year, first, last, &manifest))]);
        }
        let mut values = HashMap::new();
        for p in self.params.params.values() {
            if let Some(v) = p.value_in(year, last) {
                values.insert(p.name.clone(), v);
                if let Some(a) = &p.alias {
                    values.insert(a.clone(), v);
                }
            }
        }
        Ok(values)
    }
}

/// The header of a rule file.
struct Header {
    id: Option<(String, usize)>,
    title: Option<String>,
    source: Option<String>,
    kind: Option<(String, usize)>,
    alias: Option<String>,
    severity: Option<String>,
    column: Option<String>,
    unit: Option<String>,
}

fn parse_header(text: &str) -> Header {
    let mut h = Header {
        id: None,
        title: None,
        source: None,
        kind: None,
        alias: None,
        severity: None,
        column: None,
        unit: None,
    };
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("//") else {
            if line.trim().is_empty() {
                continue;
            }
            break;
        };
        let Some((k, v)) = rest.split_once([':', '：']) else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim() {
            "id" | "编号" => h.id = Some((v, i + 1)),
            "title" | "标题" => h.title = Some(v),
            "source" | "来源" => h.source = Some(v),
            "kind" | "类型" => h.kind = Some((v, i + 1)),
            "alias" | "别名" => h.alias = Some(v),
            "severity" | "严重程度" => h.severity = Some(v),
            "column" | "字段" => h.column = Some(v),
            "unit" | "单位" => h.unit = Some(v).filter(|u| !u.is_empty()),
            _ => {}
        }
    }
    h
}

/// The largest rule script, manifest or parameter file read (a real rule is a few hundred
/// bytes; the whole Hunan pack is under 20 KB).
pub const MAX_SCRIPT_BYTES: u64 = 256 * 1024;

/// Read a pack file as text, refusing one over [`MAX_SCRIPT_BYTES`] before reading it;
/// `unreadable` words an error of the file system.
fn read_script(path: &Path, unreadable: fn(&str) -> crate::messages::Msg) -> Result<String, crate::messages::Msg> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&e.to_string()))?;
    if !meta.is_file() {
        return Err(pack::not_a_file());
    }
    if meta.len() > MAX_SCRIPT_BYTES {
        return Err(pack::too_large(meta.len(), MAX_SCRIPT_BYTES));
    }
    std::fs::read_to_string(path).map_err(|e| unreadable(&e.to_string()))
}

/// Load and check a pack. Every problem found is returned, not just the first.
pub fn load(dir: &Path, aliases: &Aliases) -> Result<Pack, Vec<Diagnostic>> {
    let mut diags = vec![];
    let mut extended = aliases.clone();
    fields::declare(dir, &mut extended, &mut diags);
    let aliases = &extended;
    let shown = |p: &Path| p.display().to_string();
    let manifest_path = dir.join("pack.toml");
    let manifest_text = read_script(&manifest_path, pack::manifest_unreadable)
        .map_err(|m| diags.push(Diagnostic::file(&shown(&manifest_path), m)))
        .ok();
    let manifest = manifest_text.as_deref().and_then(|text| match toml::from_str::<RawManifest>(text) {
        Ok(m) => m.check(&shown(&manifest_path), text, &mut diags),
        Err(e) => {
            let (line, col) = e.span().map(|s| diagnostic::line_col(text, s.start)).unwrap_or((1, 1));
            diags.push(Diagnostic::at(
                &shown(&manifest_path),
                text,
                line,
                col,
                pack::toml_error(e.message(), text.lines().nth(line - 1).unwrap_or_default()),
            ));
            None
        }
    });
    let params_path = dir.join("parameters.toml");
    let params = match read_script(&params_path, pack::params_unreadable) {
        Ok(text) => match Parameters::parse(&shown(&params_path), &text) {
            Ok(p) => {
                if let Some((m, _)) = &manifest {
                    check_parameter_years(m, &p, &text, &mut diags);
                }
                Some(p)
            }
            Err(d) => {
                diags.push(*d);
                None
            }
        },
        Err(m) => {
            diags.push(Diagnostic::file(&shown(&params_path), m));
            None
        }
    };

    // Read every rule file: header first, then compile.
    let compiler = script::syntax();
    let mut rules = vec![];
    for level in Table::ALL {
        let folder = dir.join(level.level());
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
            .collect();
        files.sort();
        for path in files {
            let file = shown(&path);
            let text = match read_script(&path, pack::rule_unreadable) {
                Ok(t) => t,
                Err(m) => {
                    diags.push(Diagnostic::file(&file, m));
                    continue;
                }
            };
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            let h = parse_header(&text);
            let expected_id = format!("{}.{stem}", level.level());
            let id = match &h.id {
                Some((id, _)) if *id == expected_id => id.clone(),
                Some((id, line)) => {
                    diags.push(Diagnostic::at(&file, &text, *line, 1, pack::id_mismatch(id, &expected_id)));
                    continue;
                }
                None => {
                    diags.push(Diagnostic::at(&file, &text, 1, 1, pack::no_id(&expected_id)));
                    continue;
                }
            };
            let kind = match h.kind.as_ref().map(|(k, l)| (k.as_str(), *l)) {
                Some(("predicate" | "判断", _)) | None => RuleKind::Predicate,
                Some(("value" | "数值", _)) => RuleKind::Value,
                Some((other, line)) => {
                    diags.push(Diagnostic::at(&file, &text, line, 1, pack::unknown_kind(other)));
                    continue;
                }
            };
            if let Some((line, col)) = script::too_many_lets(&compiler, &text) {
                diags.push(Diagnostic::at(&file, &text, line, col, pack::too_many_lets(script::MAX_LETS)));
                continue;
            }
            let ast = match compiler.compile(&text) {
                Ok(a) => a,
                Err(e) => {
                    let (line, col) = (e.1.line().unwrap_or(1), e.1.position().unwrap_or(1));
                    // The word the parser stopped at (`并且`, `＞`), for saying what to write.
                    let word: String = text
                        .lines()
                        .nth(line - 1)
                        .unwrap_or_default()
                        .chars()
                        .skip(col - 1)
                        .take_while(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
                        .collect();
                    let m = crate::messages::authoring::script_syntax(&e.0.to_string(), &word);
                    diags.push(Diagnostic::at(&file, &text, line, col, m));
                    continue;
                }
            };
            if ast.statements().is_empty() {
                let line = text.lines().count().max(1);
                diags.push(Diagnostic::at(&file, &text, line, 1, pack::empty_rule(&id)));
                continue;
            }
            let rel = path.strip_prefix(dir).map(shown).unwrap_or_else(|_| file.clone());
            rules.push(Rule {
                id,
                level,
                name: stem,
                title: h.title.unwrap_or_default(),
                alias: h.alias,
                source: h.source.unwrap_or_default(),
                kind,
                severity: match h.severity.as_deref() {
                    Some("error" | "错误") => Some(FindingSeverity::Error),
                    Some("warning" | "警告") => Some(FindingSeverity::Warning),
                    _ => None,
                },
                column: h.column,
                unit: h.unit,
                file: rel,
                text,
                ast: Arc::new(ast),
                reads: vec![],
                aggregates: vec![],
                params: vec![],
            });
        }
    }
    let (Some((manifest, named)), Some(params)) = (manifest, params) else {
        return Err(diags);
    };
    if rules.is_empty() {
        diags.push(Diagnostic::file(&shown(dir), pack::no_rules()));
    }
    let mut pack =
        Pack { dir: dir.to_path_buf(), aliases: aliases.clone(), manifest, params, rules, order: BTreeMap::new() };
    check_named(&pack, &named, &shown(&manifest_path), manifest_text.as_deref().unwrap_or_default(), &mut diags);
    // A declared field and a rule of the same name: the rule would hide the field.
    for level in Table::ALL {
        for c in aliases.columns(level).iter().filter(|c| aliases.is_declared(level, c.name)) {
            if let Some(r) = pack.rule_index(level, c.name) {
                let file = pack.dir.join(&pack.rules[r].file).display().to_string();
                diags.push(Diagnostic::file(
                    &file,
                    crate::messages::authoring::field_named_like_rule(c.name, &pack.rules[r].id),
                ));
            }
        }
    }
    analysis::resolve(&mut pack, aliases, &mut diags);
    codes::labels_to_codes(&mut pack, aliases, &compiler, &mut diags);
    if diags.is_empty() {
        analysis::order(&mut pack, &mut diags);
    }
    if diags.is_empty() { Ok(pack) } else { Err(diags) }
}
