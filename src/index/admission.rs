//! Admission of requests to the network: at most so many in flight, first come first served,
//! except that a request somebody waits on goes ahead of speculative ones.
//!
//! A cold resolve queues thousands of prefetches, and the one request the solver is blocked on
//! used to wait behind them: on apache-airflow, 14 of the 31 s the solver spent waiting for
//! metadata were spent in this queue, not on the network. Work is marked by an [`Urgency`] that
//! the caller sets for the requests of one future ([`with_urgency`]); a mark raised while its
//! requests wait moves them to the front.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::types::Urgency;

tokio::task_local! {
    /// The mark of the work the current future does, if its caller set one.
    static CURRENT: Urgency;
}

/// Runs `future` with its requests marked by `urgency` (requests made outside such a future
/// count as needed).
pub async fn with_urgency<F: Future>(urgency: Urgency, future: F) -> F::Output {
    CURRENT.scope(urgency, future).await
}

/// The bound on requests in flight, with its queue.
pub(crate) struct Admission {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<Queue>,
}

/// Permits not in use, and who waits for one.
struct Queue {
    free: usize,
    needed: VecDeque<Waiter>,
    speculative: VecDeque<(Urgency, Waiter)>,
    /// [`Urgency::raises_so_far`] when `speculative` was last searched for raised marks.
    raises_seen: u64,
}

type Waiter = oneshot::Sender<Permit>;

/// The right to have one request in flight; handed to the next waiter when dropped.
pub(crate) struct Permit {
    /// `None` once the permit has been given back some other way (see [`Shared::release`]).
    shared: Option<Arc<Shared>>,
}

impl Admission {
    /// Admits `limit` requests at a time (at least one).
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(Queue {
                    free: limit.max(1),
                    needed: VecDeque::new(),
                    speculative: VecDeque::new(),
                    raises_seen: Urgency::raises_so_far(),
                }),
            }),
        }
    }

    /// Waits for a permit, in the queue the current future's [`Urgency`] puts it in.
    pub(crate) async fn admit(&self) -> Permit {
        let urgency = CURRENT.try_with(Urgency::clone).ok();
        let receiver = {
            let mut queue = self.shared.lock();
            if queue.free > 0 {
                queue.free -= 1;
                return Permit {
                    shared: Some(Arc::clone(&self.shared)),
                };
            }
            let (sender, receiver) = oneshot::channel();
            match urgency {
                Some(urgency) if !urgency.is_needed() => {
                    queue.speculative.push_back((urgency, sender));
                }
                _ => queue.needed.push_back(sender),
            }
            receiver
        };
        // A queued sender is only dropped by sending on it, and `self` outlives this call.
        receiver
            .await
            .expect("the admission queue sends to every waiter it drops")
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a returned permit to the next waiter that is still waiting, or keeps it.
    fn release(self: &Arc<Self>) {
        let mut queue = self.lock();
        while let Some(waiter) = queue.next_waiter() {
            let permit = Permit {
                shared: Some(Arc::clone(self)),
            };
            match waiter.send(permit) {
                Ok(()) => return,
                // That waiter gave up (its task was cancelled): this permit must not come back
                // here through `Drop` while the queue is locked.
                Err(mut unwanted) => unwanted.shared = None,
            }
        }
        queue.free += 1;
    }
}

impl Queue {
    fn next_waiter(&mut self) -> Option<Waiter> {
        let raises = Urgency::raises_so_far();
        if raises != self.raises_seen {
            self.raises_seen = raises;
            let (raised, still): (VecDeque<_>, VecDeque<_>) = self
                .speculative
                .drain(..)
                .partition(|(urgency, _)| urgency.is_needed());
            self.needed
                .extend(raised.into_iter().map(|(_, waiter)| waiter));
            self.speculative = still;
        }
        self.needed
            .pop_front()
            .or_else(|| self.speculative.pop_front().map(|(_, waiter)| waiter))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes every permit of `admission`, so that the next requests queue.
    async fn exhaust(admission: &Admission, limit: usize) -> Vec<Permit> {
        let mut held = Vec::new();
        for _ in 0..limit {
            held.push(admission.admit().await);
        }
        held
    }

    /// Queues one request marked `urgency` that records `label` in `order` once admitted
    /// (and gives its permit back at once).
    fn queue_request(
        admission: &Arc<Admission>,
        urgency: Urgency,
        label: &'static str,
        order: &Arc<Mutex<Vec<&'static str>>>,
    ) -> tokio::task::JoinHandle<()> {
        let (admission, order) = (Arc::clone(admission), Arc::clone(order));
        tokio::spawn(with_urgency(urgency, async move {
            let _permit = admission.admit().await;
            order.lock().unwrap().push(label);
        }))
    }

    /// Lets queued tasks reach the queue (the runtime is current-thread).
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn needed_requests_go_ahead_of_speculative_ones_queued_earlier() {
        let admission = Arc::new(Admission::new(1));
        let held = exhaust(&admission, 1).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let late_mark = Urgency::speculative();
        let tasks = vec![
            queue_request(
                &admission,
                Urgency::speculative(),
                "first speculative",
                &order,
            ),
            queue_request(&admission, late_mark.clone(), "raised while queued", &order),
            queue_request(
                &admission,
                Urgency::speculative(),
                "last speculative",
                &order,
            ),
            queue_request(&admission, Urgency::needed(), "needed", &order),
        ];
        settle().await;
        late_mark.raise();
        drop(held);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            [
                "needed",
                "raised while queued",
                "first speculative",
                "last speculative"
            ]
        );
    }

    #[tokio::test]
    async fn a_permit_offered_to_a_cancelled_waiter_goes_to_the_next() {
        let admission = Arc::new(Admission::new(1));
        let held = exhaust(&admission, 1).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let cancelled = queue_request(&admission, Urgency::needed(), "cancelled", &order);
        let waiting = queue_request(&admission, Urgency::needed(), "waiting", &order);
        settle().await;
        cancelled.abort();
        settle().await;
        drop(held);
        waiting.await.unwrap();
        assert_eq!(*order.lock().unwrap(), ["waiting"]);
        // Every permit came back: the bound is whole again.
        let again = exhaust(&admission, 1).await;
        assert_eq!(again.len(), 1);
        assert_eq!(admission.shared.lock().free, 0);
    }
}
