//! Markdown rendering with sanitising: no panic, and no output can run
//! script: no script element, no event handler, no unsafe link scheme.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let out = securebase_site::markdown::render(text, &|url: &str| !url.contains("withheld"));
    let lower = out.html.to_lowercase();
    assert!(!lower.contains("<script"), "{}", out.html);
    // Text is escaped, so every `<` left opens a tag: check attributes there.
    for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
        for scheme in ["javascript:", "vbscript:", "data:"] {
            assert!(!tag.contains(&format!("href=\"{scheme}")), "{}", out.html);
            assert!(!tag.contains(&format!("src=\"{scheme}")), "{}", out.html);
        }
    }
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        // Inside a tag, an attribute named on... would be an event handler.
        let mut in_quotes = false;
        let mut previous = ' ';
        for (i, c) in tag.char_indices() {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            if !in_quotes && previous.is_whitespace() && tag[i..].starts_with("on") && tag[i..].split(['=', ' ']).next().is_some_and(|a| a.chars().all(|c| c.is_ascii_alphabetic())) && tag[i..].contains('=') {
                panic!("event handler in <{tag}>");
            }
            previous = c;
        }
    }
});
