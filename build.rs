//! Embeds the Hunan pack, the quality pack and the demo register in the binary, so that an
//! installed `tuopin` runs with no files beside it (`src/builtin.rs`). Writes the list of
//! files (with `include_bytes!`) and a hash of their contents to `$OUT_DIR/embedded.rs`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

const FOLDERS: [&str; 3] = ["rules/hunan", "rules/quality", "fixtures/demo"];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    for f in FOLDERS {
        println!("cargo:rerun-if-changed={f}");
        walk(&root.join(f), &mut files);
    }
    // FNV-1a over names and contents: the folder the files are written to changes with them.
    let mut hash: u64 = 0xcbf29ce484222325;
    let mut list = String::from("pub const FILES: &[(&str, &[u8])] = &[\n");
    for p in &files {
        let rel = p.strip_prefix(&root).expect("walked under the root").to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(p).expect("an embedded file is readable");
        for b in rel.bytes().chain(bytes) {
            hash = (hash ^ b as u64).wrapping_mul(0x100000001b3);
        }
        let _ = writeln!(list, "    ({rel:?}, include_bytes!({:?})),", p.display().to_string());
    }
    list.push_str("];\n");
    let _ = writeln!(list, "pub const HASH: &str = \"{hash:016x}\";");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, list).expect("OUT_DIR is writable");
}
