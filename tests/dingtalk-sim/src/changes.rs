//! The directory changes a test makes while a syncer listens: each edits the organization (what
//! `user/get`, `user/list` and `department/get` answer from then on) AND emits the event DingTalk
//! sends for it. Plus events no change explains: `emit_raw` (unknown or hostile events) and
//! `emit_stale_leave` (a leave for someone still listed). Every method returns the `eventId`.

use serde_json::{Map, Value};

use crate::events::{dept_data, now_ms, types, user_data};
use crate::fake::FakeDingTalk;
use crate::org::SimUser;

/// Reads one field of a user, as `diffInfo` shows it.
type Field = fn(&SimUser) -> Value;

/// The fields `diffInfo` describes, by DingTalk's name, read from a user.
const DIFF_FIELDS: [(&str, Field); 6] = [
    ("name", |u| u.name.clone().into()),
    ("email", |u| u.email.clone().into()),
    ("jobNumber", |u| u.job_number.clone().into()),
    ("workPlace", |u| u.work_place.clone().into()),
    ("remark", |u| u.remark.clone().into()),
    ("extFields", |u| u.extension.clone().into()),
];

/// `diffInfo` of a modification: `prev`/`curr` of the described fields that changed (hire date
/// included), None when no described field changed (a move, a mobile number, a title).
fn diff_info(before: &SimUser, after: &SimUser) -> Option<Value> {
    let mut prev = Map::new();
    let mut curr = Map::new();
    for (name, read) in DIFF_FIELDS {
        let (was, is) = (read(before), read(after));
        if was != is {
            prev.insert(name.into(), was);
            curr.insert(name.into(), is);
        }
    }
    if before.hired_date != after.hired_date {
        prev.insert("hiredDate".into(), before.hired_date.into());
        curr.insert("hiredDate".into(), after.hired_date.into());
    }
    if prev.is_empty() {
        return None;
    }
    Some(serde_json::json!([{
        "userid": after.userid,
        "prev": prev,
        "curr": curr,
    }]))
}

impl FakeDingTalk {
    fn emit_user_event(
        &self,
        event_type: &str,
        userids: &[&str],
        extra: Option<(&str, Value)>,
    ) -> String {
        let hub = self.hub();
        let born = now_ms();
        let mut data = user_data(hub.key_case(), born, userids);
        if let Some((key, value)) = extra {
            data.insert(key.into(), value);
        }
        hub.emit(self.shared(), event_type, born, data)
    }

    fn emit_dept_event(&self, event_type: &str, dept_ids: &[i64]) -> String {
        let hub = self.hub();
        let born = now_ms();
        let data = dept_data(hub.key_case(), born, dept_ids);
        hub.emit(self.shared(), event_type, born, data)
    }

    /// A new hire (or a returner, hired again): added to the org, `user_add_org` emitted.
    pub fn hire(&self, user: SimUser) -> String {
        let userid = user.userid.clone();
        self.update_org(|org| org.add_user(user));
        self.emit_user_event(types::USER_ADD_ORG, &[&userid], None)
    }

    /// Edits a person in place; `user_modify_org` is emitted with `diffInfo` for the described
    /// fields that changed. None (and no event) when nobody has this userid.
    pub fn modify(&self, userid: &str, edit: impl FnOnce(&mut SimUser)) -> Option<String> {
        let mut change = None;
        self.update_org(|org| {
            if let Some(user) = org.user_mut(userid) {
                let before = user.clone();
                edit(user);
                change = Some(diff_info(&before, user));
            }
        });
        let diff = change?;
        Some(self.emit_user_event(
            types::USER_MODIFY_ORG,
            &[userid],
            diff.map(|diff| ("diffInfo", diff)),
        ))
    }

    /// Moves a person to other departments (the first the main one): `user_modify_org` without
    /// `diffInfo`, as DingTalk does not describe moves. None when nobody has this userid.
    pub fn move_user(&self, userid: &str, dept_ids: Vec<i64>) -> Option<String> {
        self.modify(userid, |user| user.dept_ids = dept_ids)
    }

    /// A leaver: removed from the org (`user/get` answers 60121 from now on), `user_leave_org`
    /// emitted. None when nobody has this userid.
    pub fn leave(&self, userid: &str) -> Option<String> {
        let mut removed = false;
        self.update_org(|org| removed = org.remove_user(userid).is_some());
        removed.then(|| self.emit_user_event(types::USER_LEAVE_ORG, &[userid], None))
    }

    /// A person activates their DingTalk account: `active` set, `user_active_org` emitted.
    /// None when nobody has this userid.
    pub fn reactivate(&self, userid: &str) -> Option<String> {
        let mut found = false;
        self.update_org(|org| {
            if let Some(user) = org.user_mut(userid) {
                user.active = true;
                found = true;
            }
        });
        found.then(|| self.emit_user_event(types::USER_ACTIVE_ORG, &[userid], None))
    }

    /// A new department under `parent_id`: its fresh id and the `org_dept_create` event, None
    /// when the parent does not exist.
    pub fn create_department(&self, parent_id: i64, name: &str) -> Option<(i64, String)> {
        let mut created = None;
        self.update_org(|org| created = org.add_department(parent_id, name));
        let dept_id = created?;
        Some((
            dept_id,
            self.emit_dept_event(types::ORG_DEPT_CREATE, &[dept_id]),
        ))
    }

    /// Renames a department: `org_dept_modify`. None when it does not exist.
    pub fn rename_department(&self, dept_id: i64, name: &str) -> Option<String> {
        let mut renamed = false;
        self.update_org(|org| renamed = org.rename_department(dept_id, name));
        renamed.then(|| self.emit_dept_event(types::ORG_DEPT_MODIFY, &[dept_id]))
    }

    /// Moves a department under another parent: `org_dept_modify`. None when refused.
    pub fn move_department(&self, dept_id: i64, new_parent_id: i64) -> Option<String> {
        let mut moved = false;
        self.update_org(|org| moved = org.move_department(dept_id, new_parent_id));
        moved.then(|| self.emit_dept_event(types::ORG_DEPT_MODIFY, &[dept_id]))
    }

    /// Removes a department and its subtree. DingTalk removes only emptied departments, so its
    /// members first move to the parent (one `user_modify_org` for them, when there are any),
    /// then one `org_dept_remove` names every removed id. The event ids, moves first; empty when
    /// the department does not exist or is the root.
    pub fn remove_department(&self, dept_id: i64) -> Vec<String> {
        let mut removed = Vec::new();
        let mut moved: Vec<String> = Vec::new();
        self.update_org(|org| {
            let subtree = org.subtree(dept_id);
            let before: Vec<(String, Vec<i64>)> = org
                .users
                .iter()
                .map(|u| (u.userid.clone(), u.dept_ids.clone()))
                .collect();
            removed = org.remove_department(dept_id);
            if removed.is_empty() {
                return;
            }
            moved = before
                .into_iter()
                .filter(|(_, depts)| depts.iter().any(|d| subtree.contains(d)))
                .map(|(userid, _)| userid)
                .collect();
        });
        if removed.is_empty() {
            return Vec::new();
        }
        let mut events = Vec::new();
        if !moved.is_empty() {
            let ids: Vec<&str> = moved.iter().map(String::as_str).collect();
            events.push(self.emit_user_event(types::USER_MODIFY_ORG, &ids, None));
        }
        events.push(self.emit_dept_event(types::ORG_DEPT_REMOVE, &removed));
        events
    }

    /// Emits an event the org does not explain: any type, any `data` (an unknown event type, a
    /// hostile document). Returns its `eventId`.
    pub fn emit_raw(&self, event_type: &str, data: Value) -> String {
        let data = match data {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("value".into(), other);
                map
            }
        };
        self.hub().emit(self.shared(), event_type, now_ms(), data)
    }

    /// A `user_leave_org` for a person DingTalk still lists (a stale or forged event): the org
    /// is not changed.
    pub fn emit_stale_leave(&self, userid: &str) -> String {
        self.emit_user_event(types::USER_LEAVE_ORG, &[userid], None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_info_describes_only_the_fields_dingtalk_lists() {
        let before = SimUser::new("u1", "张伟", vec![1]);
        let mut after = before.clone();
        after.name = "张伟伟".into();
        after.title = "经理".into();
        let diff = diff_info(&before, &after).expect("the name changed");
        assert_eq!(diff[0]["prev"], serde_json::json!({"name": "张伟"}));
        assert_eq!(diff[0]["curr"], serde_json::json!({"name": "张伟伟"}));
        let mut moved = before.clone();
        moved.dept_ids = vec![2];
        assert_eq!(diff_info(&before, &moved), None);
    }
}
