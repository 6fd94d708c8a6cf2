//! `gen`: a synthetic register whose thresholds come from the rule pack, written in one
//! folder or one folder per county.

use std::path::{Path, PathBuf};

use super::load_pack;
use crate::Error;
use crate::r#gen;
use crate::register::{Aliases, Format};

/// What `gen` asks for besides where the pack and the output are.
pub struct GenRequest {
    pub households: usize,
    pub seed: u64,
    pub year: i32,
    /// `None`: one per 20,000 households.
    pub counties: Option<usize>,
    pub faults: f64,
    pub format: Format,
    /// One folder per county under the output folder.
    pub by_county: bool,
}

/// What `gen` wrote.
pub struct Generated {
    pub households: usize,
    pub persons: usize,
    /// `None` county by county (each county's folder has its own).
    pub villages: Option<usize>,
    pub counties: usize,
    pub faults: usize,
    /// The files written (the output folder, county by county).
    pub written: Vec<PathBuf>,
}

pub fn run_gen(rules: &Path, out: &Path, r: &GenRequest) -> Result<Generated, Error> {
    let (pack, values) = load_pack(rules, r.year, &Aliases::builtin())?;
    let thresholds = r#gen::Thresholds::from_pack(&pack, &values)?;
    let o = r#gen::GenOptions {
        households: r.households,
        seed: r.seed,
        year: r.year,
        counties: r.counties,
        faults: r.faults,
        thresholds,
        first_county: 0,
    };
    if r.by_county {
        let (households, persons, counties, faults) = r#gen::write_by_county(&o, out, r.format)?;
        return Ok(Generated {
            households,
            persons,
            villages: None,
            counties,
            faults,
            written: vec![out.to_path_buf()],
        });
    }
    let mut g = r#gen::generate(&o);
    let written = r#gen::write(&mut g, out, r.format)?;
    Ok(Generated {
        households: g.households.height(),
        persons: g.persons.height(),
        villages: Some(g.villages.height()),
        counties: g.counties.height(),
        faults: g.faults.len(),
        written,
    })
}
