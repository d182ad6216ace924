//! `securebase desk`: wiring for the review desk (`securebase-desk`), and
//! `securebase desk invite`.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use securebase::PersonId;

use crate::Terminal;
use crate::build::{read_trust_root, today};

/// `desk`'s subcommands.
#[derive(Subcommand)]
pub enum DeskCommand {
    /// Print a one-time link that lets a person register a passkey (run where the desk runs).
    #[command(
        after_help = "Examples:\n  securebase desk invite riley-example\n  securebase desk invite sam-editor --origin https://review.example.org --hours 24\n\n\
The link expires after --hours (default 72) and works once. The passkey registered with it goes into the person's \
people file as an ordinary, committed change, which counts once an editor approves people/<id>."
    )]
    Invite {
        /// Who is invited: a person id from content/people/.
        person: PersonId,
        /// How long the link works, in hours.
        #[arg(long, default_value_t = 72)]
        hours: u64,
    },
}

/// How the desk is reached.
#[derive(clap::Args)]
pub struct Listen {
    /// The port to listen on.
    #[arg(long, default_value_t = 8417, global = true)]
    pub port: u16,
    /// The address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1", global = true)]
    pub bind: IpAddr,
    /// The origin browsers reach the desk at, when it is behind a TLS proxy
    /// (default: http://localhost:<port>). Its host is the passkeys' relying party.
    #[arg(long, global = true)]
    pub origin: Option<String>,
}

impl Listen {
    fn origin(&self) -> String {
        self.origin.clone().unwrap_or_else(|| format!("http://localhost:{}", self.port))
    }
}

/// Runs the desk over the project at `root`, or one of its subcommands.
pub fn run(
    term: Terminal,
    root: &Path,
    listen: Listen,
    trust_root: Option<PathBuf>,
    push: Option<String>,
    command: Option<DeskCommand>,
) -> anyhow::Result<ExitCode> {
    if let Some(DeskCommand::Invite { person, hours }) = command {
        let link = securebase_desk::invite(root, &listen.origin(), &person, Duration::from_secs(hours * 3600))?;
        crate::say!("{link}");
        crate::note!(term, "send this link to {person}; it works once, for {hours} hours");
        return Ok(ExitCode::SUCCESS);
    }
    let Some(trust_root) = read_trust_root(trust_root.as_deref())? else {
        anyhow::bail!(
            "the desk needs the deployment's trust root, which names the editors and their keys: pass --trust-root FILE \
             or set SECUREBASE_TRUST_ROOT (an editor's passkey key line, from the desk's enrolment page, works there)"
        );
    };
    let origin = listen.origin();
    let options = securebase_desk::DeskOptions { root: root.to_path_buf(), origin: origin.clone(), trust_root, push };
    let today = || today().unwrap_or_else(|_| securebase::today());
    let desk = Arc::new(securebase_desk::Desk::new(options, Box::new(today))?);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let address = SocketAddr::new(listen.bind, listen.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}: is another program using the port? try --port"))?;
        crate::note!(term, "the review desk is at {origin} (listening on {address}); Ctrl-C stops it");
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        securebase_desk::serve(desk, listener, stop).await.context("the desk stopped")?;
        Ok(ExitCode::SUCCESS)
    })
}
