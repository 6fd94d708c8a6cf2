//! `report.html`: one page for a leader (`check --report`). Self-contained: styles and
//! charts are inline (SVG drawn by plotters), nothing is fetched, Chinese text uses the
//! system's Chinese fonts, and it prints on A4.
//!
//! It holds the run's facts; the verdicts per county with the failing conditions spelled out
//! (the county's reason); and three charts: households by outcome per county, the poor
//! villages' poverty incidence against the exit line, and households' per-capita income
//! around the poverty line (where incomes bunch just above the line, it shows). The two
//! thresholds are found in the pack's own rules: the village verdict's comparison of a share
//! with a parameter, and the household rule comparing money with a parameter.

use std::fmt::Write as _;
use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::reasons::Sayer;
use super::workbook::Results;
use crate::Error;
use crate::eval::LevelOutcome;
use crate::messages::{self, Lang, book as words, report as say};
use crate::register::Table;
use crate::rules::analysis::{Condition, Operand, conditions};
use crate::rules::{Pack, RuleKind};

const GREEN: RGBColor = RGBColor(0x70, 0xAD, 0x47);
const RED: RGBColor = RGBColor(0xC0, 0x00, 0x00);
const GREY: RGBColor = RGBColor(0xA6, 0xA6, 0xA6);
const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif";

fn chart_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::Evaluation(format!("chart: {e:?}"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Write the page to `path`.
pub fn write(path: &Path, r: &Results) -> Result<(), Error> {
    let page = render(r)?;
    std::fs::write(path, page).map_err(|e| Error::io(path, e))
}

fn title_of(pack: &Pack, rule: usize, lang: Lang) -> &str {
    let r = &pack.rules[rule];
    match lang {
        Lang::Zh if !r.title.is_empty() => &r.title,
        _ => &r.name,
    }
}

/// The page as text.
pub fn render(r: &Results) -> Result<String, Error> {
    let lang = r.lang;
    let mut h = String::new();
    let title = words::title(lang, &r.pack.manifest.name, r.outcomes.year);
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&title),
        style()
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let facts = words::facts(lang);
    let _ = writeln!(
        h,
        "<p class=\"facts\">{}：{} · {}：{} · {}：{}</p>",
        facts[1],
        esc(&r.pack.manifest.name),
        facts[2],
        esc(&r.info.data),
        facts[3],
        esc(&super::workbook::when())
    );

    // The counties: verdict, reason, households, villages.
    let names = r.names;
    let counties = r.outcomes.level(Table::Counties);
    let households = r.summary.levels.get("household");
    let hmain = r.pack.main_rule(Table::Households);
    let cmain = r.pack.main_rule(Table::Counties);
    let sayer = counties.and_then(|c| Sayer::new(r.pack, c, r.outcomes.year, lang, r.aliases, Some(r.register)));
    let _ = write!(h, "<h2>{}</h2>\n<table>\n<tr>", say::counties_heading(lang));
    for head in say::county_columns(lang, hmain.map(|m| title_of(r.pack, m, lang))) {
        let _ = write!(h, "<th>{}</th>", esc(&head));
    }
    h.push_str("</tr>\n");
    let mut codes: Vec<String> = match counties {
        Some(c) => (0..c.len()).map(|i| c.key(i).to_string()).collect(),
        None => vec![],
    };
    codes.sort();
    for code in &codes {
        let row = counties.and_then(|c| (0..c.len()).find(|&i| c.key(i) == code));
        let verdict = match (row, cmain, counties) {
            (Some(i), Some(m), Some(c)) => c.values(m).and_then(|v| v.get(i)).and_then(|v| v.as_bool()),
            _ => None,
        };
        let reason = match (row, &sayer) {
            (Some(i), Some(s)) => s.row(i).to_string(),
            _ => String::new(),
        };
        let counts = hmain
            .and_then(|m| households?.rules.get(&r.pack.rules[m].name)?.by_county.get(code))
            .map(|c| (c.yes.unwrap_or(0), c.no.unwrap_or(0), c.unknown))
            .unwrap_or_default();
        let class = match verdict {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let _ = writeln!(
            h,
            "<tr><td>{}<br><small>{}</small></td><td class=\"{class}\">{}</td><td class=\"reason\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(names.county(code)),
            esc(code),
            messages::outcome(lang, verdict),
            esc(&reason),
            words::thousands(counts.0 + counts.1 + counts.2),
            words::thousands(counts.0),
            words::thousands(counts.1),
            words::thousands(counts.2),
        );
    }
    h.push_str("</table>\n");

    // Charts.
    h.push_str("<div class=\"charts\">\n");
    if let Some(m) = hmain {
        let rows: Vec<(String, [u64; 3])> = codes
            .iter()
            .map(|code| {
                let c = households.and_then(|hs| hs.rules.get(&r.pack.rules[m].name)?.by_county.get(code));
                let name = names.county(code);
                let label = if name.is_empty() { code.clone() } else { name.to_string() };
                (label, c.map(|c| [c.yes.unwrap_or(0), c.no.unwrap_or(0), c.unknown]).unwrap_or_default())
            })
            .collect();
        let svg = outcome_chart(&say::chart_outcomes(lang, title_of(r.pack, m, lang)), &rows, lang)?;
        figure(&mut h, "outcomes", &svg);
    }
    if let Some((values, line, name)) = village_incidence(r) {
        let svg = incidence_chart(&say::chart_incidence(lang, &name), &values, line, lang)?;
        figure(&mut h, "incidence", &svg);
    }
    if let Some((values, line, name)) = income_around_line(r) {
        let svg = income_chart(&say::chart_income(lang, &name), &values, line, lang)?;
        figure(&mut h, "income", &svg);
    }
    h.push_str("</div>\n");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(say::footnote(lang)));
    // Counts the charts the browser laid out (a test reads it back from the rendered page).
    h.push_str(
        "<script>window.addEventListener('load',function(){var n=0;document.querySelectorAll('figure svg').forEach(function(s){var b=s.getBBox();if(b.width>0&&b.height>0&&s.querySelectorAll('rect,polyline,line,path').length>3)n++;});document.body.setAttribute('data-charts-drawn',String(n));});</script>\n",
    );
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

fn figure(h: &mut String, id: &str, svg: &str) {
    let _ = writeln!(h, "<figure id=\"{id}\">{svg}</figure>");
}

fn style() -> String {
    format!(
        "@page{{size:A4;margin:12mm}}body{{font-family:{FONT};margin:0 auto;max-width:190mm;color:#222;font-size:10.5pt}}\
h1{{font-size:16pt;margin:4mm 0 1mm}}h2{{font-size:12pt;margin:4mm 0 2mm}}.facts,.note{{color:#555;font-size:9pt}}\
table{{border-collapse:collapse;width:100%;font-size:9.5pt}}th,td{{border:1px solid #bbb;padding:2px 5px;vertical-align:top}}\
th{{background:#DDEBF7}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}td.yes{{color:#2E7D32;font-weight:bold}}\
td.no{{color:#C00000;font-weight:bold}}td.unknown{{color:#777}}td.reason{{font-size:9pt}}td:first-child{{white-space:nowrap}}\
.charts{{display:flex;flex-wrap:wrap;gap:2mm}}figure{{margin:0;break-inside:avoid}}figure svg{{width:92mm;height:auto}}"
    )
}

/// The poor villages' share compared with a parameter in the village verdict: (values,
/// threshold, the share's name).
fn village_incidence(r: &Results) -> Option<(Vec<f64>, f64, String)> {
    let level = r.outcomes.level(Table::Villages)?;
    let main = r.pack.main_rule(Table::Villages)?;
    let (rule, param) = threshold_of(r.pack, main, |u| matches!(u, Some("%" | "比例")))?;
    let line = *r.pack.values_for_year(r.outcomes.year).ok()?.get(&param)?;
    let poor: Option<Vec<bool>> = r.register.table(Table::Villages).and_then(|lt| {
        lt.frame.column("poor_village").ok()?.bool().ok().map(|c| c.iter().map(|v| v == Some(true)).collect())
    });
    let vals = level.values(rule)?;
    let mut out: Vec<f64> = vals
        .iter()
        .enumerate()
        .filter(|(i, _)| poor.as_ref().is_none_or(|p| p.get(*i).copied().unwrap_or(false)))
        .filter_map(|(_, v)| v.as_f64())
        .collect();
    out.sort_by(|a, b| b.total_cmp(a));
    Some((out, line, rule_label(r.pack, rule, r.lang)))
}

/// Households' money value compared with a parameter by a household rule (per-capita income
/// against the poverty line): (values, threshold, the value's name).
fn income_around_line(r: &Results) -> Option<(Vec<f64>, f64, String)> {
    let level: &LevelOutcome = r.outcomes.level(Table::Households)?;
    let (rule, param) = r
        .pack
        .rules
        .iter()
        .enumerate()
        .filter(|(_, x)| x.level == Table::Households && x.kind == RuleKind::Predicate)
        .find_map(|(i, _)| threshold_of(r.pack, i, |u| u.is_some_and(|u| u.starts_with('元'))))?;
    let line = *r.pack.values_for_year(r.outcomes.year).ok()?.get(&param)?;
    let vals: Vec<f64> = level.values(rule)?.iter().filter_map(|v| v.as_f64()).collect();
    Some((vals, line, rule_label(r.pack, rule, r.lang)))
}

fn rule_label(pack: &Pack, r: usize, lang: Lang) -> String {
    let rule = &pack.rules[r];
    match lang {
        Lang::Zh => rule.alias.clone().unwrap_or_else(|| rule.title.clone()),
        Lang::En => rule.name.clone(),
    }
}

/// In rule `r`'s conditions, a comparison of a rule (whose unit `unit` accepts) with a
/// parameter: (that rule, the parameter's canonical name).
fn threshold_of(pack: &Pack, r: usize, unit: impl Fn(Option<&str>) -> bool) -> Option<(usize, String)> {
    conditions(&pack.rules[r]).into_iter().find_map(|c| match c {
        Condition::Compare { left: Operand::Rule(x), right: Operand::Param(p), .. }
            if unit(pack.rules[x].unit.as_deref()) =>
        {
            Some((x, pack.params.get(&p).map_or(p, |p| p.name.clone())))
        }
        _ => None,
    })
}

fn text_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// The f64 × f64 charts of the page.
type Chart2d<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A threshold drawn as a black line from `from` to `to`, named in the legend.
fn threshold_line(chart: &mut Chart2d, from: (f64, f64), to: (f64, f64), label: String) -> Result<(), Error> {
    chart
        .draw_series(LineSeries::new([from, to], BLACK.stroke_width(2)))
        .map_err(chart_error)?
        .label(label)
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.stroke_width(2)));
    Ok(())
}

/// The legend box every chart of the page draws.
fn legend<'a, 'b: 'a>(chart: &mut Chart2d<'a, 'b>, position: SeriesLabelPosition) -> Result<(), Error> {
    chart
        .configure_series_labels()
        .label_font(text_style(16))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(chart_error)
}

/// Households by outcome per county: stacked horizontal bars (是, 否, 未知).
fn outcome_chart(caption: &str, rows: &[(String, [u64; 3])], lang: Lang) -> Result<String, Error> {
    let mut svg = String::new();
    let n = rows.len().max(1);
    let height = (120 + 40 * n as u32).min(900);
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let max = rows.iter().map(|(_, c)| c.iter().sum::<u64>()).max().unwrap_or(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, text_style(24))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(120)
            .build_cartesian_2d(0f64..max * 1.35, -0.5f64..n as f64 - 0.5)
            .map_err(chart_error)?;
        let labels: Vec<String> = rows.iter().map(|(l, _)| l.clone()).collect();
        let fmt = |y: &f64| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&fmt)
            .x_label_formatter(&|x| words::thousands(*x as u64))
            .label_style(text_style(16))
            .draw()
            .map_err(chart_error)?;
        let colours = [GREEN, RED, GREY];
        for k in 0..3 {
            chart
                .draw_series(rows.iter().enumerate().map(|(i, (_, c))| {
                    let start: u64 = c[..k].iter().sum();
                    let y = i as f64;
                    Rectangle::new([(start as f64, y - 0.35), ((start + c[k]) as f64, y + 0.35)], colours[k].filled())
                }))
                .map_err(chart_error)?
                .label(messages::outcome(lang, [Some(true), Some(false), None][k]))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colours[k].filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Each poor village's share (largest first) as a bar, with the exit line.
fn incidence_chart(caption: &str, values: &[f64], line: f64, lang: Lang) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let n = values.len().max(1) as f64;
        let top = values.iter().copied().fold(line, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, text_style(24))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n, 0f64..top.max(1e-9))
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(say::villages_axis(lang))
            .y_label_formatter(&|y| format!("{:.1}%", y * 100.0))
            .x_label_formatter(&|x| words::thousands(*x as u64))
            .label_style(text_style(16))
            .axis_desc_style(text_style(16))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let c = if *v > line { RED } else { GREEN };
                Rectangle::new([(i as f64 + 0.1, 0.0), (i as f64 + 0.9, *v)], c.filled())
            }))
            .map_err(chart_error)?;
        threshold_line(&mut chart, (0.0, line), (n, line), say::line_label(lang, &format!("{}%", line * 100.0)))?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Households by value in bins of 5 % of the line, from half the line to one and a half
/// times it; bars below the line red, at or above green; the line drawn.
fn income_chart(caption: &str, values: &[f64], line: f64, lang: Lang) -> Result<String, Error> {
    const BINS: usize = 20;
    let (lo, hi) = (0.5 * line, 1.5 * line);
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0u64; BINS];
    for v in values {
        if *v >= lo && *v < hi {
            counts[(((v - lo) / width) as usize).min(BINS - 1)] += 1;
        }
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, text_style(24))
            .margin(8)
            .margin_right(28)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0f64..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(say::money_axis(lang))
            .y_desc(words::households_axis(lang))
            .x_label_formatter(&|x| words::thousands(x.round() as u64))
            .y_label_formatter(&|y| words::thousands(y.round() as u64))
            .label_style(text_style(16))
            .axis_desc_style(text_style(16))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, c)| {
                let x0 = lo + i as f64 * width;
                let colour = if x0 + width <= line { RED } else { GREEN };
                Rectangle::new([(x0 + width * 0.05, 0.0), (x0 + width * 0.95, *c as f64)], colour.filled())
            }))
            .map_err(chart_error)?;
        threshold_line(
            &mut chart,
            (line, 0.0),
            (line, top),
            say::line_label(lang, &words::thousands(line.round() as u64)),
        )?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}
