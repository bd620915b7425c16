//! The config parser under generated input (a bounded fuzz run on every `cargo test`): whatever
//! the text, parsing never panics, and no error ever quotes a secret value, whether it was
//! written in the file or expanded from `${VAR}`.

use std::path::Path;

use proptest::prelude::*;

use super::Config;

const FILE_SECRET: &str = "FileSecret-91c2";
const ENV_SECRET: &str = "EnvSecret-5d7e";

/// Keys a config may hold, a few misspelt.
/// Keys a config may hold beyond every syncer's common ones (plugin, target, server and state
/// keys), and a few misspelt.
const OTHER_KEYS: &[&str] = &[
    "app_key",
    "endpoint",
    "rate_limit",
    "max_retries",
    "timeout_seconds",
    "kind",
    "client_id",
    "api_prefix",
    "listen",
    "shutdown_grace",
    "path",
    "nmae",
    "job_number",
    "",
];

/// Every key the generator writes (the secret ones apart).
fn keys() -> Vec<&'static str> {
    super::syncer::COMMON_KEYS
        .iter()
        .chain(OTHER_KEYS)
        .copied()
        .collect()
}

/// The keys whose values are secrets, in any table.
const SECRET_KEYS: &[&str] = &["app_secret", "client_secret", "token"];

/// Table headers, real and not.
const HEADERS: &[&str] = &[
    "[[syncers]]",
    "[target]",
    "[server]",
    "[state]",
    "[syncers.mapping]",
    "[[target]]",
    "[extras]",
    "[syncers",
    "[[]]",
];

/// A secret, written in the file in any type or expanded from the environment.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("\"{FILE_SECRET}\"")),
        Just(format!("\"{FILE_SECRET}\\u0001\"")),
        Just("\"${SECRET_VAR}\"".to_owned()),
        Just(format!("[\"{FILE_SECRET}\"]")),
        Just(format!("{{ v = \"{FILE_SECRET}\" }}")),
        Just("91234567".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"${UNSET_VAR}\"".to_owned()),
        Just("\"$${x}\"".to_owned()),
        Just("\"DingTalk\"".to_owned()),
        Just("\"iam\"".to_owned()),
        Just("\"http://u:p@h\"".to_owned()),
        Just("1e309".to_owned()),
        Just("-0.0".to_owned()),
        Just("nan".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        any::<bool>().prop_map(|b| b.to_string()),
        "[a-z0-9 /._\\-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        any::<String>().prop_map(|s| format!("{s:?}")),
        Just("[1, \"two\", { three = 3 }]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        Just("1979-05-27T07:32:00Z".to_owned()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (proptest::sample::select(keys()), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => (proptest::sample::select(SECRET_KEYS), secret())
            .prop_map(|(k, v)| format!("{k} = {v}")),
        1 => proptest::sample::select(HEADERS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(line(), 0..24).prop_map(|lines| lines.join("\n"))
}

fn env(name: &str) -> Option<String> {
    (name == "SECRET_VAR").then(|| ENV_SECRET.to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parsing_never_panics_nor_quotes_a_secret(text in config_text()) {
        if let Err(error) = Config::parse(Path::new("syncer.toml"), &text, &env) {
            let shown = error.to_string();
            prop_assert!(!shown.contains(ENV_SECRET), "{}", shown);
            prop_assert!(!shown.contains(FILE_SECRET), "{}", shown);
            prop_assert!(!shown.contains("91234567"), "{}", shown);
        }
    }
}
