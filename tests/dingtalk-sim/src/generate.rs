//! Deterministic generator of plausible Chinese organizations, from a few hundred employees for the
//! demo and the tests up to 100,000 for the benchmark.
//!
//! The same [`OrgSpec`] (seed included) always yields the same [`Org`]. Identifiers that must be
//! unique (userid, mobile, e-mail, department id and name) are built from the row number, so they
//! stay unique whatever the random draws are. Knows nothing of the server.

use std::collections::HashMap;

use syncer_sim_kit::{GenerateOrg, OrgExtras, SimRng};

use crate::names;
use crate::org::{Org, SimDept, SimUser, ROOT_DEPT_ID};

/// The first generated (non-root) department id; real DingTalk ids are large numbers too.
const DEPT_ID_BASE: i64 = 480_000_000;
/// Step between generated department ids, so ids are not contiguous.
const DEPT_ID_STEP: i64 = 7_919;
/// Hire dates fall between 2012-01-01 and 2024-12-31 (milliseconds since the epoch).
const HIRED_FROM_MS: i64 = 1_325_376_000_000;
const HIRED_TO_MS: i64 = 1_735_603_200_000;

/// What organization to generate: the kit's shared spec with DingTalk's extras.
pub type OrgSpec = syncer_sim_kit::OrgSpec<DingTalkExtras>;

/// What only the DingTalk simulator varies in an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct DingTalkExtras {
    /// Share of employees who have not activated DingTalk (`active: false`).
    pub inactive_ratio: f64,
    /// Share of employees whose `unionid` is empty.
    pub missing_unionid_ratio: f64,
}

impl OrgExtras for DingTalkExtras {
    /// A few hundred employees in 25 nested departments, five levels deep; some in two or three
    /// departments.
    fn default_spec() -> OrgSpec {
        OrgSpec {
            users: 300,
            departments: 25,
            max_depth: 5,
            multi_department_ratio: 0.10,
            seed: 42,
            name: "艾克米科技有限公司".to_owned(),
            email_domain: "acme.example".to_owned(),
            extra: DingTalkExtras {
                inactive_ratio: 0.05,
                missing_unionid_ratio: 0.05,
            },
        }
    }
}

impl GenerateOrg<Org> for DingTalkExtras {
    /// Generates the organization `spec` describes; the same spec always gives the same org.
    fn generate(spec: &OrgSpec) -> Org {
        let mut rng = SimRng::new(spec.seed);
        let departments = generate_departments(spec, &mut rng);
        let mut dept_ids: Vec<i64> = departments.iter().map(|d| d.dept_id).collect();
        // Department sizes follow a long tail; shuffling decides which departments are the big ones.
        rng.shuffle(&mut dept_ids);
        let users = (0..spec.users)
            .map(|row| generate_user(spec, row, &dept_ids, &mut rng))
            .collect();
        Org {
            name: spec.name.clone(),
            departments,
            users,
        }
    }
}

/// The benchmark's organization: 100,000 employees in 2,000 departments.
pub fn benchmark_spec() -> OrgSpec {
    OrgSpec {
        users: 100_000,
        departments: 2_000,
        max_depth: 6,
        ..OrgSpec::default()
    }
}
/// The department tree: a chain down to `max_depth` first (so the depth is always reached), then
/// each further department under a random existing one that is not yet at the deepest level.
fn generate_departments(spec: &OrgSpec, rng: &mut SimRng) -> Vec<SimDept> {
    let count = spec.departments.max(1);
    let mut depts = Vec::with_capacity(count);
    depts.push(SimDept {
        dept_id: ROOT_DEPT_ID,
        parent_id: None,
        name: spec.name.clone(),
    });
    let mut depths = vec![0usize];
    // Indexes of departments that may still receive children.
    let mut open: Vec<usize> = if spec.max_depth > 0 { vec![0] } else { vec![] };
    let mut used_names: HashMap<&str, usize> = HashMap::new();
    for row in 1..count {
        let parent = if row <= spec.max_depth {
            row - 1
        } else {
            match rng.pick(&open) {
                Some(&parent) => parent,
                None => 0,
            }
        };
        let depth = depths[parent] + 1;
        let pool = if depth == 1 {
            names::TOP_DEPARTMENTS
        } else {
            names::TEAMS
        };
        let base = rng.pick(pool).copied().unwrap_or("部门");
        let seen = used_names.entry(base).or_insert(0);
        *seen += 1;
        let name = if *seen == 1 {
            base.to_owned()
        } else {
            format!("{base}{seen}")
        };
        depts.push(SimDept {
            dept_id: DEPT_ID_BASE + row as i64 * DEPT_ID_STEP,
            parent_id: Some(depts[parent].dept_id),
            name,
        });
        depths.push(depth);
        if depth < spec.max_depth {
            open.push(row);
        }
    }
    depts
}

/// One employee; `row` makes the unique identifiers unique.
fn generate_user(spec: &OrgSpec, row: usize, dept_ids: &[i64], rng: &mut SimRng) -> SimUser {
    let number = row + 1;
    let domain = &spec.email_domain;
    let first = row == 0;
    let active = first || !rng.chance(spec.extra.inactive_ratio);
    let unionid = if rng.chance(spec.extra.missing_unionid_ratio) {
        String::new()
    } else {
        alphanumeric(rng, 22)
    };
    let avatar = if active && rng.chance(0.8) {
        format!("https://static.{domain}/avatar/{:016x}.jpg", rng.next_u64())
    } else {
        String::new()
    };
    SimUser {
        userid: userid(row, rng),
        unionid,
        name: chinese_name(rng),
        mobile: mobile(row, rng),
        state_code: "86".to_owned(),
        email: format!("u{number:05}@{domain}"),
        org_email: if rng.chance(0.3) {
            format!("staff{number:05}@mail.{domain}")
        } else {
            String::new()
        },
        avatar,
        title: rng.pick(names::TITLES).copied().unwrap_or("").to_owned(),
        job_number: if rng.chance(0.9) {
            format!("{number:06}")
        } else {
            String::new()
        },
        active,
        dept_ids: departments_of(spec, first, dept_ids, rng),
        admin: first || rng.chance(0.005),
        boss: first,
        leader: first || rng.chance(0.05),
        hired_date: rng
            .chance(0.9)
            .then(|| rng.range(HIRED_FROM_MS, HIRED_TO_MS)),
        work_place: rng
            .pick(names::WORK_PLACES)
            .copied()
            .unwrap_or("")
            .to_owned(),
        remark: if rng.chance(0.05) {
            "外包".to_owned()
        } else {
            String::new()
        },
        extension: extension(rng),
    }
}

/// The first user is the org creator (`manager` + 4 digits, as DingTalk names them); most others
/// get DingTalk's 16-digit style, some an admin-chosen ASCII id. The row suffix keeps them unique.
fn userid(row: usize, rng: &mut SimRng) -> String {
    if row == 0 {
        format!("manager{}", rng.range(1000, 10_000))
    } else if rng.chance(0.85) {
        format!("{:010}{row:06}", rng.range(0, 10_000_000_000))
    } else {
        format!("emp{row:06}")
    }
}

/// 11-digit mainland number: a 13x/15x/18x prefix and 8 digits that are a bijection of the row
/// (multiplying by a number coprime with 10^8, plus an offset), so no two users share a mobile.
fn mobile(row: usize, rng: &mut SimRng) -> String {
    let prefix = rng.pick(names::MOBILE_PREFIXES).copied().unwrap_or("138");
    let suffix = ((row as u64 % 100_000_000) * 48_271 + 13_579_246) % 100_000_000;
    format!("{prefix}{suffix:08}")
}

/// Surname plus one or two given-name characters.
fn chinese_name(rng: &mut SimRng) -> String {
    let surname = if rng.chance(0.02) {
        rng.pick(names::COMPOUND_SURNAMES)
    } else {
        rng.pick(names::SURNAMES)
    };
    let mut name = surname.copied().unwrap_or("王").to_owned();
    let given_len = if rng.chance(0.35) { 1 } else { 2 };
    for _ in 0..given_len {
        name.push_str(rng.pick(names::GIVEN).copied().unwrap_or("伟"));
    }
    name
}

/// The main department, plus one or two others for a share of employees.
///
/// The main department is drawn with a long-tailed distribution over `dept_ids` (the k-th gets a
/// share of about 1/(2·sqrt(k·n))), so a large org has a few departments of hundreds or thousands
/// of members that need several pages, and many small ones, as real organizations do.
fn departments_of(spec: &OrgSpec, first: bool, dept_ids: &[i64], rng: &mut SimRng) -> Vec<i64> {
    if first {
        return vec![ROOT_DEPT_ID];
    }
    let r = rng.unit();
    let rank = ((r * r) * dept_ids.len() as f64) as usize;
    let main = dept_ids
        .get(rank.min(dept_ids.len().saturating_sub(1)))
        .copied()
        .unwrap_or(ROOT_DEPT_ID);
    let mut ids = vec![main];
    if dept_ids.len() > 1 && rng.chance(spec.multi_department_ratio) {
        let wanted = (2 + rng.below(2)).min(dept_ids.len());
        while ids.len() < wanted {
            let extra = rng.pick(dept_ids).copied().unwrap_or(ROOT_DEPT_ID);
            if !ids.contains(&extra) {
                ids.push(extra);
            }
        }
    }
    ids
}

/// Custom fields as DingTalk returns them: a JSON object serialized into a string, or nothing.
fn extension(rng: &mut SimRng) -> String {
    if !rng.chance(0.25) {
        return String::new();
    }
    let desk = format!(
        "{}{}-{:03}",
        rng.pick(&["A", "B", "C"]).copied().unwrap_or("A"),
        rng.range(1, 13),
        rng.range(1, 200)
    );
    serde_json::json!({ "工位": desk }).to_string()
}

/// Letters and digits, like DingTalk's unionids.
fn alphanumeric(rng: &mut SimRng, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(CHARS[rng.below(CHARS.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Instant;

    use super::*;

    fn depth_of(org: &Org, mut dept_id: i64) -> usize {
        let mut depth = 0;
        while let Some(parent) = org.department(dept_id).and_then(|d| d.parent_id) {
            dept_id = parent;
            depth += 1;
        }
        depth
    }

    #[test]
    fn the_same_seed_gives_the_same_org_and_another_seed_does_not() {
        let spec = OrgSpec::default();
        assert_eq!(Org::generate(&spec), Org::generate(&spec));
        let other = OrgSpec {
            seed: 7,
            ..OrgSpec::default()
        };
        assert_ne!(Org::generate(&spec), Org::generate(&other));
    }

    #[test]
    fn default_org_has_the_promised_shape() {
        let org = Org::generate(&OrgSpec::default());
        assert_eq!(org.users.len(), 300);
        assert_eq!(org.departments.len(), 25);
        assert_eq!(org.departments[0].name, org.name);
        let max_depth = org
            .departments
            .iter()
            .map(|d| depth_of(&org, d.dept_id))
            .max();
        assert_eq!(max_depth, Some(5));
        let multi = org.users.iter().filter(|u| u.dept_ids.len() > 1).count();
        let inactive = org.users.iter().filter(|u| !u.active).count();
        let no_unionid = org.users.iter().filter(|u| u.unionid.is_empty()).count();
        assert!(
            (15..=50).contains(&multi),
            "multi-department users: {multi}"
        );
        assert!((3..=30).contains(&inactive), "inactive users: {inactive}");
        assert!(
            (3..=30).contains(&no_unionid),
            "users without unionid: {no_unionid}"
        );
    }

    #[test]
    fn identifiers_are_unique_and_well_formed() {
        let org = Org::generate(&OrgSpec::default());
        let distinct =
            |f: fn(&SimUser) -> &str| org.users.iter().map(f).collect::<HashSet<_>>().len();
        assert_eq!(distinct(|u| &u.userid), org.users.len());
        assert_eq!(distinct(|u| &u.mobile), org.users.len());
        assert_eq!(distinct(|u| &u.email), org.users.len());
        let dept_names: HashSet<_> = org.departments.iter().map(|d| &d.name).collect();
        assert_eq!(dept_names.len(), org.departments.len());
        for user in &org.users {
            assert_eq!(user.mobile.len(), 11, "{}", user.mobile);
            assert!(["13", "15", "18"].contains(&&user.mobile[..2]));
            assert!(user.unionid.chars().all(|c| c.is_ascii_alphanumeric()));
            assert!(user.avatar.is_empty() || user.avatar.starts_with("https://"));
            assert!(
                user.extension.is_empty()
                    || serde_json::from_str::<serde_json::Value>(&user.extension).is_ok()
            );
            for id in &user.dept_ids {
                assert!(org.department(*id).is_some());
            }
        }
        assert!(org.users[0].userid.starts_with("manager"));
    }

    #[test]
    fn a_benchmark_sized_org_generates_quickly() {
        let started = Instant::now();
        let org = Org::generate(&benchmark_spec());
        let took = started.elapsed();
        assert_eq!(org.users.len(), 100_000);
        assert_eq!(org.departments.len(), 2_000);
        let userids: HashSet<_> = org.users.iter().map(|u| &u.userid).collect();
        assert_eq!(userids.len(), 100_000);
        // Debug builds are several times slower than release; this bound holds for both.
        assert!(took.as_secs_f64() < 3.0, "generation took {took:?}");
    }
}
