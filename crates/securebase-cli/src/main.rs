//! The `securebase` command: check, preview and build a clinician-reviewed
//! content site.
//!
//! This binary is thin: it parses arguments, calls the library crates and
//! turns their results into output and exit codes.

// The argument types' doc comments are clap's help text, written for a
// terminal: placeholders such as `<root>` there are not HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod build;
mod check;
mod desk;
mod new;
mod review;
mod schema;
mod serve;
mod sign;
mod verify_site;

/// Prints a line to stdout, returning from the command with the error
/// when it cannot (`main` ends quietly when the reader has gone, as with
/// `| head`). Control characters from content are shown, not obeyed
/// ([`securebase::visible`]), as by every macro here.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), "{}", securebase::visible(&format!($($arg)*)))?
    }};
}
pub(crate) use say;

/// Exit code when the content or build has errors.
const EXIT_ERRORS: u8 = 1;

/// How chatty the command is, and whether it may use colour.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// `--quiet`: errors and requested output only.
    pub quiet: bool,
    /// `--verbose`: timings and counts for each step.
    pub verbose: bool,
    /// Colour on stdout: a terminal, and NO_COLOR unset.
    pub colour: bool,
    /// Progress bars on stderr: a terminal and not quiet.
    pub progress: bool,
}

/// Prints a status line to stderr unless the [`Terminal`] `$term` is quiet.
macro_rules! note {
    ($term:expr, $($arg:tt)*) => {{
        if !$term.quiet {
            eprintln!("{}", securebase::visible(&format!($($arg)*)));
        }
    }};
}
pub(crate) use note;

/// Prints a detail line to stderr when the [`Terminal`] `$term` is verbose.
macro_rules! detail {
    ($term:expr, $($arg:tt)*) => {{
        if $term.verbose {
            eprintln!("{}", securebase::visible(&format!($($arg)*)));
        }
    }};
}
pub(crate) use detail;

#[derive(Parser)]
#[command(
    name = "securebase",
    version,
    about = "Publish clinician-reviewed health information from git",
    after_help = "Exit codes: 0 success, 1 content errors or a failed build, 2 usage errors.\n\n\
Colour is used only on a terminal, and never when NO_COLOR is set.\n\nExamples:\n  securebase check\n  securebase preview && securebase serve\n  securebase review status"
)]
struct Cli {
    /// Print only errors and the output asked for.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print timings and counts for each step.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every file under content/ and site.toml; report every problem at once.
    #[command(
        after_help = "Examples:\n  securebase check\n  securebase check --root path/to/site --format json\n\nExit codes: 0 clean (warnings allowed), 1 errors, 2 usage errors."
    )]
    Check {
        /// The project folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Measure every item's readability afresh, without the figures kept
        /// from earlier checks of unchanged files (kept in $SECUREBASE_CACHE_DIR,
        /// else $XDG_CACHE_HOME/securebase, else ~/.cache/securebase).
        #[arg(long)]
        no_cache: bool,
    },
    /// Render the production edition: each item's latest approved version, read from git.
    #[command(
        after_help = "Only approved versions are published: items, people files and site.toml at their latest approved \
version and the theme as an editor approved it, each approval's signature checked against the trust root (editors) and the \
approved people files (clinical reviewers). Items never approved are withheld, and links to them become plain text. Fails, \
saying what to do, when nothing is approved, when a record does not verify, or without a trust root.\n\nExamples:\n  \
securebase build --trust-root /etc/securebase/trust-root\n  SECUREBASE_TRUST_ROOT=/run/secrets/securebase-trust-root securebase build --out /srv/www/site\n\n\
Exit codes: 0 built, 1 content, signature, git, template or output errors (the previous output is left as it was), 2 usage errors."
    )]
    Build {
        /// The project folder (holding site.toml and content/), inside a git repository.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder [default: <root>/public].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The deployment's trust root: lines of `<editor-id> <public key>`,
        /// naming the editors whose signatures approve people files,
        /// site.toml and the theme. Keep it outside the repository.
        #[arg(long, env = "SECUREBASE_TRUST_ROOT")]
        trust_root: Option<PathBuf>,
    },
    /// Review workflow: the queue, approvals, change requests, diffs, history, verification.
    Review {
        /// The project folder (holding site.toml and content/).
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(subcommand)]
        command: review::ReviewCommand,
    },
    /// Serve the preview edition, rebuilding and reloading open pages when the sources change.
    #[command(after_help = "Watches content/, themes/, templates/, static/ and site.toml. A build error is shown \
over the page, and the last good build stays served until the error is fixed. Nothing is written to disk.\n\n\
Examples:\n  securebase serve\n  securebase serve --port 8080\n  securebase serve --bind 0.0.0.0   # reachable from other machines: take care\n\n\
Exit codes: 0 stopped with Ctrl-C, 1 could not start (port in use, no such folder), 2 usage errors.")]
    Serve {
        /// The project folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (0: any free port, which serve prints).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Serve the review desk: clinicians and editors review and sign in a browser, with a passkey.
    #[command(
        after_help = "Examples:\n  securebase desk --trust-root /etc/securebase/trust-root\n  securebase desk --origin https://review.example.org --push origin   # behind a TLS proxy\n  securebase desk invite riley-example\n\n\
Every page but sign-in and enrolment needs a session from a passkey that counts as production counts it. \
Each decision is checked by the same rules as `securebase review approve`, appended to its ledger and committed \
(and pushed with --push, replaying on a rejected push, never forcing). The desk holds no private key.\n\n\
Exit codes: 0 stopped with Ctrl-C, 1 could not start, 2 usage errors."
    )]
    Desk {
        /// The project folder (a git work tree holding site.toml and content/).
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(flatten)]
        listen: desk::Listen,
        /// The deployment's trust root: lines of `<editor-id> <public key>`.
        #[arg(long, env = "SECUREBASE_TRUST_ROOT")]
        trust_root: Option<PathBuf>,
        /// A git remote to push each recorded decision to.
        #[arg(long)]
        push: Option<String>,
        #[command(subcommand)]
        command: Option<desk::DeskCommand>,
    },
    /// Check that a deployed site is exactly what its signed edition bundle renders.
    #[command(
        name = "verify-site",
        after_help = "Verifies the bundle (every file the approved version its ledger signs, every signature and chain \
checked against the trust root and the approved people files, as production checks them, with no git), renders the \
site from it with this generator and compares the render with DIR byte for byte, naming every file that differs, is \
missing or is extra. DIR is the deployed site, downloaded by any means (a copy of the bucket, `rsync`; `wget --mirror` \
follows links only, so use --present-only with it).\n\n\
Examples:\n  securebase verify-site ./mirror --bundle ./mirror/edition.bundle --trust-root trust-root\n\n\
Exit codes: 0 verified, 1 the bundle does not verify or a file differs, 2 usage errors."
    )]
    VerifySite {
        /// The deployed site's folder.
        dir: PathBuf,
        /// The edition bundle (the site publishes it at /edition.bundle).
        #[arg(long)]
        bundle: PathBuf,
        /// The deployment's trust root, obtained from the publisher, not from the site.
        #[arg(long, env = "SECUREBASE_TRUST_ROOT")]
        trust_root: PathBuf,
        /// Compare only the files DIR holds: for a mirror made by following
        /// links, which lacks the API's documents. Changed and extra files
        /// still fail.
        #[arg(long)]
        present_only: bool,
    },
    /// Write a skeleton item that passes `check` at once, with placeholders marked TODO.
    #[command(
        after_help = "Examples:\n  securebase new strategies journaling\n  securebase new guides talking-to-family --root my-site\n\nNever overwrites a file. Exit codes: 0 written, 1 refused, 2 usage errors."
    )]
    New {
        /// The collection: styles, strategies, therapies or guides.
        collection: securebase::Collection,
        /// The new item's id: lowercase letters, digits and hyphens.
        slug: String,
        /// The project folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write JSON Schema files for front matter, people, ledgers and site.toml.
    #[command(
        after_help = "Examples:\n  securebase schema\n  securebase schema --out .vscode/schemas\n\nSee the README for pointing an editor at them."
    )]
    Schema {
        /// The folder to write them to.
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  securebase completions bash > ~/.local/share/bash-completion/completions/securebase\n  securebase completions zsh > ~/.zfunc/_securebase"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Render every item of the working tree, reviewed or not, into a static site.
    #[command(after_help = "The preview edition shows the working text of every page with its review state, \
and asks search engines not to index it.\n\nExamples:\n  securebase preview\n  securebase preview --root path/to/site --out /tmp/preview\n\n\
Exit codes: 0 built, 1 content, template or output errors (the previous output is left as it was), 2 usage errors.")]
    Preview {
        /// The project folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder [default: <root>/public].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// How `check` prints its report.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Lines for people: file:line:column, message, hint, then a summary.
    Human,
    /// One JSON document (see the README for its fields).
    Json,
}

/// mimalloc rather than the system allocator: loading and rendering allocate
/// many small texts from several threads at once, where it is faster and
/// does not grow its heaps a page range at a time (BENCHMARKS.md has the
/// figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process, as mimalloc's own
/// `MIMALLOC_ALLOW_THP=0` would. mimalloc gives freed ranges back to the
/// system and takes them again later; under huge pages, each range taken
/// again can be a 2 MiB page that the kernel zeroes first. At 10,000 items
/// that zeroing took about a sixth of `build`'s time and came and went
/// between runs (BENCHMARKS.md). The programs it runs (git, ssh-keygen)
/// inherit the setting, which changes nothing they do. Where the kernel
/// refuses the request, the commands are only that much slower, so a
/// refusal is not an error.
fn huge_pages_off() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() -> ExitCode {
    huge_pages_off();
    let cli = Cli::parse();
    let term = {
        use std::io::IsTerminal;
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Terminal {
            quiet: cli.quiet,
            verbose: cli.verbose,
            colour: std::io::stdout().is_terminal() && !no_colour,
            progress: std::io::stderr().is_terminal() && !cli.quiet,
        }
    };
    let result = match cli.command {
        Command::Check { root, format, no_cache } => check::run(term, &root, format, !no_cache),
        Command::Preview { root, out } => build::run(term, &root, out, securebase_site::Edition::Preview, None),
        Command::Build { root, out, trust_root } => {
            build::run(term, &root, out, securebase_site::Edition::Production, trust_root.as_deref())
        }
        Command::Review { root, command } => review::run(term, &root, command),
        Command::Serve { root, port, bind } => serve::run(term, &root, bind, port),
        Command::Desk { root, listen, trust_root, push, command } => {
            desk::run(term, &root, listen, trust_root, push, command)
        }
        Command::VerifySite { dir, bundle, trust_root, present_only } => {
            verify_site::run(term, &dir, &bundle, &trust_root, present_only)
        }
        Command::New { collection, slug, root } => new::run(&root, collection, &slug),
        Command::Schema { out } => schema::run(&out),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "securebase",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        // The reader of standard output has gone (`| head`): nothing is wrong.
        Err(err)
            if err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {}", securebase::visible(&format!("{err:#}")));
            ExitCode::from(EXIT_ERRORS)
        }
    }
}
