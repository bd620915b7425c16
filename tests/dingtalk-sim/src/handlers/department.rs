//! Department endpoints: `listsub` (direct children with details), `listsubid` (direct children
//! ids) and `get` (one department; the root has no `parent_id` and bears the org's name).

use serde::Serialize;
use serde_json::{json, Value};

use crate::directory::Directory;
use crate::envelope::ApiError;
use crate::org::SimDept;

/// A department as `listsub` lists it.
#[derive(Serialize)]
struct ListedDept<'a> {
    dept_id: i64,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<i64>,
    auto_add_user: bool,
    create_dept_group: bool,
}

impl<'a> ListedDept<'a> {
    fn new(dept: &'a SimDept) -> ListedDept<'a> {
        ListedDept {
            dept_id: dept.dept_id,
            name: &dept.name,
            parent_id: dept.parent_id,
            auto_add_user: true,
            create_dept_group: false,
        }
    }
}

/// A department as `get` details it.
#[derive(Serialize)]
struct DeptDetail<'a> {
    #[serde(flatten)]
    listed: ListedDept<'a>,
    order: i64,
    hide_dept: bool,
    outer_dept: bool,
    group_contain_sub_dept: bool,
    dept_manager_userid_list: Vec<&'a str>,
}

fn existing(dir: &Directory, dept_id: i64) -> Result<&SimDept, ApiError> {
    dir.department(dept_id)
        .ok_or_else(|| ApiError::dept_not_found(dept_id))
}

fn to_value(value: impl Serialize) -> Result<Value, ApiError> {
    // Serializing these plain structs cannot fail; answer "busy" rather than panic if it did.
    serde_json::to_value(value).map_err(|_| ApiError::busy())
}

/// `/topapi/v2/department/listsub`: the direct children of a department.
pub(super) fn list_sub(dir: &Directory, dept_id: i64) -> Result<Value, ApiError> {
    existing(dir, dept_id)?;
    let children: Vec<ListedDept<'_>> = dir.children(dept_id).map(ListedDept::new).collect();
    to_value(children)
}

/// `/topapi/v2/department/listsubid`: the ids of the direct children of a department.
pub(super) fn list_sub_ids(dir: &Directory, dept_id: i64) -> Result<Value, ApiError> {
    existing(dir, dept_id)?;
    let ids: Vec<i64> = dir.children(dept_id).map(|d| d.dept_id).collect();
    Ok(json!({ "dept_id_list": ids }))
}

/// `/topapi/v2/department/get`: one department's details.
pub(super) fn get(dir: &Directory, dept_id: i64) -> Result<Value, ApiError> {
    let dept = existing(dir, dept_id)?;
    let managers = dir
        .members(dept_id)
        .all()
        .filter(|u| u.leader)
        .map(|u| u.userid.as_str())
        .collect();
    to_value(DeptDetail {
        listed: ListedDept::new(dept),
        order: dept.dept_id,
        hide_dept: false,
        outer_dept: false,
        group_contain_sub_dept: false,
        dept_manager_userid_list: managers,
    })
}
