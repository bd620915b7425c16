//! Hostile answers a test switches on at run time: what a broken, overloaded or malicious IAM
//! server (or something posing as one) may send. None is IAM behaviour; each is a way an answer
//! can go wrong that the client must survive: a `get-users` count that does not fit the users
//! it lists, a listing that never ends, an answer far larger than any page, writes that are
//! applied but never answered, a server that is down.

use serde_json::{json, Value};

use crate::envelope::Reply;

/// The faults switched on (none by default).
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    /// `data2` of every paged `get-users` answer, instead of the real count.
    pub(crate) user_count: Option<Value>,
    /// Paged `get-users` answers a full page of users never listed before, `data2: null`.
    pub(crate) endless_users: bool,
    /// Bytes of padding added to every answer (a `padding` member of the envelope).
    pub(crate) padding: usize,
    /// Writes are applied and then never answered (the connection stays open).
    pub(crate) hang_writes: bool,
    /// Every API call is answered 503 before it is looked at (IAM is down for maintenance).
    pub(crate) down: bool,
}

impl Faults {
    /// A paged `get-users` answer in place of the real one, when the faults make one up.
    pub(crate) fn users_page(&self, org: &str, page: &str, page_size: &str) -> Option<Reply> {
        if !self.endless_users {
            return None;
        }
        let size = page_size.parse::<usize>().unwrap_or(10).clamp(1, 10_000);
        let users: Vec<Value> = (0..size)
            .map(|i| json!({"owner": org, "name": format!("endless-{page}-{i}"), "id": format!("endless-{page}-{i}")}))
            .collect();
        Some(Reply::ok(Value::Array(users), Value::Null))
    }

    /// `reply` as the faults change it: another count for `get-users`, padding for all.
    pub(crate) fn distort(&self, mut reply: Reply, is_users_page: bool) -> Reply {
        if is_users_page {
            if let Some(count) = &self.user_count {
                reply.body["data2"] = count.clone();
            }
        }
        if self.padding > 0 {
            reply.body["padding"] = Value::String("x".repeat(self.padding));
        }
        reply
    }
}
