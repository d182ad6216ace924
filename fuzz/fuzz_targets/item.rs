//! One item file of any collection, parsed and validated: no panic, and
//! every diagnostic names a line and column inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SITE: &[u8] = b"title = \"F\"\ndescription = \"D\"\nbase_url = \"https://f.example\"\n";
const TEAM: &[u8] = b"name: Team\nkind: organisation\nroles: [author]\nemail: team@f.example\n";

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let path = ["styles/a.md", "strategies/a.md", "therapies/a.md", "guides/a.md"][usize::from(first) % 4];
    if let Err(diagnostics) = securebase::Library::from_memory(SITE, &[("people/team.yaml", TEAM), (path, bytes)]) {
        // Lines as editors count them: LF, CRLF or a lone CR ends a line.
        let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n").replace('\r', "\n");
        let lines = text.split('\n').count().max(1);
        for d in &diagnostics {
            assert!(d.line >= 1 && d.column >= 1, "{d}");
            assert!(d.line <= lines + 1, "line {} beyond {lines}: {d}", d.line);
        }
    }
});
