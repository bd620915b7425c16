//! `test NAME`: Test Connection of one syncer, the source's checks, then the target's.

use super::json::print_json;
use crate::config::Config;
use crate::connection::test_connection;
use crate::failure::Failure;
use crate::output;

/// `test NAME [--json]`.
pub async fn test(config: &Config, name: &str, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    let outcome = test_connection(config, settings).await;
    if json {
        print_json(&outcome)?;
    } else {
        println!(
            "Test Connection of {name}: {}",
            if outcome.ok { "ok" } else { "FAILED" }
        );
        print!("{}", output::checks(&outcome.checks));
    }
    if outcome.ok {
        Ok(())
    } else {
        Err(Failure::Run(String::new()))
    }
}
