//! The kernel pool's member thread and polling (ferrotorch::parallel), in a process of its own:
//! the first thread to use the pool becomes its thread 0, so this is one sequential test.

use ferrotorch::parallel;
use rayon::prelude::*;
use std::time::{Duration, Instant};

fn parallel_sum(n: u64) -> u64 {
    parallel::install(|| (0..n).into_par_iter().map(|i| i * i).sum())
}

fn expected_sum(n: u64) -> u64 {
    (0..n).map(|i| i * i).sum()
}

#[test]
fn the_first_thread_is_thread_0_and_other_threads_still_run_kernels() {
    parallel::set_num_threads(2);
    assert_eq!(parallel::num_threads(), 2);
    // This thread runs its kernels itself, as the pool's thread 0.
    assert_eq!(parallel::install(rayon::current_thread_index), Some(0));
    assert_eq!(parallel_sum(1 << 20), expected_sum(1 << 20));

    // Kernels on thread 0 keep at most the other thread polling for work; after the last one it
    // stops polling and sleeps (no core is left spinning).
    for _ in 0..50 {
        assert_eq!(parallel_sum(1 << 16), expected_sum(1 << 16));
        assert!(parallel::polling_threads() <= 1);
    }
    let t = Instant::now();
    while parallel::polling_threads() != 0 {
        assert!(t.elapsed() < Duration::from_secs(5), "pool threads still polling after 5 s");
        std::thread::sleep(Duration::from_millis(1));
    }

    // Threads outside the pool hand their kernels to its other thread: none runs on thread 0,
    // which is busy here (waiting for them outside rayon).
    let outside: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                let sums: Vec<u64> = (0..50).map(|_| parallel_sum(100_000)).collect();
                (sums, parallel::install(rayon::current_thread_index))
            })
        })
        .collect();
    for h in outside {
        let (sums, index) = h.join().unwrap();
        assert!(sums.iter().all(|&s| s == expected_sum(100_000)));
        assert_eq!(index, Some(1));
    }

    // Another size builds a pool of its own; setting the first size back reuses the member pool.
    parallel::set_num_threads(3);
    assert_eq!(parallel::num_threads(), 3);
    assert_eq!(parallel_sum(1 << 20), expected_sum(1 << 20));
    parallel::set_num_threads(1);
    assert_eq!(parallel_sum(1000), expected_sum(1000));
    parallel::set_num_threads(2);
    assert_eq!(parallel::install(rayon::current_thread_index), Some(0));
    assert_eq!(parallel_sum(1 << 20), expected_sum(1 << 20));
}
