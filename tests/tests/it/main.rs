//! The integration tests of the workspace, in one binary: the real `syncer-host` program, run as
//! a process, against the fake servers of `tests/*-sim` over HTTP on 127.0.0.1. One module per
//! concern; `common` holds what several of them use (a scratch directory and its config, the
//! program run, the fakes started the usual way).

/// Runs an `async fn(Flavor)` once against each flavour of the fake IAM, as
/// `NAME::hanzo` and `NAME::casdoor`.
macro_rules! in_both_flavours {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn hanzo() {
                super::$name(Flavor::Hanzo).await
            }

            #[tokio::test]
            async fn casdoor() {
                super::$name(Flavor::Casdoor).await
            }
        }
    )*};
}

mod cli_config;
mod cli_sync;
mod common;
mod dingtalk_hostile;
mod dingtalk_sync;
mod events;
mod groups;
mod iam_hostile;
mod iam_sync;
mod iam_target;
mod lark;
mod quota;
mod replicas;
mod revert;
mod serve;
