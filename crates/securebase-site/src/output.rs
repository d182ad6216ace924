//! Where rendered files go: a [`Sink`]. A build's is the [`Publisher`],
//! which writes into a temporary sibling folder swapped in only when every
//! file is written, so a failed or killed build leaves the previous site as
//! it was, and refuses output folders that would overwrite the project;
//! serve's and the tests' is [`Memory`].

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::SiteError;
use crate::site::Files;

/// Where a render puts the files it renders.
pub trait Sink: Sync {
    /// Told the path (inside the site) of every file the render will
    /// write, before the first is written.
    fn expect(&mut self, paths: &[&str]) -> Result<(), SiteError>;

    /// Takes rendered files, among those [`expect`](Self::expect) named.
    /// Called from several threads at once.
    fn write(&self, files: Files) -> Result<(), SiteError>;
}

/// A sink that keeps the files in memory: for serve, which serves them from
/// there, and for tests.
#[derive(Debug, Default)]
pub struct Memory {
    files: Mutex<Files>,
}

impl Memory {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files written, sorted by path.
    pub fn into_files(self) -> Files {
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl Sink for Memory {
    fn expect(&mut self, paths: &[&str]) -> Result<(), SiteError> {
        self.files.get_mut().unwrap_or_else(|e| e.into_inner()).reserve(paths.len());
        Ok(())
    }

    fn write(&self, files: Files) -> Result<(), SiteError> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).extend(files);
        Ok(())
    }
}

/// How a deployed file differs from the rendered one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The deployed bytes are not the rendered ones.
    Changed(String),
    /// The render has this file and the deployed copy does not.
    Missing(String),
    /// The deployed copy has this file and the render does not.
    Extra(String),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Changed(p) => write!(f, "changed: {p} is not what the bundle renders"),
            Difference::Missing(p) => write!(f, "missing: {p} is rendered from the bundle but not deployed"),
            Difference::Extra(p) => write!(f, "extra:   {p} is deployed but not rendered from the bundle"),
        }
    }
}

/// A sink that compares each rendered file with the deployed copy in a
/// folder as it is rendered, keeping only the differences: how
/// `verify-site` checks a site without holding it in memory.
#[derive(Debug)]
pub struct Comparison {
    deployed: PathBuf,
    expected: HashSet<String>,
    differences: Mutex<Vec<Difference>>,
}

impl Comparison {
    /// A comparison with the site deployed in the folder `deployed`.
    pub fn new(deployed: &Path) -> Comparison {
        Comparison { deployed: deployed.to_path_buf(), expected: HashSet::new(), differences: Mutex::new(Vec::new()) }
    }

    /// Every file that differs, is missing or is extra, in path order. A
    /// symbolic link counts as a changed (or extra) file; the [`MARKER`] a
    /// build leaves is not part of the site.
    ///
    /// # Errors
    ///
    /// The deployed folder cannot be listed.
    pub fn finish(self) -> Result<Vec<Difference>, SiteError> {
        let mut differences = self.differences.into_inner().unwrap_or_else(|e| e.into_inner());
        for entry in walkdir::WalkDir::new(&self.deployed).min_depth(1) {
            let entry = entry.map_err(|e| SiteError::Io { path: self.deployed.clone(), source: e.into() })?;
            if entry.file_type().is_dir() {
                continue;
            }
            let inside = securebase::path_text(entry.path().strip_prefix(&self.deployed).unwrap_or(entry.path()));
            // The marker a build leaves, exactly as it writes it, is not
            // part of the site; anything else by its name is.
            let marker = inside == MARKER
                && entry.file_type().is_file()
                && fs::read(entry.path()).is_ok_and(|bytes| bytes == MARKER_TEXT.as_bytes());
            if !marker && !self.expected.contains(&inside) {
                differences.push(Difference::Extra(inside));
            }
        }
        differences.sort_by(|a, b| difference_path(a).cmp(difference_path(b)));
        Ok(differences)
    }
}

impl Sink for Comparison {
    fn expect(&mut self, paths: &[&str]) -> Result<(), SiteError> {
        self.expected.extend(paths.iter().map(|p| (*p).to_owned()));
        Ok(())
    }

    fn write(&self, files: Files) -> Result<(), SiteError> {
        let mut found = Vec::new();
        for (inside, bytes) in files {
            let path = self.deployed.join(&inside);
            match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => found.push(Difference::Missing(inside)),
                Err(e) => return Err(SiteError::Io { path, source: e }),
                Ok(meta) if !meta.is_file() => found.push(Difference::Changed(inside)),
                Ok(_) => {
                    if fs::read(&path).map_err(SiteError::io(&path))? != bytes {
                        found.push(Difference::Changed(inside));
                    }
                }
            }
        }
        self.differences.lock().unwrap_or_else(|e| e.into_inner()).extend(found);
        Ok(())
    }
}

fn difference_path(d: &Difference) -> &str {
    match d {
        Difference::Changed(p) | Difference::Missing(p) | Difference::Extra(p) => p,
    }
}

/// The file that marks a folder as securebase output, safe to replace.
pub const MARKER: &str = ".securebase-output";

/// What the marker file says.
const MARKER_TEXT: &str = "This folder is built by securebase and replaced by each build.\n";

/// Checks that `out` is a folder the generator may replace, and returns it
/// as an absolute path.
pub fn guard(root: &Path, out: &Path) -> Result<PathBuf, SiteError> {
    let refuse = |reason: &str| SiteError::UnsafeOutput { path: out.to_path_buf(), reason: reason.to_owned() };
    let absolute = std::path::absolute(out).map_err(SiteError::io(out))?;
    let root = root.canonicalize().map_err(SiteError::io(root))?;
    if let Some(link) = symlink_on_the_way(&absolute, &root) {
        let reason = if link == absolute {
            "it is a symlink; name the folder itself, not a link to it".to_owned()
        } else {
            format!(
                "it is reached through the symlink {} inside the project, which a commit could point anywhere; \
                 remove the link or name a folder with no link inside the project on the way",
                link.display()
            )
        };
        return Err(refuse(&reason));
    }
    let name = match absolute.components().next_back() {
        Some(Component::Normal(name)) => name.to_owned(),
        _ => return Err(refuse("name a folder, not the file-system root or `..`")),
    };
    let parent = absolute.parent().ok_or_else(|| refuse("name a folder inside another one"))?;
    fs::create_dir_all(parent).map_err(SiteError::io(parent))?;
    let out = parent.canonicalize().map_err(SiteError::io(parent))?.join(name);
    if root.starts_with(&out) {
        return Err(refuse("it is the project folder or one of its parents; use a folder such as public/"));
    }
    for protected in securebase::ProjectLayout::INPUTS.into_iter().chain([".git"]) {
        if out.starts_with(root.join(protected)) {
            return Err(refuse(&format!("it is inside {protected}/, which holds the project's sources")));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(refuse("it is a file"));
        }
        let empty = fs::read_dir(&out).map_err(SiteError::io(&out))?.next().is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(refuse("it is a folder that securebase did not build; delete it or choose another --out"));
        }
    }
    Ok(out)
}

/// The first symlink on the way to `out` (absolute) that a build must not
/// follow: `out` itself, or one whose folder is inside the project at
/// `root` (canonical), since a commit can add or change such a link.
/// Links above the project (a home folder that is a link, say) are the
/// machine's, and are followed.
fn symlink_on_the_way(out: &Path, root: &Path) -> Option<PathBuf> {
    let mut prefix = PathBuf::new();
    for component in out.components() {
        prefix.push(component);
        let Ok(meta) = fs::symlink_metadata(&prefix) else { return None };
        if !meta.file_type().is_symlink() {
            continue;
        }
        let inside = prefix.parent().and_then(|p| p.canonicalize().ok()).is_some_and(|p| p.starts_with(root));
        if prefix == out || inside {
            return Some(prefix);
        }
    }
    None
}

/// A build's hold on its output folder: the lock, taken before rendering,
/// and what earlier builds left. The site before last, retired by the
/// previous build, becomes this build's staging folder: files whose bytes
/// are unchanged are not written again, and their inodes are reused
/// rather than deleted and allocated anew. Anything else left (staging
/// folders of failed builds) is deleted in the background while the new
/// site renders.
pub struct Publisher {
    out: PathBuf,
    staging: PathBuf,
    retired: PathBuf,
    cleanup: Option<std::thread::JoinHandle<Result<(), SiteError>>>,
    /// Whether the staging folder has become the output folder.
    swapped: bool,
    _lock: Lock,
}

impl Publisher {
    /// Takes the output folder `out` (checked by [`guard`]): locks it, puts
    /// back a site a killed build left retired, and starts clearing the rest.
    pub fn start(out: &Path) -> Result<Publisher, SiteError> {
        let parent = out.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let lock = Lock::take(&parent.join(format!(".{name}.lock")), out)?;
        let mut stale = recover(&parent, &name, out)?;
        let pid = std::process::id();
        let staging = parent.join(format!(".{name}.tmp-{pid}"));
        let retired_prefix = format!(".{name}.old-");
        let reusable = stale.iter().position(|path| {
            let retired = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&retired_prefix));
            let folder = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
            retired && folder && path.join(MARKER).is_file()
        });
        if let Some(at) = reusable {
            let retired = stale.remove(at);
            fs::rename(&retired, &staging).map_err(SiteError::io(&retired))?;
        }
        let cleanup = std::thread::spawn(move || {
            for path in stale {
                fs::remove_dir_all(&path).map_err(SiteError::io(&path))?;
            }
            Ok(())
        });
        Ok(Publisher {
            out: out.to_path_buf(),
            staging,
            retired: parent.join(format!(".{name}.old-{pid}")),
            cleanup: Some(cleanup),
            swapped: false,
            _lock: lock,
        })
    }

    /// Swaps the written staging folder in for the output folder, once the
    /// clearing of earlier builds' leftovers has finished.
    pub fn finish(mut self) -> Result<(), SiteError> {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup.join().unwrap_or(Ok(()))?;
        }
        swap(&self.staging, &self.out, &self.retired)?;
        self.swapped = true;
        Ok(())
    }
}

impl Sink for Publisher {
    /// Makes the staging folder ready for exactly the files at `paths`,
    /// which [`write`](Self::write) then writes: removes what is not among
    /// them (and any symlink) and creates the folders they need.
    fn expect(&mut self, paths: &[&str]) -> Result<(), SiteError> {
        let staging = &self.staging;
        fs::create_dir_all(staging).map_err(SiteError::io(staging))?;
        let wanted: HashSet<&Path> = paths.iter().copied().chain([MARKER]).map(Path::new).collect();
        let mut dirs: BTreeSet<&Path> = BTreeSet::new();
        for file in &wanted {
            dirs.extend(file.ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()));
        }
        prune(staging, &wanted, &dirs)?;
        for dir in &dirs {
            let dir = staging.join(dir);
            fs::create_dir_all(&dir).map_err(SiteError::io(&dir))?;
        }
        self.write(vec![(MARKER.to_owned(), MARKER_TEXT.as_bytes().to_vec())])
    }

    /// Writes `files` into the staging folder; a file whose bytes are
    /// already there is left alone.
    fn write(&self, files: Files) -> Result<(), SiteError> {
        files.into_par_iter().try_for_each(|(path, bytes)| {
            let path = self.staging.join(path);
            let same_size = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
            if same_size && fs::read(&path).is_ok_and(|old| old == bytes) {
                return Ok(());
            }
            let mut file = fs::File::create(&path).map_err(SiteError::io(&path))?;
            file.write_all(&bytes).map_err(SiteError::io(&path))
        })
    }
}

/// A build that ends without [`Publisher::finish`] (an error, a panic)
/// deletes its staging folder; the output folder is untouched.
impl Drop for Publisher {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            let _ = cleanup.join();
        }
        if !self.swapped {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Puts `staging` in place of `out`, leaving the old site at `retired`. On
/// Linux the two folders are exchanged in one atomic step, so there is no
/// moment without a site; elsewhere, two renames, and a build killed
/// between them is repaired by the next one ([`recover`]).
fn swap(staging: &Path, out: &Path, retired: &Path) -> Result<(), SiteError> {
    if !out.exists() {
        return fs::rename(staging, out).map_err(SiteError::io(out));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            return fs::rename(staging, retired).map_err(SiteError::io(staging));
        }
    }
    fs::rename(out, retired).map_err(SiteError::io(out))?;
    if let Err(e) = fs::rename(staging, out) {
        // Put the previous site back before reporting.
        let _ = fs::rename(retired, out);
        let _ = fs::remove_dir_all(staging);
        return Err(SiteError::io(out)(e));
    }
    Ok(())
}

/// A lock file beside the output, held while a build writes it, so that two
/// builds into one folder cannot undo each other. On Linux, a lock left by
/// a killed build (its process is gone from `/proc`) is taken over; on
/// other systems, which offer no such check here, a lock is never taken
/// over: the error names the file to delete once no build is running.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path, out: &Path) -> Result<Lock, SiteError> {
        for _ in 0..2 {
            match fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    file.write_all(std::process::id().to_string().as_bytes()).map_err(SiteError::io(path))?;
                    return Ok(Lock(path.to_path_buf()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(path).unwrap_or_default();
                    let pid = holder.trim().parse::<u32>().ok();
                    let alive = match pid {
                        Some(pid) if cfg!(target_os = "linux") => Path::new(&format!("/proc/{pid}")).exists(),
                        // No liveness check elsewhere: never remove a lock that may be live.
                        _ => !cfg!(target_os = "linux"),
                    };
                    if alive {
                        return Err(SiteError::UnsafeOutput {
                            path: out.to_path_buf(),
                            reason: format!(
                                "another build (process {}) is writing it; wait for it to finish, or, if no build is running, delete {}",
                                holder.trim(),
                                path.display()
                            ),
                        });
                    }
                    fs::remove_file(path).map_err(SiteError::io(path))?;
                }
                Err(e) => return Err(SiteError::io(path)(e)),
            }
        }
        Err(SiteError::UnsafeOutput {
            path: out.to_path_buf(),
            reason: format!("cannot take the lock {}", path.display()),
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Recovers from earlier builds: a retired site whose replacement never
/// arrived (a build killed between its two renames) is put back; returns
/// the folders to delete (staging folders, older retired sites). Safe while
/// the lock is held: no other build is writing them.
fn recover(parent: &Path, name: &str, out: &Path) -> Result<Vec<PathBuf>, SiteError> {
    let staging_prefix = format!(".{name}.tmp-");
    let retired_prefix = format!(".{name}.old-");
    let mut stale = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(parent).map_err(SiteError::io(parent))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if file_name.starts_with(&retired_prefix) && !out.exists() {
            fs::rename(&path, out).map_err(SiteError::io(&path))?;
        } else if file_name.starts_with(&staging_prefix) || file_name.starts_with(&retired_prefix) {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// Removes from `staging` every file not in `wanted`, every folder not in
/// `dirs`, and every symlink.
fn prune(staging: &Path, wanted: &HashSet<&Path>, dirs: &BTreeSet<&Path>) -> Result<(), SiteError> {
    for entry in walkdir::WalkDir::new(staging).min_depth(1).contents_first(true) {
        let entry = entry.map_err(|e| SiteError::io(staging)(e.into()))?;
        let inside = entry.path().strip_prefix(staging).unwrap_or(entry.path());
        let kind = entry.file_type();
        let removed = if kind.is_dir() {
            if dirs.contains(inside) { continue } else { fs::remove_dir_all(entry.path()) }
        } else if kind.is_file() && wanted.contains(inside) {
            continue;
        } else {
            fs::remove_file(entry.path())
        };
        removed.map_err(SiteError::io(entry.path()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` as the new content of `out` in one step, as a build does.
    fn publish(out: &Path, files: Vec<(String, Vec<u8>)>) -> Result<(), SiteError> {
        let mut publisher = Publisher::start(out)?;
        publisher.expect(&files.iter().map(|(path, _)| path.as_str()).collect::<Vec<_>>())?;
        publisher.write(files)?;
        publisher.finish()
    }

    #[test]
    fn refuses_the_project_its_parents_and_its_sources() {
        let project = tempfile::TempDir::new().unwrap();
        let root = project.path();
        fs::create_dir_all(root.join("content")).unwrap();
        for bad in
            [root.to_path_buf(), root.join(".."), root.join("content"), root.join("content/x"), root.join("themes")]
        {
            assert!(matches!(guard(root, &bad), Err(SiteError::UnsafeOutput { .. })), "{}", bad.display());
        }
        assert!(guard(root, &root.join("public")).is_ok());
    }

    #[test]
    #[cfg(unix)]
    fn never_reaches_the_output_through_a_link_in_its_name_or_inside_the_project() {
        let machine = tempfile::TempDir::new().unwrap();
        let (root, elsewhere) = (machine.path().join("project"), machine.path().join("elsewhere"));
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("public")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("build")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, machine.path().join("site-link")).unwrap();
        let reason = |out: &Path| match guard(&root, out) {
            Err(SiteError::UnsafeOutput { reason, .. }) => reason,
            other => panic!("{} was not refused: {other:?}", out.display()),
        };
        assert_eq!(reason(&root.join("public")), "it is a symlink; name the folder itself, not a link to it");
        assert_eq!(
            reason(&machine.path().join("site-link")),
            "it is a symlink; name the folder itself, not a link to it"
        );
        let through = reason(&root.join("build/site"));
        assert!(
            through.starts_with(&format!("it is reached through the symlink {}", root.join("build").display())),
            "{through}"
        );
        // A link above the project is the machine's own, and is followed.
        let linked_root = machine.path().join("project-link");
        std::os::unix::fs::symlink(&root, &linked_root).unwrap();
        assert_eq!(guard(&linked_root, &linked_root.join("site")).unwrap(), root.canonicalize().unwrap().join("site"));
        assert!(!elsewhere.join("site").exists() && fs::read_dir(&elsewhere).unwrap().next().is_none());
    }

    #[test]
    fn refuses_a_folder_it_did_not_build() {
        let project = tempfile::TempDir::new().unwrap();
        let docs = project.path().join("docs");
        fs::create_dir_all(&docs).unwrap();
        fs::write(docs.join("notes.txt"), "keep me").unwrap();
        assert!(matches!(guard(project.path(), &docs), Err(SiteError::UnsafeOutput { .. })));
    }

    #[test]
    #[cfg(unix)]
    fn the_site_before_last_is_reused_and_unchanged_files_are_not_written_again() {
        let project = tempfile::TempDir::new().unwrap();
        let out = guard(project.path(), &project.path().join("public")).unwrap();
        let file = |path: &str, bytes: &str| (path.to_owned(), bytes.as_bytes().to_vec());
        let first = vec![file("same.html", "same"), file("gone/x.html", "x"), file("dir/a.html", "a1")];
        publish(&out, first.clone()).unwrap();
        let written = fs::metadata(out.join("same.html")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        publish(&out, first).unwrap();
        // The retired first site is this build's staging folder; a symlink
        // planted in it is removed, never followed.
        let retired = project.path().join(format!(".public.old-{}", std::process::id()));
        let secret = project.path().join("secret.txt");
        fs::write(&secret, "keep").unwrap();
        fs::remove_file(retired.join("dir/a.html")).unwrap();
        std::os::unix::fs::symlink(&secret, retired.join("dir/a.html")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        publish(&out, vec![file("same.html", "same"), file("dir/a.html", "a3"), file("new/b.html", "b")]).unwrap();
        assert_eq!(fs::metadata(out.join("same.html")).unwrap().modified().unwrap(), written, "rewritten");
        assert_eq!(fs::read_to_string(out.join("dir/a.html")).unwrap(), "a3");
        assert_eq!(fs::read_to_string(&secret).unwrap(), "keep");
        let mut files: Vec<String> = walkdir::WalkDir::new(&out)
            .into_iter()
            .flatten()
            .filter(|e| !e.file_type().is_dir())
            .map(|e| e.path().strip_prefix(&out).unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, [MARKER, "dir/a.html", "new/b.html", "same.html"]);
    }

    #[test]
    fn a_build_that_stops_halfway_leaves_the_site_and_no_staging_folder() {
        let project = tempfile::TempDir::new().unwrap();
        let out = guard(project.path(), &project.path().join("public")).unwrap();
        publish(&out, vec![("a.html".into(), b"one".to_vec())]).unwrap();
        let mut publisher = Publisher::start(&out).unwrap();
        publisher.expect(&["a.html", "b.html"]).unwrap();
        publisher.write(vec![("b.html".into(), b"two".to_vec())]).unwrap();
        let staging = publisher.staging.clone();
        assert!(staging.join("b.html").is_file());
        drop(publisher); // as when rendering the next page fails
        assert!(!staging.exists());
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"one");
        assert!(!out.join("b.html").exists());
        publish(&out, vec![("c.html".into(), b"three".to_vec())]).unwrap();
        assert_eq!(fs::read(out.join("c.html")).unwrap(), b"three");
    }

    #[test]
    fn publishes_and_replaces_and_recovers() {
        let project = tempfile::TempDir::new().unwrap();
        let out = guard(project.path(), &project.path().join("public")).unwrap();
        publish(&out, vec![("a/index.html".into(), b"one".to_vec())]).unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
        publish(&out, vec![("b.html".into(), b"two".to_vec())]).unwrap();
        assert!(!out.join("a").exists());
        // The site before is kept, hidden, until the next build clears it.
        let kept = project.path().join(format!(".public.old-{}", std::process::id()));
        assert_eq!(fs::read(kept.join("a/index.html")).unwrap(), b"one");
        publish(&out, vec![("c.html".into(), b"three".to_vec())]).unwrap();
        assert!(!kept.join("a").exists());
        // A build killed between its two renames leaves only the retired site.
        fs::remove_dir_all(&kept).unwrap();
        let retired = project.path().join(".public.old-1");
        fs::rename(&out, &retired).unwrap();
        fs::create_dir_all(project.path().join(".public.tmp-1/x")).unwrap();
        let stale = recover(project.path(), "public", &out).unwrap();
        assert_eq!(fs::read(out.join("c.html")).unwrap(), b"three");
        assert!(!retired.exists());
        assert_eq!(stale, [project.path().join(".public.tmp-1")]);
    }

    #[test]
    fn memory_keeps_what_is_written_from_every_thread_in_path_order() {
        let mut memory = Memory::new();
        memory.expect(&["b.html", "a.html", "c/index.html"]).unwrap();
        let batches = vec![
            vec![("c/index.html".to_owned(), b"3".to_vec())],
            vec![("b.html".to_owned(), b"2".to_vec()), ("a.html".to_owned(), b"1".to_vec())],
        ];
        batches.into_par_iter().try_for_each(|files| memory.write(files)).unwrap();
        let files = memory.into_files();
        let written: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        assert_eq!(written, [("a.html", &b"1"[..]), ("b.html", b"2"), ("c/index.html", b"3")]);
    }
}
