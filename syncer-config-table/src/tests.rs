use super::{render, ConfigTableError};

const TABLE: &str = r#"
[app]
id = "client_id"
id_label = "Client ID"
id_help = "The client's id."
secret = "client_secret"
secret_label = "Client Secret"
secret_help = "The client's secret."

[remote]
endpoint = "https://directory.example.test"
endpoint_help = "Base URL."
rate_limit = 12.5
rate_limit_help = "Calls per second."
max_in_flight = 4

[events]
help = "\"off\" or \"http\"."

[[field]]
name = "gateway"
label = "Gateway"
kind = "url"
help = "Where events come from."
default = "https://gateway.example.test"
const = "DEFAULT_GATEWAY"

[[field]]
name = "token"
label = "Token"
kind = "text"
help = "The webhook's token."
secret = true
"#;

fn problem_of(text: &str) -> (String, String) {
    match render(text, "config.toml") {
        Err(ConfigTableError::Invalid { key, problem, .. }) => (key, problem),
        other => panic!("expected an invalid key, got {other:?}"),
    }
}

#[test]
fn a_full_table_becomes_every_constant_in_form_order() {
    let code = render(TABLE, "config.toml").expect("renders");
    assert!(
        code.contains(r#"pub const DEFAULT_ENDPOINT: &str = "https://directory.example.test";"#)
    );
    assert!(code.contains(r#"rate_limit: "12.5","#));
    assert!(code.contains(r#"max_in_flight: "4","#));
    assert!(code.contains(r#"id: "client_id","#));
    assert!(code.contains(r#"pub const DEFAULT_GATEWAY: &str = "https://gateway.example.test";"#));
    assert!(code.contains(r#"::syncer_remote::events_field("\"off\" or \"http\".")"#));
    assert!(code.contains(".defaulting_to(DEFAULT_GATEWAY)"));
    assert!(code.contains(r#"ConfigField::new("token", "Token", ::syncer_core::ConfigKind::Text, "The webhook's token.").secret()"#));
    assert!(code.contains("OWN_FIELDS: [::syncer_core::ConfigField; 3]"));
    assert!(code.contains(
        "config_fields!(PRESETS, APP_KEYS; OWN_FIELDS[0], OWN_FIELDS[1], OWN_FIELDS[2]);"
    ));
    let events = code.find("events_field").expect("events");
    let gateway = code.find(r#"new("gateway""#).expect("gateway");
    let token = code.find(r#"new("token""#).expect("token");
    assert!(events < gateway && gateway < token, "form order is kept");
}

#[test]
fn a_table_without_app_or_events_uses_the_presets_only_form() {
    let text = TABLE
        .split("[[field]]")
        .next()
        .expect("head")
        .replace("[events]\nhelp = \"\\\"off\\\" or \\\"http\\\".\"", "");
    let text = text
        .split("[remote]")
        .nth(1)
        .map(|rest| format!("[remote]{rest}"))
        .expect("remote");
    let code = render(&text, "config.toml").expect("renders");
    assert!(!code.contains("APP_KEYS"));
    assert!(code.contains("OWN_FIELDS: [::syncer_core::ConfigField; 0]"));
    assert!(code.contains("config_fields!(PRESETS; );"));
}

#[test]
fn texts_are_written_as_literals_never_as_code() {
    let text = TABLE.replace(
        "help = \"The webhook's token.\"",
        r#"help = "\"); panic!(\"x\"); (\"\\ {braces}""#,
    );
    let code = render(&text, "config.toml").expect("renders");
    assert!(
        code.contains(r#""\"); panic!(\"x\"); (\"\\ {braces}""#),
        "{code}"
    );
}

#[test]
fn an_unknown_key_is_refused_with_its_line() {
    let text = TABLE.replace("max_in_flight = 4", "max_in_flight = 4\nmax_inflight = 4");
    let error = render(&text, "backend/config.toml").expect_err("unknown key");
    let message = error.to_string();
    assert!(message.contains("backend/config.toml"), "{message}");
    assert!(message.contains("max_inflight"), "{message}");
    assert!(message.contains("line"), "{message}");
}

#[test]
fn an_empty_help_names_its_key() {
    let (key, problem) =
        problem_of(&TABLE.replace("help = \"The webhook's token.\"", "help = \" \""));
    assert_eq!(key, "field[1].help");
    assert!(problem.contains("empty"), "{problem}");
}

#[test]
fn a_key_declared_twice_or_taken_from_the_shared_block_is_refused() {
    let (key, problem) = problem_of(&TABLE.replace("name = \"token\"", "name = \"client_id\""));
    assert_eq!(key, "field[1].name");
    assert!(problem.contains("declared before"), "{problem}");
    let (key, problem) = problem_of(&TABLE.replace("name = \"token\"", "name = \"max_retries\""));
    assert_eq!(key, "field[1].name");
    assert!(problem.contains("shared block"), "{problem}");
    let (key, _) = problem_of(&TABLE.replace("name = \"token\"", "name = \"Token\""));
    assert_eq!(key, "field[1].name");
}

#[test]
fn a_secret_never_ships_a_default() {
    let text = TABLE.replace("secret = true", "secret = true\ndefault = \"changeme\"");
    let (key, problem) = problem_of(&text);
    assert_eq!(key, "field[1].default");
    assert!(problem.contains("secret"), "{problem}");
}

#[test]
fn a_default_must_fit_its_kind_and_a_const_needs_one() {
    let (key, _) = problem_of(&TABLE.replace(
        "default = \"https://gateway.example.test\"",
        "default = \"gateway.example.test\"",
    ));
    assert_eq!(key, "field[0].default");
    let (key, _) = problem_of(&TABLE.replace("default = \"https://gateway.example.test\"\n", ""));
    assert_eq!(key, "field[0].const");
    let (key, _) = problem_of(&TABLE.replace("DEFAULT_GATEWAY", "PRESETS"));
    assert_eq!(key, "field[0].const");
    let (key, _) = problem_of(&TABLE.replace("DEFAULT_GATEWAY", "default_gateway"));
    assert_eq!(key, "field[0].const");
}

#[test]
fn the_shared_defaults_are_range_checked() {
    let (key, _) = problem_of(&TABLE.replace("rate_limit = 12.5", "rate_limit = 0"));
    assert_eq!(key, "remote.rate_limit");
    let (key, _) = problem_of(&TABLE.replace("max_in_flight = 4", "max_in_flight = 0"));
    assert_eq!(key, "remote.max_in_flight");
    let (key, _) = problem_of(&TABLE.replace(
        "endpoint = \"https://directory.example.test\"",
        "endpoint = \"directory.example.test\"",
    ));
    assert_eq!(key, "remote.endpoint");
}
