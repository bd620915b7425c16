//! The DingTalk event keys as the plugin declares and validates them: events are off by
//! default, "stream" and "http" are the other modes, "http" needs the console's token and
//! aes_key, and every bad value is refused naming the key and the fix without showing a secret.

use syncer_core::{EventMode, PluginConfig, PluginConfigError, Syncer};
use syncer_dingtalk::settings::APP_KEYS;
use syncer_dingtalk::DingTalkSettings;
use syncer_remote::testing;

const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const TOKEN: &str = "tok3n-Secr3t";

fn config(extra: &[(&str, &str)]) -> Result<PluginConfig, PluginConfigError> {
    let values = testing::app_values(&APP_KEYS, "dingcfg01", "app-s3cret", testing::texts(extra));
    PluginConfig::new(testing::registered(syncer_dingtalk::TYPE_NAME), values)
}

fn settings(extra: &[(&str, &str)]) -> Result<DingTalkSettings, PluginConfigError> {
    DingTalkSettings::from_config(&config(extra)?)
}

fn build(extra: &[(&str, &str)]) -> Box<dyn Syncer> {
    let plugin = testing::registered(syncer_dingtalk::TYPE_NAME);
    (plugin.build)(&config(extra).expect("valid")).expect("builds")
}

fn refusal(extra: &[(&str, &str)]) -> (String, String) {
    match settings(extra) {
        Err(PluginConfigError::InvalidValue { key, problem }) => (key, problem),
        other => panic!("{extra:?} must be refused: {other:?}"),
    }
}

#[test]
fn the_plugin_declares_the_event_keys_with_their_secrets() {
    testing::assert_optional_fields(
        testing::registered(syncer_dingtalk::TYPE_NAME),
        &[
            ("events", false),
            ("stream_endpoint", false),
            ("callback_token", true),
            ("aes_key", true),
        ],
    );
}

#[test]
fn events_are_off_by_default_and_stream_uses_the_public_gateway() {
    let syncer = build(&[]);
    assert_eq!(syncer.event_mode(), EventMode::Off);
    assert!(syncer.push_receiver().is_none());
    let stream = settings(&[("events", "stream")]).expect("valid");
    assert_eq!(stream.events.mode, EventMode::Stream);
    assert_eq!(stream.events.stream_endpoint, "https://api.dingtalk.com");
    assert!(stream.events.push.is_none());
    let test = settings(&[
        ("events", "stream"),
        ("stream_endpoint", "http://127.0.0.1:9/"),
    ])
    .expect("valid");
    assert_eq!(test.events.stream_endpoint, "http://127.0.0.1:9");
    let http = build(&[
        ("events", "http"),
        ("callback_token", TOKEN),
        ("aes_key", AES_KEY),
    ]);
    assert_eq!(http.event_mode(), EventMode::Http);
    assert!(http.push_receiver().is_some());
}

#[test]
fn an_unknown_mode_is_refused_naming_the_choices() {
    let (key, problem) = refusal(&[("events", "webhook")]);
    assert_eq!(key, "events");
    assert!(
        problem.contains("\"stream\"") && problem.contains("webhook"),
        "{problem}"
    );
}

#[test]
fn http_push_needs_the_consoles_token_and_aes_key() {
    let (key, problem) = refusal(&[("events", "http"), ("aes_key", AES_KEY)]);
    assert_eq!(key, "callback_token");
    assert!(problem.contains("Event Subscription"), "{problem}");
    let (key, _) = refusal(&[("events", "http"), ("callback_token", TOKEN)]);
    assert_eq!(key, "aes_key");
}

#[test]
fn a_malformed_token_or_aes_key_is_refused_without_showing_it() {
    let short = "ab";
    let long = "x".repeat(33);
    for token in [short, long.as_str()] {
        let (key, problem) = refusal(&[
            ("events", "http"),
            ("callback_token", token),
            ("aes_key", AES_KEY),
        ]);
        assert_eq!(key, "callback_token");
        assert!(problem.contains("3 to 32"), "{problem}");
        assert!(!problem.contains(token), "{problem}");
    }
    let wrong_length = &AES_KEY[..40];
    let wrong_alphabet = format!("{}-", &AES_KEY[..42]);
    for aes_key in [wrong_length, wrong_alphabet.as_str()] {
        let (key, problem) = refusal(&[
            ("events", "http"),
            ("callback_token", TOKEN),
            ("aes_key", aes_key),
        ]);
        assert_eq!(key, "aes_key");
        assert!(problem.contains("43"), "{problem}");
        assert!(!problem.contains(aes_key), "{problem}");
    }
    // A malformed key is refused even while events are off: the mistake shows at `check`.
    let (key, _) = refusal(&[("aes_key", wrong_length)]);
    assert_eq!(key, "aes_key");
}

#[test]
fn the_settings_debug_output_holds_no_secret() {
    let http = settings(&[
        ("events", "http"),
        ("callback_token", TOKEN),
        ("aes_key", AES_KEY),
    ])
    .expect("valid");
    let shown = format!("{http:?}");
    for secret in [TOKEN, AES_KEY, "app-s3cret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
