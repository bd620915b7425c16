//! The embedded target: a SQLite file holding organizations' users with the same fields and the
//! same rules as IAM (valid names, unique name, e-mail and phone per organization), so `sync` and
//! `demo` work on a machine with nothing else installed. SQLite work runs on blocking threads.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension};
use syncer_core::engine::is_valid_user_name;
use syncer_core::{
    normalize_phone, ConnectionCheck, IamField, IamGroup, IamUser, Target, TargetError, UserKeys,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',  -- normalized; email is stored lowercased: both indexed
    is_forbidden INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    created_time TEXT NOT NULL,
    updated_time TEXT NOT NULL,
    PRIMARY KEY (owner, name)
);
CREATE INDEX IF NOT EXISTS users_by_id ON users (owner, id);
CREATE INDEX IF NOT EXISTS users_by_email ON users (owner, email);
CREATE INDEX IF NOT EXISTS users_by_phone ON users (owner, phone);
CREATE TABLE IF NOT EXISTS groups (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    PRIMARY KEY (owner, name)
);
";

/// The embedded SQLite store.
pub struct EmbeddedTarget {
    path: PathBuf,
    db: Arc<Mutex<Connection>>,
}

impl EmbeddedTarget {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, TargetError> {
        let unavailable = |error: rusqlite::Error| TargetError::Unavailable {
            api: "embedded store".to_owned(),
            message: format!("cannot open {}: {error}", path.display()),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| TargetError::Unavailable {
                api: "embedded store".to_owned(),
                message: format!("cannot create {}: {error}", parent.display()),
            })?;
        }
        let db = Connection::open(path).map_err(unavailable)?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        db.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(unavailable)?;
        db.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(Self {
            path: path.to_owned(),
            db: Arc::new(Mutex::new(db)),
        })
    }

    /// Runs `work` on a blocking thread with the connection.
    async fn with_db<T, F>(&self, api: &'static str, work: F) -> Result<T, TargetError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, TargetError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || work(&mut db.lock()))
            .await
            .map_err(|error| TargetError::Unavailable {
                api: api.to_owned(),
                message: format!("embedded store task failed: {error}"),
            })?
    }
}

fn storage(api: &'static str) -> impl Fn(rusqlite::Error) -> TargetError {
    move |error| TargetError::Unavailable {
        api: api.to_owned(),
        message: format!("embedded store error: {error}"),
    }
}

fn rejected(api: &str, message: String) -> TargetError {
    TargetError::Rejected {
        api: api.to_owned(),
        message,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn encode(user: &IamUser) -> Result<String, TargetError> {
    serde_json::to_string(user).map_err(|error| TargetError::Unavailable {
        api: "embedded store".to_owned(),
        message: format!("cannot encode user: {error}"),
    })
}

fn decode(body: &str) -> Result<IamUser, TargetError> {
    serde_json::from_str(body).map_err(|error| TargetError::Unavailable {
        api: "embedded store".to_owned(),
        message: format!("stored user is not valid JSON: {error}"),
    })
}

/// The indexed form of an e-mail: IAM treats e-mails case-insensitively.
fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Another user of the organization holding `user`'s e-mail or phone, like IAM refuses.
fn uniqueness_conflict(
    db: &Connection,
    api: &'static str,
    user: &IamUser,
) -> Result<Option<String>, TargetError> {
    if !user.email.is_empty() {
        let holder: Option<String> = db
            .query_row(
                "SELECT name FROM users WHERE owner = ?1 AND email = ?2 AND name != ?3",
                params![
                    user.owner.as_str(),
                    email_key(&user.email),
                    user.name.as_str()
                ],
                |row| row.get(0),
            )
            .optional()
            .map_err(storage(api))?;
        if let Some(holder) = holder {
            return Ok(Some(format!(
                "e-mail {} is already used by user {holder}",
                user.email
            )));
        }
    }
    let phone = normalize_phone(&user.phone);
    if !phone.is_empty() {
        let holder: Option<String> = db
            .query_row(
                "SELECT name FROM users WHERE owner = ?1 AND phone = ?2 AND name != ?3",
                params![user.owner.as_str(), phone, user.name.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(storage(api))?;
        if let Some(holder) = holder {
            return Ok(Some(format!(
                "phone {} is already used by user {holder}",
                user.phone
            )));
        }
    }
    Ok(None)
}

fn decode_group(body: &str) -> Result<IamGroup, TargetError> {
    serde_json::from_str(body).map_err(|error| TargetError::Unavailable {
        api: "embedded store".to_owned(),
        message: format!("stored group is not valid JSON: {error}"),
    })
}

fn group_exists(
    db: &Connection,
    api: &'static str,
    owner: &str,
    name: &str,
) -> Result<bool, TargetError> {
    db.query_row(
        "SELECT 1 FROM groups WHERE owner = ?1 AND name = ?2",
        params![owner, name],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(storage(api))
}

fn write_group(db: &Connection, api: &'static str, group: &IamGroup) -> Result<(), TargetError> {
    let body = serde_json::to_string(group).map_err(|error| TargetError::Unavailable {
        api: api.to_owned(),
        message: format!("cannot encode group: {error}"),
    })?;
    db.execute(
        "INSERT OR REPLACE INTO groups (owner, name, parent_id, body) VALUES (?1, ?2, ?3, ?4)",
        params![group.owner, group.name, group.parent_id, body],
    )
    .map_err(storage(api))?;
    Ok(())
}

fn write_row(
    db: &Connection,
    api: &'static str,
    user: &IamUser,
    created: &str,
) -> Result<(), TargetError> {
    db.execute(
        "INSERT OR REPLACE INTO users (owner, name, id, display_name, email, phone, is_forbidden, body, created_time, updated_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            user.owner.as_str(),
            user.name.as_str(),
            user.id.as_str(),
            user.display_name.as_str(),
            email_key(&user.email),
            normalize_phone(&user.phone),
            user.is_forbidden,
            encode(user)?,
            created,
            now(),
        ],
    )
    .map_err(storage(api))?;
    Ok(())
}

#[async_trait]
impl Target for EmbeddedTarget {
    fn describe(&self) -> String {
        format!("embedded store {}", self.path.display())
    }

    async fn list_users(&self, organization: &str) -> Result<Vec<IamUser>, TargetError> {
        let organization = organization.to_owned();
        self.with_db("list users", move |db| {
            let mut statement = db
                .prepare("SELECT body FROM users WHERE owner = ?1 ORDER BY name")
                .map_err(storage("list users"))?;
            let bodies = statement
                .query_map(params![organization], |row| row.get::<_, String>(0))
                .map_err(storage("list users"))?;
            bodies
                .map(|body| decode(&body.map_err(storage("list users"))?))
                .collect()
        })
        .await
    }

    async fn users_for(
        &self,
        organization: &str,
        keys: &UserKeys,
    ) -> Result<Vec<IamUser>, TargetError> {
        const API: &str = "find users";
        let organization = organization.to_owned();
        // The indexed forms the store keeps: names and ids as given, e-mails and phones keyed.
        let lookups: Vec<(&'static str, String)> = keys
            .names
            .iter()
            .map(|name| ("name", name.clone()))
            .chain(keys.ids.iter().map(|id| ("id", id.clone())))
            .chain(keys.emails.iter().map(|email| ("email", email_key(email))))
            .chain(
                keys.phones
                    .iter()
                    .map(|phone| ("phone", normalize_phone(phone))),
            )
            .filter(|(_, value)| !value.is_empty())
            .collect();
        self.with_db(API, move |db| {
            let mut found = std::collections::BTreeMap::new();
            for (column, value) in lookups {
                let sql =
                    format!("SELECT name, body FROM users WHERE owner = ?1 AND {column} = ?2");
                let mut statement = db.prepare_cached(&sql).map_err(storage(API))?;
                let rows = statement
                    .query_map(params![organization, value], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .map_err(storage(API))?;
                for row in rows {
                    let (name, body) = row.map_err(storage(API))?;
                    found.insert(name, body);
                }
            }
            found.values().map(|body| decode(body)).collect()
        })
        .await
    }

    async fn create_user(&self, user: &IamUser) -> Result<(), TargetError> {
        const API: &str = "add-user";
        let mut user = user.clone();
        self.with_db(API, move |db| {
            if !is_valid_user_name(&user.name) {
                return Err(rejected(
                    API,
                    format!("user name `{}` has characters IAM refuses", user.name),
                ));
            }
            let exists: Option<i64> = db
                .query_row(
                    "SELECT 1 FROM users WHERE owner = ?1 AND name = ?2",
                    params![user.owner.as_str(), user.name.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(storage(API))?;
            if exists.is_some() {
                return Err(rejected(
                    API,
                    format!("user {} already exists", user.qualified_name()),
                ));
            }
            if let Some(conflict) = uniqueness_conflict(db, API, &user)? {
                return Err(rejected(API, conflict));
            }
            let created = now();
            user.extra.insert(
                "createdTime".to_owned(),
                serde_json::Value::String(created.clone()),
            );
            write_row(db, API, &user, &created)
        })
        .await
    }

    async fn update_user(&self, user: &IamUser, columns: &[IamField]) -> Result<(), TargetError> {
        const API: &str = "update-user";
        let wanted = user.clone();
        let columns = columns.to_vec();
        self.with_db(API, move |db| {
            let stored: Option<(String, String)> = db
                .query_row(
                    "SELECT body, created_time FROM users WHERE owner = ?1 AND name = ?2",
                    params![wanted.owner.as_str(), wanted.name.as_str()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(storage(API))?;
            let Some((body, created)) = stored else {
                return Err(rejected(
                    API,
                    format!("user {} does not exist", wanted.qualified_name()),
                ));
            };
            let mut current = decode(&body)?;
            current.copy_columns(&wanted, &columns);
            if let Some(conflict) = uniqueness_conflict(db, API, &current)? {
                return Err(rejected(API, conflict));
            }
            write_row(db, API, &current, &created)
        })
        .await
    }

    async fn full_user(&self, user: &IamUser) -> Result<Option<IamUser>, TargetError> {
        const API: &str = "get-user";
        let (owner, name) = (user.owner.clone(), user.name.clone());
        self.with_db(API, move |db| {
            let body: Option<String> = db
                .query_row(
                    "SELECT body FROM users WHERE owner = ?1 AND name = ?2",
                    params![owner.as_str(), name.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(storage(API))?;
            body.map(|body| decode(&body)).transpose()
        })
        .await
    }

    async fn delete_user(&self, user: &IamUser) -> Result<(), TargetError> {
        const API: &str = "delete-user";
        let (owner, name) = (user.owner.clone(), user.name.clone());
        self.with_db(API, move |db| {
            db.execute(
                "DELETE FROM users WHERE owner = ?1 AND name = ?2",
                params![owner.as_str(), name.as_str()],
            )
            .map_err(storage(API))?;
            Ok(())
        })
        .await
    }

    async fn list_groups(&self, organization: &str) -> Result<Vec<IamGroup>, TargetError> {
        let organization = organization.to_owned();
        self.with_db("list groups", move |db| {
            let mut statement = db
                .prepare("SELECT body FROM groups WHERE owner = ?1 ORDER BY name")
                .map_err(storage("list groups"))?;
            let bodies = statement
                .query_map(params![organization], |row| row.get::<_, String>(0))
                .map_err(storage("list groups"))?;
            bodies
                .map(|body| decode_group(&body.map_err(storage("list groups"))?))
                .collect()
        })
        .await
    }

    async fn create_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        const API: &str = "add-group";
        let group = group.clone();
        self.with_db(API, move |db| {
            if group_exists(db, API, &group.owner, &group.name)? {
                return Err(rejected(
                    API,
                    format!("group {} already exists", group.qualified_name()),
                ));
            }
            write_group(db, API, &group)
        })
        .await
    }

    async fn update_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        const API: &str = "update-group";
        let group = group.clone();
        self.with_db(API, move |db| {
            if !group_exists(db, API, &group.owner, &group.name)? {
                return Err(rejected(
                    API,
                    format!("group {} does not exist", group.qualified_name()),
                ));
            }
            write_group(db, API, &group)
        })
        .await
    }

    async fn delete_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        const API: &str = "delete-group";
        let group = group.clone();
        self.with_db(API, move |db| {
            let children: i64 = db
                .query_row(
                    "SELECT count(*) FROM groups WHERE owner = ?1 AND parent_id = ?2 AND name != ?2",
                    params![group.owner, group.name],
                    |row| row.get(0),
                )
                .map_err(storage(API))?;
            if children > 0 {
                return Err(rejected(API, format!("group {} has child groups", group.qualified_name())));
            }
            let member = format!("\"{}\"", group.qualified_name());
            let users: i64 = db
                .query_row(
                    "SELECT count(*) FROM users WHERE owner = ?1 AND instr(body, ?2) > 0",
                    params![group.owner, member],
                    |row| row.get(0),
                )
                .map_err(storage(API))?;
            if users > 0 {
                let in_groups = db
                    .prepare("SELECT body FROM users WHERE owner = ?1 AND instr(body, ?2) > 0")
                    .and_then(|mut statement| {
                        statement
                            .query_map(params![group.owner, member], |row| row.get::<_, String>(0))?
                            .collect::<Result<Vec<String>, _>>()
                    })
                    .map_err(storage(API))?
                    .iter()
                    .filter_map(|body| decode(body).ok())
                    .filter(|user| user.groups.iter().any(|entry| *entry == group.qualified_name()))
                    .count();
                if in_groups > 0 {
                    return Err(rejected(API, format!("group {} still has {in_groups} users", group.qualified_name())));
                }
            }
            db.execute("DELETE FROM groups WHERE owner = ?1 AND name = ?2", params![group.owner, group.name])
                .map_err(storage(API))?;
            Ok(())
        })
        .await
    }

    async fn check(&self, organization: &str) -> Vec<ConnectionCheck> {
        match self.list_users(organization).await {
            Ok(users) => vec![ConnectionCheck::passed(
                "target",
                format!(
                    "{} is writable; organization {organization} holds {} users",
                    self.describe(),
                    users.len()
                ),
            )],
            Err(error) => vec![ConnectionCheck::failed("target", error.to_string())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_whole_user_is_the_stored_one_and_none_once_gone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EmbeddedTarget::open(&dir.path().join("store.db")).expect("open");
        let mut user = IamUser {
            owner: "acme".into(),
            name: "alice".into(),
            display_name: "Alice".into(),
            ..IamUser::default()
        };
        user.extra.insert(
            "bio".to_owned(),
            serde_json::Value::String("kept".to_owned()),
        );
        store.create_user(&user).await.expect("create");
        let full = store.full_user(&user).await.expect("read").expect("stored");
        assert_eq!(full.display_name, "Alice");
        assert_eq!(full.extra["bio"], "kept");
        store.delete_user(&user).await.expect("delete");
        assert_eq!(store.full_user(&user).await.expect("read"), None);
    }

    #[tokio::test]
    async fn users_for_finds_by_name_id_email_and_phone_and_nobody_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EmbeddedTarget::open(&dir.path().join("store.db")).expect("open");
        let user = |name: &str, id: &str, email: &str, phone: &str| IamUser {
            owner: "acme".into(),
            name: name.into(),
            id: id.into(),
            email: email.into(),
            phone: phone.into(),
            ..IamUser::default()
        };
        for one in [
            user("alice", "", "", ""),
            user("bob", "u-bob", "", ""),
            user("carol", "", "Carol@Acme.Example", ""),
            user("dave", "", "", "+86 139 1234 5678"),
            user("erin", "u-erin", "erin@acme.example", "13900000000"),
        ] {
            store.create_user(&one).await.expect("create");
        }
        let keys = UserKeys {
            names: ["alice".to_owned()].into(),
            ids: ["u-bob".to_owned()].into(),
            emails: ["carol@acme.example".to_owned()].into(),
            phones: ["13912345678".to_owned()].into(),
        };
        let found = store.users_for("acme", &keys).await.expect("read");
        let names: Vec<&str> = found.iter().map(|user| user.name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave"]);
        assert!(store
            .users_for("globex", &keys)
            .await
            .expect("read")
            .is_empty());
    }
}
