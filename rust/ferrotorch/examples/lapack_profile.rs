//! Times the LAPACK-class entry points at 512² float64, and faer's own calls on the same data,
//! to separate conversion cost from factorization cost.
//!
//! cargo run --release --example lapack_profile -p ferrotorch [-- n]

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, Par, Side};
use ferrotorch::ops::linalg as la;
use ferrotorch::{DType, Generator, Tensor};
use std::time::Instant;

fn best<R>(reps: usize, mut f: impl FnMut() -> R) -> f64 {
    let mut b = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(f());
        b = b.min(t.elapsed().as_secs_f64() * 1e3);
    }
    b
}

/// faer's symmetric eigendecomposition of `s` (vectors or values only) with the given recursion
/// threshold (`None`: faer's default) and parallelism; returns the eigenvectors and values.
fn evd(
    s: &Mat<f64>,
    vectors: bool,
    rt: Option<usize>,
    par: Par,
) -> (Option<Mat<f64>>, faer::diag::Diag<f64>) {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd::{self, ComputeEigenvectors, SelfAdjointEvdParams};
    let n = s.nrows();
    let mut params: SelfAdjointEvdParams = faer::auto!(f64);
    if let Some(rt) = rt {
        params.recursion_threshold = rt;
    }
    let cv = if vectors { ComputeEigenvectors::Yes } else { ComputeEigenvectors::No };
    let mut u = vectors.then(|| Mat::<f64>::zeros(n, n));
    let mut d = faer::diag::Diag::<f64>::zeros(n);
    let mut mem = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(n, cv, par, params.into()));
    evd::self_adjoint_evd(
        s.as_ref(),
        d.as_mut(),
        u.as_mut().map(|u| u.as_mut()),
        par,
        MemStack::new(&mut mem),
        params.into(),
    )
    .unwrap();
    (u, d)
}

/// faer's thin SVD of `a` with the given parameters and parallelism; returns U.
fn thin_svd(a: &Mat<f64>, params: faer::linalg::svd::SvdParams, par: Par) -> Mat<f64> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::svd::{self as fsvd, ComputeSvdVectors};
    let n = a.nrows();
    let mut u = Mat::<f64>::zeros(n, n);
    let mut v = Mat::<f64>::zeros(n, n);
    let mut d = faer::diag::Diag::<f64>::zeros(n);
    let cv = ComputeSvdVectors::Thin;
    let mut mem = MemBuffer::new(fsvd::svd_scratch::<f64>(n, n, cv, cv, par, params.into()));
    fsvd::svd(
        a.as_ref(),
        d.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        par,
        MemStack::new(&mut mem),
        params.into(),
    )
    .unwrap();
    u
}

/// faer's partial-pivoting LU of `a` in place; returns the row permutation (forward, inverse).
fn faer_lu(
    a: &mut Mat<f64>,
    par: Par,
    params: faer::linalg::lu::partial_pivoting::factor::PartialPivLuParams,
) -> (Vec<usize>, Vec<usize>) {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::lu::partial_pivoting::factor;
    let (m, n) = (a.nrows(), a.ncols());
    let (mut f, mut b) = (vec![0usize; m], vec![0usize; m]);
    let mut mem = MemBuffer::new(factor::lu_in_place_scratch::<usize, f64>(m, n, par, params.into()));
    factor::lu_in_place(a.as_mut(), &mut f, &mut b, par, MemStack::new(&mut mem), params.into());
    (f, b)
}

fn main() -> ferrotorch::Result<()> {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(512);
    let reps = 15;
    let mut gen = Generator::new(1);
    let a = Tensor::zeros(DType::Double, &[n, n])?;
    a.uniform_(&mut gen, -1.0, 1.0)?;
    let av = a.to_vec::<f64>()?;
    let am = Mat::from_fn(n, n, |i, j| av[i * n + j]);
    let sm = {
        let mut s = &am * am.transpose();
        for i in 0..n {
            s[(i, i)] += n as f64;
        }
        s
    };
    let s = Tensor::from_slice(&(0..n * n).map(|k| sm[(k / n, k % n)]).collect::<Vec<_>>(), &[n, n])?;
    let b = Tensor::zeros(DType::Double, &[n, 1])?;
    b.uniform_(&mut gen, -1.0, 1.0)?;
    let bm = Mat::from_fn(n, 1, |i, _| b.to_vec::<f64>().unwrap()[i]);
    let threads = ferrotorch::parallel::num_threads();
    println!("n = {n}, threads = {threads}");

    let entry = std::env::args().nth(2);
    if entry.as_deref() == Some("inverse") {
        // The inverse entry point alone (for perf).
        println!("inverse {:.3}", best(200, || la::inverse(&a).unwrap()));
        return Ok(());
    }
    if entry.is_none() || entry.as_deref() == Some("entry") {
        println!("{:<28} {:>9}", "ferrotorch entry point", "ms");
        println!("{:<28} {:9.3}", "inverse", best(reps, || la::inverse(&a).unwrap()));
        println!("{:<28} {:9.3}", "gesv 1 rhs", best(reps, || la::gesv(&b, &a).unwrap()));
        println!("{:<28} {:9.3}", "potrf L", best(reps, || la::potrf(&s, false).unwrap()));
        println!("{:<28} {:9.3}", "qr", best(reps, || la::qr(&a).unwrap()));
        println!("{:<28} {:9.3}", "symeig V", best(5, || la::symeig(&s, true, true).unwrap()));
        println!("{:<28} {:9.3}", "symeig N", best(5, || la::symeig(&s, false, true).unwrap()));
        println!("{:<28} {:9.3}", "potrf U", best(reps, || la::potrf(&s, true).unwrap()));
        println!("{:<28} {:9.3}", "svd some", best(3, || la::svd(&a, true).unwrap()));
        if entry.is_some() {
            return Ok(());
        }
    }

    println!("\n{:<28} {:>9} {:>9}", "faer alone", "seq", "par");
    let only = std::env::args().nth(2);
    let run = |name: &str, reps: usize, f: &(dyn Fn() + Sync)| {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            return;
        }
        faer::set_global_parallelism(Par::Seq);
        let t1 = ferrotorch::parallel::install(|| best(reps, f));
        faer::set_global_parallelism(Par::rayon(threads));
        let t2 = ferrotorch::parallel::install(|| best(reps, f));
        println!("{name:<28} {t1:9.3} {t2:9.3}");
    };
    run("copy from_fn (row-major)", reps, &|| {
        std::hint::black_box(Mat::from_fn(n, n, |i, j| av[i * n + j]));
    });
    run("gather (row-major)", reps, &|| {
        let mut m = Mat::<f64>::zeros(n, n);
        // SAFETY: av holds n·n elements.
        std::hint::black_box(unsafe {
            ferrotorch::cpu::linalg::gather(av.as_ptr(), n as isize, 1, m.as_mut())
        });
        std::hint::black_box(m);
    });
    run("zeros only", reps, &|| {
        std::hint::black_box(Mat::<f64>::zeros(n, n));
    });
    run("matmul n^3", reps, &|| {
        std::hint::black_box(&am * &am);
    });
    run("partial_piv_lu", reps, &|| {
        std::hint::black_box(am.partial_piv_lu());
    });
    run("lu + inverse", reps, &|| {
        std::hint::black_box(am.partial_piv_lu().inverse());
    });
    run("lu + solve", reps, &|| {
        std::hint::black_box(am.partial_piv_lu().solve(&bm));
    });
    run("llt", reps, &|| {
        std::hint::black_box(sm.llt(Side::Lower).unwrap());
    });
    run("qr + thin Q", reps, &|| {
        let f = am.qr();
        std::hint::black_box(f.compute_thin_Q());
    });
    run("qr only", reps, &|| {
        std::hint::black_box(am.qr());
    });
    run("eigh values", 5, &|| {
        std::hint::black_box(sm.self_adjoint_eigenvalues(Side::Upper).unwrap());
    });
    run("eigh vectors", 5, &|| {
        std::hint::black_box(sm.self_adjoint_eigen(Side::Upper).unwrap());
    });
    run("thin svd", 3, &|| {
        std::hint::black_box(am.thin_svd().unwrap());
    });
    run("singular values", 3, &|| {
        std::hint::black_box(am.singular_values().unwrap());
    });
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd;
    use faer::linalg::svd::{self as fsvd, SvdParams};
    for rt in [32usize, 64, 128, 256] {
        run(&format!("evd rt={rt}"), 5, &|| {
            std::hint::black_box(evd(&sm, true, Some(rt), faer::get_global_parallelism()));
        });
    }
    if only.as_deref() == Some("evd-ab") {
        let cfgs: Vec<(usize, bool)> =
            [32usize, 64, 128, 256].iter().flat_map(|&r| [(r, false), (r, true)]).collect();
        let mut bests = vec![f64::INFINITY; cfgs.len()];
        for _ in 0..8 {
            for (c, &(rt, p)) in cfgs.iter().enumerate() {
                faer::set_global_parallelism(if p { Par::rayon(threads) } else { Par::Seq });
                let t = ferrotorch::parallel::install(|| {
                    best(1, || evd(&sm, true, Some(rt), faer::get_global_parallelism()))
                });
                bests[c] = bests[c].min(t);
            }
        }
        for (c, &(rt, p)) in cfgs.iter().enumerate() {
            println!("evd rt={rt:<4} par={p:<5} {:9.3}", bests[c]);
        }
    }
    if only.as_deref() == Some("own-lu") {
        let mut bests = [f64::INFINITY; 3];
        for _ in 0..15 {
            bests[0] = bests[0].min(best(1, || {
                let mut lu = am.clone();
                faer_lu(&mut lu, Par::Seq, faer::auto!(f64));
                lu
            }));
            for t in [1usize, 2] {
                if std::env::var("OWN_LU_THREADS").is_ok_and(|v| v != t.to_string()) {
                    continue;
                }
                bests[t] = bests[t].min(ferrotorch::parallel::install(|| {
                    best(1, || {
                        let mut lu = am.clone();
                        let mut piv = vec![0usize; n];
                        // SAFETY: an n×n column-major matrix with ld = n.
                        unsafe {
                            ferrotorch::cpu::lu::lu_in_place(lu.as_mut().as_ptr_mut(), n, n, n, &mut piv, t)
                        };
                        lu
                    })
                }));
            }
        }
        println!("faer seq {:.3}  ours 1 thread {:.3}  ours 2 threads {:.3}", bests[0], bests[1], bests[2]);
    }
    if only.as_deref() == Some("own-inv") {
        // Our LU and inversion in place on 1 and 2 threads (no tensor conversion).
        let mut bests = [f64::INFINITY; 2];
        for _ in 0..15 {
            for t in [1usize, 2] {
                bests[t - 1] = bests[t - 1].min(ferrotorch::parallel::install(|| {
                    best(1, || {
                        let mut x = am.clone();
                        let mut piv = vec![0usize; n];
                        let ptr = x.as_mut().as_ptr_mut();
                        let ld = x.col_stride() as usize;
                        // SAFETY: an n×n column-major matrix with leading dimension ld.
                        unsafe {
                            ferrotorch::cpu::lu::lu_in_place(ptr, n, n, ld, &mut piv, t);
                            let inv = ferrotorch::cpu::lu::inverse_permutation(
                                &ferrotorch::cpu::lu::permutation(&piv, n),
                            );
                            ferrotorch::cpu::lu_inverse::inverse_in_place(ptr, n, ld, &inv, t);
                        }
                        x
                    })
                }));
            }
        }
        println!("lu + inverse: 1 thread {:.3}  2 threads {:.3}", bests[0], bests[1]);
    }
    if only.as_deref() == Some("qr-ab") {
        // The QR factorization: faer's sequential against our threaded schedule, and forming
        // the thin Q from it, per block size.
        use faer::linalg::householder as hh;
        for bs in [32usize, 48, 64] {
            let mut t = [f64::INFINITY; 3];
            for _ in 0..15 {
                for (c, threads) in [(0usize, 1usize), (1, 2)] {
                    t[c] = t[c].min(ferrotorch::parallel::install(|| {
                        best(1, || {
                            let mut f = am.clone();
                            let mut coeff = Mat::<f64>::zeros(bs, n);
                            ferrotorch::cpu::qr::qr_in_place(f.as_mut(), coeff.as_mut(), threads);
                            (f, coeff)
                        })
                    }));
                }
                let mut f = am.clone();
                let mut coeff = Mat::<f64>::zeros(bs, n);
                ferrotorch::cpu::qr::qr_in_place(f.as_mut(), coeff.as_mut(), 2);
                t[2] = t[2].min(ferrotorch::parallel::install(|| {
                    best(1, || {
                        let mut q = Mat::<f64>::identity(n, n);
                        let mut mem = MemBuffer::new(
                            hh::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                                n, bs, n,
                            ),
                        );
                        hh::apply_block_householder_sequence_on_the_left_in_place_with_conj(
                            f.as_ref(),
                            coeff.as_ref(),
                            faer::Conj::No,
                            q.as_mut(),
                            Par::rayon(threads),
                            MemStack::new(&mut mem),
                        );
                        q
                    })
                }));
            }
            println!("qr bs={bs}: faer seq {:.3}  ours 2 threads {:.3}  form Q {:.3}", t[0], t[1], t[2]);
        }
    }
    if only.as_deref() == Some("panel") {
        // Factoring one tall panel (n × w): faer's sequential LU against ours.
        for w in [32usize, 48, 64, 96, 128] {
            let p = am.subcols(0, w).to_owned();
            let tf = best(30, || {
                let mut lu = p.clone();
                faer_lu(&mut lu, Par::Seq, faer::auto!(f64));
                lu
            });
            let to = best(30, || {
                let mut lu = p.clone();
                let mut piv = vec![0usize; w];
                // SAFETY: an n×w column-major matrix with ld = n.
                unsafe { ferrotorch::cpu::lu::lu_in_place(lu.as_mut().as_ptr_mut(), n, w, n, &mut piv, 1) };
                lu
            });
            let tc = best(30, || p.clone());
            println!("panel {n}x{w}: faer {tf:.3} ours {to:.3} (clone {tc:.3})");
        }
    }
    if only.as_deref() == Some("lu-ab") {
        use faer::linalg::lu::partial_pivoting::factor::PartialPivLuParams;
        let cfgs: Vec<(usize, bool)> =
            [4usize, 8, 16, 32, 64].iter().flat_map(|&r| [(r, false), (r, true)]).collect();
        let mut bests = vec![f64::INFINITY; cfgs.len()];
        for _ in 0..15 {
            for (c, &(rt, p)) in cfgs.iter().enumerate() {
                let par = if p { Par::rayon(threads) } else { Par::Seq };
                let t = ferrotorch::parallel::install(|| {
                    best(1, || {
                        let params = PartialPivLuParams { recursion_threshold: rt, ..faer::auto!(f64) };
                        let mut lu = am.clone();
                        faer_lu(&mut lu, par, params);
                        lu
                    })
                });
                bests[c] = bests[c].min(t);
            }
        }
        for (c, &(rt, p)) in cfgs.iter().enumerate() {
            println!("lu rt={rt:<4} par={p:<5} {:9.3}", bests[c]);
        }
    }
    if only.as_deref() == Some("svd-ab") {
        // The bidiagonalization's parallel threshold (trailing rows × columns) inside a parallel svd.
        use faer::linalg::svd::SvdParams;
        let pts = [49152usize, 256 * 256, 384 * 384, 512 * 512, 768 * 768, usize::MAX];
        let mut bests = [f64::INFINITY; 6];
        let par = Par::rayon(threads);
        for _ in 0..3 {
            for (c, &pt) in pts.iter().enumerate() {
                let mut params: SvdParams = faer::auto!(f64);
                params.bidiag.par_threshold = pt;
                let t = ferrotorch::parallel::install(|| best(1, || thin_svd(&am, params, par)));
                bests[c] = bests[c].min(t);
            }
        }
        println!("svd bidiag par_threshold {pts:?}: {bests:.1?}");
    }
    if only.as_deref() == Some("inv-parts") {
        use faer::linalg::matmul::triangular::{self as tri, BlockStructure};
        use faer::linalg::triangular_inverse as ti;
        let lu = am.partial_piv_lu();
        let (l, u) = (lu.L().to_owned(), lu.U().to_owned());
        let mut out = Mat::<f64>::zeros(n, n);
        let mut tmp = Mat::<f64>::zeros(n, n);
        for par in [Par::Seq, Par::rayon(threads)] {
            let tl = ferrotorch::parallel::install(|| {
                best(reps, || ti::invert_unit_lower_triangular(out.as_mut(), l.as_ref(), par))
            });
            let tu = ferrotorch::parallel::install(|| {
                best(reps, || ti::invert_upper_triangular(out.as_mut(), u.as_ref(), par))
            });
            let tm = ferrotorch::parallel::install(|| {
                best(reps, || {
                    tri::matmul(
                        tmp.as_mut(),
                        BlockStructure::Rectangular,
                        faer::Accum::Replace,
                        out.as_ref(),
                        BlockStructure::TriangularUpper,
                        out.as_ref(),
                        BlockStructure::UnitTriangularLower,
                        1.0,
                        par,
                    )
                })
            });
            let tg = ferrotorch::parallel::install(|| {
                best(reps, || {
                    faer::linalg::matmul::matmul(
                        tmp.as_mut(),
                        faer::Accum::Replace,
                        out.as_ref(),
                        l.as_ref(),
                        1.0,
                        par,
                    )
                })
            });
            let mut iu = Mat::<f64>::zeros(n, n);
            let tj = ferrotorch::parallel::install(|| {
                best(reps, || {
                    rayon::join(
                        || ti::invert_unit_lower_triangular(out.as_mut(), l.as_ref(), Par::Seq),
                        || ti::invert_upper_triangular(iu.as_mut(), u.as_ref(), Par::Seq),
                    )
                })
            });
            let tp = best(reps, || {
                faer::perm::permute_cols(out.as_mut(), tmp.as_ref(), lu.P().inverse());
            });
            let tlu = ferrotorch::parallel::install(|| best(reps, || la::inverse(&a).unwrap()));
            println!(
                "{par:?}: inv L {tl:.3} inv U {tu:.3} both joined {tj:.3} tri matmul {tm:.3} \
                 permute {tp:.3} full matmul {tg:.3} entry {tlu:.3}"
            );
        }
    }
    if only.as_deref() == Some("trid-ab") {
        // faer's tridiagonalization (sequential) against ours on 1 and all threads, alternated.
        use faer::dyn_stack::{MemBuffer, MemStack};
        use faer::linalg::evd::tridiag;
        use ferrotorch::cpu::tridiagonal_reduction::tridiagonalize;
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        let mut h = Mat::<f64>::zeros(bs, n - 1);
        let mut mem =
            MemBuffer::new(tridiag::tridiag_in_place_scratch::<f64>(n, Par::Seq, Default::default()));
        let mut t = sm.clone();
        let mut bests = [f64::INFINITY; 3];
        for _ in 0..15 {
            bests[0] = bests[0].min(best(1, || {
                t.copy_from(&sm);
                tridiag::tridiag_in_place(
                    t.as_mut(),
                    h.as_mut(),
                    Par::Seq,
                    MemStack::new(&mut mem),
                    Default::default(),
                )
            }));
            for (i, th) in [1, threads].into_iter().enumerate() {
                bests[i + 1] = bests[i + 1].min(best(1, || {
                    t.copy_from(&sm);
                    tridiagonalize(t.as_mut(), th).diagonal.len()
                }));
            }
        }
        println!(
            "tridiagonalization: faer {:.3}  ours 1 thread {:.3}  ours {threads} threads {:.3}",
            bests[0], bests[1], bests[2]
        );
    }
    if only.as_deref() == Some("bt-bs") {
        // The reflector product onto the eigenvectors (with its block factors) by block size.
        use faer::dyn_stack::{MemBuffer, MemStack};
        use ferrotorch::cpu::tridiagonal_reduction::{apply_q, block_factors, tridiagonalize};
        let mut t = sm.clone();
        let red = tridiagonalize(t.as_mut(), threads);
        let par = Par::rayon(threads);
        let sizes = [32usize, 48, 64, 96, 128];
        let mut bests = vec![f64::INFINITY; sizes.len()];
        let mut u = Mat::<f64>::identity(n, n);
        for _ in 0..8 {
            for (i, &bs) in sizes.iter().enumerate() {
                let scratch =
                    faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<
                        f64,
                    >(n - 1, bs, n);
                let mut mem = MemBuffer::new(scratch);
                bests[i] = bests[i].min(ferrotorch::parallel::install(|| {
                    best(1, || {
                        let h = block_factors(t.as_ref(), &red.tau, bs, par);
                        apply_q(t.as_ref(), h.as_ref(), u.as_mut(), par, MemStack::new(&mut mem))
                    })
                }));
            }
        }
        let rec = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        println!("back-transform by block size (faer recommends {rec}): {sizes:?} -> {bests:.3?}");
    }
    if only.as_deref() == Some("evd-parts") {
        use faer::dyn_stack::{MemBuffer, MemStack};
        use faer::linalg::evd;
        let mut t = sm.clone();
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        let mut h = Mat::<f64>::zeros(bs, n - 1);
        {
            let mut mem = MemBuffer::new(evd::tridiag::tridiag_in_place_scratch::<f64>(
                n,
                Par::Seq,
                Default::default(),
            ));
            evd::tridiag::tridiag_in_place(
                t.as_mut(),
                h.as_mut(),
                Par::Seq,
                MemStack::new(&mut mem),
                Default::default(),
            );
        }
        let mut d = faer::diag::Diag::<f64>::zeros(n);
        let mut e = faer::diag::Diag::<f64>::zeros(n);
        for i in 0..n {
            d[i] = t[(i, i)];
            if i + 1 < n {
                e[i] = t[(i + 1, i)];
            }
        }
        let mut s = faer::diag::Diag::<f64>::zeros(n);
        let mut u = Mat::<f64>::zeros(n, n);
        for par in [Par::Seq, Par::rayon(threads)] {
            let mut mem = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
                n,
                evd::ComputeEigenvectors::Yes,
                par,
                Default::default(),
            ));
            let stack = MemStack::new(&mut mem);
            let tt = ferrotorch::parallel::install(|| {
                best(5, || {
                    t.copy_from(&sm);
                    evd::tridiag::tridiag_in_place(t.as_mut(), h.as_mut(), par, stack, Default::default())
                })
            });
            let tv = ferrotorch::parallel::install(|| {
                best(5, || {
                    evd::tridiagonal_self_adjoint_evd(
                        d.as_ref(),
                        e.as_ref(),
                        s.as_mut(),
                        None,
                        par,
                        stack,
                        Default::default(),
                    )
                    .unwrap()
                })
            });
            let tdc = ferrotorch::parallel::install(|| {
                best(5, || {
                    evd::tridiagonal_self_adjoint_evd(
                        d.as_ref(),
                        e.as_ref(),
                        s.as_mut(),
                        Some(u.as_mut()),
                        par,
                        stack,
                        Default::default(),
                    )
                    .unwrap()
                })
            });
            let ta = ferrotorch::parallel::install(|| {
                best(5, || {
                    ferrotorch::cpu::tridiagonal_reduction::apply_q(
                        t.as_ref(),
                        h.as_ref(),
                        u.as_mut(),
                        par,
                        stack,
                    )
                })
            });
            let dv: Vec<f64> = (0..n).map(|i| d[i]).collect();
            let ev: Vec<f64> = (0..n - 1).map(|i| e[i]).collect();
            let tst = best(reps, || {
                let (mut a, mut b) = (dv.clone(), ev.clone());
                ferrotorch::cpu::tridiagonal::sterf(&mut a, &mut b).unwrap();
                a
            });
            println!(
                "{par:?}: tridiag {tt:.3} values {tv:.3} (sterf {tst:.3}) d&c vectors {tdc:.3} back-transform {ta:.3}"
            );
        }
    }
    if only.as_deref() == Some("inv-ab") {
        use faer::linalg::lu::partial_pivoting::inverse as inv;
        use faer::linalg::matmul::triangular::{matmul, BlockStructure};
        use faer::linalg::triangular_inverse as ti;
        let par = Par::rayon(threads);
        let mut out = Mat::<f64>::zeros(n, n);
        let variant = |joined: bool, out: &mut Mat<f64>| {
            let mut lu = am.clone();
            let (f, b) = faer_lu(&mut lu, Par::Seq, faer::auto!(f64));
            let perm = faer::perm::PermRef::new_checked(&f, &b, n);
            if !joined {
                let mut mem = MemBuffer::new(inv::inverse_scratch::<usize, f64>(n, par));
                inv::inverse(out.as_mut(), lu.as_ref(), lu.as_ref(), perm, par, MemStack::new(&mut mem));
                return;
            }
            let mut iu = Mat::<f64>::zeros(n, n);
            rayon::join(
                || ti::invert_unit_lower_triangular(out.as_mut(), lu.as_ref(), Par::Seq),
                || ti::invert_upper_triangular(iu.as_mut(), lu.as_ref(), Par::Seq),
            );
            let mut product = Mat::<f64>::zeros(n, n);
            matmul(
                product.as_mut(),
                BlockStructure::Rectangular,
                faer::Accum::Replace,
                iu.as_ref(),
                BlockStructure::TriangularUpper,
                out.as_ref(),
                BlockStructure::UnitTriangularLower,
                1.0,
                par,
            );
            faer::perm::permute_cols(out.as_mut(), product.as_ref(), perm.inverse());
        };
        let mut bests = [f64::INFINITY; 2];
        for _ in 0..15 {
            for (c, joined) in [false, true].into_iter().enumerate() {
                let t = ferrotorch::parallel::install(|| best(1, || variant(joined, &mut out)));
                bests[c] = bests[c].min(t);
            }
        }
        println!("inverse faer {:.3} joined {:.3}", bests[0], bests[1]);
    }
    if only.as_deref() == Some("vals-ab") {
        let mut bests = [f64::INFINITY; 2];
        for _ in 0..12 {
            for (c, p) in [false, true].into_iter().enumerate() {
                let par = if p { Par::rayon(threads) } else { Par::Seq };
                let t = ferrotorch::parallel::install(|| best(1, || evd(&sm, false, None, par)));
                bests[c] = bests[c].min(t);
            }
        }
        println!("values seq {:.3} par {:.3}", bests[0], bests[1]);
    }
    if only.as_deref() == Some("gather-ab") {
        // Loading a row-major matrix into a column-major work matrix (every LAPACK entry's
        // first step), against a same-layout copy of the same size.
        let mut dst = Mat::<f64>::zeros(n, n);
        let (mut tt, mut tc) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..30 {
            // SAFETY: av holds the n×n row-major matrix (rs = n, cs = 1), and as column-major.
            tt = tt.min(best(5, || unsafe {
                ferrotorch::cpu::linalg::gather(av.as_ptr(), n as isize, 1, dst.as_mut())
            }));
            tc = tc.min(best(5, || unsafe {
                ferrotorch::cpu::linalg::gather(av.as_ptr(), 1, n as isize, dst.as_mut())
            }));
        }
        println!("gather {n}x{n}: transposing {tt:.3} ms, same layout {tc:.3} ms");
    }
    if only.as_deref() == Some("llt-ab") {
        use faer::linalg::cholesky::llt::factor;
        let mut bests = [f64::INFINITY; 4];
        for _ in 0..20 {
            for (c, (tr, p)) in
                [(false, false), (true, false), (false, true), (true, true)].into_iter().enumerate()
            {
                let par = if p { Par::rayon(threads) } else { Par::Seq };
                let t = ferrotorch::parallel::install(|| {
                    best(1, || {
                        let mut l = sm.clone();
                        let mut mem = MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(
                            n,
                            par,
                            Default::default(),
                        ));
                        let v = if tr { l.as_mut().transpose_mut() } else { l.as_mut() };
                        factor::cholesky_in_place(
                            v,
                            Default::default(),
                            par,
                            MemStack::new(&mut mem),
                            Default::default(),
                        )
                        .unwrap();
                        l
                    })
                });
                bests[c] = bests[c].min(t);
            }
        }
        println!(
            "llt col seq {:.3} row seq {:.3} col par {:.3} row par {:.3}",
            bests[0], bests[1], bests[2], bests[3]
        );
    }
    run("tridiag", 5, &|| {
        let par = faer::get_global_parallelism();
        let mut t = sm.clone();
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        let mut h = Mat::<f64>::zeros(bs, n - 1);
        let mut mem =
            MemBuffer::new(evd::tridiag::tridiag_in_place_scratch::<f64>(n, par, Default::default()));
        evd::tridiag::tridiag_in_place(
            t.as_mut(),
            h.as_mut(),
            par,
            MemStack::new(&mut mem),
            Default::default(),
        );
        std::hint::black_box(t);
    });
    for rt in [32usize, 64, 128, 256] {
        run(&format!("svdp rt={rt}"), 3, &|| {
            let par = faer::get_global_parallelism();
            let params = SvdParams { recursion_threshold: rt, ..faer::auto!(f64) };
            std::hint::black_box(thin_svd(&am, params, par));
        });
    }
    run("bidiag", 3, &|| {
        let par = faer::get_global_parallelism();
        let mut t = am.clone();
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        let mut hl = Mat::<f64>::zeros(bs, n);
        let mut hr = Mat::<f64>::zeros(bs, n - 1);
        let mut mem =
            MemBuffer::new(fsvd::bidiag::bidiag_in_place_scratch::<f64>(n, n, par, Default::default()));
        fsvd::bidiag::bidiag_in_place(
            t.as_mut(),
            hl.as_mut(),
            hr.as_mut(),
            par,
            MemStack::new(&mut mem),
            Default::default(),
        );
        std::hint::black_box(t);
    });
    Ok(())
}
