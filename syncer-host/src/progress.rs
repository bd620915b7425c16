//! A progress bar for `sync` on a terminal: departments and users fetched, then writes applied.
//! Never shown with `--json` or when stderr is not a terminal.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use syncer_core::{FetchProgress, NoProgress, SyncProgress};

/// Progress drawn on stderr.
pub struct TerminalProgress {
    bar: ProgressBar,
    users: AtomicUsize,
    departments: AtomicUsize,
}

impl TerminalProgress {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self {
            bar,
            users: AtomicUsize::new(0),
            departments: AtomicUsize::new(0),
        }
    }

    fn show_fetch(&self) {
        self.bar.set_message(format!(
            "fetching: {} departments, {} users",
            self.departments.load(Ordering::Relaxed),
            self.users.load(Ordering::Relaxed)
        ));
    }
}

impl FetchProgress for TerminalProgress {
    fn department_listed(&self, known: usize) {
        self.departments.fetch_max(known, Ordering::Relaxed);
        self.show_fetch();
    }

    fn users_fetched(&self, count: usize) {
        self.users.fetch_add(count, Ordering::Relaxed);
        self.show_fetch();
    }
}

impl SyncProgress for TerminalProgress {
    fn writes_planned(&self, writes: usize) {
        self.bar.set_length(writes as u64);
        self.bar.set_position(0);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} writes applied ({elapsed})")
        {
            self.bar.set_style(style);
        }
    }

    fn write_applied(&self) {
        self.bar.inc(1);
    }
}

impl Drop for TerminalProgress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A progress bar when a person watches (stderr is a terminal and output is not JSON), else
/// nothing.
pub fn for_sync(json: bool) -> Box<dyn SyncProgress> {
    if !json && std::io::stderr().is_terminal() {
        Box::new(TerminalProgress::new())
    } else {
        Box::new(NoProgress)
    }
}
