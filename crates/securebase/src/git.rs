//! Reading git: one `git cat-file --batch` process for any number of blobs,
//! one `git log` process for the history of every content file. Never a
//! process per file.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::layout::ProjectLayout;
use crate::model::{BlobId, Date};

/// Why git could not give what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The project is not inside a git work tree.
    #[error(
        "{0} is not in a git repository; reviews are recorded against git blobs, so run `git init` and commit the content"
    )]
    NotARepository(PathBuf),
    /// A blob the ledger names is not in the repository.
    #[error("the approved version {blob} of {file} is not in this repository{shallow}")]
    MissingBlob {
        /// The blob.
        blob: BlobId,
        /// The item file it is a version of.
        file: PathBuf,
        /// Advice that depends on whether the clone is shallow.
        shallow: &'static str,
    },
    /// Running git failed.
    #[error("`git {command}` failed: {message}")]
    Command {
        /// The git subcommand and arguments.
        command: String,
        /// What git said.
        message: String,
    },
}

/// Advice for a missing blob in a shallow clone.
const SHALLOW_HINT: &str = "; this is a shallow clone, so older versions are missing: run `git fetch --unshallow` (in CI, check out with full history, e.g. `fetch-depth: 0`)";
/// Advice for a missing blob in a full clone.
const FULL_HINT: &str = "; was the approved version ever committed? `securebase review approve` refuses uncommitted files, so check that the ledger was not edited by hand";

/// A git work tree holding a securebase project.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

/// How a file stands against the last commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Committed, with no changes since.
    Clean,
    /// Committed, with changes (staged or not) since.
    Modified,
    /// Not committed at all.
    Untracked,
}

/// One commit's change to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The commit id.
    pub commit: String,
    /// The commit (committer) date.
    pub date: Date,
    /// The author's email.
    pub email: String,
    /// The file's blob after the commit (`None` when it was deleted).
    pub blob: Option<BlobId>,
}

/// The history of every file a build reads (under `content/`, `site.toml`,
/// `themes/`, `templates/` and `static/`), from one `git log`.
#[derive(Debug, Clone, Default)]
pub struct History {
    changes: BTreeMap<PathBuf, Vec<Change>>,
}

impl History {
    /// The changes to `path` (relative to the project root), oldest first.
    pub fn changes(&self, path: &Path) -> &[Change] {
        self.changes.get(path).map_or(&[], Vec::as_slice)
    }

    /// Every path the history holds, in path order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.changes.keys().map(PathBuf::as_path)
    }

    /// The date of the last commit that changed `path`.
    pub fn last_updated(&self, path: &Path) -> Option<Date> {
        self.changes(path).last().map(|c| c.date)
    }

    /// The date of the first commit in which `path` held `blob`: when that
    /// version's text was written.
    pub fn written(&self, path: &Path, blob: &BlobId) -> Option<Date> {
        self.changes(path).iter().find(|c| c.blob.as_ref() == Some(blob)).map(|c| c.date)
    }
}

impl Repo {
    /// The repository holding `root`.
    pub fn open(root: &Path) -> Result<Repo, GitError> {
        let repo = Repo { root: root.to_path_buf() };
        match repo.run(&["rev-parse", "--is-inside-work-tree"]) {
            Ok(out) if out.trim() == "true" => Ok(repo),
            _ => Err(GitError::NotARepository(root.to_path_buf())),
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.root).env("LC_ALL", "C").env_remove("GIT_DIR").env_remove("GIT_WORK_TREE");
        // Replace refs travel with a fetch of every ref: with them, a pushed
        // ref could make an old ledger version read as another.
        cmd.env("GIT_NO_REPLACE_OBJECTS", "1");
        // Reading (`status`) never takes the index lock a commit needs.
        cmd.env("GIT_OPTIONAL_LOCKS", "0");
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<String, GitError> {
        let failed = |message: String| GitError::Command { command: args.join(" "), message };
        let out = self.command().args(args).stderr(Stdio::piped()).output().map_err(|e| failed(e.to_string()))?;
        if !out.status.success() {
            return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
        }
        String::from_utf8(out.stdout).map_err(|e| failed(e.to_string()))
    }

    /// Whether the clone is shallow (has no full history).
    pub fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true")
    }

    /// The commit checked out, if there is one.
    pub fn head(&self) -> Option<String> {
        self.run(&["rev-parse", "--verify", "--quiet", "HEAD"]).ok().map(|s| s.trim().to_owned())
    }

    /// How `path` (relative to the project root) stands against HEAD.
    pub fn status(&self, path: &Path) -> Result<FileStatus, GitError> {
        let path = path.to_string_lossy();
        let out = self.run(&["status", "--porcelain", "--untracked-files=all", "--", &path])?;
        Ok(match out.lines().next() {
            None => FileStatus::Clean,
            Some(line) if line.starts_with("??") => FileStatus::Untracked,
            Some(_) => FileStatus::Modified,
        })
    }

    /// Reads blobs with one `git cat-file --batch`. `wanted` pairs each blob
    /// with the file it is a version of, for the error when one is missing.
    pub fn read_blobs(&self, wanted: &[(BlobId, PathBuf)]) -> Result<BTreeMap<BlobId, Vec<u8>>, GitError> {
        let mut blobs = BTreeMap::new();
        if wanted.is_empty() {
            return Ok(blobs);
        }
        let failed = |message: String| GitError::Command { command: "cat-file --batch".into(), message };
        let mut child = self
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        let mut stdin = child.stdin.take().ok_or_else(|| failed("no stdin".into()))?;
        let ids: String = wanted.iter().map(|(b, _)| format!("{b}\n")).collect();
        let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
        let mut out = BufReader::new(child.stdout.take().ok_or_else(|| failed("no stdout".into()))?);
        for (blob, file) in wanted {
            let mut header = String::new();
            out.read_line(&mut header).map_err(|e| failed(e.to_string()))?;
            let fields: Vec<&str> = header.split_whitespace().collect();
            match fields.as_slice() {
                [_, "blob", size] => {
                    let size: usize = size.parse().map_err(|_| failed(format!("bad header {header:?}")))?;
                    let mut bytes = vec![0; size + 1];
                    out.read_exact(&mut bytes).map_err(|e| failed(e.to_string()))?;
                    bytes.truncate(size);
                    blobs.insert(blob.clone(), bytes);
                }
                _ => {
                    let _ = child.kill();
                    let shallow = if self.is_shallow() { SHALLOW_HINT } else { FULL_HINT };
                    return Err(GitError::MissingBlob { blob: blob.clone(), file: file.clone(), shallow });
                }
            }
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(blobs)
    }

    /// The history of every file a build reads, with one `git log`.
    pub fn history(&self) -> Result<History, GitError> {
        if self.head().is_none() {
            return Ok(History::default());
        }
        let out = self.run(&[
            "-c",
            "core.quotePath=false",
            "log",
            "--reverse",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--relative",
            // Every commit, on every branch a merge brought in, and a merge's
            // own versions (against its first parent): by default git drops
            // a side branch whose changes a merge discarded, and with it a
            // ledger's versions that the append-only rule must see. Parents
            // come before their children, whatever the commit dates say.
            "--full-history",
            "--diff-merges=first-parent",
            "--topo-order",
            "--format=%x01%H%x09%cs%x09%ae",
            "--",
            ProjectLayout::CONTENT,
            ProjectLayout::SITE_TOML,
            ProjectLayout::THEMES,
            ProjectLayout::TEMPLATES,
            ProjectLayout::STATIC,
        ])?;
        let mut history = History::default();
        let mut current: Option<(String, Date, String)> = None;
        for line in out.lines() {
            if let Some(header) = line.strip_prefix('\u{1}') {
                // A commit whose changes could not be placed would drop out
                // of the history the append-only rule reads: refuse it.
                let mut parts = header.splitn(3, '\t');
                let (Some(commit), Some(date), Some(email)) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(GitError::Command {
                        command: "log".into(),
                        message: format!("unreadable line {header:?}"),
                    });
                };
                let Ok(date) = date.parse() else {
                    let message = format!(
                        "commit {commit} has a date securebase cannot read ({date}); amend it with a real date"
                    );
                    return Err(GitError::Command { command: "log".into(), message });
                };
                current = Some((commit.to_owned(), date, email.to_owned()));
            } else if let (Some(raw), Some((commit, date, email))) = (line.strip_prefix(':'), &current) {
                // :100644 100644 <old> <new> M\t<path>
                let Some((meta, path)) = raw.split_once('\t') else { continue };
                let new = meta.split_whitespace().nth(3).unwrap_or_default();
                let blob = if new.bytes().all(|b| b == b'0') { None } else { BlobId::try_from(new.to_owned()).ok() };
                let change = Change { commit: commit.clone(), date: *date, email: email.clone(), blob };
                history.changes.entry(PathBuf::from(path)).or_default().push(change);
            }
        }
        Ok(history)
    }

    /// The first parent of `commit`, if it has one.
    pub fn parent(&self, commit: &str) -> Option<String> {
        let spec = format!("{commit}^");
        self.run(&["rev-parse", "--verify", "--quiet", &spec]).ok().map(|s| s.trim().to_owned())
    }

    /// The lock that serialises appending to the review ledgers, in the
    /// repository's git folder (so that it never shows as a change).
    pub fn review_lock(&self) -> Result<PathBuf, GitError> {
        let dir = self.run(&["rev-parse", "--absolute-git-dir"])?;
        Ok(PathBuf::from(dir.trim()).join("securebase-review.lock"))
    }

    /// Commits the files at `paths` (project-relative), as they are on
    /// disk, and nothing else, on top of HEAD, as `name <email>`, with
    /// `message`; returns the new commit's id. It works on a tree of its
    /// own (a temporary index read from HEAD), so nothing else staged or
    /// changed is taken in and the work tree is never scanned; HEAD moves
    /// only if no one else moved it meanwhile.
    pub fn commit(&self, paths: &[&Path], message: &str, name: &str, email: &str) -> Result<String, GitError> {
        let head = self.head().ok_or_else(|| GitError::Command {
            command: "commit".into(),
            message: "there is no commit to build on".into(),
        })?;
        let git_dir = PathBuf::from(self.run(&["rev-parse", "--absolute-git-dir"])?.trim());
        let index = git_dir.join(format!("securebase-index-{}", std::process::id()));
        let with_index = |args: &[&str], input: Option<&str>| -> Result<String, GitError> {
            let failed = |message: String| GitError::Command { command: args.join(" "), message };
            let mut cmd = self.command();
            cmd.env("GIT_INDEX_FILE", &index).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.env("GIT_AUTHOR_NAME", name).env("GIT_AUTHOR_EMAIL", email);
            cmd.env("GIT_COMMITTER_NAME", name).env("GIT_COMMITTER_EMAIL", email);
            cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
            let mut child = cmd.spawn().map_err(|e| failed(e.to_string()))?;
            if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
                stdin.write_all(text.as_bytes()).map_err(|e| failed(e.to_string()))?;
            }
            let out = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
            if !out.status.success() {
                return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
            }
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        };
        let result = (|| {
            with_index(&["read-tree", &head], None)?;
            let texts: Vec<String> = paths.iter().map(|p| crate::diagnostic::path_text(p)).collect();
            let mut add = vec!["update-index", "--add", "--"];
            add.extend(texts.iter().map(String::as_str));
            with_index(&add, None)?;
            let tree = with_index(&["write-tree"], None)?;
            let commit = with_index(&["commit-tree", &tree, "-p", &head, "-F", "-"], Some(message))?;
            with_index(&["update-ref", "-m", "securebase: record a review", "HEAD", &commit, &head], None)?;
            Ok(commit)
        })();
        let _ = std::fs::remove_file(&index);
        let commit = result?;
        // The commit is made once HEAD has moved. The checkout's own index
        // then learns the committed files, so that they do not show as
        // changed; should that fail, `git status` would show them as
        // changed until the next command refreshes it, nothing worse.
        let mut add = vec!["update-index", "--add", "--"];
        let texts: Vec<String> = paths.iter().map(|p| crate::diagnostic::path_text(p)).collect();
        add.extend(texts.iter().map(String::as_str));
        let _ = self.run(&add);
        Ok(commit)
    }

    /// Pushes the checked-out branch to `remote`. When the push is rejected
    /// because the remote moved on, fetches it, replays the local commits
    /// onto it (`git rebase`) and pushes again, a few times; never forces.
    /// A replay that conflicts is undone and reported.
    pub fn push_replaying(&self, remote: &str) -> Result<(), GitError> {
        let branch = self.run(&["rev-parse", "--abbrev-ref", "HEAD"])?.trim().to_owned();
        let target = format!("HEAD:refs/heads/{branch}");
        let mut last = None;
        for _ in 0..3 {
            match self.run(&["push", "-q", remote, &target]) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
            self.run(&["fetch", "-q", remote, &branch])?;
            let replay =
                ["-c", "user.name=securebase desk", "-c", "user.email=desk@localhost", "rebase", "-q", "FETCH_HEAD"];
            if let Err(e) = self.run(&replay) {
                let _ = self.run(&["rebase", "--abort"]);
                return Err(e);
            }
        }
        Err(last.unwrap_or_else(|| GitError::Command { command: "push".into(), message: "rejected".into() }))
    }

    /// The blob `path` has in the HEAD commit, if it is committed.
    pub fn head_blob(&self, path: &Path) -> Option<BlobId> {
        let spec = format!("HEAD:./{}", crate::diagnostic::path_text(path));
        let out = self.run(&["rev-parse", "--verify", "--quiet", &spec]).ok()?;
        BlobId::try_from(out.trim().to_owned()).ok()
    }
}

/// Temporary repositories for the unit tests of this module and of the
/// editions.
#[cfg(test)]
pub(crate) mod scratch {
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `dir` as a fictional committer, expecting success.
    pub(crate) fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=Test Writer", "-c", "user.email=writer@example.test", "-c", "commit.gpgsign=false"])
            .args(args)
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
    }

    /// Writes `files` (path, bytes) under `dir` and commits them all.
    pub(crate) fn commit(dir: &Path, files: &[(&str, &[u8])], message: &str) {
        for (path, bytes) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", message]);
    }

    /// A new, empty repository.
    pub(crate) fn repository() -> tempfile::TempDir {
        let dir = tempfile::TempDir::new().unwrap();
        git(dir.path(), &["init", "-q"]);
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::scratch::{commit, repository};
    use super::*;

    #[test]
    fn a_commit_takes_the_named_files_only_and_never_what_else_is_changed() {
        let dir = repository();
        let root = dir.path();
        commit(root, &[("content/reviews/a.yaml", b"- one\n"), ("content/guides/a.md", b"text\n")], "first");
        let repo = Repo::open(root).unwrap();
        let before = repo.head().unwrap();
        std::fs::write(root.join("content/reviews/a.yaml"), b"- one\n- two\n").unwrap();
        std::fs::write(root.join("content/guides/a.md"), b"a writer's unsaved edit\n").unwrap();
        super::scratch::git(root, &["add", "content/guides/a.md"]);
        let ledger = Path::new("content/reviews/a.yaml");
        let made = repo.commit(&[ledger], "Review: a", "Riley Example (fictional)", "riley@example.test").unwrap();
        assert_eq!(repo.head().as_deref(), Some(made.as_str()));
        assert_eq!(repo.parent(&made).as_deref(), Some(before.as_str()));
        assert_eq!(repo.head_blob(ledger), Some(BlobId::of(b"- one\n- two\n")));
        assert_eq!(
            repo.head_blob(Path::new("content/guides/a.md")),
            Some(BlobId::of(b"text\n")),
            "the staged edit stays out"
        );
        assert_eq!(repo.status(ledger).unwrap(), FileStatus::Clean);
        assert_eq!(repo.status(Path::new("content/guides/a.md")).unwrap(), FileStatus::Modified);
        let author = repo.run(&["log", "-1", "--format=%an <%ae>|%s"]).unwrap();
        assert_eq!(author.trim(), "Riley Example (fictional) <riley@example.test>|Review: a");
    }

    #[test]
    fn a_rejected_push_is_replayed_on_the_remote_and_never_forced() {
        let dir = repository();
        let (remote, desk, writer) =
            (dir.path().join("remote.git"), dir.path().join("desk"), dir.path().join("writer"));
        let git = |cwd: &Path, args: &[&str]| super::scratch::git(cwd, args);
        git(dir.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]);
        git(dir.path(), &["init", "-q", desk.to_str().unwrap()]);
        commit(&desk, &[("content/reviews/a.yaml", b"- one\n"), ("content/guides/a.md", b"text\n")], "first");
        git(&desk, &["push", "-q", remote.to_str().unwrap(), "HEAD:refs/heads/main"]);
        git(&desk, &["remote", "add", "origin", remote.to_str().unwrap()]);
        git(&desk, &["branch", "-q", "-M", "main"]);
        git(dir.path(), &["clone", "-q", "-b", "main", remote.to_str().unwrap(), writer.to_str().unwrap()]);
        // A writer pushes meanwhile: the desk's push is rejected, then replayed.
        commit(&writer, &[("content/guides/a.md", b"text, edited\n")], "an edit");
        git(&writer, &["push", "-q", "origin", "main"]);
        std::fs::write(desk.join("content/reviews/a.yaml"), b"- one\n- two\n").unwrap();
        let repo = Repo::open(&desk).unwrap();
        repo.commit(&[Path::new("content/reviews/a.yaml")], "Review: a", "Riley", "riley@example.test").unwrap();
        repo.push_replaying("origin").unwrap();
        let remote_repo = Repo::open(&writer).unwrap();
        git(&writer, &["pull", "-q", "origin", "main"]);
        assert_eq!(remote_repo.head_blob(Path::new("content/reviews/a.yaml")), Some(BlobId::of(b"- one\n- two\n")));
        assert_eq!(
            remote_repo.head_blob(Path::new("content/guides/a.md")),
            Some(BlobId::of(b"text, edited\n")),
            "the writer's commit is kept"
        );
        // A conflicting change on the remote: refused, nothing forced.
        commit(&writer, &[("content/reviews/a.yaml", b"- one\n- two\n- other\n")], "a conflicting record");
        git(&writer, &["push", "-q", "origin", "main"]);
        std::fs::write(desk.join("content/reviews/a.yaml"), b"- one\n- two\n- three\n").unwrap();
        repo.commit(&[Path::new("content/reviews/a.yaml")], "Review: a again", "Riley", "riley@example.test").unwrap();
        assert!(repo.push_replaying("origin").is_err());
        let on_remote = Repo::open(&writer).unwrap();
        git(&writer, &["fetch", "-q", "origin"]);
        let tip = on_remote.run(&["rev-parse", "origin/main"]).unwrap();
        assert_eq!(tip.trim(), on_remote.head().unwrap(), "the remote kept the writer's commit");
    }

    #[test]
    fn history_blobs_and_status_come_from_the_repository() {
        let dir = repository();
        let root = dir.path();
        assert!(matches!(Repo::open(&root.join("missing")), Err(GitError::NotARepository(_))));
        commit(root, &[("content/guides/a.md", b"one\n"), ("notes.txt", b"not a source\n")], "first");
        commit(root, &[("content/guides/a.md", b"two\n")], "second");
        let repo = Repo::open(root).unwrap();
        assert_eq!(repo.head().map(|h| h.len()), Some(40));
        assert!(!repo.is_shallow());

        let history = repo.history().unwrap();
        let a = Path::new("content/guides/a.md");
        let blobs: Vec<Option<BlobId>> = history.changes(a).iter().map(|c| c.blob.clone()).collect();
        assert_eq!(blobs, [Some(BlobId::of(b"one\n")), Some(BlobId::of(b"two\n"))], "oldest first");
        assert!(history.changes(a).iter().all(|c| c.email == "writer@example.test" && c.commit.len() == 40));
        assert_eq!(history.paths().collect::<Vec<_>>(), [a], "only the files a site is built from");
        assert_eq!(repo.head_blob(a), Some(BlobId::of(b"two\n")));
        assert_eq!(repo.head_blob(Path::new("content/guides/none.md")), None);

        let wanted = vec![(BlobId::of(b"one\n"), a.to_path_buf()), (BlobId::of(b"two\n"), a.to_path_buf())];
        let read = repo.read_blobs(&wanted).unwrap();
        assert_eq!(read[&BlobId::of(b"one\n")], b"one\n");
        assert_eq!(read[&BlobId::of(b"two\n")], b"two\n");
        let never = vec![(BlobId::of(b"never committed\n"), a.to_path_buf())];
        assert!(repo.read_blobs(&never).is_err(), "a blob git does not hold is an error");

        assert_eq!(repo.status(a).unwrap(), FileStatus::Clean);
        std::fs::write(root.join(a), b"three\n").unwrap();
        assert_eq!(repo.status(a).unwrap(), FileStatus::Modified);
        std::fs::write(root.join("content/guides/new.md"), b"new\n").unwrap();
        assert_eq!(repo.status(Path::new("content/guides/new.md")).unwrap(), FileStatus::Untracked);
    }

    #[test]
    fn history_holds_every_version_a_commit_held_across_merges() {
        use super::scratch::git;
        let dir = repository();
        let root = dir.path();
        let a = Path::new("content/reviews/guides/a.yaml");
        let file = "content/reviews/guides/a.yaml";
        commit(root, &[(file, b"one\n")], "first");
        git(root, &["branch", "side"]);
        commit(root, &[(file, b"two\n")], "on main");
        // A merge that keeps the side's tree: main's "two" is on the side
        // git's default history leaves out.
        git(root, &["checkout", "-q", "side"]);
        git(root, &["merge", "-q", "-s", "ours", "--no-edit", "-"]);
        let blobs = |history: &History| {
            let mut blobs: Vec<BlobId> = history.changes(a).iter().filter_map(|c| c.blob.clone()).collect();
            blobs.sort();
            blobs.dedup();
            blobs
        };
        let of = |texts: &[&str]| {
            let mut blobs: Vec<BlobId> = texts.iter().map(|t| BlobId::of(format!("{t}\n").as_bytes())).collect();
            blobs.sort();
            blobs
        };
        assert_eq!(blobs(&Repo::open(root).unwrap().history().unwrap()), of(&["one", "two"]));
        // A merge whose own version is in neither parent.
        git(root, &["checkout", "-q", "-b", "other", "HEAD~1"]);
        commit(root, &[(file, b"three\n")], "on other");
        git(root, &["checkout", "-q", "side"]);
        git(root, &["merge", "-q", "--no-commit", "--no-ff", "other"]);
        std::fs::write(root.join(a), b"merged\n").unwrap();
        git(root, &["commit", "-q", "-a", "-m", "resolved"]);
        commit(root, &[(file, b"last\n")], "after");
        let history = Repo::open(root).unwrap().history().unwrap();
        assert_eq!(blobs(&history), of(&["one", "two", "three", "merged", "last"]));
        assert_eq!(history.changes(a).last().and_then(|c| c.blob.clone()), Some(BlobId::of(b"last\n")), "oldest first");
    }
}
