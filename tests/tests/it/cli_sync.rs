//! `plugins`, `sync`, `runs`, `test` and `demo` as an operator runs them: the real program against
//! the simulated DingTalk over HTTP, into the embedded store.

use std::collections::BTreeMap;

use crate::common::{
    assert_everyone_mapped, assert_report_has_every_field, assert_test_refused_naming,
    embedded_dingtalk, kill_9, org, stalled, until_fetching, Scratch, APP_SECRET, SECRET_ENV,
};
use syncer_dingtalk_sim::{Faults, Permission};

#[tokio::test]
async fn plugins_json_lists_dingtalk_with_fields_and_default_mapping() {
    let scratch = Scratch::new();
    let outcome = scratch.run(&["plugins", "--json"], &[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let plugins = outcome.json();
    let dingtalk = plugins
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["type"] == "DingTalk")
        .expect("DingTalk registered");
    let field = |name: &str| {
        dingtalk["config_fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("field {name}"))
    };
    assert_eq!(field("app_key")["label"], "App Key");
    assert_eq!(field("app_key")["required"], true);
    assert_eq!(field("app_secret")["label"], "App Secret");
    assert_eq!(field("app_secret")["secret"], true);
    assert_eq!(field("app_key")["secret"], false);
    let mapping: BTreeMap<String, String> = dingtalk["default_mapping"]
        .as_array()
        .expect("mapping")
        .iter()
        .map(|rule| {
            (
                rule["target"].as_str().expect("t").to_owned(),
                rule["source"].as_str().expect("s").to_owned(),
            )
        })
        .collect();
    for (target, source) in [
        ("Id", "userid"),
        ("Name", "unionid"),
        ("DisplayName", "name"),
        ("Email", "email"),
        ("Phone", "mobile"),
        ("Avatar", "avatar"),
        ("Title", "title"),
        ("IsForbidden", "active"),
        ("DingTalk", "userid"),
    ] {
        assert_eq!(
            mapping.get(target).map(String::as_str),
            Some(source),
            "{target}"
        );
    }
    let human = scratch.run(&["plugins"], &[]).await;
    assert!(human.stdout.contains("DingTalk") && human.stdout.contains("App Secret"));
}

#[tokio::test]
async fn sync_writes_every_user_mapped_and_a_second_run_changes_nothing() {
    let (server, scratch) = embedded_dingtalk(org(250), Faults::default(), "").await;

    let first = scratch.sync_json().await;
    assert_eq!(first.code, 0, "{}", first.all());
    let report = first.json();
    assert_report_has_every_field(&report);
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["counts"]["fetched"], 250);
    assert_eq!(report["counts"]["created"], 250);

    let stored = scratch.stored_users("acme");
    let source = server.org();
    assert_everyone_mapped(&stored, &source);
    assert!(
        source.users.iter().any(|p| p.unionid.is_empty()),
        "org has people without unionid"
    );
    assert!(
        source.users.iter().any(|p| !p.active),
        "org has inactive people"
    );

    let second = scratch.sync_json().await;
    assert_eq!(second.code, 0, "{}", second.all());
    let report = second.json();
    assert_eq!(report["counts"]["unchanged"], 250);
    assert_eq!(report["counts"]["created"], 0);
    assert_eq!(report["counts"]["updated"], 0);
    assert_eq!(report["target_writes"], 0);
    assert!(!first.all().contains(APP_SECRET) && !second.all().contains(APP_SECRET));
}

#[tokio::test]
async fn dry_run_lists_the_plan_and_writes_nothing() {
    let (_server, scratch) = embedded_dingtalk(org(40), Faults::default(), "").await;
    let outcome = scratch
        .run(&["sync", "acme-dt", "--dry-run", "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["counts"]["created"], 40);
    assert_eq!(report["plan"]["create"].as_array().expect("list").len(), 40);
    assert!(scratch.stored_users("acme").is_empty());
    let human = scratch
        .run(&["sync", "acme-dt", "--dry-run"], &[SECRET_ENV])
        .await;
    assert!(human.stdout.contains("would create"), "{}", human.stdout);
}

#[tokio::test]
async fn runs_shows_the_history_newest_first() {
    let (_server, scratch) = embedded_dingtalk(org(20), Faults::default(), "").await;
    scratch.run(&["sync", "acme-dt"], &[SECRET_ENV]).await;
    scratch
        .run(&["sync", "acme-dt", "--dry-run"], &[SECRET_ENV])
        .await;
    let outcome = scratch
        .run(&["runs", "acme-dt", "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let runs = outcome.json();
    let runs = runs.as_array().expect("array");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["dry_run"], true);
    assert_eq!(runs[1]["status"], "succeeded");
    assert_eq!(runs[1]["report"]["counts"]["created"], 20);
}

#[tokio::test]
async fn test_connection_passes_with_good_credentials() {
    let (server, scratch) = embedded_dingtalk(org(20), Faults::default(), "").await;
    let outcome = scratch
        .run(&["test", "acme-dt", "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let result = outcome.json();
    assert_eq!(result["ok"], true);
    let checks = result["checks"].as_array().expect("checks");
    assert!(checks.len() >= 3, "token, departments, members: {result}");
    let stats = server.stats();
    assert!(stats.calls("/topapi/v2/department/listsub") >= 1);
    assert!(stats.calls("/topapi/v2/user/list") >= 1);
}

#[tokio::test]
async fn test_connection_names_the_credentials_without_leaking_the_secret() {
    let (_server, scratch) = embedded_dingtalk(org(5), Faults::default(), "").await;
    let wrong = "wrong-secret-123456";
    let outcome = scratch
        .run(&["test", "acme-dt"], &[("DT_SECRET", wrong)])
        .await;
    let words = ["App Key", "App Secret", "developer console"];
    assert_test_refused_naming(&outcome, &words, wrong);
}

#[tokio::test]
async fn test_connection_names_a_missing_permission() {
    let faults = Faults {
        missing_permission: Some(Permission::MemberRead),
        ..Faults::default()
    };
    let (_server, scratch) = embedded_dingtalk(org(5), faults, "").await;
    let outcome = scratch.run(&["test", "acme-dt"], &[SECRET_ENV]).await;
    let words = ["qyapi_get_department_member", "Permissions"];
    assert_test_refused_naming(&outcome, &words, APP_SECRET);
}

#[tokio::test]
async fn test_connection_names_the_ip_whitelist() {
    let faults = Faults {
        ip_whitelist_reject: true,
        ..Faults::default()
    };
    let (_server, scratch) = embedded_dingtalk(org(5), faults, "").await;
    let outcome = scratch.run(&["test", "acme-dt"], &[SECRET_ENV]).await;
    assert!(
        outcome.stdout.to_lowercase().contains("ip"),
        "{}",
        outcome.stdout
    );
    assert_test_refused_naming(&outcome, &["egress IP"], APP_SECRET);
}

#[tokio::test]
async fn demo_runs_on_a_fresh_directory() {
    let scratch = Scratch::new();
    let outcome = scratch.run(&["demo", "--users", "120"], &[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(outcome.stdout.contains("created 120"), "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("syncer-demo.db"),
        "{}",
        outcome.stdout
    );
    // After the syncs, a hire and a leaver arrive by event.
    assert!(
        outcome.stdout.contains("created (新同事), 1 user/get call"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(" disabled, 1 user/get call"),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        crate::common::stored_users(&scratch.path("syncer-demo.db"), "acme").len(),
        121
    );
}

#[tokio::test]
async fn progress_is_drawn_on_a_terminal_and_never_in_json_or_pipes() {
    let (_server, scratch) = embedded_dingtalk(org(300), Faults::default(), "").await;
    // `script` runs the program on a pseudo-terminal, as an operator would.
    let command = format!(
        "{} --config {} sync acme-dt",
        crate::common::BIN,
        scratch.config().display()
    );
    let output = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env(SECRET_ENV.0, SECRET_ENV.1)
        .current_dir(scratch.dir.path())
        .output()
        .await
        .expect("script (util-linux) runs the program on a pty");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains("writes applied") || screen.contains("fetching"),
        "{screen}"
    );

    let piped = scratch.sync_json().await;
    assert!(!piped.all().contains("writes applied") && !piped.all().contains("fetching"));
    piped.json();
}

#[tokio::test]
async fn a_sync_killed_with_sigkill_leaves_no_lock_and_the_next_run_closes_its_row() {
    let (server, scratch) = embedded_dingtalk(org(20), stalled(), "").await;
    let mut killed = scratch.spawn(&["sync", "acme-dt"], &[SECRET_ENV]);
    until_fetching(&server).await;
    kill_9(&mut killed).await;
    let runs = scratch.runs(&[SECRET_ENV]).await;
    assert_eq!(
        runs[0]["status"], "running",
        "kill -9 leaves its row: {runs:?}"
    );
    let killed_run = runs[0]["run_id"].clone();

    server.set_faults(Faults::default());
    let next = scratch.sync_json().await;
    assert_eq!(
        next.code,
        0,
        "the lock died with its process: {}",
        next.all()
    );
    assert_eq!(next.json()["status"], "succeeded");
    let runs = scratch.runs(&[SECRET_ENV]).await;
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[1]["run_id"], killed_run);
    assert_eq!(runs[1]["status"], "failed", "{runs:?}");
    assert!(
        runs[1]["report"]["errors"]
            .to_string()
            .contains("interrupted"),
        "{runs:?}"
    );
}

#[tokio::test]
async fn a_sync_refused_because_one_is_going_exits_1() {
    let (server, scratch) = embedded_dingtalk(org(20), stalled(), "").await;
    let _going = scratch.spawn(&["sync", "acme-dt"], &[SECRET_ENV]);
    until_fetching(&server).await;
    let refused = scratch.sync_json().await;
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert_eq!(refused.json()["status"], "skipped");
}
