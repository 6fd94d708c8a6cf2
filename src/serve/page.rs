//! The studio's page, served from the binary (no network at run time).

pub const HTML: &str = include_str!("page.html");
