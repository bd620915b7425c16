//! What the server task and the test-side [`crate::FakeIam`] handle share: the configuration,
//! the stored users and groups, the counters, the injected write failures and the hostile answers.

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::config::FakeIamConfig;
use crate::faults::Faults;
use crate::stats::StatsRecorder;
use crate::store::Store;

/// State shared by the server task and the test-side [`crate::FakeIam`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: FakeIamConfig,
    pub(crate) store: Mutex<Store>,
    pub(crate) stats: StatsRecorder,
    /// User name → message that every write of that user answers with.
    pub(crate) failures: Mutex<HashMap<String, String>>,
    /// Hostile answers switched on by the test.
    pub(crate) faults: Mutex<Faults>,
}
