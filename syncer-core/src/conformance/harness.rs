//! What a backend author gives the kit ([`ConformanceHarness`]), and how the kit builds a syncer
//! from it and knows its secrets. Every check reads the harness through this module.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::expect::ExpectedDirectory;
use super::findings::Findings;
use crate::plugin::{ConfigValue, PluginConfig, PluginDescriptor};
use crate::syncer::Syncer;

/// Which credentials a config for the fake should carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The credentials the fake accepts.
    Good,
    /// The right app / client id with a wrong secret: Test Connection must fail and say which
    /// credential to fix.
    WrongSecret,
}

impl Credentials {
    /// The wrong secret [`Credentials::secret`] gives for [`Credentials::WrongSecret`].
    pub const WRONG_SECRET: &'static str = "not-the-app-secret-Kq83";

    /// The secret a config for these credentials carries: `good` for [`Credentials::Good`],
    /// [`Credentials::WRONG_SECRET`] for [`Credentials::WrongSecret`].
    pub fn secret(self, good: &str) -> &str {
        match self {
            Credentials::Good => good,
            Credentials::WrongSecret => Self::WRONG_SECRET,
        }
    }
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
