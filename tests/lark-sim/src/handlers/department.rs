//! `GET /open-apis/contact/v3/departments/:department_id/children` (direct sub-departments, or
//! the whole subtree with `fetch_child=true`, paged) and
//! `GET /open-apis/contact/v3/departments/:department_id` (one department).

use serde_json::{json, Map, Value};

use super::request::{department_id_type, requested_department, Answer, DeptIdType, Request};
use crate::envelope::ApiError;
use crate::faults::{DeptFault, Faults};
use crate::org::{LarkOrg, SimDepartment};
use crate::paging::PageRequest;

/// A page of a department's children.
pub(crate) fn children(request: &Request<'_>) -> Result<Answer, ApiError> {
    let Request {
        org,
        faults,
        id,
        query,
    } = *request;
    let id_type = department_id_type(query)?;
    let fetch_child = match query.get("fetch_child").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::param_error(&format!("fetch_child {other}"))),
    };
    let parent = requested_department(org, faults, id, id_type)?;
    let list = format!("children/{}/{fetch_child}", parent.open_department_id);
    let page = PageRequest::from_query(query, &list)?;
    let below: Vec<&SimDepartment> = if fetch_child {
        org.subtree(&parent.open_department_id)
            .iter()
            .skip(1)
            .filter_map(|open| org.department(open))
            .collect()
    } else {
        org.children_of(&parent.open_department_id)
    };
    let mut items: Vec<Value> = below
        .into_iter()
        .map(|d| as_the_app_sees(department_json(org, d, id_type), faults))
        .collect();
    let fault = faults.failing_departments.get(&parent.open_department_id);
    if fault == Some(&DeptFault::UnnamedChild) {
        if let Some(first) = items.first_mut().and_then(Value::as_object_mut) {
            first.remove("open_department_id");
        }
    }
    Ok(Answer {
        data: page.answer(items, &list),
        page: Some((parent.open_department_id.clone(), request.page_token())),
    })
}

/// One department.
pub(crate) fn department(request: &Request<'_>) -> Result<Answer, ApiError> {
    let Request { org, faults, .. } = *request;
    let id_type = department_id_type(request.query)?;
    let found = requested_department(org, faults, request.id, id_type)?;
    Ok(Answer {
        data: json!({ "department": as_the_app_sees(department_json(org, found, id_type), faults) }),
        page: None,
    })
}

/// A department without the fields the app's scopes do not reveal.
fn as_the_app_sees(mut department: Value, faults: &Faults) -> Value {
    if faults.hide_member_count {
        if let Some(object) = department.as_object_mut() {
            object.remove("member_count");
        }
    }
    department
}

/// A department as contact v3 describes it, ids in the requested type.
pub(crate) fn department_json(
    org: &LarkOrg,
    department: &SimDepartment,
    id_type: DeptIdType,
) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), department.name.clone().into());
    object.insert("i18n_name".into(), json!({ "zh_cn": department.name }));
    object.insert(
        "department_id".into(),
        department.department_id.clone().into(),
    );
    object.insert(
        "open_department_id".into(),
        department.open_department_id.clone().into(),
    );
    if let Some(parent) = department.parent.as_deref().and_then(|p| org.department(p)) {
        object.insert("parent_department_id".into(), id_type.id_of(parent).into());
    }
    object.insert(
        "member_count".into(),
        org.member_count(&department.open_department_id).into(),
    );
    object.insert("status".into(), json!({ "is_deleted": false }));
    Value::Object(object)
}
