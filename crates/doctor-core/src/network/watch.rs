//! Watching and stopping step 2 while it runs: an [`Observer`] receives a [`NetEvent`] as
//! each stage of each host ends, and a [`Cancel`] switch stops every outstanding probe at
//! once. Both are optional parts of [`super::NetConfig`]; the default observes nothing and
//! is never cancelled, so the CLI's plain `diagnose` is unchanged.

use crate::netfacts::{HostResult, NetEvent};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// Receives step 2's progress, from the probing tasks: it must return quickly.
#[derive(Clone, Default)]
pub struct Observer(Option<Arc<dyn Fn(NetEvent) + Send + Sync>>);

impl Observer {
    pub fn new(f: impl Fn(NetEvent) + Send + Sync + 'static) -> Observer {
        Observer(Some(Arc::new(f)))
    }

    pub fn emit(&self, event: NetEvent) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }

    /// Whether anyone listens (so nothing is built for no one).
    pub fn active(&self) -> bool {
        self.0.is_some()
    }
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.active() {
            "Observer(..)"
        } else {
            "Observer(none)"
        })
    }
}

/// A switch the caller may flip from any thread to stop step 2; clones share it.
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<CancelInner>);

#[derive(Default, Debug)]
struct CancelInner {
    flag: AtomicBool,
    notify: Notify,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops the run: probes still waiting or under way end now.
    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// Whether `other` is a clone of this switch (the same run).
    pub fn same(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }

    /// Completes once [`Cancel::cancel`] is called (at once if it already was).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            // Registered before the flag is read, so a cancel in between is not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Tells the observer of results recorded earlier (a replayed scenario), in the order a
/// live run would have: the targets, then each host's stages and its result.
pub fn replay(results: &[HostResult], observer: &Observer) {
    if !observer.active() {
        return;
    }
    observer.emit(NetEvent::Targets {
        hosts: results.iter().map(|r| r.target.clone()).collect(),
        via_proxy: results.iter().map(|r| r.via_proxy.clone()).collect(),
    });
    for (index, r) in results.iter().enumerate() {
        observer.emit(NetEvent::HostStarted { index });
        for (stage, outcome) in r.outcomes() {
            observer.emit(NetEvent::Stage {
                index,
                stage,
                outcome,
            });
        }
        observer.emit(NetEvent::HostDone {
            index,
            result: Box::new(r.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancel_from_another_thread_wakes_every_waiter_and_later_ones_at_once() {
        let cancel = Cancel::new();
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let c = cancel.clone();
                tokio::spawn(async move { c.cancelled().await })
            })
            .collect();
        let c = cancel.clone();
        std::thread::spawn(move || c.cancel()).join().ok();
        for w in waiters {
            w.await.ok();
        }
        assert!(cancel.is_cancelled());
        cancel.cancelled().await;
    }

    #[test]
    fn clones_are_the_same_switch_and_a_new_one_is_not() {
        let a = Cancel::new();
        let b = Cancel::new();
        assert!(a.same(&a.clone()) && !a.same(&b));
        a.clone().cancel();
        assert!(a.is_cancelled() && !b.is_cancelled());
    }
}
