//! `plugins [--json]`: the registered syncer types with their config fields and default mappings.

use crate::stdout::say;
use syncer_core::plugins as registered;

use super::json::print_json;
use crate::failure::Failure;
use crate::output;

/// `plugins [--json]`.
pub fn plugins(json: bool) -> Result<(), Failure> {
    let all = registered();
    if json {
        let infos: Vec<_> = all.iter().map(|plugin| plugin.info()).collect();
        return print_json(&infos);
    }
    say!("{}", output::plugins(&all));
    Ok(())
}
