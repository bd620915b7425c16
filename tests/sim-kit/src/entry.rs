//! A call's way through a running simulator as far as every API shares it: the gate in front of
//! the API ([`SimState::admit`]: the network's checks, the simulator's own, the access token) and
//! the counted answer ([`SimState::respond`], [`SimState::answer_unknown_path`]). The simulator
//! words every refusal in its own envelope through [`SimError`]. Knows no API.

use std::net::IpAddr;

use axum::response::Response;

use crate::core::Refusal;
use crate::sim::{FaultsOf, PageOf, SimApi, SimState};
use crate::tokens::TokenCheck;

/// A simulator's error answer as the kit handles it: worded for the gate's refusals, counted
/// under its code, and put on the wire with the request's id.
pub trait SimError: Sized {
    /// The code a success is counted under.
    const SUCCESS: i64 = 0;

    /// The network in front of the API refused a call from `peer`.
    fn refused(refusal: Refusal, peer: IpAddr) -> Self;
    /// The access token presented is not valid: [`TokenCheck::Unknown`] (missing, or never
    /// handed out) or [`TokenCheck::Expired`].
    fn token_refused(check: TokenCheck) -> Self;
    /// The code the statistics count this answer under: the API's error code, or the HTTP
    /// status of a gateway failure.
    fn code(&self) -> i64;
    /// The answer on the wire, carrying the request's id.
    fn into_response(self, request_id: &str) -> Response;
}

/// What a call shows the gate, as the simulator's own checks found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presents<'t> {
    /// Nothing to check: a call to the token endpoint, which asks for no token.
    Nothing,
    /// The access token the call presents, if any.
    Token(Option<&'t str>),
}

impl<A: SimApi> SimState<A> {
    /// Lets a call to `path` from `peer` through the gate in front of the API, in the order
    /// gateways check: the network (the caller's IP, a failing gateway, the per-path rate
    /// limit, see [`SimState::pass_network`]), then `own` (the simulator's checks before the
    /// token, such as a quota or the token's format, which say what the call presents), then
    /// the access token, counting the call against it when valid.
    pub fn admit<'t, E: SimError>(
        &self,
        faults: &FaultsOf<A>,
        path: &'static str,
        peer: IpAddr,
        own: impl FnOnce() -> Result<Presents<'t>, E>,
    ) -> Result<(), E> {
        self.pass_network(faults, path)
            .map_err(|refusal| E::refused(refusal, peer))?;
        let Presents::Token(token) = own()? else {
            return Ok(());
        };
        match self.check_token(faults, token) {
            TokenCheck::Valid => Ok(()),
            refused => Err(E::token_refused(refused)),
        }
    }

    /// Counts the answer to a call and gives what goes on the wire: a success (with the page of
    /// a listing it served, if any) or the simulator's error with the request's id.
    pub fn respond<E: SimError>(
        &self,
        request_id: &str,
        answered: Result<(Response, Option<PageOf<A>>), E>,
    ) -> Response {
        let stats = self.core().stats();
        match answered {
            Ok((response, page)) => {
                stats.answered(E::SUCCESS, E::SUCCESS, page);
                response
            }
            Err(error) => {
                stats.answered(error.code(), E::SUCCESS, None);
                error.into_response(request_id)
            }
        }
    }

    /// Counts a call to a path the API does not serve and answers it with `error`, under a fresh
    /// request id.
    pub fn answer_unknown_path<E: SimError>(&self, path: &str, error: E) -> Response {
        let _in_flight = self.core().stats().begin(path);
        self.respond(&self.next_request_id(), Err(error))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::net::Ipv4Addr;
    use std::sync::Arc;
    use std::time::Duration;

    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::Router;

    use super::*;
    use crate::parts::{Indexed, Parts};
    use crate::sim::Sim;
    use crate::stats::CallStats;
    use crate::tokens::Reuse;

    /// An organization with nothing in it.
    #[derive(Debug, Clone)]
    struct Nobody;

    impl Indexed for Nobody {
        type Org = Nobody;

        fn index(org: Nobody) -> Nobody {
            org
        }

        fn org(&self) -> &Nobody {
            self
        }
    }

    #[derive(Debug, Clone)]
    struct Faults {
        seed: u64,
        latency: Duration,
        http_5xx_rate: f64,
        http_5xx_every: Option<u64>,
        qps_limit: Option<u32>,
        token_ttl: Duration,
        token_expires_after_calls: Option<u64>,
        ip_denied: bool,
    }

    crate::sim_faults!(Faults, ip_denied: ip_denied);

    fn faults(ip_denied: bool) -> Faults {
        Faults {
            seed: 1,
            latency: Duration::ZERO,
            http_5xx_rate: 0.0,
            http_5xx_every: None,
            qps_limit: None,
            token_ttl: Duration::from_secs(60),
            token_expires_after_calls: None,
            ip_denied,
        }
    }

    /// Every refusal, told apart.
    #[derive(Debug, PartialEq)]
    enum Refused {
        Network(Refusal),
        Token(TokenCheck),
        Own,
    }

    impl SimError for Refused {
        fn refused(refusal: Refusal, _: IpAddr) -> Refused {
            Refused::Network(refusal)
        }

        fn token_refused(check: TokenCheck) -> Refused {
            Refused::Token(check)
        }

        fn code(&self) -> i64 {
            match self {
                Refused::Network(_) => 1,
                Refused::Token(_) => 2,
                Refused::Own => 3,
            }
        }

        fn into_response(self, request_id: &str) -> Response {
            (StatusCode::FORBIDDEN, format!("{self:?} {request_id}")).into_response()
        }
    }

    struct Test;

    impl SimApi for Test {
        type Parts = Parts<Nobody, (), Faults, u32, CallStats<u32>>;

        const NAME: &'static str = "test";
        const TOKEN_PREFIX: &'static str = "t-";
        const TOKEN_REUSE: Reuse = Reuse::Renew;

        fn request_id(sequence: u64) -> String {
            format!("req-{sequence}")
        }

        fn router(_: Arc<SimState<Test>>) -> Router {
            Router::new()
        }
    }

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    /// A running test simulator whose network refuses every IP when `ip_denied`.
    async fn started(ip_denied: bool) -> Sim<Test> {
        Sim::start(Nobody, (), faults(ip_denied))
            .await
            .expect("starts")
    }

    #[tokio::test]
    async fn the_gate_refuses_on_the_network_before_the_simulator_checks_anything() {
        let sim = started(true).await;
        let asked = Cell::new(false);
        let admitted = sim.state().admit(&faults(true), "/call", PEER, || {
            asked.set(true);
            Err::<Presents<'_>, _>(Refused::Own)
        });
        assert_eq!(admitted, Err(Refused::Network(Refusal::IpDenied)));
        assert!(
            !asked.get(),
            "the simulator's own checks come after the network's"
        );
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn the_gate_checks_the_token_the_simulator_says_the_call_presents() {
        let sim = started(false).await;
        let (state, open) = (sim.state(), faults(false));
        let admit = |presents: Result<Presents<'_>, Refused>| {
            state.admit(&open, "/call", PEER, || presents)
        };
        assert_eq!(admit(Err(Refused::Own)), Err(Refused::Own));
        assert_eq!(admit(Ok(Presents::Nothing)), Ok(()));
        assert_eq!(
            admit(Ok(Presents::Token(None))),
            Err(Refused::Token(TokenCheck::Unknown))
        );
        assert_eq!(
            admit(Ok(Presents::Token(Some("t-never-issued")))),
            Err(Refused::Token(TokenCheck::Unknown))
        );
        let issued = state.issue_token(&open);
        assert_eq!(admit(Ok(Presents::Token(Some(&issued.token)))), Ok(()));
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn answers_are_counted_under_their_code_and_successes_with_their_page() {
        let sim = started(false).await;
        let state = sim.state();
        let ok = state.respond::<Refused>("req-a", Ok((StatusCode::OK.into_response(), Some(7))));
        assert_eq!(ok.status(), StatusCode::OK);
        let refused = state.respond("req-b", Err(Refused::Own));
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let unknown = state.answer_unknown_path("/nowhere", Refused::Own);
        assert_eq!(unknown.status(), StatusCode::FORBIDDEN);
        let stats = sim.stats();
        assert_eq!(stats.answers(0), 1);
        assert_eq!(stats.answers(3), 2);
        assert_eq!(stats.page_fetches.get(&7), Some(&1));
        assert_eq!(stats.calls("/nowhere"), 1);
        sim.shutdown().await;
    }
}
