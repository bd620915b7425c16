//! Bad input on the command line and in the config file: exit code 2 and a message naming the
//! key or name and the fix. Valid configs pass `check` without any network.

mod common;

use common::{Scratch, SECRET_ENV};

const VALID: &str = r#"
[target]
kind = "embedded"

[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "dingkey"
app_secret = "${DT_SECRET}"
"#;

async fn check(config: &str, env: &[(&str, &str)]) -> common::Outcome {
    let scratch = Scratch::new();
    scratch.write_config(config);
    scratch.run(&["check"], env).await
}

fn assert_usage_error(outcome: &common::Outcome, needles: &[&str]) {
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    for needle in needles {
        assert!(
            outcome.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            outcome.stderr
        );
    }
    assert!(
        outcome.stderr.contains("syncer.toml"),
        "names the file:\n{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn valid_config_checks_without_network() {
    let outcome = check(VALID, &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(outcome.stdout.contains("acme-dt"));
    assert!(!outcome.all().contains(SECRET_ENV.1));
}

#[tokio::test]
async fn unset_variable_is_named() {
    let outcome = check(VALID, &[]).await;
    assert_usage_error(&outcome, &["DT_SECRET", "syncers[0].app_secret"]);
}

#[tokio::test]
async fn unknown_top_level_key_is_named() {
    let outcome = check(&format!("{VALID}\n[extras]\nfoo = 1\n"), &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["extras"]);
}

#[tokio::test]
async fn unknown_syncer_key_is_named() {
    let config = VALID.replace("organization", "organisation = \"x\"\norganization");
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[0].organisation", "unknown key"]);
}

#[tokio::test]
async fn unknown_target_key_is_named() {
    let config = VALID.replace(
        "kind = \"embedded\"",
        "kind = \"embedded\"\nendpoint = \"http://x\"",
    );
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["target.endpoint"]);
}

#[tokio::test]
async fn missing_required_field_is_named() {
    let config = VALID.replace("app_key = \"dingkey\"\n", "");
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["app_key", "App Key"]);
    let config = VALID.replace("organization = \"acme\"\n", "");
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["organization"]);
}

#[tokio::test]
async fn unknown_plugin_type_lists_registered_types() {
    let config = VALID.replace("type = \"DingTalk\"", "type = \"DingTolk\"");
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[0].type", "DingTolk", "DingTalk"]);
}

#[tokio::test]
async fn two_syncers_with_one_name_are_refused() {
    let config = format!(
        "{VALID}{}",
        &VALID[VALID.find("[[syncers]]").expect("table")..]
    );
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[1].name", "acme-dt"]);
}

#[tokio::test]
async fn bad_mapping_names_the_field() {
    let outcome = check(
        &format!("{VALID}\n[syncers.mapping]\nnickname = \"Title\"\n"),
        &[SECRET_ENV],
    )
    .await;
    assert_usage_error(&outcome, &["mapping", "nickname"]);
    let outcome = check(
        &format!("{VALID}\n[syncers.mapping]\njob_number = \"Nickname\"\n"),
        &[SECRET_ENV],
    )
    .await;
    assert_usage_error(&outcome, &["mapping", "Nickname"]);
    let outcome = check(
        &format!("{VALID}\n[syncers.mapping]\njob_number = \"Title\"\n"),
        &[SECRET_ENV],
    )
    .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
}

#[tokio::test]
async fn bad_leaver_policy_is_named() {
    let config = VALID.replace(
        "type = \"DingTalk\"",
        "type = \"DingTalk\"\nleavers = \"purge\"",
    );
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[0].leavers", "disable"]);
}

#[tokio::test]
async fn unknown_syncer_name_on_the_command_line_lists_configured_ones() {
    let scratch = Scratch::new();
    scratch.write_config(VALID);
    for args in [&["sync", "nope"][..], &["test", "nope"], &["runs", "nope"]] {
        let outcome = scratch.run(args, &[SECRET_ENV]).await;
        assert_usage_error(&outcome, &["nope", "acme-dt"]);
    }
}

#[tokio::test]
async fn missing_config_file_says_how_to_fix() {
    let scratch = Scratch::new();
    let outcome = scratch.run(&["check"], &[]).await;
    assert_usage_error(&outcome, &["--config"]);
}

#[tokio::test]
async fn invalid_toml_is_a_usage_error() {
    let outcome = check("[[syncers]\nname = ", &[]).await;
    assert_usage_error(&outcome, &["TOML"]);
}

#[tokio::test]
async fn unknown_command_line_flag_is_a_usage_error() {
    let scratch = Scratch::new();
    let outcome = scratch.run(&["sync", "x", "--frobnicate"], &[]).await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
}
