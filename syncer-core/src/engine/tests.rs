//! Unit tests of the engine's semantics (SPEC §5) with a mocked target and a static source, one
//! file per subject; the fixtures they share are in `fixtures`.

mod adoption;
mod blanking;
mod conflicts;
mod dry_run;
mod event_index;
mod event_reads;
mod events;
mod failures;
mod fixtures;
mod group_safety;
mod groups;
mod guard;
mod journal;
mod leavers;
mod mapping;
mod matching;
mod revert;
mod shutdown;
mod updates;

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::*;
use crate::field::IamField;
use crate::mapping::FieldMapping;
use crate::snapshot::{Department, FetchFailure, FetchProgress, Snapshot, SourceRecord};
use crate::syncer::{ConnectionReport, FetchError, Syncer};
use crate::target::{MockTarget, TargetError};
use crate::user::IamUser;
use fixtures::*;
