//! `tuopin`: a rules engine for Hunan's register of poor households (精准扶贫 · 建档立卡).
//!
//! Data flows one way: register files → frames (`register`) → rule evaluation per level
//! (`rules`, `eval`) → result frames → writers (`report`). `gen` makes synthetic registers
//! for tests and benchmarks. `../shared/DOMAIN.md` (copied into the README's references) is
//! the specification of the data and the rules.

pub mod builtin;
mod error;
pub mod eval;
pub mod r#gen;
pub mod inspect;
pub mod jobs;
pub mod messages;
pub mod quality;
pub mod register;
pub mod report;
pub mod rules;
pub mod serve;
pub mod timing;

pub use error::Error;
