"""The generator-state functions against Torch7's recordings (rng/math_{initialSeed,manualSeed,
getRNGState,setRNGState}.json): the state bytes are Torch7's THGenerator struct byte for byte, a
recorded state loaded with setRNGState continues Torch7's stream, and the draws after each call
are Torch7's."""

import ferrotorch as torch
import pytest

NAMES = ["math_initialSeed", "math_manualSeed", "math_getRNGState", "math_setRNGState"]
TORCH7_FIXTURES = [f"rng/{n}.json" for n in NAMES]


def _draw(call):
    """'3 x torch.uniform()' -> three draws of torch.uniform()."""
    count, expr = call.split(" x ", 1)
    fn = getattr(torch, expr.split("torch.")[1].split("(")[0])
    return [fn() for _ in range(int(count))]


def _state_bytes(spec):
    assert spec["type"] == "torch.ByteTensor"
    return spec["data"]


@pytest.mark.parametrize("name", NAMES)
def test_recorded_sequence(name, load_fixture):
    data = load_fixture(f"rng/{name}.json")
    torch.manualSeed(data["seed"])
    assert torch.initialSeed() == data["initialSeed_after_manualSeed"]
    for step in data["sequence"]:
        call, want = step["call"].split("--")[0].strip(), step["value"]
        if " x " in call:
            assert _draw(call) == want  # exact: the same IEEE numbers / integers
        elif call == "torch.initialSeed()":
            assert torch.initialSeed() == want
        elif call == "torch.getRNGState()":
            assert torch.getRNGState().tolist() == _state_bytes(want)
        elif call == "torch.setRNGState(torch.getRNGState())":
            got = torch.setRNGState(torch.getRNGState())
            assert got.tolist() == _state_bytes(want)
        else:
            raise AssertionError(f"untranslated call {call!r}")


def test_recorded_state_continues_torch7s_stream(load_fixture):
    """Torch7's saved state bytes, loaded into our generator after a different seed, give the
    draws Torch7 made after that state."""
    data = load_fixture("rng/math_setRNGState.json")
    state_step, draws_step = data["sequence"][0], data["sequence"][1]
    torch.manualSeed(1)
    torch.rand(17)  # move far away from the recorded state first
    torch.setRNGState(torch.ByteTensor(_state_bytes(state_step["value"])))
    assert _draw(draws_step["call"]) == draws_step["value"]
    assert torch.initialSeed() == data["seed"]
