//! Change events under `serve`, over real sockets: the DingTalk simulator's Stream gateway and
//! HTTP pushes (and its change API, which edits the directory and emits the event DingTalk
//! sends), into the fake IAM. Each change is reflected in IAM with one `user/get` per changed
//! person; nothing waits by sleeping: the tests await the simulator's acknowledgements and poll
//! the API with a deadline.

mod index;
mod lark;
mod push;
mod reads;
mod safety;
mod stream;
mod window;

use serde_json::Value;
use syncer_dingtalk_sim::{FakeDingTalk, Faults, Org, SimUser};
use syncer_iam_sim::{FakeIam, Flavor};

use crate::common::{
    eventually, fake_dingtalk, fake_iam, iam_config, iam_name, Scratch, DEADLINE, IAM_SECRET_VAR,
};
use crate::serve::Served;

/// The syncer keys of Stream mode (`STREAM` becomes the simulator's gateway).
const STREAM: &str = "events = \"stream\"\nstream_endpoint = \"STREAM\"";

/// `user/get`, the one call an event for a person costs.
const USER_GET: &str = "/topapi/v2/user/get";

/// `serve` running one syncer with events on, and the fake IAM it writes to, seen through the
/// API and the fake's figures: what the tests of every directory share.
struct Serving {
    iam: FakeIam,
    /// The config and state directory: lives as long as serve.
    scratch: Scratch,
    served: Served,
    /// The syncer's name.
    syncer: &'static str,
    /// The environment serve runs with (the secrets its config reads).
    env: Vec<(String, String)>,
}

impl Serving {
    /// Serves the config `scratch` holds for `syncer` with `env` (the secrets it reads);
    /// returns once the first full sync is done.
    async fn start(
        iam: FakeIam,
        scratch: Scratch,
        syncer: &'static str,
        env: &[(&str, &str)],
    ) -> Serving {
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        env.push((
            IAM_SECRET_VAR.to_owned(),
            iam.config().client_secret.clone(),
        ));
        let (serving, first) = Self::launch(iam, scratch, syncer, env, 0).await;
        assert_eq!(first["status"], "succeeded", "{first}");
        serving
    }

    /// Starts serve; it, and the first run newer than run `after` once finished (serve runs a
    /// full sync at start).
    async fn launch(
        iam: FakeIam,
        scratch: Scratch,
        syncer: &'static str,
        env: Vec<(String, String)>,
        after: i64,
    ) -> (Serving, Value) {
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let served = Served::start(&scratch, &pairs).await;
        let serving = Serving {
            iam,
            scratch,
            served,
            syncer,
            env,
        };
        let run = serving.run_after(after).await;
        (serving, run)
    }

    /// Stops serve (SIGTERM) and starts it again on the same config and state: serve again, and
    /// the full sync it ran at start, once finished.
    async fn restart(self) -> (Serving, Value) {
        let newest = self
            .runs()
            .await
            .first()
            .and_then(|run| run["run_id"].as_i64())
            .unwrap_or(0);
        let Serving {
            iam,
            scratch,
            served,
            syncer,
            env,
        } = self;
        assert_eq!(served.terminate().await, 0, "serve stops cleanly");
        Self::launch(iam, scratch, syncer, env, newest).await
    }

    /// `GET /api/v1/syncers/{syncer}/runs`, newest first.
    async fn runs(&self) -> Vec<Value> {
        let path = format!("/api/v1/syncers/{}/runs", self.syncer);
        let (status, runs) = self.served.get(&path).await;
        assert_eq!(status, 200, "{runs}");
        runs.as_array().cloned().unwrap_or_default()
    }

    /// Waits until a run newer than run `after` has finished (serve runs one at start); it.
    async fn run_after(&self, after: i64) -> Value {
        eventually("a full sync to finish", || async {
            self.runs().await.into_iter().find(|run| {
                run["status"] != "running" && run["run_id"].as_i64().is_some_and(|id| id > after)
            })
        })
        .await
    }

    /// The syncer's `events` in `GET /api/v1/syncers`.
    async fn counters(&self) -> Value {
        self.served.acme().await["events"].clone()
    }

    /// `GET /api/v1/syncers/{syncer}/events`.
    async fn recent(&self) -> Vec<Value> {
        let path = format!("/api/v1/syncers/{}/events", self.syncer);
        let (status, events) = self.served.get(&path).await;
        assert_eq!(status, 200, "{events}");
        events.as_array().cloned().unwrap_or_default()
    }

    /// The URL the directory pushes the syncer's events to.
    fn events_url(&self) -> String {
        format!("{}/api/v1/syncers/{}/events", self.served.url, self.syncer)
    }

    /// Waits until the event `id` is listed with an outcome `done` accepts; its record.
    async fn listed(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        eventually(&format!("event {id} to be listed"), || async {
            self.recent()
                .await
                .into_iter()
                .find(|event| event["id"] == id && done(event))
        })
        .await
    }

    /// Waits until the event `id` is listed as handled; its record.
    async fn handled(&self, id: &str) -> Value {
        self.listed(id, |_| true).await
    }

    /// The IAM user `name` of `acme`.
    fn user(&self, name: &str) -> Option<Value> {
        self.iam.user("acme", name)
    }

    /// The group of `acme` named `name`.
    fn group(&self, name: &str) -> Option<Value> {
        self.iam
            .groups("acme")
            .into_iter()
            .find(|group| group["name"] == name)
    }

    fn writes(&self) -> u64 {
        let stats = self.iam.stats();
        [
            "add-user",
            "update-user",
            "delete-user",
            "add-group",
            "update-group",
            "delete-group",
        ]
        .iter()
        .map(|route| stats.writes_to(route))
        .sum()
    }
}

/// A fake DingTalk, a fake IAM and `serve` syncing one into the other with events on.
struct EventWorld {
    dingtalk: FakeDingTalk,
    serving: Serving,
}

/// The serve side is the same for every directory.
impl std::ops::Deref for EventWorld {
    type Target = Serving;

    fn deref(&self) -> &Serving {
        &self.serving
    }
}

impl EventWorld {
    /// `org` served with `events_extra` lines (the syncer's event keys) in the syncer table;
    /// returns once the first full sync is done.
    async fn start(org: Org, events_extra: &str) -> EventWorld {
        Self::start_every(org, 3600, events_extra).await
    }

    /// [`EventWorld::start`] with a reconcile (`sync_interval`) every `interval` seconds.
    async fn start_every(org: Org, interval: u64, events_extra: &str) -> EventWorld {
        let dingtalk = fake_dingtalk(org, Faults::default()).await;
        let iam = fake_iam(Flavor::Hanzo).await;
        let scratch = Scratch::new();
        let extra = events_extra.replace("STREAM", &dingtalk.stream_endpoint());
        scratch.write_config(&format!(
            "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\n{}",
            iam_config(
                &dingtalk.url(),
                &iam,
                &format!("is_enabled = true\nsync_interval = {interval}\n{extra}")
            )
        ));
        let serving = Serving::start(iam, scratch, "acme-dt", &[]).await;
        EventWorld { dingtalk, serving }
    }

    /// Stops serve and starts it again on the same state; the full sync it ran at start.
    async fn restart(self) -> (EventWorld, Value) {
        let EventWorld { dingtalk, serving } = self;
        let (serving, run) = serving.restart().await;
        (EventWorld { dingtalk, serving }, run)
    }

    /// Waits until every emitted event is acknowledged.
    async fn settled(&self) {
        self.dingtalk
            .all_acknowledged(DEADLINE)
            .await
            .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    }

    fn user_gets(&self) -> u64 {
        self.dingtalk.stats().calls(USER_GET)
    }
}

/// A new hire in department `dept`.
pub(crate) fn hire(userid: &str, dept: i64) -> SimUser {
    let mut user = SimUser::new(userid, format!("新人{userid}"), vec![dept]);
    user.unionid = format!("union-{userid}");
    user.email = format!("{userid}@acme.example");
    user
}

/// A department of `org` that is not the root, with at least one member.
pub(crate) fn staffed_department(org: &Org) -> i64 {
    org.users
        .iter()
        .flat_map(|user| user.dept_ids.iter().copied())
        .find(|dept| *dept != 1)
        .expect("a staffed department")
}

/// A member of `org`, by index.
fn member(org: &Org, index: usize) -> SimUser {
    org.users[index].clone()
}

/// The IAM name the default mapping gives `user`.
fn name_of(user: &SimUser) -> String {
    iam_name(user).to_owned()
}
