//! The kernels' thread pool (`torch.setnumthreads` / `torch.getnumthreads`).
//!
//! A private rayon pool rather than rayon's global one, so that the thread count can change at
//! run time (rayon's global pool is fixed once built).

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::{Arc, OnceLock, RwLock};

static POOL: OnceLock<RwLock<Arc<ThreadPool>>> = OnceLock::new();

fn default_threads() -> usize {
    std::env::var("FERROTORCH_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn build(n: usize) -> Arc<ThreadPool> {
    Arc::new(
        ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("ferrotorch-{i}"))
            .build()
            .expect("building a thread pool"),
    )
}

fn cell() -> &'static RwLock<Arc<ThreadPool>> {
    POOL.get_or_init(|| RwLock::new(build(default_threads())))
}

fn pool() -> Arc<ThreadPool> {
    cell().read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Threads the kernels use.
pub fn num_threads() -> usize {
    pool().current_num_threads()
}

/// Sets the kernels' thread count (at least 1); running kernels finish on the old pool.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if n != num_threads() {
        *cell().write().unwrap_or_else(|p| p.into_inner()) = build(n);
    }
}

/// Runs `f` inside the kernel pool, so its rayon calls use our threads.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}
