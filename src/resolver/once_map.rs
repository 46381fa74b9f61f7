//! A map whose values are written once by the fetch side and waited for by the solver thread.
//!
//! This is the only synchronisation between the async fetch loop and the synchronous solver: the
//! solver asks for a key and blocks on a condition variable until the fetch side inserts it. The
//! solver never awaits.

use std::hash::Hash;
use std::sync::{Condvar, Mutex, PoisonError};

use rustc_hash::{FxHashMap, FxHashSet};

/// Values of type `V` by key, each inserted once, waited for by blocking.
pub(crate) struct OnceMap<K, V> {
    state: Mutex<State<K, V>>,
    inserted: Condvar,
}

struct State<K, V> {
    values: FxHashMap<K, V>,
    /// Keys somebody is blocked on: only their insertion wakes the waiters. Waking the solver
    /// on every insertion cost a context switch per answer, thousands in a warm resolve.
    waited_for: FxHashSet<K>,
}

impl<K: Eq + Hash + Clone, V: Clone> OnceMap<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                values: FxHashMap::default(),
                waited_for: FxHashSet::default(),
            }),
            inserted: Condvar::new(),
        }
    }

    /// Inserts a value and wakes whoever waits for it; returns the value that stands. A second
    /// insert for the same key is ignored: the first answer stands.
    pub(crate) fn insert(&self, key: K, value: V) -> V {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let awaited = state.waited_for.remove(&key);
        let standing = state.values.entry(key).or_insert(value).clone();
        if awaited {
            self.inserted.notify_all();
        }
        standing
    }

    /// The value, if already inserted.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values
            .get(key)
            .cloned()
    }

    /// Blocks until the value for `key` is inserted, then returns it.
    ///
    /// The caller must have made sure something will insert the key (by sending a request before
    /// waiting), or this waits forever; the seam guarantees it by answering every request.
    pub(crate) fn wait(&self, key: &K) -> V {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = state.values.get(key) {
                return value.clone();
            }
            // Registered under the lock that `insert` takes, so its insertion cannot be missed;
            // registered again after every wake-up, since another key's insertion may have
            // woken this waiter and an insertion clears the key.
            state.waited_for.insert(key.clone());
            state = self
                .inserted
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn waiter_wakes_when_another_thread_inserts() {
        let map = Arc::new(OnceMap::<&str, u32>::new());
        let writer = Arc::clone(&map);
        let handle = std::thread::spawn(move || writer.insert("a", 1));
        assert_eq!(map.wait(&"a"), 1);
        handle.join().unwrap();
        assert_eq!(map.insert("a", 2), 1, "the first value stands");
        assert_eq!(map.get(&"a"), Some(1));
    }

    #[test]
    fn waiter_wakes_for_its_key_among_insertions_of_others() {
        let map = Arc::new(OnceMap::<u32, u32>::new());
        let writer = Arc::clone(&map);
        let handle = std::thread::spawn(move || {
            for key in 0..1000 {
                writer.insert(key, key * 2);
            }
        });
        assert_eq!(map.wait(&999), 1998);
        assert_eq!(map.wait(&500), 1000);
        handle.join().unwrap();
    }
}
