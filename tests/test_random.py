"""Random numbers: Torch7's Mersenne Twister streams, tensor fills, RNG state, Generator
objects and per-thread default generators."""

import threading

import ferrotorch as torch
import numpy as np
import pytest


def entry(seq, name):
    return next(e for e in seq if e["name"] == name)["value"]


@pytest.fixture(params=["seed_123.json", "seed_1.json"])
def seed_fixture(request, load_fixture):
    return load_fixture("rng/" + request.param)


def test_uniform_sequence_matches_torch7(seed_fixture):
    torch.manualSeed(seed_fixture["seed"])
    want = entry(seed_fixture["sequence"], "uniform_x20")
    got = [torch.uniform() for _ in range(20)]
    assert all(isinstance(v, float) for v in got)
    assert got == want  # bit-exact


def test_initial_seed(seed_fixture):
    torch.manualSeed(seed_fixture["seed"])
    assert torch.initialSeed() == seed_fixture["initialSeed_after_manualSeed"]
    first = torch.uniform()
    assert torch.initialSeed() == seed_fixture["seed"]  # drawing does not change it
    assert first == entry(seed_fixture["sequence"], "uniform_x20")[0]


def test_tensor_uniform_fill_matches_scalar_stream(seed_fixture):
    want = entry(seed_fixture["sequence"], "uniform_x20")
    torch.manualSeed(seed_fixture["seed"])
    t = torch.DoubleTensor(4, 5).uniform()
    assert [v for row in t.tolist() for v in row] == want


def test_math_uniform_stream(load_fixture):
    fx = load_fixture("rng/math_uniform.json")
    torch.manualSeed(fx["seed"])
    seq = fx["sequence"]
    assert [torch.uniform() for _ in range(10)] == entry(seq, "uniform_1")
    assert [torch.uniform(-2, 3) for _ in range(5)] == entry(seq, "uniform_2")
    u3 = entry(seq, "uniform_3")
    assert torch.Tensor(4).uniform().tolist() == u3["data"]
    u4 = entry(seq, "uniform_4")
    assert np.ravel(torch.Tensor(2, 3).uniform(-1, 1).tolist()).tolist() == u4["data"]
    u5 = entry(seq, "uniform_5")
    f = torch.FloatTensor(4).uniform(0, 10)
    assert f.type() == "torch.FloatTensor"
    assert f.tolist() == u5["data"]


def test_uniform_ab_fixture(load_fixture):
    fx = load_fixture("rng/math_uniform.json")
    torch.manualSeed(fx["seed"])
    for _ in range(10):
        torch.uniform()
    vals = [torch.uniform(-2, 3) for _ in range(5)]
    assert all(-2 <= v < 3 for v in vals)


def test_fill_draws_in_row_major_order_on_transposed_view():
    torch.manualSeed(42)
    contiguous = torch.DoubleTensor(3, 5).uniform().tolist()
    torch.manualSeed(42)
    base = torch.DoubleTensor(5, 3).zero()
    view = base.t()
    assert not view.isContiguous()
    view.uniform()
    assert view.tolist() == contiguous
    assert base.tolist() == np.array(contiguous).T.tolist()


@pytest.mark.parametrize("make_view", [
    lambda b: b[::2],
    lambda b: b.narrow(1, 1, 3),
    lambda b: b.select(1, 2),
    lambda b: b.unsqueeze(0).transpose(0, 2),
])
def test_fill_row_major_on_strided_views(make_view):
    base = torch.DoubleTensor(6, 5).zero()
    view = make_view(base)
    n = view.nElement()
    torch.manualSeed(7)
    want = [torch.uniform() for _ in range(n)]
    torch.manualSeed(7)
    view.uniform()
    assert np.ravel(view.tolist()).tolist() == want
    assert sum(1 for v in np.ravel(base.tolist()) if v != 0) == n


def test_uniform_float_tensor_and_bounds():
    torch.manualSeed(3)
    t = torch.FloatTensor(1000).uniform(-1, 1)
    a = t.numpy()
    assert (a >= -1).all() and (a < 1).all()
    assert a.std() > 0.3
    d = torch.DoubleTensor(1000).uniform(5, 6).numpy()
    assert (d >= 5).all() and (d < 6).all()


def test_uniform_on_integer_tensors_truncates():
    torch.manualSeed(3)
    t = torch.LongTensor(200).uniform(0, 10)
    vals = t.tolist()
    assert all(isinstance(v, int) and 0 <= v < 10 for v in vals)
    assert len(set(vals)) > 5


def test_half_uniform_raises_type_error():
    with pytest.raises(TypeError, match="HalfTensor"):
        torch.HalfTensor(3).uniform()


def test_rng_state_replay():
    torch.manualSeed(99)
    torch.uniform()
    state = torch.getRNGState()
    assert isinstance(state, torch.ByteTensor)
    first = [torch.uniform() for _ in range(5)]
    t1 = torch.DoubleTensor(7).uniform().tolist()
    assert torch.setRNGState(state) is state
    assert [torch.uniform() for _ in range(5)] == first
    assert torch.DoubleTensor(7).uniform().tolist() == t1
    # the state is a copy: drawing does not change it
    again = torch.getRNGState()
    torch.setRNGState(state)
    assert torch.uniform() == first[0]
    assert again.tolist() != state.tolist()


def test_rng_state_keeps_initial_seed():
    torch.manualSeed(5)
    state = torch.getRNGState()
    torch.manualSeed(6)
    torch.setRNGState(state)
    assert torch.initialSeed() == 5


def test_set_rng_state_rejects_junk():
    with pytest.raises((ValueError, TypeError)):
        torch.setRNGState(torch.ByteTensor(3).zero())
    with pytest.raises(TypeError):
        torch.setRNGState("state")


def test_generator_objects_are_independent(load_fixture):
    want = entry(load_fixture("rng/seed_123.json")["sequence"], "uniform_x20")
    want1 = entry(load_fixture("rng/seed_1.json")["sequence"], "uniform_x20")
    g = torch.Generator()
    torch.manualSeed(g, 123)
    torch.manualSeed(1)
    got_g, got_default = [], []
    for _ in range(10):
        got_g.append(torch.uniform(g))
        got_default.append(torch.uniform())
    assert got_g == want[:10]
    assert got_default == want1[:10]
    assert torch.initialSeed(g) == 123
    assert torch.initialSeed() == 1
    t = torch.DoubleTensor(10).uniform(g)
    assert t.tolist() == want[10:20]
    assert torch.uniform() == want1[10]


def test_generator_uniform_bounds_and_state():
    g = torch.Generator()
    torch.manualSeed(g, 11)
    state = torch.getRNGState(g)
    a = [torch.uniform(g, -3, -2) for _ in range(5)]
    assert all(-3 <= v < -2 for v in a)
    torch.setRNGState(g, state)
    assert [torch.uniform(g, -3, -2) for _ in range(5)] == a
    t = torch.DoubleTensor(3).uniform(g, 10, 20)
    assert all(10 <= v < 20 for v in t.tolist())


def test_two_generators_with_same_seed_agree():
    g1, g2 = torch.Generator(), torch.Generator()
    torch.manualSeed(g1, 2024)
    torch.manualSeed(g2, 2024)
    assert [torch.uniform(g1) for _ in range(5)] == [torch.uniform(g2) for _ in range(5)]


def test_new_generators_are_seeded_differently():
    g1, g2 = torch.Generator(), torch.Generator()
    assert torch.uniform(g1) != torch.uniform(g2)


def test_seed_returns_and_sets_initial_seed():
    s = torch.seed()
    assert isinstance(s, int)
    assert torch.initialSeed() == s
    first = torch.uniform()
    torch.manualSeed(s)
    assert torch.uniform() == first


def test_manual_seed_bad_args():
    with pytest.raises(TypeError):
        torch.manualSeed()
    with pytest.raises(TypeError):
        torch.manualSeed("a")


def run_in_thread(fn):
    out = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - report anything to the main thread
            out["error"] = e

    th = threading.Thread(target=body)
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_threads_have_their_own_generators(load_fixture):
    want = entry(load_fixture("rng/seed_123.json")["sequence"], "uniform_x20")
    want1 = entry(load_fixture("rng/seed_1.json")["sequence"], "uniform_x20")
    torch.manualSeed(123)
    main_first = torch.uniform()
    assert main_first == want[0]
    thread_first = run_in_thread(torch.uniform)
    assert thread_first != want[1] and thread_first != want[0]
    # the thread's draw did not consume the main thread's stream
    assert torch.uniform() == want[1]

    def seeded():
        torch.manualSeed(1)
        return [torch.uniform() for _ in range(20)], torch.initialSeed()

    seq, init = run_in_thread(seeded)
    assert seq == want1 and init == 1
    assert torch.uniform() == want[2]
    assert torch.initialSeed() == 123


def test_thread_tensor_fill_uses_thread_generator(load_fixture):
    want1 = entry(load_fixture("rng/seed_1.json")["sequence"], "uniform_x20")

    def fill():
        torch.manualSeed(1)
        return torch.DoubleTensor(20).uniform().tolist()

    torch.manualSeed(123)
    assert run_in_thread(fill) == want1


def test_num_threads_setting_does_not_change_stream():
    old = torch.getnumthreads()
    try:
        results = []
        for n in (1, max(2, old)):
            torch.setnumthreads(n)
            assert torch.getnumthreads() == n
            torch.manualSeed(8)
            results.append(torch.DoubleTensor(100000).uniform().numpy()[-5:].tolist())
        assert results[0] == results[1]
    finally:
        torch.setnumthreads(old)


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["rng/seed_123.json", "rng/seed_1.json", "rng/math_uniform.json"]
