//! Config input a hostile or careless operator writes: each is refused by `check` (exit 2)
//! naming the key, and no secret is ever quoted back.

use std::path::Path;

use super::{Config, ConfigError};

const SECRET: &str = "dt-S3CRET-value";

fn syncer(extra: &str) -> String {
    format!(
        r#"
[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "dingkey"
app_secret = "{SECRET}"
{extra}
"#
    )
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(Path::new("/etc/syncer/syncer.toml"), text, &|_| None)
}

fn refused(text: &str, key: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => {
            assert_eq!(error.key, key, "{error}");
            let shown = error.to_string();
            assert!(shown.contains("syncer.toml"), "{shown}");
            assert!(!shown.contains(SECRET), "{shown}");
            shown
        }
    }
}

fn with_name(name: &str) -> String {
    syncer("").replace("name = \"acme-dt\"", &format!("name = {name}"))
}

#[test]
fn a_syncer_name_that_cannot_be_an_api_path_segment_is_refused() {
    for name in [
        r#""acme/dt""#,
        r#""..""#,
        r#""a..b""#,
        r#""back\\slash""#,
        r#""tab\there""#,
        r#""new\nline""#,
        r#"" padded""#,
    ] {
        refused(&with_name(name), "syncers[0].name");
    }
    let long = format!("\"{}\"", "n".repeat(101));
    let message = refused(&with_name(&long), "syncers[0].name");
    assert!(message.contains("100"), "{message}");
    assert!(parse(&with_name(&format!("\"{}\"", "n".repeat(100)))).is_ok());
    assert!(parse(&with_name("\"钉钉-acme_1.x\"")).is_ok());
}

#[test]
fn an_organization_with_a_slash_or_control_character_is_refused() {
    for organization in [r#""acme/other""#, r#""ac\u0007me""#] {
        let text = syncer("").replace(
            "organization = \"acme\"",
            &format!("organization = {organization}"),
        );
        refused(&text, "syncers[0].organization");
    }
}

#[test]
fn a_server_token_no_client_can_send_is_refused() {
    for token in [r#""tok\u0001en""#, r#""tokén-with-accent""#] {
        let text = format!("[server]\ntoken = {token}\n{}", syncer(""));
        let message = refused(&text, "server.token");
        assert!(message.contains("ASCII"), "{message}");
    }
}

#[test]
fn a_state_path_that_names_no_file_is_refused() {
    for path in [r#""""#, r#""/""#, r#"".""#, r#""state/""#] {
        let text = format!("[state]\npath = {path}\n{}", syncer(""));
        refused(&text, "state.path");
    }
}

#[test]
fn a_state_url_and_path_together_are_refused_naming_both() {
    let text = format!(
        "[state]\npath = \"s.db\"\nurl = \"postgres://u:hunter2@db/s\"\n{}",
        syncer("")
    );
    let message = refused(&text, "state.url");
    assert!(message.contains("state.path"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn a_shared_state_has_its_lease_and_replica_and_never_shows_its_password() {
    let text = format!(
        "[state]\nurl = \"postgres://u:hunter2@db:5432/s\"\nlease_seconds = 9\nreplica = \"r1\"\n{}",
        syncer("")
    );
    let config = Config::parse(Path::new("syncer.toml"), &text, &|_| None).expect("valid");
    let shared = config.shared_state.as_ref().expect("shared state");
    assert_eq!((shared.lease.as_secs(), shared.replica.as_str()), (9, "r1"));
    assert!(!format!("{config:?}").contains("hunter2"));
    let text = format!("[state]\nurl = \"postgres://u:p@db/s\"\n{}", syncer(""));
    let config = Config::parse(Path::new("syncer.toml"), &text, &|_| None).expect("valid");
    let shared = config.shared_state.expect("shared state");
    assert_eq!(shared.lease.as_secs(), 30);
    assert!(shared
        .replica
        .ends_with(&format!(":{}", std::process::id())));
}

#[test]
fn a_bad_lease_a_lease_without_url_and_a_url_that_is_not_postgres_are_refused() {
    for lease in ["0", "2", "100000"] {
        let text = format!(
            "[state]\nurl = \"postgres://u:p@db/s\"\nlease_seconds = {lease}\n{}",
            syncer("")
        );
        refused(&text, "state.lease_seconds");
    }
    refused(
        &format!("[state]\nlease_seconds = 30\n{}", syncer("")),
        "state.lease_seconds",
    );
    let message = refused(
        &format!("[state]\nurl = \"mysql://u:hunter2@db/s\"\n{}", syncer("")),
        "state.url",
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn an_endpoint_that_is_not_a_url_is_refused() {
    for endpoint in [
        r#""https://""#,
        r#""https://exa mple.com""#,
        r#""oapi.dingtalk.com""#,
    ] {
        refused(
            &syncer(&format!("endpoint = {endpoint}")),
            "syncers[0].endpoint",
        );
    }
}

#[test]
fn an_overflowing_guard_percent_names_its_key() {
    refused(
        &syncer("deprovision_guard_percent = 1e309"),
        "syncers[0].deprovision_guard_percent",
    );
}

#[test]
fn a_secret_of_the_wrong_type_is_not_echoed() {
    let text = syncer("").replace(
        &format!("app_secret = \"{SECRET}\""),
        "app_secret = 12345678",
    );
    let message = refused(&text, "syncers[0].app_secret");
    assert!(!message.contains("12345678"), "{message}");
}

#[test]
fn an_endpoints_credentials_are_masked_where_the_config_is_shown() {
    let config = parse(&syncer(
        "endpoint = \"http://proxy-user:PROXY-PASS@127.0.0.1:3128\"",
    ))
    .expect("valid");
    let shown = &config.syncers[0].masked_plugin_keys["endpoint"];
    assert_eq!(shown, "http://proxy-user:***@127.0.0.1:3128");
    assert_eq!(config.syncers[0].masked_plugin_keys["app_secret"], "***");
}

#[test]
fn a_value_toml_cannot_read_is_named_by_its_key() {
    let text = format!(
        "[server]\nshutdown_grace = 30\n{}",
        syncer("write_concurrency = 99999999999999999999")
    );
    refused(&text, "syncers[0].write_concurrency");
    let second = format!(
        "{}{}",
        syncer(""),
        syncer("deprovision_guard_min = 1e400").replace("acme-dt", "b")
    );
    refused(&second, "syncers[1].deprovision_guard_min");
}

#[test]
fn a_state_urls_tls_mode_is_checked_and_the_verify_modes_are_kept_from_the_driver() {
    for query in ["sslmode=allow-ish", "sslrootcert=/etc/ca.pem"] {
        let text = format!(
            "[state]\nurl = \"postgres://u:hunter2@db/s?{query}\"\n{}",
            syncer("")
        );
        let message = refused(&text, "state.url");
        assert!(message.contains("verify-full"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    let text = format!(
        "[state]\nurl = \"postgres://u:hunter2@db/s?sslmode=verify-full&sslrootcert=/etc/ca.pem\"\n{}",
        syncer("")
    );
    let config = parse(&text).expect("valid");
    let shared = config.shared_state.expect("shared state");
    assert_eq!(
        shared.driver_url,
        "postgres://u:hunter2@db/s?sslmode=require"
    );
    assert_eq!(shared.tls.verification, super::Verification::ChainAndHost);
    assert!(!format!("{shared:?}").contains("hunter2"));
}
