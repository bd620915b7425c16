//! A fake Hanzo IAM (Casdoor-derived) server for integration tests, over real HTTP.
//!
//! It answers like the real server, not like any client: HTTP 200 with
//! `{"status","msg","data","data2"}`, application credentials (Basic or `clientId`/`clientSecret`),
//! Hanzo's `IAM_USER_ADMIN_APPS` gate, Casdoor's user-name rule and duplicate checks,
//! `update-user` that writes exactly the named DB columns from a full body, Beego paging that
//! repeats the last page, and groups whose deletion is refused while they have children or
//! members. Each behaviour names its source file in hanzoai/iam or casdoor/casdoor.
//!
//! It must not know about the syncer: tests drive it only through HTTP and the control
//! methods of [`FakeIam`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use syncer_tests::fake_iam::{FakeIam, FakeIamConfig};
//! let iam = FakeIam::start(FakeIamConfig::default()).await?;
//! let base = format!("{}{}", iam.url(), iam.api_prefix()); // http://127.0.0.1:PORT/v1/iam
//! # let _ = base;
//! assert!(iam.users("acme").is_empty());
//! iam.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod auth;
mod envelope;
mod groups;
mod http;
mod paging;
mod schema;
mod stats;
mod store;
mod user_writes;
mod users;
mod validate;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{SecondsFormat, Utc};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use stats::{IamStats, UpdateUserCall};

use http::Shared;
use schema::{fill_zero_values, str_of, USER_FIELDS};
use store::{Record, Store};

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

/// A running fake IAM server on 127.0.0.1 with a random port.
#[derive(Debug)]
pub struct FakeIam {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeIam {
    /// Binds 127.0.0.1:0 and serves on a spawned tokio task.
    pub async fn start(config: FakeIamConfig) -> std::io::Result<FakeIam> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            store: Mutex::new(Store::default()),
            stats: Default::default(),
            failures: Mutex::new(HashMap::new()),
        });
        let app = http::router(Arc::clone(&shared));
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await;
            if let Err(err) = served {
                eprintln!("fake IAM server stopped: {err}");
            }
        });
        Ok(FakeIam {
            shared,
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (no API prefix).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API prefix of the flavour: `/v1/iam` or `/api`.
    pub fn api_prefix(&self) -> &'static str {
        self.shared.config.flavor.api_prefix()
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &FakeIamConfig {
        &self.shared.config
    }

    /// Stored users of `org`, newest `createdTime` first, unmasked.
    pub fn users(&self, org: &str) -> Vec<Value> {
        let mut store = self.shared.store.lock();
        store
            .sorted_users(org)
            .into_iter()
            .map(|user| Value::Object(user.clone()))
            .collect()
    }

    /// The stored user `org/name`, unmasked.
    pub fn user(&self, org: &str, name: &str) -> Option<Value> {
        let store = self.shared.store.lock();
        store
            .user(org, name)
            .map(|user| Value::Object(user.clone()))
    }

    /// Seeds a pre-existing user (a local admin, another syncer's user). Missing fields get
    /// Go zero values and `createdTime` defaults to now; an existing `owner/name` is replaced.
    ///
    /// # Panics
    /// When `user` is not an object with string `owner` and `name` (a broken test).
    pub fn insert_user(&self, user: Value) {
        let mut user = seed_object(user, "insert_user");
        if str_of(&user, "createdTime").is_empty() {
            user.insert("createdTime".into(), Value::String(now()));
        }
        if str_of(&user, "updatedTime").is_empty() {
            let created = user.get("createdTime").cloned().unwrap_or(Value::Null);
            user.insert("updatedTime".into(), created);
        }
        fill_zero_values(&mut user, USER_FIELDS);
        self.shared.store.lock().insert_user(user);
    }

    /// Stored groups of `org` (newest `createdTime` first, then by name), without the
    /// per-request `users` list.
    pub fn groups(&self, org: &str) -> Vec<Value> {
        let store = self.shared.store.lock();
        store
            .groups_of(org)
            .into_iter()
            .map(|group| Value::Object(group.clone()))
            .collect()
    }

    /// Seeds a group; an existing `owner/name` is replaced.
    ///
    /// # Panics
    /// When `group` is not an object with string `owner` and `name` (a broken test).
    pub fn insert_group(&self, group: Value) {
        let mut group = seed_object(group, "insert_group");
        groups::normalize_group(&mut group);
        self.shared.store.lock().insert_group(group);
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> IamStats {
        self.shared.stats.snapshot()
    }

    /// Zeroes the request counters (stored data stays).
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// From now on, add/update/delete-user calls for user `name` answer `status: "error"`
    /// with `msg` (checked after authentication and the capability gate).
    pub fn fail_user_writes(&self, name: &str, msg: &str) {
        self.shared
            .failures
            .lock()
            .insert(name.to_string(), msg.to_string());
    }

    /// Removes every failure injected with [`FakeIam::fail_user_writes`].
    pub fn clear_user_write_failures(&self) {
        self.shared.failures.lock().clear();
    }

    /// Stops serving and waits (briefly) for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for FakeIam {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn seed_object(value: Value, what: &str) -> Record {
    let object = match value {
        Value::Object(object) => object,
        other => panic!("FakeIam::{what} needs a JSON object, got {other}"),
    };
    let has_key = |key: &str| object.get(key).and_then(Value::as_str).is_some();
    assert!(
        has_key("owner") && has_key("name"),
        "FakeIam::{what} needs string `owner` and `name`, got {}",
        Value::Object(object.clone())
    );
    object
}

/// The server clock as `util.GetCurrentTime` formats it (RFC 3339, seconds).
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A fresh UUID-shaped user id, as `util.GenerateId` returns.
pub(crate) fn generate_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    let high = nanos ^ n.rotate_left(32);
    let low = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nanos.rotate_left(17);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        (low >> 48) & 0xfff,
        low & 0xffff_ffff_ffff
    )
}
