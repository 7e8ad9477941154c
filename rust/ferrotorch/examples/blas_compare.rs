//! Times f32/f64 gemm (C = A·B, square, row-major) at 64, 256, 1024 and 2048 on the engine's
//! BLAS layer, through `BlasScalar::gemm` as `mm` calls it.
//!
//! cargo run --release --example blas_compare -p ferrotorch                         # pure Rust
//! cargo run --release --example blas_compare -p ferrotorch --features system-blas  # both
//!
//! With the feature, the pure-Rust path and the system BLAS alternate in the same process (the
//! machine's load hits both alike); each figure is the best of the rounds. `BLAS_SIZES=64,256`
//! picks the sizes.

use ferrotorch::cpu::blas::{BlasScalar, MatMut, MatRef};
use std::time::Instant;

/// Seconds per product: the best of 5 rounds of enough products to last ~50 ms (one at 2048).
fn time<T: BlasScalar>(n: usize, system: bool) -> f64 {
    #[cfg(feature = "system-blas")]
    ferrotorch::cpu::blas_system::set_enabled(system);
    #[cfg(not(feature = "system-blas"))]
    let _ = system;
    let a: Vec<T> = (0..n * n).map(|i| T::from_f64((i % 17) as f64 / 17.0)).collect();
    let b: Vec<T> = (0..n * n).map(|i| T::from_f64((i % 13) as f64 / 13.0)).collect();
    let mut c = vec![T::zero(); n * n];
    let lhs = MatRef { ptr: a.as_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
    let rhs = MatRef { ptr: b.as_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
    let dst = MatMut { ptr: c.as_mut_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
    let threads = ferrotorch::parallel::num_threads();
    // SAFETY: three disjoint n×n row-major buffers.
    let run = || unsafe { T::gemm(dst, T::zero(), T::one(), lhs, rhs, threads) };
    run();
    let t = Instant::now();
    run();
    let reps = ((0.05 / t.elapsed().as_secs_f64()) as usize).clamp(1, 10_000);
    (0..5)
        .map(|_| {
            let t = Instant::now();
            (0..reps).for_each(|_| run());
            t.elapsed().as_secs_f64() / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BLAS_SIZES")
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|_| vec![64, 256, 1024, 2048]);
    let system = cfg!(feature = "system-blas");
    println!(
        "threads {} (OPENBLAS_NUM_THREADS applies to the system BLAS)",
        ferrotorch::parallel::num_threads()
    );
    println!("| dtype | n | pure Rust GFLOP/s | system BLAS GFLOP/s |");
    println!("|---|---|---|---|");
    for n in sizes {
        let flops = 2.0 * (n as f64).powi(3) * 1e-9;
        for dtype in ["f32", "f64"] {
            let (mut rust, mut blas) = (f64::INFINITY, f64::INFINITY);
            // Alternate the two paths so that both see the same load.
            for _ in 0..if system { 3 } else { 1 } {
                rust = rust.min(if dtype == "f32" { time::<f32>(n, false) } else { time::<f64>(n, false) });
                if system {
                    blas = blas.min(if dtype == "f32" { time::<f32>(n, true) } else { time::<f64>(n, true) });
                }
            }
            let shown = if system { format!("{:.0}", flops / blas) } else { "(feature off)".into() };
            println!("| {dtype} | {n} | {:.0} | {shown} |", flops / rust);
        }
    }
}
