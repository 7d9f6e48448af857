//! Fan-out of a location's [`SyncEvent`]s to every TUI session that shows it: the owner's own
//! TUI and the sessions it hosts for attached TUIs ([`super::host`]). Each session subscribes
//! and gets its own receiver; the worker's events (pulls, dispatch progress, details), webhook
//! events and "another process ran a command here" go to all of them, and a review action taken
//! in one session reaches the others as [`SyncEvent::PeerChanged`] (sent with
//! [`Hub::send_except`], so the session that acted is not told about itself).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::sync::SyncEvent;

/// A session's subscription number (to leave itself out of [`Hub::send_except`]).
pub type SessionId = u64;

/// The subscribers of one location's events. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Default)]
struct HubInner {
    next: AtomicU64,
    subs: Mutex<Vec<(SessionId, UnboundedSender<SyncEvent>)>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hub({} sessions)", self.sessions())
    }
}

impl Hub {
    /// A hub with no subscriber.
    pub fn new() -> Hub {
        Hub::default()
    }

    /// A new subscriber: its id and the receiver of every event sent from now on.
    pub fn subscribe(&self) -> (SessionId, UnboundedReceiver<SyncEvent>) {
        let id = self.inner.next.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = unbounded_channel();
        self.lock().push((id, tx));
        (id, rx)
    }

    /// Forgets subscriber `id` (its session ended). A dropped receiver is forgotten on the
    /// next send anyway.
    pub fn unsubscribe(&self, id: SessionId) {
        self.lock().retain(|(i, _)| *i != id);
    }

    /// Sends `ev` to every subscriber.
    pub fn send(&self, ev: SyncEvent) {
        self.send_filtered(None, ev);
    }

    /// Sends `ev` to every subscriber but `except` (the session it comes from).
    pub fn send_except(&self, except: SessionId, ev: SyncEvent) {
        self.send_filtered(Some(except), ev);
    }

    /// How many sessions listen.
    pub fn sessions(&self) -> usize {
        self.lock().len()
    }

    /// A sender whose events are passed to every subscriber (for the worker and the webhook
    /// tap, which take an `UnboundedSender`): a task on the current tokio runtime relays them
    /// until every clone of the sender is dropped. Must be called within a runtime.
    pub fn relay(&self) -> UnboundedSender<SyncEvent> {
        let (tx, mut rx) = unbounded_channel::<SyncEvent>();
        let hub = self.clone();
        tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                hub.send(ev);
            }
        });
        tx
    }

    fn send_filtered(&self, except: Option<SessionId>, ev: SyncEvent) {
        self.lock().retain(|(id, tx)| {
            if Some(*id) == except {
                return true;
            }
            tx.send(ev.clone()).is_ok()
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(SessionId, UnboundedSender<SyncEvent>)>> {
        self.inner.subs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscriber_hears_and_the_sender_is_left_out_when_asked() {
        let hub = Hub::new();
        let (a, mut ra) = hub.subscribe();
        let (_b, mut rb) = hub.subscribe();
        hub.send(SyncEvent::CustomFieldsLoaded);
        assert_eq!(ra.try_recv().unwrap(), SyncEvent::CustomFieldsLoaded);
        assert_eq!(rb.try_recv().unwrap(), SyncEvent::CustomFieldsLoaded);
        let ev = SyncEvent::PeerChanged {
            what: "approved #3".into(),
        };
        hub.send_except(a, ev.clone());
        assert!(ra.try_recv().is_err(), "the acting session is not told");
        assert_eq!(rb.try_recv().unwrap(), ev);
        drop(rb);
        hub.send(SyncEvent::CustomFieldsLoaded);
        assert_eq!(hub.sessions(), 1, "a dropped receiver is forgotten");
        hub.unsubscribe(a);
        assert_eq!(hub.sessions(), 0);
    }
}
