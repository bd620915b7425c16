//! [`AppCredentials`]: the id and secret an app of a remote signs in with, read from the
//! backend's own two config keys ([`AppKeys`]: `app_key`, `app_id`, `client_id`, ... and their
//! secret), declared once for every backend. Knows no backend.

use syncer_core::{ConfigField, ConfigKind, PluginConfig, Secret};

/// The id and secret of one app of a remote.
#[derive(Clone, Debug, PartialEq)]
pub struct AppCredentials {
    /// The app's id (public).
    pub id: String,
    /// The app's secret (printed as `***`).
    pub secret: Secret,
}

impl AppCredentials {
    /// Credentials with this id and secret.
    pub fn new(id: impl Into<String>, secret: Secret) -> Self {
        Self {
            id: id.into(),
            secret,
        }
    }

    /// The credentials the config gives under `keys`' names.
    pub fn from_config(config: &PluginConfig, keys: &AppKeys) -> Self {
        Self {
            id: config.text(keys.id),
            secret: config.secret(keys.secret),
        }
    }
}

/// How a backend names its app's credentials in config, and where the operator finds them.
#[derive(Clone, Copy, Debug)]
pub struct AppKeys {
    /// The id's key (`app_key`).
    pub id: &'static str,
    /// The id's label (`App Key`).
    pub id_label: &'static str,
    /// Help of the id: where the console shows it.
    pub id_help: &'static str,
    /// The secret's key (`app_secret`).
    pub secret: &'static str,
    /// The secret's label (`App Secret`).
    pub secret_label: &'static str,
    /// Help of the secret.
    pub secret_help: &'static str,
}

impl AppKeys {
    /// The two config fields, id first; both required, the secret masked.
    pub const fn fields(&self) -> [ConfigField; 2] {
        let text = ConfigKind::Text;
        [
            ConfigField::new(self.id, self.id_label, text, self.id_help).required(),
            ConfigField::new(self.secret, self.secret_label, text, self.secret_help)
                .required()
                .secret(),
        ]
    }
}
