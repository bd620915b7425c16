//! The monthly DingTalk API quota as the CLI meets it: every call counted in the host's state
//! across runs and processes (SQLite and PostgreSQL), a manual sync over the budget warned and
//! run, errcode 90020 mid-sync stopping the run at once with nobody deprovisioned, and `check`
//! and `test` naming a `sync_interval` the budget cannot afford. The serve side (scheduled runs
//! held back, `quota` in `GET /api/v1/syncers`, the mark surviving a restart) is in
//! `serve/quota.rs`.

use chrono::{FixedOffset, Utc};
use syncer_dingtalk_sim::{codes, FakeDingTalk, Faults};

use crate::common::{
    embedded_config, fake_dingtalk, org, postgres_client, postgres_database, Outcome, Scratch,
    SECRET_ENV,
};

/// This month's key in China Standard Time (`2026-12`), as the state keeps it.
pub fn cst_month() -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&cst).format("%Y-%m").to_string()
}

/// `acme-dt`'s row of this month in the SQLite state: calls and the exhausted mark.
pub fn counted(scratch: &Scratch) -> (u64, Option<String>) {
    let db = rusqlite::Connection::open(scratch.path("syncer-state.db")).expect("open state");
    db.query_row(
        "SELECT calls, exhausted_at FROM api_quota WHERE syncer = 'acme-dt' AND month = ?1",
        [cst_month()],
        |row| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?)),
    )
    .unwrap_or((0, None))
}

/// Sets `acme-dt`'s calls of this month in the SQLite state, as if other runs had spent them.
pub fn spend(scratch: &Scratch, calls: u64) {
    let db = rusqlite::Connection::open(scratch.path("syncer-state.db")).expect("open state");
    db.execute(
        "INSERT INTO api_quota (syncer, month, calls) VALUES ('acme-dt', ?1, ?2)
         ON CONFLICT (syncer, month) DO UPDATE SET calls = excluded.calls",
        rusqlite::params![cst_month(), calls as i64],
    )
    .expect("set the count");
}

async fn sync(scratch: &Scratch) -> Outcome {
    scratch
        .run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
        .await
}

async fn world(extra: &str) -> (FakeDingTalk, Scratch) {
    let dingtalk = fake_dingtalk(org(30), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config(&dingtalk.url(), extra));
    (dingtalk, scratch)
}

#[tokio::test]
async fn every_call_of_every_cli_run_is_counted_in_the_state_for_the_month() {
    let (dingtalk, scratch) = world("").await;
    for _ in 0..2 {
        let outcome = sync(&scratch).await;
        assert_eq!(outcome.code, 0, "{}", outcome.all());
    }
    let outcome = scratch.run(&["test", "acme-dt"], &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let sent = dingtalk.stats().total_calls;
    assert!(sent > 6, "two syncs and a test make calls: {sent}");
    assert_eq!(
        counted(&scratch),
        (sent, None),
        "every call the fake DingTalk answered, token fetches included"
    );
}

#[tokio::test]
async fn a_manual_sync_over_the_budget_warns_with_the_numbers_and_still_runs() {
    let (dingtalk, scratch) = world("").await;
    assert_eq!(sync(&scratch).await.code, 0);
    let needs = dingtalk.stats().total_calls;
    spend(&scratch, 9_998);
    let outcome = sync(&scratch).await;
    assert_eq!(
        outcome.code,
        0,
        "a sync asked for by hand runs: {}",
        outcome.all()
    );
    let numbers = format!("9,998 of 10,000 calls used this month; a full sync needs about {needs}");
    assert!(
        outcome.stderr.contains("warning:") && outcome.stderr.contains(&numbers),
        "{}",
        outcome.stderr
    );
    let report = outcome.json();
    let notices = report["notices"].to_string();
    assert!(notices.contains(&numbers), "{report}");
    assert_eq!(counted(&scratch).0, 9_998 + needs, "the run is counted too");
}

#[tokio::test]
async fn errcode_90020_mid_sync_fails_the_run_at_once_and_deprovisions_nobody() {
    let (dingtalk, scratch) = world("max_in_flight = 1\nleavers = \"delete\"").await;
    assert_eq!(sync(&scratch).await.code, 0);
    let people = scratch.stored_users("acme").len();
    assert_eq!(people, 30);
    // A few calls more, and the organization's quota is used up in the middle of the walk.
    let before = dingtalk.stats().total_calls;
    dingtalk.set_faults(Faults {
        monthly_call_quota: Some(before + 4),
        ..Faults::default()
    });
    let outcome = sync(&scratch).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["status"], "failed", "{report}");
    let message = report["errors"].to_string();
    for words in [
        "monthly DingTalk API quota",
        "used up",
        "resource management → usage details",
        "paid edition or the next month",
        "90020",
    ] {
        assert!(message.contains(words), "{words}: {message}");
    }
    assert_eq!(report["counts"]["deleted"], 0, "{report}");
    assert_eq!(report["counts"]["disabled"], 0, "{report}");
    assert_eq!(
        scratch.stored_users("acme").len(),
        people,
        "nobody deprovisioned"
    );
    let stats = dingtalk.stats();
    assert_eq!(
        stats
            .answers_by_errcode
            .get(&codes::QUOTA_EXHAUSTED)
            .copied()
            .unwrap_or(0),
        1,
        "no call is sent after DingTalk said the quota is used up"
    );
    assert_eq!(stats.total_calls, before + 5);
    let (calls, exhausted) = counted(&scratch);
    assert_eq!(calls, stats.total_calls);
    assert!(
        exhausted.is_some(),
        "the used-up quota is marked in the state"
    );

    // The organization upgrades: a sync by hand warns of the mark, gets through, and lifts it.
    dingtalk.set_faults(Faults::default());
    let outcome = sync(&scratch).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("quota is used up"),
        "{}",
        outcome.stderr
    );
    assert_eq!(counted(&scratch).1, None, "the mark is lifted");
}

#[tokio::test]
async fn check_and_test_name_an_interval_that_fits_the_budget() {
    let (_dingtalk, scratch) = world("is_enabled = true\nsync_interval = 60").await;
    // No run yet: even the smallest full sync every minute is far over 10,000 a month.
    let outcome = scratch.run(&["check"], &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("`sync_interval = 60`")
            && outcome
                .stderr
                .contains("over `monthly_call_budget` = 10,000")
            && outcome.stderr.contains("no run counted yet")
            && outcome.stderr.contains("events"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sync(&scratch).await.code, 0);
    let outcome = scratch.run(&["test", "acme-dt"], &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("as its last run counted")
            && outcome.stderr.contains("or more (about"),
        "{}",
        outcome.stderr
    );
    let outcome = scratch.run(&["check"], &[SECRET_ENV]).await;
    assert!(
        outcome.stderr.contains("as its last run counted"),
        "{}",
        outcome.stderr
    );
    // The default (daily) schedule fits, and is not warned about.
    scratch.write_config(&embedded_config(&_dingtalk.url(), "is_enabled = true"));
    let outcome = scratch.run(&["check"], &[SECRET_ENV]).await;
    assert!(
        !outcome.stderr.contains("monthly_call_budget"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stdout.contains("every 86400s"),
        "{}",
        outcome.stdout
    );
}

#[tokio::test]
async fn a_budget_of_zero_is_refused_with_the_key_and_the_fix() {
    let (_dingtalk, scratch) = world("monthly_call_budget = 0").await;
    let outcome = scratch.run(&["check"], &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("syncers[0].monthly_call_budget")
            && outcome.stderr.contains("at least 1 call a month")
            && outcome.stderr.contains("10000 for DingTalk by default"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn processes_sharing_a_postgresql_state_count_into_one_row() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let (dingtalk, scratch) = world("").await;
    let config = std::fs::read_to_string(scratch.config()).expect("config");
    scratch.write_config(&format!("[state]\nurl = \"{url}\"\n{config}"));
    let (synced, tested, tested_again) = tokio::join!(
        sync(&scratch),
        scratch.run(&["test", "acme-dt"], &[SECRET_ENV]),
        scratch.run(&["test", "acme-dt"], &[SECRET_ENV]),
    );
    for outcome in [synced, tested, tested_again] {
        assert_eq!(outcome.code, 0, "{}", outcome.all());
    }
    let row = postgres_client(&url)
        .await
        .query_one(
            "SELECT calls FROM api_quota WHERE syncer = 'acme-dt' AND month = $1",
            &[&cst_month()],
        )
        .await
        .expect("the row");
    let calls: i64 = row.get(0);
    assert_eq!(calls as u64, dingtalk.stats().total_calls);
}

#[tokio::test]
async fn a_month_of_daily_full_syncs_of_a_3000_person_company_fits_the_free_quota() {
    // 3,000 people in 100 departments, about what such a company has.
    let company = syncer_dingtalk_sim::Org::generate(&syncer_dingtalk_sim::OrgSpec {
        users: 3_000,
        departments: 100,
        ..syncer_dingtalk_sim::OrgSpec::default()
    });
    let dingtalk = fake_dingtalk(company, Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config(&dingtalk.url(), "is_enabled = true"));
    let outcome = sync(&scratch).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let calls = dingtalk.stats().total_calls;
    assert_eq!(counted(&scratch).0, calls);
    // The default schedule (daily) of a 31-day month stays inside 10,000; hourly would not.
    let daily = 31 * calls;
    let hourly = 31 * 24 * calls;
    println!("a full sync of 3,000 people in 100 departments: {calls} calls; a month daily: {daily}, hourly: {hourly}");
    assert!(daily <= 10_000, "{calls} calls a sync, {daily} a month");
    assert!(hourly > 10_000 * 10, "{hourly}");
    let outcome = scratch.run(&["check"], &[SECRET_ENV]).await;
    assert!(
        !outcome.stderr.contains("monthly_call_budget"),
        "the default schedule is not warned about: {}",
        outcome.stderr
    );
}
