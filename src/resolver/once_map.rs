//! A map whose values are written once by the fetch side and waited for by the solver thread.
//!
//! This is the only synchronisation between the async fetch loop and the synchronous solver: the
//! solver asks for a key and blocks on a condition variable until the fetch side inserts it. The
//! solver never awaits.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Condvar, Mutex, PoisonError};

/// Values of type `V` by key, each inserted once, waited for by blocking.
pub(crate) struct OnceMap<K, V> {
    values: Mutex<HashMap<K, V>>,
    inserted: Condvar,
}

impl<K: Eq + Hash + Clone, V: Clone> OnceMap<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            values: Mutex::new(HashMap::new()),
            inserted: Condvar::new(),
        }
    }

    /// Inserts a value and wakes every waiter. A second insert for the same key is ignored: the
    /// first answer stands.
    pub(crate) fn insert(&self, key: K, value: V) {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        values.entry(key).or_insert(value);
        self.inserted.notify_all();
    }

    /// The value, if already inserted.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Blocks until the value for `key` is inserted, then returns it.
    ///
    /// The caller must have made sure something will insert the key (by sending a request before
    /// waiting), or this waits forever; the seam guarantees it by answering every request.
    pub(crate) fn wait(&self, key: &K) -> V {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = values.get(key) {
                return value.clone();
            }
            values = self
                .inserted
                .wait(values)
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
        map.insert("a", 2);
        assert_eq!(map.get(&"a"), Some(1), "the first value stands");
    }
}
