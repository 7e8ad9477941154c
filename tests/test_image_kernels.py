"""image.gaussian, image.gaussian1D, image.laplacian against Torch7's recorded kernels (every
call of fixtures image/*.json, positional and table forms) and against numpy formulas."""

import json
import math
import re

import numpy as np
import pytest
from conftest import FIXTURES
from ferrotorch import image
from nn_testing import assert_close, value


def _calls(name):
    with open(FIXTURES / "image" / f"{name}.json") as f:
        return [(c["call"], c["output"]) for c in json.load(f)["calls"]]


def _python_call(lua):
    """A Lua call of the recording (`image.gaussian{size=7, normalize=true}`) as Python."""
    code = lua.replace("true", "True").replace("false", "False")
    code = re.sub(r"\{(.*)\}", r"(dict(\1))", code)
    return eval(code, {"image": image})


KERNELS = ("gaussian", "gaussian1D", "laplacian")
TORCH7_FIXTURES = [f"image/{n}.json" for n in KERNELS]
CALLS = [c for name in KERNELS for c in _calls(name)]


@pytest.mark.parametrize("call,expected", CALLS, ids=[c for c, _ in CALLS])
def test_torch7_recorded_kernels(call, expected):
    assert_close(_python_call(call), value(expected), 1e-14, call)


def test_gaussian_matches_the_formula():
    h, w, sh, sv, mh, mv, amp = 5, 7, 0.3, 0.2, 0.4, 0.6, 2.5
    g = image.gaussian(amplitude=amp, width=w, height=h, sigma_horz=sh, sigma_vert=sv,
                       mean_horz=mh, mean_vert=mv)
    v, u = np.mgrid[0:h, 0:w]
    du = (u + 1 - (mh * w + 0.5)) / (sh * w)
    dv = (v + 1 - (mv * h + 0.5)) / (sv * h)
    np.testing.assert_allclose(np.array(g.tolist()), amp * np.exp(-0.5 * (du ** 2 + dv ** 2)),
                               rtol=1e-14)


def test_normalized_kernels_sum_to_one():
    assert abs(image.gaussian(9, 0.3, 4, True).sum() - 1) < 1e-14
    assert abs(image.gaussian1D(9, normalize=True).sum() - 1) < 1e-14
    assert abs(image.laplacian(5, 0.25, 1, True).sum() - 1) < 1e-12


def test_gaussian1d_is_the_gaussian_profile():
    # a size x 1 gaussian's column is gaussian1D with the same parameters
    g2 = image.gaussian(width=1, height=7, sigma_vert=0.3)
    g1 = image.gaussian1D(7, 0.3)
    assert_close(g2.view(7), g1, 1e-14)


def test_laplacian_centre_and_formula():
    k = image.laplacian(5, 0.2)
    x = (np.arange(1, 6) - 3) / (0.2 * 5)
    r = (x[:, None] ** 2 + x[None, :] ** 2) / 2
    np.testing.assert_allclose(np.array(k.tolist()), (1 - r) * np.exp(-r), rtol=1e-14)
    assert k[2][2] == 1.0


def test_into_a_given_tensor():
    import ferrotorch as torch

    t = torch.Tensor(3, 5)
    out = image.gaussian(tensor=t)
    assert out is t and list(t.size()) == [3, 5]
    assert_close(t, image.gaussian(width=5, height=3), 0)
    t1 = torch.Tensor(4)
    assert image.gaussian1D(tensor=t1) is t1
    assert abs(t1[0] - math.exp(-(((1 - 2.5) / 1.0) ** 2) / 2)) < 1e-15


def test_bad_arguments():
    import ferrotorch as torch

    with pytest.raises(TypeError, match="image.gaussian.*unknown argument 'sigmax'"):
        image.gaussian(sigmax=3)
    with pytest.raises(ValueError, match="2D tensor"):
        image.gaussian(tensor=torch.Tensor(3))
    with pytest.raises(TypeError, match="at most"):
        image.gaussian1D(1, 2, 3, 4, 5, 6, 7)
