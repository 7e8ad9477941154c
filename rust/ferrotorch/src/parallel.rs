//! The kernels' thread pool (`torch.setnumthreads` / `torch.getnumthreads`).
//!
//! A private rayon pool rather than rayon's global one, so that the thread count can change at
//! run time (rayon's global pool is fixed once built).
//!
//! Three choices make a parallel kernel cost little more than its work (measured in
//! docs/ARCHITECTURE.md, "Thread pool"):
//!
//! - **The calling thread is a pool member.** The first thread that uses the pool (the Python
//!   interpreter's thread, when the module is imported) becomes its thread 0, as the master
//!   thread of an OpenMP team is. Its kernels run their first part themselves, with no job
//!   handed to a sleeping thread and no wait on a condition variable for the result. Other
//!   threads' calls are injected into the pool as with plain rayon. Only one pool per process
//!   can have a member thread (rayon registers it for good), so that pool is kept for the
//!   process' life and reused whenever the thread count is set back to its size.
//! - **The other threads poll for a while after a kernel** (`Kernel`) before they sleep, as
//!   OpenBLAS and OpenMP runtimes do, so back-to-back kernels do not pay a wake-up each.
//! - **Pool threads are kept on different cores** (`spread`): a VM's scheduler tends to wake
//!   a thread on its waker's core, and two threads on one core run at one thread's speed.
//!
//! **The count is per thread, as OpenMP's `omp_set_num_threads` (which Torch7 called) is.** The
//! main thread (the first to use the kernels: the interpreter's, at import) sets the
//! process-wide pool, which every other thread uses until it sets a count of its own. A
//! thread that sets its own count (a `threads.Threads` worker calling `torch.setnumthreads(1)`
//! in its init function, as Torch7's data-loading workers did) gets a pool of its own: with 1
//! thread, a pool whose only member is the calling thread, so its kernels run inline on it, with
//! no hand-off and no other thread woken; with n ≥ 2, a private pool of n threads.

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::cell::{OnceCell, RefCell};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::thread::ThreadId;
use std::time::Instant;

/// The pool in use.
static POOL: OnceLock<RwLock<Arc<ThreadPool>>> = OnceLock::new();
/// The pool whose thread 0 is the thread that first used the kernels (built at most once).
static MEMBER_POOL: OnceLock<Arc<ThreadPool>> = OnceLock::new();

fn default_threads() -> usize {
    std::env::var("FERROTORCH_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn builder(n: usize) -> ThreadPoolBuilder {
    ThreadPoolBuilder::new().num_threads(n).thread_name(|i| format!("ferrotorch-{i}"))
}

/// A pool of `n` threads: the member pool when it has that size, or can be built now (the
/// calling thread is in no pool yet and `n` ≥ 2), else a pool of `n` threads of its own.
fn build(n: usize) -> Arc<ThreadPool> {
    if let Some(member) = MEMBER_POOL.get() {
        if member.current_num_threads() == n {
            return member.clone();
        }
    } else if n >= 2 && rayon::current_thread_index().is_none() {
        if let Ok(pool) = builder(n).use_current_thread().build() {
            let pool = Arc::new(pool);
            if MEMBER_POOL.set(pool.clone()).is_ok() {
                return pool;
            }
        }
    }
    Arc::new(builder(n).build().expect("building a thread pool"))
}

/// The thread whose count is the process-wide one: the first that used the kernels.
static MAIN: OnceLock<ThreadId> = OnceLock::new();

thread_local! {
    /// This thread's own pool, once it set a count of its own (any thread but [`MAIN`]).
    static OWN: RefCell<Option<Arc<ThreadPool>>> = const { RefCell::new(None) };
    /// The 1-thread pool whose member is this thread. rayon registers a member thread for the
    /// thread's life, so it is built at most once per thread and kept (a few hundred bytes; no
    /// OS thread). None when this thread already belongs to a pool.
    static SOLO: OnceCell<Option<Arc<ThreadPool>>> = const { OnceCell::new() };
}

fn cell() -> &'static RwLock<Arc<ThreadPool>> {
    POOL.get_or_init(|| {
        MAIN.get_or_init(|| std::thread::current().id());
        RwLock::new(build(default_threads()))
    })
}

fn is_main() -> bool {
    cell();
    MAIN.get() == Some(&std::thread::current().id())
}

/// The pool the calling thread's kernels use: its own, else the process-wide one.
fn pool() -> Arc<ThreadPool> {
    if let Some(own) = OWN.with(|o| o.borrow().clone()) {
        return own;
    }
    cell().read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// A pool whose only thread is the calling one: `install` runs its work inline.
fn solo() -> Arc<ThreadPool> {
    let member = SOLO.with(|s| {
        s.get_or_init(|| {
            if rayon::current_thread_index().is_some() {
                return None;
            }
            builder(1).use_current_thread().build().ok().map(Arc::new)
        })
        .clone()
    });
    member.unwrap_or_else(|| Arc::new(builder(1).build().expect("building a thread pool")))
}

/// Threads the calling thread's kernels use.
pub fn num_threads() -> usize {
    pool().current_num_threads()
}

/// Sets the calling thread's kernel thread count (at least 1); running kernels finish on the
/// old pool. On the main thread this is the process-wide count, used by every thread that has
/// not set its own; on any other thread it applies to that thread's kernels only.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if is_main() {
        if n != num_threads() {
            *cell().write().unwrap_or_else(|p| p.into_inner()) = build(n);
        }
        return;
    }
    let same = OWN.with(|o| o.borrow().as_ref().is_some_and(|p| p.current_num_threads() == n));
    if !same {
        let own = if n == 1 { solo() } else { Arc::new(builder(n).build().expect("building a thread pool")) };
        OWN.with(|o| *o.borrow_mut() = Some(own));
    }
}

/// Whether the calling thread has a count of its own (see [`set_num_threads`]).
pub fn has_own_num_threads() -> bool {
    OWN.with(|o| o.borrow().is_some())
}

/// Runs `f` inside the kernel pool, so its rayon calls use our threads.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = pool();
    let member = MEMBER_POOL.get().is_some_and(|m| Arc::ptr_eq(m, &pool));
    if !(member && pool.current_thread_index() == Some(0)) {
        return pool.install(f);
    }
    spread::move_off_shared_cpu(0);
    let _kernel = Kernel::start(&pool);
    pool.install(f)
}

/// How long pool threads keep polling for work after a parallel kernel, in nanoseconds
/// (`FERROTORCH_SPIN_US`, default 2000 µs; 0 lets them sleep at once, as plain rayon does).
fn spin_ns() -> u64 {
    static NS: OnceLock<u64> = OnceLock::new();
    *NS.get_or_init(|| {
        std::env::var("FERROTORCH_SPIN_US").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(2000) * 1000
    })
}

fn clock_ns() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Kernels running on thread 0, the time (in [`clock_ns`]) until which the other threads poll
/// after the last one, and how many polling jobs are queued or running.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static WARM_UNTIL: AtomicU64 = AtomicU64::new(0);
static POLLING: AtomicUsize = AtomicUsize::new(0);

/// A kernel on the member pool's thread 0: while it runs and for [`spin_ns`] after, the pool's
/// other threads poll for work instead of sleeping.
///
/// A sleeping rayon thread is woken through a futex, which on a VM means waking an idle vCPU
/// (~10 µs here, as long as a 64×64 product). A polling thread runs a new job at once. The
/// polling jobs are queued before the kernel's own work, so a sleeping thread is woken as early
/// as possible. Only threads 1.. poll, so with one thread per core the caller keeps its core.
struct Kernel;

impl Kernel {
    fn start(pool: &ThreadPool) -> Option<Kernel> {
        if spin_ns() == 0 {
            return None;
        }
        RUNNING.fetch_add(1, Ordering::SeqCst);
        if POLLING.load(Ordering::SeqCst) == 0 {
            let others = pool.current_num_threads() - 1;
            POLLING.fetch_add(others, Ordering::SeqCst);
            for _ in 0..others {
                pool.spawn(|| {
                    // Thread 0 may pop the job itself, in a join: it must not poll then.
                    if rayon::current_thread_index() != Some(0) {
                        poll_until_cold();
                    }
                    POLLING.fetch_sub(1, Ordering::SeqCst);
                });
            }
            // The woken thread may be queued on this core, behind this thread (see `spread`):
            // give way until a poller has started (it then moves off this core), for at most
            // 50 µs. Without this it waited for our time slice: ~1.5 ms of kernels at one
            // thread's speed after every pause.
            let t = clock_ns();
            while !spread::any_other_running(0) && clock_ns() - t < 50_000 {
                std::thread::yield_now();
            }
        }
        Some(Kernel)
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        WARM_UNTIL.store(clock_ns() + spin_ns(), Ordering::SeqCst);
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many polling jobs are queued or running (for tests).
#[doc(hidden)]
pub fn polling_threads() -> usize {
    POLLING.load(Ordering::SeqCst)
}

/// Runs pool jobs as they come until no kernel runs on thread 0 and [`WARM_UNTIL`] has passed.
fn poll_until_cold() {
    let me = rayon::current_thread_index().unwrap_or(0);
    // Woken on the caller's core (see `spread`): move once; later it is the caller that moves.
    spread::move_off_shared_cpu(me);
    loop {
        spread::publish(me);
        if let Some(rayon::Yield::Executed) = rayon::yield_now() {
            continue;
        }
        if RUNNING.load(Ordering::SeqCst) == 0 && clock_ns() > WARM_UNTIL.load(Ordering::SeqCst) {
            break;
        }
        for _ in 0..32 {
            std::hint::spin_loop();
        }
        // Other runnable threads on this core (a Python thread, a data loader) go first.
        std::thread::yield_now();
    }
    spread::retire(me);
}

/// Keeps the polling threads off the cores of the other pool threads (Linux).
///
/// In a VM the scheduler sees an idle vCPU as preempted and wakes a thread on the waker's core
/// instead, so after a pause the woken pool thread and the caller share one core (measured:
/// every 2-thread kernel at 1-thread speed for 10-30 ms until the load balancer split them).
/// Each pool thread publishes the core it runs on. A polling thread that starts on another pool
/// thread's core moves away, and thread 0 moves at the start of a kernel when a polling thread
/// is on its core (only then: when both sides could move at any time they chased each other).
/// A move excludes the other threads' cores from the thread's affinity mask and restores the
/// mask at once: the thread changes core, nothing is pinned, the user's mask is kept.
mod spread {
    #[cfg(target_os = "linux")]
    mod imp {
        use std::sync::atomic::{AtomicI32, Ordering};

        const SLOTS: usize = 64;
        /// The core each pool thread (by index, up to 64) last ran on; -1 unknown.
        static CPU_OF: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];

        fn current_cpu() -> i32 {
            // SAFETY: no arguments; returns the core or -1.
            unsafe { libc::sched_getcpu() }
        }

        pub fn publish(index: usize) {
            if let Some(slot) = CPU_OF.get(index) {
                slot.store(current_cpu(), Ordering::Relaxed);
            }
        }

        /// Whether a pool thread other than `index` has published its core (is polling).
        pub fn any_other_running(index: usize) -> bool {
            CPU_OF.iter().enumerate().any(|(j, s)| j != index && s.load(Ordering::Relaxed) >= 0)
        }

        pub fn retire(index: usize) {
            if let Some(slot) = CPU_OF.get(index) {
                slot.store(-1, Ordering::Relaxed);
            }
        }

        pub fn move_off_shared_cpu(index: usize) {
            let cpu = current_cpu();
            if cpu < 0 || index >= SLOTS {
                return;
            }
            CPU_OF[index].store(cpu, Ordering::Relaxed);
            let taken =
                |c: i32| CPU_OF.iter().enumerate().any(|(j, s)| j != index && s.load(Ordering::Relaxed) == c);
            if !taken(cpu) {
                return;
            }
            // SAFETY: cpu_set_t is plain bits; the calls read/write only the given set, for the
            // calling thread (pid 0).
            unsafe {
                let size = std::mem::size_of::<libc::cpu_set_t>();
                let mut allowed: libc::cpu_set_t = std::mem::zeroed();
                if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                    return;
                }
                let mut elsewhere = allowed;
                for (j, slot) in CPU_OF.iter().enumerate() {
                    let c = slot.load(Ordering::Relaxed);
                    if j != index && (0..libc::CPU_SETSIZE).contains(&c) {
                        libc::CPU_CLR(c as usize, &mut elsewhere);
                    }
                }
                if libc::CPU_COUNT(&elsewhere) == 0 {
                    return;
                }
                // Setting a mask without the current core moves the thread before returning.
                if libc::sched_setaffinity(0, size, &elsewhere) == 0 {
                    libc::sched_setaffinity(0, size, &allowed);
                    CPU_OF[index].store(current_cpu(), Ordering::Relaxed);
                }
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    mod imp {
        pub fn publish(_: usize) {}
        pub fn retire(_: usize) {}
        pub fn any_other_running(_: usize) -> bool {
            true
        }
        pub fn move_off_shared_cpu(_: usize) {}
    }

    pub use imp::*;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    fn parallel_sum(n: u64) -> u64 {
        install(|| (0..n).into_par_iter().map(|i| i * i).sum())
    }

    #[test]
    fn a_thread_count_set_off_the_main_thread_is_that_threads_own() {
        let global = num_threads();
        let expected: u64 = (0..100_000u64).map(|i| i * i).sum();
        let (own, inline, sum, three) = std::thread::spawn(move || {
            assert!(!has_own_num_threads());
            assert_eq!(num_threads(), global);
            set_num_threads(1);
            let me = std::thread::current().id();
            // One thread: the kernels run inline on this thread, as its pool's only member.
            let inline = install(|| std::thread::current().id()) == me;
            let sum = parallel_sum(100_000);
            set_num_threads(3);
            let three = (num_threads(), parallel_sum(100_000));
            set_num_threads(1);
            (num_threads(), inline, sum, three)
        })
        .join()
        .unwrap();
        assert_eq!(own, 1);
        assert!(inline);
        assert_eq!(sum, expected);
        assert_eq!(three, (3, expected));
        // The main (process-wide) count is untouched.
        assert_eq!(num_threads(), global);
    }

    #[test]
    fn many_threads_with_their_own_single_thread_pools() {
        let handles: Vec<_> = (0..16u64)
            .map(|k| {
                std::thread::spawn(move || {
                    set_num_threads(1);
                    (0..20).map(|_| parallel_sum(10_000 + k)).collect::<Vec<_>>()
                })
            })
            .collect();
        for (k, h) in handles.into_iter().enumerate() {
            let want: u64 = (0..10_000 + k as u64).map(|i| i * i).sum();
            assert!(h.join().unwrap().iter().all(|&s| s == want));
        }
    }
}
