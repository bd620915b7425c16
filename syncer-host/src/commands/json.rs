//! The `--json` output of every command: one pretty JSON document on stdout.

use crate::failure::Failure;

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| Failure::Run(format!("cannot encode JSON: {error}")))?;
    println!("{text}");
    Ok(())
}
