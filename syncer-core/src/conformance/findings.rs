//! The failures a conformance run collects: one sentence each, prefixed by the part of the
//! contract it breaks (`[registration]`, `[connection]`, `[fetch]`), so a backend author reads
//! the list top to bottom and fixes one thing per line.

/// How many instances of one kind of failure are spelled out before the rest are counted.
const SPELLED_OUT: usize = 5;

/// Failures collected by the checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    failures: Vec<String>,
}

impl Findings {
    /// No failures yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one failure of part `part` of the contract.
    pub fn fail(&mut self, part: &str, message: impl Into<String>) {
        self.failures.push(format!("[{part}] {}", message.into()));
    }

    /// Records one failure listing `instances` (user ids, department ids, ...), spelling out
    /// the first few. Nothing is recorded when `instances` is empty.
    pub fn fail_each(&mut self, part: &str, what: &str, instances: &[String]) {
        if instances.is_empty() {
            return;
        }
        let mut listed = instances
            .iter()
            .take(SPELLED_OUT)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if instances.len() > SPELLED_OUT {
            listed.push_str(&format!(" (and {} more)", instances.len() - SPELLED_OUT));
        }
        self.fail(part, format!("{what}: {listed}"));
    }

    /// Records a failure when `text` shows one of `secrets`.
    pub fn check_no_secret(&mut self, part: &str, what: &str, text: &str, secrets: &[String]) {
        if secrets.iter().any(|secret| text.contains(secret.as_str())) {
            self.fail(
                part,
                format!("{what} shows a secret value; mask it (`Secret::redact`) before it leaves the backend"),
            );
        }
    }

    /// Masks `secrets` in every failure: the kit quotes what backends say, and must not repeat
    /// a secret a backend leaked.
    pub fn redact(&mut self, secrets: &[String]) {
        for failure in &mut self.failures {
            for secret in secrets {
                *failure = failure.replace(secret.as_str(), crate::Secret::MASK);
            }
        }
    }

    /// Appends the failures of another check.
    pub fn extend(&mut self, other: Findings) {
        self.failures.extend(other.failures);
    }

    /// The failures so far.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    /// Whether nothing failed.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }

    /// `Ok` when nothing failed, else every failure.
    pub fn into_result(self) -> Result<(), Vec<String>> {
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(self.failures)
        }
    }
}
