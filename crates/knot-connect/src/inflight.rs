//! Joining identical work in flight: the one mechanism behind the deduplication of
//! downstream reads (`call::exchange`) and of client requests (`knot serve`'s
//! `gateway.dedupeRequests`). The first caller with a key starts the work; callers with the
//! same key while it runs await the same result. The entry is removed when the first
//! caller's work ends or is dropped, so nothing is reused once answered: never a cache.

use futures::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

type Running<T> = Shared<BoxFuture<'static, T>>;

/// Work in flight by key.
pub struct Inflight<T: Clone> {
    running: Mutex<HashMap<Vec<u8>, Running<T>>>,
}

impl<T: Clone> Default for Inflight<T> {
    fn default() -> Self {
        Inflight {
            running: Mutex::new(HashMap::new()),
        }
    }
}

/// Removes the first caller's entry when its work ends (or is dropped).
struct Forget<'a, T: Clone> {
    inflight: &'a Inflight<T>,
    key: Vec<u8>,
    run: Running<T>,
}

impl<T: Clone> Drop for Forget<'_, T> {
    fn drop(&mut self) {
        let mut running = self.inflight.running();
        if running
            .get(&self.key)
            .is_some_and(|r| Shared::ptr_eq(r, &self.run))
        {
            running.remove(&self.key);
        }
    }
}

impl<T: Clone> Inflight<T> {
    fn running(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Running<T>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `start()` unless work with the same key is in flight; returns the result and
    /// whether it was shared (the work of another caller).
    pub async fn run(
        &self,
        key: Vec<u8>,
        start: impl FnOnce() -> BoxFuture<'static, T>,
    ) -> (T, bool) {
        let (run, first) = {
            let mut running = self.running();
            match running.get(&key) {
                Some(r) => (r.clone(), false),
                None => {
                    let r = start().shared();
                    running.insert(key.clone(), r.clone());
                    (r, true)
                }
            }
        };
        if first {
            let _forget = Forget {
                inflight: self,
                key,
                run: run.clone(),
            };
            (run.await, false)
        } else {
            (run.await, true)
        }
    }
}
