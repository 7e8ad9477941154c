#!/usr/bin/env python3
"""Mutation testing by hand-picked one-line bugs: does the test suite notice?

Each mutation below replaces one exact line fragment in an engine (Rust) or nn (Python) source
file with a plausible bug. For every mutation the script applies it, rebuilds the extension in
debug mode when a Rust file changed and a test file is named, runs the named test files (pytest
-x -q) and `rust:FILTER` entries (the engine's own Rust tests, `cargo test -p ferrotorch --lib
--profile mutants FILTER`), records CAUGHT (some test failed), MISSED (all passed) or
BUILD-FAILED, and restores the file (and, at the end, the extension). It is not part of CI: a
Rust mutant costs a debug build (minutes). The `rust:` mutations sit where `cargo mutants` does
not mutate: `unsafe fn` kernels and macro invocations such as the optim rules' `unswitch!` loops
(docs/ARCHITECTURE.md, "Mutations").

    python scripts/mutate.py                 # every mutation
    python scripts/mutate.py --list          # names only
    python scripts/mutate.py format_span     # the named ones
    python scripts/mutate.py --python-only   # only the ones that need no build

Environment: CARGO_TARGET_DIR (the debug build's target dir; default target/), PYTHON (the
interpreter with pytest and numpy; default this one). Run from anywhere inside the repository.
A MISSED mutant that changes behaviour is a missing test: add one, then rerun that mutant.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SO = ROOT / "python" / "ferrotorch" / "_C.abi3.so"


@dataclass
class Mutation:
    name: str
    path: str  # relative to ROOT
    old: str  # must occur exactly once in the file
    new: str
    tests: tuple  # test files (relative to ROOT) that should catch it
    what: str


M = Mutation
OPTIM_TESTS = ("tests/test_optim_torch7.py", "tests/test_optim_reference.py", "tests/test_optim_talk.py")
MUTATIONS = [
    # ---------------------------------------------------------------- printing (format.rs)
    M("format_span", "rust/ferrotorch/src/format.rs",
      "if exp_max - exp_min > 4.0 {", "if exp_max - exp_min >= 4.0 {",
      ("tests/test_printing.py", "tests/test_printing_boundaries.py"),
      "scientific format one decade early"),
    M("format_scale", "rust/ferrotorch/src/format.rs",
      "} else if !(0.0..=5.0).contains(&exp_max) {", "} else if !(0.0..=4.0).contains(&exp_max) {",
      ("tests/test_printing.py", "tests/test_printing_boundaries.py"),
      "scaled %7.4f from expMax 5 instead of 6"),
    M("format_width12", "rust/ferrotorch/src/format.rs",
      "exp_max.abs() > 99.0 || exp_min.abs() > 99.0", "exp_max.abs() > 100.0 || exp_min.abs() > 100.0",
      ("tests/test_printing.py", "tests/test_printing_boundaries.py"),
      "three-digit exponents keep width 11"),
    M("format_int_digits", "rust/ferrotorch/src/format.rs",
      "        if exp_max > 9.0 {", "        if exp_max > 10.0 {",
      ("tests/test_printing.py", "tests/test_printing_boundaries.py"),
      "10-digit integers stay %Wd"),
    M("format_columns", "rust/ferrotorch/src/format.rs",
      "(80usize.saturating_sub(indent.len()) / (width + 1))",
      "(80usize.saturating_sub(indent.len()) / width)",
      ("tests/test_printing.py", "tests/test_printing_boundaries.py"),
      "columns per block without the separator"),
    # ---------------------------------------------------------------- BLAS-like (blas.rs)
    M("gemm_beta0_reads", "rust/ferrotorch/src/cpu/blas.rs",
      "let prev = if beta == T::zero() { T::zero() } else { beta.mul(unsafe { *d }) };",
      "let prev = beta.mul(unsafe { *d });",
      ("tests/test_blas_beta_alpha.py",), "small products read C when beta = 0 (NaN leaks)"),
    M("gemv_beta0_reads", "rust/ferrotorch/src/cpu/blas.rs",
      "let prev = if beta == T::zero() { T::zero() } else { beta * *d };",
      "let prev = beta * *d;",
      ("tests/test_blas_beta_alpha.py",), "mv kernel reads y when beta = 0 (NaN leaks)"),
    # ---------------------------------------------------------------- scans and element-wise
    M("scan_block_reset", "rust/ferrotorch/src/cpu/reduce.rs",
      "                accs.fill(f.init());\n", "",
      ("tests/test_blocked_kernels.py",),
      "cumsum/cumprod along an outer dim carry totals across 2048-column blocks"),
    M("frac_floor", "rust/ferrotorch/src/ops/pointwise.rs",
      "Unary::Frac => x - x.trunc(),", "Unary::Frac => x - x.floor(),",
      ("tests/test_property_per_function.py",), "frac of negative numbers"),
    # ------------------------------------- unsafe kernels, against the Rust tests (rust:FILTER)
    M("take_outer_offset", "rust/ferrotorch/src/cpu/index.rs",
      "*src.at(base + idx[j] as usize * stride_dim)", "*src.at(idx[j] as usize * stride_dim)",
      ("rust:cpu::index",), "a 1-D take ignores the outer and inner offset"),
    M("gather_inner_stride", "rust/ferrotorch/src/cpu/index.rs",
      "*r.at(o0 + i * st[0]) = *s.at(o2 + i * st[2] + k * stride_dim);",
      "*r.at(o0 + i * st[0]) = *s.at(o2 + k * stride_dim);",
      ("rust:cpu::index",), "gather reads every run's source at its first element"),
    M("scatter_src_stride", "rust/ferrotorch/src/cpu/index.rs",
      "*dst.add(o0 + i * st[0] + k * stride_dim) = *src.add(o2 + i * st[2]);",
      "*dst.add(o0 + i * st[0] + k * stride_dim) = *src.add(o2);",
      ("rust:cpu::index",), "scatter writes every run's first source value"),
    M("masked_select_chunk_start", "rust/ferrotorch/src/cpu/index.rs",
      "for_each(|c| run_chunk(c, starts[c]))", "for_each(|c| run_chunk(c, 0))",
      ("rust:cpu::index",), "parallel maskedSelect chunks all write from the start"),
    M("masked_fill_strided", "rust/ferrotorch/src/cpu/index.rs",
      "*d.at(o0 + i * st[0]) = value;", "*d.at(o0 + i) = value;",
      ("rust:cpu::index",), "strided maskedFill writes contiguously"),
    M("index_add_source_row", "rust/ferrotorch/src/cpu/index.rs",
      "let s = so + j * src.stride_dim;", "let s = so + k as usize * src.stride_dim;",
      ("rust:cpu::index",), "indexCopy / indexAdd read the source at the index, not its position"),
    M("reduce_slice_length", "rust/ferrotorch/src/cpu/reduce.rs",
      "std::slice::from_raw_parts(xp.at(base), n) }, 0)",
      "std::slice::from_raw_parts(xp.at(base), n.saturating_sub(1)) }, 0)",
      ("rust:cpu::reduce",), "contiguous slices drop their last element"),
    M("scan_interleaved_stride", "rust/ferrotorch/src/cpu/reduce.rs",
      "acc[j] = f.step(acc[j], xp.at(bx[j] + k * xs).read(), k);",
      "acc[j] = f.step(acc[j], xp.at(bx[j] + k).read(), k);",
      ("rust:cpu::reduce",), "interleaved scans ignore the dim's stride"),
    M("reduce_all_run_position", "rust/ferrotorch/src/cpu/reduce.rs",
      "acc = f.slice(acc, s, k);", "acc = f.slice(acc, s, 0);",
      ("rust:cpu::reduce",), "full reductions number every run from 0 (max/min index)"),
    M("band_combine_order", "rust/ferrotorch/src/cpu/reduce.rs",
      "*a = f.combine(*a, b);", "*a = f.combine(b, *a);",
      ("rust:cpu::reduce",), "bands of the reduced dim combine last first (ties take a later index)"),
    M("dist_difference", "rust/ferrotorch/src/cpu/reduce.rs",
      "acc += norm.term(a.to_f64() - b.to_f64());", "acc += norm.term(a.to_f64() + b.to_f64());",
      ("rust:cpu::reduce",), "dist sums |x + y|"),
    M("scan_block_reset_rust", "rust/ferrotorch/src/cpu/reduce.rs",
      "                accs.fill(f.init());\n", "",
      ("rust:cpu::reduce",), "row-buffer scans carry totals into the next column block"),
    # ------------------- the optim rules' loops (inside `unswitch!`, which cargo mutants skips)
    M("optim_unswitch_flag", "rust/ferrotorch/src/optim.rs",
      "            let $flag = true;", "            let $flag = false;",
      ("rust:optim::",), "weight decay and nesterov never taken (both loop copies without the flag)"),
    M("sgd_dampening_swapped", "rust/ferrotorch/src/optim.rs",
      "let bi = buf[i] * mom + omd * gi;", "let bi = buf[i] * omd + mom * gi;",
      ("rust:optim::",), "sgd momentum and 1 - dampening swapped"),
    M("sgd_nesterov_lookahead", "rust/ferrotorch/src/optim.rs",
      "g[i] = gi + mom * bi;", "g[i] = gi + mom * gi;",
      ("rust:optim::",), "nesterov's look-ahead from the gradient, not the buffer"),
    M("nag_buffer_sign", "rust/ferrotorch/src/optim.rs",
      "buf[i] = buf[i] * mom + step * gi;", "buf[i] = buf[i] * mom - step * gi;",
      ("rust:optim::",), "nag's buffer moves against the step"),
    M("asgd_tmp_unwritten", "rust/ferrotorch/src/optim.rs",
      "                    tmp[i] = t;\n", "",
      ("rust:optim::",), "asgd leaves its tmp buffer unwritten"),
    M("adagrad_eps_inside_sqrt", "rust/ferrotorch/src/optim.rs",
      "let s = v.sqrt() + eps;", "let s = (v + eps).sqrt();",
      ("rust:optim::",), "adagrad adds 1e-10 under the square root"),
    M("adadelta_acc_from_gradient", "rust/ferrotorch/src/optim.rs",
      "acc[i] = acc[i] * rho_t + one_minus_rho * d * d;", "acc[i] = acc[i] * rho_t + one_minus_rho * gi * gi;",
      ("rust:optim::",), "adadelta accumulates squared gradients, not squared steps"),
    M("adam_second_moment_beta", "rust/ferrotorch/src/optim.rs",
      "let vi = v[i] * b2 + c2 * gi * gi;", "let vi = v[i] * b2 + c1 * gi * gi;",
      ("rust:optim::",), "adam's second moment weighted by 1 - beta1"),
    M("adam_eps_inside_sqrt", "rust/ferrotorch/src/optim.rs",
      "let d = vi.sqrt() + eps;", "let d = (vi + eps).sqrt();",
      ("rust:optim::",), "adam adds epsilon under the square root"),
    M("adamax_signed_gradient", "rust/ferrotorch/src/optim.rs",
      "let (a, c) = (u[i] * b2, gi.abs() + eps);", "let (a, c) = (u[i] * b2, gi + eps);",
      ("rust:optim::",), "adamax's maximum takes the signed gradient"),
    M("rmsprop_first_moment", "rust/ferrotorch/src/optim.rs",
      "let mi = m[i] * a + c * gi * gi;", "let mi = m[i] * a + c * gi;",
      ("rust:optim::",), "rmsprop averages gradients, not their squares"),
    # ---------------------------------------------------------------- nn (Python, no build)
    M("leakyrelu_default", "python/ferrotorch/nn/transfer.py",
      "self.negval = 1 / 100 if negval is None else negval",
      "self.negval = 1 / 10 if negval is None else negval",
      ("tests/test_nn_transfer.py",), "LeakyReLU's default slope"),
    M("relu6_bound", "python/ferrotorch/nn/transfer.py",
      "_f(input, self.output, 0, 6, self.inplace)", "_f(input, self.output, 0, 5, self.inplace)",
      ("tests/test_nn_transfer.py", "tests/test_nn_thresholds.py"), "ReLU6's upper bound"),
    M("mse_size_average", "python/ferrotorch/nn/criterions.py",
      "        self.sizeAverage = _size_average(sizeAverage)\n\n\nclass WeightedMSECriterion",
      "        self.sizeAverage = not _size_average(sizeAverage)\n\n\nclass WeightedMSECriterion",
      ("tests/test_nn_criterions.py",), "MSECriterion's sizeAverage inverted"),
    M("batchnorm_eps", "python/ferrotorch/nn/misc.py",
      "def __init__(self, nOutput, eps=1e-5, momentum=0.1, affine=True):",
      "def __init__(self, nOutput, eps=1e-3, momentum=0.1, affine=True):",
      ("tests/test_nn_misc.py",), "BatchNormalization's default eps"),
    M("batchnorm_momentum", "python/ferrotorch/nn/misc.py",
      "def __init__(self, nOutput, eps=1e-5, momentum=0.1, affine=True):",
      "def __init__(self, nOutput, eps=1e-5, momentum=0.2, affine=True):",
      ("tests/test_nn_misc.py",), "BatchNormalization's default momentum"),
    M("dropout_default_p", "python/ferrotorch/nn/misc.py",
      "def __init__(self, p=0.5, v1=False, inplace=False, stochasticInference=False):",
      "def __init__(self, p=0.4, v1=False, inplace=False, stochasticInference=False):",
      ("tests/test_nn_misc.py", "tests/test_nn_defaults.py"), "Dropout's default p"),
    M("nll_ignore_index", "python/ferrotorch/nn/criterions.py",
      "def __init__(self, weights=None, sizeAverage=True, ignoreIndex=-100):",
      "def __init__(self, weights=None, sizeAverage=True, ignoreIndex=0):",
      ("tests/test_nn_criterions.py",), "ClassNLLCriterion ignores class 0 by default"),
    M("pairwise_default_p", "python/ferrotorch/nn/table.py",
      "    def __init__(self, p=2):\n        super().__init__()\n        self.gradInput = []",
      "    def __init__(self, p=1):\n        super().__init__()\n        self.gradInput = []",
      ("tests/test_nn_table.py", "tests/test_nn_defaults.py"), "PairwiseDistance's default norm"),
    M("multimargin_margin", "python/ferrotorch/nn/criterions.py",
      "def __init__(self, p=1, weights=None, margin=1):",
      "def __init__(self, p=1, weights=None, margin=2):",
      ("tests/test_nn_criterions.py",), "MultiMarginCriterion's default margin"),
    # ---------------------------------------------------------------- optim (Python, no build)
    M("adam_beta2", "python/ferrotorch/optim/adam.py",
      'beta2 = opt(config, "beta2", 0.999)\n    epsilon = opt(config, "epsilon", 1e-8)',
      'beta2 = opt(config, "beta2", 0.99)\n    epsilon = opt(config, "epsilon", 1e-8)',
      OPTIM_TESTS, "adam's default beta2"),
    M("adamax_epsilon", "python/ferrotorch/optim/adam.py",
      'epsilon = opt(config, "epsilon", 1e-38)', 'epsilon = opt(config, "epsilon", 1e-8)',
      OPTIM_TESTS, "adamax's default epsilon"),
    M("sgd_dampening", "python/ferrotorch/optim/sgd.py",
      'damp = opt(config, "dampening", mom)', 'damp = opt(config, "dampening", 0)',
      OPTIM_TESTS, "sgd's dampening defaults to the momentum"),
    M("nag_momentum", "python/ferrotorch/optim/nag.py",
      'mom = opt(config, "momentum", 0.9)', 'mom = opt(config, "momentum", 0.8)',
      OPTIM_TESTS, "nag's default momentum"),
    M("rmsprop_alpha", "python/ferrotorch/optim/rmsprop.py",
      'alpha = opt(config, "alpha", 0.99)', 'alpha = opt(config, "alpha", 0.9)',
      OPTIM_TESTS, "rmsprop's default alpha"),
    M("adagrad_epsilon", "python/ferrotorch/optim/adagrad.py",
      "x.addcdiv(-clr, dfdx, std.add(1e-10))", "x.addcdiv(-clr, dfdx, std.add(1e-8))",
      OPTIM_TESTS, "adagrad's fixed epsilon (non-fused path)"),
    # ------------------------------------------- spatial nn, .t7, image, demo (Python, no build)
    M("conv_padh_default", "python/ferrotorch/nn/conv.py",
      """        self.padW = padW
        self.padH = padW if padH is None else padH
        self.weight = torch.Tensor(*self._weight_size())""",
      """        self.padW = padW
        self.padH = 0 if padH is None else padH
        self.weight = torch.Tensor(*self._weight_size())""",
      ("tests/test_nn_conv.py",), "SpatialConvolution's padH defaults to 0, not padW"),
    M("avgpool_stride_default", "python/ferrotorch/nn/pooling.py",
      """dW=1, dH=1, padW=0, padH=0):
        super().__init__()
        self.kW, self.kH = kW, kH
        self.dW, self.dH = dW or 1, dH or 1""",
      """dW=None, dH=None, padW=0, padH=0):
        super().__init__()
        self.kW, self.kH = kW, kH
        self.dW, self.dH = dW or kW, dH or kH""",
      ("tests/test_nn_pooling.py",), "SpatialAveragePooling's stride defaults to the kernel"),
    M("t7_index_shift", "python/ferrotorch/serialization.py",
      "v = v.clone().add(-1)", "v = v.clone()",
      ("tests/test_serialization_fixtures.py",), "1-based index tensors (connTable, indices) load unshifted"),
    M("t7_volumetric_dilation", "python/ferrotorch/serialization.py",
      '.bitand(255).mul(fields.get(f"dilation{d}", 1))', ".bitand(255)",
      ("tests/test_serialization.py",), "packed volumetric max offsets ignore the dilation"),
    M("gaussian_sigma_default", "python/ferrotorch/image/kernels.py",
      '{"size": 3, "sigma": 0.25, "amplitude": 1, "normalize": False, "mean_horz": 0.5,',
      '{"size": 3, "sigma": 0.2, "amplitude": 1, "normalize": False, "mean_horz": 0.5,',
      ("tests/test_image_kernels.py",), "image.gaussian's default sigma"),
    M("demo_jitter_background", "python/ferrotorch/demo/data.py",
      "x.copy(image.translate(x.add(-background), dx, dy).add(background))",
      "x.copy(image.translate(x, dx, dy))",
      ("tests/test_demo.py",), "shifted demo images fill with 0 instead of the background"),
]

def _run(cmd, **kw):
    return subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, **kw)


def build():
    env = dict(os.environ)
    r = _run(["cargo", "build", "-p", "ferrotorch-py", "--features", "pyo3/extension-module"],
             env=env)
    if r.returncode != 0:
        return False
    target = Path(env.get("CARGO_TARGET_DIR", ROOT / "target"))
    shutil.copy(target / "debug" / "libferrotorch_py.so", SO)
    return True


def run_tests(tests):
    """(exit code: 0 all passed, 1 a test failed, other an error; last line of output)."""
    filters = [t.removeprefix("rust:") for t in tests if t.startswith("rust:")]
    files = [t for t in tests if not t.startswith("rust:")]
    if filters:
        r = _run(["cargo", "test", "-q", "-p", "ferrotorch", "--lib", "--profile", "mutants", "--", *filters])
        if "error[" in r.stderr or "could not compile" in r.stderr:
            return 2, ["the Rust tests did not build"]
        if r.returncode != 0 or not files:
            lines = [x for x in r.stdout.splitlines() if x.startswith("test result")]
            return (1 if r.returncode != 0 else 0), lines[-1:] or [""]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    python = os.environ.get("PYTHON", sys.executable)
    r = _run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *files], env=env)
    return r.returncode, r.stdout.strip().splitlines()[-1:] or [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--python-only", action="store_true")
    args = ap.parse_args()
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    if args.python_only:
        chosen = [m for m in chosen if m.path.endswith(".py")]
    if args.list:
        for m in chosen:
            print(f"{m.name:22} {m.path}: {m.what}")
        return 0
    saved_so = SO.read_bytes() if SO.exists() else None
    rust_changed = False
    results = []
    try:
        for m in chosen:
            path = ROOT / m.path
            original = path.read_text()
            assert original.count(m.old) == 1, f"{m.name}: the fragment must occur once in {m.path}"
            path.write_text(original.replace(m.old, m.new))
            start = time.time()
            try:
                if m.path.endswith(".rs") and not all(t.startswith("rust:") for t in m.tests):
                    rust_changed = True
                    if not build():
                        results.append((m, "BUILD-FAILED", ""))
                        continue
                code, tail = run_tests(m.tests)
                verdict = "CAUGHT" if code == 1 else "MISSED" if code == 0 else f"ERROR({code})"
                results.append((m, verdict, tail[0]))
            finally:
                path.write_text(original)
            print(f"{m.name:22} {results[-1][1]:12} {time.time() - start:6.0f}s  {results[-1][2]}",
                  flush=True)
    finally:
        if rust_changed and saved_so is not None:
            SO.write_bytes(saved_so)  # the unmutated extension back
    caught = sum(1 for _, v, _ in results if v == "CAUGHT")
    missed = [m.name for m, v, _ in results if v == "MISSED"]
    print(f"\n{caught} caught, {len(missed)} missed of {len(results)}: missed {missed}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
