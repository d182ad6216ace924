//! Prints the strategies and therapies that help an attachment style, with
//! each one's review state.
//!
//! ```sh
//! cargo run -p securebase --example what-helps -- avoidant
//! ```
//!
//! With the `embedded` feature the content comes from the crate itself;
//! without it, from the project folder given by `SECUREBASE_ROOT` (default:
//! the workspace this example lives in).

use std::process::ExitCode;

use securebase::{Library, State, Style};

fn library() -> Result<Library, securebase::Diagnostics> {
    // The shipped content is a preview: no clinician approved it, so this
    // example says each item's state rather than call it reviewed.
    #[cfg(feature = "embedded")]
    {
        match securebase::embedded() {
            Ok(preview) => Ok(preview.unapproved_library().clone()),
            Err(securebase::BundleError::Invalid(problems)) => Err(problems.clone()),
            Err(other) => panic!("{other}"),
        }
    }
    #[cfg(not(feature = "embedded"))]
    {
        let root = std::env::var_os("SECUREBASE_ROOT")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
        Library::load(root)
    }
}

fn state(library: &Library, item: &securebase::ItemRef) -> String {
    let today = securebase::today();
    match library.review(item, today).map(|r| (r.state, r.current)) {
        Some((State::Approved, Some(version))) => format!("clinically reviewed, version {version}"),
        Some((State::ChangedSinceApproval, _)) => "changed since its last review".into(),
        Some((State::ChangesRequested, _)) => "changes requested in review".into(),
        _ => "not yet clinically reviewed".into(),
    }
}

fn main() -> ExitCode {
    let Some(slug) = std::env::args().nth(1) else {
        eprintln!("usage: what-helps <style>   (secure, avoidant, ambivalent, disorganized)");
        return ExitCode::from(2);
    };
    let library = match library() {
        Ok(library) => library,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            return ExitCode::FAILURE;
        }
    };
    let Some(style) = library.get::<Style>(&slug) else {
        let known: Vec<&str> = library.styles().iter().map(|s| s.meta.slug.as_str()).collect();
        eprintln!("no style `{slug}`; the styles are {}", known.join(", "));
        return ExitCode::FAILURE;
    };
    println!("What helps with {} ({}):\n", style.meta.title, state(&library, &style.reference()));
    println!("Self-help strategies");
    for strategy in library.strategies_for(style) {
        println!("  - {}: {} [{}]", strategy.meta.title, strategy.meta.summary, state(&library, &strategy.reference()));
    }
    println!("\nTherapies");
    for therapy in library.therapies_for(style) {
        println!("  - {}: {} [{}]", therapy.meta.title, therapy.meta.summary, state(&library, &therapy.reference()));
    }
    ExitCode::SUCCESS
}
