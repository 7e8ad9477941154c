"""Constructor defaults that no recorded Torch7 case observes (each found by scripts/mutate.py).

The zoo records Dropout in evaluate mode (randomness Python cannot replay), where p has no
effect, so a wrong default p passed every test (found by scripts/mutate.py). Torch7's
Dropout.lua: `self.p = p or 0.5`, and training scales kept elements by 1 / (1 - p).
"""

import math

import ferrotorch as torch
import numpy as np
from ferrotorch import nn


def test_dropout_default_p_is_one_half():
    m = nn.Dropout()
    assert m.p == 0.5
    assert str(m) == "nn.Dropout(0.500000)"
    torch.manualSeed(3)
    n = 20000
    x = torch.DoubleTensor(n).fill(3.0)
    y = m.forward(x).tolist()
    kept = [v for v in y if v != 0]
    assert set(kept) == {6.0}  # kept elements scaled by 1 / (1 - 0.5)
    # the kept fraction is 1 - p within five standard deviations
    assert abs(len(kept) / n - 0.5) < 5 * math.sqrt(0.25 / n)



def test_pairwise_distance_default_is_euclidean():
    # nn/PairwiseDistance.lua: `self.norm = p or 2 -- Default using Euclidean distance`; the zoo
    # record passes p explicitly, so only this test sees the default.
    a = np.array([[1.0, -2.0, 3.5], [0.25, 4.0, -1.0]])
    b = np.array([[-1.0, 0.5, 2.0], [2.0, -3.0, 0.0]])
    m = nn.PairwiseDistance()
    assert m.norm == 2
    got = m.forward([torch.DoubleTensor(a.tolist()), torch.DoubleTensor(b.tolist())])
    np.testing.assert_allclose(got.numpy(), np.linalg.norm(a - b, axis=1), rtol=1e-15)
