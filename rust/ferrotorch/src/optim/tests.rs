use super::*;

fn t(v: &[f64]) -> Tensor {
    Tensor::from_slice(v, &[v.len()]).unwrap()
}

#[test]
fn adam_one_step_by_hand() {
    let (x, g) = (t(&[1.0, -2.0]), t(&[0.5, -1.0]));
    let (m, v, d) = (t(&[0.0, 0.0]), t(&[0.0, 0.0]), t(&[0.0, 0.0]));
    adam(&x, &g, &m, &v, &d, 0.1, 0.9, 0.999, 0.0, 0.0).unwrap();
    let xs = x.to_vec::<f64>().unwrap();
    // m = 0.1 g, sqrt(v) = sqrt(0.001) |g|: the step is 0.1 * 0.1/sqrt(0.001) * sign(g)
    let s = 0.1 * 0.1 / 0.001f64.sqrt();
    assert!((xs[0] - (1.0 - s)).abs() < 1e-12 && (xs[1] - (-2.0 + s)).abs() < 1e-12);
    // m = (1 - beta1) g, and 1 - 0.9 is 0.09999999999999998 in f64
    let ms = m.to_vec::<f64>().unwrap();
    assert!((ms[0] - 0.05).abs() < 1e-15 && (ms[1] + 0.1).abs() < 1e-15, "{ms:?}");
}

#[test]
fn large_vectors_split_over_threads_give_the_sequential_result() {
    let n = 5 * PARALLEL_GRAIN + 17;
    let xv: Vec<f32> = (0..n).map(|i| (i % 97) as f32 * 0.01).collect();
    let gv: Vec<f32> = (0..n).map(|i| ((i % 13) as f32 - 6.0) * 0.1).collect();
    let x = Tensor::from_slice(&xv, &[n]).unwrap();
    let g = Tensor::from_slice(&gv, &[n]).unwrap();
    let buf = Tensor::from_slice(&gv, &[n]).unwrap();
    sgd_momentum(&x, &g, &buf, 0.1, 0.0, 0.9, 1.0, false).unwrap();
    let got = x.to_vec::<f32>().unwrap();
    for i in (0..n).step_by(4099) {
        let b = gv[i] * 0.9f32 + 1.0f32 * gv[i];
        assert_eq!(got[i], xv[i] + (-0.1f32) * b);
    }
}

#[test]
fn rejects_overlap_mixed_types_and_strides() {
    let x = t(&[1.0, 2.0, 3.0, 4.0]);
    assert!(matches!(sgd(&x, &x, 0.1, 0.0), Err(Error::Value(_))));
    let g = Tensor::from_slice(&[1.0f32; 4], &[4]).unwrap();
    assert!(matches!(sgd(&x, &g, 0.1, 0.0), Err(Error::Type(_))));
    let wide = t(&[0.0; 8]);
    let strided = wide.slice(0, 0, 4, 2).unwrap();
    assert!(matches!(sgd(&x, &strided, 0.1, 0.0), Err(Error::Value(_))));
    let ints = Tensor::from_slice(&[1i64; 4], &[4]).unwrap();
    assert!(matches!(sgd(&ints, &ints, 0.1, 0.0), Err(Error::Type(_))));
}

#[test]
fn operands_in_one_storage_are_refused_when_they_overlap_and_taken_when_adjacent() {
    let wide = t(&[1.0; 12]);
    let part = |start| wide.narrow(0, start, 4).unwrap();
    // Overlapping by one element and by two, in both orders.
    for (a, b) in [(0, 3), (3, 0), (2, 4), (4, 2)] {
        assert!(matches!(sgd(&part(a), &part(b), 0.1, 0.0), Err(Error::Value(_))), "{a} and {b}");
    }
    // Adjacent, in both orders: separate memory, so the update runs.
    for (a, b) in [(0, 4), (4, 0), (8, 4)] {
        sgd(&part(a), &part(b), 0.5, 0.0).unwrap();
    }
    // 1 - 0.5 * 1, then 1 - 0.5 * 0.5, then 1 - 0.5 * 0.75
    let want: Vec<f64> = [0.5, 0.75, 0.625].iter().flat_map(|&v| [v; 4]).collect();
    assert_eq!(wide.to_vec::<f64>().unwrap(), want);
}

#[test]
fn rprop_zeroes_the_gradient_where_the_sign_flips() {
    let (x, g) = (t(&[0.0, 0.0, 0.0]), t(&[1.0, -1.0, 2.0]));
    let (delta, steps, sgn) = (t(&[1.0, 1.0, 0.0]), t(&[0.1, 0.1, 0.1]), t(&[0.0; 3]));
    rprop(&x, &g, &delta, &steps, &sgn, 1.2, 0.5, 50.0, 1e-6).unwrap();
    assert_eq!(g.to_vec::<f64>().unwrap(), vec![1.0, 0.0, 2.0]);
    assert_eq!(steps.to_vec::<f64>().unwrap(), vec![0.1 * 1.2, 0.05, 0.1]);
    assert_eq!(x.to_vec::<f64>().unwrap(), vec![-0.1 * 1.2, 0.0, -0.1]);
}

// ------------------------------------------------------------------- Torch7's tensor-op path

/// Torch7's tensor operations on plain vectors, one pass each, in TH's arithmetic order
/// (`add(s, w)` is `v + s*w`, `addcmul(s, a, b)` is `v + (s*a)*b`, `addcdiv` `v + (s*a)/b`).
/// Square roots and absolute values go through f64 (exact for f32's too), not the kernels' `Real`.
mod th {
    use super::Real;

    pub fn mul<T: Real>(v: &mut [T], s: T) {
        v.iter_mut().for_each(|a| *a = *a * s);
    }
    pub fn add<T: Real>(v: &mut [T], s: T, w: &[T]) {
        v.iter_mut().zip(w).for_each(|(a, &b)| *a = *a + s * b);
    }
    pub fn add_scalar<T: Real>(v: &mut [T], s: T) {
        v.iter_mut().for_each(|a| *a = *a + s);
    }
    pub fn addcmul<T: Real>(v: &mut [T], s: T, a: &[T], b: &[T]) {
        v.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&p, &q))| *o = *o + s * p * q);
    }
    pub fn addcdiv<T: Real>(v: &mut [T], s: T, a: &[T], b: &[T]) {
        v.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&p, &q))| *o = *o + s * p / q);
    }
    pub fn cmul<T: Real>(v: &mut [T], w: &[T]) {
        v.iter_mut().zip(w).for_each(|(a, &b)| *a = *a * b);
    }
    pub fn cdiv<T: Real>(v: &mut [T], w: &[T]) {
        v.iter_mut().zip(w).for_each(|(a, &b)| *a = *a / b);
    }
    pub fn sqrt<T: Real>(v: &mut [T]) {
        v.iter_mut().for_each(|a| *a = T::from_f64(a.to_f64().sqrt()));
    }
    pub fn abs<T: Real>(v: &mut [T]) {
        v.iter_mut().for_each(|a| *a = T::from_f64(a.to_f64().abs()));
    }
    /// TH's sign: 0 for 0.
    pub fn sign<T: Real>(v: &mut [T]) {
        v.iter_mut().for_each(|a| {
            *a = if *a > T::ZERO {
                T::ONE
            } else if *a < T::ZERO {
                -T::ONE
            } else {
                T::ZERO
            }
        });
    }
}

/// Runs three updates of one rule both ways from the same start, `fused` on tensors and
/// `torch7` (Torch7's sequence of tensor operations) on vectors, and requires every operand
/// equal bit for bit after each. `init(k, r)` gives operand k's element from r in [-1, 1);
/// operand 1, the gradient, is drawn afresh before each update, as an opfunc returns it.
fn same_as_torch7<T: Real>(
    what: &str,
    n: usize,
    operands: usize,
    init: impl Fn(usize, f64) -> f64,
    fused: impl Fn(&[Tensor]),
    torch7: impl Fn(&mut [Vec<T>]),
) {
    let mut rnd = crate::cpu::test_stream(n as u64 * 31 + operands as u64)
        .map(|s| (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0);
    let mut draw =
        |k: usize| -> Vec<T> { (0..n).map(|_| T::from_f64(init(k, rnd.next().unwrap()))).collect() };
    let mut want: Vec<Vec<T>> = (0..operands).map(&mut draw).collect();
    let got: Vec<Tensor> = want.iter().map(|v| Tensor::from_slice(v, &[n]).unwrap()).collect();
    for step in 0..3 {
        let g = draw(1);
        want[1].copy_from_slice(&g);
        got[1].copy_(&Tensor::from_slice(&g, &[n]).unwrap()).unwrap();
        fused(&got);
        torch7(&mut want);
        for (k, (t, w)) in got.iter().zip(&want).enumerate() {
            let t = t.to_vec::<T>().unwrap();
            if let Some(i) = (0..n).find(|&i| t[i].to_f64().to_bits() != w[i].to_f64().to_bits()) {
                panic!(
                    "{what} {:?} n={n} update {step}: operand {k} element {i} is {:?}, Torch7's ops give {:?}",
                    T::DTYPE,
                    t[i].to_f64(),
                    w[i].to_f64()
                );
            }
        }
    }
}

/// Splits the operand list of a Torch7 reference into named vectors.
macro_rules! ops {
    ($b:expr, [$($name:ident),*]) => {
        let [$($name),*] = $b else { unreachable!("operand count") };
    };
}

fn every_rule_matches_torch7s_tensor_ops<T: Real>(n: usize) {
    use th::*;
    let c = T::from_f64; // not the kernels' `Real::of`
    let any = |_: usize, r: f64| r;
    for wd in [0.0, 0.01] {
        let decay = |g: &mut [T], x: &[T]| {
            if wd != 0.0 {
                add(g, c(wd), x)
            }
        };
        same_as_torch7::<T>(
            "sgd",
            n,
            2,
            any,
            |t| sgd(&t[0], &t[1], 0.1, wd).unwrap(),
            |b| {
                ops!(b, [x, g]);
                decay(g, x);
                add(x, c(-0.1), g);
            },
        );
        // (momentum, 1 - dampening, nesterov): dampening = momentum (Torch7's default), some, none
        for (mom, omd, nesterov) in [(0.9, 0.1, false), (0.5, 0.7, false), (0.9, 1.0, true)] {
            same_as_torch7::<T>(
                "sgd with momentum",
                n,
                3,
                any,
                |t| sgd_momentum(&t[0], &t[1], &t[2], 0.1, wd, mom, omd, nesterov).unwrap(),
                |b| {
                    ops!(b, [x, g, buf]);
                    decay(g, x);
                    mul(buf, c(mom));
                    add(buf, c(omd), g);
                    if nesterov {
                        add(g, c(mom), buf);
                        add(x, c(-0.1), g);
                    } else {
                        add(x, c(-0.1), buf);
                    }
                },
            );
        }
        same_as_torch7::<T>(
            "nag",
            n,
            3,
            any,
            |t| nag(&t[0], &t[1], &t[2], 0.1, wd, 0.9).unwrap(),
            |b| {
                ops!(b, [x, g, buf]);
                decay(g, x);
                mul(buf, c(0.9));
                add(x, c(-0.1), g);
                add(buf, c(-0.1), g);
            },
        );
        same_as_torch7::<T>(
            "adagrad",
            n,
            4,
            |k, r| if k == 2 { r.abs() } else { r },
            |t| adagrad(&t[0], &t[1], &t[2], &t[3], 0.1, wd).unwrap(),
            |b| {
                ops!(b, [x, g, var, std]);
                decay(g, x);
                addcmul(var, T::ONE, g, g);
                std.copy_from_slice(var);
                sqrt(std);
                add_scalar(std, c(1e-10));
                addcdiv(x, c(-0.1), g, std);
            },
        );
        same_as_torch7::<T>(
            "adadelta",
            n,
            6,
            |k, r| if k == 2 || k == 5 { r.abs() } else { r },
            |t| adadelta(&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], 0.9, 1e-6, wd).unwrap(),
            |b| {
                ops!(b, [x, g, var, std, delta, acc]);
                decay(g, x);
                mul(var, c(0.9));
                addcmul(var, c(1.0 - 0.9), g, g);
                std.copy_from_slice(var);
                add_scalar(std, c(1e-6));
                sqrt(std);
                delta.copy_from_slice(acc);
                add_scalar(delta, c(1e-6));
                sqrt(delta);
                cdiv(delta, std);
                cmul(delta, g);
                add(x, -T::ONE, delta);
                mul(acc, c(0.9));
                addcmul(acc, c(1.0 - 0.9), delta, delta);
            },
        );
        same_as_torch7::<T>(
            "adam",
            n,
            5,
            |k, r| if k == 3 { r.abs() } else { r },
            |t| adam(&t[0], &t[1], &t[2], &t[3], &t[4], 0.01, 0.9, 0.999, 1e-8, wd).unwrap(),
            |b| {
                ops!(b, [x, g, m, v, denom]);
                decay(g, x);
                mul(m, c(0.9));
                add(m, c(1.0 - 0.9), g);
                mul(v, c(0.999));
                addcmul(v, c(1.0 - 0.999), g, g);
                denom.copy_from_slice(v);
                sqrt(denom);
                add_scalar(denom, c(1e-8));
                addcdiv(x, c(-0.01), m, denom);
            },
        );
        // u near |g|: the maximum takes either side
        same_as_torch7::<T>(
            "adamax",
            n,
            4,
            |k, r| if k == 3 { r.abs() + 1e-3 } else { r },
            |t| adamax(&t[0], &t[1], &t[2], &t[3], 0.02, 0.9, 0.999, 1e-38, wd).unwrap(),
            |b| {
                ops!(b, [x, g, m, u]);
                decay(g, x);
                mul(m, c(0.9));
                add(m, c(1.0 - 0.9), g);
                // u:max(max, 1) over the rows {u*b2, |g| + eps}: the first row on ties
                let mut row0 = u.clone();
                mul(&mut row0, c(0.999));
                let mut row1 = g.clone();
                abs(&mut row1);
                add_scalar(&mut row1, c(1e-38));
                for i in 0..u.len() {
                    u[i] = if row1[i] > row0[i] { row1[i] } else { row0[i] };
                }
                addcdiv(x, c(-0.02), m, u);
            },
        );
        same_as_torch7::<T>(
            "rmsprop",
            n,
            4,
            |k, r| if k == 2 { r.abs() } else { r },
            |t| rmsprop(&t[0], &t[1], &t[2], &t[3], 0.01, 0.99, 1e-8, wd).unwrap(),
            |b| {
                ops!(b, [x, g, m, tmp]);
                decay(g, x);
                mul(m, c(0.99));
                addcmul(m, c(1.0 - 0.99), g, g);
                tmp.copy_from_slice(m);
                sqrt(tmp);
                add_scalar(tmp, c(1e-8));
                addcdiv(x, c(-0.01), g, tmp);
            },
        );
    }
    // asgd: averaging (mu < 1) and plain copying (mu = 1)
    for mu in [0.3, 1.0] {
        same_as_torch7::<T>(
            "asgd",
            n,
            4,
            any,
            |t| asgd(&t[0], &t[1], &t[2], &t[3], 0.999, 0.05, mu).unwrap(),
            |b| {
                ops!(b, [x, g, ax, tmp]);
                mul(x, c(0.999));
                add(x, c(-0.05), g);
                if mu != 1.0 {
                    tmp.copy_from_slice(x);
                    add(tmp, -T::ONE, ax);
                    mul(tmp, c(mu));
                    add(ax, T::ONE, tmp);
                } else {
                    ax.copy_from_slice(x);
                }
            },
        );
    }
    // rprop: gradients and previous deltas with zeros (sign 0), step sizes that the factors push
    // past 50 and below 1e-6
    let zeros = |r: f64| if (r * 1e6) as i64 % 5 == 0 { 0.0 } else { r };
    same_as_torch7::<T>(
        "rprop",
        n,
        5,
        |k, r| match k {
            1 | 2 => zeros(r),
            3 => [45.0, 1.5e-6, 1.0, 0.3][((r + 1.0) * 2.0) as usize % 4] * (1.0 + r.abs() * 0.1),
            _ => r,
        },
        |t| rprop(&t[0], &t[1], &t[2], &t[3], &t[4], 1.2, 0.5, 50.0, 1e-6).unwrap(),
        |b| {
            ops!(b, [x, g, delta, steps, sgn]);
            sgn.copy_from_slice(g);
            cmul(sgn, delta);
            sign(sgn);
            let (pos, neg): (Vec<bool>, Vec<bool>) = sgn.iter().map(|&s| (s > T::ZERO, s < T::ZERO)).unzip();
            for i in 0..sgn.len() {
                sgn[i] = if pos[i] {
                    c(1.2)
                } else if neg[i] {
                    c(0.5)
                } else {
                    T::ONE
                };
            }
            cmul(steps, sgn);
            for s in steps.iter_mut() {
                if *s > c(50.0) {
                    *s = c(50.0);
                }
            }
            for s in steps.iter_mut() {
                if *s < c(1e-6) {
                    *s = c(1e-6);
                }
            }
            for i in 0..g.len() {
                if neg[i] {
                    g[i] = T::ZERO;
                }
            }
            sgn.copy_from_slice(g);
            sign(sgn);
            addcmul(x, -T::ONE, sgn, steps);
            delta.copy_from_slice(g);
        },
    );
}

#[test]
fn every_rule_option_and_type_equals_torch7s_tensor_ops_bit_for_bit() {
    // 1 and 37 elements: one chunk on the calling thread
    for n in [1, 37] {
        every_rule_matches_torch7s_tensor_ops::<f32>(n);
        every_rule_matches_torch7s_tensor_ops::<f64>(n);
    }
    // two grains and 5: split into grain-sized chunks over 3 threads (not under valgrind: slow)
    if !crate::cpu::under_valgrind() {
        parallel::set_num_threads(3);
        every_rule_matches_torch7s_tensor_ops::<f32>(2 * PARALLEL_GRAIN + 5);
        every_rule_matches_torch7s_tensor_ops::<f64>(2 * PARALLEL_GRAIN + 5);
    }
}

// ------------------------------------------------------------------- Torch7's recorded runs

/// fixtures/torch7/optim/NAME.json: Torch7's calls on the Rosenbrock function.
fn torch7_run(name: &str) -> serde_json::Value {
    let path = format!("{}/../../tests/fixtures/torch7/optim/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Replays Torch7's run `name` with the recorded gradients: `update(call, x, g)` applies the
/// rule; x after each call and the final state buffers must match Torch7's to 1e-13.
fn replay(name: &str, state: &[(&str, Tensor)], update: impl Fn(usize, &Tensor, &Tensor)) {
    let run = torch7_run(name);
    let close = |got: &[f64], want: &[f64], what: String| {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-13 * w.abs(), "{name} {what}: {got:?} vs Torch7's {want:?}");
        }
    };
    let x = t(&numbers(&run["x0"]));
    let evaluations = run["evaluations"].as_array().unwrap();
    for (k, call) in run["calls"].as_array().unwrap().iter().enumerate() {
        let g = t(&numbers(&evaluations[k]["grad"]));
        update(k, &x, &g);
        close(&x.to_vec::<f64>().unwrap(), &numbers(&call["x_after"]), format!("x after call {}", k + 1));
    }
    for (key, buf) in state {
        let want = numbers(&run["final_state"][*key]["data"]);
        close(&buf.to_vec::<f64>().unwrap(), &want, format!("final {key}"));
    }
}

#[test]
fn torch7s_recorded_rosenbrock_runs() {
    let z = || t(&[0.0, 0.0]);
    // sgd, learningRate 1e-3, momentum 0.9 (dampening 0.9): the first call copies the gradient
    let buf = z();
    replay("sgd", &[("dfdx", buf.clone())], |k, x, g| {
        if k == 0 {
            buf.copy_(g).unwrap();
            sgd(x, g, 1e-3, 0.0).unwrap();
        } else {
            sgd_momentum(x, g, &buf, 1e-3, 0.0, 0.9, 1.0 - 0.9, false).unwrap();
        }
    });
    let (m, v, denom) = (z(), z(), z());
    replay("adam", &[("m", m.clone()), ("v", v.clone()), ("denom", denom.clone())], |k, x, g| {
        let t = (k + 1) as i32;
        let step = 1e-3 * (1.0 - 0.999f64.powi(t)).sqrt() / (1.0 - 0.9f64.powi(t));
        adam(x, g, &m, &v, &denom, step, 0.9, 0.999, 1e-8, 0.0).unwrap();
    });
    let (var, std) = (z(), z());
    replay("adagrad", &[("paramVariance", var.clone()), ("paramStd", std.clone())], |_, x, g| {
        adagrad(x, g, &var, &std, 1e-3, 0.0).unwrap();
    });
    let (m, tmp) = (z(), z());
    replay("rmsprop", &[("m", m.clone()), ("tmp", tmp.clone())], |_, x, g| {
        rmsprop(x, g, &m, &tmp, 1e-2, 0.99, 1e-8, 0.0).unwrap();
    });
}
