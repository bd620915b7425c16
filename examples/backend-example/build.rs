//! Turns config.toml into the constants src/settings.rs includes (see syncer-config-table).

fn main() {
    syncer_config_table::run_build_script();
}
