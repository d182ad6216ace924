//! `site.toml`: the site's name, address, theme, review policy, crisis
//! resources, care call-to-action and readability limits.

use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::frontmatter::Locator;

/// The parsed `site.toml`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SiteConfig {
    /// The site's name.
    pub title: String,
    /// One sentence about the site (home page and feed).
    pub description: String,
    /// The public address, without a trailing slash (`https://example.org`).
    pub base_url: String,
    /// The content language (BCP 47, `en`).
    #[serde(default = "default_language")]
    pub language: String,
    /// The theme folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The review policy.
    #[serde(default)]
    pub review: ReviewPolicy,
    /// Where to get help now, shown on every page.
    #[serde(default = "default_crisis")]
    pub crisis: Vec<CrisisResource>,
    /// The call to find professional care, shown on every page.
    #[serde(default)]
    pub care: Care,
    /// How hard summaries and prose may be to read.
    #[serde(default)]
    pub readability: ReadabilityLimits,
    /// The safety note pages of relationship advice must carry.
    #[serde(default)]
    pub safety_note: SafetyNote,
}

/// The note on abuse and coercive control that every page of relationship
/// advice must carry, or link to (`[safety_note]`): a reader may take a
/// real danger for their own worry, and the page should say where to turn.
/// `securebase check` warns (`safety-note`) about a page of the listed
/// collections whose body has neither the heading nor a link to it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SafetyNote {
    /// The collections whose pages give relationship advice (none by default).
    #[serde(default)]
    pub collections: Vec<crate::model::Collection>,
    /// The note's heading, as the pages write it.
    #[serde(default = "default_safety_heading")]
    pub heading: String,
}

fn default_safety_heading() -> String {
    "If a partner hurts, threatens or controls you".to_owned()
}

impl Default for SafetyNote {
    fn default() -> Self {
        SafetyNote { collections: Vec::new(), heading: default_safety_heading() }
    }
}

impl SafetyNote {
    /// The anchor a link to the note's heading ends with (`#if-a-partner-...`).
    pub fn anchor(&self) -> String {
        let mut anchor = String::from("#");
        for word in self.heading.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            if anchor.len() > 1 {
                anchor.push('-');
            }
            anchor.push_str(word);
        }
        anchor
    }

    /// Whether `body`, of an item of `collection`, carries the note or a
    /// link to it, or need not.
    pub fn carried(&self, collection: crate::model::Collection, body: &str) -> bool {
        !self.collections.contains(&collection) || body.contains(&self.heading) || body.contains(&self.anchor())
    }
}

/// How hard summaries and prose may be to read (`[readability]`): over a
/// limit, `securebase check` reports a `readability` diagnostic.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReadabilityLimits {
    /// The highest Flesch-Kincaid grade a summary may read at.
    #[serde(default = "default_summary_grade")]
    pub summary_grade: f64,
    /// The highest Flesch-Kincaid grade the prose (body and Markdown fields) may read at.
    #[serde(default = "default_prose_grade")]
    pub prose_grade: f64,
    /// The most words a sentence may have.
    #[serde(default = "default_sentence_words")]
    pub sentence_words: u32,
    /// Whether a text over a limit is a `warning` or an `error`, or
    /// whether the texts are not measured at all (`off`).
    #[serde(default = "default_readability_level")]
    pub level: ReadabilityLevel,
}

/// What `[readability]` `level` makes of a text over a limit.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadabilityLevel {
    /// A warning: worth fixing, does not stop a build.
    Warning,
    /// An error: `check` fails and builds stop.
    Error,
    /// Nothing: texts are not measured, and items have no figures (for a
    /// site not written in English, which Flesch-Kincaid does not fit).
    Off,
}

impl ReadabilityLimits {
    /// Whether texts are measured at all.
    pub fn measured(&self) -> bool {
        self.level != ReadabilityLevel::Off
    }
}

impl Default for ReadabilityLimits {
    fn default() -> Self {
        ReadabilityLimits {
            summary_grade: default_summary_grade(),
            prose_grade: default_prose_grade(),
            sentence_words: default_sentence_words(),
            level: default_readability_level(),
        }
    }
}

impl PartialEq for ReadabilityLimits {
    /// Limits are equal when they are written the same (grades compared bit for bit).
    fn eq(&self, other: &Self) -> bool {
        self.summary_grade.to_bits() == other.summary_grade.to_bits()
            && self.prose_grade.to_bits() == other.prose_grade.to_bits()
            && self.sentence_words == other.sentence_words
            && self.level == other.level
    }
}

impl Eq for ReadabilityLimits {}

fn default_summary_grade() -> f64 {
    8.0
}

fn default_prose_grade() -> f64 {
    7.0
}

fn default_sentence_words() -> u32 {
    30
}

fn default_readability_level() -> ReadabilityLevel {
    ReadabilityLevel::Warning
}

/// How often items must be re-reviewed, and the policy text the editorial
/// page shows.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReviewPolicy {
    /// Days after an approval when the next review is due.
    #[serde(default = "default_interval")]
    pub interval_days: u32,
    /// A paragraph (Markdown) about how content is reviewed.
    #[serde(default)]
    pub policy: String,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy { interval_days: default_interval(), policy: String::new() }
    }
}

/// A crisis line or emergency number.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CrisisResource {
    /// The service ("988 Suicide & Crisis Lifeline").
    pub name: String,
    /// What to do ("Call or text 988").
    pub action: String,
    /// A link (`tel:988`, `sms:741741`, `https://...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The call to action in a few words ("Call or text 988"), for the one
    /// line at the top of every page that the first resource gets; its
    /// name when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
}

/// The call to find professional care.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Care {
    /// A short heading.
    pub heading: String,
    /// One or two sentences.
    pub text: String,
    /// The link's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_text: Option<String>,
    /// Where it goes (a page of the site or another address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Default for Care {
    fn default() -> Self {
        Care {
            heading: "Looking for support?".into(),
            text: "A licensed therapist can help you understand your patterns and build more secure relationships."
                .into(),
            link_text: Some("How to start therapy".into()),
            url: Some("/guides/starting-therapy/".into()),
        }
    }
}

fn default_language() -> String {
    "en".into()
}

fn default_theme() -> String {
    "default".into()
}

fn default_interval() -> u32 {
    365
}

/// The United States crisis resources used when `site.toml` names none.
pub fn default_crisis() -> Vec<CrisisResource> {
    let r = |name: &str, action: &str, url: &str| CrisisResource {
        name: name.into(),
        action: action.into(),
        url: Some(url.into()),
        short: None,
    };
    vec![
        CrisisResource {
            short: Some("Call or text 988".into()),
            ..r("988 Suicide & Crisis Lifeline", "Call or text 988, or chat at 988lifeline.org. Free, 24/7.", "tel:988")
        },
        r("Emergency services", "In immediate danger, call 911.", "tel:911"),
        r("Crisis Text Line", "Text HOME to 741741.", "sms:741741"),
    ]
}

impl SiteConfig {
    /// Stands in for a missing or broken `site.toml` while the content is
    /// still checked; a library built with it is never handed out.
    pub(crate) fn placeholder() -> Self {
        SiteConfig {
            title: String::new(),
            description: String::new(),
            base_url: String::new(),
            language: default_language(),
            theme: default_theme(),
            review: ReviewPolicy::default(),
            crisis: default_crisis(),
            care: Care::default(),
            readability: ReadabilityLimits::default(),
            safety_note: SafetyNote::default(),
        }
    }
}

/// Link schemes allowed in site.toml addresses; paths starting with `/` are
/// pages of the site.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "sms"];

/// Whether an address from configuration is a site path or uses a safe scheme.
pub fn is_safe_address(url: &str) -> bool {
    let url = url.trim();
    if url.starts_with('/') {
        return !url.starts_with("//");
    }
    url.split_once(':').is_some_and(|(scheme, _)| SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// Checks the addresses in `site.toml`: the base URL and every link.
pub(crate) fn check(config: &SiteConfig, file: &Path, loc: Locator<'_>, diags: &mut Diagnostics) {
    let base = config.base_url.trim();
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.contains(char::is_whitespace) {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                file,
                loc.text("base_url"),
                format!("`base_url = \"{base}\"` is not a web address"),
            )
            .with_hint("write the public address, such as https://example.org"),
        );
    }
    let days = config.review.interval_days;
    if !(1..=3650).contains(&days) {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                file,
                loc.text("interval_days"),
                format!("`interval_days = {days}` is not a review interval"),
            )
            .with_hint("give the days between reviews, from 1 to 3650; health publishers use 365 to 1095"),
        );
    }
    let limits = &config.readability;
    for (key, grade) in [("summary_grade", limits.summary_grade), ("prose_grade", limits.prose_grade)] {
        if !(0.0..=20.0).contains(&grade) {
            diags.push(
                Diagnostic::error(Code::InvalidValue, file, loc.text(key), format!("`{key} = {grade}` is not a grade"))
                    .with_hint("give a Flesch-Kincaid grade from 0 to 20; health information aims at 6 to 8"),
            );
        }
    }
    if limits.sentence_words == 0 {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                file,
                loc.text("sentence_words"),
                "`sentence_words = 0` allows no sentence".to_owned(),
            )
            .with_hint("give the most words a sentence may have; plain-language guides suggest 20 to 30"),
        );
    }
    let links = config.crisis.iter().filter_map(|c| c.url.as_deref()).chain(config.care.url.as_deref());
    for url in links {
        if !is_safe_address(url) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    file,
                    loc.text(url),
                    format!("`{url}` is not an address a page may link to"),
                )
                .with_hint("use a page of the site (/guides/...), or an https:, tel:, sms: or mailto: address"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: &str) -> Result<ReadabilityLimits, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn readability_limits_default_and_read_every_level() {
        let defaults = limits("").unwrap();
        assert_eq!(defaults, ReadabilityLimits::default());
        assert_eq!(
            (defaults.summary_grade, defaults.prose_grade, defaults.sentence_words, defaults.level),
            (8.0, 7.0, 30, ReadabilityLevel::Warning)
        );
        assert!(defaults.measured());
        assert_eq!(limits("level = \"error\"").unwrap().level, ReadabilityLevel::Error);
        let off = limits("level = \"off\"").unwrap();
        assert_eq!(off.level, ReadabilityLevel::Off);
        assert!(!off.measured());
        assert!(limits("level = \"Off\"").unwrap_err().to_string().contains("unknown variant `Off`"));
    }
}
