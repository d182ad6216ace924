//! The review desk: securebase's review workflow in a browser, for
//! clinicians and editors who never open a terminal.
//!
//! A passkey is the signing key. Registered at the desk (by invitation), a
//! WebAuthn P-256 credential becomes an OpenSSH `sk-ecdsa-sha2-nistp256`
//! key line in the person's people file, which counts once an editor
//! approves that file. An approval made at the desk is an SSHSIG of type
//! `webauthn-sk-ecdsa-sha2-nistp256@openssh.com` over the record's
//! canonical statement: the same ledger record `securebase review approve`
//! writes, checked by the same library code before it is written, and
//! accepted by `ssh-keygen -Y verify`. The desk holds no private key: it
//! can refuse or delay a decision, never make one.
//!
//! ```no_run
//! use std::sync::Arc;
//! use securebase_desk::{Desk, DeskOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let trust_root = securebase::TrustRoot::read("/etc/securebase/trust-root".as_ref()).map_err(|_| "trust root")?;
//! let options = DeskOptions { root: ".".into(), origin: "http://localhost:8417".into(), trust_root, push: None };
//! let today = || "2026-12-07".parse().expect("a date");
//! let desk = Arc::new(Desk::new(options, Box::new(today))?);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8417").await?;
//! securebase_desk::serve(desk, listener, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

mod desk;
mod diff;
mod http;
mod invite;
mod pages;
mod secret;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use desk::{Desk, DeskError, DeskOptions, SIGN_IN_NAMESPACE, Session, Snapshot, origin_host};
pub use http::router;
pub use invite::{Invitation, Invitations, InviteError};

/// Serves `desk` on `listener` until `shutdown` completes.
pub async fn serve(
    desk: Arc<Desk>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(desk)).with_graceful_shutdown(shutdown).await
}

/// Invites `person` (who must have a people file in the project at `root`)
/// to register a passkey at the desk reachable at `origin`: the one-time
/// link, valid for `valid_for`.
pub fn invite(
    root: &Path,
    origin: &str,
    person: &securebase::PersonId,
    valid_for: Duration,
) -> Result<String, DeskError> {
    let library = securebase::Library::load(root).map_err(|d| {
        let lines: Vec<String> = d.errors().map(|d| d.to_string()).collect();
        DeskError::Internal(format!("the content does not load:\n{}", lines.join("\n")))
    })?;
    if library.person(person).is_none() {
        return Err(DeskError::BadRequest(format!(
            "there is no people file for {person}: add content/people/{person}.yaml and commit it first"
        )));
    }
    let repo = securebase::git::Repo::open(root).map_err(|e| DeskError::Internal(e.to_string()))?;
    let lock = repo.review_lock().map_err(|e| DeskError::Internal(e.to_string()))?;
    let invitations = Invitations::in_git_dir(lock.parent().unwrap_or(Path::new(".")));
    let secret = invitations.create(person, valid_for)?;
    Ok(format!("{}/enrol/{secret}", origin.trim_end_matches('/')))
}
