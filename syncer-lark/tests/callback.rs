//! Lark's HTTP callbacks through the receiver the plugin builds from its config: the URL check
//! is answered with its challenge, encrypted and signed contact events become changes keyed as
//! the full fetch keys people and departments, and a wrong token, a wrong signature, another
//! app's event or a plain body where an encrypted one is due are refused alike.

use serde_json::{json, Value};
use syncer_core::{
    Change, EventMode, PluginConfig, PluginConfigError, PushReceipt, PushRejected, PushRequest,
    Syncer,
};
use syncer_lark::callback_crypto::CallbackCrypto;
use syncer_lark::settings::APP_KEYS;
use syncer_remote::testing;

const APP_ID: &str = "cli_callbacktest01";
const TOKEN: &str = "v3rification-T0ken";
const ENCRYPT_KEY: &str = "encrypt-K3y-of-the-app";

fn config(extra: &[(&str, &str)]) -> Result<PluginConfig, PluginConfigError> {
    let values = testing::app_values(&APP_KEYS, APP_ID, "app-s3cret", testing::texts(extra));
    PluginConfig::new(testing::registered(syncer_lark::TYPE_NAME), values)
}

fn syncer(extra: &[(&str, &str)]) -> Box<dyn Syncer> {
    let plugin = testing::registered(syncer_lark::TYPE_NAME);
    (plugin.build)(&config(extra).expect("valid config")).expect("builds")
}

fn encrypted() -> Box<dyn Syncer> {
    syncer(&[
        ("events", "http"),
        ("verification_token", TOKEN),
        ("encrypt_key", ENCRYPT_KEY),
    ])
}

fn plain() -> Box<dyn Syncer> {
    syncer(&[("events", "http"), ("verification_token", TOKEN)])
}

/// A schema 2.0 event of `event_type` about `object`.
fn event(event_type: &str, object: Value, token: &str, app_id: &str) -> Value {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": format!("ev-{event_type}"), "token": token,
            "create_time": "1700000000000", "event_type": event_type,
            "tenant_key": "tenant01", "app_id": app_id,
        },
        "event": {"object": object},
    })
}

/// The callback Lark sends with an Encrypt Key: encrypted body, signed headers.
fn sealed(document: &Value, key: &str) -> PushRequest {
    let crypto = CallbackCrypto::new(key);
    let body = json!({ "encrypt": crypto.encrypt_with(&document.to_string(), [9; 16]) })
        .to_string()
        .into_bytes();
    let signature = crypto.signature("1700000001", "nonce-1", &body);
    PushRequest {
        query: Vec::new(),
        headers: vec![
            (
                "x-lark-request-timestamp".to_owned(),
                "1700000001".to_owned(),
            ),
            ("x-lark-request-nonce".to_owned(), "nonce-1".to_owned()),
            ("x-lark-signature".to_owned(), signature),
        ],
        body,
    }
}

fn unsealed(document: &Value) -> PushRequest {
    PushRequest {
        body: document.to_string().into_bytes(),
        ..PushRequest::default()
    }
}

fn changes(receipt: PushReceipt) -> Vec<Change> {
    match receipt {
        PushReceipt::Events { events, success } => {
            assert_eq!(success.content_type, "application/json");
            events.into_iter().map(|event| event.change).collect()
        }
        PushReceipt::Answer(reply) => panic!("an event, not an answer: {reply:?}"),
    }
}

#[test]
fn the_url_check_is_answered_with_its_challenge() {
    let check = json!({"challenge": "ch-4711", "token": TOKEN, "type": "url_verification"});
    for (syncer, request) in [
        (plain(), unsealed(&check)),
        (encrypted(), sealed(&check, ENCRYPT_KEY)),
    ] {
        let receiver = syncer.push_receiver().expect("http mode has a receiver");
        let PushReceipt::Answer(reply) = receiver.receive(&request).expect("verifies") else {
            panic!("a URL check is answered at once");
        };
        let body: Value = serde_json::from_slice(&reply.body).expect("JSON");
        assert_eq!(body, json!({"challenge": "ch-4711"}));
    }
    let wrong = json!({"challenge": "ch", "token": "not-the-token", "type": "url_verification"});
    assert!(matches!(
        plain()
            .push_receiver()
            .expect("receiver")
            .receive(&unsealed(&wrong)),
        Err(PushRejected::BadSignature(_))
    ));
}

#[test]
fn contact_events_become_changes_by_user_id_and_open_department_id() {
    let syncer = encrypted();
    assert_eq!(syncer.event_mode(), EventMode::Http);
    let receiver = syncer.push_receiver().expect("receiver");
    let person = json!({"user_id": "u-77", "open_id": "ou_77", "union_id": "on_77"});
    let department = json!({"open_department_id": "od-9", "department_id": "D9", "name": "研发"});
    let cases = [
        (
            "contact.user.created_v3",
            &person,
            Change::People(vec!["u-77".into()]),
        ),
        (
            "contact.user.updated_v3",
            &person,
            Change::People(vec!["u-77".into()]),
        ),
        (
            "contact.user.deleted_v3",
            &person,
            Change::Left(vec!["u-77".into()]),
        ),
        (
            "contact.department.created_v3",
            &department,
            Change::Departments(vec!["od-9".into()]),
        ),
        (
            "contact.department.deleted_v3",
            &department,
            Change::DepartmentsRemoved(vec!["od-9".into()]),
        ),
        ("im.message.receive_v1", &person, Change::Ignored),
    ];
    for (kind, object, change) in cases {
        let request = sealed(&event(kind, object.clone(), TOKEN, APP_ID), ENCRYPT_KEY);
        let receipt = receiver.receive(&request).expect("verifies");
        assert_eq!(changes(receipt), vec![change], "{kind}");
    }
    let plain = plain();
    let receipt = plain
        .push_receiver()
        .expect("receiver")
        .receive(&unsealed(&event(
            "contact.user.deleted_v3",
            person,
            TOKEN,
            APP_ID,
        )))
        .expect("a plain callback verifies by its token");
    assert_eq!(changes(receipt), vec![Change::Left(vec!["u-77".into()])]);
}

#[test]
fn forged_callbacks_are_refused_alike() {
    let syncer = encrypted();
    let receiver = syncer.push_receiver().expect("receiver");
    let person = json!({"user_id": "u-1"});
    let good = event("contact.user.deleted_v3", person.clone(), TOKEN, APP_ID);
    let mut bad_signature = sealed(&good, ENCRYPT_KEY);
    bad_signature.headers[2].1 = "0".repeat(64);
    let mut unsigned = sealed(&good, ENCRYPT_KEY);
    unsigned.headers.truncate(2);
    let rejected = [
        ("another encrypt key", sealed(&good, "another key")),
        ("a wrong signature", bad_signature),
        ("no signature", unsigned),
        (
            "a wrong token",
            sealed(
                &event("contact.user.deleted_v3", person.clone(), "forged", APP_ID),
                ENCRYPT_KEY,
            ),
        ),
        (
            "another app",
            sealed(
                &event("contact.user.deleted_v3", person, TOKEN, "cli_other"),
                ENCRYPT_KEY,
            ),
        ),
        ("a plain body", unsealed(&good)),
    ];
    let mut reasons = Vec::new();
    for (what, request) in rejected {
        match receiver.receive(&request) {
            Err(PushRejected::BadSignature(reason)) => reasons.push(reason),
            other => panic!("{what} must be refused: {other:?}"),
        }
    }
    assert!(
        reasons.iter().all(|reason| reason == &reasons[0]),
        "{reasons:?}"
    );
    assert!(!reasons[0].contains(TOKEN) && !reasons[0].contains(ENCRYPT_KEY));
    // Without an Encrypt Key, the token alone decides.
    let plain = plain();
    assert!(matches!(
        plain
            .push_receiver()
            .expect("receiver")
            .receive(&unsealed(&event(
                "contact.user.deleted_v3",
                json!({"user_id": "u-1"}),
                "forged",
                APP_ID
            ))),
        Err(PushRejected::BadSignature(_))
    ));
}

#[test]
fn the_event_keys_are_declared_validated_and_kept_secret() {
    testing::assert_optional_fields(
        testing::registered(syncer_lark::TYPE_NAME),
        &[
            ("events", false),
            ("verification_token", true),
            ("encrypt_key", true),
        ],
    );
    assert_eq!(syncer(&[]).event_mode(), EventMode::Off);
    assert!(syncer(&[]).push_receiver().is_none());
    let settings = |extra: &[(&str, &str)]| {
        syncer_lark::LarkSettings::from_config(&config(extra).expect("known keys"))
    };
    for (extra, key) in [
        (&[("events", "http")][..], "verification_token"),
        (&[("events", "stream")][..], "events"),
        (&[("events", "sometimes")][..], "events"),
    ] {
        match settings(extra) {
            Err(PluginConfigError::InvalidValue { key: named, .. }) => assert_eq!(named, key),
            other => panic!("{extra:?} must be refused naming {key}: {other:?}"),
        }
    }
    let shown = format!(
        "{:?}",
        settings(&[
            ("events", "http"),
            ("verification_token", TOKEN),
            ("encrypt_key", ENCRYPT_KEY)
        ])
        .expect("valid")
    );
    assert!(
        !shown.contains(TOKEN) && !shown.contains(ENCRYPT_KEY),
        "{shown}"
    );
}

/// The receiver behind a real HTTP endpoint, answering as the host does (200 with the reply,
/// 403 for an unverified callback, 400 for an unreadable one), against the fake Lark's sender.
mod over_http {
    use std::time::Duration;

    use syncer_core::{Change, Syncer};
    use syncer_lark::settings::APP_KEYS;
    use syncer_lark_sim::{
        CallbackConfig, Credentials, FakeLark, Faults, LarkOrg, OrgSpec, SimUser,
    };
    use syncer_remote::push_endpoint::serve_push;
    use syncer_remote::testing;

    const TOKEN: &str = "sim-verification-T0ken";
    const ENCRYPT_KEY: &str = "sim-encrypt-K3y";

    fn syncer(server: &FakeLark, token: &str, encrypt_key: Option<&str>) -> Box<dyn Syncer> {
        let credentials = Credentials::demo();
        let url = server.url();
        let mut settings = vec![
            ("endpoint", url.as_str()),
            ("events", "http"),
            ("verification_token", token),
        ];
        settings.extend(encrypt_key.map(|key| ("encrypt_key", key)));
        let values = testing::app_values(
            &APP_KEYS,
            &credentials.app_id,
            &credentials.app_secret,
            testing::texts(&settings),
        );
        testing::registered_syncer(syncer_lark::TYPE_NAME, values)
    }

    async fn lark() -> FakeLark {
        let org = LarkOrg::generate(&OrgSpec {
            users: 10,
            departments: 2,
            ..OrgSpec::default()
        });
        FakeLark::start(org, Credentials::demo(), Faults::default())
            .await
            .expect("start the fake Lark")
    }

    fn subscription(token: &str, encrypt_key: Option<&str>) -> CallbackConfig {
        CallbackConfig {
            retry_factor: 0.0001,
            ..CallbackConfig::new(token, encrypt_key.map(str::to_owned))
        }
    }

    #[tokio::test]
    async fn the_fakes_callbacks_verify_with_and_without_an_encrypt_key() {
        for encrypt_key in [Some(ENCRYPT_KEY), None] {
            let server = lark().await;
            let (url, received) = serve_push(syncer(&server, TOKEN, encrypt_key)).await;
            server
                .callback_to(&url, subscription(TOKEN, encrypt_key))
                .expect("subscribed");
            server.verify_url().await.expect("the challenge comes back");
            let leaver = server.org().users[0].user_id.clone();
            server.hire(SimUser::new("hire-01", "新人", vec!["0".to_owned()]));
            server.leave(&leaver).expect("a member leaves");
            server
                .all_acknowledged(Duration::from_secs(20))
                .await
                .expect("every callback answered 200");
            let stats = server.callback_stats();
            assert_eq!(stats.refused, 0, "{encrypt_key:?}: {stats:?}");
            let changes: Vec<Change> = received
                .lock()
                .expect("lock")
                .iter()
                .map(|event| event.change.clone())
                .collect();
            assert!(
                changes.contains(&Change::People(vec!["hire-01".into()])),
                "{changes:?}"
            );
            assert!(changes.contains(&Change::Left(vec![leaver])), "{changes:?}");
        }
    }

    #[tokio::test]
    async fn callbacks_with_another_token_or_key_are_refused_and_apply_nothing() {
        for (token, key) in [
            ("another-token", Some(ENCRYPT_KEY)),
            (TOKEN, Some("another-key")),
        ] {
            let server = lark().await;
            let (url, received) = serve_push(syncer(&server, TOKEN, Some(ENCRYPT_KEY))).await;
            server
                .callback_to(&url, subscription(token, key))
                .expect("subscribed");
            assert!(
                server.verify_url().await.is_err(),
                "a forged URL check fails"
            );
            server.hire(SimUser::new("hire-02", "新人", vec!["0".to_owned()]));
            server
                .all_acknowledged(Duration::from_secs(20))
                .await
                .expect("given up after Lark's retries");
            let stats = server.callback_stats();
            assert!(stats.refused >= 1 && stats.acknowledged == 0, "{stats:?}");
            assert!(received.lock().expect("lock").is_empty());
        }
    }
}
