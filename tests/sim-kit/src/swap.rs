//! State a running simulator serves while its owner replaces or edits it: requests take a
//! snapshot (an `Arc`) and finish on it; an edit builds the next version from the current one
//! and swaps it in. Edits are serialized, so two concurrent edits cannot lose one another.

use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

/// A value requests read as a snapshot and the test replaces or edits.
#[derive(Debug)]
pub struct Swap<T> {
    current: RwLock<Arc<T>>,
    /// Held while an edit builds the next version.
    edit: Mutex<()>,
}

impl<T> Swap<T> {
    /// Starts with `value`.
    pub fn new(value: T) -> Swap<T> {
        Swap {
            current: RwLock::new(Arc::new(value)),
            edit: Mutex::new(()),
        }
    }

    /// The version in force now; later swaps do not change it.
    pub fn get(&self) -> Arc<T> {
        Arc::clone(&self.current.read())
    }

    /// Replaces the value for every reader from now on.
    pub fn set(&self, value: T) {
        let _one_edit_at_a_time = self.edit.lock();
        *self.current.write() = Arc::new(value);
    }

    /// Builds the next version from the current one and swaps it in.
    pub fn update(&self, next: impl FnOnce(&T) -> T) {
        let _one_edit_at_a_time = self.edit.lock();
        let current = self.get();
        let rebuilt = Arc::new(next(&current));
        *self.current.write() = rebuilt;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_stays_as_it_was_when_taken() {
        let swap = Swap::new(vec![1]);
        let before = swap.get();
        swap.update(|v| {
            let mut v = v.clone();
            v.push(2);
            v
        });
        assert_eq!(*before, vec![1]);
        assert_eq!(*swap.get(), vec![1, 2]);
        swap.set(vec![7]);
        assert_eq!(*swap.get(), vec![7]);
    }
}
