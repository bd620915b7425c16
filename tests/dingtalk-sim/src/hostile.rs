//! The answer-shape faults: answers a real DingTalk would not give but a broken proxy, a bug or
//! a hostile server might, each switched on by a [`Faults`] setting. A made-up department of the
//! endless tree is answered here; every other answer is first made by the handlers, then reshaped.

use serde_json::{json, Value};

use crate::envelope::Reply;
use crate::faults::{DeptFault, Faults};
use crate::handlers::{Api, Call};

/// The first id of the made-up departments of [`Faults::endless_sub_departments`].
pub(crate) const ENDLESS_BASE: i64 = 1 << 40;

/// The answer to a call about a made-up department of the endless tree, when it is one.
pub(crate) fn made_up(faults: &Faults, api: Api, call: &Call) -> Option<Reply> {
    let dept = call.dept_id.filter(|id| *id >= ENDLESS_BASE)?;
    if !faults.endless_sub_departments {
        return None;
    }
    Some(Reply::Result(match api {
        Api::DeptListSub => json!([endless_child(dept)]),
        Api::DeptGet => json!({"dept_id": dept, "name": format!("无尽{dept}")}),
        _ => json!({"has_more": false, "list": []}),
    }))
}

fn endless_child(parent: i64) -> Value {
    let id = if parent >= ENDLESS_BASE {
        parent + 1
    } else {
        ENDLESS_BASE + parent
    };
    json!({"dept_id": id, "name": format!("无尽{id}"), "parent_id": parent})
}

/// Reshapes a handler's answer as the faults say.
pub(crate) fn misshape(faults: &Faults, api: Api, call: &Call, reply: &mut Reply) {
    let Reply::Result(result) = reply else {
        return;
    };
    if api == Api::DeptListSub {
        if let Some(children) = result.as_array_mut() {
            if faults.duplicate_listings {
                let again = children.clone();
                children.extend(again);
            }
            if faults.endless_sub_departments && call.dept_id == Some(crate::ROOT_DEPT_ID) {
                children.push(endless_child(crate::ROOT_DEPT_ID));
            }
        }
    }
    if api != Api::UserList {
        return;
    }
    let Some(page) = result.as_object_mut() else {
        return;
    };
    if faults.answer_padding > 0 {
        page.insert("padding".into(), "x".repeat(faults.answer_padding).into());
    }
    let fault = call
        .dept_id
        .and_then(|dept| faults.failing_departments.get(&dept));
    match fault {
        Some(DeptFault::BrokenCursor) => {
            page.insert("has_more".into(), true.into());
            page.remove("next_cursor");
        }
        Some(DeptFault::NullList) => {
            page.insert("list".into(), Value::Null);
        }
        Some(DeptFault::UnidentifiedMembers) => {
            if let Some(list) = page.get_mut("list").and_then(Value::as_array_mut) {
                for (member, userid) in list.iter_mut().zip([Value::Null, json!("")]) {
                    member["userid"] = userid;
                }
            }
        }
        Some(DeptFault::MissingActive) => {
            if let Some(list) = page.get_mut("list").and_then(Value::as_array_mut) {
                for member in list.iter_mut().filter_map(Value::as_object_mut) {
                    member.remove("active");
                }
            }
        }
        Some(DeptFault::EndlessPages) => {
            let next = call.cursor + 100;
            page.insert("has_more".into(), true.into());
            page.insert("next_cursor".into(), next.into());
            let userid = format!("endless{}", call.cursor);
            page.insert(
                "list".into(),
                json!([{"userid": userid, "name": "无尽", "active": true, "dept_id_list": [call.dept_id]}]),
            );
        }
        _ => {}
    }
}
