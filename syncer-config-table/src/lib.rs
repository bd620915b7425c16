//! Turns a backend's `config.toml` (the keys an operator sets, with their labels, help texts
//! and defaults) into the constants its `settings.rs` includes: `PRESETS` and `APP_KEYS` for
//! syncer-remote's shared blocks, `OWN_FIELDS`, and `CONFIG_FIELDS`, the one declaration
//! `plugins --json` and a UI render. Run from the backend's build script; knows no backend.
//!
//! A backend's `build.rs` calls [`run_build_script`] from its `main`:
//!
//! ```no_run
//! syncer_config_table::run_build_script();
//! ```
//!
//! and its `settings.rs`:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/config_table.rs"));
//! ```
//!
//! The table's keys: `[app]` (`id`, `id_label`, `id_help`, `secret`, `secret_label`,
//! `secret_help`; optional), `[remote]` (`endpoint`, `endpoint_help`, `rate_limit`,
//! `rate_limit_help`, `max_in_flight`), `[events]` (`help`; optional) and any number of
//! `[[field]]` (`name`, `label`, `kind` = text | url | integer | number | boolean, `help`, and
//! optionally `default`, `secret`, `required`, `const`: publish the default as that constant).

mod emit;
mod error;
mod table;

use std::path::PathBuf;

pub use error::ConfigTableError;

/// The file name of the generated code in `OUT_DIR`.
pub const GENERATED_FILE: &str = "config_table.rs";

/// The Rust for the config table `text`, read from `file` (named in errors and the header).
pub fn render(text: &str, file: &str) -> Result<String, ConfigTableError> {
    let table = table::ConfigTable::parse(text, file)?;
    Ok(emit::emit(&table, file))
}

/// Reads `config.toml` next to the calling crate's `Cargo.toml` and writes
/// [`GENERATED_FILE`] into its `OUT_DIR`; cargo reruns it when the table changes.
pub fn generate() -> Result<PathBuf, ConfigTableError> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or(ConfigTableError::NotInBuildScript("CARGO_MANIFEST_DIR"))?;
    let out_dir =
        std::env::var_os("OUT_DIR").ok_or(ConfigTableError::NotInBuildScript("OUT_DIR"))?;
    let source = PathBuf::from(manifest_dir).join("config.toml");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).map_err(|error| ConfigTableError::Read {
        path: source.clone(),
        source: error,
    })?;
    let code = render(&text, &source.display().to_string())?;
    let target = PathBuf::from(out_dir).join(GENERATED_FILE);
    std::fs::write(&target, code).map_err(|error| ConfigTableError::Write {
        path: target.clone(),
        source: error,
    })?;
    Ok(target)
}

/// [`generate`] for a build script: on an error, prints it (file, key, fix) and fails the build.
pub fn run_build_script() {
    if let Err(error) = generate() {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
