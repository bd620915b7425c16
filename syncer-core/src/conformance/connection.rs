//! Test Connection as an operator meets it: it passes when the credentials are right, fails when
//! the secret is wrong with a sentence that names the credential to fix, and never shows a
//! secret. A fetch with the wrong secret must fail too, never return an empty directory that
//! would deprovision everyone.

use super::findings::Findings;
use super::harness::{build_syncer, secret_values, ConformanceHarness, Credentials};
use crate::snapshot::NoProgress;
use crate::syncer::ConnectionReport;

const PART: &str = "connection";

/// Runs Test Connection with good credentials and with a wrong secret, and a fetch with the
/// wrong secret. The harness's fake should be healthy.
pub async fn check_connection(harness: &dyn ConformanceHarness) -> Findings {
    let mut findings = Findings::new();
    let secrets = secret_values(harness);

    if let Some(syncer) = build_syncer(harness, Credentials::Good, &mut findings) {
        let report = syncer.test_connection().await;
        check_shape(&report, &mut findings);
        check_no_secret(
            "Test Connection (good credentials)",
            &report,
            &secrets,
            &mut findings,
        );
        if !report.ok() {
            findings.fail(
                PART,
                format!(
                    "Test Connection fails with good credentials against a healthy fake: {}",
                    report.summary()
                ),
            );
        }
    }

    let Some(syncer) = build_syncer(harness, Credentials::WrongSecret, &mut findings) else {
        findings.redact(&secrets);
        return findings;
    };
    let report = syncer.test_connection().await;
    check_shape(&report, &mut findings);
    check_no_secret(
        "Test Connection (wrong secret)",
        &report,
        &secrets,
        &mut findings,
    );
    match report.checks.iter().find(|check| !check.ok) {
        None => findings.fail(
            PART,
            "Test Connection passes with a wrong secret: it must prove the credentials, not just reach the server",
        ),
        Some(failed) => {
            let labels = harness.credential_labels();
            let message = failed.message.to_lowercase();
            if !labels
                .iter()
                .any(|label| message.contains(&label.to_lowercase()))
            {
                findings.fail(
                    PART,
                    format!(
                        "with a wrong secret, Test Connection says \"{}\", which names none of the credentials ({}): say which one to fix and where",
                        failed.message,
                        labels.join(", ")
                    ),
                );
            }
        }
    }

    match syncer.fetch(&NoProgress).await {
        Ok(snapshot) if snapshot.is_complete() => findings.fail(
            PART,
            format!(
                "a fetch with a wrong secret returns a complete snapshot of {} users: it must fail, or an empty directory would deprovision everyone",
                snapshot.users.len()
            ),
        ),
        Ok(snapshot) => {
            for failure in &snapshot.failures {
                findings.check_no_secret(
                    PART,
                    "a fetch failure (wrong secret)",
                    &failure.message,
                    &secrets,
                );
            }
        }
        Err(error) => findings.check_no_secret(
            PART,
            "the fetch error (wrong secret)",
            &error.message,
            &secrets,
        ),
    }
    findings.redact(&secrets);
    findings
}

/// Every check is named and says what it found.
fn check_shape(report: &ConnectionReport, findings: &mut Findings) {
    if report.checks.is_empty() {
        findings.fail(PART, "Test Connection made no checks");
    }
    for check in &report.checks {
        if check.name.trim().is_empty() || check.message.trim().is_empty() {
            findings.fail(
                PART,
                format!(
                    "a Test Connection check lacks a name or a message: {:?} / {:?}",
                    check.name, check.message
                ),
            );
        }
    }
}

fn check_no_secret(
    what: &str,
    report: &ConnectionReport,
    secrets: &[String],
    findings: &mut Findings,
) {
    for check in &report.checks {
        findings.check_no_secret(PART, what, &check.name, secrets);
        findings.check_no_secret(PART, what, &check.message, secrets);
    }
}
