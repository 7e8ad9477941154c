"""Transfer functions with a threshold, at and around each threshold, against PyTorch.

Random inputs rarely land near a module's constants (ReLU6's 6, HardTanh's bounds, Threshold's
th, the shrink lambdas), so a wrong constant can pass every other test (the mutation run found
ReLU6's upper bound unchecked). Each module here gets inputs at every threshold t and at t ± 0.5
and t ± 1e-9, far outside, and zero, forward and backward, checked against PyTorch.
"""

import ferrotorch as torch
import pytest
from ferrotorch import nn


def _around(*ts):
    xs = [0.0, -100.0, 100.0]
    for t in ts:
        xs += [t, t - 0.5, t + 0.5, t - 1e-9, t + 1e-9]
    return xs


CASES = {
    "ReLU": (lambda: nn.ReLU(), lambda F, x: F.relu(x), (0.0,)),
    "ReLU6": (lambda: nn.ReLU6(), lambda F, x: F.relu6(x), (0.0, 6.0)),
    "HardTanh": (lambda: nn.HardTanh(-0.5, 2), lambda F, x: F.hardtanh(x, -0.5, 2), (-0.5, 2.0)),
    "HardTanh_default": (lambda: nn.HardTanh(), lambda F, x: F.hardtanh(x), (-1.0, 1.0)),
    "Threshold": (lambda: nn.Threshold(0.3, -2), lambda F, x: F.threshold(x, 0.3, -2), (0.3,)),
    "HardShrink": (lambda: nn.HardShrink(0.4), lambda F, x: F.hardshrink(x, 0.4), (-0.4, 0.4)),
    "HardShrink_default": (lambda: nn.HardShrink(), lambda F, x: F.hardshrink(x, 0.5),
                           (-0.5, 0.5)),
    "SoftShrink": (lambda: nn.SoftShrink(0.4), lambda F, x: F.softshrink(x, 0.4), (-0.4, 0.4)),
    "SoftShrink_default": (lambda: nn.SoftShrink(), lambda F, x: F.softshrink(x, 0.5),
                           (-0.5, 0.5)),
    "LeakyReLU_default": (lambda: nn.LeakyReLU(), lambda F, x: F.leaky_relu(x, 0.01), (0.0,)),
    "ELU_default": (lambda: nn.ELU(), lambda F, x: F.elu(x, 1.0), (0.0,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_at_and_around_the_thresholds(name):
    pt = pytest.importorskip("torch")
    make, ref, ts = CASES[name]
    xs = _around(*ts)
    x = torch.DoubleTensor(xs)
    g = torch.DoubleTensor([1.0 + 0.1 * i for i in range(len(xs))])
    px = pt.tensor(xs, dtype=pt.float64, requires_grad=True)
    py = ref(pt.nn.functional, px)
    py.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    m = make()
    assert m.forward(x).tolist() == pytest.approx(py.tolist(), rel=1e-15, abs=1e-15), xs
    got = m.backward(x, g).tolist()
    want = px.grad.tolist()
    # At exactly the threshold Torch7 and PyTorch may pick different one-sided derivatives;
    # everywhere else the gradients must agree. (abs 1e-15: Torch7's ELU is exp(x) - 1, not
    # expm1, as PyTorch's; near 0 they differ by rounding only.)
    for xi, gi, wi in zip(xs, got, want):
        if xi not in ts:
            assert gi == pytest.approx(wi, rel=1e-15, abs=1e-15), (name, xi, gi, wi)
