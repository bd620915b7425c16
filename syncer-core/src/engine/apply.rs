//! Apply: send a plan's writes to the target, concurrently but bounded, and collect per-user
//! outcomes. One user's failure never stops the others.

use futures::stream::{self, StreamExt};

use super::plan::{Operation, OperationKind};
use super::progress::SyncProgress;
use super::report::ReportError;
use crate::target::{Target, TargetError};

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Kinds of the operations that succeeded.
    pub done: Vec<OperationKind>,
    /// Operations that failed, with why.
    pub failures: Vec<ReportError>,
    /// Writes sent (successful or not).
    pub writes: u64,
}

impl Applied {
    /// How many operations of `kind` succeeded.
    pub fn count(&self, kind: OperationKind) -> usize {
        self.done.iter().filter(|k| **k == kind).count()
    }
}

/// Sends every operation, at most `concurrency` at a time.
pub async fn apply(
    operations: &[Operation],
    target: &dyn Target,
    concurrency: usize,
    progress: &dyn SyncProgress,
) -> Applied {
    let mut outcomes = stream::iter(operations)
        .map(|op| async move { (op, send(op, target).await) })
        .buffer_unordered(concurrency.max(1));
    let mut applied = Applied::default();
    while let Some((op, outcome)) = outcomes.next().await {
        applied.writes += 1;
        progress.write_applied();
        match outcome {
            Ok(()) => applied.done.push(op.kind),
            Err(error) => applied.failures.push(ReportError {
                user: Some(op.subject()),
                api: Some(error.api().to_owned()),
                message: error.to_string(),
            }),
        }
    }
    applied
}

async fn send(op: &Operation, target: &dyn Target) -> Result<(), TargetError> {
    match op.kind {
        OperationKind::Create => target.create_user(&op.user).await,
        OperationKind::Update | OperationKind::Disable => {
            target.update_user(&op.user, &op.columns).await
        }
        OperationKind::Delete => target.delete_user(&op.user).await,
    }
}
