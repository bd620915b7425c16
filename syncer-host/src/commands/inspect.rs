//! `plugins` and `check`: what is registered and whether the config is valid (no network).

use syncer_core::plugins as registered;

use super::print_json;
use crate::config::{Config, TargetSettings};
use crate::output;
use crate::Failure;

/// `plugins [--json]`.
pub fn plugins(json: bool) -> Result<(), Failure> {
    let all = registered();
    if json {
        let infos: Vec<_> = all.iter().map(|plugin| plugin.info()).collect();
        return print_json(&infos);
    }
    print!("{}", output::plugins(&all));
    Ok(())
}

/// `check`: the config was loaded (and so validated) by the caller; say what it holds.
pub fn check(config: &Config) -> Result<(), Failure> {
    let target = match &config.target {
        TargetSettings::Embedded { path } => format!("embedded store {}", path.display()),
        TargetSettings::Iam(iam) => format!("Hanzo IAM at {}{}", iam.endpoint, iam.api_prefix),
    };
    println!("{}: valid", config.file.display());
    println!("  target: {target}");
    for syncer in &config.syncers {
        println!(
            "  syncer {} ({}) → organization {}, {}, leavers: {}",
            syncer.name,
            syncer.plugin.type_name,
            syncer.organization,
            if syncer.is_enabled {
                format!("every {}s", syncer.sync_interval.as_secs())
            } else {
                "not scheduled".to_owned()
            },
            syncer.leavers
        );
    }
    Ok(())
}
