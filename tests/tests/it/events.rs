//! Change events under `serve`, over real sockets: the DingTalk simulator's Stream gateway and
//! HTTP pushes (and its change API, which edits the directory and emits the event DingTalk
//! sends), into the fake IAM. Each change is reflected in IAM with one `user/get` per changed
//! person; nothing waits by sleeping: the tests await the simulator's acknowledgements and poll
//! the API with a deadline.

mod push;
mod reads;
mod safety;
mod stream;

use serde_json::Value;
use syncer_dingtalk_sim::{FakeDingTalk, Faults, Org, SimUser};
use syncer_iam_sim::{FakeIam, Flavor};

use crate::common::{
    eventually, fake_dingtalk, fake_iam, iam_config, iam_name, Scratch, DEADLINE, IAM_SECRET_VAR,
};
use crate::serve::Served;

/// `user/get`, the one call an event for a person costs.
const USER_GET: &str = "/topapi/v2/user/get";

/// A fake DingTalk, a fake IAM and `serve` syncing one into the other with events on.
struct EventWorld {
    dingtalk: FakeDingTalk,
    iam: FakeIam,
    /// The config and state directory: lives as long as serve.
    _scratch: Scratch,
    served: Served,
}

impl EventWorld {
    /// `org` served with `events_extra` lines (the syncer's event keys) in the syncer table;
    /// returns once the first full sync is done.
    async fn start(org: Org, events_extra: &str) -> EventWorld {
        let dingtalk = fake_dingtalk(org, Faults::default()).await;
        Self::start_with(dingtalk, fake_iam(Flavor::Hanzo).await, events_extra).await
    }

    async fn start_with(dingtalk: FakeDingTalk, iam: FakeIam, events_extra: &str) -> EventWorld {
        let scratch = Scratch::new();
        let extra = events_extra.replace("STREAM", &dingtalk.stream_endpoint());
        scratch.write_config(&format!(
            "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\n{}",
            iam_config(
                &dingtalk.url(),
                &iam,
                &format!("is_enabled = true\nsync_interval = 3600\n{extra}")
            )
        ));
        let secret = iam.config().client_secret.clone();
        let served = Served::start(&scratch, &[(IAM_SECRET_VAR, &secret)]).await;
        let world = EventWorld {
            dingtalk,
            iam,
            _scratch: scratch,
            served,
        };
        world.first_sync_done().await;
        world
    }

    /// Waits until serve's first full sync has finished (it runs at start, events or not).
    async fn first_sync_done(&self) {
        eventually("the first full sync", || async {
            let runs = self.served.runs().await;
            let finished = runs.iter().find(|run| run["status"] != "running")?;
            assert_eq!(finished["status"], "succeeded", "{finished}");
            Some(())
        })
        .await;
    }

    /// `events` of `acme-dt` in `GET /api/v1/syncers`.
    async fn counters(&self) -> Value {
        self.served.acme().await["events"].clone()
    }

    /// `GET /api/v1/syncers/acme-dt/events`.
    async fn recent(&self) -> Vec<Value> {
        let (status, events) = self.served.get("/api/v1/syncers/acme-dt/events").await;
        assert_eq!(status, 200, "{events}");
        events.as_array().cloned().unwrap_or_default()
    }

    /// Waits until the event `id` is listed as handled; its record.
    async fn handled(&self, id: &str) -> Value {
        eventually(&format!("event {id} to be handled"), || async {
            self.recent()
                .await
                .into_iter()
                .find(|event| event["id"] == id)
        })
        .await
    }

    /// Waits until every emitted event is acknowledged.
    async fn settled(&self) {
        self.dingtalk
            .all_acknowledged(DEADLINE)
            .await
            .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    }

    /// The IAM user `name` of `acme`.
    fn user(&self, name: &str) -> Option<Value> {
        self.iam.user("acme", name)
    }

    fn user_gets(&self) -> u64 {
        self.dingtalk.stats().calls(USER_GET)
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

/// A new hire in department `dept`.
fn hire(userid: &str, dept: i64) -> SimUser {
    let mut user = SimUser::new(userid, format!("新人{userid}"), vec![dept]);
    user.unionid = format!("union-{userid}");
    user.email = format!("{userid}@acme.example");
    user
}

/// A department of `org` that is not the root, with at least one member.
fn staffed_department(org: &Org) -> i64 {
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
