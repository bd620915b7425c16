//! [`TokenScheme`]: how a remote hands out its access token and how a call carries it, said as
//! data. Directory APIs do this in one of a few ways (the app's id and secret as query
//! parameters or as a JSON body; the token back as a query parameter or a bearer header), so a
//! backend names its way and the call loop builds the requests; a remote with a way of its own
//! overrides [`crate::Remote::token_request`] and [`crate::Remote::authorize`] instead.

use reqwest::{Client, RequestBuilder};

use crate::app::AppCredentials;

/// How the token API is asked for a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAsk {
    /// `GET` with the app's id and secret as the query parameters named `id` and `secret`.
    Query {
        /// The parameter of the app's id.
        id: &'static str,
        /// The parameter of the app's secret.
        secret: &'static str,
    },
    /// `POST` of a JSON object holding the app's id and secret under the keys `id` and `secret`.
    JsonBody {
        /// The key of the app's id.
        id: &'static str,
        /// The key of the app's secret.
        secret: &'static str,
    },
    /// The remote issues no token: every call is made with [`crate::Auth::None`], and a token
    /// request is a bare `POST` that is never sent.
    Never,
}

/// How a call carries the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCarry {
    /// As the query parameter of this name.
    Query(&'static str),
    /// As `Authorization: Bearer <token>`.
    Bearer,
    /// Not at all (a remote that issues no token).
    Nowhere,
}

/// A remote's token: the API that issues it (its path, also its rate-limit key and its name in
/// errors), how that API is asked, and how calls carry what it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenScheme {
    /// The token API's path.
    pub api: &'static str,
    /// How it is asked.
    pub ask: TokenAsk,
    /// How a call carries the token.
    pub carry: TokenCarry,
}

impl TokenScheme {
    /// A token API at `api` asked by `GET` with the app's id and secret as the query
    /// parameters `id` and `secret`; calls carry the token as a bearer header unless
    /// [`TokenScheme::carried_in_query`] says otherwise.
    pub const fn query(api: &'static str, id: &'static str, secret: &'static str) -> Self {
        Self {
            api,
            ask: TokenAsk::Query { id, secret },
            carry: TokenCarry::Bearer,
        }
    }

    /// A token API at `api` asked by `POST`ing a JSON object of the app's id and secret under
    /// the keys `id` and `secret`; calls carry the token as a bearer header unless
    /// [`TokenScheme::carried_in_query`] says otherwise.
    pub const fn json(api: &'static str, id: &'static str, secret: &'static str) -> Self {
        Self {
            api,
            ask: TokenAsk::JsonBody { id, secret },
            carry: TokenCarry::Bearer,
        }
    }

    /// A remote that issues no token; `api` names its one call in errors and rate limits.
    pub const fn none(api: &'static str) -> Self {
        Self {
            api,
            ask: TokenAsk::Never,
            carry: TokenCarry::Nowhere,
        }
    }

    /// The same scheme, calls carrying the token as the query parameter `name`.
    pub const fn carried_in_query(self, name: &'static str) -> Self {
        Self {
            carry: TokenCarry::Query(name),
            ..self
        }
    }

    /// The request that asks the token API at `url` for a token of `app`.
    pub fn request(&self, http: &Client, url: &str, app: &AppCredentials) -> RequestBuilder {
        match self.ask {
            TokenAsk::Query { id, secret } => http
                .get(url)
                .query(&[(id, app.id.as_str()), (secret, app.secret.expose())]),
            TokenAsk::JsonBody { id, secret } => {
                let mut body = serde_json::Map::new();
                body.insert(id.to_owned(), app.id.clone().into());
                body.insert(secret.to_owned(), app.secret.expose().into());
                http.post(url).json(&body)
            }
            TokenAsk::Never => http.post(url),
        }
    }

    /// `request` carrying `token`.
    pub fn authorize(&self, request: RequestBuilder, token: &str) -> RequestBuilder {
        match self.carry {
            TokenCarry::Query(name) => request.query(&[(name, token)]),
            TokenCarry::Bearer => request.bearer_auth(token),
            TokenCarry::Nowhere => request,
        }
    }
}

#[cfg(test)]
mod tests {
    use syncer_core::Secret;

    use super::*;

    fn app() -> AppCredentials {
        AppCredentials {
            id: "the-id".to_owned(),
            secret: Secret::new("the secret&"),
        }
    }

    fn scheme(ask: TokenAsk, carry: TokenCarry) -> TokenScheme {
        TokenScheme {
            api: "/token",
            ask,
            carry,
        }
    }

    #[test]
    fn the_constructors_say_what_the_fields_say() {
        let query = TokenScheme::query("/gettoken", "appkey", "appsecret");
        assert_eq!(query.carry, TokenCarry::Bearer);
        let query = query.carried_in_query("access_token");
        let ask = TokenAsk::Query {
            id: "appkey",
            secret: "appsecret",
        };
        assert_eq!(
            query,
            scheme(ask, TokenCarry::Query("access_token")).at("/gettoken")
        );
        let json = TokenScheme::json("/t", "app_id", "app_secret");
        let ask = TokenAsk::JsonBody {
            id: "app_id",
            secret: "app_secret",
        };
        assert_eq!(json, scheme(ask, TokenCarry::Bearer).at("/t"));
        let none = TokenScheme::none("/open");
        assert_eq!(
            none,
            scheme(TokenAsk::Never, TokenCarry::Nowhere).at("/open")
        );
    }

    impl TokenScheme {
        fn at(self, api: &'static str) -> Self {
            Self { api, ..self }
        }
    }

    /// The token request `scheme` builds for [`app`].
    fn token_request(scheme: TokenScheme) -> reqwest::Request {
        scheme
            .request(&Client::new(), "http://127.0.0.1:1/token", &app())
            .build()
            .expect("request")
    }

    #[test]
    fn a_query_ask_is_a_get_with_both_parameters_encoded() {
        let request = token_request(TokenScheme::query("/token", "appkey", "appsecret"));
        assert_eq!(request.method(), reqwest::Method::GET);
        assert_eq!(
            request.url().query(),
            Some("appkey=the-id&appsecret=the+secret%26")
        );
        assert!(request.body().is_none());
    }

    #[test]
    fn a_json_ask_is_a_post_of_both_keys() {
        let request = token_request(TokenScheme::json("/token", "app_id", "app_secret"));
        assert_eq!(request.method(), reqwest::Method::POST);
        assert_eq!(request.url().query(), None);
        let body = request
            .body()
            .and_then(|body| body.as_bytes())
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(body).expect("json");
        assert_eq!(
            body,
            serde_json::json!({"app_id": "the-id", "app_secret": "the secret&"})
        );
    }

    #[test]
    fn a_token_is_carried_as_the_scheme_says() {
        let ask = TokenAsk::Never;
        let http = Client::new();
        let carried = |carry| {
            scheme(ask, carry)
                .authorize(http.get("http://127.0.0.1:1/api?x=1"), "tok")
                .build()
                .expect("request")
        };
        let query = carried(TokenCarry::Query("access_token"));
        assert_eq!(query.url().query(), Some("x=1&access_token=tok"));
        assert!(query.headers().get("authorization").is_none());
        let bearer = carried(TokenCarry::Bearer);
        assert_eq!(bearer.url().query(), Some("x=1"));
        assert_eq!(
            bearer.headers().get("authorization").map(|v| v.as_bytes()),
            Some(&b"Bearer tok"[..])
        );
        let nowhere = carried(TokenCarry::Nowhere);
        assert_eq!(nowhere.url().query(), Some("x=1"));
        assert!(nowhere.headers().get("authorization").is_none());
    }
}
