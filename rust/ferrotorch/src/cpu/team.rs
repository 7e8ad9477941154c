//! CPU kernels: a team of pool threads that stay with one kernel and synchronise by spinning,
//! for algorithms with one short parallel step per iteration (the tridiagonal reduction runs
//! ~500 of them at order 512, each a few microseconds long).
//!
//! A rayon join per step costs a job push, a steal and a latch; a team member instead polls
//! one atomic word and claims the step's chunks from it. The caller (the leader) claims chunks
//! too and can run every chunk itself, so a member that never gets a thread costs nothing but
//! speed: there is no barrier that waits for a thread which may not come.

use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// A step's work: `run(chunk)` for each chunk index, on whichever member claims it.
type Job<'a> = &'a (dyn Fn(usize) + Sync);

/// The state the members share. `state` packs the step's epoch (high 32 bits), its chunk
/// count (16 bits) and the next unclaimed chunk (low 16 bits): one compare-and-swap both
/// claims a chunk and proves the step is still the one whose job the claimer will read.
struct Shared {
    state: AtomicU64,
    done: AtomicUsize,
    stop: AtomicBool,
    /// The current step's job, with its lifetime erased. Written by the leader only while no
    /// chunk can be claimed (every chunk of the last step claimed and finished); read by a
    /// member only after it has claimed a chunk of the step, which cannot finish before that
    /// member reports the chunk done.
    job: UnsafeCell<Option<Job<'static>>>,
}

// SAFETY: `job` is the only non-Sync field; its accesses are ordered by `state` and `done`
// as described on the field.
unsafe impl Sync for Shared {}

const CHUNK_BITS: u32 = 16;
const CHUNK_MASK: u64 = (1 << CHUNK_BITS) - 1;

fn unpack(state: u64) -> (u64, u64) {
    ((state >> CHUNK_BITS) & CHUNK_MASK, state & CHUNK_MASK)
}

impl Shared {
    /// Claims and runs chunks of the current step until none is left unclaimed; true if it ran one.
    fn work(&self) -> bool {
        let mut ran = false;
        loop {
            let s = self.state.load(Ordering::Acquire);
            let (total, next) = unpack(s);
            if next >= total {
                return ran;
            }
            if self.state.compare_exchange_weak(s, s + 1, Ordering::AcqRel, Ordering::Relaxed).is_err() {
                continue;
            }
            // Counts the chunk done even if it panics, so the leader does not wait forever
            // (the pool's scope then carries the panic to the caller).
            struct Done<'a>(&'a AtomicUsize);
            impl Drop for Done<'_> {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::Release);
                }
            }
            let _done = Done(&self.done);
            // SAFETY: we hold an unfinished chunk of this step, so the leader has published the
            // step's job and will not replace it before `_done` counts the chunk (see `job`).
            let job = unsafe { (*self.job.get()).expect("a published step has a job") };
            job(next as usize);
            ran = true;
        }
    }
}

/// The leader's handle: not `Sync`, so a step's job cannot capture it and start a step itself.
pub(crate) struct Team<'a> {
    shared: &'a Shared,
    size: usize,
    epoch: Cell<u64>, // a Cell also keeps `Team` from being Sync
}

impl Team<'_> {
    /// Threads in the team, the leader included (members that never started count too).
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Runs `job(c)` for every c in `0..chunks` on the team's threads, the caller included,
    /// and returns when all have finished.
    pub(crate) fn for_each(&self, chunks: usize, job: &(dyn Fn(usize) + Sync)) {
        if chunks <= 1 || self.size == 1 {
            (0..chunks).for_each(job);
            return;
        }
        assert!(chunks as u64 <= CHUNK_MASK, "team step of {chunks} chunks: at most {CHUNK_MASK}");
        let epoch = self.epoch.get() + 1;
        self.epoch.set(epoch);
        // SAFETY: members call `job` only while holding an unfinished chunk of this step, and we
        // return only after every chunk is done, so the borrow outlives every use of it.
        let job: Job<'static> = unsafe { std::mem::transmute::<Job<'_>, Job<'static>>(job) };
        // SAFETY: the previous step is finished (its `done` reached its count), so no member
        // reads `job` while we replace it; only the leader (the thread holding the non-Sync
        // `self`) writes it.
        unsafe { *self.shared.job.get() = Some(job) };
        self.shared.done.store(0, Ordering::Relaxed);
        self.shared
            .state
            .store((epoch << (2 * CHUNK_BITS)) | ((chunks as u64) << CHUNK_BITS), Ordering::Release);
        let _finish = FinishStep { shared: self.shared, chunks };
        self.shared.work();
    }
}

/// Ends a step, also when the leader's own chunk panics: cancels the chunks nobody claimed
/// (none are left unless we are unwinding) and waits until every claimed chunk has finished,
/// so that no member still runs the job once its borrow ends.
struct FinishStep<'a> {
    shared: &'a Shared,
    chunks: usize,
}

impl Drop for FinishStep<'_> {
    fn drop(&mut self) {
        let state = &self.shared.state;
        loop {
            let s = state.load(Ordering::Acquire);
            let (total, next) = unpack(s);
            if next >= total {
                break;
            }
            // Claim them all at once and count them done without running them.
            if state
                .compare_exchange_weak(s, (s & !CHUNK_MASK) | total, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                self.shared.done.fetch_add((total - next) as usize, Ordering::Release);
                break;
            }
        }
        while self.shared.done.load(Ordering::Acquire) < self.chunks {
            std::hint::spin_loop();
        }
    }
}

/// Tells the members to leave, also when the leader's body panics (else the scope would wait
/// for them forever).
struct StopMembers<'a>(&'a AtomicBool);

impl Drop for StopMembers<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Runs `body` with a team of up to `threads` pool threads (the caller leads it); members poll
/// for steps until `body` returns.
pub(crate) fn with_team<R: Send>(threads: usize, body: impl FnOnce(&Team) -> R + Send) -> R {
    let shared = Shared {
        state: AtomicU64::new(0),
        done: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        job: UnsafeCell::new(None),
    };
    let team = |size| Team { shared: &shared, size, epoch: Cell::new(0) };
    if threads <= 1 {
        return body(&team(1));
    }
    crate::parallel::install(|| {
        rayon::scope(|s| {
            for _ in 1..threads {
                let shared = &shared;
                s.spawn(move |_| {
                    while !shared.stop.load(Ordering::Acquire) {
                        if !shared.work() {
                            std::hint::spin_loop();
                        }
                    }
                });
            }
            let _stop = StopMembers(&shared.stop);
            body(&team(threads))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_of_every_step_runs_once() {
        for threads in [1, 2, 3, 4] {
            let counts: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
            with_team(threads, |team| {
                assert_eq!(team.size(), threads);
                for step in 0..500 {
                    let chunks = 1 + step % 7;
                    team.for_each(chunks, &|c| {
                        counts[c].fetch_add(1, Ordering::Relaxed);
                    });
                }
            });
            for (c, n) in counts.iter().enumerate() {
                let want = (0..500).filter(|s| 1 + s % 7 > c).count();
                assert_eq!(n.load(Ordering::Relaxed), want, "threads {threads} chunk {c}");
            }
        }
    }

    #[test]
    fn a_panicking_chunk_ends_the_team_and_reaches_the_caller() {
        // The panic may hit the leader's chunk or a member's. Either way the call returns (no
        // member is left spinning, no step waits for a chunk that will not run) with the panic,
        // and no member runs a job after its step has ended: `data` is freed as the leader
        // unwinds, which valgrind (CI) would report if a member still read it.
        for threads in [1, 2, 3] {
            for bad in [0, 7] {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    with_team(threads, |team| {
                        for step in 0..40 {
                            let data: Vec<u64> = std::iter::repeat_n(step as u64, 8).collect(); // on the heap
                            team.for_each(8, &|c| {
                                assert!(!(step == 10 && c == bad), "chunk {c} of step {step}");
                                std::hint::black_box(data[c]);
                            });
                        }
                    })
                }));
                assert!(result.is_err(), "threads {threads}: the panic was lost");
            }
        }
    }

    #[test]
    fn a_step_sees_the_previous_steps_writes() {
        // Each step's chunks read what the previous step wrote (a dependent chain): a member
        // running a stale job or a step ending early would break the sums.
        let n = 8;
        let cells: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(1)).collect();
        with_team(3, |team| {
            for _ in 0..200 {
                let before: Vec<u64> = cells.iter().map(|c| c.load(Ordering::Relaxed)).collect();
                let total: u64 = before.iter().sum();
                team.for_each(n, &|c| cells[c].store(total % 1_000_003 + c as u64, Ordering::Relaxed));
                for (c, cell) in cells.iter().enumerate() {
                    assert_eq!(cell.load(Ordering::Relaxed), total % 1_000_003 + c as u64);
                }
            }
        });
    }
}
