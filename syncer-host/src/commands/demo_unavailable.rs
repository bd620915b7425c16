//! `demo` in a build without the `demo` feature (a production binary): the DingTalk simulator
//! is not linked, so the command only says how to get a binary that has it.

use std::path::Path;

use crate::failure::Failure;

/// Refuses the demo (exit 2) with the command that builds a binary including it.
pub async fn demo(_db: &Path, _users: usize) -> Result<(), Failure> {
    Err(Failure::Usage(
        "this syncer-host was built without the demo (cargo feature `demo`, which links the DingTalk simulator); run it from a checkout with `cargo run --release -p syncer-host -- demo` (the feature is on by default) or build with `--features demo`".to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_says_how_to_get_it() {
        match demo(Path::new("demo.db"), 10).await {
            Err(Failure::Usage(message)) => {
                assert!(message.contains("--features demo"), "{message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }
}
