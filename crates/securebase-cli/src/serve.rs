//! `securebase serve`: the preview edition from memory, rebuilt when the
//! sources change, with live reload and an error overlay.
//!
//! Builds never touch the disk: each one renders into a map of files that
//! replaces the served one only when it succeeds, so a broken edit leaves
//! the last good site in place while the overlay names the problem.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode, Watcher};
use securebase::Library;
use securebase_site::{BuildOptions, Edition, GitInputs, Site};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::BroadcastStream;

use crate::say;

/// How long the sources must be quiet before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Where the live-reload script and event stream live; never in built output.
const LIVE_JS: &str = "/__securebase/live.js";
const EVENTS: &str = "/__securebase/events";

/// The script serve adds to every HTML page it sends.
const LIVE_SCRIPT: &str = r#"(function () {
  'use strict';
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.setAttribute('role', 'alert');
      overlay.id = 'securebase-error-overlay';
      var s = overlay.style;
      s.position = 'fixed'; s.inset = '0'; s.zIndex = '2147483647'; s.overflow = 'auto';
      s.background = 'rgba(20, 20, 24, 0.95)'; s.color = '#ffd7d7'; s.padding = '2rem';
      s.font = '15px/1.5 ui-monospace, monospace'; s.whiteSpace = 'pre-wrap';
      document.body.appendChild(overlay);
    }
    overlay.textContent = 'securebase could not rebuild; still serving the last good build.\n\n' + text;
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  var events = new EventSource('/__securebase/events');
  events.addEventListener('reload', function () { location.reload(); });
  events.addEventListener('failed', function (e) { show(e.data); });
  events.addEventListener('ok', hide);
})();
"#;

/// What serve is serving now.
#[derive(Default)]
struct Snapshot {
    /// Output files by path inside the site (`styles/avoidant/index.html`).
    files: HashMap<String, Arc<Vec<u8>>>,
    /// The last build's error, if it failed.
    error: Option<String>,
}

/// A change to tell open pages about.
#[derive(Clone, Debug)]
enum Notice {
    Reload,
    Failed(String),
}

/// Git inputs with the key they were read for (HEAD and the approved blobs).
type GitCache = std::sync::Mutex<Option<(String, GitInputs)>>;

struct Shared {
    snapshot: RwLock<Snapshot>,
    notices: broadcast::Sender<Notice>,
    /// What git said, keyed by the commit and the approved blobs it was read
    /// for: read again only when those change, not on every edit.
    git: GitCache,
}

/// Serves the project at `root` on `bind:port` until Ctrl-C.
pub fn run(root: &Path, bind: IpAddr, port: u16) -> anyhow::Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(root.to_path_buf(), SocketAddr::new(bind, port)))
}

async fn serve(root: PathBuf, address: SocketAddr) -> anyhow::Result<std::process::ExitCode> {
    // Registered before the port opens, so an early Ctrl-C still stops cleanly.
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("{address} is already in use; stop the other server or pass another --port")
        } else {
            anyhow::anyhow!("cannot listen on {address}: {e}")
        }
    })?;
    let (notices, _) = broadcast::channel(16);
    let shared = Arc::new(Shared { snapshot: RwLock::new(Snapshot::default()), notices, git: Default::default() });
    rebuild(&root, &shared).await;

    let (changes, mut changed) = mpsc::unbounded_channel::<()>();
    let watch_root = root.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let edit = |kind: &EventKind| {
            matches!(
                kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            )
        };
        if event.is_ok_and(|e| edit(&e.kind) && e.paths.iter().any(|p| is_source(&watch_root, p))) {
            let _ = changes.send(());
        }
    })
    .context("cannot watch the project for changes")?;
    for dir in ["content", "themes", "templates", "static"] {
        if root.join(dir).is_dir() {
            watcher.watch(&root.join(dir), RecursiveMode::Recursive)?;
        }
    }
    watcher.watch(&root, RecursiveMode::NonRecursive)?;

    let rebuilder = {
        let (root, shared) = (root.clone(), shared.clone());
        tokio::spawn(async move {
            while changed.recv().await.is_some() {
                // Debounce: wait until the editor has finished writing.
                while let Ok(Some(())) = tokio::time::timeout(DEBOUNCE, changed.recv()).await {}
                rebuild(&root, &shared).await;
            }
        })
    };

    let app = Router::new()
        .route(LIVE_JS, get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], LIVE_SCRIPT) }))
        .route(EVENTS, get(events))
        .fallback(get(file))
        .with_state(shared);
    say!("serving the preview edition at http://{address}/ (Ctrl-C to stop)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            #[cfg(unix)]
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    rebuilder.abort();
    drop(watcher);
    say!("stopped");
    Ok(std::process::ExitCode::SUCCESS)
}

/// Whether a changed path is one the site is built from.
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else { return false };
    match inside.components().next().and_then(|c| c.as_os_str().to_str()) {
        Some("content" | "themes" | "templates" | "static") => true,
        Some("site.toml") => inside.components().count() == 1,
        _ => false,
    }
}

/// Builds the preview into memory; swaps it in on success and tells open
/// pages to reload, or keeps the last good build and reports the error.
async fn rebuild(root: &Path, shared: &Arc<Shared>) {
    let started = Instant::now();
    let root = root.to_path_buf();
    let job = shared.clone();
    let result =
        tokio::task::spawn_blocking(move || render(&root, &job.git)).await.unwrap_or_else(|e| Err(e.to_string()));
    let notice = match result {
        Ok(files) => {
            let count = files.len();
            let mut snapshot = shared.snapshot.write().unwrap_or_else(|e| e.into_inner());
            snapshot.files = files.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
            snapshot.error = None;
            say!("rebuilt {count} files in {} ms", started.elapsed().as_millis());
            Notice::Reload
        }
        Err(error) => {
            eprintln!("{error}");
            shared.snapshot.write().unwrap_or_else(|e| e.into_inner()).error = Some(error.clone());
            Notice::Failed(error)
        }
    };
    let _ = shared.notices.send(notice);
}

/// Renders the preview edition of `root`, or the error as text. Git is
/// read again only when HEAD has moved since the last build.
fn render(root: &Path, cache: &GitCache) -> Result<Vec<(String, Vec<u8>)>, String> {
    let library = Library::load(root).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        lines.join("\n")
    })?;
    let git = match securebase::git::Repo::open(root) {
        Ok(repo) => {
            let mut key = repo.head().unwrap_or_default();
            for (item, blob) in library.approved_blobs() {
                key.push_str(&format!(" {item}={blob}"));
            }
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            match cache.as_ref() {
                Some((cached, git)) if *cached == key => git.clone(),
                _ => {
                    let git = crate::build::preview_git(&library, &repo).map_err(|e| e.to_string())?;
                    *cache = Some((key, git.clone()));
                    git
                }
            }
        }
        Err(_) => GitInputs::default(),
    };
    let today = crate::build::today().map_err(|e| e.to_string())?;
    let options = BuildOptions { out: root.join("public"), edition: Edition::Preview, today, git };
    let site = Site::new(&library, &options).map_err(|e| e.to_string())?;
    site.render().map_err(|e| e.to_string())
}

/// The server-sent events that drive live reload and the overlay.
async fn events(State(shared): State<Arc<Shared>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let current = shared.snapshot.read().map(|s| s.error.clone()).unwrap_or_default();
    let first = match current {
        Some(error) => Event::default().event("failed").data(error),
        None => Event::default().event("ok").data("ok"),
    };
    let updates = BroadcastStream::new(shared.notices.subscribe()).filter_map(|notice| async move {
        match notice {
            Ok(Notice::Reload) => Some(Event::default().event("reload").data("reload")),
            Ok(Notice::Failed(error)) => Some(Event::default().event("failed").data(error)),
            Err(_) => None,
        }
    });
    Sse::new(stream::once(async { first }).chain(updates).map(Ok)).keep_alive(KeepAlive::default())
}

/// The site path a request URI names (`/styles/avoidant/` →
/// `styles/avoidant/index.html`), or `None` for anything that tries to leave
/// the site: `..`, backslashes, NUL, bad escapes.
pub fn site_path(uri_path: &str) -> Option<String> {
    let decoded = percent_decode(uri_path)?;
    if decoded.contains(['\\', '\0']) || !decoded.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/').skip(1) {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script to an HTML page.
fn with_live_reload(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{LIVE_JS}\"></script>\n");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let snapshot = shared.snapshot.read().unwrap_or_else(|e| e.into_inner());
    let found = site_path(uri.path()).and_then(|path| {
        let file = snapshot.files.get(&path)?;
        Some((path, file.clone()))
    });
    let (status, path, bytes) = match found {
        Some((path, bytes)) => (StatusCode::OK, path, bytes),
        None => {
            // A folder without the trailing slash: send the reader to it.
            let folder = format!("{}/", uri.path());
            if site_path(&folder).is_some_and(|path| snapshot.files.contains_key(&path)) {
                return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, folder)]).into_response();
            }
            let not_found = snapshot.files.get("404.html").cloned().unwrap_or_default();
            (StatusCode::NOT_FOUND, "404.html".to_owned(), not_found)
        }
    };
    drop(snapshot);
    let body = if path.ends_with(".html") { with_live_reload(&bytes) } else { bytes.to_vec() };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_site_files_and_never_leave_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/styles/avoidant/").as_deref(), Some("styles/avoidant/index.html"));
        assert_eq!(site_path("/assets/style.css").as_deref(), Some("assets/style.css"));
        assert_eq!(site_path("/a%20b.html").as_deref(), Some("a b.html"));
        for bad in
            ["/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc", "/a\\..\\b", "/a%5c..", "/a%00", "/%zz", "x"]
        {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn live_reload_goes_before_the_end_of_the_body() {
        let html = with_live_reload(b"<html><body><p>x</p></body></html>");
        assert_eq!(
            String::from_utf8(html).unwrap(),
            format!("<html><body><p>x</p><script src=\"{LIVE_JS}\"></script>\n</body></html>")
        );
    }
}
