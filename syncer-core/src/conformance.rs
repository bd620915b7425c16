//! # The conformance kit: the contract every backend must honour
//!
//! A backend is done when [`run`] passes against a fake of its remote API. The backend author
//! implements [`ConformanceHarness`]: it names the plugin, gives config values pointing at the
//! fake (with good credentials or a wrong secret), and puts the fake in a known state while
//! saying what that state holds ([`ExpectedDirectory`]). The kit then checks, each failure
//! with a sentence that says what is wrong:
//!
//! - **registration** ([`check_registration`]): registered under its type name, a description,
//!   every config field with a label and help, secret-looking fields marked secret, source
//!   fields described, a default mapping whose sources exist and whose targets are mappable IAM
//!   fields, with `Id` and `Name` mapped;
//! - **Test Connection** ([`check_connection`]): passes with good credentials; fails with a wrong
//!   secret, naming the credential by its label; never shows a secret; a fetch with the wrong
//!   secret is an error, never an empty "complete" directory;
//! - **fetch** ([`check_fetch`]): every person exactly once, the default mapping gives the
//!   expected values, departments with ids, names and parents; when part of the directory fails,
//!   the snapshot says so (never silently short) and names the part.
//!
//! Besides, [`lookup`] holds what a backend's own tests of reading one person alone share.
//!
//! The kit knows no backend and no HTTP; it only drives the [`Syncer`] a plugin builds. It is
//! compiled with the `conformance` feature, so a backend takes it as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! syncer-core = { workspace = true, features = ["conformance"] }
//! ```
//!
//! and calls it from an integration test:
//!
//! ```ignore
//! #[tokio::test]
//! async fn lark_passes_the_conformance_kit() {
//!     let harness = LarkHarness::start().await;
//!     if let Err(failures) = syncer_core::conformance::run(&harness).await {
//!         panic!("{}", failures.join("\n"));
//!     }
//! }
//! ```
//!
//! [`Syncer`]: crate::Syncer

mod connection;
mod expect;
mod fetch;
mod findings;
mod harness;
pub mod lookup;
mod registration;
#[cfg(test)]
mod tests;

pub use connection::check_connection;
pub use expect::{ExpectedDirectory, ExpectedUser};
pub use fetch::{check_fetch, FetchCase};
pub use findings::Findings;
pub use harness::{ConformanceHarness, Credentials};
pub use registration::check_registration;

/// Runs every check against the harness; `Err` holds every failure, one sentence each.
///
/// Order: registration, then (healthy fake) Test Connection with good and wrong credentials and
/// a full fetch, then (partly failing fake) a fetch that must report itself incomplete.
pub async fn run(harness: &dyn ConformanceHarness) -> Result<(), Vec<String>> {
    let plugin = harness.plugin();
    let mut findings = check_registration(plugin);

    let healthy = harness.healthy_directory().await;
    findings.extend(check_connection(harness).await);
    findings.extend(check_fetch(harness, &healthy, FetchCase::Healthy).await);

    let failing = harness.partly_failing_directory().await;
    findings.extend(check_fetch(harness, &failing, FetchCase::PartlyFailing).await);

    findings.into_result()
}
