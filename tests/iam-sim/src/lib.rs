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
//! use syncer_iam_sim::{FakeIam, FakeIamConfig};
//! let iam = FakeIam::start(FakeIamConfig::default()).await?;
//! let base = format!("{}{}", iam.url(), iam.api_prefix()); // http://127.0.0.1:PORT/v1/iam
//! # let _ = base;
//! assert!(iam.users("acme").is_empty());
//! iam.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod auth;
mod call;
mod config;
mod envelope;
mod faults;
mod groups;
mod http;
mod paging;
mod schema;
mod stamp;
mod state;
mod stats;
mod store;
mod user_writes;
mod users;
mod validate;

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;
use syncer_sim_kit::SimServer;

pub use config::{FakeIamConfig, Flavor};
pub use stats::{IamStats, UpdateUserCall};

use schema::{fill_zero_values, str_of, USER_FIELDS};
use stamp::now;
use state::Shared;
use store::{Record, Store};

/// A running fake IAM server on 127.0.0.1 with a random port.
#[derive(Debug)]
pub struct FakeIam {
    shared: Arc<Shared>,
    server: SimServer,
}

impl FakeIam {
    /// Binds 127.0.0.1:0 and serves on a spawned tokio task.
    pub async fn start(config: FakeIamConfig) -> std::io::Result<FakeIam> {
        let shared = Arc::new(Shared {
            config,
            store: Mutex::new(Store::default()),
            stats: Default::default(),
            failures: Mutex::new(HashMap::new()),
            faults: Mutex::default(),
        });
        let server = SimServer::start_local("IAM", http::router(Arc::clone(&shared))).await?;
        Ok(FakeIam { shared, server })
    }

    /// `http://127.0.0.1:PORT` (no API prefix).
    pub fn url(&self) -> String {
        self.server.url()
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

    /// From now on, paged `get-users` answers say `data2: count` whatever the organization
    /// holds (a count that does not fit what arrives; `count` may be any JSON value).
    pub fn answer_user_count(&self, count: Value) {
        self.shared.faults.lock().user_count = Some(count);
    }

    /// From now on, paged `get-users` answers a full page of users never listed before, with
    /// no count (`data2: null`): a listing that never ends.
    pub fn list_endless_users(&self) {
        self.shared.faults.lock().endless_users = true;
    }

    /// From now on, every answer carries `bytes` of padding (a `padding` member).
    pub fn pad_answers(&self, bytes: usize) {
        self.shared.faults.lock().padding = bytes;
    }

    /// From now on, writes (add/update/delete of users and groups) are applied and then never
    /// answered: the request stays open until the client gives up.
    pub fn hang_writes(&self) {
        self.shared.faults.lock().hang_writes = true;
    }

    /// From now on (`true`) every API call is answered HTTP 503 and changes nothing, until
    /// `false` brings the server back with its data.
    pub fn set_down(&self, down: bool) {
        self.shared.faults.lock().down = down;
    }

    /// Stops serving and waits (briefly) for the server task to end.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
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
