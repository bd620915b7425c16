//! The command line (SPEC §4).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Imports users from external directories (DingTalk, ...) into Hanzo IAM.
#[derive(Debug, Parser)]
#[command(name = "syncer-host", version, about)]
pub struct Cli {
    /// The config file.
    #[arg(long, global = true, default_value = crate::config::DEFAULT_CONFIG)]
    pub config: PathBuf,
    /// Log more (repeat for more detail); logs go to stderr. RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List registered syncer types with their config fields and default mappings.
    Plugins {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate the config file without touching the network.
    Check,
    /// Test Connection: authenticate and probe the permissions a sync needs.
    Test {
        /// The syncer's name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run one sync now.
    Sync {
        /// The syncer's name.
        name: String,
        /// Print the plan and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print one JSON report.
        #[arg(long)]
        json: bool,
        /// Deprovision even when more users left than the guard allows (this run only).
        #[arg(long)]
        allow_mass_deprovision: bool,
    },
    /// Undo a run from its journal: a run of kind `revert` of that run's syncer.
    Revert {
        /// The id of the run to undo (`runs NAME` lists them; `sync --json` prints it).
        run_id: i64,
        /// Print what it would write and the conflicts, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print one JSON report.
        #[arg(long)]
        json: bool,
        /// Delete the users the run created instead of disabling them.
        #[arg(long)]
        delete_created: bool,
        /// Disable or delete even when that is more than the guard allows (this revert only).
        #[arg(long)]
        allow_mass_deprovision: bool,
    },
    /// Run enabled syncers on their interval and serve the HTTP control API.
    Serve {
        /// Address to listen on (overrides `[server] listen`; default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Show a syncer's run history, newest first.
    Runs {
        /// The syncer's name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// How many runs.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// A self-contained run: a simulated DingTalk organization synced into an embedded store.
    Demo {
        /// Where the demo's embedded store goes.
        #[arg(long, default_value = "syncer-demo.db")]
        db: PathBuf,
        /// How many simulated users.
        #[arg(long, default_value_t = 300)]
        users: usize,
    },
}
