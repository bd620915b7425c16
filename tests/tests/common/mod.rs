//! What `dingtalk_fetch.rs` uses of the integration tests' helpers (`it/common.rs` has them
//! all): a scratch directory with an embedded-store config, the program run, a fake DingTalk.
//! Only for that file, which is moving into `syncer-dingtalk`; remove this module with it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec, SimUser};

/// The `syncer-host` program under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_syncer-host-under-test");

/// What a run of the program printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A scratch directory for one test.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config(&self) -> PathBuf {
        self.path("syncer.toml")
    }

    pub fn write_config(&self, text: &str) -> PathBuf {
        std::fs::write(self.config(), text).expect("write config");
        self.config()
    }

    /// Runs `syncer-host --config <scratch>/syncer.toml ARGS` with extra environment.
    pub async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut command = tokio::process::Command::new(BIN);
        command
            .arg("--config")
            .arg(self.config())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().await.expect("run syncer-host");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Users of `org` in the embedded store at `syncer.db`, as JSON bodies.
    pub fn stored_users(&self, org: &str) -> Vec<Value> {
        stored_users(&self.path("syncer.db"), org)
    }
}

pub fn stored_users(db: &Path, org: &str) -> Vec<Value> {
    let db = rusqlite::Connection::open(db).expect("open store");
    let mut statement = db
        .prepare("SELECT body FROM users WHERE owner = ?1 ORDER BY name")
        .expect("query");
    statement
        .query_map([org], |row| row.get::<_, String>(0))
        .expect("rows")
        .map(|body| serde_json::from_str(&body.expect("row")).expect("json body"))
        .collect()
}

/// The secret every test app uses; tests assert it never appears in output.
pub const APP_SECRET: &str = "sim-secret-Zq8vX2";
pub const APP_KEY: &str = "dingsimkey0001";

pub fn credentials() -> Credentials {
    Credentials::new(APP_KEY, APP_SECRET)
}

pub async fn fake_dingtalk(org: Org, faults: Faults) -> FakeDingTalk {
    FakeDingTalk::start(org, credentials(), faults)
        .await
        .expect("start fake DingTalk")
}

/// A config with the embedded target and one DingTalk syncer `acme-dt` pointing at `endpoint`,
/// its secret read from `${DT_SECRET}`, plus `extra` lines in the syncer table.
pub fn embedded_config(endpoint: &str, extra: &str) -> String {
    format!(
        r#"
[target]
kind = "embedded"

[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{DT_SECRET}}"
endpoint = "{endpoint}"
rate_limit = 500
{extra}
"#
    )
}

pub const SECRET_ENV: (&str, &str) = ("DT_SECRET", APP_SECRET);

/// A simulated organization of `users` people.
pub fn org(users: usize) -> Org {
    Org::generate(&OrgSpec {
        users,
        departments: (users / 10).clamp(5, 500),
        ..OrgSpec::default()
    })
}

/// The IAM user name the default mapping gives a DingTalk member: unionid, else userid.
pub fn iam_name(user: &SimUser) -> &str {
    if user.unionid.is_empty() {
        &user.userid
    } else {
        &user.unionid
    }
}
