//! The knobs of one sync run: who owns what, what happens to leavers, and the safety guard.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

/// What happens to a user the syncer manages who is gone from the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LeaverPolicy {
    /// Forbid sign-in (IsForbidden = true); the user comes back enabled if they return.
    #[default]
    Disable,
    /// Delete the user from IAM.
    Delete,
    /// Leave the user as they are.
    Keep,
}

impl FromStr for LeaverPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "disable" => Ok(Self::Disable),
            "delete" => Ok(Self::Delete),
            "keep" => Ok(Self::Keep),
            other => Err(format!(
                "`{other}` is not a leaver policy; use \"disable\", \"delete\" or \"keep\""
            )),
        }
    }
}

impl fmt::Display for LeaverPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disable => "disable",
            Self::Delete => "delete",
            Self::Keep => "keep",
        })
    }
}

/// Which IAM accounts that no syncer manages may be adopted because their Name is the one a
/// person maps to (config key `adopt_by_name`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdoptByName {
    /// Only where the account is evidently the person's: its Name is the identity the source
    /// generated (DingTalk's `unionid`), or it is already linked to this person's source id.
    /// Any other Name collision is reported and adopts nothing: a Name that fell back to an
    /// administrator-chosen id (`contractor1`) could be a local account of someone else.
    #[default]
    Unionid,
    /// Every Name match (the behaviour before `adopt_by_name` existed), for directories whose
    /// IAM accounts were made by hand with the source's ids as names.
    Any,
}

impl FromStr for AdoptByName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "unionid" => Ok(Self::Unionid),
            "any" => Ok(Self::Any),
            other => Err(format!(
                "`{other}` is not an adoption rule; use \"unionid\" (adopt an account by Name only when it is evidently the person's) or \"any\" (adopt every Name match)"
            )),
        }
    }
}

impl fmt::Display for AdoptByName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unionid => "unionid",
            Self::Any => "any",
        })
    }
}

/// The mass-deprovision guard: a run that would deprovision more than `max_percent` of the
/// managed users *and* more than `min_users` users deprovisions nobody.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DeprovisionGuard {
    /// Share of the managed users, in percent.
    pub max_percent: f64,
    /// Absolute count below which the guard never trips.
    pub min_users: usize,
}

impl Default for DeprovisionGuard {
    fn default() -> Self {
        Self {
            max_percent: 10.0,
            min_users: 10,
        }
    }
}

impl DeprovisionGuard {
    /// Whether deprovisioning `count` of `managed` users is too many.
    pub fn trips(&self, count: usize, managed: usize) -> bool {
        count > self.min_users && (count as f64) > managed as f64 * self.max_percent / 100.0
    }
}

/// Everything one run needs besides the source, the mapping and the target.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The syncer's name: its ownership mark on users.
    pub syncer: String,
    /// The IAM organization users land in.
    pub organization: String,
    /// What happens to leavers.
    pub leavers: LeaverPolicy,
    /// The mass-deprovision guard.
    pub guard: DeprovisionGuard,
    /// Lift the guard for this run.
    pub allow_mass_deprovision: bool,
    /// Plan only; write nothing.
    pub dry_run: bool,
    /// Concurrent writes to the target.
    pub write_concurrency: usize,
    /// Carry departments into groups and users' memberships.
    pub sync_groups: bool,
    /// Put before every group name (`""` by default: groups are named by department id). IAM
    /// group names are unique across organizations, so syncing two directories into one IAM
    /// needs a prefix for one of them.
    pub group_name_prefix: String,
    /// Which unmanaged accounts a Name match may adopt.
    pub adopt_by_name: AdoptByName,
    /// When the run must stop writing (`None`: no deadline).
    pub deadline: Option<Deadline>,
    /// The circuit breaker: after this many writes in a row got no answer, no further write is
    /// sent (0 turns it off).
    pub breaker_after: usize,
    /// Raised on shutdown: writes in flight finish, no new write starts.
    pub stop: StopSignal,
}

/// The overall deadline of a run (`run_deadline_seconds`): no write starts after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// When it passes.
    pub at: Instant,
    /// How long the run was given, for the message.
    pub limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// Whether it has passed.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.at
    }
}

/// A shared flag asking a run to stop starting new writes (graceful shutdown).
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    /// Asks every run holding this signal to stop.
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether stopping was asked for.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl SyncOptions {
    /// Options with the defaults of SPEC §5 for a syncer and organization.
    pub fn new(syncer: impl Into<String>, organization: impl Into<String>) -> Self {
        Self {
            syncer: syncer.into(),
            organization: organization.into(),
            leavers: LeaverPolicy::default(),
            guard: DeprovisionGuard::default(),
            allow_mass_deprovision: false,
            dry_run: false,
            write_concurrency: 8,
            sync_groups: true,
            group_name_prefix: String::new(),
            adopt_by_name: AdoptByName::default(),
            deadline: None,
            breaker_after: 5,
            stop: StopSignal::default(),
        }
    }
}

/// The knobs of a revert besides those it shares with a sync ([`SyncOptions`]: syncer,
/// organization, guard and its override, dry run, concurrency, stop signal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RevertOptions {
    /// Delete the users the reverted run created, instead of disabling them.
    pub delete_created: bool,
}
