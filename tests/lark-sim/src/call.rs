//! [`Call`]: one call to the open platform as the gate and the handlers see it: which API, from
//! where, the ids in its path, its query, the `Authorization` header and the body. Knows nothing
//! of how it is answered.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::body::Bytes;

use crate::handlers::Api;

/// One call as the gate and the handlers see it.
pub(crate) struct Call {
    /// The API called.
    pub(crate) api: Api,
    /// The caller's address.
    pub(crate) peer: IpAddr,
    /// The id in the path: a department, or a person for `users/:user_id`.
    pub(crate) department: Option<String>,
    /// The query parameters.
    pub(crate) query: HashMap<String, String>,
    /// The `Authorization` header, when sent.
    pub(crate) authorization: Option<String>,
    /// The request body (the token endpoint's JSON).
    pub(crate) body: Bytes,
}
