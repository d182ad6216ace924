//! Review ledgers, signatures, signing keys and trust roots: a ledger (of an
//! item or of `site.toml`), a people file's keys, or a trust root, from any
//! bytes. No panic; every diagnostic names a line inside the input; a
//! record whose signature is not Riley's over its statement never loads.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SITE: &[u8] = b"title = \"F\"\ndescription = \"D\"\nbase_url = \"https://f.example\"\n";
const TEAM: &[u8] = b"name: Team\nkind: organisation\nroles: [author, editor]\nemail: team@f.example\n";
const GUIDE: &[u8] = b"---\ntitle: A guide\nsummary: A fictional guide for fuzzing the review ledger and its signatures.\nauthor: team\ncreated: 2026-01-01\nsources:\n  - authors: [\"A, B.\"]\n    year: 2000\n    title: T\n    publisher: P\n---\nBody\n";
const RILEY: &str = "name: Riley (fictional)\ncredentials:\n  - abbreviation: LCSW\n    meaning: Licensed Clinical Social Worker\nroles: [clinical_reviewer]\nemail: riley@f.example\n";
/// The fixture reviewer's public key (tests/fixtures/keys/riley-example.pub).
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENWdd/UcGGGKzDeFFR2ySthyX74ZnauKYNpzjl21F7P";

fn lines(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n").replace('\r', "\n");
    text.split('\n').count().max(1)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let keyed = format!("{RILEY}signing_keys:\n  - {KEY}\n");
    let (files, fuzzed): (Vec<(&str, &[u8])>, &str) = match first % 4 {
        0 => (vec![("people/riley.yaml", keyed.as_bytes()), ("reviews/guides/a.yaml", bytes)], "content/reviews/guides/a.yaml"),
        1 => (vec![("people/riley.yaml", keyed.as_bytes()), ("reviews/site.yaml", bytes)], "content/reviews/site.yaml"),
        2 => (vec![("people/riley.yaml", bytes)], "content/people/riley.yaml"),
        _ => {
            let text = String::from_utf8_lossy(bytes);
            if let Err(diagnostics) = securebase::TrustRoot::parse(&text, std::path::Path::new("root")) {
                for d in &diagnostics {
                    assert!(d.line >= 1 && d.column >= 1 && d.line <= lines(bytes), "{d}");
                }
            }
            return;
        }
    };
    let mut all = vec![("people/team.yaml", TEAM), ("guides/a.md", GUIDE)];
    all.extend(files);
    match securebase::Library::from_memory(SITE, &all) {
        Err(diagnostics) => {
            for d in diagnostics.iter().filter(|d| d.file.as_os_str() == fuzzed) {
                assert!(d.line >= 1 && d.column >= 1, "{d}");
                assert!(d.line <= lines(bytes) + 1, "line {} beyond the input: {d}", d.line);
            }
        }
        // A loaded ledger's every record verifies: no input forges one.
        Ok(library) => {
            for ledger in library.ledgers() {
                assert!(ledger.records.iter().all(|r| r.signature.is_some()), "an unsigned record loaded");
            }
        }
    }
});
