//! [`Call`]: one authenticated request as the handlers see it, with the checks every handler
//! may apply (admin or not, Hanzo's user-admin gate and name filter, injected failures).

use std::collections::HashMap;

use parking_lot::Mutex;
use serde_json::Value;

use crate::auth::Principal;
use crate::config::{FakeIamConfig, Flavor};
use crate::envelope::Reply;
use crate::stats::StatsRecorder;
use crate::validate::{hanzo_forbidden_name_chars, UNAUTHORIZED};

/// One authenticated request as the handlers see it.
pub(crate) struct Call<'a> {
    pub(crate) config: &'a FakeIamConfig,
    pub(crate) principal: Principal,
    pub(crate) query: &'a HashMap<String, String>,
    pub(crate) body: &'a [u8],
    pub(crate) stats: &'a StatsRecorder,
    pub(crate) failures: &'a Mutex<HashMap<String, String>>,
}

impl Call<'_> {
    /// A query parameter, `""` when absent (Beego's `Input.Query`).
    pub(crate) fn q(&self, key: &str) -> &str {
        self.query.get(key).map_or("", String::as_str)
    }

    /// Whether the server treats the caller as an administrator. Casdoor makes every
    /// application a global admin; current Hanzo does not (controllers/app_not_global_admin_test.go).
    pub(crate) fn is_admin(&self) -> bool {
        self.config.flavor == Flavor::Casdoor && matches!(self.principal, Principal::App(_))
    }

    /// Hanzo's `requireAppCapability(CapUserAdmin)`: an application outside
    /// `IAM_USER_ADMIN_APPS` gets "Unauthorized operation".
    pub(crate) fn user_admin_gate(&self) -> Option<Reply> {
        let is_app = matches!(self.principal, Principal::App(_));
        (self.config.flavor == Flavor::Hanzo && is_app && !self.config.app_may_manage_users)
            .then(|| Reply::error(UNAUTHORIZED))
    }

    /// Hanzo's router-level `FieldValidationFilter` on the body's `name`.
    pub(crate) fn hanzo_name_filter(&self) -> Option<Reply> {
        if self.config.flavor != Flavor::Hanzo {
            return None;
        }
        let body: Value = serde_json::from_slice(self.body).ok()?;
        let name = body.get("name")?.as_str()?;
        hanzo_forbidden_name_chars(name).map(Reply::error)
    }

    /// The failure a test injected for writes of this user name.
    pub(crate) fn injected_failure(&self, names: &[&str]) -> Option<Reply> {
        let failures = self.failures.lock();
        names
            .iter()
            .find_map(|name| failures.get(*name))
            .map(|msg| Reply::error(msg.clone()))
    }
}
