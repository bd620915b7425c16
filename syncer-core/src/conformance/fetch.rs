//! The fetch contract: every person exactly once with the values the default mapping documents,
//! departments that form a tree, and, when part of the directory fails, a snapshot that says so
//! and names the part — never a silently short one.

use std::collections::{BTreeMap, BTreeSet};

use super::expect::ExpectedDirectory;
use super::findings::Findings;
use super::harness::{build_syncer, secret_values, ConformanceHarness, Credentials};
use crate::field::IamField;
use crate::mapping::FieldMapping;
use crate::plugin::PluginDescriptor;
use crate::snapshot::{NoProgress, Snapshot};

/// The state the harness put its fake in before the fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchCase {
    /// Nothing fails: the snapshot must be complete and hold exactly the expected directory.
    Healthy,
    /// Some departments fail permanently: the snapshot must say it is incomplete.
    PartlyFailing,
}

impl FetchCase {
    fn part(self) -> &'static str {
        match self {
            FetchCase::Healthy => "fetch",
            FetchCase::PartlyFailing => "partial fetch",
        }
    }
}

/// Fetches with good credentials and compares the snapshot with `expected`.
pub async fn check_fetch(
    harness: &dyn ConformanceHarness,
    expected: &ExpectedDirectory,
    case: FetchCase,
) -> Findings {
    let part = case.part();
    let mut findings = Findings::new();
    if case == FetchCase::PartlyFailing && expected.failing_departments.is_empty() {
        findings.fail(
            "harness",
            "partly_failing_directory names no failing department",
        );
    }
    let Some(syncer) = build_syncer(harness, Credentials::Good, &mut findings) else {
        return findings;
    };
    let snapshot = match syncer.fetch(&NoProgress).await {
        Ok(snapshot) => snapshot,
        Err(error) => {
            let message = match case {
                FetchCase::Healthy => format!("the fetch fails against a healthy fake: {error}"),
                FetchCase::PartlyFailing => format!(
                    "one failing department aborts the whole fetch ({error}): read the rest and list the failure in Snapshot::failures"
                ),
            };
            findings.check_no_secret(
                part,
                "the fetch error",
                &error.message,
                &secret_values(harness),
            );
            findings.fail(part, message);
            findings.redact(&secret_values(harness));
            return findings;
        }
    };
    check_failures(harness, &snapshot, expected, case, &mut findings);
    check_users(harness.plugin(), &snapshot, expected, case, &mut findings);
    check_departments(&snapshot, expected, case, &mut findings);
    findings.redact(&secret_values(harness));
    findings
}

fn check_failures(
    harness: &dyn ConformanceHarness,
    snapshot: &Snapshot,
    expected: &ExpectedDirectory,
    case: FetchCase,
    findings: &mut Findings,
) {
    let part = case.part();
    let described: Vec<String> = snapshot
        .failures
        .iter()
        .map(|f| format!("{} ({}): {}", f.scope, f.api, f.message))
        .collect();
    match case {
        FetchCase::Healthy => findings.fail_each(
            part,
            "a healthy fake gives fetch failures",
            &described,
        ),
        FetchCase::PartlyFailing if snapshot.failures.is_empty() => findings.fail(
            part,
            format!(
                "departments {} fail, yet the snapshot says it is complete (no failures): a silently short snapshot deprovisions their people; list each failed part in Snapshot::failures",
                expected.failing_departments.join(", ")
            ),
        ),
        FetchCase::PartlyFailing => {
            for dept in &expected.failing_departments {
                let named = snapshot
                    .failures
                    .iter()
                    .any(|f| f.scope.contains(dept.as_str()) || f.message.contains(dept.as_str()));
                if !named {
                    findings.fail(
                        part,
                        format!("no fetch failure names the failing department {dept}: say which part of the directory could not be read"),
                    );
                }
            }
        }
    }
    let secrets = secret_values(harness);
    for failure in &snapshot.failures {
        if failure.scope.trim().is_empty()
            || failure.api.trim().is_empty()
            || failure.message.trim().is_empty()
        {
            findings.fail(
                part,
                format!("a fetch failure lacks its scope, API or message: {failure:?}"),
            );
        }
        findings.check_no_secret(part, "a fetch failure", &failure.message, &secrets);
    }
}

fn check_users(
    plugin: &PluginDescriptor,
    snapshot: &Snapshot,
    expected: &ExpectedDirectory,
    case: FetchCase,
    findings: &mut Findings,
) {
    let part = case.part();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for record in &snapshot.users {
        *counts.entry(record.id.as_str()).or_default() += 1;
    }
    if counts.contains_key("") {
        findings.fail(part, "the snapshot holds users with an empty id");
    }
    let duplicated: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, n)| format!("{id} ×{n}"))
        .collect();
    findings.fail_each(
        part,
        "users returned more than once (merge people who sit in several departments)",
        &duplicated,
    );
    let missing: Vec<String> = expected
        .users
        .iter()
        .filter(|user| !counts.contains_key(user.id.as_str()))
        .map(|user| user.id.clone())
        .collect();
    findings.fail_each(
        part,
        "users the fake holds are missing from the snapshot",
        &missing,
    );
    if case == FetchCase::Healthy {
        let known: BTreeSet<&str> = expected.users.iter().map(|u| u.id.as_str()).collect();
        let unexpected: Vec<String> = counts
            .keys()
            .filter(|id| !known.contains(*id))
            .map(|id| (*id).to_owned())
            .collect();
        findings.fail_each(
            part,
            "the snapshot holds users the fake does not",
            &unexpected,
        );
    }
    check_mapping(plugin, snapshot, expected, part, findings);
    if case == FetchCase::Healthy {
        check_memberships(snapshot, expected, findings);
    }
}

/// Every person with exactly the departments the fake holds for them — the union over all the
/// departments they were listed in, not the first one met.
fn check_memberships(snapshot: &Snapshot, expected: &ExpectedDirectory, findings: &mut Findings) {
    const PART: &str = "fetch";
    if expected
        .users
        .iter()
        .any(|user| user.departments.is_empty())
    {
        findings.fail(
            "harness",
            "some expected users state no departments: give every person their departments (ExpectedUser::in_departments) so the kit can check memberships",
        );
        return;
    }
    if !expected.users.iter().any(|user| user.departments.len() > 1) {
        findings.fail(
            "harness",
            "no expected user sits in several departments: put at least one person in two departments so the kit can check that they are merged",
        );
    }
    let by_id: BTreeMap<&str, _> = snapshot.users.iter().map(|r| (r.id.as_str(), r)).collect();
    let wrong: Vec<String> = expected
        .users
        .iter()
        .filter_map(|user| {
            let record = by_id.get(user.id.as_str())?;
            let got: BTreeSet<String> = record.departments.iter().cloned().collect();
            (got != user.departments).then(|| {
                format!(
                    "user {}: departments {:?}, expected {:?}",
                    user.id, got, user.departments
                )
            })
        })
        .collect();
    findings.fail_each(
        PART,
        "users with other departments than the fake holds (keep the union of every department a person is listed in)",
        &wrong,
    );
}

fn check_mapping(
    plugin: &PluginDescriptor,
    snapshot: &Snapshot,
    expected: &ExpectedDirectory,
    part: &str,
    findings: &mut Findings,
) {
    // A mapping that cannot be built is a registration failure, reported there.
    let Ok(mapping) = FieldMapping::build(plugin, &BTreeMap::new()) else {
        return;
    };
    let targets = mapping.targets();
    let by_id: BTreeMap<&str, _> = snapshot.users.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut unexpected_fields = BTreeSet::new();
    let mut unstated_fields = BTreeSet::new();
    let mut mismatches = Vec::new();
    for user in &expected.users {
        for field in user.fields.keys() {
            if !targets.contains(field) {
                unexpected_fields.insert(*field);
            }
        }
        let Some(record) = by_id.get(user.id.as_str()) else {
            continue;
        };
        let mapped = mapping.apply(record);
        for target in &targets {
            let Some(want) = user.fields.get(target) else {
                unstated_fields.insert(*target);
                continue;
            };
            let want = want.coerce(target.kind());
            let got = mapped.get(target).cloned();
            if got.as_ref() != Some(&want) {
                mismatches.push(format!(
                    "user {}: {target} is {}, expected {:?}",
                    user.id,
                    got.map_or_else(|| "unset".to_owned(), |v| format!("{:?}", v.as_text())),
                    want.as_text()
                ));
            }
        }
    }
    findings.fail_each(
        part,
        "the default mapping gives other values than the fake holds",
        &mismatches,
    );
    let names = |fields: &BTreeSet<IamField>| {
        fields
            .iter()
            .map(|f| f.name().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !unstated_fields.is_empty() {
        findings.fail(
            "harness",
            format!(
                "the expected users give no value for mapped fields {}: state every field of the default mapping so the kit can check it",
                names(&unstated_fields)
            ),
        );
    }
    if !unexpected_fields.is_empty() {
        findings.fail(
            "harness",
            format!(
                "the expected users give values for {}, which the default mapping does not fill",
                names(&unexpected_fields)
            ),
        );
    }
}

fn check_departments(
    snapshot: &Snapshot,
    expected: &ExpectedDirectory,
    case: FetchCase,
    findings: &mut Findings,
) {
    let part = case.part();
    let departments = &snapshot.departments;
    let by_id: BTreeMap<&str, _> = departments.iter().map(|d| (d.id.as_str(), d)).collect();
    if by_id.len() != departments.len() {
        findings.fail(part, "the snapshot lists a department more than once");
    }
    let unnamed: Vec<String> = departments
        .iter()
        .filter(|d| d.id.trim().is_empty() || d.name.trim().is_empty())
        .map(|d| format!("{:?}", d.id))
        .collect();
    findings.fail_each(part, "departments without an id or a name", &unnamed);
    let roots = departments.iter().filter(|d| d.parent_id.is_none()).count();
    if !departments.is_empty() && roots != 1 {
        findings.fail(
            part,
            format!("the departments have {roots} roots (no parent); exactly one is expected"),
        );
    }
    let orphans: Vec<String> = departments
        .iter()
        .filter_map(|d| match &d.parent_id {
            Some(parent) if !by_id.contains_key(parent.as_str()) || parent == &d.id => {
                Some(format!("{} (parent {parent})", d.id))
            }
            _ => None,
        })
        .collect();
    findings.fail_each(
        part,
        "departments whose parent is not in the snapshot",
        &orphans,
    );

    let mut missing = Vec::new();
    let mut different = Vec::new();
    for want in &expected.departments {
        match by_id.get(want.id.as_str()) {
            None => missing.push(want.id.clone()),
            Some(got) if got.name != want.name || got.parent_id != want.parent_id => {
                different.push(format!(
                    "{}: {:?} under {:?}, expected {:?} under {:?}",
                    want.id, got.name, got.parent_id, want.name, want.parent_id
                ));
            }
            Some(_) => {}
        }
    }
    findings.fail_each(part, "departments the fake holds are missing", &missing);
    findings.fail_each(
        part,
        "departments with another name or parent than the fake's",
        &different,
    );

    if case == FetchCase::Healthy {
        let known: BTreeSet<&str> = expected.departments.iter().map(|d| d.id.as_str()).collect();
        let extra: Vec<String> = by_id
            .keys()
            .filter(|id| !known.contains(*id))
            .map(|id| (*id).to_owned())
            .collect();
        findings.fail_each(
            part,
            "the snapshot lists departments the fake does not hold",
            &extra,
        );
        let dangling: Vec<String> = snapshot
            .users
            .iter()
            .flat_map(|user| {
                user.departments
                    .iter()
                    .filter(|dept| !by_id.contains_key(dept.as_str()))
                    .map(move |dept| format!("user {} in {dept}", user.id))
            })
            .collect();
        findings.fail_each(
            part,
            "users belong to departments the snapshot does not list",
            &dangling,
        );
    }
}
