//! The directory's API: paths (one rate-limit key and one name in errors per API) and typed
//! answers with only the fields the syncer needs.

use serde::{Deserialize, Serialize};

/// `POST {"client_id", "client_secret"}`: an access token.
pub const TOKEN: &str = "/oauth/token";
/// `GET`: the direct sub-departments of a department.
pub const CHILDREN: &str = "/v1/departments/:id/children";
/// `GET`: the people directly in a department.
pub const MEMBERS: &str = "/v1/departments/:id/members";
/// `GET`: one person, with their departments (an event named them); an unknown id answers
/// 404 `not_found`.
pub const PERSON: &str = "/v1/people/:id";
/// The root department's id.
pub const ROOT: &str = "root";

/// The URL path of `api` (a path with `:id`) for `department`.
pub fn path(api: &str, department: &str) -> String {
    api.replace(":id", department)
}

/// The token endpoint's answer.
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    /// The token.
    pub access_token: String,
    /// Its lifetime in seconds.
    pub expires_in: u64,
}

/// A list answer.
#[derive(Debug, Deserialize)]
pub struct List<T> {
    /// The items.
    pub items: Vec<T>,
}

/// A department.
#[derive(Debug, Deserialize)]
pub struct ApiDepartment {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A person.
#[derive(Debug, Deserialize, Serialize)]
pub struct ApiUser {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
}

/// One person as `PERSON` answers: the listing's fields and every department they are in.
#[derive(Debug, Deserialize)]
pub struct ApiPerson {
    /// The fields a listing gives too.
    #[serde(flatten)]
    pub user: ApiUser,
    /// Every department the person is in.
    pub departments: Vec<String>,
}

/// An error answer: `{"error": {"code": "...", "message": "..."}}` with a 4xx or 5xx status.
#[derive(Debug, Deserialize)]
pub struct ErrorAnswer {
    /// The error.
    pub error: ApiErrorBody,
}

/// The body of an error answer.
#[derive(Debug, Deserialize)]
pub struct ApiErrorBody {
    /// A stable code (`token_expired`, `rate_limited`, …).
    pub code: String,
    /// A message (may echo what was sent: redact it).
    #[serde(default)]
    pub message: String,
}
