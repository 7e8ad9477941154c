"""The 13 containers and decorators: Torch7's records (outputs, gradients, printed text), the
Jacobian through them, and their own rules (errors prefixed with the child, DepthConcat's
centring, MapTable's shared clones, NaN's checks, Bottle's folding)."""

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import assert_close, check_jacobian, check_zoo_module, zoo

ZOO_BUILDERS = {
    "Sequential": lambda: nn.Sequential().add(nn.Linear(4, 3)).add(nn.Tanh()).add(nn.Linear(3, 2)),
    "Concat": lambda: nn.Concat(0).add(nn.Linear(4, 3)).add(nn.Linear(4, 2)),
    "Parallel": lambda: nn.Parallel(0, 0).add(nn.Linear(3, 2)).add(nn.Linear(3, 4)),
    "ConcatTable": lambda: nn.ConcatTable().add(nn.Linear(3, 2)).add(nn.Identity()),
    "ParallelTable": lambda: nn.ParallelTable().add(nn.Linear(3, 2)).add(nn.Tanh()),
    "MapTable": lambda: nn.MapTable(nn.Linear(3, 2)),
    "Bottle": lambda: nn.Bottle(nn.Linear(4, 3)),
    "WeightNorm": lambda: nn.WeightNorm(nn.Linear(4, 3)),
    "DontCast": lambda: nn.DontCast(nn.Linear(3, 2)),
    "NaN": lambda: nn.NaN(nn.Linear(3, 2), 1),
    "Profile": lambda: nn.Profile(nn.Linear(3, 2), 100, "lin"),
    "GPU": lambda: nn.GPU(nn.Linear(3, 2), 0),
    # Children of different spatial sizes: the 1x1 output is centred in the 3x3 one's frame.
    "DepthConcat": lambda: nn.DepthConcat(0).add(nn.SpatialConvolution(2, 3, 3, 3))
    .add(nn.SpatialConvolution(2, 2, 1, 1)),
}


@pytest.mark.parametrize("name", sorted(ZOO_BUILDERS))
def test_reproduces_torch7_zoo_record(name):
    # nn.GPU prints its 0-based device id where Torch7 printed the 1-based one.
    check_zoo_module(ZOO_BUILDERS[name](), zoo(name), check_repr=name != "GPU")


def test_gpu_prints_zero_based_device():
    assert zoo("GPU")["tostring"] == "nn.GPU(1) @ nn.Linear(3 -> 2)"
    assert str(ZOO_BUILDERS["GPU"]()) == "nn.GPU(0) @ nn.Linear(3 -> 2)"


JACOBIAN_CASES = {
    "Sequential": (ZOO_BUILDERS["Sequential"], [(4,), (3, 4)]),
    "Concat": (lambda: nn.Concat(1).add(nn.Linear(4, 3)).add(nn.Linear(4, 2)), [(2, 4)]),
    "Concat vector": (ZOO_BUILDERS["Concat"], [(4,)]),
    "Parallel": (ZOO_BUILDERS["Parallel"], [(2, 3)]),
    "Parallel batch": (lambda: nn.Parallel(1, 1).add(nn.Linear(3, 2)).add(nn.Linear(3, 4)),
                       [(5, 2, 3)]),
    "Bottle": (ZOO_BUILDERS["Bottle"], [(2, 5, 4), (4,), (3, 4)]),
    "WeightNorm": (ZOO_BUILDERS["WeightNorm"], [(4,), (3, 4)]),
    "DontCast": (ZOO_BUILDERS["DontCast"], [(3,)]),
    "NaN": (ZOO_BUILDERS["NaN"], [(2, 3)]),
    "DepthConcat": (lambda: nn.DepthConcat(0).add(nn.Linear(4, 3)).add(nn.Linear(4, 2)), [(4,)]),
}


@pytest.mark.parametrize("name", sorted(JACOBIAN_CASES))
def test_jacobian(name):
    build, shapes = JACOBIAN_CASES[name]
    for shape in shapes:
        check_jacobian(build(), torch.randn(*shape))


class Pad(nn.Module):
    """A parameter-free module whose output size differs per instance (for DepthConcat)."""

    def __init__(self, rows, cols):
        super().__init__()
        self.rows, self.cols = rows, cols

    def updateOutput(self, input):
        self.output.resize(1, self.rows, self.cols).fill(0)
        self.output[0, 0, 0] = input.sum()
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(input).fill(gradOutput[0, 0, 0])
        return self.gradInput


def test_depth_concat_centres_smaller_outputs():
    m = nn.DepthConcat(0).add(Pad(5, 5)).add(Pad(3, 3)).add(Pad(4, 1))
    out = m.forward(torch.Tensor([1, 2]))
    assert list(out.size()) == [3, 5, 5]
    # (5 - 3) // 2 = 1 pad before a 3x3; (5 - 4) // 2 = 0 rows and (5 - 1) // 2 = 2 cols for 4x1
    assert out[1, 1, 1] == 3 and out[1].sum() == 3
    assert out[2, 0, 2] == 3 and out[2].sum() == 3
    g = torch.zeros(3, 5, 5)
    g[1, 1, 1] = 10
    g[2, 0, 2] = 100
    assert m.backward(torch.Tensor([1, 2]), g).tolist() == [110.0, 110.0]


def test_container_errors_name_the_child_position():
    net = nn.Sequential().add(nn.Linear(3, 3)).add(nn.Sequential().add(nn.Linear(2, 2)))
    with pytest.raises(ValueError, match=r"In 1 module of nn.Sequential:\s*In 0 module of "
                                         r"nn.Sequential: nn.Linear\(2 -> 2\)"):
        net.forward(torch.randn(3))
    with pytest.raises(ValueError, match="In 0 module of nn.Concat"):
        nn.Concat(0).add(nn.Linear(2, 2)).forward(torch.randn(3))


def test_sequential_insert_remove_and_printing():
    seq = nn.Sequential().add(nn.Linear(2, 2)).add(nn.Linear(2, 3))
    seq.insert(nn.Tanh(), 1)
    assert [str(m) for m in seq.modules] == ["nn.Linear(2 -> 2)", "nn.Tanh", "nn.Linear(2 -> 3)"]
    assert str(seq.remove(1)) == "nn.Tanh" and seq.size() == 2 and len(seq) == 2
    with pytest.raises(IndexError, match="contiguous"):
        seq.insert(nn.Tanh(), 5)
    with pytest.raises(IndexError, match="out of range for 2 modules"):
        seq.remove(2)
    nested = nn.Sequential().add(seq)
    assert str(nested) == ("nn.Sequential {\n  [input -> (1) -> output]\n  (1): nn.Sequential {\n"
                           "    [input -> (1) -> (2) -> output]\n    (1): nn.Linear(2 -> 2)\n"
                           "    (2): nn.Linear(2 -> 3)\n  }\n}")
    with pytest.raises(TypeError, match="expects an nn module"):
        seq.add(3)


def test_concat_table_sums_table_gradients():
    m = nn.ConcatTable().add(nn.Identity()).add(nn.Identity())
    x = [torch.Tensor([1, 2]), torch.Tensor([3])]
    out = m.forward(x)
    assert len(out) == 2 and out[0] is x
    g = [[torch.Tensor([1, 1]), torch.Tensor([1])], [torch.Tensor([2, 3]), torch.Tensor([4])]]
    gi = m.backward(x, g)
    assert gi[0].tolist() == [3.0, 4.0] and gi[1].tolist() == [5.0]


def test_map_table_clones_share_parameters_and_gradients():
    m = nn.MapTable(nn.Linear(3, 2))
    xs = [torch.randn(3) for _ in range(3)]
    out = m.forward(xs)
    assert m.size() == 3
    for x, o in zip(xs, out):
        assert_close(o, torch.mv(m.module.weight, x) + m.module.bias)
    m.zeroGradParameters()
    m.backward(xs, [torch.ones(2)] * 3)
    assert_close(m.module.gradBias, torch.Tensor([3, 3]))
    assert len(m.parameters()[0]) == 2
    unshared = nn.MapTable(nn.Linear(3, 2), False)
    unshared.forward(xs)
    assert unshared.get(1).weight.storage().cdata() != unshared.get(0).weight.storage().cdata()
    assert str(nn.MapTable()) == "nn.MapTable { }"


def test_nan_names_where_the_nan_came_from():
    m = nn.NaN(nn.Linear(2, 2), 3)
    with pytest.raises(RuntimeError, match="NaN found in input of module"):
        m.forward(torch.Tensor([float("nan"), 1]))
    m.get(0).weight[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match="NaN found in parameters of module"):
        m.forward(torch.Tensor([1, 1]))
    m = nn.NaN(nn.Linear(2, 2), 4)
    m.forward(torch.Tensor([1, 1]))
    with pytest.raises(RuntimeError, match="NaN found in gradOutput of module"):
        m.backward(torch.Tensor([1, 1]), torch.Tensor([float("nan"), 0]))
    with pytest.raises(TypeError, match="expecting id to be a number"):
        nn.NaN(nn.Linear(2, 2), "x")


def test_profile_prints_every_interval(capsys):
    m = nn.Profile(nn.Linear(2, 2), 3, "lin")
    for _ in range(3):
        m.forward(torch.randn(2))
        m.backward(torch.randn(2), torch.randn(2))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("lin took ") and out[0].endswith("seconds for 3 forward passes")
    assert out[1].endswith("seconds for 3 backward passes")


def test_dont_cast_keeps_the_module_type_and_converts_io():
    m = nn.DontCast(nn.Linear(3, 2), True)
    m.float()
    assert m.get(0).weight.type() == "torch.DoubleTensor"
    x = torch.randn(3)
    out = m.forward(x.float())
    assert out.type() == "torch.FloatTensor"
    gi = m.backward(x.float(), torch.FloatTensor(2).fill(1))
    assert gi.type() == "torch.FloatTensor"
    assert_close(gi.double(), m.get(0).weight.sum(0).view(-1), 1e-6)
    with pytest.raises(ValueError, match="moduleType"):
        nn.DontCast(nn.ConcatTable(), True)


def test_weight_norm_reparametrises_the_weight():
    lin = nn.Linear(4, 3)
    m = nn.WeightNorm(lin)
    m.forward(torch.randn(4))
    norms = torch.norm(lin.weight, 2, 1).view(-1)
    assert_close(norms, m.g.view(-1) * torch.norm(m.v, 2, 1).view(-1)
                 / (torch.norm(m.v, 2, 1).view(-1).pow(2) + 1e-4).sqrt())
    assert str(m) == "nn.WeightNorm @ nn.Linear(4 -> 3)"


def test_bottle_rejects_wrong_output_dims():
    m = nn.Bottle(nn.Linear(4, 3), 2, 3)
    with pytest.raises(ValueError, match="2 output dims, expected 3"):
        m.forward(torch.randn(2, 5, 4))


def test_parallel_checks_the_number_of_slices():
    m = nn.Parallel(0, 0).add(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="2 slices along dimension 0 but there are 1 modules"):
        m.forward(torch.randn(2, 3))


def test_containers_pass_float_through():
    net = ZOO_BUILDERS["Concat"]().float()
    assert net.forward(torch.FloatTensor(4).fill(1)).type() == "torch.FloatTensor"


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO_BUILDERS]
