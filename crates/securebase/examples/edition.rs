//! Loads a production edition bundle, verifies it against a pinned trust
//! root, lists what is verified and by whom, and optionally serves the
//! approved items as JSON. Nothing unverified can be served: the only
//! content this program holds is an [`Approved`] edition, which exists only
//! once every signature in the bundle has verified.
//!
//! ```sh
//! cargo run -p securebase --example edition -- public/edition.bundle /etc/securebase/trust-root
//! cargo run -p securebase --example edition -- public/edition.bundle trust-root --serve 127.0.0.1:8080
//! curl http://127.0.0.1:8080/items/styles/avoidant
//! ```
//!
//! It needs only the bundle-reading part of the crate
//! (`default-features = false`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;

use securebase::{Approved, BundleError, ItemRef, TrustRoot};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (bundle, trust_root, serve) = match args.as_slice() {
        [bundle, trust_root] => (bundle, trust_root, None),
        [bundle, trust_root, flag, address] if flag == "--serve" => (bundle, trust_root, Some(address)),
        _ => {
            eprintln!("usage: edition <edition.bundle> <trust-root> [--serve ADDRESS]");
            return ExitCode::from(2);
        }
    };
    let trust_root = match TrustRoot::read(Path::new(trust_root)) {
        Ok(root) => root,
        Err(problems) => {
            problems.iter().for_each(|p| eprintln!("{p}"));
            return ExitCode::FAILURE;
        }
    };
    let bytes = match std::fs::read(bundle) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{bundle}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let edition = match Approved::from_bundle(bundle, &bytes, &trust_root) {
        Ok(edition) => edition,
        Err(BundleError::Invalid(problems)) => {
            problems.iter().for_each(|p| eprintln!("{p}"));
            eprintln!("refused: {} problem(s); nothing is shown", problems.error_count());
            return ExitCode::FAILURE;
        }
        Err(other) => {
            eprintln!("refused: {other}");
            return ExitCode::FAILURE;
        }
    };
    let made = edition.made();
    println!("{bundle}: verified against {} (built {} by {})", trust_root.path.display(), made.date, made.generator);
    for (item, verified) in edition.items() {
        println!("  {:<40} {} ({})", item.reference().to_string(), item.meta().title, verified);
    }
    for (subject, verified) in edition.approvals().iter().filter(|(s, _)| s.is_editorial()) {
        println!("  {:<40} approved by {}", subject.to_string(), verified);
    }
    match serve {
        Some(address) => serve_items(&edition, address),
        None => ExitCode::SUCCESS,
    }
}

/// Serves `GET /items/<collection>/<slug>` as the item's API document, with
/// its verified approval; anything else is 404.
fn serve_items(edition: &Approved, address: &str) -> ExitCode {
    let listener = match TcpListener::bind(address) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("serving on http://{}", listener.local_addr().map(|a| a.to_string()).unwrap_or_default());
    let _ = std::io::stdout().flush();
    for stream in listener.incoming().flatten() {
        let mut reader = BufReader::new(&stream);
        let mut request = String::new();
        if reader.read_line(&mut request).is_err() {
            continue;
        }
        let path = request.split_whitespace().nth(1).unwrap_or_default();
        let document = path
            .strip_prefix("/items/")
            .and_then(|r| r.parse::<ItemRef>().ok())
            .and_then(|r| edition.document(&r))
            .and_then(|doc| doc.to_json().ok());
        let (status, body) = match document {
            Some(json) => ("200 OK", json),
            None => ("404 Not Found", "{\"error\":\"no approved item at this path\"}".to_owned()),
        };
        let mut stream = &stream;
        let _ = write!(
            stream,
            "HTTP/1.0 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    }
    ExitCode::SUCCESS
}
