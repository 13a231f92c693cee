//! Fault injection and request recording shared by every demo service.
//!
//! [`DemoControl`] holds, per service, the current [`Faults`], a deterministic
//! PRNG (xorshift64*) driving the error/timeout rates, and the list of
//! [`RecordedRequest`]s. Handlers go through a [`Gate`]: it records the request,
//! applies the precise latency, decides the fault and hangs if asked, and then
//! tells the handler how to answer ([`Verdict`]). Locks are never held across an
//! `.await`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::Service;

/// Hang duration used when [`Faults::hang_ms`] is 0.
pub const DEFAULT_HANG_MS: u64 = 30_000;

/// Faults injected into one service (or all of them).
///
/// All fields default to "no fault".
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every request, precisely (a blocking sleep, not a timer tick).
    pub latency_ms: u64,
    /// `0.0..=1.0`: this fraction of requests fail with 500 / gRPC `INTERNAL`.
    pub error_rate: f64,
    /// This fraction of requests hang for `hang_ms` before answering normally.
    pub timeout_rate: f64,
    /// How long a hang lasts; `0` means [`DEFAULT_HANG_MS`].
    pub hang_ms: u64,
    /// A request touching one of these ids fails with 500 / gRPC `INTERNAL`.
    pub fail_ids: Vec<String>,
    /// A request touching one of these ids fails with 400 / gRPC `INVALID_ARGUMENT`.
    pub reject_ids: Vec<String>,
    /// A request touching one of these ids hangs for `hang_ms`.
    pub slow_ids: Vec<String>,
    /// Answer 200 with a body that is not valid JSON (REST/GraphQL) or with
    /// bytes that are not a valid protobuf message (gRPC).
    pub malformed: bool,
    /// Batch endpoints drop the last item of their answer.
    pub wrong_batch_count: bool,
    /// Seed of the deterministic PRNG used for the rates.
    pub seed: u64,
}

impl Faults {
    /// The effective hang duration.
    pub fn hang_duration(&self) -> Duration {
        let ms = if self.hang_ms == 0 {
            DEFAULT_HANG_MS
        } else {
            self.hang_ms
        };
        Duration::from_millis(ms)
    }
}

/// One request as received by a demo service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// `"GET"`/`"POST"` for HTTP, the gRPC method name (e.g. `"GetProducts"`) for gRPC.
    pub method: String,
    /// Path and query for REST, the full gRPC path, or the GraphQL root field names.
    pub target: String,
    /// The ids this request asked for.
    pub keys: Vec<String>,
}

struct ServiceState {
    faults: Arc<Faults>,
    rng: u64,
    requests: Vec<RecordedRequest>,
}

impl ServiceState {
    fn new(faults: Faults) -> Self {
        let rng = seed_state(faults.seed);
        Self {
            faults: Arc::new(faults),
            rng,
            requests: Vec::new(),
        }
    }

    /// Next pseudo-random number in `[0, 1)` (xorshift64*).
    fn next_f64(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        let out = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (out >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Turns a seed (possibly 0) into a non-zero xorshift state (splitmix64 step).
fn seed_state(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    if z == 0 {
        0x853C_49E6_748F_EA9B
    } else {
        z
    }
}

struct ControlInner {
    services: Vec<Mutex<ServiceState>>,
    recording: AtomicBool,
}

/// Handle to change faults and read recorded requests while the demo runs.
///
/// Cheap to clone; all clones share the same state.
#[derive(Clone)]
pub struct DemoControl {
    inner: Arc<ControlInner>,
}

impl std::fmt::Debug for DemoControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoControl")
            .field("recording", &self.inner.recording.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl DemoControl {
    pub(crate) fn new(initial: &Faults) -> Self {
        let services = Service::ALL
            .iter()
            .map(|_| Mutex::new(ServiceState::new(initial.clone())))
            .collect();
        Self {
            inner: Arc::new(ControlInner {
                services,
                recording: AtomicBool::new(true),
            }),
        }
    }

    fn state(&self, service: Service) -> MutexGuard<'_, ServiceState> {
        // A poisoned lock only means a panic elsewhere; the data stays usable.
        self.inner.services[service.index()]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the faults of one service (and reseeds its PRNG).
    pub fn set_faults(&self, service: Service, faults: Faults) {
        let mut state = self.state(service);
        state.rng = seed_state(faults.seed);
        state.faults = Arc::new(faults);
    }

    /// Replaces the faults of every service.
    pub fn set_all_faults(&self, faults: Faults) {
        for service in Service::ALL {
            self.set_faults(service, faults.clone());
        }
    }

    /// The current faults of one service.
    pub fn faults(&self, service: Service) -> Faults {
        (*self.state(service).faults).clone()
    }

    /// Every request received since start or the last [`reset`](Self::reset), in arrival order.
    pub fn requests(&self, service: Service) -> Vec<RecordedRequest> {
        self.state(service).requests.clone()
    }

    /// Number of requests recorded for one service.
    pub fn request_count(&self, service: Service) -> usize {
        self.state(service).requests.len()
    }

    /// Clears recorded requests and faults of every service.
    pub fn reset(&self) {
        for service in Service::ALL {
            let mut state = self.state(service);
            *state = ServiceState::new(Faults::default());
        }
    }

    /// Turns request recording on or off (on by default).
    pub fn set_recording(&self, on: bool) {
        self.inner.recording.store(on, Ordering::Relaxed);
    }

    /// Records a request and returns the faults in force for it.
    fn record(&self, service: Service, method: &str, target: &str, keys: &[String]) -> Arc<Faults> {
        let recording = self.inner.recording.load(Ordering::Relaxed);
        let mut state = self.state(service);
        if recording {
            state.requests.push(RecordedRequest {
                method: method.to_owned(),
                target: target.to_owned(),
                keys: keys.to_vec(),
            });
        }
        Arc::clone(&state.faults)
    }

    /// Decides the fault for a request whose latency has already been applied.
    fn decide(&self, service: Service, faults: &Faults, keys: &[String]) -> Decision {
        let touches = |ids: &[String]| keys.iter().any(|k| ids.contains(k));
        if touches(&faults.fail_ids) {
            return Decision::Fail;
        }
        if touches(&faults.reject_ids) {
            return Decision::Reject;
        }
        if touches(&faults.slow_ids) {
            return Decision::Hang;
        }
        if faults.error_rate <= 0.0 && faults.timeout_rate <= 0.0 {
            return Decision::Normal;
        }
        let mut state = self.state(service);
        if faults.error_rate > 0.0 && state.next_f64() < faults.error_rate {
            return Decision::Fail;
        }
        if faults.timeout_rate > 0.0 && state.next_f64() < faults.timeout_rate {
            return Decision::Hang;
        }
        Decision::Normal
    }
}

enum Decision {
    Normal,
    Fail,
    Reject,
    Hang,
}

/// How a handler should answer once the gate has been passed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Answer {
    /// Answer with a body that cannot be parsed.
    pub malformed: bool,
    /// Drop the last item of a batch answer.
    pub wrong_batch_count: bool,
}

impl Answer {
    /// Drops the last item of a batch answer when asked to.
    pub fn trim_batch<T>(&self, items: &mut Vec<T>) {
        if self.wrong_batch_count {
            items.pop();
        }
    }
}

/// Outcome of [`Gate::admit`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Verdict {
    /// Answer normally (possibly malformed / with a short batch).
    Proceed(Answer),
    /// Fail with 500 / gRPC `INTERNAL`.
    Fail,
    /// Fail with 400 / gRPC `INVALID_ARGUMENT`.
    Reject,
}

/// Per-service entry point of every handler: record, latency, fault, hang.
#[derive(Clone)]
pub(crate) struct Gate {
    control: DemoControl,
    service: Service,
    shutdown: watch::Receiver<bool>,
}

impl Gate {
    pub fn new(control: DemoControl, service: Service, shutdown: watch::Receiver<bool>) -> Self {
        Self {
            control,
            service,
            shutdown,
        }
    }

    /// Records the request, applies latency, decides and applies the fault.
    pub async fn admit(&self, method: &str, target: &str, keys: &[String]) -> Verdict {
        let faults = self.control.record(self.service, method, target, keys);
        if faults.latency_ms > 0 {
            precise_sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        match self.control.decide(self.service, &faults, keys) {
            Decision::Fail => return Verdict::Fail,
            Decision::Reject => return Verdict::Reject,
            Decision::Hang => self.hang(faults.hang_duration()).await,
            Decision::Normal => {}
        }
        Verdict::Proceed(Answer {
            malformed: faults.malformed,
            wrong_batch_count: faults.wrong_batch_count,
        })
    }

    /// Sleeps for `duration`, or until the demo shuts down.
    async fn hang(&self, duration: Duration) {
        let mut shutdown = self.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(duration) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => {}
        }
    }
}

/// Sleeps precisely: tokio timers have a 1 ms granularity and round up, and a thread
/// sleep overshoots by the kernel's timer slack and the hand-off back to the runtime. Sleep
/// on a blocking thread to ~1 ms short of the deadline, then yield on the runtime until it
/// passes (a short spin that other tasks can interleave with).
async fn precise_sleep(duration: Duration) {
    let deadline = tokio::time::Instant::now() + duration;
    let coarse = duration.saturating_sub(Duration::from_millis(1));
    if !coarse.is_zero() {
        if let Err(err) = tokio::task::spawn_blocking(move || std::thread::sleep(coarse)).await {
            tracing::warn!(%err, "latency sleep task failed");
        }
    }
    while tokio::time::Instant::now() < deadline {
        tokio::task::yield_now().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prng_is_deterministic_and_in_range() {
        let mut a = ServiceState::new(Faults {
            seed: 7,
            ..Faults::default()
        });
        let mut b = ServiceState::new(Faults {
            seed: 7,
            ..Faults::default()
        });
        for _ in 0..1000 {
            let x = a.next_f64();
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x.to_bits(), b.next_f64().to_bits());
        }
    }

    #[test]
    fn error_rate_is_roughly_honoured() {
        let control = DemoControl::new(&Faults {
            error_rate: 0.25,
            seed: 42,
            ..Faults::default()
        });
        let faults = control.faults(Service::Orders);
        let failures = (0..10_000)
            .filter(|_| {
                matches!(
                    control.decide(Service::Orders, &faults, &[]),
                    Decision::Fail
                )
            })
            .count();
        assert!((2_000..3_000).contains(&failures), "{failures}");
    }
}
