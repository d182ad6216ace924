//! `cargo run -p xtask -- corpus --items N --out DIR`: writes a realistic,
//! deterministic securebase site for benchmarks (a git repository with a
//! few commits, signed approvals, and edits after approval), and beside it
//! the same pages as a Hugo site, so both generators do the same work.
//!
//! `cargo run --release -p xtask -- readability-speed --root DIR`: how fast
//! the readability pass reads a project's item bodies on one core, beside
//! what looking each word's syllables up costs on its own.
//!
//! `cargo run --release -p xtask -- desk-speed --corpus DIR`: the review
//! desk's server time over a corpus (`desk_speed`).
//!
//! The approvals are signed as `securebase review approve` signs them, in
//! Rust: a fictional editor approves the people files, `site.toml` and the
//! theme, a fictional clinical reviewer approves the items. Their keys come
//! from fixed, published seeds, so they sign benchmark data and nothing
//! else. The editor's key is in `DIR/trust-root`, outside the repository,
//! for `securebase build --trust-root DIR/trust-root`.

mod desk_speed;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use securebase::{BlobId, Decision, LedgerRecord, PersonId, Sha256, SiteConfig, Subject, ThemeFile};
use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{HashAlg, LineEnding, PrivateKey};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Write a benchmark corpus: DIR/securebase (a git repository), DIR/hugo
    /// and DIR/trust-root (the editor's key, for the production build).
    Corpus {
        /// How many items in all (spread over the four collections).
        #[arg(long, default_value_t = 1000)]
        items: usize,
        /// Where to write it (must not exist, or be empty).
        #[arg(long)]
        out: PathBuf,
        /// The random seed; the same seed gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The project whose theme and site.toml to use.
        #[arg(long, default_value = ".")]
        project: PathBuf,
    },
    /// Time the review desk over a corpus written by `corpus`: the queue, a
    /// review page and an approval, each RUNS times, served from a warm desk.
    DeskSpeed {
        /// The corpus folder (holding securebase/ and trust-root).
        #[arg(long)]
        corpus: PathBuf,
        /// How many times to time each.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time the readability pass over the item bodies of the project at
    /// DIR on one core (best of RUNS), and beside it three bare loops over
    /// the same bytes, with no Markdown, no sentences and no syllable rules:
    /// one that only looks each word up in a table of syllable counts, with
    /// the words found beforehand (the part of the pass's work that no way
    /// of finding the words can save); one that finds the words as the pass
    /// does, each from the end of the one before, and looks each up; and
    /// one that finds them from bit masks of 64 bytes and looks each up.
    ReadabilitySpeed {
        /// The project (a corpus's `securebase` folder, say).
        #[arg(long)]
        root: PathBuf,
        /// How many times to time each, keeping the fastest.
        #[arg(long, default_value_t = 9)]
        runs: usize,
    },
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: &[&str] = &[
    "attachment",
    "trust",
    "closeness",
    "feelings",
    "partner",
    "friend",
    "care",
    "safety",
    "steady",
    "calm",
    "worry",
    "distance",
    "comfort",
    "notice",
    "pause",
    "boundary",
    "routine",
    "kindness",
    "listen",
    "repair",
    "relationship",
    "childhood",
    "caregiver",
    "pattern",
    "change",
    "practice",
    "support",
    "therapy",
    "session",
    "emotion",
    "regulate",
    "secure",
    "anxious",
    "avoidant",
    "needs",
    "space",
    "time",
    "small",
    "step",
    "together",
    "often",
    "gently",
    "slowly",
    "honest",
    "open",
    "plain",
    "warm",
    "clear",
    "daily",
    "weekly",
    "moment",
    "breath",
    "body",
    "thought",
    "reaction",
    "choice",
    "value",
    "hope",
    "growth",
    "understand",
    "learn",
    "share",
    "ask",
    "the",
    "a",
    "and",
    "of",
    "to",
    "in",
    "with",
    "you",
    "your",
    "can",
    "may",
    "that",
    "is",
    "for",
    "when",
    "it",
];

const COLLECTIONS: [&str; 4] = ["styles", "strategies", "therapies", "guides"];

fn sentence(rng: &mut Rng) -> String {
    let n = 8 + rng.below(12);
    let mut words: Vec<String> = (0..n).map(|_| rng.pick(WORDS).to_owned()).collect();
    if let Some(first) = words.first_mut() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            *first = c.to_uppercase().chain(chars).collect();
        }
    }
    let i = rng.below(n);
    if rng.chance(30) {
        words[i] = format!("*{}*", words[i]);
    }
    format!("{}.", words.join(" "))
}

/// A body of 600 to 1,200 words: headings, paragraphs, lists, emphasis,
/// links to other items, a table in some, a code block in about 5%.
fn body(rng: &mut Rng, links: &[String]) -> String {
    let target = 600 + rng.below(601);
    let mut text = String::new();
    let mut words = 0;
    let mut section = 0;
    while words < target {
        section += 1;
        let _ = writeln!(text, "## {} {section}\n", sentence(rng).trim_end_matches('.'));
        for _ in 0..3 {
            let mut paragraph = String::new();
            for _ in 0..4 {
                let s = sentence(rng);
                words += s.split_whitespace().count();
                paragraph.push_str(&s);
                paragraph.push(' ');
            }
            if !links.is_empty() && rng.chance(60) {
                let target = &links[rng.below(links.len())];
                let _ = write!(paragraph, "See [{}]({target}) too.", rng.pick(WORDS));
            }
            let _ = writeln!(text, "{}\n", paragraph.trim_end());
        }
        if rng.chance(50) {
            for _ in 0..4 {
                let s = sentence(rng);
                words += s.split_whitespace().count();
                let _ = writeln!(text, "- {s}");
            }
            text.push('\n');
        }
    }
    if rng.chance(20) {
        text.push_str("| Step | What to try |\n|---|---|\n");
        for i in 1..=3 {
            let _ = writeln!(text, "| {i} | {} |", sentence(rng));
        }
        text.push('\n');
    }
    if rng.chance(5) {
        text.push_str("```yaml\nreminder:\n  when: weekly\n  with: partner\n```\n\n");
    }
    text
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("git").arg("-C").arg(dir).args(args).status().context("running git")?;
    if !status.success() {
        bail!("git {args:?} failed");
    }
    Ok(())
}

fn commit(dir: &Path, email: &str, message: &str) -> anyhow::Result<()> {
    git(dir, &["add", "-A"])?;
    let user = format!("user.email={email}");
    git(dir, &["-c", &user, "-c", "user.name=Corpus (fictional)", "commit", "-q", "-m", message])
}

/// The seed of the fictional editor's key (`corpus-team`).
const EDITOR_SEED: [u8; 32] = [0xED; 32];

/// The seed of the fictional clinical reviewer's key (`riley-example`).
const REVIEWER_SEED: [u8; 32] = [0xC1; 32];

/// The date of the editorial approvals, before the items' (the keys have
/// no validity dates, so every date is within them).
const EDITORIAL_DATE: &str = "2026-09-30";

/// A fictional signer of the corpus: a person id and an Ed25519 key made
/// from a fixed seed, so that every corpus is signed alike.
struct Signer {
    id: PersonId,
    key: PrivateKey,
}

impl Signer {
    /// The signer `id`, with the key made from `seed`.
    fn new(id: &str, seed: &[u8; 32]) -> anyhow::Result<Signer> {
        let pair = Ed25519Keypair::from_seed(seed);
        let key = PrivateKey::new(KeypairData::Ed25519(pair), format!("{id}@corpus.invalid"))?;
        Ok(Signer { id: id.parse()?, key })
    }

    /// The public key line, as `signing_keys` and the trust root list it.
    fn public_line(&self) -> anyhow::Result<String> {
        Ok(self.key.public_key().to_openssh()?)
    }

    /// An approval of `bytes` (the listing's, for the theme, whose `files`
    /// are given) on `date`, signed as the record that follows `earlier`
    /// in the ledger of `subject`, so that it joins that ledger's chain.
    fn approve(
        &self,
        subject: &Subject,
        earlier: &[LedgerRecord],
        bytes: &[u8],
        date: &str,
        summary: &str,
        files: Vec<ThemeFile>,
    ) -> anyhow::Result<LedgerRecord> {
        let date = date.parse()?;
        let mut record =
            LedgerRecord::new(BlobId::of(bytes), Sha256::of(bytes), self.id.clone(), date, Decision::Approved, summary);
        record.files = files;
        let statement = securebase::trust::next_statement(subject, earlier, &record);
        let signature = self.key.sign(securebase::trust::NAMESPACE, HashAlg::Sha512, statement.as_bytes())?;
        record.signature = Some(signature.to_pem(LineEnding::LF)?);
        Ok(record)
    }
}

/// Writes the ledger of `subject` in the project at `site`.
fn write_ledger(site: &Path, subject: &Subject, records: &[LedgerRecord]) -> anyhow::Result<()> {
    let path = site.join(securebase::ProjectLayout::ledger(subject));
    fs::create_dir_all(path.parent().unwrap_or(site))?;
    fs::write(path, serde_yaml::to_string(records)?)?;
    Ok(())
}

/// The editor's approvals of the people files, `site.toml` and the theme
/// (every file `securebase_site::theme_files` lists), written as their
/// ledgers; what they approve must be committed for production to find it.
fn editorial_approvals(site: &Path, editor: &Signer) -> anyhow::Result<()> {
    let mut subjects: Vec<(Subject, PathBuf)> = Vec::new();
    for entry in fs::read_dir(site.join("content/people"))? {
        let path = entry?.path();
        let id = path.file_stem().and_then(|s| s.to_str()).context("a people file name")?;
        subjects.push((format!("people/{id}").parse()?, path));
    }
    subjects.push((Subject::Site, site.join("site.toml")));
    for (subject, path) in subjects {
        let bytes = fs::read(&path)?;
        let record = editor.approve(&subject, &[], &bytes, EDITORIAL_DATE, "First editorial approval.", Vec::new())?;
        write_ledger(site, &subject, &[record])?;
    }
    let config: SiteConfig = toml::from_str(&fs::read_to_string(site.join("site.toml"))?)?;
    let files = securebase::trust::working_theme(site, &config.theme)?;
    let listing = securebase::trust::theme_listing(&files);
    let summary = "First editorial approval of the theme.";
    let record = editor.approve(&Subject::Theme, &[], listing.as_bytes(), EDITORIAL_DATE, summary, files)?;
    write_ledger(site, &Subject::Theme, &[record])
}

struct Item {
    collection: &'static str,
    slug: String,
    title: String,
    summary: String,
    front: String,
    body: String,
}

impl Item {
    fn markdown(&self) -> String {
        format!("---\n{}---\n{}", self.front, self.body)
    }
}

/// The project's `site.toml` with `[readability]` limits that the corpus's
/// random words meet (every sentence has 8 to 19 words), so that `check`
/// measures every item and prints no warnings; without `[safety_note]`,
/// whose note the random pages do not carry.
fn corpus_site_toml(project: &str) -> String {
    let mut text = project.to_owned();
    // The corpus's random pages carry no safety note, and its limits are its own.
    for table in ["\n[readability]", "\n[safety_note]"] {
        if let Some(start) = text.find(table) {
            let end = text[start + 1..].find("\n[").map_or(text.len(), |i| start + 1 + i);
            text.replace_range(start..end, "");
        }
    }
    text.push_str("\n[readability]\nsummary_grade = 20\nprose_grade = 20\nsentence_words = 30\n");
    text
}

fn corpus(items: usize, out: &Path, seed: u64, project: &Path) -> anyhow::Result<()> {
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        bail!("{} is not empty", out.display());
    }
    let mut rng = Rng(seed);
    let site = out.join("securebase");
    let hugo = out.join("hugo");
    fs::create_dir_all(site.join("content/people"))?;
    fs::write(site.join("site.toml"), corpus_site_toml(&fs::read_to_string(project.join("site.toml"))?))?;
    copy_dir(&project.join("themes"), &site.join("themes"))?;

    let per = |c: usize| items / 4 + usize::from(c < items % 4);
    let slugs: Vec<Vec<String>> =
        (0..4).map(|c| (0..per(c)).map(|i| format!("{}-{i:05}", &COLLECTIONS[c][..5])).collect()).collect();
    let url = |c: usize, slug: &str| format!("/{}/{slug}/", COLLECTIONS[c]);
    let mut all: Vec<Item> = Vec::with_capacity(items);
    for (c, collection) in COLLECTIONS.iter().enumerate() {
        for slug in &slugs[c] {
            let title =
                format!("{} {}", sentence(&mut rng).split_whitespace().take(4).collect::<Vec<_>>().join(" "), slug);
            let summary = sentence(&mut rng) + " " + &sentence(&mut rng);
            let summary: String = summary.chars().take(280).collect::<String>().replace(['*', '"'], "");
            let mut links = Vec::new();
            let mut related = Vec::new();
            for _ in 0..3 {
                let oc = rng.below(4);
                if slugs[oc].is_empty() {
                    continue;
                }
                let other = &slugs[oc][rng.below(slugs[oc].len())];
                links.push(url(oc, other));
                if other != slug {
                    related.push(format!("{}/{other}", COLLECTIONS[oc]));
                }
            }
            related.sort();
            related.dedup();
            let mut front = format!(
                "title: \"{title}\"\nsummary: \"{summary}\"\nauthor: corpus-team\ncreated: 2026-0{}-1{}\nkey_takeaways:\n  - \"{}\"\nrelated: [{}]\nsources:\n  - authors: [\"Bowlby, J.\"]\n    year: 1969\n    title: \"Attachment and Loss, Vol. 1: Attachment\"\n    publisher: Basic Books\n",
                1 + rng.below(9),
                rng.below(10),
                sentence(&mut rng),
                related.join(", ")
            );
            // Helper i (a strategy or therapy) helps style i mod the number of
            // styles, and each style lists exactly its helpers.
            let index = slugs[c].iter().position(|s| s == slug).unwrap_or(0);
            let styles = slugs[0].len();
            let style_ref = |_: &mut Rng| format!("styles/{}", slugs[0][index % styles.max(1)]);
            let helpers = |hc: usize| -> String {
                slugs[hc]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| styles > 0 && i % styles == index)
                    .map(|(_, s)| format!("{}/{s}", COLLECTIONS[hc]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match *collection {
                "styles" => front.push_str(&format!(
                    "security: insecure\ndimensions:\n  anxiety: high\n  avoidance: low\nsigns:\n  - \"{}\"\n  - \"{}\"\norigins: \"{}\"\nin_relationships: \"{}\"\nstrategies: [{}]\ntherapies: [{}]\n",
                    sentence(&mut rng), sentence(&mut rng), sentence(&mut rng), sentence(&mut rng), helpers(1), helpers(2)
                )),
                "strategies" if !slugs[0].is_empty() => front.push_str(&format!(
                    "helps_with: [{}]\nsteps:\n  - \"{}\"\n  - \"{}\"\nexample: \"{}\"\n",
                    style_ref(&mut rng), sentence(&mut rng), sentence(&mut rng), sentence(&mut rng)
                )),
                "strategies" => front.push_str(&format!("example: \"{}\"\n", sentence(&mut rng))),
                "therapies" if !slugs[0].is_empty() => front.push_str(&format!(
                    "approach: \"{}\"\nwhat_to_expect: \"{}\"\nhelps_with: [{}]\n",
                    sentence(&mut rng), sentence(&mut rng), style_ref(&mut rng)
                )),
                "therapies" => front.push_str(&format!("approach: \"{}\"\nwhat_to_expect: \"{}\"\n", sentence(&mut rng), sentence(&mut rng))),
                _ => {}
            }
            let body = body(&mut rng, &links);
            all.push(Item { collection, slug: slug.clone(), title, summary, front, body });
        }
    }

    // The securebase site: people with their keys, items, then the editor's
    // approvals, the reviewer's, then edits after approval.
    let editor = Signer::new("corpus-team", &EDITOR_SEED)?;
    let reviewer = Signer::new("riley-example", &REVIEWER_SEED)?;
    fs::write(
        site.join("content/people/corpus-team.yaml"),
        format!(
            "name: Corpus Team (fictional)\nkind: organisation\nroles: [author, editor]\nemail: team@example.invalid\nbio: A fictional team that writes benchmark pages.\nsigning_keys:\n  - \"{}\"\n",
            editor.public_line()?
        ),
    )?;
    fs::write(
        site.join("content/people/riley-example.yaml"),
        format!(
            "name: Riley Example (fictional)\ncredentials:\n  - abbreviation: LCSW\n    meaning: Licensed Clinical Social Worker\nroles: [clinical_reviewer]\nemail: riley@example.invalid\nbio: A fictional clinician for benchmarks.\nlicence:\n  type: LCSW\n  jurisdiction: Nowhere State (fictional)\n  expires: 2099-12-31\nsigning_keys:\n  - \"{}\"\n",
            reviewer.public_line()?
        ),
    )?;
    // The deployment's trust root, outside the repository.
    fs::write(out.join("trust-root"), format!("{} {}\n", editor.id, editor.public_line()?))?;
    for item in &all {
        let dir = site.join("content").join(item.collection);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(format!("{}.md", item.slug)), item.markdown())?;
    }
    git(&site, &["init", "-q"])?;
    commit(&site, "team@example.invalid", "Corpus content")?;
    editorial_approvals(&site, &editor)?;
    commit(&site, "team@example.invalid", "Editorial approvals")?;
    for (i, item) in all.iter().enumerate() {
        // 90% approved; the rest never reviewed.
        if i % 10 == 9 {
            continue;
        }
        let subject: Subject = format!("{}/{}", item.collection, item.slug).parse()?;
        let date = format!("2026-10-0{}", 1 + i % 9);
        let markdown = item.markdown();
        let record =
            reviewer.approve(&subject, &[], markdown.as_bytes(), &date, "First clinical review.", Vec::new())?;
        write_ledger(&site, &subject, &[record])?;
    }
    commit(&site, "riley@example.invalid", "Approvals")?;
    for item in all.iter().step_by(20) {
        let path = site.join("content").join(item.collection).join(format!("{}.md", item.slug));
        let edited = format!("{}\nAn edit made after approval, not yet reviewed.\n", item.markdown());
        fs::write(path, edited)?;
    }
    commit(&site, "team@example.invalid", "Edits after approval")?;

    // The same pages for Hugo: YAML front matter, one page and one list template.
    fs::create_dir_all(hugo.join("layouts/_default"))?;
    fs::write(
        hugo.join("hugo.toml"),
        "baseURL = \"https://corpus.example/\"\ntitle = \"Corpus\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n[markup.goldmark.renderer]\nunsafe = false\n[markup.goldmark.extensions]\ntable = true\nstrikethrough = true\ntaskList = true\nfootnote = true\ntypographer = true\n[markup.highlight]\nnoClasses = false\n",
    )?;
    fs::write(
        hugo.join("layouts/_default/single.html"),
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title><meta name=\"description\" content=\"{{ .Params.summary }}\"><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header><a href=\"/\">Corpus</a></header><main><h1>{{ .Title }}</h1><p>{{ .Params.summary }}</p><ul>{{ range .Params.key_takeaways }}<li>{{ . }}</li>{{ end }}</ul><div>{{ .TableOfContents }}</div>{{ .Content }}<h2>Related</h2><ul>{{ range .Params.related }}<li>{{ . }}</li>{{ end }}</ul><h2>Sources</h2><ol>{{ range .Params.sources }}<li>{{ .authors }} ({{ .year }}). {{ .title }}. {{ .publisher }}</li>{{ end }}</ol><p>Author: {{ .Params.author }}, created {{ .Params.created }}</p></main><footer>Not a substitute for professional care.</footer></body></html>\n",
    )?;
    fs::write(
        hugo.join("layouts/_default/list.html"),
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul></main></body></html>\n",
    )?;
    for item in &all {
        let dir = hugo.join("content").join(item.collection);
        fs::create_dir_all(&dir)?;
        let _ = (&item.title, &item.summary);
        fs::write(dir.join(format!("{}.md", item.slug)), item.markdown())?;
    }
    println!("wrote {items} items to {} and {}", site.display(), hugo.display());
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Prints the readability pass's speed, and that of the look-ups alone,
/// over the item bodies of the project at `root` (see
/// [`Task::ReadabilitySpeed`]).
fn readability_speed(root: &Path, runs: usize) -> anyhow::Result<()> {
    use std::time::Instant;
    let library =
        securebase::Library::load(root).map_err(|d| anyhow::anyhow!("cannot load {}:\n{d}", root.display()))?;
    let bodies: Vec<&str> = library.all_items().map(|item| item.meta().body.as_str()).collect();
    let bytes: usize = bodies.iter().map(|b| b.len()).sum();
    // Each word's key as the pass keys its syllable cache: up to its first
    // eight bytes, ASCII letters lowercase, zero-padded.
    let keys: Vec<u64> = bodies
        .iter()
        .flat_map(|b| b.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()))
        .map(|w| {
            let mut key = [0u8; 8];
            for (k, c) in key.iter_mut().zip(w.bytes()) {
                *k = c.to_ascii_lowercase();
            }
            u64::from_le_bytes(key)
        })
        .collect();
    let best = |work: &mut dyn FnMut() -> u64| {
        let mut fastest = f64::MAX;
        let mut seen = 0;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            seen = std::hint::black_box(work());
            fastest = fastest.min(start.elapsed().as_secs_f64());
        }
        (fastest, seen)
    };
    let (pass, syllables) =
        best(&mut || bodies.iter().map(|b| u64::from(securebase::Figures::measure(b).syllables)).sum());
    // A table of 2,048 keys with a count in each key's last byte, as the
    // pass's cache keeps short words; a key not there is put there.
    let mut slots = Box::new([0u64; 2048]);
    let mut look_up = |key: u64| {
        let at = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 53) as usize;
        if slots[at] & !(0xff << 56) != key {
            slots[at] = key | 1 << 56;
        }
        slots[at] >> 56
    };
    let (lookups, _) = best(&mut || keys.iter().map(|&key| look_up(key)).sum());
    let (chained, _) = best(&mut || bodies.iter().map(|b| words_one_after_another(b.as_bytes(), &mut look_up)).sum());
    let (masked, _) = best(&mut || bodies.iter().map(|b| words_from_masks(b.as_bytes(), &mut look_up)).sum());
    let per_byte = |s: f64| s * 1e9 / bytes as f64;
    println!(
        "bodies: {} items, {:.1} MB ({bytes} bytes), {} words, {syllables} syllables",
        bodies.len(),
        bytes as f64 / 1e6,
        keys.len()
    );
    println!("readability pass (Figures::measure): {pass:.3} s, {:.2} ns a byte", per_byte(pass));
    println!("a table look-up per word, words found beforehand: {lookups:.3} s, {:.2} ns a byte", per_byte(lookups));
    println!(
        "words found one after another, each looked up, no Markdown: {chained:.3} s, {:.2} ns a byte",
        per_byte(chained)
    );
    println!(
        "words found from bit masks, each looked up, no Markdown: {masked:.3} s, {:.2} ns a byte",
        per_byte(masked)
    );
    Ok(())
}

/// Eight bytes of `bytes` from `at`, zero past its end.
fn eight(bytes: &[u8], at: usize) -> u64 {
    if let Some(lanes) = bytes.get(at..).and_then(<[u8]>::first_chunk) {
        return u64::from_le_bytes(*lanes);
    }
    let mut lanes = [0u8; 8];
    let rest = bytes.get(at..).unwrap_or_default();
    lanes[..rest.len()].copy_from_slice(rest);
    u64::from_le_bytes(lanes)
}

/// The top bit of each byte of `lanes` that is an ASCII letter or digit.
fn alnum_bits(lanes: u64) -> u64 {
    const TOP: u64 = 0x8080_8080_8080_8080;
    let every = |b: u8| u64::from_le_bytes([b; 8]);
    let folded = (lanes | every(0x20)) & !TOP;
    let letters = (folded + every(0x80 - b'a')) & !(folded + every(0x80 - b'z' - 1));
    let low = lanes & !TOP;
    let digits = (low + every(0x80 - b'0')) & !(low + every(0x80 - b'9' - 1));
    (letters | digits) & !lanes & TOP
}

/// A word's key: its first `len` (at most eight) bytes, with 0x20 set.
fn key_of(lanes: u64, len: usize) -> u64 {
    (lanes | 0x2020_2020_2020_2020) & if len >= 8 { u64::MAX } else { (1 << (8 * len)) - 1 }
}

/// The pass's way of finding words, bare: each word's end read eight
/// bytes at a time from its start, the next word's start from that end,
/// every other byte stepped over one at a time; each word looked up.
fn words_one_after_another(bytes: &[u8], look_up: &mut impl FnMut(u64) -> u64) -> u64 {
    let (mut i, mut total) = (0, 0);
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let first = eight(bytes, i);
        let mut len = 0;
        loop {
            let run = ((!alnum_bits(eight(bytes, i + len)) & 0x8080_8080_8080_8080).trailing_zeros() / 8) as usize;
            len += run;
            if run < 8 {
                break;
            }
        }
        total += look_up(key_of(first, len));
        i += len;
    }
    total
}

/// Finding words from bit masks, bare: each 64 bytes sorted into a mask of
/// letters and digits, each word's start and end taken from the masks, so
/// that no word waits for the one before it; each word looked up.
fn words_from_masks(bytes: &[u8], look_up: &mut impl FnMut(u64) -> u64) -> u64 {
    let mask_at = |base: usize| {
        let mut mask = 0u64;
        for k in 0..8 {
            let top = alnum_bits(eight(bytes, base + 8 * k));
            mask |= ((top >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
        }
        mask
    };
    let (mut base, mut total, mut carried) = (0, 0, 0u64);
    let mut mask = mask_at(0);
    while base < bytes.len() {
        let next = mask_at(base + 64);
        let mut starts = mask & !(mask << 1 | carried);
        while starts != 0 {
            let p = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let ahead = if p == 0 { mask } else { mask >> p | next << (64 - p) };
            let len = (!ahead).trailing_zeros() as usize;
            total += look_up(key_of(eight(bytes, base + p), len));
        }
        carried = mask >> 63;
        mask = next;
        base += 64;
    }
    total
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Task::Corpus { items, out, seed, project } => corpus(items, &out, seed, &project),
        Task::ReadabilitySpeed { root, runs } => readability_speed(&root, runs),
        Task::DeskSpeed { corpus, runs } => desk_speed::desk_speed(&corpus, runs),
    }
}
