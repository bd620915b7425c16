//! The kit judged on known backends: a broken declaration is caught, an honest in-memory
//! backend passes, and backends that go silently short, list a person twice or leak their
//! secret are caught.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::plugin::{
    ConfigField, ConfigKind, ConfigValue, MappingSpec, PluginConfig, PluginConfigError,
    PluginDescriptor, SourceField, Transform,
};
use crate::snapshot::{Department, FetchFailure, FetchProgress, Snapshot, SourceRecord};
use crate::syncer::{ConnectionCheck, ConnectionReport, FetchError};
use crate::{find_plugin, IamField, Syncer};

const GOOD_SECRET: &str = "kit-secret-7f3a";
const WRONG_SECRET: &str = "wrong-secret-0000";

const CONFIG_FIELDS: &[ConfigField] = &[
    ConfigField {
        name: "mode",
        label: "Mode",
        help: "Which directory the in-memory fake serves.",
        kind: ConfigKind::Text,
        required: true,
        secret: false,
        default: None,
    },
    ConfigField {
        name: "api_secret",
        label: "API Secret",
        help: "The secret the in-memory fake accepts.",
        kind: ConfigKind::Text,
        required: true,
        secret: true,
        default: None,
    },
];

const SOURCE_FIELDS: &[SourceField] = &[
    SourceField {
        name: "uid",
        description: "Stable id",
        permission: None,
    },
    SourceField {
        name: "nick",
        description: "Login name, may be empty",
        permission: None,
    },
    SourceField {
        name: "mail",
        description: "E-mail",
        permission: None,
    },
    SourceField {
        name: "active",
        description: "Whether the person may sign in",
        permission: None,
    },
];

const MAPPING: &[MappingSpec] = &[
    MappingSpec {
        source: "uid",
        target: "Id",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "nick",
        target: "Name",
        transform: Transform::FallbackTo("uid"),
    },
    MappingSpec {
        source: "mail",
        target: "Email",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "active",
        target: "IsForbidden",
        transform: Transform::Invert,
    },
];

/// An in-memory directory whose behaviour the config's `mode` picks.
struct Memory {
    mode: String,
    secret: String,
}

fn person(uid: &str, nick: &str, depts: &[&str]) -> SourceRecord {
    let mut record = SourceRecord::new(uid)
        .with("uid", uid)
        .with("mail", format!("{uid}@example.com"))
        .with("active", true);
    if !nick.is_empty() {
        record = record.with("nick", nick);
    }
    record.departments = depts.iter().map(|d| (*d).to_owned()).collect();
    record
}

fn departments() -> Vec<Department> {
    let dept = |id: &str, name: &str, parent: Option<&str>| Department {
        id: id.to_owned(),
        name: name.to_owned(),
        parent_id: parent.map(str::to_owned),
    };
    vec![
        dept("root", "Acme", None),
        dept("d1", "Sales", Some("root")),
        dept("d2", "Support", Some("root")),
    ]
}

#[async_trait]
impl Syncer for Memory {
    async fn test_connection(&self) -> ConnectionReport {
        let check = if self.mode == "leaky" {
            ConnectionCheck::failed("credentials", format!("API Secret {} refused", self.secret))
        } else if self.secret == GOOD_SECRET {
            ConnectionCheck::passed("credentials", "the directory accepted the API Secret")
        } else {
            ConnectionCheck::failed(
                "credentials",
                "the directory refused the API Secret: copy it again from its settings page",
            )
        };
        ConnectionReport {
            checks: vec![check],
        }
    }

    async fn fetch(&self, _progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        if self.secret != GOOD_SECRET {
            return Err(FetchError {
                api: Some("/login".to_owned()),
                message: "the directory refused the API Secret".to_owned(),
            });
        }
        let mut users = vec![
            person("u1", "ann", &["d1"]),
            person("u2", "", &["d1", "d2"]),
            person("u3", "cid", &["d2"]),
        ];
        let mut failures = Vec::new();
        match self.mode.as_str() {
            "partial" => {
                users.truncate(2);
                failures.push(FetchFailure {
                    scope: "department d2 (its members)".to_owned(),
                    api: "/members".to_owned(),
                    message: "no permission for department d2".to_owned(),
                });
            }
            "short" => users.truncate(2),
            "duplicate" => users.push(person("u2", "", &["d2"])),
            "first-department-only" => users[1].departments.truncate(1),
            _ => {}
        }
        Ok(Snapshot {
            users,
            departments: departments(),
            failures,
            api_calls: BTreeMap::new(),
            notices: Vec::new(),
        })
    }
}

fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Ok(Box::new(Memory {
        mode: config.text("mode"),
        secret: config.text("api_secret"),
    }))
}

inventory::submit! {
    PluginDescriptor {
        type_name: "KitMemory",
        description: "An in-memory directory the conformance kit tests itself against.",
        config_fields: CONFIG_FIELDS,
        source_fields: SOURCE_FIELDS,
        default_mapping: MAPPING,
        schedule: crate::ScheduleDefaults::UNMETERED,
        build,
    }
}

/// Serves `healthy` when asked for a healthy directory and `failing` for a partly failing one.
struct Harness {
    healthy: &'static str,
    failing: &'static str,
    mode: Mutex<&'static str>,
}

impl Harness {
    fn new(healthy: &'static str, failing: &'static str) -> Self {
        Self {
            healthy,
            failing,
            mode: Mutex::new(healthy),
        }
    }

    fn set(&self, mode: &'static str) {
        *self.mode.lock().expect("mode lock") = mode;
    }
}

fn expected(uid: &str, name: &str, depts: &[&str]) -> ExpectedUser {
    ExpectedUser::new(uid)
        .with(IamField::Id, uid)
        .with(IamField::Name, name)
        .with(IamField::Email, format!("{uid}@example.com"))
        .with(IamField::IsForbidden, false)
        .in_departments(depts.iter().copied())
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn plugin(&self) -> &'static PluginDescriptor {
        find_plugin("KitMemory").expect("the test plugin is registered")
    }

    fn config(&self, credentials: Credentials) -> BTreeMap<String, ConfigValue> {
        let secret = match credentials {
            Credentials::Good => GOOD_SECRET,
            Credentials::WrongSecret => WRONG_SECRET,
        };
        let mode = *self.mode.lock().expect("mode lock");
        BTreeMap::from([
            ("mode".to_owned(), ConfigValue::Text(mode.to_owned())),
            (
                "api_secret".to_owned(),
                ConfigValue::Text(secret.to_owned()),
            ),
        ])
    }

    async fn healthy_directory(&self) -> ExpectedDirectory {
        self.set(self.healthy);
        ExpectedDirectory::healthy(
            vec![
                expected("u1", "ann", &["d1"]),
                expected("u2", "u2", &["d1", "d2"]),
                expected("u3", "cid", &["d2"]),
            ],
            departments(),
        )
    }

    async fn partly_failing_directory(&self) -> ExpectedDirectory {
        self.set(self.failing);
        ExpectedDirectory {
            users: vec![
                expected("u1", "ann", &["d1"]),
                expected("u2", "u2", &["d1", "d2"]),
            ],
            departments: Vec::new(),
            failing_departments: vec!["d2".to_owned()],
        }
    }
}

async fn failures_of(harness: &Harness) -> Vec<String> {
    run(harness).await.err().unwrap_or_default()
}

#[tokio::test]
async fn an_honest_backend_passes() {
    assert_eq!(
        failures_of(&Harness::new("healthy", "partial")).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_silently_short_snapshot_is_caught() {
    let failures = failures_of(&Harness::new("healthy", "short")).await;
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("[partial fetch]") && f.contains("silently short")),
        "{failures:#?}"
    );
}

#[tokio::test]
async fn a_person_listed_twice_is_caught() {
    let failures = failures_of(&Harness::new("duplicate", "partial")).await;
    assert!(
        failures
            .iter()
            .any(|f| f.contains("more than once") && f.contains("u2 ×2")),
        "{failures:#?}"
    );
}

#[tokio::test]
async fn a_person_kept_in_only_their_first_department_is_caught() {
    let failures = failures_of(&Harness::new("first-department-only", "partial")).await;
    assert!(
        failures
            .iter()
            .any(|f| f.contains("other departments") && f.contains("u2")),
        "{failures:#?}"
    );
}

#[tokio::test]
async fn a_secret_in_a_message_is_caught() {
    let failures = failures_of(&Harness::new("leaky", "partial")).await;
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("[connection]") && f.contains("shows a secret")),
        "{failures:#?}"
    );
    assert!(failures
        .iter()
        .all(|f| !f.contains(GOOD_SECRET) && !f.contains(WRONG_SECRET)));
}

fn never_built(_: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Err(PluginConfigError::InvalidValue {
        key: "x".to_owned(),
        problem: "never built".to_owned(),
    })
}

static BROKEN: PluginDescriptor = PluginDescriptor {
    type_name: "Broken Dir",
    description: " ",
    config_fields: &[ConfigField {
        name: "client_secret",
        label: "",
        help: "",
        kind: ConfigKind::Text,
        required: true,
        secret: false,
        default: None,
    }],
    source_fields: SOURCE_FIELDS,
    default_mapping: &[
        MappingSpec {
            source: "uid",
            target: "Id",
            transform: Transform::Copy,
        },
        MappingSpec {
            source: "nickname",
            target: "Nickname",
            transform: Transform::Copy,
        },
    ],
    schedule: crate::ScheduleDefaults::UNMETERED,
    build: never_built,
};

#[test]
fn a_broken_declaration_is_caught_field_by_field() {
    let failures = check_registration(&BROKEN).failures().to_vec();
    let expect = [
        "type name `Broken Dir`",
        "has no description",
        "is not registered",
        "`client_secret` has no label",
        "`client_secret` has no help",
        "`client_secret` looks like a secret but is not marked",
        "reads source field `nickname`",
        "targets `Nickname`",
        "does not fill IAM field Name",
    ];
    for needle in expect {
        assert!(
            failures.iter().any(|f| f.contains(needle)),
            "no failure mentions {needle:?}: {failures:#?}"
        );
    }
    assert!(failures.iter().all(|f| f.starts_with("[registration]")));
}

#[test]
fn the_honest_declaration_passes_registration() {
    let plugin = find_plugin("KitMemory").expect("registered");
    assert!(check_registration(plugin).is_empty());
}
