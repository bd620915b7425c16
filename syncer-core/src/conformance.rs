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
mod registration;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::plugin::{ConfigValue, PluginConfig, PluginDescriptor};
use crate::syncer::Syncer;

pub use connection::check_connection;
pub use expect::{ExpectedDirectory, ExpectedUser};
pub use fetch::{check_fetch, FetchCase};
pub use findings::Findings;
pub use registration::check_registration;

/// Which credentials a config for the fake should carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The credentials the fake accepts.
    Good,
    /// The right app / client id with a wrong secret: Test Connection must fail and say which
    /// credential to fix.
    WrongSecret,
}

/// What a backend author gives the kit: their plugin, config for a fake of their remote API, and
/// control over what that fake holds.
///
/// Implementations usually own the running fake server. Each `*_directory` method puts the fake
/// in its state *and* describes it, so the kit never needs to know the fake's API.
#[async_trait]
pub trait ConformanceHarness: Send + Sync {
    /// The plugin under test, as registered (`find_plugin("Lark")` should return it).
    fn plugin(&self) -> &'static PluginDescriptor;

    /// Raw config values (the keys of the plugin's config fields) pointing at the fake, with
    /// good credentials or a wrong secret. Keep retries low so failing parts fail fast.
    fn config(&self, credentials: Credentials) -> BTreeMap<String, ConfigValue>;

    /// Labels of the credentials a wrong-secret message must name (at least one of them).
    /// Defaults to the labels of the plugin's secret config fields (`App Secret`).
    fn credential_labels(&self) -> Vec<&'static str> {
        self.plugin()
            .config_fields
            .iter()
            .filter(|field| field.secret)
            .map(|field| field.label)
            .collect()
    }

    /// Puts the fake in a healthy state (no faults) and says what it holds: every user, every
    /// department.
    async fn healthy_directory(&self) -> ExpectedDirectory;

    /// Puts the fake in a state where at least one department fails permanently (every call
    /// about it fails, retries never help) and says which departments fail and which users must
    /// still be read (those who are also in a department that does not fail).
    async fn partly_failing_directory(&self) -> ExpectedDirectory;
}

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

/// Validates `credentials`' config and builds the syncer, or says why it could not.
pub(crate) fn build_syncer(
    harness: &dyn ConformanceHarness,
    credentials: Credentials,
    findings: &mut Findings,
) -> Option<Box<dyn Syncer>> {
    let plugin = harness.plugin();
    let config = match PluginConfig::new(plugin, harness.config(credentials)) {
        Ok(config) => config,
        Err(error) => {
            findings.fail(
                "config",
                format!("the harness config ({credentials:?} credentials) is refused: {error}"),
            );
            return None;
        }
    };
    let shown = format!("{config:?}");
    for secret in secret_values(harness) {
        if shown.contains(&secret) {
            findings.fail(
                "config",
                "the config's Debug output shows a secret value: mark the field `secret: true`",
            );
        }
    }
    match (plugin.build)(&config) {
        Ok(syncer) => Some(syncer),
        Err(error) => {
            findings.fail(
                "config",
                format!("the plugin cannot build a syncer from the harness config: {error}"),
            );
            None
        }
    }
}

/// The secret values of both configs (good and wrong), long enough to be recognised in text.
pub(crate) fn secret_values(harness: &dyn ConformanceHarness) -> Vec<String> {
    let plugin = harness.plugin();
    let mut secrets = Vec::new();
    for credentials in [Credentials::Good, Credentials::WrongSecret] {
        for (key, value) in harness.config(credentials) {
            if let ConfigValue::Text(text) = value {
                if plugin.is_secret(&key) && text.len() >= 4 && !secrets.contains(&text) {
                    secrets.push(text);
                }
            }
        }
    }
    secrets
}
