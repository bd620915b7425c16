//! `test NAME`: Test Connection of one syncer, the source's checks, then the target's; its calls
//! are counted against the syncer's monthly budget, and it warns (on stderr) when
//! `sync_interval` would spend more than the budget in a month.

use super::json::print_json;
use crate::config::Config;
use crate::connection::test_connection;
use crate::failure::Failure;
use crate::output;
use crate::runner::Runner;
use crate::stdout::{say, sayln};

/// `test NAME [--json]`.
pub async fn test(config: &Config, name: &str, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    // The state is where the calls are counted; a test still runs when it cannot be opened.
    let runner = match Runner::for_config(config).await {
        Ok(runner) => Some(runner),
        Err(error) => {
            eprintln!("warning: this test's API calls are not counted: {error}");
            None
        }
    };
    let meter = runner
        .as_ref()
        .map(|runner| runner.ledger().meter(&settings.name));
    let outcome = test_connection(config, settings, meter).await;
    if let Some(runner) = &runner {
        runner.ledger().flush().await;
        if let Some(advice) = runner.interval_advice(settings).await {
            eprintln!("warning: {advice}");
        }
    }
    if json {
        print_json(&outcome)?;
    } else {
        sayln!(
            "Test Connection of {name}: {}",
            if outcome.ok { "ok" } else { "FAILED" }
        );
        say!("{}", output::checks(&outcome.checks));
    }
    if outcome.ok {
        Ok(())
    } else {
        Err(Failure::Run(String::new()))
    }
}
