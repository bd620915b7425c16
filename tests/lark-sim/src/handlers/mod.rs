//! The endpoints the fake serves and the query parameters they share (`department_id_type`,
//! `user_id_type`). Everything that applies to every call is in `gate.rs`; a handler only answers
//! a call that got through.

mod department;
mod request;
mod token;
mod user;

pub(crate) use department::department_json;
pub(crate) use department::{children, department};
pub(crate) use request::DeptIdType;
pub(crate) use request::{Answer, Api, Request};
pub(crate) use token::tenant_access_token;
pub(crate) use user::{find_by_department, user, user_json};
