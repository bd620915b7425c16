//! `POST {stream_endpoint}/v1.0/gateway/connections/open`: the App Key and App Secret buy one
//! WebSocket endpoint and a ticket that opens it once. The call goes through the shared call
//! loop of `syncer-remote` (rate limit, retries of 5xx and connection failures, throttling), as
//! a remote of its own: the gateway is another host than oapi, answers with HTTP statuses and
//! `{code, message}`, and needs no access token. A refusal (4xx) is final: the credentials or
//! the app's settings are wrong, and no reconnect fixes that.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use syncer_core::Secret;
use syncer_remote::{
    Answer, Auth, CallError, Caller, Classify, Failure, Token, TokenScheme, Verdict,
};

use crate::settings::DingTalkSettings;

/// The gateway's API path.
pub const CONNECTIONS_OPEN: &str = "/v1.0/gateway/connections/open";
/// The gateway's name in messages.
const GATEWAY: &str = "DingTalk Stream gateway";

/// The gateway refused to open a connection (an HTTP 4xx with DingTalk's `{code, message}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRefusal {
    /// The HTTP status.
    pub status: u16,
    /// DingTalk's `code` (`InvalidAuthentication`, ...), when it sent one.
    pub code: String,
    /// DingTalk's `message`, the secret masked.
    pub message: String,
    /// The refusal is the organization's used-up monthly quota
    /// (`Forbidden.AccessDenied.ApiCountLimitForOrg`), not the credentials.
    pub quota_used_up: bool,
}

impl fmt::Display for GatewayRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{GATEWAY} {CONNECTIONS_OPEN} refused to open a connection (HTTP {}",
            self.status
        )?;
        if !self.code.is_empty() {
            write!(f, ", code {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ", \"{}\"", self.message)?;
        }
        if self.quota_used_up {
            return write!(f, "): the organization's monthly DingTalk API quota (all its apps together) is used up: see the usage in the DingTalk developer console (resource management → usage details); a paid edition or the next month (China Standard Time) lifts it");
        }
        write!(f, "): check the App Key and App Secret (developer console → your app → Credentials & Basic Info / 凭证与基础信息) and that the app's event subscription uses Stream mode (Event Subscription / 事件订阅 → Stream 模式)")
    }
}

impl Failure for GatewayRefusal {
    fn api(&self) -> &str {
        CONNECTIONS_OPEN
    }
}

/// A failed gateway call.
pub type GatewayError = CallError<GatewayRefusal>;

/// One connection's way in: the WebSocket endpoint and its one-time ticket.
#[derive(Clone, Deserialize)]
pub struct Ticket {
    /// `wss://...` (or `ws://` on a test server).
    pub endpoint: String,
    /// Opens one connection, once, for about 90 s.
    pub ticket: String,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

syncer_remote::remote_app! {
    /// The gateway, as the call loop talks to it: it issues no token, so calls carry none
    /// ([`Auth::None`]); the app's credentials go in the body of the one call it answers.
    pub GatewayApp {
        name: GATEWAY,
        failure: GatewayRefusal,
        token: TokenScheme::none(CONNECTIONS_OPEN),
    }
}

impl Classify for GatewayRefusal {
    fn read_token(_secret: &Secret, _answer: &Answer) -> Verdict<Token, GatewayRefusal> {
        Verdict::Fail(CallError::invalid(
            GATEWAY,
            CONNECTIONS_OPEN,
            "the gateway issues no access token",
        ))
    }

    fn classify<T: DeserializeOwned>(
        secret: &Secret,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, GatewayRefusal> {
        classify(secret, api, answer)
    }
}

/// What an answer of the gateway means: 2xx is the payload, 408/429/5xx are transient, any
/// other status a refusal.
fn classify<T: DeserializeOwned>(
    secret: &Secret,
    api: &'static str,
    answer: &Answer,
) -> Verdict<T, GatewayRefusal> {
    if answer.is_success() {
        return match serde_json::from_slice(&answer.body) {
            Ok(payload) => Verdict::Done(payload),
            Err(error) => Verdict::Retry(CallError::invalid(GATEWAY, api, error.to_string())),
        };
    }
    if matches!(answer.status, 408 | 429 | 500..) {
        return Verdict::of_status(GATEWAY, api, answer.status);
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Refusal {
        code: Option<serde_json::Value>,
        message: Option<String>,
    }
    let refusal: Refusal = serde_json::from_slice(&answer.body).unwrap_or_default();
    let quota_used_up = matches!(&refusal.code, Some(serde_json::Value::String(code)) if code.contains("ApiCountLimitForOrg"));
    let error = CallError::Api(GatewayRefusal {
        status: answer.status,
        code: match refusal.code {
            Some(serde_json::Value::String(code)) => secret.redact(&code),
            Some(other) => other.to_string(),
            None => String::new(),
        },
        message: secret.redact(&refusal.message.unwrap_or_default()),
        quota_used_up,
    });
    if quota_used_up {
        // The organization's monthly quota, not the credentials: never retried, and the caller
        // sends no further call.
        return Verdict::QuotaExhausted(error);
    }
    Verdict::Fail(error)
}

/// The gateway of one app.
pub struct Gateway {
    caller: Caller<GatewayApp>,
    body: serde_json::Value,
}

impl Gateway {
    /// The gateway at `settings.events.stream_endpoint`, with the app's limits and retries.
    /// Its calls count on `meter`.
    pub fn new(
        settings: &DingTalkSettings,
        meter: Option<syncer_core::SharedMeter>,
    ) -> Result<Self, GatewayError> {
        let mut remote = settings.remote.clone();
        remote.endpoint = settings.events.stream_endpoint.clone();
        let app = &settings.app;
        let body = json!({
            "clientId": app.id,
            "clientSecret": app.secret.expose(),
            "subscriptions": [{"type": "EVENT", "topic": "*"}],
            "ua": concat!("syncer/", env!("CARGO_PKG_VERSION")),
            "localIp": "",
        });
        let caller = Caller::new(GatewayApp, &remote, app)?.metered_by(meter);
        Ok(Self { caller, body })
    }

    /// A fresh endpoint and ticket (never reuse one: each opens one connection).
    pub async fn open(&self) -> Result<Ticket, GatewayError> {
        let url = self.caller.url(CONNECTIONS_OPEN);
        let mut body = self.body.clone();
        body["localIp"] = json!(local_ip(&url).await);
        let ticket: Ticket = self
            .caller
            .call(CONNECTIONS_OPEN, Auth::None, |http| {
                http.post(&url).json(&body)
            })
            .await?;
        if ticket.endpoint.is_empty() || ticket.ticket.is_empty() {
            return Err(CallError::invalid(
                GATEWAY,
                CONNECTIONS_OPEN,
                "an answer without endpoint or ticket",
            ));
        }
        Ok(ticket)
    }
}

/// Whether the gateway refused the app for good (as opposed to a transient failure).
pub fn is_refusal(error: &GatewayError) -> bool {
    error.failure().is_some()
}

/// This host's address on the route to the gateway (the SDKs send it as `localIp`); no packet
/// is sent, and an unknown address is empty.
async fn local_ip(url: &str) -> String {
    let Some(target) = reqwest::Url::parse(url).ok().and_then(|url| {
        Some(format!(
            "{}:{}",
            url.host_str()?,
            url.port_or_known_default()?
        ))
    }) else {
        return String::new();
    };
    let Ok(socket) = tokio::net::UdpSocket::bind("0.0.0.0:0").await else {
        return String::new();
    };
    if socket.connect(&target).await.is_err() {
        return String::new();
    }
    socket
        .local_addr()
        .map(|address| address.ip().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_organizations_used_up_quota_is_named_as_such_and_stops_the_caller() {
        let secret = Secret::new("the-app-secret");
        let verdict = classify::<Ticket>(
            &secret,
            CONNECTIONS_OPEN,
            &answer(
                403,
                r#"{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg","message":"limit"}"#,
            ),
        );
        let Verdict::QuotaExhausted(error) = verdict else {
            panic!("a used-up quota stops the caller: {verdict:?}");
        };
        let text = error.to_string();
        assert!(text.contains("monthly DingTalk API quota"), "{text}");
        assert!(text.contains("usage details"), "{text}");
        assert!(
            !text.contains("App Secret"),
            "not a credentials problem: {text}"
        );
    }

    #[test]
    fn a_refusal_is_final_and_an_outage_is_retried() {
        let secret = Secret::new("the-app-secret");
        let refused = classify::<Ticket>(
            &secret,
            CONNECTIONS_OPEN,
            &answer(
                401,
                r#"{"code":"authFailed","message":"bad the-app-secret"}"#,
            ),
        );
        let Verdict::Fail(error) = refused else {
            panic!("a refusal is not retried: {refused:?}");
        };
        assert!(is_refusal(&error));
        let text = error.to_string();
        assert!(
            text.contains("HTTP 401") && text.contains("authFailed"),
            "{text}"
        );
        assert!(!text.contains("the-app-secret"), "{text}");
        for status in [500, 502, 503] {
            let outage = classify::<Ticket>(&secret, CONNECTIONS_OPEN, &answer(status, "<html>"));
            assert!(matches!(outage, Verdict::Retry(_)), "{status}: {outage:?}");
        }
        let throttled = classify::<Ticket>(&secret, CONNECTIONS_OPEN, &answer(429, ""));
        assert!(
            matches!(throttled, Verdict::Throttled { .. }),
            "{throttled:?}"
        );
        let opened = classify::<Ticket>(
            &secret,
            CONNECTIONS_OPEN,
            &answer(
                200,
                r#"{"endpoint":"wss://gw.example/connect","ticket":"t-1"}"#,
            ),
        );
        assert!(
            matches!(opened, Verdict::Done(ref t) if t.ticket == "t-1"),
            "{opened:?}"
        );
    }

    #[test]
    fn a_ticket_is_not_shown_in_debug_output() {
        let ticket = Ticket {
            endpoint: "wss://gw.example/connect".into(),
            ticket: "secret-ticket".into(),
        };
        assert!(!format!("{ticket:?}").contains("secret-ticket"));
    }
}
