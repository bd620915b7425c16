use std::sync::atomic::{AtomicU64, Ordering};

use futures::FutureExt;
use syncer_core::NoProgress;

use super::*;

/// Comparisons of department ids made so far (by [`CountedId`]).
static COMPARISONS: AtomicU64 = AtomicU64::new(0);

/// A department id that counts how often it is compared.
#[derive(Clone, Debug)]
struct CountedId(u32);

impl std::hash::Hash for CountedId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for CountedId {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.fetch_add(1, Ordering::Relaxed);
        self.0 == other.0
    }
}

impl Eq for CountedId {}

impl fmt::Display for CountedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A root with `width` sub-departments, each listed twice, and one member in every department.
struct Flat {
    width: u32,
}

/// No failure happens in these tests.
#[derive(Debug)]
struct NoFailure;

impl fmt::Display for NoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no failure")
    }
}

impl Failure for NoFailure {
    fn api(&self) -> &str {
        ""
    }
}

impl TreeReader for Flat {
    type Id = CountedId;
    type User = u32;
    type Failure = NoFailure;
    const MEMBERS: &'static str = "members";

    fn children(&self, department: CountedId) -> BoxFuture<'_, Read<Vec<Child<CountedId>>, Self>> {
        let listed = if department.0 == 0 {
            (1..=self.width)
                .chain(1..=self.width)
                .map(|id| Child {
                    id: CountedId(id),
                    name: format!("d{id}"),
                    parent: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        async move { Ok(listed) }.boxed()
    }

    fn members(
        &self,
        department: CountedId,
    ) -> BoxFuture<'_, (Vec<u32>, Option<CallError<NoFailure>>)> {
        async move { (vec![department.0], None) }.boxed()
    }

    fn is_fatal(&self, _: &CallError<NoFailure>) -> bool {
        false
    }
}

#[tokio::test]
async fn a_wide_tree_is_walked_with_comparisons_linear_in_its_departments() {
    let width = 4_000;
    let mut members = 0;
    let walked = walk_departments(
        &Flat { width },
        CountedId(0),
        "Acme",
        &NoProgress,
        |_, users| members += users.len(),
    )
    .await
    .expect("walked");
    assert_eq!(walked.departments.len(), width as usize + 1);
    assert_eq!(walked.departments[0].name, "Acme");
    assert_eq!(members, width as usize + 1);
    assert!(walked.failures.is_empty());
    // Each of the 8,000 listings is looked up once in a set: a scan of the departments read so
    // far would compare ids some eight million times.
    let comparisons = COMPARISONS.load(Ordering::Relaxed);
    assert!(
        comparisons < 4 * u64::from(width),
        "{comparisons} comparisons"
    );
}

/// A tree without end: every department lists `fanout` new ones below it.
struct Endless {
    fanout: u64,
    limits: WalkLimits,
}

impl TreeReader for Endless {
    type Id = u64;
    type User = u64;
    type Failure = NoFailure;
    const MEMBERS: &'static str = "members";

    fn children(&self, department: u64) -> BoxFuture<'_, Read<Vec<Child<u64>>, Self>> {
        let listed = (1..=self.fanout)
            .map(|n| Child {
                id: department * self.fanout + n,
                name: format!("d{n}"),
                parent: None,
            })
            .collect();
        async move { Ok(listed) }.boxed()
    }

    fn members(&self, _: u64) -> BoxFuture<'_, (Vec<u64>, Option<CallError<NoFailure>>)> {
        async { (Vec::new(), None) }.boxed()
    }

    fn is_fatal(&self, _: &CallError<NoFailure>) -> bool {
        false
    }

    fn limits(&self) -> WalkLimits {
        self.limits
    }
}

async fn walk_endless(fanout: u64, limits: WalkLimits) -> FetchError {
    walk_departments(&Endless { fanout, limits }, 0, "", &NoProgress, |_, _| {})
        .await
        .expect_err("a tree without end is not walked to its end")
}

#[tokio::test]
async fn a_tree_without_end_stops_at_the_department_cap_naming_it() {
    let limits = WalkLimits {
        max_departments: 500,
        max_depth: 1_000,
    };
    let error = walk_endless(2, limits).await;
    assert!(
        error.message.contains("more than 500 departments"),
        "{error}"
    );
    assert!(error.message.contains("nobody is deprovisioned"), "{error}");
}

#[tokio::test]
async fn a_chain_without_end_stops_at_the_depth_limit_naming_it() {
    let limits = WalkLimits {
        max_departments: 1_000_000,
        max_depth: 7,
    };
    let error = walk_endless(1, limits).await;
    assert!(error.message.contains("more than 7 levels"), "{error}");
}
