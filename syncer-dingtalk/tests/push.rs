//! DingTalk's HTTP push through the receiver the plugin builds from its config: the published
//! test vector verifies and decrypts, a URL check is answered with the encrypted `success`, an
//! event comes back with that answer, and a bad signature, a text that does not decrypt and a
//! push encrypted for another app are all refused with one and the same reason.

use syncer_core::{Change, EventMode, PushReceipt, PushRejected, PushReply, PushRequest, Syncer};
use syncer_dingtalk::push_crypto::PushCrypto;
use syncer_dingtalk::settings::APP_KEYS;
use syncer_remote::testing;

// DingTalk's published sample (DingTalk-Callback-Crypto), as the reference gives it.
const TOKEN: &str = "123456";
const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const OWNER: &str = "suite4xxxxxxxxxxxxxxx";
const SIGNATURE: &str = "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0";
const TIMESTAMP: &str = "1445827045067";
const NONCE: &str = "nEXhMP4r";
const ENCRYPT: &str = "1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==";

/// The syncer of app `app_key` receiving pushes with the sample's token and aes_key.
fn syncer(app_key: &str) -> Box<dyn Syncer> {
    config_with(app_key, AES_KEY)
}

/// The syncer of app `app_key` receiving pushes with the sample's token and `aes_key`.
fn config_with(app_key: &str, aes_key: &str) -> Box<dyn Syncer> {
    let settings = [
        ("events", "http"),
        ("callback_token", TOKEN),
        ("aes_key", aes_key),
    ];
    let values = testing::app_values(
        &APP_KEYS,
        app_key,
        "an-app-secret",
        testing::texts(&settings),
    );
    testing::registered_syncer(syncer_dingtalk::TYPE_NAME, values)
}

fn request(query: &[(&str, &str)], encrypt: &str) -> PushRequest {
    PushRequest {
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: serde_json::json!({ "encrypt": encrypt })
            .to_string()
            .into_bytes(),
    }
}

fn sample_request() -> PushRequest {
    request(
        &[
            ("msg_signature", SIGNATURE),
            ("timestamp", TIMESTAMP),
            ("nonce", NONCE),
        ],
        ENCRYPT,
    )
}

/// A push DingTalk would send app `app_key` carrying `message`.
fn push_of(app_key: &str, message: &str) -> PushRequest {
    let crypto = PushCrypto::new(TOKEN, AES_KEY, app_key).expect("settings");
    let encrypt = crypto.encrypt(message);
    let signature = crypto.signature("1700000000000", "n0nce123", &encrypt);
    request(
        &[
            ("msg_signature", &signature),
            ("timestamp", "1700000000000"),
            ("nonce", "n0nce123"),
        ],
        &encrypt,
    )
}

/// The reply is DingTalk's `{msg_signature, timeStamp, nonce, encrypt}`, signed, and decrypts
/// to `success` for `app_key`.
fn assert_success(reply: &PushReply, app_key: &str) {
    assert_eq!(reply.content_type, "application/json");
    let json: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON");
    let field = |name: &str| json[name].as_str().expect(name).to_owned();
    let crypto = PushCrypto::new(TOKEN, AES_KEY, app_key).expect("settings");
    let opened = crypto
        .open(
            &field("msg_signature"),
            &field("timeStamp"),
            &field("nonce"),
            &field("encrypt"),
        )
        .expect("the reply is signed and encrypted for the app");
    assert_eq!(opened, "success");
}

#[test]
fn the_published_sample_verifies_decrypts_and_is_answered_success() {
    let syncer = syncer(OWNER);
    assert_eq!(syncer.event_mode(), EventMode::Http);
    let receiver = syncer.push_receiver().expect("http mode has a receiver");
    let PushReceipt::Events { events, success } = receiver
        .receive(&sample_request())
        .expect("the sample verifies")
    else {
        panic!("the sample is an event");
    };
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "check_create_suite_url");
    assert_eq!(
        events[0].change,
        Change::Ignored,
        "not an address-book event"
    );
    assert_success(&success, OWNER);
}

#[test]
fn the_older_query_names_verify_too() {
    let syncer = syncer(OWNER);
    let receiver = syncer.push_receiver().expect("receiver");
    let older = request(
        &[
            ("signature", SIGNATURE),
            ("timeStamp", TIMESTAMP),
            ("nonce", NONCE),
        ],
        ENCRYPT,
    );
    assert!(receiver.receive(&older).is_ok());
}

#[test]
fn a_url_check_is_answered_at_once_with_the_encrypted_success() {
    let syncer = syncer("dingpushapp01");
    let receiver = syncer.push_receiver().expect("receiver");
    let receipt = receiver
        .receive(&push_of("dingpushapp01", r#"{"EventType":"check_url"}"#))
        .expect("verifies");
    let PushReceipt::Answer(reply) = receipt else {
        panic!("a URL check has nothing to apply: {receipt:?}");
    };
    assert_success(&reply, "dingpushapp01");
}

#[test]
fn an_address_book_event_names_its_people() {
    let syncer = syncer("dingpushapp01");
    let receiver = syncer.push_receiver().expect("receiver");
    let message = r#"{"EventType":"user_leave_org","TimeStamp":"1700000000000","UserId":["u7","u8"],"CorpId":"ding1"}"#;
    let PushReceipt::Events { events, success } = receiver
        .receive(&push_of("dingpushapp01", message))
        .expect("verifies")
    else {
        panic!("an event");
    };
    assert_eq!(
        events[0].change,
        Change::Left(vec!["u7".into(), "u8".into()])
    );
    assert_success(&success, "dingpushapp01");
}

#[test]
fn bad_signature_undecryptable_and_other_owner_are_refused_alike() {
    let syncer = syncer(OWNER);
    let receiver = syncer.push_receiver().expect("receiver");
    let mut forged = SIGNATURE.to_owned();
    forged.replace_range(0..1, "6");
    let bad_signature = request(
        &[
            ("msg_signature", &forged),
            ("timestamp", TIMESTAMP),
            ("nonce", NONCE),
        ],
        ENCRYPT,
    );
    // Signed with the right token, but not ciphertext of this aes_key.
    let crypto = PushCrypto::new(TOKEN, AES_KEY, OWNER).expect("settings");
    let junk = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";
    let undecryptable = request(
        &[
            ("msg_signature", &crypto.signature(TIMESTAMP, NONCE, junk)),
            ("timestamp", TIMESTAMP),
            ("nonce", NONCE),
        ],
        junk,
    );
    let other_owner = push_of("dingsomeoneelse", r#"{"EventType":"check_url"}"#);
    let reasons: Vec<String> = [bad_signature, undecryptable, other_owner]
        .iter()
        .map(|push| match receiver.receive(push) {
            Err(PushRejected::BadSignature(reason)) => reason,
            other => panic!("must be refused as unverified: {other:?}"),
        })
        .collect();
    assert!(
        reasons.iter().all(|reason| reason == &reasons[0]),
        "{reasons:?}"
    );
    for reason in &reasons {
        assert!(
            !reason.contains(TOKEN) && !reason.contains(AES_KEY),
            "{reason}"
        );
    }
}

#[test]
fn a_push_without_its_signature_or_body_is_refused() {
    let syncer = syncer(OWNER);
    let receiver = syncer.push_receiver().expect("receiver");
    let unsigned = request(&[("timestamp", TIMESTAMP), ("nonce", NONCE)], ENCRYPT);
    assert!(matches!(
        receiver.receive(&unsigned),
        Err(PushRejected::BadSignature(_))
    ));
    let mut not_json = sample_request();
    not_json.body = b"encrypt=abc".to_vec();
    assert!(matches!(
        receiver.receive(&not_json),
        Err(PushRejected::Malformed(_))
    ));
}

/// The receiver behind a real HTTP endpoint, answering as the host does: 200 with the reply,
/// 403 for an unverified push, 400 for an unreadable one.
mod over_http {
    use std::time::Duration;

    use syncer_core::Syncer;
    use syncer_dingtalk_sim::{
        Credentials, FakeDingTalk, Faults, Org, OrgSpec, PushConfig, SimUser,
    };

    use syncer_remote::push_endpoint::serve_push;

    use super::{config_with, TOKEN};

    const APP_KEY: &str = "dingpushsim0001";
    /// A console key whose last character carries no stray bits: the simulator decodes keys
    /// strictly (the reference's sample key, which Java's decoder accepts, it refuses).
    const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3iA";

    fn syncer(app_key: &str) -> Box<dyn Syncer> {
        config_with(app_key, AES_KEY)
    }

    async fn dingtalk() -> FakeDingTalk {
        let org = Org::generate(&OrgSpec {
            users: 10,
            departments: 2,
            ..OrgSpec::default()
        });
        FakeDingTalk::start(
            org,
            Credentials::new(APP_KEY, "sim-secret-Pu5h"),
            Faults::default(),
        )
        .await
        .expect("start fake DingTalk")
    }

    fn push_config() -> PushConfig {
        PushConfig {
            retry_factor: 0.001,
            ..PushConfig::new(TOKEN, AES_KEY, APP_KEY)
        }
    }

    #[tokio::test]
    async fn the_simulators_pushes_verify_and_are_answered_success() {
        let server = dingtalk().await;
        let (url, received) = serve_push(syncer(APP_KEY)).await;
        server.push_to(&url, push_config()).expect("push target");
        server
            .check_url()
            .await
            .expect("the URL check is answered success");
        let id = server.hire(SimUser::new("pushed01", "新人", vec![1]));
        server
            .all_acknowledged(Duration::from_secs(20))
            .await
            .expect("the push is answered success");
        let stats = server.event_stats().push;
        assert_eq!(stats.refused, 0, "{stats:?}");
        assert!(stats.answered_success >= 2, "{stats:?}");
        let received = received.lock().expect("lock").clone();
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(received[0].kind, "user_add_org");
        assert_eq!(
            received[0].change,
            syncer_core::Change::People(vec!["pushed01".into()])
        );
        assert!(!id.is_empty());
    }

    #[tokio::test]
    async fn pushes_with_another_token_are_refused_and_apply_nothing() {
        let server = dingtalk().await;
        let (url, received) = serve_push(syncer(APP_KEY)).await;
        let other = PushConfig {
            retry_factor: 0.001,
            ..PushConfig::new("another-token", AES_KEY, APP_KEY)
        };
        server.push_to(&url, other).expect("push target");
        assert!(
            server.check_url().await.is_err(),
            "a forged URL check is refused"
        );
        server.hire(SimUser::new("pushed02", "新人", vec![1]));
        server
            .all_acknowledged(Duration::from_secs(20))
            .await
            .expect("given up after DingTalk's retries");
        let stats = server.event_stats().push;
        assert!(
            stats.refused >= 1 && stats.answered_success == 0,
            "{stats:?}"
        );
        assert!(received.lock().expect("lock").is_empty());
    }
}

/// `PushCrypto` itself on the published sample: it verifies and decrypts, refuses a forged
/// signature, another token and another app's message, encrypts what it decrypts with
/// DingTalk's 32-byte padding, signs its `success` reply and names malformed settings.
mod crypto {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    use syncer_dingtalk::push_crypto::{PushCrypto, PushCryptoError};

    use super::{AES_KEY, ENCRYPT, NONCE, OWNER, SIGNATURE, TIMESTAMP, TOKEN};

    fn sample() -> PushCrypto {
        PushCrypto::new(TOKEN, AES_KEY, OWNER).expect("sample settings")
    }

    #[test]
    fn the_published_sample_verifies_and_decrypts() {
        let message = sample()
            .open(SIGNATURE, TIMESTAMP, NONCE, ENCRYPT)
            .expect("sample opens");
        let json: serde_json::Value = serde_json::from_str(&message).expect("JSON");
        assert_eq!(json["EventType"], "check_create_suite_url");
        assert_eq!(json["TestSuiteKey"], OWNER);
    }

    #[test]
    fn a_wrong_signature_or_token_is_refused() {
        let crypto = sample();
        let mut forged = SIGNATURE.to_owned();
        forged.replace_range(0..1, "6");
        assert_eq!(
            crypto.open(&forged, TIMESTAMP, NONCE, ENCRYPT),
            Err(PushCryptoError::BadSignature)
        );
        let other = PushCrypto::new("654321", AES_KEY, OWNER).expect("settings");
        assert_eq!(
            other.verify(SIGNATURE, TIMESTAMP, NONCE, ENCRYPT),
            Err(PushCryptoError::BadSignature)
        );
        assert_eq!(
            crypto.verify(SIGNATURE, "1445827045068", NONCE, ENCRYPT),
            Err(PushCryptoError::BadSignature)
        );
    }

    #[test]
    fn another_apps_message_is_refused() {
        let other = PushCrypto::new(TOKEN, AES_KEY, "dingotherapp").expect("settings");
        assert_eq!(other.decrypt(ENCRYPT), Err(PushCryptoError::OtherOwner));
    }

    #[test]
    fn what_it_encrypts_it_decrypts_at_every_length_around_the_32_byte_block() {
        let crypto = sample();
        for len in 0..80 {
            let message = "x".repeat(len);
            let encrypted = crypto.encrypt(&message);
            assert_eq!(crypto.decrypt(&encrypted).as_deref(), Ok(message.as_str()));
        }
    }

    #[test]
    fn the_padding_is_a_32_byte_block_as_dingtalk_pads() {
        // 16 random + 4 length + 29 message + 21 owner = 70 bytes: a 32-byte block pads them to
        // 96 (26 pad bytes, more than a 16-byte scheme can express), a 16-byte one to 80.
        let crypto = sample();
        let encrypted = crypto.encrypt_with(&"x".repeat(29), [7; 16]);
        let bytes = STANDARD.decode(&encrypted).expect("base64");
        assert_eq!(bytes.len(), 96);
        assert_eq!(crypto.decrypt(&encrypted).map(|m| m.len()), Ok(29));
    }

    #[test]
    fn the_success_reply_is_signed_and_decrypts_to_success() {
        let crypto = sample();
        let reply = crypto.success_reply("1700000000000");
        crypto
            .verify(
                &reply.msg_signature,
                &reply.time_stamp,
                &reply.nonce,
                &reply.encrypt,
            )
            .expect("reply is signed");
        assert_eq!(crypto.decrypt(&reply.encrypt).as_deref(), Ok("success"));
        let json = serde_json::to_value(&reply).expect("JSON");
        assert!(json.get("timeStamp").is_some() && json.get("msg_signature").is_some());
    }

    #[test]
    fn malformed_settings_and_texts_are_named() {
        assert_eq!(
            PushCrypto::new(TOKEN, "short", OWNER).err(),
            Some(PushCryptoError::BadAesKey(5))
        );
        assert_eq!(
            PushCrypto::new("", AES_KEY, OWNER).err(),
            Some(PushCryptoError::BadToken(0))
        );
        let crypto = sample();
        assert_eq!(
            crypto.decrypt("not base64!"),
            Err(PushCryptoError::NotCiphertext)
        );
        assert_eq!(crypto.decrypt("AAAA"), Err(PushCryptoError::NotCiphertext));
        let junk = STANDARD.encode([0u8; 32]);
        assert!(matches!(
            crypto.decrypt(&junk),
            Err(PushCryptoError::BadPlaintext(_))
        ));
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains(TOKEN) && !shown.contains(AES_KEY));
    }
}
