//! How one fake IAM server behaves: which server it imitates ([`Flavor`]) and the knobs of
//! [`FakeIamConfig`] (credentials, organizations, the admin gate, uniqueness rules, soft deletion,
//! quota, latency, paging order, admin-only account items). Plain configuration: the handlers
//! decide what each knob changes.

use std::time::Duration;

/// Which server the fake imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Hanzo IAM: routes under `/v1/iam/`, application principals are not admins and need
    /// the `IAM_USER_ADMIN_APPS` allowlist for user reads and writes, `update-user` columns
    /// are checked against the user table.
    #[default]
    Hanzo,
    /// Casdoor: routes under `/api/`, every application is a global admin (so `update-user`
    /// also writes name, id, email, phone, ...), unknown columns are silently ignored.
    Casdoor,
}

impl Flavor {
    /// The path prefix of the API (`/v1/iam` or `/api`).
    pub fn api_prefix(self) -> &'static str {
        match self {
            Flavor::Hanzo => "/v1/iam",
            Flavor::Casdoor => "/api",
        }
    }
}

/// How one fake server behaves.
#[derive(Debug, Clone)]
pub struct FakeIamConfig {
    /// Server flavour (routes, admin semantics, column checks).
    pub flavor: Flavor,
    /// The application's client id (Basic user or `clientId`).
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: String,
    /// The application's name: the principal is `app/<name>` and error texts name it.
    pub application_name: String,
    /// Organizations that exist (owned by `admin`).
    pub organizations: Vec<String>,
    /// Hanzo: whether the application is in `IAM_USER_ADMIN_APPS`. When false, get-users,
    /// get-user, add/update/delete-user and get-groups answer "Unauthorized operation".
    pub app_may_manage_users: bool,
    /// Whether a second user with the same email or phone in one organization is refused.
    pub unique_email_and_phone: bool,
    /// Whether organizations use emails as user names (`useEmailAsUsername`).
    pub use_email_as_username: bool,
    /// Whether deleting a user only marks it `isDeleted` (`enableSoftDeletion`).
    pub soft_deletion: bool,
    /// Global user quota (`quota.user` in app.conf); `None` is unlimited.
    pub user_quota: Option<usize>,
    /// Whether `update-user` refuses column names the user table lacks. `None`: the
    /// flavour's default (Hanzo refuses, Casdoor ignores them like xorm does).
    pub reject_unknown_columns: Option<bool>,
    /// Delay added to every request (makes client concurrency observable).
    pub latency: Duration,
    /// Answer the default `get-users` order (`created_time DESC`, no tiebreaker) as MySQL may:
    /// users created in the same second come in a different order on each request, so paging
    /// in that order can skip and repeat users. Real servers behave so; off by default to keep
    /// the fake's own paging tests deterministic.
    pub unstable_ties: bool,
    /// Account items of the organizations whose View rule is "Admin", by IAM's item name
    /// ("Is forbidden", "Groups", ...): for a caller that is not an administrator,
    /// `update-user` silently keeps the stored value of those fields and still answers
    /// "Affected" (object/user_util.go `CheckPermissionForUpdateUser`). `get-organization`
    /// lists them in `accountItems`.
    pub admin_only_items: Vec<String>,
}

impl Default for FakeIamConfig {
    fn default() -> Self {
        Self {
            flavor: Flavor::Hanzo,
            client_id: "syncer-app".to_string(),
            client_secret: "syncer-secret".to_string(),
            application_name: "syncer-app".to_string(),
            organizations: vec!["acme".to_string()],
            app_may_manage_users: true,
            unique_email_and_phone: true,
            use_email_as_username: false,
            soft_deletion: false,
            user_quota: None,
            reject_unknown_columns: None,
            latency: Duration::ZERO,
            unstable_ties: false,
            admin_only_items: Vec::new(),
        }
    }
}
