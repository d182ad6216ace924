//! A whole small site from generated files: site.toml, people, items of
//! every collection and a ledger, cut from one input. No panic; when it
//! loads, it renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 6] =
    ["people/p.yaml", "styles/s.md", "strategies/t.md", "therapies/u.md", "guides/g.md", "reviews/styles/s.yaml"];

fuzz_target!(|data: &[u8]| {
    // Parts are separated by 0xFF, which UTF-8 text never holds.
    let mut parts = data.split(|b| *b == 0xFF);
    let site = parts.next().unwrap_or_default();
    let files: Vec<(&str, &[u8])> = PATHS.iter().copied().zip(parts).collect();
    if let Ok(library) = securebase::Library::from_memory(site, &files) {
        let options = securebase_site::BuildOptions {
            edition: securebase_site::Edition::Preview,
            today: "2026-11-28".parse().expect("a date"),
            git: securebase_site::GitInputs::default(),
            theme: None,
            bundle: None,
        };
        // The theme is not in memory, so this may fail; it must not panic.
        let _ = securebase_site::Site::new(&library, &options).and_then(|site| site.render(securebase_site::Part::All));
    }
});
