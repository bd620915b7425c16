//! Human-readable output of reports, checks and plugin lists (JSON output is serde's).

use std::fmt::Write;

use syncer_core::engine::RunKind;
use syncer_core::{ConnectionCheck, PluginDescriptor, SyncReport};

/// The report of run `run_id` as a few lines for a terminal, with the run's id.
pub fn run(run_id: Option<i64>, report: &SyncReport) -> String {
    let mut out = self::report(report);
    if let Some(id) = run_id {
        let undo = if report.dry_run || report.target_writes == 0 {
            String::new()
        } else {
            format!(" (undo it with `syncer-host revert {id}`)")
        };
        let _ = writeln!(out, "  run {id}{undo}");
    }
    out
}

/// A report as a few lines for a terminal.
pub fn report(report: &SyncReport) -> String {
    let mut out = String::new();
    let c = &report.counts;
    let verb = if report.dry_run { "would be " } else { "" };
    let what = match (&report.kind, &report.reverts) {
        (RunKind::Revert, Some(run)) => format!("revert of run {run}"),
        (RunKind::Revert, None) => "revert".to_owned(),
        (RunKind::Sync, _) => "sync".to_owned(),
    };
    let _ = writeln!(
        out,
        "{}{what} of {} into organization {}: {}",
        if report.dry_run { "dry-run " } else { "" },
        report.syncer,
        report.organization,
        report.status.as_str()
    );
    if report.kind == RunKind::Sync {
        let _ = writeln!(
            out,
            "  fetched {} users from {} departments with {} API calls in {:.1}s",
            c.fetched,
            report.departments,
            report.api_calls,
            report.duration_ms as f64 / 1000.0
        );
    }
    let _ = writeln!(
        out,
        "  {verb}created {}, {verb}updated {}, unchanged {}, {verb}disabled {}, {verb}deleted {}, failed {}, skipped {}",
        c.created, c.updated, c.unchanged, c.disabled, c.deleted, c.failed, c.skipped
    );
    if !report.dry_run {
        let _ = writeln!(out, "  writes sent to the target: {}", report.target_writes);
    }
    if let Some(plan) = &report.plan {
        for (label, users) in [
            ("create", &plan.create),
            ("update", &plan.update),
            ("disable", &plan.disable),
            ("delete", &plan.delete),
        ] {
            for user in users {
                let fields = if user.fields.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", user.fields.join(", "))
                };
                // A revert names users by their IAM name only: no source id to show.
                let subject = if user.user == user.iam_user {
                    user.iam_user.clone()
                } else {
                    format!("{} → {}", user.user, user.iam_user)
                };
                let _ = writeln!(out, "  would {label} {subject}{fields}");
            }
        }
    }
    let c = &report.counts;
    if c.groups_created + c.groups_updated + c.groups_deleted + c.groups_failed > 0 {
        let _ = writeln!(
            out,
            "  groups: {verb}created {}, {verb}updated {}, {verb}deleted {}, failed {}",
            c.groups_created, c.groups_updated, c.groups_deleted, c.groups_failed
        );
    }
    for notice in &report.notices {
        let _ = writeln!(out, "  - {notice}");
    }
    for conflict in &report.conflicts {
        let _ = writeln!(
            out,
            "  ~ conflict: {} {} was {} before the run, the run wrote {}, it is now {} (kept)",
            conflict.user, conflict.field, conflict.before, conflict.written, conflict.now
        );
    }
    for error in &report.errors {
        let subject = match (&error.user, &error.api) {
            (Some(user), _) => format!("user {user}: "),
            (None, Some(api)) => format!("{api}: "),
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "  ! {subject}{}", error.message);
    }
    out
}

/// Test Connection checks, one line each.
pub fn checks(checks: &[ConnectionCheck]) -> String {
    checks
        .iter()
        .map(|check| {
            format!(
                "  [{}] {}: {}\n",
                if check.ok { "ok" } else { "FAIL" },
                check.name,
                check.message
            )
        })
        .collect()
}

/// Registered plugins with their fields and default mappings.
pub fn plugins(plugins: &[&PluginDescriptor]) -> String {
    let mut out = String::new();
    for plugin in plugins {
        let _ = writeln!(out, "{}\n  {}", plugin.type_name, plugin.description);
        let _ = writeln!(out, "  config:");
        for field in plugin.config_fields {
            let mut notes = Vec::new();
            if field.required {
                notes.push("required".to_owned());
            }
            if field.secret {
                notes.push("secret".to_owned());
            }
            if let Some(default) = field.default {
                notes.push(format!("default {default}"));
            }
            let _ = writeln!(
                out,
                "    {:<16} {} [{}]",
                field.name,
                field.label,
                notes.join(", ")
            );
        }
        let _ = writeln!(out, "  default mapping:");
        for rule in plugin.info().default_mapping {
            let _ = writeln!(
                out,
                "    {:<12} → {:<12} ({})",
                rule.source, rule.target, rule.transform
            );
        }
    }
    out
}
