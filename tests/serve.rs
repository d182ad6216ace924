//! `securebase serve`: pages served from memory, rebuilt on edits with a
//! reload event, an overlay event on errors while the last good build stays
//! served, and a clean stop on Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::copy_fixture_with_theme;

/// A GET request; returns the status code and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Opens the event stream; every line it sends arrives on the channel.
fn events(port: u16) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /__securebase/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for_event(rx: &mpsc::Receiver<String>, event: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let done = line == format!("event: {event}");
            seen.push(line);
            if done {
                // Collect the data lines that follow.
                while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                    if line.is_empty() {
                        break;
                    }
                    seen.push(line);
                }
                return seen;
            }
        }
    }
    panic!("no `{event}` event; saw {seen:?}");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts serve on a free port the system picks (`--port 0`) and waits
/// until it says it is listening; returns it with the port it said. Waiting for a
/// connection to succeed instead would not do: while nothing listens yet,
/// a connect to a port from the ephemeral range can land on itself (TCP
/// self-connect) and succeed. Its output is drained on a thread so that it
/// never blocks on a full pipe; its error output, which the tests read
/// from the overlay events instead, is dropped.
fn start(root: &std::path::Path) -> (Server, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_securebase"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("serving ") {
                let _ = tx.send(line);
            }
        }
    });
    let server = Server(child);
    let line = rx.recv_timeout(Duration::from_secs(20)).expect("serve did not say it is listening");
    let listening = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    assert_ne!(listening, 0, "{line:?}");
    (server, listening)
}

#[test]
fn edits_reload_errors_overlay_and_the_last_good_build_stays() {
    let site = copy_fixture_with_theme("valid");
    let root = site.path();
    let (_server, port) = start(root);

    let (status, page) = get(port, "/guides/overview/");
    assert_eq!(status, 200);
    assert!(page.contains("Start here"));
    assert!(page.contains("<script src=\"/__securebase/live.js\"></script>"), "serve injects live reload");
    assert_eq!(get(port, "/__securebase/live.js").0, 200);
    assert_eq!(get(port, "/guides/overview").0, 301, "a folder without its slash is redirected");
    assert_eq!(get(port, "/no/such/page/").0, 404);

    let stream = events(port);
    wait_for_event(&stream, "ok");

    let guide = root.join("content/guides/overview.md");
    let original = std::fs::read_to_string(&guide).unwrap();
    std::fs::write(&guide, original.replace("## Start here", "## Start right here")).unwrap();
    // Browsers dispatch an event only when it carries a data line.
    let reload = wait_for_event(&stream, "reload");
    assert!(reload.iter().any(|l| l.starts_with("data:") && l.len() > 5), "{reload:?}");
    assert!(get(port, "/guides/overview/").1.contains("Start right here"));

    // A new title shows, as soon as the reload is announced, on the pages
    // that show the item and on the lists, which are never served stale.
    let strategy = root.join("content/strategies/mindfulness.md");
    let text = std::fs::read_to_string(&strategy).unwrap();
    std::fs::write(&strategy, text.replace("title: Mindfulness", "title: Practise mindful noticing")).unwrap();
    wait_for_event(&stream, "reload");
    for page in [
        "/strategies/mindfulness/",
        "/styles/avoidant/",
        "/strategies/",
        "/search-index.json",
        "/api/v1/strategies.json",
    ] {
        assert!(get(port, page).1.contains("Practise mindful noticing"), "{page} shows the old title");
    }

    // A template edit: serve keeps its theme between content edits, and
    // loads it again when its files change.
    let template = root.join("themes/default/templates/base.html");
    let base = std::fs::read_to_string(&template).unwrap();
    assert!(base.contains("</body>"));
    std::fs::write(&template, base.replace("</body>", "<p id=\"theme-edit\">edited theme</p></body>")).unwrap();
    wait_for_event(&stream, "reload");
    assert!(get(port, "/guides/overview/").1.contains("<p id=\"theme-edit\">edited theme</p>"));
    std::fs::write(&guide, original.replace("## Start here", "## Start right here, again")).unwrap();
    wait_for_event(&stream, "reload");
    let page = get(port, "/guides/overview/").1;
    assert!(page.contains("Start right here, again") && page.contains("edited theme"), "{page}");
    std::fs::write(&guide, original.replace("## Start here", "## Start right here")).unwrap();
    wait_for_event(&stream, "reload");

    std::fs::write(&guide, "---\ntitle: [\n---\n").unwrap();
    let failed = wait_for_event(&stream, "failed");
    assert!(failed.iter().any(|l| l.contains("content/guides/overview.md:2:")), "{failed:?}");
    let (status, page) = get(port, "/guides/overview/");
    assert_eq!(status, 200);
    assert!(page.contains("Start right here"), "the last good build is still served");
    // A page opened now learns of the error at once.
    let late = events(port);
    wait_for_event(&late, "failed");

    std::fs::write(&guide, &original).unwrap();
    wait_for_event(&stream, "reload");
    assert!(
        get(port, "/guides/overview/").1.contains("## Start here")
            || get(port, "/guides/overview/").1.contains(">Start here<")
    );
    wait_for_event(&events(port), "ok");
}

#[test]
fn traversal_and_odd_paths_get_404_and_nothing_outside() {
    let site = copy_fixture_with_theme("valid");
    let (_server, port) = start(site.path());
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/..%2fsite.toml",
        "/a%5c..%5csite.toml",
        "/%00",
        "/content/guides/overview.md",
        "/%zz",
    ] {
        let (status, body) = get(port, path);
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(!body.contains("base_url"), "{path} served site.toml");
    }
}

#[test]
fn an_occupied_port_gives_a_clear_message_and_ctrl_c_stops_cleanly() {
    let site = copy_fixture_with_theme("valid");
    let (mut server, port) = start(site.path());
    let mut second = Server(
        Command::new(env!("CARGO_BIN_EXE_securebase"))
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = second.0.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "a second serve on a port in use did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    second.0.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(code, Some(1));
    assert!(stderr.contains("is already in use"), "{stderr}");

    let status = Command::new("kill").args(["-INT", &server.0.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_thousand_requests_fifty_at_a_time_without_errors_or_growth() {
    let site = copy_fixture_with_theme("valid");
    let (server, port) = start(site.path());
    let pid = server.0.id();
    let paths = ["/", "/styles/avoidant/", "/guides/overview/", "/assets/style.css", "/search-index.json", "/nope/"];
    let round = |requests: usize| {
        let handles: Vec<_> = (0..50)
            .map(|t| {
                std::thread::spawn(move || {
                    let mut errors = 0;
                    for i in 0..requests / 50 {
                        let path = paths[(t + i) % paths.len()];
                        let (status, _) = get(port, path);
                        let expected = if path == "/nope/" { 404 } else { 200 };
                        if status != expected {
                            errors += 1;
                        }
                    }
                    errors
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum::<usize>()
    };
    assert_eq!(round(200), 0, "errors while warming up");
    let before = rss_kb(pid);
    assert!(before > 0, "the server's memory could not be read (this check needs Linux's /proc)");
    assert_eq!(round(1000), 0, "errors under load");
    let after = rss_kb(pid);
    assert!(after < before + 20 * 1024, "memory grew from {before} kB to {after} kB");
}

#[test]
fn malformed_and_oversized_requests_are_answered_not_fatal() {
    let site = copy_fixture_with_theme("valid");
    let (mut server, port) = start(site.path());
    let send = |bytes: &[u8]| {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = stream.write_all(bytes);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    };
    let status_line = |response: &str| response.lines().next().unwrap_or_default().to_owned();
    let garbage = send(b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(status_line(&garbage), "HTTP/1.1 400 Bad Request");
    let huge_header = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(1024 * 1024));
    assert_eq!(status_line(&send(huge_header.as_bytes())), "HTTP/1.1 431 Request Header Fields Too Large");
    let long_path =
        send(format!("GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "a/".repeat(50_000)).as_bytes());
    assert_eq!(status_line(&long_path), "HTTP/1.1 414 URI Too Long");
    assert!(server.0.try_wait().unwrap().is_none(), "serve died");
    assert_eq!(get(port, "/").0, 200, "serve still answers");
}

/// The binary turns transparent huge pages off for itself at start (see
/// `huge_pages_off` in its main.rs), as the kernel reports for a running
/// serve.
#[cfg(target_os = "linux")]
#[test]
fn transparent_huge_pages_are_off_for_the_process() {
    let site = copy_fixture_with_theme("valid");
    let (server, _port) = start(site.path());
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap();
    let thp: Vec<&str> = status.lines().filter(|l| l.starts_with("THP_enabled:")).collect();
    assert_eq!(thp, ["THP_enabled:\t0"], "{status}");
}
