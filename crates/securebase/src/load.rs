//! Loading: walk `content/`, read each file once, split front matter from
//! body and deserialise it into the typed model.
//!
//! Loading is the shape pass. It records every problem it meets and goes on
//! with the next file; the reference and rule passes in
//! [`validate`](crate::validate) run on whatever loaded.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[cfg(feature = "project")]
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
#[cfg(feature = "project")]
use walkdir::WalkDir;

use crate::config::{SafetyNote, SiteConfig};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Position, relative};
use crate::frontmatter::{self, Locator, TextError};
use crate::layout::ProjectLayout;
use crate::memo::ReadabilityMemo;
use crate::model::*;
use crate::readability;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Where the loaded values came from: the YAML of every loaded file (an
/// item's front matter, a whole people or ledger file), kept so that later
/// passes can point at the line a value came from, and the files that did
/// not make it into the library.
#[derive(Debug, Default)]
pub(crate) struct Provenance {
    /// By path (its bytes, which hash faster than its components).
    files: FxHashMap<OsString, YamlText>,
    /// Items and people whose files exist but are not in the library: they
    /// failed to load (and are reported already) or the edition withholds
    /// them. References to them are not dangling.
    pub(crate) absent: BTreeSet<String>,
}

/// The YAML of one file.
#[derive(Debug)]
struct YamlText {
    /// The YAML.
    text: String,
    /// The file lines before it starts.
    line_offset: usize,
}

impl Provenance {
    /// Provenance that knows only which items are absent (no texts): for a
    /// library assembled from parts already checked, whose diagnostics, if
    /// any, are produced again by a full load.
    pub(crate) fn absent_only(absent: BTreeSet<String>) -> Provenance {
        Provenance { files: FxHashMap::default(), absent }
    }

    /// Provenance of whole YAML files read again from disk under `root`
    /// (only to locate problems in files that loaded once).
    pub(crate) fn read_again<'p>(root: &Path, paths: impl IntoIterator<Item = &'p Path>) -> Provenance {
        let files = paths
            .into_iter()
            .map(|path| {
                let text = fs::read_to_string(root.join(path)).unwrap_or_default();
                (path.as_os_str().to_owned(), YamlText { text, line_offset: 0 })
            })
            .collect();
        Provenance { files, absent: BTreeSet::new() }
    }

    /// A locator over the YAML of `path` (front matter or a whole YAML file).
    pub fn locator(&self, path: &Path) -> Locator<'_> {
        match self.files.get(path.as_os_str()) {
            Some(s) => Locator::new(&s.text, s.line_offset),
            None => Locator::new("", 0),
        }
    }

    /// Whether `id` (`collection/slug`, or a person id) names a file that
    /// exists but is not in the library (see `absent`).
    pub fn is_absent(&self, id: &str) -> bool {
        self.absent.contains(id)
    }
}

/// Everything the shape pass produced.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub config: Option<SiteConfig>,
    pub items: Items,
    pub people: Vec<Person>,
    pub ledgers: Vec<Ledger>,
    pub editorial: Vec<EditorialLedger>,
    pub provenance: Provenance,
}

/// Front matter that turns into an [`Item`] of one collection.
trait FrontMatter: DeserializeOwned {
    type Kind: Kind;
    fn into_item(self, meta: MetaParts) -> Item<Self::Kind>;
}

/// The parts of [`Meta`] that come from the file rather than the YAML.
struct MetaParts {
    slug: Slug,
    body: String,
    body_line: usize,
    blob: BlobId,
    sha256: Sha256,
    path: PathBuf,
}

/// Declares the front matter of one collection: the common keys plus its
/// own, with unknown keys refused.
macro_rules! front_matter {
    ($name:ident => $kind:ident { $( $(#[$attr:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        #[derive(Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $name {
            /// The page title.
            title: String,
            /// One or two sentences (at most 300 characters); also the meta description.
            summary: String,
            /// The author's person id (a file in content/people/).
            author: PersonId,
            /// When the item was first written (YYYY-MM-DD).
            #[cfg_attr(feature = "schema", schemars(with = "crate::model::DateSchema"))]
            created: Date,
            /// Points to take away, shown at the top.
            #[serde(default)]
            key_takeaways: Vec<String>,
            /// Other items worth reading next (collection/slug).
            #[serde(default)]
            related: Vec<ItemRef>,
            /// The works the item draws on (at least one).
            #[serde(default)]
            sources: Vec<Citation>,
            $( $(#[$attr])* $field: $ty, )*
        }

        impl FrontMatter for $name {
            type Kind = $kind;
            fn into_item(self, parts: MetaParts) -> Item<$kind> {
                Item {
                    meta: Meta {
                        slug: parts.slug,
                        title: self.title,
                        summary: self.summary,
                        author: self.author,
                        created: self.created,
                        key_takeaways: self.key_takeaways,
                        related: self.related,
                        sources: self.sources,
                        body: parts.body,
                        body_line: parts.body_line,
                        blob: parts.blob,
                        sha256: parts.sha256,
                        path: parts.path,
                        readability: None,
                    },
                    fields: $kind { $( $field: self.$field, )* },
                }
            }
        }
    };
}

front_matter!(StyleFrontMatter => Style {
    #[serde(default)] also_known_as: Vec<String>,
    security: Security,
    dimensions: Dimensions,
    #[serde(default)] signs: Vec<String>,
    origins: String,
    in_relationships: String,
    #[serde(default)] strategies: Vec<ItemRef>,
    #[serde(default)] therapies: Vec<ItemRef>,
});

front_matter!(StrategyFrontMatter => Strategy {
    #[serde(default)] helps_with: Vec<ItemRef>,
    #[serde(default)] steps: Vec<String>,
    example: String,
});

front_matter!(TherapyFrontMatter => Therapy {
    #[serde(default)] abbreviation: Option<String>,
    approach: String,
    what_to_expect: String,
    #[serde(default)] helps_with: Vec<ItemRef>,
});

front_matter!(GuideFrontMatter => Guide {});

/// A person file: every [`Person`] field but the id and path, which come from
/// the file name.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonFile {
    name: String,
    #[serde(default)]
    kind: PersonKind,
    #[serde(default)]
    credentials: Vec<Credential>,
    #[serde(default)]
    roles: Vec<Role>,
    email: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    licence: Option<Licence>,
    /// OpenSSH public keys whose signatures stand for this person's approvals.
    #[serde(default)]
    signing_keys: Vec<SigningKey>,
}

/// What a file under `content/` is, by where it sits.
enum Place {
    Item(Collection),
    Person,
    Ledger(Collection),
    /// The ledger of a people file (`reviews/people/<id>.yaml`).
    PersonLedger,
    /// `reviews/site.yaml` or `reviews/theme.yaml`.
    Editorial(Editorial),
}

/// Loads a project held in memory: the bytes of `site.toml`, and each file
/// under `content/` as (path inside `content/`, bytes), for example
/// (`styles/avoidant.md`, ...).
pub(crate) fn load_memory(site_toml: &[u8], files: &[(&str, &[u8])], diags: &mut Diagnostics) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.config = parse_config(site_toml, diags, &mut loaded.provenance);
    let measure = measured(loaded.config.as_ref());
    let safety = loaded.config.as_ref().map(|c| c.safety_note.clone());
    loaded.merge(load_files(files, measure, safety.as_ref(), diags));
    loaded
}

/// Whether items are measured for readability under `config` (or without
/// a usable one, when the check reports its errors).
pub(crate) fn measured(config: Option<&SiteConfig>) -> bool {
    config.is_none_or(|c| c.readability.measured())
}

/// Parses files held in memory (path inside `content/`, bytes) without
/// `site.toml`: the shape pass only, measuring readability if `measure`,
/// and looking for the `safety` note.
pub(crate) fn load_files(
    files: &[(&str, &[u8])],
    measure: bool,
    safety: Option<&SafetyNote>,
    diags: &mut Diagnostics,
) -> Loaded {
    let mut loaded = Loaded::default();
    let reading = Reading { bodies: Bodies::Keep, measure, memo: None, safety };
    for (inside, bytes) in files {
        let rel = Path::new(ProjectLayout::CONTENT).join(inside);
        match place(Path::new(inside)) {
            Some(place) => load_file(rel, place, Some(bytes.to_vec()), reading, &mut loaded, diags, &|_, b| Some(b)),
            None => {
                let (diagnostic, absent) = unplaced(Path::new(inside), rel);
                diags.push(diagnostic);
                loaded.provenance.absent.extend(absent);
            }
        }
    }
    loaded
}

/// Chooses the bytes of each item file, people file and `site.toml`: the
/// file's own (`Some(bytes)`), another version of it, or none (`None`: the
/// item or person is withheld; for `site.toml`, an error is already
/// reported by the caller).
pub(crate) type Select<'s> = &'s (dyn Fn(&Subject, Vec<u8>) -> Option<Vec<u8>> + Sync);

#[cfg(feature = "project")]
/// Walks `root` and loads `site.toml` and everything under `content/`,
/// passing each item file's bytes through `select`, and taking the
/// readability figures of a file met before from `memo`.
pub(crate) fn load(
    root: &Path,
    diags: &mut Diagnostics,
    select: Select<'_>,
    bodies: Bodies,
    memo: Option<&ReadabilityMemo>,
) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.config = load_config(root, diags, &mut loaded.provenance, select);
    let safety = loaded.config.as_ref().map(|c| c.safety_note.clone());
    let reading = Reading { bodies, measure: measured(loaded.config.as_ref()), memo, safety: safety.as_ref() };
    let content = root.join(ProjectLayout::CONTENT);
    if !content.is_dir() {
        diags.push(
            Diagnostic::error(
                Code::Io,
                "content",
                Position::START,
                format!("there is no content/ folder in {}", given(root)),
            )
            .with_hint(WRONG_ROOT),
        );
        return loaded;
    }
    // Walk and parse at once: workers take files from the walk as they find
    // them, each folding what it parses into its own part.
    let (part, part_diags) = walk(root, &content)
        .par_bridge()
        .fold(
            || (Loaded::default(), Diagnostics::new()),
            |(mut part, mut part_diags), found| {
                match found {
                    Found::File { path, rel, place } => {
                        let bytes = read_bytes(&path, &rel, &mut part_diags);
                        load_file(rel, place, bytes, reading, &mut part, &mut part_diags, select);
                    }
                    Found::Problem(diagnostic) => part_diags.push(diagnostic),
                    Found::Unplaced(diagnostic, absent) => {
                        part_diags.push(diagnostic);
                        part.provenance.absent.extend(absent);
                    }
                }
                (part, part_diags)
            },
        )
        .reduce(
            || (Loaded::default(), Diagnostics::new()),
            |(mut a, mut a_diags), (b, b_diags)| {
                a.merge(b);
                a_diags.extend(b_diags);
                (a, a_diags)
            },
        );
    loaded.merge(part);
    diags.extend(part_diags);
    loaded
}

#[cfg(feature = "project")]
/// What the walk of `content/` finds: a file to load, or a problem.
enum Found {
    File {
        path: PathBuf,
        rel: PathBuf,
        place: Place,
    },
    Problem(Diagnostic),
    /// A file with no place, and the item it would be if it is a misplaced
    /// item file (references to that item are then not dangling: the
    /// file's own error says what is wrong).
    Unplaced(Diagnostic, Option<String>),
}

#[cfg(feature = "project")]
/// Walks `content` (under `root`) in file-name order, skipping hidden
/// entries and refusing symlinks that lead outside it.
fn walk<'a>(root: &'a Path, content: &'a Path) -> impl Iterator<Item = Found> + Send + 'a {
    let canonical_content = content.canonicalize().unwrap_or_else(|_| content.to_path_buf());
    let mut walk = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    std::iter::from_fn(move || {
        loop {
            let entry = match walk.next()? {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().map(|p| relative(root, p)).unwrap_or_else(|| "content".into());
                    return Some(Found::Problem(if err.loop_ancestor().is_some() {
                        Diagnostic::error(Code::Symlink, path, Position::START, "this symlink makes a loop")
                            .with_hint("remove the symlink or point it at a folder outside its own ancestors")
                    } else {
                        Diagnostic::error(Code::Io, path, Position::START, format!("cannot read: {err}"))
                    }));
                }
            };
            let rel = relative(root, entry.path());
            // Git keeps a symlink's target, not the file behind it: a linked
            // ledger's records would change with no history to check them by.
            let under_reviews = rel.starts_with(ProjectLayout::REVIEWS);
            if entry.path_is_symlink() && under_reviews {
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                return Some(Found::Problem(
                    Diagnostic::error(Code::Symlink, &rel, Position::START, "a review ledger cannot be a symlink")
                        .with_hint("put the ledger itself here (`git mv` the file the link points to)"),
                ));
            }
            if entry.path_is_symlink() {
                let target = entry.path().canonicalize();
                if !target.as_ref().is_ok_and(|t| t.starts_with(&canonical_content)) {
                    if entry.file_type().is_dir() {
                        walk.skip_current_dir();
                    }
                    return Some(Found::Problem(
                        Diagnostic::error(Code::Symlink, &rel, Position::START, "this symlink points outside content/")
                            .with_hint("copy the file into content/ instead of linking to it"),
                    ));
                }
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(inside) = entry.path().strip_prefix(content) else {
                continue;
            };
            return Some(match place(inside) {
                Some(place) => Found::File { path: entry.into_path(), rel, place },
                None => {
                    let (diagnostic, absent) = unplaced(inside, rel);
                    Found::Unplaced(diagnostic, absent)
                }
            });
        }
    })
}

impl Loaded {
    /// Adds what another part of the walk loaded.
    pub(crate) fn merge(&mut self, mut other: Loaded) {
        // Hash the smaller map's keys into the larger one, not the reverse.
        if self.provenance.files.len() < other.provenance.files.len() {
            std::mem::swap(&mut self.provenance.files, &mut other.provenance.files);
        }
        self.items.extend(other.items);
        self.people.extend(other.people);
        self.ledgers.extend(other.ledgers);
        self.editorial.extend(other.editorial);
        self.provenance.files.extend(other.provenance.files);
        self.provenance.absent.extend(other.provenance.absent);
    }
}

/// The item whose file `rel` (a path under the project root, such as
/// `content/styles/avoidant.md`) would be, if it is an item file.
pub(crate) fn item_of_file(rel: &Path) -> Option<ItemRef> {
    let Place::Item(collection) = place(rel.strip_prefix(ProjectLayout::CONTENT).ok()?)? else { return None };
    let slug = rel.file_stem()?.to_str()?.parse().ok()?;
    Some(ItemRef::new(collection, slug))
}

/// Reads an item file that already loaded once, for a reload: `None` when
/// it is no longer a regular file (a symlink is checked by the walk) or
/// cannot be read within the size limit; a full load then reports why.
pub(crate) fn read_again(path: &Path) -> Option<Vec<u8>> {
    fs::symlink_metadata(path).ok()?.is_file().then(|| read_bytes(path, path, &mut Diagnostics::new()))?
}

fn place(inside: &Path) -> Option<Place> {
    let parts: Vec<&str> = inside.iter().filter_map(|c| c.to_str()).collect();
    let ext = inside.extension().and_then(|e| e.to_str());
    let yaml = matches!(ext, Some("yaml" | "yml"));
    match parts.as_slice() {
        ["people", _] if yaml => Some(Place::Person),
        ["reviews", "people", _] if yaml => Some(Place::PersonLedger),
        ["reviews", "site.yaml"] => Some(Place::Editorial(Editorial::Site)),
        ["reviews", "theme.yaml"] => Some(Place::Editorial(Editorial::Theme)),
        ["reviews", collection, _] if yaml => collection.parse().ok().map(Place::Ledger),
        [collection, _] if ext == Some("md") => collection.parse().ok().map(Place::Item),
        _ => None,
    }
}

/// The problem with a file under `content/` (at `inside`; `rel` from the
/// project root) that has no [`place`]: an item file anywhere but its own
/// path, `content/<collection>/<slug>.md`, is an error, since a folder name
/// would reach readers without any approval naming it; anything else is
/// left alone with a warning. Also the id of the item a misplaced item
/// file would be.
fn unplaced(inside: &Path, rel: PathBuf) -> (Diagnostic, Option<String>) {
    let parts: Vec<&str> = inside.iter().filter_map(|c| c.to_str()).collect();
    let markdown = inside.extension().is_some_and(|e| e == "md");
    if let [collection, .., name] = parts.as_slice()
        && markdown
        && parts.len() > 2
        && collection.parse::<Collection>().is_ok()
    {
        let id = Path::new(name).file_stem().and_then(|s| s.to_str()).map(|slug| format!("{collection}/{slug}"));
        let diagnostic = Diagnostic::error(
            Code::Misplaced,
            rel,
            Position::START,
            format!("an item file inside a folder of {collection}/ is not loaded, and nothing may publish it"),
        )
        .with_hint(format!(
            "an item's file is content/{collection}/<slug>.md: move it to content/{collection}/{name} (`git mv`), or out of content/"
        ));
        return (diagnostic, id);
    }
    let diagnostic = Diagnostic::warning(Code::IgnoredFile, rel, Position::START, "this file is not loaded").with_hint(
        "items are content/<styles|strategies|therapies|guides>/<slug>.md, people content/people/<id>.yaml, ledgers content/reviews/<collection>/<slug>.yaml",
    );
    (diagnostic, None)
}

/// Loads one file, given its bytes (`None` when they could not be read,
/// which is already reported).
fn load_file(
    rel: PathBuf,
    place: Place,
    bytes: Option<Vec<u8>>,
    reading: Reading<'_>,
    loaded: &mut Loaded,
    diags: &mut Diagnostics,
    select: Select<'_>,
) {
    let Some(slug) = file_id(&rel, diags) else { return };
    let id = match place {
        Place::Item(collection) => Some(ItemRef::new(collection, slug.clone()).to_string()),
        Place::Person => Some(slug.to_string()),
        Place::Ledger(_) | Place::PersonLedger | Place::Editorial(_) => None,
    };
    let Some(bytes) = bytes else {
        loaded.provenance.absent.extend(id);
        return;
    };
    let subject = match place {
        Place::Item(collection) => Some(Subject::Item(ItemRef::new(collection, slug.clone()))),
        Place::Person => Some(Subject::Person(PersonId::from(slug.clone()))),
        _ => None,
    };
    let bytes = match subject {
        Some(subject) => match select(&subject, bytes) {
            Some(bytes) => bytes,
            None => {
                loaded.provenance.absent.extend(id);
                return;
            }
        },
        None => bytes,
    };
    let errors_before = diags.error_count();
    load_parsed(bytes, rel, slug, place, reading, loaded, diags);
    if let Some(id) = id.filter(|_| diags.error_count() > errors_before) {
        loaded.provenance.absent.insert(id);
    }
}

/// What loading does with each item's text beyond parsing it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading<'m> {
    /// Whether the body is kept.
    pub bodies: Bodies,
    /// Whether the summary and prose are measured for readability.
    pub measure: bool,
    /// Figures measured before, taken for a file met again instead of
    /// measuring it.
    pub memo: Option<&'m ReadabilityMemo>,
    /// The note pages of relationship advice must carry.
    pub safety: Option<&'m SafetyNote>,
}

/// Whether loading keeps each item's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bodies {
    /// Keep them, as everything that shows content needs.
    Keep,
    /// Read each body for the blob id and the body's own rule, then let it
    /// go: for a check, which never shows content.
    Drop,
}

/// The rules on an item's body, checked as it loads: a page with no text
/// draws a warning, as does a page of relationship advice without the
/// `safety` note.
pub(crate) fn body_warnings(
    rel: &Path,
    collection: Collection,
    body: &str,
    body_line: usize,
    safety: Option<&SafetyNote>,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    if body.trim().is_empty() {
        warnings.push(
            Diagnostic::warning(Code::MissingField, rel, Position::new(body_line, 1), "the body is empty")
                .with_hint("write the page's text after the closing `---`"),
        );
    }
    if let Some(note) = safety.filter(|note| !note.carried(collection, body)) {
        let message = format!("this page gives relationship advice but has no \"{}\" note", note.heading);
        warnings.push(Diagnostic::warning(Code::SafetyNote, rel, Position::new(body_line, 1), message).with_hint(format!(
            "add a section headed `## {}` (where to turn when a partner is the danger, and a device they cannot check), or link to one (`{}`)",
            note.heading,
            note.anchor()
        )));
    }
    warnings
}

/// Reads and parses one file whose place and id are known.
fn load_parsed(
    bytes: Vec<u8>,
    rel: PathBuf,
    slug: Slug,
    place: Place,
    reading: Reading<'_>,
    loaded: &mut Loaded,
    diags: &mut Diagnostics,
) {
    /// Adds an item that parsed, with its readability measured (if it
    /// is); says whether there was one.
    fn add<K: Kind>(
        into: &mut Vec<Item<K>>,
        item: Option<Item<K>>,
        measure: impl FnOnce(AnyItem<'_>) -> Option<readability::Readability>,
    ) -> bool {
        let Some(mut item) = item else { return false };
        item.meta.readability = measure(K::any(&item));
        into.push(item);
        true
    }
    let blob = BlobId::of(&bytes);
    let sha256 = Sha256::of(&bytes);
    let Some(text) = decode_text(bytes, &rel, diags) else { return };
    match place {
        Place::Item(collection) => {
            let split = match frontmatter::split(&text) {
                Ok(split) => split,
                Err(e) => return diags.push(text_error(&rel, e)),
            };
            // Later passes need only the YAML's text; the body takes over
            // the file's buffer rather than a copy.
            let yaml = split.yaml.to_owned();
            let (body_range, body_line, offset) =
                (byte_range(&text, split.body), split.body_line, frontmatter::YAML_LINE_OFFSET);
            let blank = body_warnings(&rel, collection, split.body, body_line, reading.safety);
            // Measured while the body is at hand (a check lets it go),
            // unless the memo has this very file's figures.
            let remembered = reading.measure.then(|| reading.memo?.get(&sha256)).flatten();
            let sentences = (reading.measure && remembered.is_none()).then(|| readability::body(split.body, body_line));
            let measure = |item: AnyItem<'_>| {
                remembered.or_else(|| {
                    Some(readability::measure(&item.meta().summary, &item.prose_fields(), sentences?, &yaml, offset))
                })
            };
            let body = match reading.bodies {
                Bodies::Drop => String::new(),
                Bodies::Keep if body_range.end == text.len() => {
                    let mut body = text;
                    body.drain(..body_range.start);
                    body
                }
                Bodies::Keep => text[body_range].to_owned(),
            };
            let parts = MetaParts { slug, body, body_line, blob, sha256, path: rel.clone() };
            let parsed = match collection {
                Collection::Styles => {
                    add(&mut loaded.items.styles, item::<StyleFrontMatter>(&rel, &yaml, offset, parts, diags), measure)
                }
                Collection::Strategies => add(
                    &mut loaded.items.strategies,
                    item::<StrategyFrontMatter>(&rel, &yaml, offset, parts, diags),
                    measure,
                ),
                Collection::Therapies => add(
                    &mut loaded.items.therapies,
                    item::<TherapyFrontMatter>(&rel, &yaml, offset, parts, diags),
                    measure,
                ),
                Collection::Guides => {
                    add(&mut loaded.items.guides, item::<GuideFrontMatter>(&rel, &yaml, offset, parts, diags), measure)
                }
            };
            if parsed {
                for warning in blank {
                    diags.push(warning);
                }
            }
            loaded.provenance.files.insert(rel.into_os_string(), YamlText { text: yaml, line_offset: offset });
        }
        Place::Person => {
            if let Some(file) = yaml_file::<PersonFile>(&rel, &text, diags) {
                loaded.people.push(Person {
                    id: PersonId::from(slug),
                    name: file.name,
                    kind: file.kind,
                    credentials: file.credentials,
                    roles: file.roles,
                    email: file.email,
                    bio: file.bio,
                    licence: file.licence,
                    signing_keys: file.signing_keys,
                    path: rel.clone(),
                });
            }
            loaded.provenance.files.insert(rel.into_os_string(), YamlText { text, line_offset: 0 });
        }
        Place::Ledger(collection) => {
            if let Some(records) = yaml_file::<Vec<LedgerRecord>>(&rel, &text, diags) {
                loaded.ledgers.push(Ledger { item: ItemRef::new(collection, slug), records, path: rel.clone(), blob });
            }
            loaded.provenance.files.insert(rel.into_os_string(), YamlText { text, line_offset: 0 });
        }
        Place::PersonLedger | Place::Editorial(_) => {
            let subject = match place {
                Place::Editorial(subject) => subject,
                _ => Editorial::Person(PersonId::from(slug)),
            };
            if let Some(records) = yaml_file::<Vec<LedgerRecord>>(&rel, &text, diags) {
                loaded.editorial.push(EditorialLedger { subject, records, path: rel.clone(), blob });
            }
            loaded.provenance.files.insert(rel.into_os_string(), YamlText { text, line_offset: 0 });
        }
    }
}

/// Reads a file's bytes, refusing huge files: one open, one stat of the
/// open file, and reads into a buffer of the file's size.
fn read_bytes(path: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    use std::io::Read;
    let io_error =
        |e: std::io::Error| Diagnostic::error(Code::Io, rel, Position::START, format!("cannot read the file: {e}"));
    let read = || -> std::io::Result<Result<Vec<u8>, u64>> {
        let file = fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len > MAX_FILE_BYTES {
            return Ok(Err(len));
        }
        let mut bytes = Vec::with_capacity(len as usize + 1);
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(if bytes.len() as u64 > MAX_FILE_BYTES { Err(bytes.len() as u64) } else { Ok(bytes) })
    };
    match read() {
        Ok(Ok(bytes)) => Some(bytes),
        Ok(Err(len)) => {
            let message = format!("the file is {len} bytes, over the limit of {MAX_FILE_BYTES}");
            diags.push(
                Diagnostic::error(Code::Io, rel, Position::START, message)
                    .with_hint("split the item into smaller ones; a page this long cannot be reviewed as a unit"),
            );
            None
        }
        Err(e) => {
            diags.push(io_error(e));
            None
        }
    }
}

/// Decodes bytes as UTF-8 text (see [`frontmatter::decode`]), reporting
/// where they are not.
fn decode_text(bytes: Vec<u8>, rel: &Path, diags: &mut Diagnostics) -> Option<String> {
    frontmatter::decode(bytes).map_err(|e| diags.push(text_error(rel, e))).ok()
}

/// The id a file's stem gives, if it is a valid slug.
fn file_id(rel: &Path, diags: &mut Diagnostics) -> Option<Slug> {
    let stem = rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Ok(slug) = stem.parse::<Slug>() {
        return Some(slug);
    }
    let suggestion = suggest_slug(&stem);
    diags.push(
        Diagnostic::error(Code::InvalidSlug, rel, Position::START, InvalidSlug(stem).to_string())
            .with_hint(format!("rename the file; for example `{suggestion}`")),
    );
    None
}

/// A slug close to `s`: lowercase ASCII letters and digits joined by single hyphens.
pub fn suggest_slug(s: &str) -> String {
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() { "item".to_owned() } else { words.join("-") }
}

fn byte_range(text: &str, part: &str) -> Range<usize> {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    start..start + part.len()
}

fn item<F: FrontMatter>(
    rel: &Path,
    yaml: &str,
    line_offset: usize,
    parts: MetaParts,
    diags: &mut Diagnostics,
) -> Option<Item<F::Kind>> {
    refuse_anchors(rel, yaml, line_offset, diags)?;
    match serde_yaml::from_str::<F>(yaml) {
        Ok(fm) => Some(fm.into_item(parts)),
        Err(e) => {
            diags.push(yaml_error(rel, &e, line_offset, yaml));
            None
        }
    }
}

fn yaml_file<T: DeserializeOwned>(rel: &Path, text: &str, diags: &mut Diagnostics) -> Option<T> {
    if text.trim().is_empty() {
        diags.push(
            Diagnostic::error(Code::EmptyFile, rel, Position::START, "the file is empty")
                .with_hint("remove the file, or fill it in (the README's content model lists the fields)"),
        );
        return None;
    }
    refuse_anchors(rel, text, 0, diags)?;
    serde_yaml::from_str(text).map_err(|e| diags.push(yaml_error(rel, &e, 0, text))).ok()
}

/// Refuses YAML anchors and aliases (see [`frontmatter::find_anchor`]) and
/// line breaks only YAML counts (see [`frontmatter::find_yaml_only_break`]).
fn refuse_anchors(rel: &Path, yaml: &str, line_offset: usize, diags: &mut Diagnostics) -> Option<()> {
    if let Some(at) = frontmatter::find_yaml_only_break(yaml) {
        diags.push(
            Diagnostic::error(Code::Encoding, rel, Position::new(at.line + line_offset, at.column), "a NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR character in YAML")
                .with_hint("YAML treats it as a line break that editors do not show; replace it with a space or a normal line break"),
        );
        return None;
    }
    let Some(at) = frontmatter::find_anchor(yaml) else { return Some(()) };
    diags.push(
        Diagnostic::error(
            Code::Syntax,
            rel,
            Position::new(at.line + line_offset, at.column),
            "YAML anchors (&name) and aliases (*name) are not allowed in content files",
        )
        .with_hint("write each value out in full"),
    );
    None
}

/// Kinds of YAML and schema errors, recognised by their message, with the
/// code and the hint each gets; the first match wins.
const YAML_PROBLEMS: &[(&str, Code, &str)] = &[
    (
        "unknown field",
        Code::UnknownField,
        "check the spelling; only the keys listed are allowed (the README's content model lists them)",
    ),
    (
        "missing field",
        Code::MissingField,
        "add the field; every item needs title, summary, author, created and sources",
    ),
    ("duplicate field", Code::Syntax, "a key may appear once; remove one of them"),
    (
        "is not a valid id",
        Code::InvalidValue,
        "ids and references use lowercase letters, digits and hyphens: styles/avoidant",
    ),
    ("is not a reference", Code::InvalidValue, "references are written collection/slug, for example styles/avoidant"),
    ("is not a collection", Code::InvalidValue, "the collections are styles, strategies, therapies and guides"),
    (
        "is not a git blob id",
        Code::InvalidValue,
        "write the full 40-digit blob id; `securebase review approve` records it for you",
    ),
    (
        "is not an accepted OpenSSH public key",
        Code::InvalidValue,
        "paste the whole public key line from the .pub file (`ssh-keygen -t ed25519` makes one); never the private key",
    ),
    ("is not a SHA-256 digest", Code::InvalidValue, "`securebase review approve` records the digest for you"),
    ("unknown variant", Code::InvalidValue, "use one of the values the message lists"),
    ("invalid type", Code::InvalidValue, "give the value in the form the field expects"),
    ("invalid value", Code::InvalidValue, "give the value in the form the field expects"),
    ("date", Code::InvalidValue, "write dates as YYYY-MM-DD, and make sure the day exists in that month"),
];

/// Turns a YAML error into a diagnostic at its place in the file.
fn yaml_error(rel: &Path, err: &serde_yaml::Error, line_offset: usize, yaml: &str) -> Diagnostic {
    let message = file_lines(&err.to_string(), line_offset);
    let locator = Locator::new(yaml, line_offset);
    let at = match err.location() {
        Some(l) => locator.refine(Position::new(l.line() + line_offset, l.column()), &message),
        None => locator.start(),
    };
    let (code, hint) = YAML_PROBLEMS
        .iter()
        .find(|(needle, _, _)| message.contains(needle))
        .map_or((Code::Syntax, "fix the YAML here: check indentation, colons and quotes"), |&(_, code, hint)| {
            (code, hint)
        });
    Diagnostic::error(code, rel, at, message).with_hint(hint)
}

/// Rewrites the YAML parser's "at line N column M" to file lines, dropping
/// the last one when it ends the message (the diagnostic carries it).
fn file_lines(message: &str, line_offset: usize) -> String {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(AT) {
        let after = &rest[i + AT.len()..];
        let digits = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
        let Ok(line) = after[..digits].parse::<usize>() else {
            out.push_str(&rest[..i + AT.len()]);
            rest = after;
            continue;
        };
        let tail = &after[digits..];
        let column_end =
            tail.strip_prefix(" column ").map_or(0, |t| 8 + t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
        out.push_str(&rest[..i]);
        if digits + column_end < after.len() {
            out.push_str(&format!("{AT}{}{}", line + line_offset, &tail[..column_end]));
        }
        rest = &tail[column_end..];
    }
    out.push_str(rest);
    out
}

fn text_error(rel: &Path, e: TextError) -> Diagnostic {
    Diagnostic::error(e.code, rel, e.at, e.message).with_hint(e.hint)
}

/// What to do when the folder given is not a project.
const WRONG_ROOT: &str = "give the project folder, the one holding site.toml and content/ \
    (the command's --root DIR, or the path passed to Library::load)";

/// The folder given, as written and, when relative, as an absolute path.
fn given(root: &Path) -> String {
    match std::path::absolute(root) {
        Ok(absolute) if absolute != root => format!("{} ({})", root.display(), absolute.display()),
        _ => root.display().to_string(),
    }
}

#[cfg(feature = "project")]
/// Reads and parses `site.toml`.
fn load_config(
    root: &Path,
    diags: &mut Diagnostics,
    provenance: &mut Provenance,
    select: Select<'_>,
) -> Option<SiteConfig> {
    let path = root.join(ProjectLayout::SITE_TOML);
    let rel = PathBuf::from(ProjectLayout::SITE_TOML);
    if !path.is_file() {
        diags.push(
            Diagnostic::error(Code::Io, rel, Position::START, format!("there is no site.toml in {}", given(root)))
                .with_hint(WRONG_ROOT),
        );
        return None;
    }
    let bytes = select(&Subject::Site, read_bytes(&path, &rel, diags)?)?;
    parse_config(&bytes, diags, provenance)
}

/// Parses and checks the text of `site.toml`.
fn parse_config(bytes: &[u8], diags: &mut Diagnostics, provenance: &mut Provenance) -> Option<SiteConfig> {
    let rel = PathBuf::from(ProjectLayout::SITE_TOML);
    let text = decode_text(bytes.to_vec(), &rel, diags)?;
    let parsed = toml::from_str(&text)
        .map_err(|e| {
            let at = e.span().map_or(Position::START, |s| frontmatter::position_at(&text, s.start));
            let message = e.message().trim().to_owned();
            let code = if message.contains("unknown field") {
                Code::UnknownField
            } else if message.contains("missing field") {
                Code::MissingField
            } else {
                Code::Syntax
            };
            diags.push(
                Diagnostic::error(code, &rel, at, message)
                    .with_hint("see site.toml in the securebase README for every setting"),
            );
        })
        .ok();
    if let Some(config) = &parsed {
        crate::config::check(config, &rel, Locator::new(&text, 0), diags);
    }
    provenance.files.insert(rel.into_os_string(), YamlText { text, line_offset: 0 });
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn a_folder_that_is_not_a_project_is_named_in_the_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let given = dir.path().join("not-a-project");
        std::fs::create_dir(&given).unwrap();
        let problems = crate::Library::load(&given).unwrap_err();
        let text: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        let shown = given.display();
        assert!(
            text[0].starts_with(&format!("content:1:1: error[io]: there is no content/ folder in {shown}\n")),
            "{text:?}"
        );
        assert!(
            text[1].starts_with(&format!("site.toml:1:1: error[io]: there is no site.toml in {shown}\n")),
            "{text:?}"
        );
        assert!(text[1].contains("the path passed to Library::load"), "{text:?}");
        assert_eq!(
            super::given(Path::new("x")),
            format!("x ({})", std::env::current_dir().unwrap().join("x").display())
        );
    }

    #[test]
    fn slug_suggestions_are_valid_slugs() {
        for s in ["Avoidant Style", "a..b", "Über", "--x--", ""] {
            let suggestion = suggest_slug(s);
            assert!(suggestion.parse::<Slug>().is_ok(), "{s:?} -> {suggestion:?}");
        }
        assert_eq!(suggest_slug("Avoidant Style"), "avoidant-style");
    }

    #[test]
    fn yaml_errors_point_at_file_lines() {
        let yaml = "title: A\nsummary: \"unclosed\n";
        let err = serde_yaml::from_str::<GuideFrontMatter>(yaml).map(|_| ()).unwrap_err();
        let d = yaml_error(Path::new("content/guides/a.md"), &err, 1, yaml);
        assert_eq!(d.code, Code::Syntax, "{d}");
        assert!(d.line >= 3, "{d}");
        assert_eq!(d.line, 4, "{d}");
        assert!(d.message.contains("end of stream at line 4 column 1, while scanning a quoted scalar"), "{d}");
        assert_eq!(file_lines("bad at line 2 column 3", 1), "bad");
        assert_eq!(file_lines("x at line 2 column 3, y at line 1 column 1", 1), "x at line 3 column 3, y");
    }

    #[test]
    fn places_files_by_folder() {
        assert!(matches!(place(Path::new("styles/a.md")), Some(Place::Item(Collection::Styles))));
        assert!(place(Path::new("styles/sub/a.md")).is_none());
        assert!(place(Path::new("styles/sub/deeper/a.md")).is_none());
        assert!(matches!(place(Path::new("people/a.yml")), Some(Place::Person)));
        assert!(matches!(place(Path::new("reviews/guides/a.yaml")), Some(Place::Ledger(Collection::Guides))));
        assert!(place(Path::new("README.md")).is_none());
        assert!(place(Path::new("styles/a.txt")).is_none());
        assert!(place(Path::new("reviews/nope/a.yaml")).is_none());
    }

    #[test]
    fn a_page_of_relationship_advice_carries_the_safety_note_or_links_to_it() {
        let note = SafetyNote { collections: vec![Collection::Styles], ..SafetyNote::default() };
        assert_eq!(note.anchor(), "#if-a-partner-hurts-threatens-or-controls-you");
        let rel = Path::new("content/styles/avoidant.md");
        let warnings = |collection, body: &str| -> Vec<(Code, usize)> {
            body_warnings(rel, collection, body, 9, Some(&note)).iter().map(|d| (d.code, d.line)).collect()
        };
        assert_eq!(warnings(Collection::Styles, "Text.\n"), [(Code::SafetyNote, 9)]);
        assert_eq!(warnings(Collection::Styles, "Text.\n\n## If a partner hurts, threatens or controls you\n"), []);
        assert_eq!(
            warnings(Collection::Styles, "See [safety](/guides/x/#if-a-partner-hurts-threatens-or-controls-you).\n"),
            []
        );
        assert_eq!(warnings(Collection::Guides, "Text.\n"), [], "only the collections named");
        assert_eq!(warnings(Collection::Styles, " \n"), [(Code::MissingField, 9), (Code::SafetyNote, 9)]);
        assert_eq!(body_warnings(rel, Collection::Styles, "Text.\n", 9, None), []);
        let hint = body_warnings(rel, Collection::Styles, "Text.\n", 9, Some(&note)).remove(0).hint.unwrap();
        assert!(hint.starts_with("add a section headed `## If a partner hurts, threatens or controls you`"), "{hint}");
    }

    #[test]
    fn an_item_file_off_its_own_path_is_an_error_and_other_files_a_warning() {
        let (misplaced, id) = unplaced(Path::new("styles/sub/avoidant.md"), "content/styles/sub/avoidant.md".into());
        assert_eq!(id.as_deref(), Some("styles/avoidant"), "references to it are not dangling");
        assert_eq!((misplaced.severity, misplaced.code), (Severity::Error, Code::Misplaced));
        assert_eq!(misplaced.file, Path::new("content/styles/sub/avoidant.md"));
        assert!(misplaced.hint.as_deref().unwrap().contains("move it to content/styles/avoidant.md"), "{misplaced}");
        for (inside, rel) in
            [("styles/sub/notes.txt", "content/styles/sub/notes.txt"), ("notes/a.md", "content/notes/a.md")]
        {
            let (ignored, id) = unplaced(Path::new(inside), rel.into());
            assert_eq!(id, None);
            assert_eq!((ignored.severity, ignored.code), (Severity::Warning, Code::IgnoredFile), "{inside}");
        }
    }
}
