//! The DingTalk backend against the shared conformance kit, served by the DingTalk simulator:
//! the contract every backend honours (registration, Test Connection, complete and honest
//! fetches) holds for DingTalk too.

use std::collections::BTreeMap;

use async_trait::async_trait;
use syncer_core::conformance::{
    self, ConformanceHarness, Credentials, ExpectedDirectory, ExpectedUser,
};
use syncer_core::{find_plugin, ConfigValue, Department, IamField, PluginDescriptor};
use syncer_dingtalk::settings::APP_KEYS;
use syncer_dingtalk_sim::{DeptFault, FakeDingTalk, Faults, Org, OrgSpec, SimUser};
use syncer_remote::testing;

const APP_KEY: &str = "dingconformance01";
const APP_SECRET: &str = "conformance-secret-Hq27vX";

/// A fake DingTalk serving a small generated organization.
struct DingTalkHarness {
    server: FakeDingTalk,
}

impl DingTalkHarness {
    async fn start() -> Self {
        let org = Org::generate(&OrgSpec {
            users: 80,
            departments: 9,
            max_depth: 3,
            multi_department_ratio: 0.25,
            ..OrgSpec::default()
        });
        let credentials = syncer_dingtalk_sim::Credentials::new(APP_KEY, APP_SECRET);
        let server = FakeDingTalk::start(org, credentials, Faults::default())
            .await
            .expect("start the DingTalk simulator");
        Self { server }
    }
}

/// The IAM values the documented default mapping gives a DingTalk member.
fn expected_user(user: &SimUser) -> ExpectedUser {
    let name = if user.unionid.is_empty() {
        &user.userid
    } else {
        &user.unionid
    };
    ExpectedUser::new(&user.userid)
        .with(IamField::Id, user.userid.as_str())
        .with(IamField::Name, name.as_str())
        .with(IamField::DisplayName, user.name.as_str())
        .with(IamField::Email, user.email.as_str())
        .with(IamField::Phone, user.mobile.as_str())
        .with(IamField::Avatar, user.avatar.as_str())
        .with(IamField::Title, user.title.as_str())
        .with(IamField::IsForbidden, !user.active)
        .with(IamField::DingTalk, user.userid.as_str())
        .in_departments(user.dept_ids.iter().map(i64::to_string))
}

/// Everyone and every department of `org`, as a fetch must give them.
fn everyone(org: &Org) -> ExpectedDirectory {
    let departments = org.departments.iter().map(|dept| Department {
        id: dept.dept_id.to_string(),
        name: dept.name.clone(),
        parent_id: dept.parent_id.map(|parent| parent.to_string()),
    });
    ExpectedDirectory::healthy(
        org.users.iter().map(expected_user).collect(),
        departments.collect(),
    )
}

#[async_trait]
impl ConformanceHarness for DingTalkHarness {
    fn plugin(&self) -> &'static PluginDescriptor {
        find_plugin(syncer_dingtalk::TYPE_NAME).expect("DingTalk is registered")
    }

    fn config(&self, credentials: Credentials) -> BTreeMap<String, ConfigValue> {
        let settings = testing::quick_settings(self.server.url());
        testing::app_values(&APP_KEYS, APP_KEY, credentials.secret(APP_SECRET), settings)
    }

    async fn healthy_directory(&self) -> ExpectedDirectory {
        self.server.set_faults(Faults::default());
        everyone(&self.server.org())
    }

    async fn partly_failing_directory(&self) -> ExpectedDirectory {
        let org = self.server.org();
        let failing = org.fullest_leaf().expect("a leaf department").dept_id;
        self.server.set_faults(Faults {
            failing_departments: BTreeMap::from([(failing, DeptFault::NoPermission)]),
            ..Faults::default()
        });
        let still_read = org.users_outside(failing).into_iter().map(expected_user);
        ExpectedDirectory::partly_failing(still_read.collect(), vec![failing.to_string()])
    }
}

#[tokio::test]
async fn dingtalk_passes_the_conformance_kit() {
    let harness = DingTalkHarness::start().await;
    if let Err(failures) = conformance::run(&harness).await {
        panic!(
            "DingTalk breaks the backend contract:\n{}",
            failures.join("\n")
        );
    }
}
