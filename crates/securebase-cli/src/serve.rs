//! `securebase serve`: the preview edition from memory, rebuilt when the
//! project files change, with live reload and an error overlay.
//!
//! Builds never touch the disk: each one renders into a map of files that
//! replaces the served one only when it succeeds, so a broken edit leaves
//! the last good site in place while the overlay names the problem.

use std::collections::{BTreeSet, HashMap, HashSet};
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
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use securebase::{ItemRef, Library, ProjectLayout};
use securebase_site::{
    BuildOptions, Edition, Files, GitInputs, Part, RenderCache, Rerender, Site, SiteError, Theme, after_edit,
};
use tokio::sync::{Notify, broadcast, mpsc};
use tokio_stream::wrappers::BroadcastStream;

use crate::{Terminal, detail, say};

/// How long the project files must be quiet before a rebuild starts, while a
/// file may still be being written.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// How long to wait for more changes once a writer has finished a file
/// (closed it, or renamed it into place): enough to gather the other
/// files of one save.
const SETTLE: Duration = Duration::from_millis(2);

/// Source files the watcher saw change.
struct Change {
    paths: Vec<PathBuf>,
    /// Whether the change is complete (the file was closed after writing,
    /// renamed or removed), not a write that may go on.
    finished: bool,
}

impl Change {
    fn quiet_time(&self) -> Duration {
        if self.finished { SETTLE } else { DEBOUNCE }
    }
}

/// Where the live-reload script and event stream live; never in built output.
const LIVE_JS: &str = "/__securebase/live.js";
const EVENTS: &str = "/__securebase/events";

/// The script serve adds to every HTML page it sends.
const LIVE_SCRIPT: &str = include_str!("live.js");

/// What serve is serving now.
#[derive(Default)]
struct Snapshot {
    /// Output files by path inside the site (`styles/avoidant/index.html`).
    files: HashMap<String, Arc<Vec<u8>>>,
    /// While an edit's own pages are served and the pages that list items
    /// are still being rendered again: those pages' paths. A request for
    /// one waits for them rather than see the old list.
    pending: Option<Arc<HashSet<String>>>,
    /// The last build's error, if it failed.
    error: Option<String>,
}

/// A change to tell open pages about.
#[derive(Clone, Debug)]
enum Notice {
    Reload,
    Failed(String),
}

struct Shared {
    snapshot: RwLock<Snapshot>,
    notices: broadcast::Sender<Notice>,
    /// Woken when pending pages are in place.
    settled: Notify,
}

impl Shared {
    fn snapshot(&self) -> std::sync::RwLockWriteGuard<'_, Snapshot> {
        self.snapshot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Reports a failed build: the overlay shows it, the last good build stays.
    fn failed(&self, error: String) {
        eprintln!("{error}");
        let mut snapshot = self.snapshot();
        snapshot.error = Some(error.clone());
        snapshot.pending = None;
        drop(snapshot);
        self.settled.notify_waiters();
        let _ = self.notices.send(Notice::Failed(error));
    }
}

/// Serves the project at `root` on `bind:port` until Ctrl-C.
pub fn run(term: Terminal, root: &Path, bind: IpAddr, port: u16) -> anyhow::Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let root = root.canonicalize().with_context(|| format!("cannot open the project folder {}", root.display()))?;
    runtime.block_on(serve(term, root, SocketAddr::new(bind, port)))
}

async fn serve(term: Terminal, root: PathBuf, address: SocketAddr) -> anyhow::Result<std::process::ExitCode> {
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
    let shared = Arc::new(Shared { snapshot: RwLock::new(Snapshot::default()), notices, settled: Notify::new() });
    let mut session = Session::new(term, root.clone());
    let session = {
        let shared = shared.clone();
        tokio::task::spawn_blocking(move || {
            session.rebuild(&BTreeSet::new(), &shared);
            session
        })
        .await?
    };

    let (changes, mut changed) = mpsc::unbounded_channel::<Change>();
    let watch_root = root.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let finished = match event.kind {
            // The writer closed the file, or moved a finished one into place.
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_)) => true,
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => false,
            _ => return,
        };
        let paths: Vec<PathBuf> = event.paths.into_iter().filter(|p| is_input(&watch_root, p)).collect();
        if !paths.is_empty() {
            let _ = changes.send(Change { paths, finished });
        }
    })
    .context("cannot watch the project for changes")?;
    for dir in ProjectLayout::INPUTS {
        if root.join(dir).is_dir() {
            watcher.watch(&root.join(dir), RecursiveMode::Recursive)?;
        }
    }
    watcher.watch(&root, RecursiveMode::NonRecursive)?;

    let rebuilder = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut session = session;
            while let Some(change) = changed.recv().await {
                // Wait until the editor has finished writing: briefly once
                // it has closed the file, longer while it may still write.
                let mut wait = change.quiet_time();
                let mut batch: BTreeSet<PathBuf> = change.paths.into_iter().collect();
                while let Ok(Some(more)) = tokio::time::timeout(wait, changed.recv()).await {
                    wait = more.quiet_time();
                    batch.extend(more.paths);
                }
                let job = shared.clone();
                let done = tokio::task::spawn_blocking(move || {
                    session.rebuild(&batch, &job);
                    session
                });
                match done.await {
                    Ok(back) => session = back,
                    Err(e) => {
                        shared.failed(format!("serve stopped rebuilding: {e}"));
                        return;
                    }
                }
            }
        })
    };

    let app = Router::new()
        .route(LIVE_JS, get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], LIVE_SCRIPT) }))
        .route(EVENTS, get(events))
        .fallback(get(file))
        .with_state(shared);
    // The port the system chose, when asked for any (`--port 0`).
    let address = listener.local_addr().unwrap_or(address);
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

/// Whether a changed path is one the site is built from: under the
/// watched folders, or site.toml, and not an editor's hidden swap or
/// backup file.
fn is_input(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else { return false };
    let name = inside.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.starts_with('.') || name.ends_with('~') {
        return false;
    }
    ProjectLayout::INPUTS.iter().any(|input| inside.starts_with(input))
}

/// What serve keeps between builds, so that an edit to one item renders
/// again only what shows that item.
struct Session {
    /// How chatty to be.
    term: Terminal,
    root: PathBuf,
    /// The last library that loaded, if any has.
    library: Option<Library>,
    /// The date the pages were judged against: a new day renders everything.
    today: Option<securebase::Date>,
    /// What git said, with the commit and approved blobs it was read for.
    git: Option<(String, GitInputs)>,
    /// Rendered Markdown by text.
    cache: RenderCache,
    /// The theme, loaded again only when its files or site.toml change.
    theme: Option<Theme>,
    /// The paths [`Part::Lists`] rendered last time.
    lists: Arc<HashSet<String>>,
}

impl Session {
    fn new(term: Terminal, root: PathBuf) -> Self {
        Session {
            term,
            root,
            library: None,
            today: None,
            git: None,
            cache: RenderCache::new(),
            theme: None,
            lists: Arc::default(),
        }
    }

    /// Brings the served site up to date after `changed` (absolute paths;
    /// none for the first build), and tells open pages.
    fn rebuild(&mut self, changed: &BTreeSet<PathBuf>, shared: &Shared) {
        let started = Instant::now();
        if let Err(error) = self.update(changed, shared, started) {
            shared.failed(error);
        }
    }

    fn update(&mut self, changed: &BTreeSet<PathBuf>, shared: &Shared, started: Instant) -> Result<(), String> {
        let shapes_theme = |path: &PathBuf| ProjectLayout::shapes_theme(path.strip_prefix(&self.root).unwrap_or(path));
        if changed.is_empty() || changed.iter().any(shapes_theme) {
            self.theme = None;
        }
        let affected = self.load(changed)?;
        let today = crate::build::today().map_err(|e| e.to_string())?;
        let affected = if self.today == Some(today) { affected } else { Rerender::All };
        self.today = Some(today);
        if matches!(affected, Rerender::All) {
            self.refresh_git()?;
        }
        let (key, git) = self.git.take().unwrap_or_default();
        let mut options = BuildOptions { edition: Edition::Preview, today, git, theme: None, bundle: None };
        let rendered = self.render(affected, &mut options, shared, started);
        self.git = Some((key, options.git));
        rendered
    }

    /// Renders what `affected` names and puts it in `shared`'s snapshot.
    fn render(
        &mut self,
        affected: Rerender,
        options: &mut BuildOptions,
        shared: &Shared,
        started: Instant,
    ) -> Result<(), String> {
        let library = self.library.as_ref().ok_or("the project did not load")?;
        let fail = |e: SiteError| e.to_string();
        let theme = match self.theme.take() {
            Some(theme) => theme,
            None => Theme::load(&self.root, &library.config().theme).map_err(fail)?,
        };
        let served = |files: Files| files.into_iter().map(|(path, bytes)| (path, Arc::new(bytes)));
        match affected {
            Rerender::All => {
                let site = Site::with_theme(library, options, theme).with_cache(&self.cache);
                let every: BTreeSet<ItemRef> = library.all_items().map(|i| i.reference()).collect();
                let items = site.render(Part::Items(&every)).map_err(fail)?;
                let lists = site.render(Part::Lists).map_err(fail)?;
                self.theme = Some(site.into_theme());
                let count = items.len() + lists.len();
                self.lists = Arc::new(lists.iter().map(|(path, _)| path.clone()).collect());
                let mut snapshot = shared.snapshot();
                *snapshot =
                    Snapshot { files: served(items).chain(served(lists)).collect(), pending: None, error: None };
                drop(snapshot);
                shared.settled.notify_waiters();
                crate::note!(self.term, "rebuilt {count} files in {} ms", started.elapsed().as_millis());
            }
            Rerender::Items(items) => {
                // The edited pages first, served while the lists catch up.
                let site = Site::with_theme(library, options, theme).with_cache(&self.cache);
                let files = site.render(Part::Items(&items)).map_err(fail)?;
                let theme = site.into_theme();
                let count = files.len();
                let mut snapshot = shared.snapshot();
                snapshot.files.extend(served(files));
                snapshot.pending = Some(self.lists.clone());
                snapshot.error = None;
                drop(snapshot);
                crate::note!(self.term, "rebuilt {count} files in {} ms", started.elapsed().as_millis());
                let _ = shared.notices.send(Notice::Reload);
                if let Ok(repo) = securebase::git::Repo::open(&self.root) {
                    let texts = &mut options.git.approved_texts;
                    texts.retain(|r, _| !items.contains(r));
                    texts.extend(crate::build::approved_texts(library, &repo, &|r| items.contains(r)));
                }
                let site = Site::with_theme(library, options, theme).with_cache(&self.cache);
                let lists = site.render(Part::Lists).map_err(fail)?;
                self.theme = Some(site.into_theme());
                let mut snapshot = shared.snapshot();
                snapshot.files.extend(served(lists));
                snapshot.pending = None;
                drop(snapshot);
                shared.settled.notify_waiters();
                detail!(
                    self.term,
                    "and the pages that list items, {} ms after the edit",
                    started.elapsed().as_millis()
                );
                return Ok(());
            }
        }
        let _ = shared.notices.send(Notice::Reload);
        Ok(())
    }

    /// Loads what changed: only the edited items when that is all that
    /// changed, else the whole project (or nothing, for a theme edit).
    fn load(&mut self, changed: &BTreeSet<PathBuf>) -> Result<Rerender, String> {
        let report = |diagnostics: securebase::Diagnostics| {
            diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        };
        let Some(library) = self.library.as_mut().filter(|_| !changed.is_empty()) else {
            self.library = Some(Library::load(&self.root).map_err(report)?);
            return Ok(Rerender::All);
        };
        let inside: Vec<PathBuf> =
            changed.iter().filter_map(|p| p.strip_prefix(&self.root).ok()).map(Path::to_path_buf).collect();
        after_edit(library, &inside).map_err(report)
    }

    /// Reads git again when HEAD or the approved blobs have changed since
    /// it was last read.
    fn refresh_git(&mut self) -> Result<(), String> {
        let (Some(library), Ok(repo)) = (&self.library, securebase::git::Repo::open(&self.root)) else {
            self.git = None;
            return Ok(());
        };
        let mut key = repo.head().unwrap_or_default();
        for (item, blob) in library.approved_blobs() {
            key.push_str(&format!(" {item}={blob}"));
        }
        if self.git.as_ref().is_none_or(|(cached, _)| *cached != key) {
            let git = crate::build::preview_git(library, &repo).map_err(|e| e.to_string())?;
            self.git = Some((key, git));
        }
        Ok(())
    }
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

/// What a request gets from a snapshot.
enum Answer {
    File {
        status: StatusCode,
        path: String,
        bytes: Arc<Vec<u8>>,
    },
    /// A folder asked for without its trailing slash.
    Redirect(String),
    /// The file is being rendered again; ask once it is in place.
    Wait,
}

fn answer(snapshot: &Snapshot, uri: &Uri) -> Answer {
    let wanted = site_path(uri.path());
    if let (Some(path), Some(pending)) = (&wanted, &snapshot.pending)
        && pending.contains(path)
    {
        return Answer::Wait;
    }
    if let Some(path) = wanted
        && let Some(bytes) = snapshot.files.get(&path)
    {
        return Answer::File { status: StatusCode::OK, path, bytes: bytes.clone() };
    }
    let folder = format!("{}/", uri.path());
    if site_path(&folder).is_some_and(|path| snapshot.files.contains_key(&path)) {
        return Answer::Redirect(folder);
    }
    let bytes = snapshot.files.get("404.html").cloned().unwrap_or_default();
    Answer::File { status: StatusCode::NOT_FOUND, path: "404.html".to_owned(), bytes }
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let (status, path, bytes) = loop {
        // Taken before looking, so a wake-up between the two is not lost.
        let settled = shared.settled.notified();
        let found = answer(&shared.snapshot.read().unwrap_or_else(|e| e.into_inner()), &uri);
        match found {
            Answer::File { status, path, bytes } => break (status, path, bytes),
            Answer::Redirect(folder) => {
                return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, folder)]).into_response();
            }
            Answer::Wait => settled.await,
        }
    };
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
    fn only_the_projects_inputs_start_a_rebuild() {
        let root = Path::new("/site");
        for path in [
            "/site/content/styles/avoidant.md",
            "/site/site.toml",
            "/site/themes/default/templates/base.html",
            "/site/templates/item.html",
            "/site/static/logo.svg",
        ] {
            assert!(is_input(root, Path::new(path)), "{path}");
        }
        for path in [
            "/site/public/index.html",
            "/site/content/styles/.avoidant.md.swp",
            "/site/content/styles/avoidant.md~",
            "/site/README.md",
            "/elsewhere/content/a.md",
            "/site/.git/index",
        ] {
            assert!(!is_input(root, Path::new(path)), "{path}");
        }
    }

    #[test]
    fn files_are_sent_with_their_type() {
        assert_eq!(content_type("styles/avoidant/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("api/v1/index.json"), "application/json");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("assets/photo.JPG"), "application/octet-stream", "names are matched as written");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
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
