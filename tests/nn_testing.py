"""Shared checks for the nn tests: Torch7 zoo records, Jacobians, batch consistency.

A zoo record (fixtures nn_zoo/<Class>.json) holds a module's parameters before forward, the
input, output, gradOutput, gradInput and parameter gradients that Lua Torch7 computed, and
its printed text. ``check_zoo_module`` loads the parameters into our module, replays forward
and backward and compares everything.
"""

import json
import math

import ferrotorch as torch
from conftest import FIXTURES, build_from_json
from ferrotorch import nn


def zoo(name):
    """The parsed nn_zoo record of a class ('Linear')."""
    with open(FIXTURES / "nn_zoo" / f"{name}.json") as f:
        return json.load(f)


def value(spec):
    """A tensor, a (nested) list of tensors or a number from fixture JSON."""
    if isinstance(spec, dict) and "type" in spec and "data" in spec:
        return build_from_json(spec)
    if isinstance(spec, list):
        return [value(v) for v in spec]
    if isinstance(spec, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(spec, spec)
    return spec


def assert_close(actual, expected, tol=1e-10, what="value"):
    """actual (tensor / nested list / number) equals expected within tol, relative to
    max(1, |expected|)."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)), f"{what}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{what}: {len(actual)} items, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, tol, f"{what}[{i}]")
        return
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, torch.Tensor), f"{what}: expected a tensor, got {actual!r}"
        assert list(actual.size()) == list(expected.size()), (
            f"{what}: size {list(actual.size())}, expected {list(expected.size())}")
        if expected.nElement() == 0:
            return
        a = actual.double().contiguous().view(-1).tolist()
        e = expected.double().contiguous().view(-1).tolist()
        for i, (x, y) in enumerate(zip(a, e)):
            if math.isnan(y):
                assert math.isnan(x), f"{what}[{i}]: {x}, expected nan"
            else:
                assert abs(x - y) <= tol * max(1.0, abs(y)), f"{what}[{i}]: {x}, expected {y}"
        return
    assert abs(actual - expected) <= tol * max(1.0, abs(expected)), (
        f"{what}: {actual}, expected {expected}")


def load_parameters(module, record):
    """Copies the record's parameters (in parameters() order) into the module."""
    params, _ = module.parameters()
    expected = record.get("parameters") or []
    assert len(params) == len(expected), (
        f"{len(params)} parameters, Torch7 had {[p['name'] for p in expected]}")
    for p, spec in zip(params, expected):
        src = value(spec["tensor"])
        assert list(p.size()) == list(src.size()), f"{spec['name']}: size {list(p.size())}"
        p.copy(src)


def check_zoo_module(module, record=None, tol=1e-10, check_repr=True):
    """Replays a zoo record on module (parameters, forward, backward) and compares everything
    Torch7 recorded: output, gradInput, parameter gradients and the printed text."""
    record = record or zoo(module.__typename__.split(".", 1)[1])
    if check_repr and record.get("tostring") is not None:
        assert str(module) == record["tostring"]
    load_parameters(module, record)
    module.training() if record.get("mode") == "training" else module.evaluate()
    input = value(record["input"])
    module.zeroGradParameters()
    output = module.forward(input)
    assert_close(output, value(record["output"]), tol, "output")
    if record.get("gradInput") is None:
        return module
    grad_input = module.backward(input, value(record["gradOutput"]))
    assert_close(grad_input, value(record["gradInput"]), tol, "gradInput")
    grads = module.parameters()[1]
    expected = record.get("gradParameters") or []
    for g, spec in zip(grads, expected):
        assert_close(g, value(spec["tensor"]), tol, spec["name"])
    return module


def check_zoo_criterion(criterion, record=None, tol=1e-10, check_repr=True):
    """Replays a zoo criterion record: loss and gradInput."""
    record = record or zoo(criterion.__typename__.split(".", 1)[1])
    if check_repr and record.get("tostring") is not None:
        assert str(criterion) == record["tostring"]
    input, target = value(record["input"]), value(record["target"])
    loss = criterion.forward(input, target)
    assert_close(loss, float(value(record["loss"])), tol, "loss")
    grad_input = criterion.backward(input, target)
    assert_close(grad_input, value(record["gradInput"]), tol, "gradInput")
    return criterion


def check_jacobian(module, input, precision=1e-5):
    """Jacobian w.r.t. the input and every parameter below precision (Torch7's nn tests)."""
    err = nn.Jacobian.testJacobian(module, input)
    assert err < precision, f"{module}: input Jacobian error {err}"
    params, grads = module.parameters()
    for i, (p, g) in enumerate(zip(params, grads)):
        err = nn.Jacobian.testJacobianParameters(module, input, p, g)
        assert err < precision, f"{module}: Jacobian error {err} for parameter {i}"
    return module


def check_batch_matches_single(module, batch_input):
    """Forward and backward of a batch equal those of each sample run alone."""
    out = module.forward(batch_input).clone()
    grad_out = torch.randn(out.size())
    grad_in = module.backward(batch_input, grad_out).clone()
    for i in range(batch_input.size(0)):
        o = module.forward(batch_input[i])
        assert_close(o, out[i], 1e-10, f"output of sample {i}")
        g = module.backward(batch_input[i], grad_out[i])
        assert_close(g, grad_in[i], 1e-10, f"gradInput of sample {i}")


def nn_record(name):
    """A fixtures nn/<name>.json record in the zoo schema (parameters_list ->
    parameters, gradParameters_list -> gradParameters), for check_zoo_module /
    check_zoo_criterion. These records carry no printed text."""
    with open(FIXTURES / "nn" / f"{name}.json") as f:
        record = json.load(f)
    record["parameters"] = [{"name": f"#{i}", "tensor": t}
                            for i, t in enumerate(record.get("parameters_list") or [])]
    record["gradParameters"] = [{"name": f"grad #{i}", "tensor": t}
                                for i, t in enumerate(record.get("gradParameters_list") or [])]
    if "loss" not in record and "criterion" in record:
        record["loss"] = record["output"]
    return record


def init_record(name):
    """The parsed init/ record (parameters right after torch.manualSeed + constructor)."""
    with open(FIXTURES / "init" / f"{name}.json") as f:
        return json.load(f)


def check_init_record(name, build=None, tol=0.0):
    """Reproduce an init/ record: seed, construct (``build()`` or ``nn.<Class>(*args)``), then
    compare the parameters, the recorded buffers, the printed text and the random stream
    after construction (so the constructor drew exactly Torch7's numbers, in Torch7's order).
    Parameters are compared exactly by default (tol=0): the draws are the same IEEE numbers."""
    record = init_record(name)
    torch.manualSeed(record["seed"])
    if build is None:
        cls = getattr(nn, record["class"].split(".", 1)[1])
        module = cls(*record["constructor_args"])
    else:
        module = build()
    params = module.parameters()
    weights = params[0] if params else []
    expected = record["parameters"]
    if isinstance(expected, list):
        assert len(weights) == len(expected), f"{name}: {len(weights)} parameters"
        for i, spec in enumerate(expected):
            assert list(weights[i].size()) == spec["size"], f"{name}: parameter {i} size"
            assert_close(weights[i], value(spec), tol, f"{name} parameter {i}")
    for key, spec in record.get("buffers", {}).items():
        if key == "kernel_unnormalised" or not isinstance(spec, dict) or "data" not in spec:
            continue
        assert_close(getattr(module, key), value(spec), tol, f"{name} buffer {key}")
    after = record["rng_after"]
    assert_close(torch.randn(3), value(after["randn"]), 0.0, f"{name} randn after")
    assert_close(torch.rand(2), value(after["rand"]), 0.0, f"{name} rand after")
    assert str(module) == record["tostring"]
    return module
