//! How urgently a piece of fetch work is needed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Raises made so far in this process, so that a queue of waiting requests only looks for
/// raised marks when there can be one.
static RAISES: AtomicU64 = AtomicU64::new(0);

/// A shared mark on one piece of fetch work (a project's page, one file's metadata): speculative
/// until somebody waits on it, then needed. The resolver marks its prefetches speculative and
/// raises the mark when the solver comes to wait on that work; the index client sends needed
/// requests ahead of speculative ones, even those queued earlier. Clones share the mark.
#[derive(Clone, Debug)]
pub struct Urgency(Arc<AtomicBool>);

impl Urgency {
    /// Work somebody waits on.
    #[must_use]
    pub fn needed() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    /// Work done in case it is needed.
    #[must_use]
    pub fn speculative() -> Self {
        Self(Arc::new(AtomicBool::new(false)))
    }

    /// Marks the work needed (for every clone).
    pub fn raise(&self) {
        if !self.0.swap(true, Ordering::AcqRel) {
            RAISES.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Whether somebody waits on the work.
    #[must_use]
    pub fn is_needed(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// How many marks were raised so far in this process: when the count has not moved, no
    /// mark seen speculative before has become needed since.
    #[must_use]
    pub fn raises_so_far() -> u64 {
        RAISES.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::Urgency;

    #[test]
    fn raising_a_clone_raises_the_mark_and_counts_once() {
        let mark = Urgency::speculative();
        let clone = mark.clone();
        assert!(!mark.is_needed());
        let before = Urgency::raises_so_far();
        clone.raise();
        clone.raise();
        assert!(mark.is_needed());
        // Other tests may raise marks concurrently: the count grows by at least this one.
        assert!(Urgency::raises_so_far() > before);
        assert!(Urgency::needed().is_needed());
    }
}
