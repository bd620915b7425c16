//! One module per subcommand; this one dispatches.

mod check;
#[cfg(feature = "demo")]
mod demo;
#[cfg(not(feature = "demo"))]
mod demo_unavailable;
mod json;
mod plugins;
mod revert;
mod runs;
mod sync;
mod test;

#[cfg(not(feature = "demo"))]
use demo_unavailable as demo;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::failure::Failure;
use crate::runner::RunFlags;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Plugins { json } => plugins::plugins(json),
        Command::Check => check::check(&Config::load(&cli.config)?).await,
        Command::Test { name, json } => test::test(&Config::load(&cli.config)?, &name, json).await,
        Command::Sync {
            name,
            dry_run,
            json,
            allow_mass_deprovision,
        } => {
            let flags = run_flags(dry_run, allow_mass_deprovision);
            sync::sync(&Config::load(&cli.config)?, &name, flags, json).await
        }
        Command::Revert {
            run_id,
            dry_run,
            json,
            delete_created,
            allow_mass_deprovision,
        } => {
            let config = Config::load(&cli.config)?;
            let flags = run_flags(dry_run, allow_mass_deprovision);
            revert::revert(&config, run_id, flags, delete_created, json).await
        }
        Command::Runs { name, json, limit } => {
            runs::runs(&Config::load(&cli.config)?, &name, json, limit).await
        }
        Command::Demo { db, users } => demo::demo(&db, users).await,
        Command::Serve { listen } => crate::serve::serve(Config::load(&cli.config)?, listen).await,
    }
}

/// The flags of a `sync` or `revert` command line.
fn run_flags(dry_run: bool, allow_mass_deprovision: bool) -> RunFlags {
    RunFlags {
        dry_run,
        allow_mass_deprovision,
    }
}
