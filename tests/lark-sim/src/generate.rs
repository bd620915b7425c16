//! A deterministic generator of plausible Lark tenants: nested departments, people in several
//! departments, frozen accounts, people without e-mail or job title. The same [`OrgSpec`] always
//! gives the same tenant; ids that must be unique are built from the row number.

use syncer_sim_kit::{GenerateOrg, OrgExtras, SimRng};

use crate::org::{LarkOrg, SimDepartment, SimUser, ROOT_DEPARTMENT};

const FAMILY_NAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟",
];
const DEPARTMENT_NAMES: &[&str] = &[
    "研发部",
    "销售部",
    "市场部",
    "财务部",
    "人力资源部",
    "客服部",
    "法务部",
    "产品部",
];
const TITLES: &[&str] = &[
    "工程师",
    "高级工程师",
    "产品经理",
    "销售代表",
    "会计",
    "客服专员",
    "",
];

/// What tenant to generate: the kit's shared spec with Lark's extras.
pub type OrgSpec = syncer_sim_kit::OrgSpec<LarkExtras>;

/// What only the Lark simulator varies in a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct LarkExtras {
    /// Share of frozen accounts.
    pub frozen_ratio: f64,
    /// Share of people without an e-mail address.
    pub missing_email_ratio: f64,
}

impl Default for LarkExtras {
    fn default() -> Self {
        LarkExtras {
            frozen_ratio: 0.05,
            missing_email_ratio: 0.05,
        }
    }
}

impl OrgExtras for LarkExtras {
    /// About a hundred people in a dozen departments, three levels deep; some in two.
    fn default_spec() -> OrgSpec {
        OrgSpec {
            users: 120,
            departments: 12,
            max_depth: 3,
            multi_department_ratio: 0.15,
            seed: 7,
            name: "飞书示例科技".to_owned(),
            email_domain: "acme-lark.example".to_owned(),
            extra: LarkExtras::default(),
        }
    }
}

impl GenerateOrg<LarkOrg> for LarkExtras {
    /// Generates the tenant `spec` describes.
    fn generate(spec: &OrgSpec) -> LarkOrg {
        let mut rng = SimRng::new(spec.seed);
        let mut org = LarkOrg::empty(spec.name.clone());
        let mut depths = vec![0usize];
        for row in 1..spec.departments.max(1) {
            let eligible: Vec<usize> = (0..org.departments.len())
                .filter(|&i| depths[i] < spec.max_depth.max(1))
                .collect();
            let parent_at = eligible[rng.below(eligible.len())];
            let parent = org.departments[parent_at].open_department_id.clone();
            let base = DEPARTMENT_NAMES[row % DEPARTMENT_NAMES.len()];
            org.departments.push(SimDepartment {
                open_department_id: format!("od-{}", rng.hex32()),
                department_id: format!("D{row:04}"),
                name: format!("{base}{row}"),
                parent: Some(parent),
            });
            depths.push(depths[parent_at] + 1);
        }
        let ids: Vec<String> = org
            .departments
            .iter()
            .map(|d| d.open_department_id.clone())
            .collect();
        for row in 0..spec.users {
            org.users.push(person(spec, row, &ids, &mut rng));
        }
        org
    }
}

fn person(spec: &OrgSpec, row: usize, departments: &[String], rng: &mut SimRng) -> SimUser {
    let family = FAMILY_NAMES[rng.below(FAMILY_NAMES.len())];
    let given = GIVEN_NAMES[rng.below(GIVEN_NAMES.len())];
    // Most people sit below the root; a few directly in it.
    let pick = |rng: &mut SimRng| {
        if departments.len() > 1 && rng.below(10) > 0 {
            departments[1 + rng.below(departments.len() - 1)].clone()
        } else {
            ROOT_DEPARTMENT.to_owned()
        }
    };
    let mut member_of = vec![pick(rng)];
    if rng.chance(spec.multi_department_ratio) {
        let second = pick(rng);
        if !member_of.contains(&second) {
            member_of.push(second);
        }
    }
    let user_id = format!("{:x}{row:05}", 0xa0 + rng.below(0x50));
    let email = if rng.chance(spec.extra.missing_email_ratio) {
        String::new()
    } else {
        format!("user{row}@{}", spec.email_domain)
    };
    SimUser {
        union_id: format!("on_{}", rng.hex32()),
        open_id: format!("ou_{}", rng.hex32()),
        name: format!("{family}{given}"),
        en_name: format!("User {row}"),
        enterprise_email: format!("{user_id}@{}", spec.email_domain),
        email,
        mobile: format!("+86138{:08}", row),
        avatar_origin: format!("https://avatar.lark-sim.example/{user_id}/origin.png"),
        job_title: TITLES[rng.below(TITLES.len())].to_owned(),
        employee_no: format!("E{row:06}"),
        departments: member_of,
        is_resigned: false,
        is_frozen: rng.chance(spec.extra.frozen_ratio),
        is_activated: true,
        user_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_same_spec_gives_the_same_tenant_with_unique_ids() {
        let spec = OrgSpec {
            users: 500,
            departments: 30,
            ..OrgSpec::default()
        };
        let org = LarkOrg::generate(&spec);
        assert_eq!(org, LarkOrg::generate(&spec));
        assert_eq!(org.departments.len(), 30);
        let ids: HashSet<&str> = org.users.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids.len(), 500);
        assert!(org.users.iter().any(|u| u.departments.len() > 1));
        assert!(org.users.iter().any(|u| u.is_frozen));
        for department in &org.departments[1..] {
            let parent = department.parent.as_deref().expect("non-root has a parent");
            assert!(org.department(parent).is_some());
        }
    }
}
