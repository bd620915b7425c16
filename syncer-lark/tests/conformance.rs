//! The Lark backend against the shared conformance kit, served by the fake Lark: registration,
//! Test Connection with good and wrong credentials, a complete fetch, and an honest partial one.

use std::collections::BTreeMap;

use async_trait::async_trait;
use syncer_core::conformance::{
    self, ConformanceHarness, Credentials, ExpectedDirectory, ExpectedUser,
};
use syncer_core::{find_plugin, ConfigValue, Department, IamField, PluginDescriptor};
use syncer_lark::settings::APP_KEYS;
use syncer_lark_sim::{DeptFault, FakeLark, Faults, LarkOrg, OrgSpec, SimUser};
use syncer_remote::testing;

const APP_ID: &str = "cli_conformance0001";
const APP_SECRET: &str = "lark-conformance-secret-N4q8";

/// A fake Lark serving a small generated tenant.
struct LarkHarness {
    server: FakeLark,
}

impl LarkHarness {
    async fn start() -> Self {
        let org = LarkOrg::generate(&OrgSpec {
            users: 90,
            departments: 10,
            multi_department_ratio: 0.3,
            extra: syncer_lark_sim::LarkExtras {
                frozen_ratio: 0.1,
                ..Default::default()
            },
            ..OrgSpec::default()
        });
        let credentials = syncer_lark_sim::Credentials::new(APP_ID, APP_SECRET);
        let server = FakeLark::start(org, credentials, Faults::default())
            .await
            .expect("start the fake Lark");
        Self { server }
    }
}

/// The IAM values the documented default mapping gives a Lark person.
fn expected_user(user: &SimUser) -> ExpectedUser {
    let name = if user.union_id.is_empty() {
        &user.user_id
    } else {
        &user.union_id
    };
    ExpectedUser::new(&user.user_id)
        .with(IamField::Id, user.user_id.as_str())
        .with(IamField::Name, name.as_str())
        .with(IamField::DisplayName, user.name.as_str())
        .with(IamField::Email, user.email.as_str())
        .with(IamField::Phone, user.mobile.as_str())
        .with(IamField::Avatar, user.avatar_origin.as_str())
        .with(IamField::Title, user.job_title.as_str())
        .with(IamField::IsForbidden, user.is_resigned || user.is_frozen)
        .with(IamField::Lark, user.user_id.as_str())
        .in_departments(user.departments.iter().cloned())
}

/// Everyone and every department of `org`, as a fetch must give them.
fn everyone(org: &LarkOrg) -> ExpectedDirectory {
    let departments = org.departments.iter().map(|d| Department {
        id: d.open_department_id.clone(),
        name: d.name.clone(),
        parent_id: d.parent.clone(),
    });
    ExpectedDirectory::healthy(
        org.users.iter().map(expected_user).collect(),
        departments.collect(),
    )
}

#[async_trait]
impl ConformanceHarness for LarkHarness {
    fn plugin(&self) -> &'static PluginDescriptor {
        find_plugin(syncer_lark::TYPE_NAME).expect("Lark is registered")
    }

    fn config(&self, credentials: Credentials) -> BTreeMap<String, ConfigValue> {
        let settings = testing::quick_settings(self.server.url());
        testing::app_values(&APP_KEYS, APP_ID, credentials.secret(APP_SECRET), settings)
    }

    async fn healthy_directory(&self) -> ExpectedDirectory {
        self.server.set_faults(Faults::default());
        everyone(&self.server.org())
    }

    async fn partly_failing_directory(&self) -> ExpectedDirectory {
        let org = self.server.org();
        let leaf = org
            .fullest_leaf()
            .expect("the tenant has a leaf department");
        let failing = leaf.open_department_id.clone();
        self.server.set_faults(Faults {
            failing_departments: BTreeMap::from([(failing.clone(), DeptFault::NoAuthority)]),
            ..Faults::default()
        });
        let still_read = org
            .users_outside(failing.as_str())
            .into_iter()
            .map(expected_user);
        ExpectedDirectory::partly_failing(still_read.collect(), vec![failing])
    }
}

#[tokio::test]
async fn lark_passes_the_conformance_kit() {
    let harness = LarkHarness::start().await;
    if let Err(failures) = conformance::run(&harness).await {
        panic!("Lark breaks the backend contract:\n{}", failures.join("\n"));
    }
}
