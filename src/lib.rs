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

/// Turn off transparent huge pages for this process (Linux; elsewhere nothing). mimalloc asks
/// the kernel for 2 MB pages on its arenas, so every first touch of fresh memory has the
/// kernel zero 2 MB at once: at 1,000,000 households half of `check`'s samples were the
/// kernel clearing such pages, and a frame freed and allocated again kept whole 2 MB pages
/// resident. With 4 KB pages the kernel's share and the peak both fall (see README, Speed).
/// Called first thing in `main`, and by the pipeline benchmark for both pipelines it times.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process; it reads no
    // memory of ours. Failure (an old kernel) leaves things as they were, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
