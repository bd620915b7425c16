//! Bad input on the command line and in the config file: exit code 2 and a message naming the
//! key or name and the fix. Valid configs pass `check` without any network.

use crate::common::{Scratch, SECRET_ENV};

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

async fn check(config: &str, env: &[(&str, &str)]) -> crate::common::Outcome {
    let scratch = Scratch::new();
    scratch.write_config(config);
    scratch.run(&["check"], env).await
}

fn assert_usage_error(outcome: &crate::common::Outcome, needles: &[&str]) {
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
async fn a_reader_that_went_away_ends_the_output_not_the_program() {
    let scratch = Scratch::new();
    scratch.write_config(VALID);
    for args in [&["check"][..], &["plugins"], &["runs", "acme-dt"]] {
        let outcome = scratch.run_into_closed_pipe(args, &[SECRET_ENV]).await;
        assert_eq!(outcome.code, 0, "{args:?}: {}", outcome.all());
        assert!(
            !outcome.stderr.contains("panicked"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
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
async fn bad_adopt_by_name_is_named() {
    let config = VALID.replace(
        "type = \"DingTalk\"",
        "type = \"DingTalk\"\nadopt_by_name = \"userid\"",
    );
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(
        &outcome,
        &["syncers[0].adopt_by_name", "\"unionid\"", "\"any\""],
    );
    for accepted in ["unionid", "any"] {
        let config = VALID.replace(
            "type = \"DingTalk\"",
            &format!("type = \"DingTalk\"\nadopt_by_name = \"{accepted}\""),
        );
        let outcome = check(&config, &[SECRET_ENV]).await;
        assert_eq!(outcome.code, 0, "{}", outcome.all());
    }
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

#[tokio::test]
async fn a_value_of_the_wrong_type_names_its_key_the_type_and_the_fix() {
    let with_line = |line: &str| {
        VALID.replace(
            "type = \"DingTalk\"",
            &format!("type = \"DingTalk\"\n{line}"),
        )
    };
    let outcome = check(&with_line("is_enabled = \"yes\""), &[SECRET_ENV]).await;
    assert_usage_error(
        &outcome,
        &["syncers[0].is_enabled", "boolean", "is_enabled = true"],
    );
    let outcome = check(&with_line("sync_interval = \"1h\""), &[SECRET_ENV]).await;
    assert_usage_error(
        &outcome,
        &[
            "syncers[0].sync_interval",
            "seconds",
            "sync_interval = 86400",
        ],
    );
    let outcome = check(&with_line("write_concurrency = 2.5"), &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[0].write_concurrency"]);
    let outcome = check(&format!("[server]\nlisten = 8080\n{VALID}"), &[SECRET_ENV]).await;
    assert_usage_error(
        &outcome,
        &["server.listen", "string", "listen = \"127.0.0.1:8080\""],
    );
    let outcome = check(&format!("state = \"x.db\"\n{VALID}"), &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["state", "table"]);
}

#[tokio::test]
async fn server_keys_are_checked() {
    let outcome = check(
        &format!("[server]\ntoken = \"${{API_TOKEN}}\"\n{VALID}"),
        &[SECRET_ENV, ("API_TOKEN", "")],
    )
    .await;
    assert_usage_error(&outcome, &["server.token", "empty"]);
    let outcome = check(&format!("[server]\ntokn = \"x\"\n{VALID}"), &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["server.tokn", "unknown key", "token"]);
    let outcome = check(
        &format!("[server]\nlisten = \"8080\"\n{VALID}"),
        &[SECRET_ENV],
    )
    .await;
    assert_usage_error(&outcome, &["server.listen", "HOST:PORT"]);
}

#[tokio::test]
async fn a_malformed_reference_does_not_echo_the_value() {
    let config = VALID.replace("${DT_SECRET}", "s3cr3t-${DT SECRET");
    let outcome = check(&config, &[SECRET_ENV]).await;
    assert_usage_error(&outcome, &["syncers[0].app_secret", "malformed"]);
    assert!(!outcome.all().contains("s3cr3t"), "{}", outcome.all());
}

#[tokio::test]
async fn check_warns_about_a_listen_beyond_loopback_without_a_token() {
    let outcome = check(
        &format!("[server]\nlisten = \"0.0.0.0:8080\"\n{VALID}"),
        &[SECRET_ENV],
    )
    .await;
    assert_eq!(
        outcome.code,
        0,
        "a warning, not an error: {}",
        outcome.all()
    );
    assert!(
        outcome.stderr.contains("warning") && outcome.stderr.contains("token"),
        "{}",
        outcome.stderr
    );
    for quiet in [
        "[server]\nlisten = \"127.0.0.1:8080\"\n".to_owned(),
        "[server]\nlisten = \"0.0.0.0:8080\"\ntoken = \"t0k3n\"\n".to_owned(),
    ] {
        let outcome = check(&format!("{quiet}{VALID}"), &[SECRET_ENV]).await;
        assert_eq!(outcome.code, 0, "{}", outcome.all());
        assert!(!outcome.stderr.contains("warning"), "{}", outcome.stderr);
    }
}
