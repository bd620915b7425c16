//! Helpers for a backend's own tests of its classifier (feature `testing`). Knows no backend.

use serde_json::Value;
use syncer_core::Secret;

use crate::caller::{Answer, Classify};
use crate::verdict::Verdict;

/// The error text of an answer (`status`, `body`) of `api` that `F` must judge a used-up quota;
/// panics, naming the verdict, when it judges it otherwise. The app's secret is `s3cret`.
pub fn used_up_quota_text<F: Classify + std::fmt::Debug + std::fmt::Display>(
    api: &'static str,
    status: u16,
    body: &[u8],
) -> String {
    let answer = Answer {
        status,
        body: body.to_vec(),
    };
    match F::classify::<Value>(&Secret::new("s3cret"), api, &answer) {
        Verdict::QuotaExhausted(error) => error.to_string(),
        verdict => panic!("not a used-up quota: {verdict:?}"),
    }
}
