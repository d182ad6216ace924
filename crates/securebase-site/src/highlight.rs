//! Code highlighting with syntect, as CSS classes (`hl-*`) so that one
//! stylesheet serves light and dark modes. Syntaxes load once, on the first
//! page that has code.

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// A highlighted `<pre>` block for `code` in language `lang` (a fence token
/// such as `rust` or `yaml`; unknown languages are plain text).
pub fn code_block(code: &str, lang: &str) -> String {
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes.find_syntax_by_token(lang).unwrap_or_else(|| syntaxes.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"code\"><code>{}</code></pre>\n", crate::escape::html(code));
        }
    }
    let class = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", crate::escape::html(lang)) };
    format!("<pre class=\"code\"{class}><code>{}</code></pre>\n", generator.finalize())
}

/// The stylesheet for highlighted code: a light theme, and a dark one under
/// `prefers-color-scheme: dark`. Computed once.
pub fn stylesheet() -> &'static str {
    static STYLESHEET: LazyLock<String> = LazyLock::new(compute_stylesheet);
    &STYLESHEET
}

fn compute_stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes.themes.get(name).and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok()).unwrap_or_default()
    };
    format!(
        "/* Code highlighting (syntect). */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        css("InspiredGitHub"),
        css("base16-ocean.dark")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_languages_are_plain_and_escaped() {
        let html = code_block("<b>&</b>\n", "no-such-lang");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn the_stylesheet_has_light_and_dark_rules() {
        let css = stylesheet();
        assert!(css.contains(".hl-"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
