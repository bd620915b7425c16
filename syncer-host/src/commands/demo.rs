//! `demo`: a self-contained end-to-end run. It starts the DingTalk simulator (a generated
//! organization with nested departments, people in several departments, inactive members and
//! members without unionid) on 127.0.0.1, writes a config that points a DingTalk syncer at it,
//! syncs into an embedded store through the same code path as `sync`, shows the result, syncs
//! again to show that an unchanged directory causes no writes, then lets a hire and a leaver
//! arrive by DingTalk Stream event, applied by serve's event worker. No network, no account.
//! Built only with the `demo` cargo feature (on by default), which links the simulator.

use crate::stdout::{say, sayln};
use std::path::Path;
use std::time::Duration;

use syncer_core::{IamUser, NoProgress};
use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec, SimUser};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::failure::Failure;
use crate::output;
use crate::runner::{RunFlags, Runner};
use crate::serve::event_tasks as events;
use crate::serve::state::AppState;

/// The organization the demo syncs into.
const ORGANIZATION: &str = "acme";
/// The demo syncer's name.
const SYNCER: &str = "dingtalk-demo";

/// Runs the demo with `users` simulated people, storing users in `db`.
pub async fn demo(db: &Path, users: usize) -> Result<(), Failure> {
    let spec = OrgSpec {
        users: users.max(1),
        departments: (users / 12).clamp(5, 2_000),
        ..OrgSpec::default()
    };
    let org = Org::generate(&spec);
    let (people, departments) = (org.users.len(), org.departments.len());
    let credentials = Credentials::demo();
    let server = FakeDingTalk::start(org, credentials.clone(), Faults::default())
        .await
        .map_err(|error| Failure::Run(format!("cannot start the DingTalk simulator: {error}")))?;
    sayln!(
        "Simulated DingTalk organization \"{}\": {people} people in {departments} departments, serving the DingTalk API at {}",
        spec.name,
        server.url()
    );
    if db.exists() {
        sayln!(
            "Reusing the demo store {} (delete it for a fresh start)",
            db.display()
        );
    }

    let config = demo_config(db, &server.url(), &credentials)?;
    let settings = config.syncer(SYNCER)?;
    let runner = Runner::for_config(&config).await?;

    sayln!("\nFirst sync (DingTalk → embedded store):");
    let (_, first) = runner.run(settings, RunFlags::default(), &NoProgress).await;
    say!("{}", output::report(&first));

    let stored = runner
        .target()
        .list_users(ORGANIZATION)
        .await
        .map_err(|error| Failure::Run(error.to_string()))?;
    print_sample(&stored);

    sayln!("\nSecond sync (nothing changed in DingTalk):");
    let (_, second) = runner.run(settings, RunFlags::default(), &NoProgress).await;
    say!("{}", output::report(&second));

    let events = by_events(demo_config(db, &server.url(), &credentials)?, &server).await;
    server.shutdown().await;

    sayln!("\nWhere the data is:");
    sayln!(
        "  users:       {} (SQLite; tables `users` and `groups`, one JSON `body` each)",
        db.display()
    );
    sayln!("  run history: {}", config.state_path.display());
    sayln!(
        "  look:        sqlite3 {} \"SELECT name, display_name, email, is_forbidden FROM users LIMIT 10\"",
        db.display()
    );
    if first.exit_code() != 0 || second.exit_code() != 0 {
        return Err(Failure::Run(
            "the demo sync did not fully succeed".to_owned(),
        ));
    }
    events
}

/// After the syncs: a hire and a leaver arrive by DingTalk Stream event, each applied to the
/// store by serve's own event worker, one `user/get` each.
async fn by_events(config: Config, server: &FakeDingTalk) -> Result<(), Failure> {
    let runner = Runner::for_config(&config).await?;
    let state = AppState::new(config, runner, None);
    let cancel = CancellationToken::new();
    events::start_for(&state, &cancel, |settings| settings.name == SYNCER);
    let outcome = show_events(&state, server).await;
    cancel.cancel();
    outcome
}

async fn show_events(state: &AppState, server: &FakeDingTalk) -> Result<(), Failure> {
    let wait = Duration::from_secs(20);
    if !server.connected(1, wait).await {
        return Err(Failure::Run(
            "the demo's event stream did not connect to the simulator".to_owned(),
        ));
    }
    sayln!("\nEvents (DingTalk Stream mode, as under `serve` with events = \"stream\"):");
    let org: Org = server.org();
    let dept = org
        .users
        .first()
        .and_then(|user| user.dept_ids.first().copied())
        .unwrap_or(1);
    let mut hire = SimUser::new("demo-hire", "新同事", vec![dept]);
    hire.unionid = "demo-hire-union".to_owned();
    hire.email = "new.hire@acme.example".to_owned();
    let calls = server.stats().calls(USER_GET);
    server.hire(hire);
    settle(server, wait).await?;
    let found = find(state, "demo-hire-union").await?;
    sayln!(
        "  hire   user_add_org  → {} created ({}), {} user/get call",
        found.name,
        found.display_name,
        server.stats().calls(USER_GET) - calls
    );
    let leaver = org
        .users
        .iter()
        .find(|user| user.active && !user.unionid.is_empty() && user.userid != "demo-hire")
        .cloned();
    if let Some(leaver) = leaver {
        let calls = server.stats().calls(USER_GET);
        server.leave(&leaver.userid);
        settle(server, wait).await?;
        let gone = find(state, &leaver.unionid).await?;
        sayln!(
            "  leaver user_leave_org → {} {}, {} user/get call (confirmed gone)",
            gone.name,
            if gone.is_forbidden {
                "disabled"
            } else {
                "NOT disabled"
            },
            server.stats().calls(USER_GET) - calls
        );
    }
    Ok(())
}

/// `user/get`, the call an event for one person costs.
const USER_GET: &str = "/topapi/v2/user/get";

async fn settle(server: &FakeDingTalk, wait: Duration) -> Result<(), Failure> {
    server.all_acknowledged(wait).await.map_err(|unsettled| {
        Failure::Run(format!("the demo's event was not applied: {unsettled:?}"))
    })
}

async fn find(state: &AppState, name: &str) -> Result<IamUser, Failure> {
    let users = state
        .runner()
        .target()
        .list_users(ORGANIZATION)
        .await
        .map_err(|error| Failure::Run(error.to_string()))?;
    users
        .into_iter()
        .find(|user| user.name == name)
        .ok_or_else(|| Failure::Run(format!("{name} is not in the store after its event")))
}

/// The demo's config, written as TOML and parsed by the same code as a user's file.
fn demo_config(db: &Path, endpoint: &str, credentials: &Credentials) -> Result<Config, Failure> {
    let mut state = db.as_os_str().to_owned();
    state.push(".history");
    let text = format!(
        r#"
[target]
kind = "embedded"
path = {db:?}

[state]
path = {state:?}

[[syncers]]
name = "{SYNCER}"
organization = "{ORGANIZATION}"
type = "DingTalk"
app_key = "{key}"
app_secret = "${{SYNCER_DEMO_APP_SECRET}}"
endpoint = "{endpoint}"
rate_limit = 200
events = "stream"
stream_endpoint = "{endpoint}"
"#,
        db = db.display().to_string(),
        state = Path::new(&state).display().to_string(),
        key = credentials.app_key,
    );
    let secret = credentials.app_secret.clone();
    let env = move |name: &str| (name == "SYNCER_DEMO_APP_SECRET").then(|| secret.clone());
    Ok(Config::parse(Path::new("demo.toml"), &text, &env)?)
}

fn print_sample(users: &[IamUser]) {
    let forbidden = users.iter().filter(|u| u.is_forbidden).count();
    let no_unionid = users.iter().filter(|u| u.name == u.id).count();
    sayln!(
        "\nThe embedded store now holds {} users of organization {ORGANIZATION}: {forbidden} forbidden (never activated DingTalk), {no_unionid} named by userid (no unionid yet). A few:",
        users.len()
    );
    for user in users.iter().take(8) {
        sayln!(
            "  {:<24} {:<24} {:<14} {}{}",
            user.name,
            user.email,
            user.phone,
            user.display_name,
            if user.is_forbidden {
                " (forbidden)"
            } else {
                ""
            }
        );
    }
}
