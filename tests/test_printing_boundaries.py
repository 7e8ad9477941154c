"""Printing at and around every threshold of Torch7's format rules, against an oracle.

The oracle below is a direct Python transcription of Torch7's `Storage__printformat`,
`Tensor__printMatrix` and `Tensor__printTensor` (torch7/Tensor.lua), written for these tests and
sharing no code with ferrotorch's Rust formatter. It is first checked against every recorded
Torch7 print case without NaN/inf (print/print_cases.json), then used on values chosen at each
rule's threshold and one step either side:

* fixed vs scientific: `expMax - expMin > 4` (a span of exactly 4 decades keeps `%W.4f`);
* the scaled `%7.4f` with a `<scale> *` line: `expMax > 5 or expMax < 0`;
* width 12 for three-digit exponents: `|expMax| > 99 or |expMin| > 99`;
* integers: `%Wd` up to 9 digits, `%11.4e` from 10;
* column blocks: `floor((80 - #indent) / (sz + 1))` columns per block (2-D and indented 3-D).
"""

import json
import math

import ferrotorch as torch
import pytest
from conftest import FIXTURES, build_from_json

TORCH7_FIXTURES = ["print/print_cases.json"]


def _exponent(a):
    return math.floor(math.log10(a)) + 1 if a != 0 else 1


def printformat(values):
    """Torch7's (format, scale, sz) for a list of finite values."""
    int_mode = all(v == math.ceil(v) for v in values)
    absolute = [abs(v) for v in values]
    exp_min, exp_max = _exponent(min(absolute)), _exponent(max(absolute))
    scale = None
    if int_mode:
        if exp_max > 9:
            fmt, sz = "%11.4e", 11
        else:
            sz = exp_max + 1
            fmt = f"%{sz}d"
    elif exp_max - exp_min > 4:
        sz = 11
        if abs(exp_max) > 99 or abs(exp_min) > 99:
            sz += 1
        fmt = f"%{sz}.4e"
    elif exp_max > 5 or exp_max < 0:
        fmt, sz = "%7.4f", 7
        scale = math.pow(10, exp_max - 1)
    else:
        sz = 7 if exp_max == 0 else exp_max + 6
        fmt = f"%{sz}.4f"
    if scale == 1:
        scale = None
    return fmt, scale, sz


def _g(scale):
    """C's %g, as Lua's string.format('%g', scale)."""
    return f"{scale:g}"


def _cell(fmt, v):
    # Lua's %d converts to an integer first (so -0.0 prints as 0).
    return fmt % (int(v) if fmt.endswith("d") else v)


def _matrix(rows, indent, fmt, scale, sz):
    scale = scale or 1
    out = [indent]
    ncol = len(rows[0])
    per_line = (80 - len(indent)) // (sz + 1)
    first = 0
    while first < ncol:
        last = min(first + per_line, ncol) - 1
        if per_line < ncol:
            if first != 0:
                out.append("\n")
            out.append(f"Columns {first} to {last}\n{indent}")
        if scale != 1:
            out.append(_g(scale) + " *\n " + indent)
        for r, row in enumerate(rows):
            for c in range(first, last + 1):
                out.append(_cell(fmt, row[c] / scale))
                if c == last:
                    out.append("\n")
                    if r != len(rows) - 1:
                        out.append(indent + " " if scale != 1 else indent)
                else:
                    out.append(" ")
        first = last + 1
    return "".join(out)


def oracle(values, sizes, type_name="torch.DoubleTensor"):
    """Torch7's tostring for a tensor of these row-major values, labels 0-based, no final newline."""
    fmt, scale, sz = printformat(values)
    if len(sizes) == 1:
        lines = []
        if scale:
            lines.append(_g(scale) + " *")
        lines += [_cell(fmt, v / scale if scale else v) for v in values]
        text = "\n".join(lines) + "\n"
    else:
        rows_per, cols = sizes[-2], sizes[-1]
        mat = [values[i:i + cols] for i in range(0, len(values), cols)]
        if len(sizes) == 2:
            text = _matrix(mat, "", fmt, scale, sz)
        else:
            parts = []
            outer = sizes[:-2]
            for k in range(math.prod(outer)):
                # Torch7's counter steps its FIRST index fastest.
                index, rest = [], k
                for n in outer:
                    index.append(rest % n)
                    rest //= n
                label = ",".join(str(i) for i in index)
                block_no = 0
                for i, n in zip(index, outer):
                    block_no = block_no * n + i
                block = mat[block_no * rows_per:(block_no + 1) * rows_per]
                parts.append(f"({label},.,.) = \n" + _matrix(block, " ", fmt, scale, sz))
            text = "\n".join(parts)
    return text + f"[{type_name} of size {'x'.join(str(n) for n in sizes)}]"


def _recorded_cases():
    cases = json.loads((FIXTURES / "print" / "print_cases.json").read_text())["cases"]
    out = []
    for c in cases:
        con = c["construct"]
        if not con["type"].endswith("Tensor") or not con["size"]:
            continue
        if any(isinstance(v, str) for v in con["data"]):  # nan / inf: the %f fallback
            continue
        out.append(c)
    return out


@pytest.mark.parametrize("case", _recorded_cases(), ids=lambda c: c["name"])
def test_oracle_reproduces_torch7_recorded_text(case):
    """The oracle itself is right: it gives Torch7's recorded text (labels made 0-based)."""
    import re

    con = case["construct"]
    want = case["text"][:-1]
    want = re.sub(r"Columns (\d+) to (\d+)",
                  lambda m: f"Columns {int(m.group(1)) - 1} to {int(m.group(2)) - 1}", want)
    want = re.sub(r"^\(([\d,]+),\.,\.\) = ",
                  lambda m: "(" + ",".join(str(int(p) - 1) for p in m.group(1).split(","))
                  + ",.,.) = ", want, flags=re.MULTILINE)
    values = build_from_json(con).double().contiguous().view(-1).tolist()
    assert oracle(values, con["size"], con["type"]) == want


# ------------------------------------------------------------------ thresholds, 1-D

SPANS = {
    # expMax - expMin: 4 keeps fixed, 5 goes scientific
    "span4_fixed": [0.5, 1234.5],
    "span5_sci": [0.5, 12345.5],
    "span4_small": [0.05, 123.5],
    "span5_small": [0.005, 123.5],
    "span4_exact_powers": [0.1, 1000.5],  # log10(0.1) = -1 exactly: expMin 0
    "span_below_power": [0.0999999, 1000.5],  # expMin -1: span 5
    "span4_below_1e4": [0.5, 9999.5],
    "span_at_1e4": [0.5, 10000.5],
    # expMax 5 keeps %11.4f; 6 is scaled by 1e5
    "expmax5": [12345.5, 2.5],
    "expmax6": [123456.5, 2.5],
    "expmax6_exact": [100000.5, 1000.5],
    # expMax 0 keeps %7.4f unscaled; -1 is scaled by 0.01
    "expmax0": [0.5, 0.25],
    "expmax_minus1": [0.05, 0.025],
    "expmax1": [1.5, 0.25],
    "expmax_at_1": [1.0, 0.5],
    "expmax_below_1": [0.999999, 0.5],
    # three-digit exponents
    "exp99": [1.5, 1e-98 * 1.5],
    "exp_minus99": [1.5, 1.5e-99],
    "exp_minus100": [1.5, 1.5e-100],
    "exp_minus101": [1.5, 1.5e-101],
    "exp100_big": [1.5, 1.5e99],
    "exp101_big": [1.5, 1.5e100],
    # integer mode: 9 digits %Wd, 10 digits %11.4e
    "int_9_digits": [999999999.0, 1.0],
    "int_10_digits": [1000000000.0, 1.0],
    "int_zero_only": [0.0, 0.0],
    "int_negative_zero": [-0.0, 3.0],
    "int_with_one_half": [1000000000.0, 0.5],
    "zero_and_fraction": [0.0, 0.5],
    "zero_and_big_fraction": [0.0, 123456.5],
}


@pytest.mark.parametrize("name", sorted(SPANS))
def test_threshold_1d(name):
    values = SPANS[name]
    x = torch.DoubleTensor(values)
    assert str(x) == oracle(values, [len(values)]), name


@pytest.mark.parametrize("name", sorted(SPANS))
def test_threshold_storage_matches_tensor_rules(name):
    values = SPANS[name]
    text = str(torch.DoubleStorage(values))
    body = oracle(values, [len(values)]).rsplit("\n", 1)[0]
    assert text == body + f"\n[torch.DoubleStorage of size {len(values)}]"


def test_span_of_exactly_four_decades_keeps_fixed_format():
    # The planted bug: switching to %e one decade early.
    assert str(torch.DoubleTensor([0.5, 1234.5])) == (
        "    0.5000\n 1234.5000\n[torch.DoubleTensor of size 2]")


@pytest.mark.parametrize("exponent", range(-7, 9))
@pytest.mark.parametrize("mantissa", [1.0, 1.0000001, 9.999999])
def test_every_decade_boundary(exponent, mantissa):
    """A value at, just above and just below each power of ten, with a fraction beside it."""
    values = [mantissa * 10.0 ** exponent, 0.75]
    assert str(torch.DoubleTensor(values)) == oracle(values, [2])


# ------------------------------------------------------------------ thresholds, 2-D and 3-D

@pytest.mark.parametrize("sz_values", [
    [0.5],            # %7.4f: 10 columns per block
    [12.5],           # %8.4f: 8
    [1234.5],         # %10.4f: 7
    [7.0],            # %2d: 26
    [123.0],          # %4d: 16
    [0.5, 12345.5],   # %11.4e: 6
    [123456.5],       # scaled %7.4f
])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_column_blocks_2d_at_the_width(sz_values, extra):
    _, _, sz = printformat(sz_values)
    ncol = 80 // (sz + 1) + extra
    values = [sz_values[i % len(sz_values)] for i in range(2 * ncol)]
    x = torch.DoubleTensor(values).view(2, ncol)
    assert str(x) == oracle(values, [2, ncol])


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_column_blocks_3d_indent_loses_one_column(extra):
    # Indented slices have 79 columns: %7.4f gives 9 per block (10 for a 2-D matrix).
    ncol = 79 // 8 + extra
    values = [0.5 + 0.01 * i for i in range(2 * 2 * ncol)]
    x = torch.DoubleTensor(values).view(2, 2, ncol)
    assert str(x) == oracle(values, [2, 2, ncol])


def test_scaled_matrix_with_wrapped_columns():
    values = [123456.5 + i for i in range(2 * 12)]
    x = torch.DoubleTensor(values).view(2, 12)
    assert str(x) == oracle(values, [2, 12])


@pytest.mark.parametrize("type_name", ["Float", "Int", "Long", "Short", "Char", "Byte"])
def test_other_types_use_the_double_rules(type_name):
    cls = getattr(torch, f"{type_name}Tensor")
    raw = [1.5, 100.25, 99.0, 3.0] if type_name == "Float" else [1, 100, 99, 3]
    x = cls(raw).view(2, 2)
    values = x.double().view(-1).tolist()
    assert str(x) == oracle(values, [2, 2], f"torch.{type_name}Tensor")


def test_transposed_and_strided_views_print_their_logical_order():
    base = torch.DoubleTensor([[0.5, 1234.5, 3.25], [7.5, 0.125, 99.5]])
    for view in (base.t(), base.narrow(1, 1, 2), base.select(1, 2)):
        values = view.contiguous().view(-1).tolist()
        assert str(view) == oracle(values, list(view.size()))
