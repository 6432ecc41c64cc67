//! A counting gate: at most so many holders at once, the others waiting a bounded time.
//!
//! `serve` passes each delivery's verification through one. Parsing a body builds its tree,
//! which for a mebibyte of small objects (`[{"a":1},…]`) takes about a hundred times the body;
//! with every one of the receiver's connections parsing at once, a burst of such bodies would
//! take gigabytes. Through the gate only a few trees exist at a time.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// At most `capacity` [`Pass`]es at once.
pub struct Gate {
    capacity: usize,
    inside: Mutex<usize>,
    left: Condvar,
}

/// A place in a [`Gate`], given back when dropped.
pub struct Pass<'a>(&'a Gate);

impl Gate {
    /// A gate of `capacity` places (at least one).
    pub fn new(capacity: usize) -> Gate {
        Gate {
            capacity: capacity.max(1),
            inside: Mutex::new(0),
            left: Condvar::new(),
        }
    }

    /// A place, once one is free; `None` if none was within `wait`.
    pub fn enter(&self, wait: Duration) -> Option<Pass<'_>> {
        // No deadline where the clock cannot count that far: then it waits as long as needed.
        let deadline = Instant::now().checked_add(wait);
        let mut inside = self.inside.lock().unwrap_or_else(PoisonError::into_inner);
        while *inside >= self.capacity {
            let left = match deadline {
                Some(at) => at.saturating_duration_since(Instant::now()),
                None => wait,
            };
            if left.is_zero() {
                return None;
            }
            inside = self
                .left
                .wait_timeout(inside, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *inside += 1;
        Some(Pass(self))
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let gate = self.0;
        *gate.inside.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        gate.left.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    #[test]
    fn no_more_than_its_capacity_at_once_and_a_waiter_gets_a_place_given_back() {
        let gate = Gate::new(2);
        let one = gate.enter(Duration::ZERO).expect("a free place");
        let two = gate.enter(Duration::ZERO).expect("a free place");
        // Nobody leaves: the wait ends empty-handed, however long it took.
        assert!(gate.enter(Duration::from_millis(20)).is_none());
        drop(one);
        let three = gate.enter(Duration::ZERO).expect("the place given back");
        thread::scope(|scope| {
            let waiter = scope.spawn(|| gate.enter(Duration::from_secs(600)).is_some());
            drop(two);
            assert!(
                waiter.join().unwrap(),
                "the waiter got the place given back"
            );
        });
        drop(three);
        assert_eq!(*gate.inside.lock().unwrap(), 0);
    }

    #[test]
    fn many_threads_never_hold_more_than_its_capacity() {
        let gate = Arc::new(Gate::new(4));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..32)
            .map(|_| {
                let (gate, inside, most) = (gate.clone(), inside.clone(), most.clone());
                thread::spawn(move || {
                    for _ in 0..20 {
                        let _pass = gate.enter(Duration::from_secs(600)).expect("a place");
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!((1..=4).contains(&most), "{most} at once");
    }

    #[test]
    fn a_capacity_of_zero_is_one() {
        let gate = Gate::new(0);
        let _pass = gate.enter(Duration::ZERO).expect("one place");
        assert!(gate.enter(Duration::ZERO).is_none());
    }
}
