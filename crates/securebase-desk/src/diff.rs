//! What changed, for a reviewer: a word-level diff of rendered HTML
//! (insertions and deletions marked in the text as readers will see it),
//! and a line diff of a file's text (people files, `site.toml`).

use similar::{Algorithm, ChangeTag, DiffOp};

/// One piece of rendered HTML: a whole tag, a word, or the space between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Token<'a> {
    Tag(&'a str),
    Text(&'a str),
}

fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            out.push(Token::Tag(&rest[..end]));
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let mut text = &rest[..end];
        while !text.is_empty() {
            let space = text.starts_with(char::is_whitespace);
            let len = text.find(|c: char| c.is_whitespace() != space).unwrap_or(text.len());
            out.push(Token::Text(&text[..len]));
            text = &text[len..];
        }
        rest = &rest[end..];
    }
    out
}

/// The new HTML with every word the old one lacked in `<ins>` and every
/// word it lost in `<del>`; tags come from the new HTML (a removed tag is
/// dropped, its words kept as deletions). Both inputs are sanitised HTML,
/// so the output is too.
pub fn words(old: &str, new: &str) -> String {
    let (old, new) = (tokens(old), tokens(new));
    let mut out = String::with_capacity(new.len() * 8);
    let mark = |out: &mut String, tokens: &[Token<'_>], tag: &str| {
        let mut open = false;
        for token in tokens {
            match token {
                Token::Text(text) => {
                    if !open && !text.trim().is_empty() {
                        out.push_str(&format!("<{tag}>"));
                        open = true;
                    }
                    out.push_str(text);
                }
                Token::Tag(t) => {
                    if open {
                        out.push_str(&format!("</{tag}>"));
                        open = false;
                    }
                    if tag == "ins" {
                        out.push_str(t);
                    }
                }
            }
        }
        if open {
            out.push_str(&format!("</{tag}>"));
        }
    };
    for op in similar::capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { new_index, len, .. } => {
                for token in &new[new_index..new_index + len] {
                    let (Token::Tag(t) | Token::Text(t)) = token;
                    out.push_str(t);
                }
            }
            DiffOp::Delete { old_index, old_len, .. } => mark(&mut out, &old[old_index..old_index + old_len], "del"),
            DiffOp::Insert { new_index, new_len, .. } => mark(&mut out, &new[new_index..new_index + new_len], "ins"),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                mark(&mut out, &old[old_index..old_index + old_len], "del");
                mark(&mut out, &new[new_index..new_index + new_len], "ins");
            }
        }
    }
    out
}

/// A line diff of two texts as HTML (each line escaped, in `<ins>` or
/// `<del>` when added or removed), inside a `<pre>`.
pub fn lines(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::from("<pre class=\"line-diff\">");
    for change in diff.iter_all_changes() {
        let text = securebase_site::escape::html(change.value());
        match change.tag() {
            ChangeTag::Equal => out.push_str(&format!("  {text}")),
            ChangeTag::Insert => out.push_str(&format!("<ins>+ {text}</ins>")),
            ChangeTag::Delete => out.push_str(&format!("<del>- {text}</del>")),
        }
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out.push_str("</pre>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_marked_where_they_changed_in_the_rendered_text() {
        let old = "<p>Avoidant people value their independence.</p>\n<p>Old paragraph.</p>";
        let new = "<p>Avoidant people often value their <em>independence</em>.</p>";
        assert_eq!(
            words(old, new),
            "<p>Avoidant people <ins>often </ins>value their <del>independence.</del>\n<del>Old paragraph.</del><em><ins>independence</ins></em><ins>.</ins></p>"
        );
        assert_eq!(words("<p>Same.</p>", "<p>Same.</p>"), "<p>Same.</p>");
        // A changed word inside a link keeps the link.
        assert_eq!(
            words("<p><a href=\"/x/\">one</a></p>", "<p><a href=\"/x/\">two</a></p>"),
            "<p><a href=\"/x/\"><del>one</del><ins>two</ins></a></p>"
        );
    }

    #[test]
    fn lines_are_escaped_and_marked() {
        let html = lines("name: Riley\nroles: [author]\n", "name: Riley\nroles: [author, clinical_reviewer]\n<x>\n");
        assert_eq!(
            html,
            "<pre class=\"line-diff\">  name: Riley\n<del>- roles: [author]\n</del><ins>+ roles: [author, clinical_reviewer]\n</ins><ins>+ &lt;x&gt;\n</ins></pre>"
        );
    }
}
