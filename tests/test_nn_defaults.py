"""Constructor defaults that no recorded Torch7 case observes.

The zoo records Dropout in evaluate mode (randomness Python cannot replay), where p has no
effect, so a wrong default p passed every test (found by scripts/mutate.py). Torch7's
Dropout.lua: `self.p = p or 0.5`, and training scales kept elements by 1 / (1 - p).
"""

import math

import ferrotorch as torch
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

