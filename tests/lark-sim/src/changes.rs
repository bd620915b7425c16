//! The tenant changes a test makes while a syncer listens: each edits the tenant (what the
//! contact API answers from then on) AND emits the contact v3 event Lark sends for it, with the
//! full `object` and, for updates and deletions, the `old_object`. Plus `emit_raw` for events no
//! change explains. Every method returns the `event_id`.

use serde_json::{json, Map, Value};

use crate::callback::ContactEvent;
use crate::fake::FakeLark;
use crate::handlers::{department_json, user_json, DeptIdType};
use crate::org::SimUser;

/// The previous values of the top-level fields that differ between two objects.
fn old_object(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let (was, is) = (
        before.as_object().unwrap_or(&empty),
        after.as_object().unwrap_or(&empty),
    );
    let mut old = Map::new();
    for key in was.keys().chain(is.keys()) {
        if was.get(key) != is.get(key) && !old.contains_key(key) {
            let previous = was.get(key).cloned().unwrap_or_else(|| "".into());
            old.insert(key.clone(), previous);
        }
    }
    Value::Object(old)
}

impl FakeLark {
    fn emit(&self, kind: ContactEvent, event: Value) -> String {
        self.callbacks()
            .emit(self.shared(), kind.event_type(), event)
    }

    /// A new hire: added to the tenant, `contact.user.created_v3` emitted.
    pub fn hire(&self, user: SimUser) -> String {
        let mut object = Value::Null;
        self.update_org(|org| {
            let user_id = user.user_id.clone();
            org.add_user(user);
            if let Some(added) = org.user(&user_id) {
                object = user_json(org, added, DeptIdType::Open, false);
            }
        });
        self.emit(ContactEvent::UserCreated, json!({ "object": object }))
    }

    /// Edits a person (by `user_id`): `contact.user.updated_v3` with the changed fields' old
    /// values in `old_object`. None when nobody has this `user_id`.
    pub fn modify(&self, user_id: &str, edit: impl FnOnce(&mut SimUser)) -> Option<String> {
        let mut objects = None;
        self.update_org(|org| {
            let Some(before) = org
                .user(user_id)
                .map(|u| user_json(org, u, DeptIdType::Open, false))
            else {
                return;
            };
            if let Some(user) = org.user_mut(user_id) {
                edit(user);
            }
            if let Some(after) = org.user(user_id) {
                objects = Some((before, user_json(org, after, DeptIdType::Open, false)));
            }
        });
        let (before, after) = objects?;
        let old = old_object(&before, &after);
        Some(self.emit(
            ContactEvent::UserUpdated,
            json!({ "object": after, "old_object": old }),
        ))
    }

    /// Moves a person to other departments (`open_department_id`s, the first the main one).
    pub fn move_user(&self, user_id: &str, departments: Vec<String>) -> Option<String> {
        self.modify(user_id, |user| user.departments = departments)
    }

    /// A leaver: deleted from the tenant (`GET users/:user_id` answers 41050 from now on),
    /// `contact.user.deleted_v3` with their departments in `old_object.department_ids`.
    pub fn leave(&self, user_id: &str) -> Option<String> {
        let mut object = None;
        self.update_org(|org| {
            let shown = org.user(user_id).map(|u| {
                (
                    user_json(org, u, DeptIdType::Open, false),
                    u.departments.clone(),
                )
            });
            if shown.is_some() {
                org.remove_user(user_id);
            }
            object = shown;
        });
        let (object, departments) = object?;
        Some(self.emit(
            ContactEvent::UserDeleted,
            json!({ "object": object, "old_object": { "department_ids": departments } }),
        ))
    }

    /// A new department under `parent` (an `open_department_id`, `0` for the root): its id and
    /// the `contact.department.created_v3` event, None when the parent does not exist.
    pub fn create_department(&self, parent: &str, name: &str) -> Option<(String, String)> {
        let mut created = None;
        self.update_org(|org| {
            if let Some(id) = org.add_department(parent, name) {
                let object = org
                    .department(&id)
                    .map(|d| department_json(org, d, DeptIdType::Open));
                created = object.map(|object| (id, object));
            }
        });
        let (id, object) = created?;
        let event_id = self.emit(ContactEvent::DepartmentCreated, json!({ "object": object }));
        Some((id, event_id))
    }

    /// Renames a department: `contact.department.updated_v3` with the old name in `old_object`.
    pub fn rename_department(&self, open_department_id: &str, name: &str) -> Option<String> {
        let mut objects = None;
        self.update_org(|org| {
            let before = org
                .department(open_department_id)
                .map(|d| department_json(org, d, DeptIdType::Open));
            if org.rename_department(open_department_id, name) {
                let after = org
                    .department(open_department_id)
                    .map(|d| department_json(org, d, DeptIdType::Open));
                objects = before.zip(after);
            }
        });
        let (before, after) = objects?;
        let old = old_object(&before, &after);
        Some(self.emit(
            ContactEvent::DepartmentUpdated,
            json!({ "object": after, "old_object": old }),
        ))
    }

    /// Deletes an emptied department (no people, no sub-departments; Lark refuses others):
    /// `contact.department.deleted_v3`. None when refused.
    pub fn remove_department(&self, open_department_id: &str) -> Option<String> {
        let mut object = None;
        self.update_org(|org| {
            let shown = org
                .department(open_department_id)
                .map(|d| department_json(org, d, DeptIdType::Open));
            if org.delete_empty_department(open_department_id) {
                object = shown;
            }
        });
        let mut object = object?;
        object["status"] = json!({ "is_deleted": true });
        Some(self.emit(ContactEvent::DepartmentDeleted, json!({ "object": object })))
    }

    /// Emits an event no change explains (an unknown type, a hostile `event`).
    pub fn emit_raw(&self, event_type: &str, event: Value) -> String {
        self.callbacks().emit(self.shared(), event_type, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_object_holds_the_previous_values_of_what_changed() {
        let before = json!({"name": "a", "email": "x@y", "mobile": "1"});
        let after = json!({"name": "b", "mobile": "1", "job_title": "t"});
        assert_eq!(
            old_object(&before, &after),
            json!({"name": "a", "email": "x@y", "job_title": ""})
        );
    }
}
