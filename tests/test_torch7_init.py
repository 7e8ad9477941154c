"""Torch7's initialisation, bit for bit (fixtures init/, recorded from Lua Torch7).

Every record is ``torch.manualSeed(1); m = nn.X(...)`` in Lua: the parameters and buffers it
built, its printed text, and ``torch.randn(3)``, ``torch.rand(2)`` drawn right after, which
pin how much of the random stream the constructor consumed. We replay each one (the
parameters compare exactly: they are the same IEEE draws). dropout.json replays Dropout,
SpatialDropout and RReLU masks drawn in training mode, with the stream continuing through all
of them. reset(stdv) is checked against Torch7's reset formulas (from nn's Lua sources) drawn
from the same seeded generator.
"""

import json
import math
import re

import ferrotorch as torch
import pytest
from conftest import FIXTURES
from ferrotorch import nn
from nn_testing import assert_close, check_init_record, init_record, value

INIT = FIXTURES / "init"
RECORDS = sorted(p.stem for p in INIT.glob("*.json") if p.stem != "dropout")


def _need_class(name):
    """Skip while nn.<name> is not on this branch (the spatial classes land separately)."""
    if f"nn.{name}" not in nn.REGISTRY:
        pytest.skip(f"nn.{name} not implemented on this branch")
    return nn.REGISTRY[f"nn.{name}"]


def _need(path):
    """ferrotorch.<path> (e.g. 'image.gaussian', 'nn.tables.random'), or skip."""
    obj = torch
    for part in path.split("."):
        if part == "image" and obj is torch:
            try:
                from ferrotorch import image as obj
            except ImportError:
                pytest.skip("ferrotorch.image not implemented on this branch")
            continue
        if not hasattr(obj, part):
            pytest.skip(f"{path} not implemented on this branch")
        obj = getattr(obj, part)
    return obj


# The Lua expressions the records pass as constructor arguments, as Python (0-based tables).
LUA_CALL = re.compile(r"^([\w.]+)\(([\d,\s]*)\)$")


def _lua_arg(arg):
    """A constructor argument of a record: a number, or a {'lua': 'f(1,2)'} call of a Torch7
    function (nn.Linear, nn.tables.full / random, image.gaussian) evaluated here."""
    if not isinstance(arg, dict):
        return arg
    match = LUA_CALL.match(arg["lua"])
    assert match, f"unexpected Lua argument {arg['lua']!r}"
    fname, args = match.groups()
    numbers = [int(a) for a in args.split(",") if a.strip()]
    if fname.startswith("nn.") and fname.count(".") == 1:
        return _need_class(fname[3:])(*numbers)
    return _need(fname)(*numbers)


def _convnet():
    """The talk's convnet, as the record's recipe builds it."""
    for name in ("SpatialConvolution", "SpatialMaxPooling", "SpatialContrastiveNormalization"):
        _need_class(name)
    gaussian = _need("image.gaussian")
    return (nn.Sequential()
            .add(nn.SpatialConvolution(3, 16, 5, 5)).add(nn.Tanh())
            .add(nn.SpatialMaxPooling(2, 2, 2, 2))
            .add(nn.SpatialContrastiveNormalization(16, gaussian(3)))
            .add(nn.SpatialConvolution(16, 64, 5, 5)).add(nn.Tanh())
            .add(nn.SpatialMaxPooling(2, 2, 2, 2))
            .add(nn.SpatialContrastiveNormalization(64, gaussian(3)))
            .add(nn.SpatialConvolution(64, 256, 5, 5)).add(nn.Tanh())
            .add(nn.Reshape(256)).add(nn.Linear(256, 10)).add(nn.LogSoftMax()))


def _builder(name, record):
    """A function constructing the record's module (called right after the seed)."""
    if name == "Sequential_mlp":
        return lambda: (nn.Sequential().add(nn.Linear(10, 20)).add(nn.Tanh())
                        .add(nn.Linear(20, 3)))
    if name == "convnet":
        return _convnet
    cls = _need_class(record["class"].split(".", 1)[1])
    # Evaluated after the seed, in argument order, as Lua did (nn.tables.random and
    # nn.Linear draw from the generator before the outer constructor runs).
    return lambda: cls(*[_lua_arg(a) for a in record["constructor_args"]])


def _resolve(module, path):
    """The object at a record's field path ('modules[0].weight', 'network.modules[0]...'), or
    None where our module keeps it elsewhere."""
    obj = module
    for field, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        obj = obj.__dict__.get(field) if hasattr(obj, "__dict__") else None
        if obj is None:
            return None
        if index:
            obj = obj[int(index)]
    return obj


def _sequential_summary(t):
    """Torch7's summary of a tensor: sums taken one by one in double, row-major (so a
    sequential Python sum gives the very same numbers)."""
    data = t.double().contiguous().view(-1).tolist()
    total, total_sq = 0.0, 0.0
    for v in data:
        total += v
        total_sq += v * v
    return {"numel": len(data), "sum": total, "sum_sq": total_sq,
            "first_values": data[:10], "last_values": data[-10:]}


def check_init_summaries(record, module):
    """convnet.json: parameters as summaries, buffers and rng_after by field path."""
    weights = module.parameters()[0]
    assert len(weights) == len(record["parameters"])
    for i, spec in enumerate(record["parameters"]):
        assert weights[i].type() == spec["type"]
        assert list(weights[i].size()) == spec["size"], f"parameter {i} size"
        got = _sequential_summary(weights[i])
        for key in ("numel", "sum", "sum_sq", "first_values", "last_values"):
            assert got[key] == spec[key], f"parameter {i} ({record['param_names'][i]}) {key}"
    assert sum(w.nElement() for w in weights) == record["total_numel"]
    for path, spec in record["buffers"].items():
        assert_close(_resolve(module, path), value(spec), 0.0, f"buffer {path}")
    after = record["rng_after"]
    assert_close(torch.randn(3), value(after["randn"]), 0.0, "randn after")
    assert_close(torch.rand(2), value(after["rand"]), 0.0, "rand after")
    assert str(module) == record["tostring"]


@pytest.mark.parametrize("name", RECORDS)
def test_init_record(name):
    record = init_record(name)
    build = _builder(name, record)
    if record.get("parameters_are", "").startswith("summaries"):
        torch.manualSeed(record["seed"])
        module = build()
        check_init_summaries(record, module)
    else:
        module = check_init_record(name, build)
    weights = module.parameters()[0]
    for i, path in enumerate(record["param_names"]):
        found = _resolve(module, path)
        # Fused modules (LayerNormalization, PartialLinear) keep the tensor in another field.
        assert found is None or found is weights[i], f"{path} is not parameter {i}"
    unnormalised = record.get("buffers", {}).get("kernel_unnormalised")
    if unnormalised is not None:
        # The kernel argument evaluated alone: the constructor normalised a copy of it.
        kernel_arg = next(a for a in record["constructor_args"] if isinstance(a, dict))
        assert_close(_lua_arg(kernel_arg), value(unnormalised), 0.0, "kernel_unnormalised")


def test_every_init_record_is_collected():
    """All 43 recorded constructors plus dropout.json (a new record must not go unnoticed)."""
    assert len(RECORDS) == 43
    assert (INIT / "dropout.json").is_file()


# ---- dropout.json: masks drawn in training mode ------------------------------------------

def _replay_dropout():
    """The recipe of dropout.json, line by line (0-based randperm)."""
    seq = {}
    torch.manualSeed(2)
    d = nn.Dropout(0.5)
    d.training()
    x_d = torch.ones(4, 5)
    seq["dropout_forward_1"] = d.forward(x_d).clone()
    seq["dropout_noise_1"] = d.noise.clone()
    seq["dropout_forward_2"] = d.forward(x_d).clone()
    seq["dropout_noise_2"] = d.noise.clone()
    sd = nn.SpatialDropout(0.3)
    sd.training()
    x_sd = torch.ones(2, 3, 4, 4)
    seq["spatialdropout_forward_1"] = sd.forward(x_sd).clone()
    seq["spatialdropout_noise_1"] = sd.noise.clone()
    seq["spatialdropout_forward_2"] = sd.forward(x_sd).clone()
    seq["spatialdropout_noise_2"] = sd.noise.clone()
    r = nn.RReLU()
    r.training()
    x_r = torch.Tensor([[-1, 2, -3, 0.5], [-0.25, -2, 1, -4], [3, -1.5, 0, 2]])
    seq["rrelu_input"] = x_r
    seq["rrelu_forward_1"] = r.forward(x_r).clone()
    seq["rrelu_noise_1"] = r.noise.clone()
    seq["rrelu_forward_2"] = r.forward(x_r).clone()
    seq["rrelu_noise_2"] = r.noise.clone()
    seq["randperm"] = torch.randperm(10)
    seq["uniform_after"] = torch.rand(3)
    return seq


def test_dropout_masks_follow_torch7_stream():
    with open(INIT / "dropout.json") as f:
        record = json.load(f)
    got = _replay_dropout()
    assert [s["name"] for s in record["sequence"]] == list(got)
    for step in record["sequence"]:
        assert_close(got[step["name"]], value(step["value"]), 0.0, step["name"])


def test_dropout_record_shows_torch7_mask_rules():
    """The facts the replay relies on, read off the record itself: SpatialDropout's mask is one
    draw per plane and is not rescaled; RReLU's slope is 1 on positive input."""
    with open(INIT / "dropout.json") as f:
        seq = {s["name"]: value(s["value"]) for s in json.load(f)["sequence"]}
    assert set(seq["dropout_noise_1"].view(-1).tolist()) <= {0.0, 2.0}
    assert seq["spatialdropout_noise_1"].size() == (2, 3, 1, 1)
    assert set(seq["spatialdropout_noise_2"].view(-1).tolist()) <= {0.0, 1.0}
    positive = seq["rrelu_input"].gt(0)
    assert seq["rrelu_noise_1"][positive].eq(1).all()


def test_dropout_float_draws_like_double():
    """FloatTensor masks consume the same draws (bernoulli takes one double per element)."""
    torch.manualSeed(2)
    d = nn.Dropout(0.5).float()
    d.training()
    mask = d.forward(torch.FloatTensor(4, 5).fill(1)).clone()
    expected = _replay_dropout()["dropout_forward_1"]
    assert_close(mask, expected.float(), 0.0, "float mask")


# ---- reset(stdv): Torch7's formulas --------------------------------------------------------

SQRT3 = math.sqrt(3)


def _u(size, bound):
    return torch.Tensor(*size).uniform(-bound, bound)


def _linear_weight_norm(m, b):
    w = _u((3, 5), b)
    g = w.norm(2, 1).clamp(m.eps, math.inf)
    return [w, g, _u((3,), b)]


# (constructor, stdv or None, expected parameters drawn in Torch7's order after the seed).
RESETS = {
    "Linear": (lambda: nn.Linear(5, 3), 0.2,
               lambda m, b: [_u((3, 5), b), _u((3,), b)]),
    "Linear_nobias": (lambda: nn.Linear(5, 3, False), None,
                      lambda m, b: [_u((3, 5), 1 / math.sqrt(5))]),
    "Bilinear": (lambda: nn.Bilinear(3, 4, 2), 0.1,
                 lambda m, b: [_u((2, 3, 4), b), _u((2,), b)]),
    "Add": (lambda: nn.Add(5), 0.3, lambda m, b: [_u((5,), b)]),
    "Add_scalar": (lambda: nn.Add(5, True), None, lambda m, b: [_u((1,), 1.0)]),
    "CAdd": (lambda: nn.CAdd(3, 4), 0.3, lambda m, b: [_u((3, 4), b)]),
    "CMul": (lambda: nn.CMul(3, 4), None, lambda m, b: [_u((3, 4), 1 / math.sqrt(12))]),
    "Mul": (lambda: nn.Mul(), 0.5, lambda m, b: [_u((1,), b)]),
    "Cosine": (lambda: nn.Cosine(5, 3), 0.2, lambda m, b: [_u((3, 5), b)]),
    # Torch7's Cosine took the bound from weight:size(1), the number of outputs.
    "Cosine_default": (lambda: nn.Cosine(5, 3), None,
                       lambda m, b: [_u((3, 5), 1 / math.sqrt(3))]),
    "Euclidean": (lambda: nn.Euclidean(5, 3), 0.2, lambda m, b: [_u((5, 3), b)]),
    "WeightedEuclidean": (lambda: nn.WeightedEuclidean(5, 3), 0.2,
                          lambda m, b: [_u((5, 3), b), torch.ones(5, 3)]),
    # Kmeans's argument is the bound itself, not a standard deviation.
    "Kmeans": (lambda: nn.Kmeans(3, 5), 0.25, lambda m, b: [_u((3, 5), 0.25)]),
    "SparseLinear": (lambda: nn.SparseLinear(5, 3), 0.2,
                     lambda m, b: [_u((3, 5), b), _u((3,), b).mul(0.000001)]),
    "IndexLinear": (lambda: nn.IndexLinear(5, 3), 0.2,
                    lambda m, b: [_u((5, 3), b), _u((3,), b).mul(0.000001)]),
    "LinearWeightNorm": (lambda: nn.LinearWeightNorm(5, 3), 0.2, _linear_weight_norm),
    # BatchNormalization ignores stdv: weight ~ U(0, 1), bias 0.
    "BatchNormalization": (lambda: nn.BatchNormalization(5), 0.2,
                           lambda m, b: [torch.Tensor(5).uniform(), torch.zeros(5)]),
    # Containers reset their children in order (Torch7's Container:reset).
    "Sequential": (lambda: nn.Sequential().add(nn.Linear(4, 2)).add(nn.Tanh())
                   .add(nn.Linear(2, 3)), 0.1,
                   lambda m, b: [_u((2, 4), b), _u((2,), b), _u((3, 2), b), _u((3,), b)]),
    "Maxout": (lambda: nn.Maxout(5, 3, 2), None,
               lambda m, b: [_u((6, 5), 1 / math.sqrt(5)), _u((6,), 1 / math.sqrt(5))]),
    # LayerNormalization was a Sequential: reset draws its CMul's gain, then its Add's bias.
    "LayerNormalization": (lambda: nn.LayerNormalization(5), 0.2,
                           lambda m, b: [_u((5,), b), _u((5,), b)]),
    # Modules without a reset of their own keep their parameters (Torch7's Module:reset).
    "PReLU": (lambda: nn.PReLU(3), 0.2, lambda m, b: [torch.Tensor(3).fill(0.25)]),
}


@pytest.mark.parametrize("name", sorted(RESETS))
def test_reset_follows_torch7_formula(name):
    build, stdv, expected = RESETS[name]
    module = build()
    torch.manualSeed(11)
    result = module.reset(stdv)
    got = [p.clone() for p in module.parameters()[0]]
    after = torch.rand(2)
    torch.manualSeed(11)
    bound = stdv * SQRT3 if stdv is not None else None
    want = expected(module, bound)
    assert_close(got, want, 0.0, f"{name}.reset({stdv})")
    # the reset consumed exactly the expected draws
    assert_close(after, torch.rand(2), 0.0, f"{name} stream after reset")
    assert result is module or result is None


@pytest.mark.parametrize("name", ["Linear", "Bilinear", "Add", "CAdd", "CMul", "Mul", "Cosine",
                                  "Euclidean", "WeightedEuclidean", "Kmeans", "SparseLinear",
                                  "LinearWeightNorm", "BatchNormalization"])
def test_reset_redraws_the_recorded_initialisation(name):
    """reset() runs the constructor's own draw: after seeding, it gives Torch7's record.
    (IndexLinear's constructor never calls reset: its record is zeros.)"""
    record = init_record(name)
    module = getattr(nn, name)(*record["constructor_args"])
    for p in module.parameters()[0]:
        p.fill(7)
    torch.manualSeed(record["seed"])
    module.reset()
    assert_close(module.parameters()[0], [value(s) for s in record["parameters"]], 0.0, name)
    assert_close(torch.randn(3), value(record["rng_after"]["randn"]), 0.0, "randn after")


def test_sequential_mlp_reset_replays_the_record():
    record = init_record("Sequential_mlp")
    module = _builder("Sequential_mlp", record)()
    torch.manualSeed(record["seed"])
    module.reset()
    assert_close(module.parameters()[0], [value(s) for s in record["parameters"]], 0.0, "mlp")


# ---- random layers without a recording: Torch7's code path, draw for draw ------------------
# Each Lua forward is one fill of `noise` from the default generator (bernoulli(1 - p) or
# normal(mean, std)); the fills themselves are pinned to Torch7 by fixtures rng/.

def _noise_after(module, input):
    module.forward(input)
    return module.noise.clone()


def _drawn_like(forward, fill):
    """forward() under seed 5 uses exactly the draws of fill() under seed 5 (and no more)."""
    torch.manualSeed(5)
    noise = forward()
    after = torch.rand(2)
    torch.manualSeed(5)
    expected = fill()
    assert_close(noise, expected, 0.0, "noise")
    assert_close(after, torch.rand(2), 0.0, "stream after")


@pytest.mark.parametrize("size", [(3, 2, 2, 2), (2, 3, 2, 2, 2)])
def test_volumetric_dropout_draws_one_per_volume(size):
    d = nn.VolumetricDropout(0.4)
    noise_size = size[:-3] + (1, 1, 1)
    _drawn_like(lambda: _noise_after(d, torch.ones(*size)),
                lambda: torch.Tensor(*noise_size).bernoulli(0.6))


def test_spatial_dropout_3d_input_draws_one_per_plane():
    d = nn.SpatialDropout(0.3)
    _drawn_like(lambda: _noise_after(d, torch.ones(4, 2, 2)),
                lambda: torch.Tensor(4, 1, 1).bernoulli(0.7))


def test_white_noise_draws_normal():
    w = nn.WhiteNoise(1, 0.5)
    _drawn_like(lambda: _noise_after(w, torch.zeros(3, 4)),
                lambda: torch.Tensor(3, 4).normal(1, 0.5))


def test_dropout_v1_draws_the_same_mask_unscaled():
    d = nn.Dropout(0.25, True)
    _drawn_like(lambda: _noise_after(d, torch.ones(5, 3)),
                lambda: torch.Tensor(5, 3).bernoulli(0.75))


@pytest.mark.parametrize("build", [
    lambda: nn.Dropout(0.5).evaluate(),
    lambda: nn.Dropout(0),
    lambda: nn.SpatialDropout(0.5).evaluate(),
    lambda: nn.VolumetricDropout(0.5).evaluate(),
    lambda: nn.RReLU().evaluate(),
    lambda: nn.WhiteNoise().evaluate(),
], ids=["Dropout-eval", "Dropout-p0", "SpatialDropout-eval", "VolumetricDropout-eval",
        "RReLU-eval", "WhiteNoise-eval"])
def test_no_draw_where_torch7_drew_none(build):
    module = build()
    torch.manualSeed(6)
    expected = torch.rand(3)
    torch.manualSeed(6)
    module.forward(torch.Tensor(2, 3, 2, 2, 2).fill(-1))
    assert_close(torch.rand(3), expected, 0.0, "stream after forward")


def test_stochastic_inference_draws_in_evaluation():
    d = nn.Dropout(0.5, False, False, True).evaluate()
    _drawn_like(lambda: _noise_after(d, torch.ones(6)),
                lambda: torch.Tensor(6).bernoulli(0.5).div(0.5))


def test_summary_schema_checks_a_full_record():
    """The summaries path (convnet.json's schema) on Sequential_mlp: summaries made from the
    Lua tensors of its record are met by our model, and a one-ulp change is caught."""
    full = init_record("Sequential_mlp")
    tensors = [value(s) for s in full["parameters"]]
    summaries = [{"type": t.type(), "size": list(t.size()), **_sequential_summary(t)}
                 for t in tensors]
    # a buffer named by field path, as convnet.json's 'modules[3].kernel'
    record = {**full, "parameters": summaries, "buffers": {"modules[2].bias": full["parameters"][3]},
              "total_numel": sum(t.nElement() for t in tensors)}
    build = _builder("Sequential_mlp", full)
    torch.manualSeed(full["seed"])
    check_init_summaries(record, build())
    torch.manualSeed(full["seed"])
    module = build()
    w = module.modules[2].weight
    w[0][0] = math.nextafter(w[0][0], math.inf)
    with pytest.raises(AssertionError, match="parameter 2"):
        check_init_summaries(record, module)


# Torch7 filled a FloatTensor with (float) of the same double draw: with the default type set to
# Float the records' parameters, rounded to float, come out (derived values excepted: the bias
# SparseLinear scales by 1e-6 is multiplied in float, so rounds twice).
FLOAT_RECORDS = ["Add", "BatchNormalization", "Bilinear", "CAdd", "CMul", "Cosine", "Euclidean",
                 "IndexLinear", "Kmeans", "LayerNormalization", "Linear", "LinearWeightNorm",
                 "Maxout", "Mul", "PReLU", "PartialLinear", "SparseLinear", "WeightedEuclidean"]


@pytest.mark.parametrize("name", FLOAT_RECORDS)
def test_float_default_type_draws_the_same_numbers(name):
    record = init_record(name)
    torch.setdefaulttensortype("torch.FloatTensor")
    try:
        torch.manualSeed(record["seed"])
        module = getattr(nn, name)(*record["constructor_args"])
        after = torch.randn(3)
    finally:
        torch.setdefaulttensortype("torch.DoubleTensor")
    params = module.parameters()[0]
    expected = [value(s).float() for s in record["parameters"]]
    if name == "SparseLinear":
        # within two float roundings of the double value, relative
        for got, want in zip(params[1].tolist(), expected[1].tolist()):
            assert abs(got - want) <= 2 ** -23 * abs(want), f"SparseLinear bias {got}, {want}"
        params, expected = params[:1], expected[:1]
    assert [p.type() for p in params] == ["torch.FloatTensor"] * len(params)
    assert_close(params, expected, 0.0, f"{name} (float)")
    assert_close(after, value(record["rng_after"]["randn"]).float(), 0.0, "randn after")


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["init/*.json"]  # RECORDS lists the folder
