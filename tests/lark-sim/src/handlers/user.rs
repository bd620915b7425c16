//! `GET /open-apis/contact/v3/users/find_by_department`: a page of the people directly in a
//! department, each as the contact v3 user object (empty fields left out, `user_id` only when
//! the app may read it).

use serde_json::{json, Map, Value};

use super::request::{
    check_user_id_type, department_id_type, requested_department, Answer, DeptIdType, Request,
};
use crate::envelope::ApiError;
use crate::faults::DeptFault;
use crate::org::{LarkOrg, SimUser};
use crate::paging::{encode, PageRequest};

/// A page of a department's direct members.
pub(crate) fn find_by_department(request: &Request<'_>) -> Result<Answer, ApiError> {
    let Request {
        org, faults, query, ..
    } = *request;
    let id_type = department_id_type(query)?;
    let id = query
        .get("department_id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::param_error("department_id is required"))?;
    let department = requested_department(org, faults, id, id_type)?;
    let list = format!("users/{}", department.open_department_id);
    let page = PageRequest::from_query(query, &list)?;
    let items = org
        .members_of(&department.open_department_id)
        .into_iter()
        .map(|user| user_json(org, user, id_type, faults.hide_user_id))
        .collect();
    let offset = page.offset;
    let mut data = page.answer(items, &list);
    misshape(
        faults
            .failing_departments
            .get(&department.open_department_id),
        &mut data,
        &list,
        offset,
    );
    if faults.answer_padding > 0 {
        if let Some(object) = data.as_object_mut() {
            object.insert("padding".into(), "x".repeat(faults.answer_padding).into());
        }
    }
    Ok(Answer {
        data,
        page: Some((department.open_department_id.clone(), request.page_token())),
    })
}

/// One person (`GET /open-apis/contact/v3/users/:user_id`), named by the id `user_id_type` says
/// (`open_id` by default). A person not in the tenant, or no longer, answers 41050.
pub(crate) fn user(request: &Request<'_>) -> Result<Answer, ApiError> {
    let Request {
        org,
        faults,
        id: wanted,
        query,
    } = *request;
    check_user_id_type(query)?;
    let key: fn(&SimUser) -> &str = match query.get("user_id_type").map(String::as_str) {
        Some("user_id") => |u| &u.user_id,
        Some("union_id") => |u| &u.union_id,
        _ => |u| &u.open_id,
    };
    let id_type = DeptIdType::from_query(query)?;
    let found = org
        .users
        .iter()
        .find(|u| key(u) == wanted)
        .ok_or_else(ApiError::no_user_authority)?;
    Ok(Answer {
        data: json!({ "user": user_json(org, found, id_type, faults.hide_user_id) }),
        page: None,
    })
}

/// The hostile answers of a department's people listing (none of them real Lark behaviour).
fn misshape(fault: Option<&DeptFault>, data: &mut Value, list: &str, offset: usize) {
    let Some(data) = data.as_object_mut() else {
        return;
    };
    match fault {
        Some(DeptFault::NullItems) => {
            data.insert("items".into(), Value::Null);
        }
        Some(DeptFault::WithoutUserId) if offset == 0 => {
            if let Some(items) = data.get_mut("items").and_then(Value::as_array_mut) {
                for person in items.iter_mut().take(2).filter_map(Value::as_object_mut) {
                    person.remove("user_id");
                }
            }
        }
        Some(DeptFault::MissingStatus) => {
            if let Some(items) = data.get_mut("items").and_then(Value::as_array_mut) {
                for person in items.iter_mut().filter_map(Value::as_object_mut) {
                    person.remove("status");
                }
            }
        }
        Some(DeptFault::EndlessPages) => {
            let next = offset + 50;
            data.insert("has_more".into(), true.into());
            data.insert("page_token".into(), encode(list, next).into());
            let user_id = format!("endless{offset}");
            data.insert(
                "items".into(),
                json!([{"user_id": user_id, "open_id": format!("ou_{user_id}"), "name": "无尽"}]),
            );
        }
        _ => {}
    }
}

/// A person as the contact v3 user object shows them, department ids in `id_type`.
pub(crate) fn user_json(
    org: &LarkOrg,
    user: &SimUser,
    id_type: DeptIdType,
    hide_user_id: bool,
) -> Value {
    let mut object = Map::new();
    let mut text = |key: &str, value: &str| {
        if !value.is_empty() {
            object.insert(key.into(), value.into());
        }
    };
    text("union_id", &user.union_id);
    if !hide_user_id {
        text("user_id", &user.user_id);
    }
    text("open_id", &user.open_id);
    text("name", &user.name);
    text("en_name", &user.en_name);
    text("email", &user.email);
    text("enterprise_email", &user.enterprise_email);
    text("mobile", &user.mobile);
    text("job_title", &user.job_title);
    text("employee_no", &user.employee_no);
    if !user.mobile.is_empty() {
        object.insert("mobile_visible".into(), true.into());
    }
    if let Some(base) = user.avatar_origin.strip_suffix("origin.png") {
        object.insert(
            "avatar".into(),
            json!({
                "avatar_72": format!("{base}72.png"),
                "avatar_240": format!("{base}240.png"),
                "avatar_640": format!("{base}640.png"),
                "avatar_origin": user.avatar_origin,
            }),
        );
    } else if !user.avatar_origin.is_empty() {
        object.insert(
            "avatar".into(),
            json!({ "avatar_origin": user.avatar_origin }),
        );
    }
    object.insert(
        "status".into(),
        json!({
            "is_frozen": user.is_frozen,
            "is_resigned": user.is_resigned,
            "is_activated": user.is_activated,
            "is_exited": false,
            "is_unjoin": !user.is_activated,
        }),
    );
    let departments: Vec<Value> = user
        .departments
        .iter()
        .filter_map(|open| org.department(open))
        .map(|d| id_type.id_of(d).into())
        .collect();
    object.insert("department_ids".into(), Value::Array(departments));
    object.insert("employee_type".into(), 1.into());
    Value::Object(object)
}
