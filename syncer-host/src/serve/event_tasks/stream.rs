//! Stream mode: a task that keeps `listen` going for one syncer. The backend reconnects by
//! itself after drops; should `listen` end anyway (it cannot work: credentials refused), the
//! error is shown on the syncer's `events` and it is started again after a backoff (one
//! second doubling to a minute), until serve stops.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::serve::events::EventHub;

/// Runs `hub`'s stream until `cancel` fires.
pub async fn run(hub: Arc<EventHub>, cancel: CancellationToken) {
    let mut pause = Duration::from_secs(1);
    loop {
        let ended = tokio::select! {
            _ = cancel.cancelled() => return,
            ended = hub.source.listen(hub.as_ref()) => ended,
        };
        syncer_core::EventSink::connection_changed(hub.as_ref(), false);
        let why = match ended {
            Ok(()) => "the event stream ended".to_owned(),
            Err(error) => format!("the event stream stopped: {error}"),
        };
        tracing::warn!(syncer = %hub.name, "{why}; starting it again in {} s", pause.as_secs());
        hub.set_error(Some(why));
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}
