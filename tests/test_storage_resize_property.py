"""Property: resizing a storage never changes what a live tensor view reads, except through writes.

Torch7's storages grow and shrink under live tensors; blocks never shrink, so a view made before
a shrink keeps reading and writing its elements. A later grow must carry all of them (not only the
storage's current size). The oracle is a plain Python list modelling the memory a view reaches.
"""

import ferrotorch as torch
from hypothesis import given, settings
from hypothesis import strategies as st

values = st.integers(-100, 100).map(float)

ops = st.one_of(
    st.tuples(st.just("resize"), st.integers(0, 40)),
    st.tuples(st.just("fill_storage"), values),
    st.tuples(st.just("fill_view"), st.integers(0, 10), values),
    st.tuples(st.just("copy_storage"), st.integers(0, 1000)),
    st.tuples(st.just("copy_view"), st.integers(0, 10), st.integers(0, 1000)),
    st.tuples(st.just("new_view"), st.integers(0, 40), st.integers(0, 40)),
    st.tuples(st.just("set_element"), st.integers(0, 40), values),
)


@settings(max_examples=150, deadline=None)
@given(size=st.integers(1, 20), program=st.lists(ops, max_size=25))
def test_resize_fill_copy_never_change_what_views_read(size, program):
    s = torch.DoubleStorage(size)
    mem = [0.0] * size  # what element i of the storage's memory holds, for every i a view reaches
    views = [(torch.DoubleTensor(s), 0, size)]  # (tensor, offset, length)
    for op in program:
        kind = op[0]
        n = s.size()
        if kind == "resize":
            s.resize(op[1])
            mem.extend([0.0] * (op[1] - len(mem)))
        elif kind == "fill_storage":
            s.fill(op[1])
            mem[:n] = [op[1]] * n
        elif kind == "fill_view":
            t, off, length = views[op[1] % len(views)]
            t.fill(op[2])
            mem[off:off + length] = [op[2]] * length
        elif kind == "copy_storage":
            src = [float((op[1] + i) % 97) for i in range(n)]
            s.copy(torch.DoubleStorage(src))
            mem[:n] = src
        elif kind == "copy_view":
            t, off, length = views[op[1] % len(views)]
            src = [float((op[2] + 3 * i) % 89) for i in range(length)]
            if length:
                t.copy(torch.DoubleTensor(src))
            mem[off:off + length] = src
        elif kind == "new_view":
            if n:
                off = op[1] % n
                length = max(1, op[2] % (n - off + 1))
                views.append((torch.DoubleTensor(s, off, (length,)), off, length))
        elif kind == "set_element" and n:
            s[op[1] % n] = op[2]
            mem[op[1] % n] = op[2]
        assert s.tolist() == mem[:s.size()], f"storage after {op}"
        for t, off, length in views:
            assert t.tolist() == mem[off:off + length], f"view at {off}+{length} after {op}"


def test_issue_example_shrink_write_grow():
    s = torch.DoubleStorage(10).fill(1)
    t = torch.DoubleTensor(s)
    s.resize(2)
    t.fill(5)
    s.resize(1 << 20)
    assert t.tolist() == [5.0] * 10
    assert s.tolist()[:12] == [5.0] * 10 + [0.0, 0.0]
