//! Leavers: what happens to the users this syncer manages who are gone from the source, and
//! the safety rules that withhold it (incomplete fetch, empty source, mass-deprovision guard).

use super::groups::{self, Memberships};
use crate::engine::options::{LeaverPolicy, SyncOptions};
use crate::engine::ownership;
use crate::engine::vocabulary::{HeldBack, Operation, OperationKind, PlanScope, WithheldUser};
use crate::field::IamField;
use crate::user::IamUser;

/// The writes for leavers under one policy.
#[derive(Debug, Default)]
pub(super) struct LeaverWrites {
    /// Disables or deletes: the deprovisioning the guard counts.
    pub deprovisions: Vec<Operation>,
    /// Group memberships taken from leavers who are disabled already (they sign in nowhere,
    /// but an emptied department group can only be deleted once they are out of it).
    pub cleanups: Vec<Operation>,
}

/// Plans the leavers' writes. When groups are synced (`memberships`), a disabled leaver also
/// leaves the groups this syncer manages; memberships of other groups stay.
pub(super) fn plan_leavers(
    leavers: &[&IamUser],
    policy: LeaverPolicy,
    memberships: Option<&Memberships>,
) -> LeaverWrites {
    let mut writes = LeaverWrites::default();
    for leaver in leavers {
        let source_id = leaver
            .properties
            .get(ownership::SOURCE_ID)
            .map(str::to_owned);
        match policy {
            LeaverPolicy::Keep => {}
            LeaverPolicy::Disable => {
                let mut user = (*leaver).clone();
                let mut columns = Vec::new();
                if let Some(memberships) = memberships {
                    let kept = memberships.groups_for(&leaver.groups, &[]);
                    if !groups::same_groups(&kept, &leaver.groups) {
                        user.groups = kept;
                        columns.push(IamField::Groups);
                    }
                }
                if leaver.is_forbidden {
                    if !columns.is_empty() {
                        writes.cleanups.push(Operation {
                            kind: OperationKind::Update,
                            user: Box::new(user),
                            columns,
                            source_id,
                            phase: 0,
                        });
                    }
                    continue;
                }
                user.is_forbidden = true;
                user.properties.insert(
                    ownership::DEPROVISIONED.to_owned(),
                    "left source".to_owned(),
                );
                columns.splice(0..0, [IamField::IsForbidden, IamField::Properties]);
                writes.deprovisions.push(Operation {
                    kind: OperationKind::Disable,
                    user: Box::new(user),
                    columns,
                    source_id,
                    phase: 0,
                });
            }
            LeaverPolicy::Delete => writes.deprovisions.push(Operation {
                kind: OperationKind::Delete,
                user: Box::new((*leaver).clone()),
                columns: Vec::new(),
                source_id,
                phase: 0,
            }),
        }
    }
    writes
}

/// Whether (and why) deprovisioning must be withheld this run. `managed` is the guard's base:
/// the users this syncer manages who may sign in now. A dry run lists who was withheld, so an
/// operator can review them before overriding the guard. In a [`PlanScope::Named`] plan (change
/// events) the guard counts these deprovisions on top of those events made within its window,
/// and an empty read is no warning sign (the source was asked about the leavers alone).
pub(super) fn hold_back(
    deprovisions: &[Operation],
    managed: usize,
    fetched: usize,
    options: &SyncOptions,
    snapshot_complete: bool,
    scope: &PlanScope,
) -> Option<HeldBack> {
    let count = deprovisions.len();
    if count == 0 {
        return None;
    }
    if let PlanScope::Named {
        recent_deprovisions,
        ..
    } = scope
    {
        let total = count + recent_deprovisions;
        if options.allow_mass_deprovision || !options.guard.trips(total, managed) {
            return None;
        }
        return Some(HeldBack {
            count,
            reason: format!(
                "{count} leaver(s) announced by events, on top of {recent_deprovisions} deprovisioned by events within the last sync interval, would make {total} of {managed} managed users, more than the guard allows ({}% and more than {}); they were not deprovisioned. The next full sync decides (an operator can run one with --allow-mass-deprovision)",
                options.guard.max_percent, options.guard.min_users
            ),
            users: deprovisions
                .iter()
                .map(WithheldUser::of)
                .collect(),
        });
    }
    let reason = if !snapshot_complete {
        format!(
            "the fetch was incomplete, so {count} user(s) missing from it may only be unreadable: nobody was deprovisioned"
        )
    } else if fetched == 0 {
        // Never overridable: an empty answer is a broken source (permissions, contact range),
        // not a company whose every employee left.
        format!(
            "the source returned no users at all, which would deprovision all {count}: nobody was deprovisioned. Check the app's permissions and contact range; --allow-mass-deprovision does not lift this"
        )
    } else if options.allow_mass_deprovision || !options.guard.trips(count, managed) {
        return None;
    } else {
        format!(
            "{count} of {managed} managed users would be deprovisioned, more than the guard allows ({}% and more than {}); nobody was deprovisioned. If this is expected, rerun with --allow-mass-deprovision",
            options.guard.max_percent, options.guard.min_users
        )
    };
    let users = WithheldUser::in_dry_run(options.dry_run, deprovisions);
    Some(HeldBack {
        count,
        reason,
        users,
    })
}
