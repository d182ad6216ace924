//! Invitations: one-time enrolment links that expire. `securebase desk
//! invite <person-id>` writes one where the desk runs; the desk reads it
//! when the link is opened and deletes it once a passkey is registered.
//! They live in the repository's git folder, never in the work tree, and
//! hold only the SHA-256 of the link's secret.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use securebase::PersonId;
use serde::{Deserialize, Serialize};

use crate::secret;

/// Why an invitation cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum InviteError {
    /// No invitation has this secret (never made, or used already).
    #[error("this invitation link is not valid (it was used already, or mistyped); ask an editor for a new one")]
    Unknown,
    /// The invitation's time is up.
    #[error("this invitation expired; ask an editor for a new one (`securebase desk invite <person-id>`)")]
    Expired,
    /// The folder could not be read or written.
    #[error("cannot keep invitations in {}: {message}", folder.display())]
    Io {
        /// The folder.
        folder: PathBuf,
        /// Why.
        message: String,
    },
}

/// One invitation, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Who is invited.
    pub person: PersonId,
    /// When it expires, in seconds since the Unix epoch.
    pub expires: u64,
}

/// The invitations of one repository.
#[derive(Debug, Clone)]
pub struct Invitations {
    folder: PathBuf,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Invitations {
    /// The invitations kept in `git_dir` (the repository's `.git` folder).
    pub fn in_git_dir(git_dir: &Path) -> Invitations {
        Invitations { folder: git_dir.join("securebase-desk").join("invitations") }
    }

    fn io(&self, e: std::io::Error) -> InviteError {
        InviteError::Io { folder: self.folder.clone(), message: e.to_string() }
    }

    fn file(&self, secret: &str) -> PathBuf {
        self.folder.join(secret::digest(secret))
    }

    /// Invites `person` for `valid_for`; returns the link's secret.
    pub fn create(&self, person: &PersonId, valid_for: Duration) -> Result<String, InviteError> {
        std::fs::create_dir_all(&self.folder).map_err(|e| self.io(e))?;
        let secret = secret::token();
        let invitation = Invitation { person: person.clone(), expires: now() + valid_for.as_secs() };
        let json = serde_json::to_vec(&invitation).map_err(|e| self.io(std::io::Error::other(e)))?;
        std::fs::write(self.file(&secret), json).map_err(|e| self.io(e))?;
        Ok(secret)
    }

    /// The invitation whose secret is `secret`, if it is still valid.
    pub fn open(&self, secret: &str) -> Result<Invitation, InviteError> {
        if secret::from_b64url(secret).is_none_or(|b| b.len() != 32) {
            return Err(InviteError::Unknown);
        }
        let bytes = match std::fs::read(self.file(secret)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(InviteError::Unknown),
            Err(e) => return Err(self.io(e)),
        };
        let invitation: Invitation = serde_json::from_slice(&bytes).map_err(|_| InviteError::Unknown)?;
        if invitation.expires <= now() {
            return Err(InviteError::Expired);
        }
        Ok(invitation)
    }

    /// Uses the invitation up: it cannot be opened again.
    pub fn consume(&self, secret: &str) -> Result<(), InviteError> {
        std::fs::remove_file(self.file(secret)).map_err(|e| self.io(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_opens_until_it_is_used_or_expires() {
        let dir = tempfile::TempDir::new().unwrap();
        let invitations = Invitations::in_git_dir(dir.path());
        let riley: PersonId = "riley-example".parse().unwrap();
        let secret = invitations.create(&riley, Duration::from_secs(3600)).unwrap();
        assert_eq!(invitations.open(&secret).unwrap().person, riley);
        // Only the digest is on disk.
        let stored: Vec<String> = std::fs::read_dir(dir.path().join("securebase-desk/invitations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(stored, [secret::digest(&secret)]);
        assert!(
            !std::fs::read_to_string(dir.path().join("securebase-desk/invitations").join(&stored[0]))
                .unwrap()
                .contains(&secret)
        );
        invitations.consume(&secret).unwrap();
        assert_eq!(invitations.open(&secret), Err(InviteError::Unknown));

        let expired = invitations.create(&riley, Duration::ZERO).unwrap();
        assert_eq!(invitations.open(&expired), Err(InviteError::Expired));
        assert_eq!(invitations.open("../../etc/passwd"), Err(InviteError::Unknown));
        assert_eq!(invitations.open(&secret::token()), Err(InviteError::Unknown));
    }
}
