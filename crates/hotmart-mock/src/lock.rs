//! The poison-tolerant lock every mutex of the mock is taken through.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex of the mock; a panicking test thread must not wedge the server.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
