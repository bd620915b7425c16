//! The fake's database: users and groups as JSON objects, indexed like IAM's tables.
//!
//! Users are keyed by (owner, name) with secondary indexes on email (case-insensitive, as on
//! MySQL's default collation), phone and `id`, and a cached "newest first" order so a page
//! is a slice, not a scan. Knows nothing about HTTP, auth or validation messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::schema::str_of;

/// A user or group record.
pub(crate) type Record = Map<String, Value>;

#[derive(Debug)]
struct Entry {
    seq: u64,
    user: Record,
}

#[derive(Debug, Default)]
struct OrgUsers {
    users: HashMap<String, Entry>,
    by_email: HashMap<String, BTreeSet<String>>,
    by_phone: HashMap<String, BTreeSet<String>>,
    by_id: HashMap<String, BTreeSet<String>>,
    /// Names sorted like `ORDER BY created_time DESC` (ties: newest insert first).
    order: Option<Vec<String>>,
    /// Names sorted like `ORDER BY name ASC`.
    by_name: Option<Vec<String>>,
}

/// The order of a page of one organization's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageOrder {
    /// `ORDER BY created_time DESC`, ties in insertion order (newest first).
    Newest,
    /// `ORDER BY created_time DESC` as MySQL answers it without a tiebreaker: users created in
    /// the same second come in an order that may differ on every request (the number is a
    /// per-request nonce that picks it).
    NewestUnstableTies(u64),
    /// `ORDER BY name ASC` (`sortField=name&sortOrder=ascend`).
    NameAscending,
}

fn index_add(index: &mut HashMap<String, BTreeSet<String>>, key: String, name: &str) {
    if !key.is_empty() {
        index.entry(key).or_default().insert(name.to_string());
    }
}

fn index_remove(index: &mut HashMap<String, BTreeSet<String>>, key: &str, name: &str) {
    if let Some(names) = index.get_mut(key) {
        names.remove(name);
        if names.is_empty() {
            index.remove(key);
        }
    }
}

impl OrgUsers {
    fn index(&mut self, name: &str, user: &Record) {
        index_add(
            &mut self.by_email,
            str_of(user, "email").to_lowercase(),
            name,
        );
        index_add(&mut self.by_phone, str_of(user, "phone").to_string(), name);
        index_add(&mut self.by_id, str_of(user, "id").to_string(), name);
    }

    fn unindex(&mut self, name: &str, user: &Record) {
        index_remove(
            &mut self.by_email,
            &str_of(user, "email").to_lowercase(),
            name,
        );
        index_remove(&mut self.by_phone, str_of(user, "phone"), name);
        index_remove(&mut self.by_id, str_of(user, "id"), name);
    }

    fn first_in(&self, index: &HashMap<String, BTreeSet<String>>, key: &str) -> Option<&Record> {
        let name = index.get(key)?.iter().next()?;
        self.users.get(name).map(|entry| &entry.user)
    }

    fn sorted_names(&mut self) -> &[String] {
        if self.order.is_none() {
            let mut names: Vec<(&str, u64, &String)> = self
                .users
                .iter()
                .map(|(name, entry)| (str_of(&entry.user, "createdTime"), entry.seq, name))
                .collect();
            names.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
            self.order = Some(names.into_iter().map(|(_, _, name)| name.clone()).collect());
        }
        self.order.as_deref().unwrap_or_default()
    }

    fn names_ascending(&mut self) -> &[String] {
        if self.by_name.is_none() {
            let mut names: Vec<String> = self.users.keys().cloned().collect();
            names.sort();
            self.by_name = Some(names);
        }
        self.by_name.as_deref().unwrap_or_default()
    }

    /// Forgets the cached orders after a write that may change them.
    fn invalidate(&mut self) {
        self.order = None;
        self.by_name = None;
    }
}

/// Rotates every run of names with the same `createdTime` by `nonce`: the same set of users in
/// an order that changes from one request to the next, as an unstable sort would give.
fn shuffle_ties(names: &[String], users: &HashMap<String, Entry>, nonce: u64) -> Vec<String> {
    let created = |name: &String| {
        users
            .get(name)
            .map_or("", |entry| str_of(&entry.user, "createdTime"))
    };
    let mut shuffled = Vec::with_capacity(names.len());
    let mut start = 0;
    while start < names.len() {
        let stamp = created(&names[start]);
        let end = names[start..]
            .iter()
            .position(|name| created(name) != stamp)
            .map_or(names.len(), |len| start + len);
        let mut run = names[start..end].to_vec();
        let len = run.len();
        run.rotate_left((nonce as usize).wrapping_mul(7919) % len);
        shuffled.extend(run);
        start = end;
    }
    shuffled
}

/// Users and groups of every organization.
#[derive(Debug, Default)]
pub(crate) struct Store {
    orgs: HashMap<String, OrgUsers>,
    groups: BTreeMap<(String, String), Record>,
    next_seq: u64,
}

impl Store {
    /// The user `owner/name`.
    pub(crate) fn user(&self, owner: &str, name: &str) -> Option<&Record> {
        self.orgs
            .get(owner)?
            .users
            .get(name)
            .map(|entry| &entry.user)
    }

    /// Inserts (or overwrites) a user keyed by its `owner` and `name`.
    pub(crate) fn insert_user(&mut self, user: Record) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.put(seq, user);
    }

    fn put(&mut self, seq: u64, user: Record) {
        let owner = str_of(&user, "owner").to_string();
        let name = str_of(&user, "name").to_string();
        self.remove_user(&owner, &name);
        let org = self.orgs.entry(owner).or_default();
        org.index(&name, &user);
        org.users.insert(name, Entry { seq, user });
        org.invalidate();
    }

    /// Removes the user `owner/name`, returning it.
    pub(crate) fn remove_user(&mut self, owner: &str, name: &str) -> Option<Record> {
        let org = self.orgs.get_mut(owner)?;
        let entry = org.users.remove(name)?;
        org.unindex(name, &entry.user);
        org.invalidate();
        Some(entry.user)
    }

    /// Replaces the user stored at `owner/name` by `user`, which may carry a new owner or name
    /// (a rename). Keeps its place in the insertion order.
    pub(crate) fn replace_user(&mut self, owner: &str, name: &str, user: Record) {
        let same_key = str_of(&user, "owner") == owner && str_of(&user, "name") == name;
        let Some(org) = self.orgs.get_mut(owner) else {
            return self.insert_user(user);
        };
        let Some(entry) = org.users.remove(name) else {
            return self.insert_user(user);
        };
        org.unindex(name, &entry.user);
        if same_key {
            let keeps_order = str_of(&entry.user, "createdTime") == str_of(&user, "createdTime");
            org.index(name, &user);
            let seq = entry.seq;
            org.users.insert(name.to_string(), Entry { seq, user });
            if !keeps_order {
                org.invalidate();
            }
        } else {
            org.invalidate();
            self.put(entry.seq, user);
        }
    }

    /// Users of `owner` newest first; `owner == ""` means every organization (as the server's
    /// unfiltered query does).
    pub(crate) fn sorted_users(&mut self, owner: &str) -> Vec<&Record> {
        if owner.is_empty() {
            let mut all: Vec<(&str, u64, &Record)> = self
                .orgs
                .values()
                .flat_map(|org| org.users.values())
                .map(|entry| (str_of(&entry.user, "createdTime"), entry.seq, &entry.user))
                .collect();
            all.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
            return all.into_iter().map(|(_, _, user)| user).collect();
        }
        let Some(org) = self.orgs.get_mut(owner) else {
            return Vec::new();
        };
        org.sorted_names();
        let org = &*org;
        org.order
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(|name| org.users.get(name).map(|entry| &entry.user))
            .collect()
    }

    /// One page of `owner`'s users in `order`, without touching the others.
    pub(crate) fn user_page(
        &mut self,
        owner: &str,
        offset: usize,
        limit: usize,
        order: PageOrder,
    ) -> Vec<&Record> {
        let Some(org) = self.orgs.get_mut(owner) else {
            return Vec::new();
        };
        let end = org.users.len().min(offset.saturating_add(limit));
        let start = offset.min(end);
        let names: Vec<String> = match order {
            PageOrder::Newest => org.sorted_names()[start..end].to_vec(),
            PageOrder::NameAscending => org.names_ascending()[start..end].to_vec(),
            PageOrder::NewestUnstableTies(nonce) => {
                org.sorted_names();
                let sorted = org.order.as_deref().unwrap_or_default();
                shuffle_ties(sorted, &org.users, nonce)[start..end].to_vec()
            }
        };
        let org = &*org;
        names
            .iter()
            .filter_map(|name| org.users.get(name).map(|entry| &entry.user))
            .collect()
    }

    /// Number of users of `owner` (`""`: all organizations).
    pub(crate) fn user_count(&self, owner: &str) -> usize {
        if owner.is_empty() {
            self.orgs.values().map(|org| org.users.len()).sum()
        } else {
            self.orgs.get(owner).map_or(0, |org| org.users.len())
        }
    }

    /// The first user of `owner` with this email (case-insensitive).
    pub(crate) fn user_by_email(&self, owner: &str, email: &str) -> Option<&Record> {
        let org = self.orgs.get(owner)?;
        org.first_in(&org.by_email, &email.to_lowercase())
    }

    /// The first user of `owner` with this phone.
    pub(crate) fn user_by_phone(&self, owner: &str, phone: &str) -> Option<&Record> {
        let org = self.orgs.get(owner)?;
        org.first_in(&org.by_phone, phone)
    }

    /// The first user of `owner` whose `id` field is `user_id`.
    pub(crate) fn user_by_user_id(&self, owner: &str, user_id: &str) -> Option<&Record> {
        let org = self.orgs.get(owner)?;
        org.first_in(&org.by_id, user_id)
    }

    /// Every organization name that holds users, sorted.
    pub(crate) fn user_owners(&self) -> Vec<String> {
        let mut owners: Vec<String> = self.orgs.keys().cloned().collect();
        owners.sort();
        owners
    }

    /// The group `owner/name`.
    pub(crate) fn group(&self, owner: &str, name: &str) -> Option<&Record> {
        self.groups.get(&(owner.to_string(), name.to_string()))
    }

    /// Inserts (or overwrites) a group keyed by its `owner` and `name`.
    pub(crate) fn insert_group(&mut self, group: Record) {
        let key = (
            str_of(&group, "owner").to_string(),
            str_of(&group, "name").to_string(),
        );
        self.groups.insert(key, group);
    }

    /// Removes the group `owner/name`, returning it.
    pub(crate) fn remove_group(&mut self, owner: &str, name: &str) -> Option<Record> {
        self.groups.remove(&(owner.to_string(), name.to_string()))
    }

    /// Groups of `owner` (`""`: all), newest `createdTime` first, then by name.
    pub(crate) fn groups_of(&self, owner: &str) -> Vec<&Record> {
        let mut groups: Vec<&Record> = self
            .groups
            .iter()
            .filter(|((group_owner, _), _)| owner.is_empty() || group_owner == owner)
            .map(|(_, group)| group)
            .collect();
        groups.sort_by(|a, b| {
            str_of(b, "createdTime")
                .cmp(str_of(a, "createdTime"))
                .then_with(|| str_of(a, "name").cmp(str_of(b, "name")))
        });
        groups
    }

    /// Whether any organization has a group called `name` (the column has a unique index).
    pub(crate) fn group_name_taken(&self, name: &str) -> bool {
        self.groups.keys().any(|(_, group_name)| group_name == name)
    }

    /// Groups of any organization whose `parentId` is `name` (the server does not filter by
    /// owner here).
    pub(crate) fn child_group_count(&self, name: &str) -> usize {
        self.groups
            .values()
            .filter(|group| str_of(group, "parentId") == name)
            .count()
    }

    /// Groups whose `parentId` is `old` get `new` instead.
    pub(crate) fn reparent_groups(&mut self, old: &str, new: &str) {
        for group in self.groups.values_mut() {
            if str_of(group, "parentId") == old {
                group.insert("parentId".to_string(), Value::String(new.to_string()));
            }
        }
    }

    /// Users of `owner` (newest first) whose `groups` contains `group_id`.
    pub(crate) fn group_members(&mut self, owner: &str, group_id: &str) -> Vec<&Record> {
        self.sorted_users(owner)
            .into_iter()
            .filter(|user| is_member(user, group_id))
            .collect()
    }

    /// `org/name` ids of the members of every group of `owner`, keyed by group id.
    pub(crate) fn memberships(&mut self, owner: &str) -> HashMap<String, Vec<String>> {
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for user in self.sorted_users(owner) {
            let user_id = format!("{}/{}", str_of(user, "owner"), str_of(user, "name"));
            for group in user
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(group) = group.as_str() {
                    members
                        .entry(group.to_string())
                        .or_default()
                        .push(user_id.clone());
                }
            }
        }
        members
    }

    /// Users of `owner` whose `groups` contains exactly `old` get `new` there instead
    /// (object/group.go `GroupChangeTrigger`, which compares bare names).
    pub(crate) fn rename_group_in_users(&mut self, owner: &str, old: &str, new: &str) {
        let Some(org) = self.orgs.get_mut(owner) else {
            return;
        };
        for entry in org.users.values_mut() {
            if let Some(Value::Array(groups)) = entry.user.get_mut("groups") {
                for group in groups.iter_mut() {
                    if group.as_str() == Some(old) {
                        *group = Value::String(new.to_string());
                    }
                }
            }
        }
    }
}

/// Whether the user's `groups` array holds `group_id`.
pub(crate) fn is_member(user: &Record, group_id: &str) -> bool {
    user.get("groups")
        .and_then(Value::as_array)
        .is_some_and(|groups| groups.iter().any(|group| group.as_str() == Some(group_id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(name: &str, created: &str) -> Record {
        let value = json!({"owner": "acme", "name": name, "createdTime": created});
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn pages_are_newest_first_and_stable_on_ties() {
        let mut store = Store::default();
        store.insert_user(user("a", "2024-01-01T00:00:00Z"));
        store.insert_user(user("b", "2024-01-02T00:00:00Z"));
        store.insert_user(user("c", "2024-01-01T00:00:00Z"));
        let names: Vec<&str> = store
            .user_page("acme", 0, 10, PageOrder::Newest)
            .into_iter()
            .map(|u| str_of(u, "name"))
            .collect();
        assert_eq!(names, ["b", "c", "a"]);
        assert_eq!(store.user_page("acme", 2, 10, PageOrder::Newest).len(), 1);
        assert!(store.user_page("acme", 5, 10, PageOrder::Newest).is_empty());
    }

    fn names_of(store: &mut Store, offset: usize, limit: usize, order: PageOrder) -> Vec<String> {
        store
            .user_page("acme", offset, limit, order)
            .into_iter()
            .map(|u| str_of(u, "name").to_owned())
            .collect()
    }

    #[test]
    fn pages_by_name_are_stable_and_ties_may_come_in_another_order_per_request() {
        let mut store = Store::default();
        for name in ["d", "a", "c", "b", "e"] {
            store.insert_user(user(name, "2024-01-01T00:00:00Z"));
        }
        assert_eq!(
            names_of(&mut store, 0, 10, PageOrder::NameAscending),
            ["a", "b", "c", "d", "e"]
        );
        let first = names_of(&mut store, 0, 2, PageOrder::NewestUnstableTies(1));
        let again = names_of(&mut store, 0, 2, PageOrder::NewestUnstableTies(2));
        assert_ne!(first, again, "the same page differs between two requests");
        let mut whole = names_of(&mut store, 0, 10, PageOrder::NewestUnstableTies(3));
        whole.sort();
        assert_eq!(
            whole,
            ["a", "b", "c", "d", "e"],
            "every user is still there once"
        );
    }

    #[test]
    fn rename_moves_the_indexes() {
        let mut store = Store::default();
        let mut alice = user("alice", "t");
        alice.insert("email".into(), json!("A@x.io"));
        store.insert_user(alice.clone());
        alice.insert("name".into(), json!("alice2"));
        store.replace_user("acme", "alice", alice);
        assert!(store.user("acme", "alice").is_none());
        let found = store
            .user_by_email("acme", "a@X.io")
            .map(|u| str_of(u, "name"));
        assert_eq!(found, Some("alice2"));
    }
}
