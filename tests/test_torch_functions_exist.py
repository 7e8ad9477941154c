"""Every name Torch7 put on the torch table for tensors exists as torch.<name>, and the
Tensor.lua forms (torch.split, torch.view, ...) behave as their methods, with out= for Torch7's
[res].

The list is the reference's (shared/reference/torch7_tensor.md: the TensorMath/random names of
section 3.0, the Tensor.lua names, and section 2's "also torch.X" forms); where that file is
beside the repository the test re-reads it, so a name added there is noticed here.
"""

import re
from pathlib import Path

import ferrotorch as torch
import numpy as np
import pytest

TENSORMATH = """
zero fill zeros ones range linspace logspace eye diag tril triu cat reshape
gather scatter nonzero squeeze match
abs sign neg cinv exp log log1p cos acos cosh sin asin sinh tan atan tanh sqrt rsqrt sigmoid round
ceil floor trunc frac
add csub mul div cmul cdiv pow cpow fmod mod remainder cfmod cmod cremainder clamp addcmul addcdiv
lerp atan2 lshift rshift clshift crshift bitand bitor bitxor cbitand cbitor cbitxor cmax cmin
dot mv mm bmm ger addmv addmm addr addbmm baddbmm
sum prod cumsum cumprod max min mean std var norm renorm dist median mode kthvalue sort topk trace
cross numel histc bhistc
conv2 xcorr2 conv3 xcorr3
gesv trtrs gels symeig eig svd inverse potrf potrs potri pstrf qr geqrf orgqr ormqr
lt le gt ge eq ne all any equal
rand randn randperm random uniform normal exponential cauchy logNormal geometric bernoulli
multinomial multinomialAliasSetup multinomialAlias seed initialSeed manualSeed getRNGState
setRNGState
""".split()  # noqa: SIM905 - the reference's words, as written there
TENSOR_LUA = "expand expandAs repeatTensor view viewAs split chunk totable permute squeeze".split()  # noqa: SIM905
OTHERS = "Tensor Generator isTensor isStorage type typename".split()  # noqa: SIM905
NAMES = sorted(set(TENSORMATH + TENSOR_LUA + OTHERS))
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "torch7_tensor.md"


@pytest.mark.parametrize("name", NAMES)
def test_torch_name_exists(name):
    assert callable(getattr(torch, name, None)), f"torch.{name} is missing"


def test_list_covers_the_reference():
    if not REFERENCE.is_file():
        pytest.skip(f"reference {REFERENCE} not beside the repository")
    ref = REFERENCE.read_text()
    table = ref[ref.index("### 3.0"):ref.index("### 3.1")]
    names = set()
    for line in table.splitlines():
        m = re.match(r"\| [A-J] [^|]*\| \d+[^|]*\| (.*) \|$", line)
        if m:
            names |= set(re.findall(r"[A-Za-z]\w*", re.sub(r"\(.*?\)", "", m.group(1))))
    tensor_section = ref[ref.index("## 2. Tensor"):ref.index("## 3. ")]
    names |= set(re.findall(r"`torch\.([A-Za-z]+)", tensor_section))
    names -= {"ByteTensor", "LongTensor"}  # type names quoted in the text, checked elsewhere
    assert names <= set(NAMES), sorted(names - set(NAMES))


def _x():
    return torch.DoubleTensor(np.arange(12.0).reshape(3, 4))


def test_split_and_chunk_are_the_methods():
    x = _x()
    for args in [(2,), (2, 1), (3, 0)]:
        got = torch.split(x, *args)
        want = np.array_split(x.numpy(), range(args[0], x.size(args[1:][0] if args[1:] else 0),
                                               args[0]), axis=args[1] if args[1:] else 0)
        assert [p.tolist() for p in got] == [w.tolist() for w in want]
    parts = torch.chunk(x, 2, 1)
    assert [p.size() for p in parts] == [(3, 2), (3, 2)]
    parts[0].fill(-1)  # views
    assert x.numpy()[:, :2].tolist() == [[-1, -1]] * 3
    res = [x]
    assert torch.chunk(x, 3, out=res) is res and len(res) == 3
    with pytest.raises(TypeError):
        torch.split(x, 2, out=x)
    with pytest.raises(TypeError):
        torch.split([1, 2], 1)


def test_view_forms_share_storage_and_set_out():
    x = _x()
    v = torch.view(x, 4, 3)
    assert v.tolist() == np.arange(12.0).reshape(4, 3).tolist()
    r = torch.DoubleTensor(5)
    assert torch.view(x, 2, 6, out=r) is r and r.size() == (2, 6)
    r.fill(0)
    assert x.sum() == 0  # out became a view of x, as Torch7's res:view(src, ...)
    assert torch.viewAs(torch.range(1, 6), torch.Tensor(3, 2)).size() == (3, 2)
    with pytest.raises(TypeError):
        torch.view(x, 12, out=torch.FloatTensor())
    with pytest.raises(ValueError):
        torch.view(x, 5)


def test_expand_forms_have_stride_zero():
    col = torch.DoubleTensor([[1], [2]])
    e = torch.expand(col, 2, 3)
    assert e.stride() == (1, 0)
    np.testing.assert_array_equal(e.numpy(), np.broadcast_to(col.numpy(), (2, 3)))
    r = torch.DoubleTensor()
    assert torch.expandAs(col, torch.Tensor(2, 4), out=r) is r and r.size() == (2, 4)


def test_repeat_tensor_copies_like_numpy_tile():
    x = torch.DoubleTensor([[1, 2], [3, 4]])
    np.testing.assert_array_equal(torch.repeatTensor(x, 2, 1, 3).numpy(),
                                  np.tile(x.numpy(), (2, 1, 3)))
    r = torch.DoubleTensor(1)
    assert torch.repeatTensor(x, 2, 2, out=r) is r
    np.testing.assert_array_equal(r.numpy(), np.tile(x.numpy(), (2, 2)))
    r.fill(0)
    assert x.sum() == 10  # a copy, not a view
    with pytest.raises(TypeError):
        torch.repeatTensor(x, 2, 2, out=torch.IntTensor())


def test_permute_totable_fill_zero():
    x = torch.DoubleTensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(torch.permute(x, 2, 0, 1).numpy(),
                                  np.transpose(x.numpy(), (2, 0, 1)))
    assert torch.totable(x) == np.arange(24.0).reshape(2, 3, 4).tolist()
    assert torch.totable(torch.LongStorage([1, 2])) == [1, 2]
    with pytest.raises(TypeError):
        torch.totable(3)
    y = torch.IntTensor(2, 2)
    assert torch.fill(y, 4) is y and y.tolist() == [[4, 4], [4, 4]]
    assert torch.zero(y) is y and y.sum() == 0
    with pytest.raises(TypeError):
        torch.numel(3)
