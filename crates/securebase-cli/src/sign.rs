//! Signing review statements with the signer's own SSH key, through
//! `ssh-keygen -Y sign`, so that keys held by ssh-agent or on a hardware
//! token work as well as key files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The key `ssh-keygen -f` is given: a file, or (for a key that lives only
/// in ssh-agent, as git's `user.signingkey = key::ssh-ed25519 ...` names
/// it) its public key written to a temporary file.
pub struct KeyFile {
    path: PathBuf,
    _temporary: Option<tempfile::TempPath>,
}

impl KeyFile {
    /// The key named by `--key`, or else by git's `user.signingkey` in the
    /// repository at `root`.
    pub fn choose(root: &Path, key: Option<PathBuf>) -> anyhow::Result<KeyFile> {
        if let Some(path) = key {
            return Ok(KeyFile { path, _temporary: None });
        }
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["config", "--get", "user.signingkey"])
            .output()
            .context("cannot run git to read user.signingkey")?;
        let configured = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if configured.is_empty() {
            bail!(
                "no signing key: pass --key PATH (your SSH private key, or its .pub file when the key is in ssh-agent), \
                 or set git's user.signingkey (`git config user.signingkey ~/.ssh/id_ed25519.pub`)"
            );
        }
        if let Some(literal) = configured.strip_prefix("key::") {
            let mut file = tempfile::NamedTempFile::new().context("cannot write a temporary public key file")?;
            writeln!(file, "{literal}")?;
            let path = file.into_temp_path();
            return Ok(KeyFile { path: path.to_path_buf(), _temporary: Some(path) });
        }
        let path = match configured.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(rest),
            None => PathBuf::from(configured),
        };
        Ok(KeyFile { path, _temporary: None })
    }

    /// Signs `statement` in `namespace`; the armored signature.
    pub fn sign(&self, namespace: &str, statement: &str) -> anyhow::Result<String> {
        let mut child = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
            .arg(&self.path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run ssh-keygen (install OpenSSH's client, e.g. Debian's openssh-client)")?;
        child.stdin.take().context("no stdin for ssh-keygen")?.write_all(statement.as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "ssh-keygen could not sign with {}: {}",
                self.path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).context("ssh-keygen wrote a signature that is not text")
    }
}
