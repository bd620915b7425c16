//! What can go wrong reading a `config.toml`: each error names the file and, where it can, the
//! key and the fix, so a build that fails says what to change.

use std::path::PathBuf;

/// Why a backend's config table could not become code.
#[derive(Debug, thiserror::Error)]
pub enum ConfigTableError {
    /// The build script runs outside cargo (no `CARGO_MANIFEST_DIR` or `OUT_DIR`).
    #[error("{0} is not set: run this from a build script (build.rs), which cargo runs")]
    NotInBuildScript(&'static str),
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not TOML, or holds a key or type the table does not know.
    #[error("{file} is not a valid config table: {source}")]
    Parse {
        /// The file.
        file: String,
        /// What the TOML reader said (with the line).
        source: toml::de::Error,
    },
    /// A value is present but wrong.
    #[error("{file}: `{key}` {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// The table key, with its section (`field[2].name`).
        key: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The generated code could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}
