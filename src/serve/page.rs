//! The studio's page, served from the binary (no network at run time).

pub const HTML: &str = include_str!("page.html");

/// The editor (CodeMirror) and charts (ECharts), bundled ahead of time by
/// `studio-web/build.mjs` from the packages locked in `studio-web/package-lock.json`.
pub const SCRIPT: &str = include_str!("assets/studio.js");
