//! Torch7's `tostring` text for tensors and storages.
//!
//! Users of Lua Torch7 know tensors by how `print(x)` showed them, so we reproduce that text exactly
//! (Torch7's `Tensor.lua`: `Storage__printformat`, `Tensor__printMatrix`, `Tensor__printTensor`,
//! `Storage.__tostring__`, `Tensor.__tostring__`), with two deliberate differences:
//!
//! * slice labels and column labels are 0-based (`(0,.,.) = `, `Columns 0 to 9`), matching the
//!   0-based indexing of this project;
//! * the text has no trailing newline (Torch7's ended with exactly one, which we strip).
//!
//! A tensor with a zero-size dimension (which Torch7 could not have) prints only its footer.
//!
//! Torch7 quirks kept on purpose: integer-valued data go through Lua's `%d`, which converts to an
//! integer first, so `-0.0` prints as `0` there (but `-0.0000` under `%.4f`); ±inf counts as an
//! integer, so `{1, inf}` prints with `%11.4e`; any NaN turns the format into plain `%f` with a NaN
//! column width, which puts a whole matrix in one block with single-space separators; and the
//! `Columns` header of every block after the first of an indented (≥3-D) slice loses its indent.
//!
//! Lua formatted numbers through C's `printf`; Rust's formatting differs (no `+` nor two-digit
//! exponent, `NaN` spelling), so the small C conversions needed (`%W.4f`, `%W.4e`, `%Wd`, `%f`,
//! `%g`) are rebuilt here on top of Rust's correctly rounded digit generation, which rounds the exact
//! binary value half-to-even just as glibc does.

use std::fmt::Write as _;

/// Torch7's text for a tensor. `values`: the tensor's elements in row-major logical order, as f64
/// (Torch7 also printed through a DoubleTensor copy); `sizes`: its sizes (empty slice = a tensor with no dimension);
/// `type_name`: e.g. "torch.DoubleTensor".
///
/// Panics if `values.len()` is not the product of `sizes` (a caller bug: the text would be wrong).
pub fn tensor_to_string(values: &[f64], sizes: &[usize], type_name: &str) -> String {
    if sizes.is_empty() {
        return format!("[{type_name} with no dimension]");
    }
    let n_element: usize = sizes.iter().product();
    assert_eq!(values.len(), n_element, "tensor_to_string: {} values for sizes {sizes:?}", values.len());
    let mut out = String::new();
    // Torch7 had no zero-size dimensions; with no element there is nothing to lay out.
    if n_element > 0 {
        let format = PrintFormat::select(values);
        match sizes.len() {
            1 => push_column(&mut out, values, &format),
            2 => push_matrix(&mut out, values, sizes[1], &format, ""),
            _ => push_slices(&mut out, values, sizes, &format),
        }
    }
    let dims: Vec<String> = sizes.iter().map(usize::to_string).collect();
    let _ = write!(out, "[{type_name} of size {}]", dims.join("x"));
    out
}

/// Torch7's text for a storage (one value per line, then `[torch.DoubleStorage of size 3]`).
pub fn storage_to_string(values: &[f64], type_name: &str) -> String {
    let mut out = String::new();
    if !values.is_empty() {
        push_column(&mut out, values, &PrintFormat::select(values));
    }
    let _ = write!(out, "[{type_name} of size {}]", values.len());
    out
}

// ---------------------------------------------------------------------------------------------
// Format selection (Storage__printformat)
// ---------------------------------------------------------------------------------------------

/// Which printf conversion Torch7 chose for every value of one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Conversion {
    /// Lua's `%<w>d`: the value is converted to an integer first, so `-0.0` prints as `0`.
    Integer,
    /// `%<w>.4f`.
    Fixed,
    /// `%<w>.4e`.
    Exponent,
    /// Plain `%f`: Torch7's fallback when a NaN made the width itself NaN (`"%nan.4f"`).
    NanFallback,
}

/// The format Torch7 computed once over all printed values.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PrintFormat {
    conversion: Conversion,
    /// Field width `sz`; `None` stands for Torch7's NaN width (only with `NanFallback`).
    width: Option<usize>,
    /// Values are divided by this and a `<scale> *` line is printed; `None` when Torch7 had none.
    scale: Option<f64>,
}

impl PrintFormat {
    /// Torch7's `Storage__printformat`, for a non-empty list of values.
    fn select(values: &[f64]) -> Self {
        // NaN ~= ceil(NaN), while ±inf == ceil(±inf): infinities keep integer mode.
        let int_mode = values.iter().all(|&v| v == v.ceil());
        let (min_abs, max_abs) = nan_propagating_min_max(values.iter().map(|v| v.abs()));
        let exp_min = decimal_exponent(min_abs);
        let exp_max = decimal_exponent(max_abs);
        if int_mode {
            Self::integer_format(exp_max)
        } else {
            Self::real_format(exp_min, exp_max)
        }
    }

    fn integer_format(exp_max: f64) -> Self {
        if exp_max > 9.0 {
            Self::fixed_width(Conversion::Exponent, 11)
        } else {
            // Integers have |v| >= 1 or v == 0, so exp_max is in 1..=9 here.
            Self::fixed_width(Conversion::Integer, exp_max as usize + 1)
        }
    }

    fn real_format(exp_min: f64, exp_max: f64) -> Self {
        if exp_max.is_nan() {
            // A NaN value makes both exponents NaN, so every comparison below is false and Torch7
            // reached `sz = expMax + 6`, built "%nan.4f" and fell back to "%f".
            return PrintFormat { conversion: Conversion::NanFallback, width: None, scale: None };
        }
        if exp_max - exp_min > 4.0 {
            // Three-digit exponents need one more column (this also catches infinite exponents).
            let width = if exp_max.abs() > 99.0 || exp_min.abs() > 99.0 { 12 } else { 11 };
            Self::fixed_width(Conversion::Exponent, width)
        } else if !(0.0..=5.0).contains(&exp_max) {
            let scale = 10f64.powf(exp_max - 1.0);
            PrintFormat {
                conversion: Conversion::Fixed,
                width: Some(7),
                scale: (scale != 1.0).then_some(scale),
            }
        } else if exp_max == 0.0 {
            Self::fixed_width(Conversion::Fixed, 7)
        } else {
            Self::fixed_width(Conversion::Fixed, exp_max as usize + 6)
        }
    }

    fn fixed_width(conversion: Conversion, width: usize) -> Self {
        PrintFormat { conversion, width: Some(width), scale: None }
    }

    /// One value as Torch7 printed it (already divided by the scale).
    fn format_value(&self, value: f64) -> String {
        let value = match self.scale {
            Some(scale) => value / scale,
            None => value,
        };
        let text = match self.conversion {
            Conversion::Integer => lua_integer(value),
            Conversion::Fixed => c_fixed(value, 4),
            Conversion::Exponent => c_exponent(value, 4),
            Conversion::NanFallback => c_fixed(value, 6),
        };
        pad_left(text, self.width.unwrap_or(0))
    }

    /// The `<%g of scale> *` line (with its newline), if this format has a scale.
    fn scale_line(&self) -> Option<String> {
        self.scale.map(|scale| format!("{} *\n", c_general(scale, 6)))
    }

    /// Torch7's `floor((80 - #indent) / (sz + 1))`; `None` when it was NaN, which made every
    /// comparison false, so the whole matrix went into one block without a `Columns` header.
    fn columns_per_line(&self, indent: &str) -> Option<usize> {
        // At least one column, so that a block always advances (width never exceeds 12 anyway).
        self.width.map(|width| (80usize.saturating_sub(indent.len()) / (width + 1)).max(1))
    }
}

/// Torch7's `min()`/`max()` of a DoubleTensor: a NaN anywhere makes both results NaN.
fn nan_propagating_min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for v in values {
        if v.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        min = min.min(v);
        max = max.max(v);
    }
    (min, max)
}

/// Number of digits before the decimal point: `floor(log10(x)) + 1`, and 1 for zero.
/// NaN stays NaN and infinity stays infinite, as in Lua's arithmetic.
fn decimal_exponent(abs_value: f64) -> f64 {
    if abs_value == 0.0 {
        1.0
    } else {
        abs_value.log10().floor() + 1.0
    }
}

// ---------------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------------

/// 1-D tensors and storages: optional scale line, then one value per line.
fn push_column(out: &mut String, values: &[f64], format: &PrintFormat) {
    if let Some(line) = format.scale_line() {
        out.push_str(&line);
    }
    for &v in values {
        out.push_str(&format.format_value(v));
        out.push('\n');
    }
}

/// Torch7's `Tensor__printMatrix` for a row-major matrix with `cols` columns.
///
/// The indent is written before the first block, after each `Columns` header, after the scale
/// line and before every row but the first of a block; it is *not* written before the `Columns`
/// header of later blocks (a Torch7 quirk visible in wide ≥3-D slices).
fn push_matrix(out: &mut String, matrix: &[f64], cols: usize, format: &PrintFormat, indent: &str) {
    let rows = matrix.len() / cols;
    let scale_line = format.scale_line();
    // Scaled rows get one extra leading space, so values line up under the scale line's text.
    let row_prefix = match scale_line {
        Some(_) => format!("{indent} "),
        None => indent.to_string(),
    };
    let per_line = format.columns_per_line(indent);
    let in_blocks = per_line.is_some_and(|n| n < cols);
    out.push_str(indent);
    let mut first = 0;
    while first < cols {
        let end = match per_line {
            Some(n) if first + n <= cols => first + n,
            _ => cols,
        };
        if in_blocks {
            if first != 0 {
                out.push('\n');
            }
            let _ = write!(out, "Columns {first} to {}\n{indent}", end - 1);
        }
        if let Some(line) = &scale_line {
            out.push_str(line);
            out.push(' ');
            out.push_str(indent);
        }
        for r in 0..rows {
            if r != 0 {
                out.push_str(&row_prefix);
            }
            let row = &matrix[r * cols..(r + 1) * cols];
            let cells: Vec<String> = row[first..end].iter().map(|&v| format.format_value(v)).collect();
            out.push_str(&cells.join(" "));
            out.push('\n');
        }
        first = end;
    }
}

/// Torch7's `Tensor__printTensor` for ≥3-D tensors: one matrix per index tuple of the leading
/// dimensions, the FIRST index varying fastest, each under a `(i0,i1,.,.) = ` header (note the
/// trailing space) and printed with indent " "; slices are separated by a blank line.
fn push_slices(out: &mut String, values: &[f64], sizes: &[usize], format: &PrintFormat) {
    let (leading, matrix_dims) = sizes.split_at(sizes.len() - 2);
    let (rows, cols) = (matrix_dims[0], matrix_dims[1]);
    let slice_len = rows * cols;
    let mut counter = vec![0usize; leading.len()];
    let mut first_slice = true;
    loop {
        if !first_slice {
            out.push('\n');
        }
        first_slice = false;
        out.push('(');
        for i in &counter {
            let _ = write!(out, "{i},");
        }
        out.push_str(".,.) = \n");
        // Data are row-major, so a slice is the contiguous block at the tuple's row-major rank.
        let rank = counter.iter().zip(leading).fold(0, |rank, (&i, &size)| rank * size + i);
        let slice = &values[rank * slice_len..(rank + 1) * slice_len];
        push_matrix(out, slice, cols, format, " ");
        if !advance_first_fastest(&mut counter, leading) {
            break;
        }
    }
}

/// Steps an index tuple with the first index varying fastest; false once it wraps around.
fn advance_first_fastest(counter: &mut [usize], sizes: &[usize]) -> bool {
    for (index, &size) in counter.iter_mut().zip(sizes) {
        *index += 1;
        if *index < size {
            return true;
        }
        *index = 0;
    }
    false
}

// ---------------------------------------------------------------------------------------------
// C printf conversions
// ---------------------------------------------------------------------------------------------

/// C's spelling of non-finite values (glibc prints NaN's sign, but Torch7's LuaJIT did not).
fn c_non_finite(value: f64) -> Option<String> {
    if value.is_nan() {
        Some("nan".to_string())
    } else if value.is_infinite() {
        Some(if value < 0.0 { "-inf" } else { "inf" }.to_string())
    } else {
        None
    }
}

/// Right-aligns in a field of `width` characters, like a printf width (never truncates).
fn pad_left(text: String, width: usize) -> String {
    if text.len() >= width {
        text
    } else {
        format!("{text:>width$}")
    }
}

/// Lua's `string.format('%d', v)`: the number is converted to an integer, so `-0.0` gives `0`.
fn lua_integer(value: f64) -> String {
    match c_non_finite(value) {
        Some(text) => text,
        None => (value as i64).to_string(),
    }
}

/// C's `%.<precision>f`; `-0.0` keeps its sign (`-0.0000`), as in C.
fn c_fixed(value: f64, precision: usize) -> String {
    match c_non_finite(value) {
        Some(text) => text,
        None => format!("{value:.precision$}"),
    }
}

/// C's `%.<precision>e`: signed exponent of at least two digits (`1.2346e+05`, `1.0000e-300`).
fn c_exponent(value: f64, precision: usize) -> String {
    if let Some(text) = c_non_finite(value) {
        return text;
    }
    let (mantissa, exponent) = split_exponent(value, precision);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// C's `%.<precision>g`: `%e` or `%f` by the decimal exponent, without trailing zeros
/// (`0.001`, `1e-05`, `100000`, `1e+06`).
fn c_general(value: f64, precision: usize) -> String {
    if let Some(text) = c_non_finite(value) {
        return text;
    }
    let precision = precision.max(1);
    // The exponent after rounding to `precision` significant digits decides the style.
    let (mantissa, exponent) = split_exponent(value, precision - 1);
    if exponent < -4 || exponent >= precision as i32 {
        let sign = if exponent < 0 { '-' } else { '+' };
        let mantissa = strip_fraction_zeros(&mantissa);
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent) as usize;
        strip_fraction_zeros(&c_fixed(value, decimals)).to_string()
    }
}

/// Rust's correctly rounded scientific digits, split into mantissa text and exponent value.
fn split_exponent(value: f64, precision: usize) -> (String, i32) {
    let text = format!("{value:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').expect("Rust's {:e} output always has an exponent");
    let exponent = exponent.parse().expect("Rust's {:e} exponent is an integer");
    (mantissa.to_string(), exponent)
}

/// Drops trailing zeros of a fraction, and the point if nothing is left after it.
fn strip_fraction_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Torch7's own output, recorded from Lua (vendored in the repo's tests/fixtures/torch7).
    const FIXTURES: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/torch7/print/print_cases.json");

    /// Torch7's 1-based `Columns a to b` and `(i,j,.,.) = ` labels, rewritten 0-based.
    fn relabel_line(line: &str) -> String {
        let body = line.trim_start();
        let lead = &line[..line.len() - body.len()];
        if let Some(range) = body.strip_prefix("Columns ") {
            let (a, b) = range.split_once(" to ").expect("Columns a to b");
            let a: usize = a.parse().unwrap();
            let b: usize = b.parse().unwrap();
            return format!("{lead}Columns {} to {}", a - 1, b - 1);
        }
        if let Some(indices) = body.strip_prefix('(').and_then(|rest| rest.strip_suffix(".,.) = ")) {
            let shifted: String = indices
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| format!("{},", s.parse::<usize>().unwrap() - 1))
                .collect();
            return format!("{lead}({shifted}.,.) = ");
        }
        line.to_string()
    }

    fn expected_text(torch7_text: &str) -> String {
        let text = torch7_text.strip_suffix('\n').unwrap_or(torch7_text);
        text.split('\n').map(relabel_line).collect::<Vec<_>>().join("\n")
    }

    fn fixture_value(value: &serde_json::Value) -> f64 {
        match value {
            serde_json::Value::Number(n) => n.as_f64().unwrap(),
            serde_json::Value::String(s) => s.parse().expect("nan, inf or -inf"),
            other => panic!("unexpected fixture value {other}"),
        }
    }

    fn usize_list(value: &serde_json::Value) -> Vec<usize> {
        value.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect()
    }

    #[test]
    fn matches_every_torch7_fixture() {
        let json =
            std::fs::read_to_string(FIXTURES).unwrap_or_else(|e| panic!("cannot read {FIXTURES}: {e}"));
        let root: serde_json::Value = serde_json::from_str(&json).unwrap();
        let cases = root["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 26);
        let mut failures = Vec::new();
        for case in cases {
            let construct = &case["construct"];
            let type_name = construct["type"].as_str().unwrap();
            let values: Vec<f64> = construct["data"].as_array().unwrap().iter().map(fixture_value).collect();
            let actual = if type_name.ends_with("Storage") {
                storage_to_string(&values, type_name)
            } else {
                tensor_to_string(&values, &usize_list(&construct["size"]), type_name)
            };
            let expected = expected_text(case["text"].as_str().unwrap());
            if actual != expected {
                failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", case["name"]));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn relabels_fixture_text_to_zero_based() {
        assert_eq!(relabel_line("Columns 11 to 20"), "Columns 10 to 19");
        assert_eq!(relabel_line(" Columns 1 to 9"), " Columns 0 to 8");
        assert_eq!(relabel_line("(2,1,.,.) = "), "(1,0,.,.) = ");
        assert_eq!(relabel_line("  1.0000"), "  1.0000");
    }

    #[test]
    fn zero_size_dimension_prints_only_the_footer() {
        assert_eq!(tensor_to_string(&[], &[3, 0], "torch.DoubleTensor"), "[torch.DoubleTensor of size 3x0]");
        assert_eq!(tensor_to_string(&[], &[0], "torch.FloatTensor"), "[torch.FloatTensor of size 0]");
        assert_eq!(
            tensor_to_string(&[], &[2, 0, 4], "torch.DoubleTensor"),
            "[torch.DoubleTensor of size 2x0x4]"
        );
    }

    #[test]
    fn no_dimension_and_empty_storage() {
        assert_eq!(tensor_to_string(&[], &[], "torch.LongTensor"), "[torch.LongTensor with no dimension]");
        assert_eq!(storage_to_string(&[], "torch.DoubleStorage"), "[torch.DoubleStorage of size 0]");
    }

    #[test]
    fn negative_zero() {
        // Integer mode goes through Lua's %d, which converts to an integer first: the sign is lost.
        assert_eq!(
            tensor_to_string(&[-0.0, 1.0], &[2], "torch.DoubleTensor"),
            " 0\n 1\n[torch.DoubleTensor of size 2]"
        );
        // %.4f keeps it, as C does.
        assert_eq!(
            tensor_to_string(&[-0.0, 0.5], &[2], "torch.DoubleTensor"),
            "-0.0000\n 0.5000\n[torch.DoubleTensor of size 2]"
        );
        assert_eq!(c_fixed(-0.0, 0), "-0");
        assert_eq!(c_exponent(-0.0, 4), "-0.0000e+00");
    }

    #[test]
    fn c_general_matches_printf() {
        assert_eq!(c_general(1e-5, 6), "1e-05");
        assert_eq!(c_general(1e6, 6), "1e+06");
        assert_eq!(c_general(100000.0, 6), "100000");
        assert_eq!(c_general(0.0001, 6), "0.0001");
        assert_eq!(c_general(0.001, 6), "0.001");
        assert_eq!(c_general(0.01, 6), "0.01");
        assert_eq!(c_general(1e-300, 6), "1e-300");
        assert_eq!(c_general(123456.7, 6), "123457");
        assert_eq!(c_general(1234567.0, 6), "1.23457e+06");
        assert_eq!(c_general(0.0, 6), "0");
        assert_eq!(c_general(2.5, 6), "2.5");
    }

    #[test]
    fn c_exponent_and_fixed_match_printf() {
        assert_eq!(c_exponent(123456.789, 4), "1.2346e+05");
        assert_eq!(c_exponent(-98765.4321, 4), "-9.8765e+04");
        assert_eq!(c_exponent(1e-300, 4), "1.0000e-300");
        assert_eq!(c_exponent(1e300, 4), "1.0000e+300");
        // Exact binary ties round half to even, as glibc does.
        assert_eq!(c_fixed(0.125, 2), "0.12");
        assert_eq!(c_fixed(2.5, 0), "2");
        assert_eq!(c_fixed(f64::NAN, 6), "nan");
        assert_eq!(pad_left(c_exponent(f64::NEG_INFINITY, 4), 11), "       -inf");
    }

    #[test]
    fn scale_lines_use_percent_g() {
        assert_eq!(
            tensor_to_string(&[1.5e-5, -2.5e-5], &[2], "torch.DoubleTensor"),
            "1e-05 *\n 1.5000\n-2.5000\n[torch.DoubleTensor of size 2]"
        );
        assert_eq!(
            tensor_to_string(&[1234567.5, 2e6], &[2], "torch.DoubleTensor"),
            "1e+06 *\n 1.2346\n 2.0000\n[torch.DoubleTensor of size 2]"
        );
        assert_eq!(
            storage_to_string(&[0.5e-4, 0.25e-4], "torch.FloatStorage"),
            "1e-05 *\n 5.0000\n 2.5000\n[torch.FloatStorage of size 2]"
        );
    }

    #[test]
    fn three_digit_exponents_widen_to_twelve() {
        assert_eq!(
            tensor_to_string(&[1e-300, 1.0], &[2], "torch.DoubleTensor"),
            " 1.0000e-300\n  1.0000e+00\n[torch.DoubleTensor of size 2]"
        );
        assert_eq!(
            tensor_to_string(&[1e-300, 1.0], &[1, 2], "torch.DoubleTensor"),
            " 1.0000e-300   1.0000e+00\n[torch.DoubleTensor of size 1x2]"
        );
    }

    #[test]
    fn infinity_without_nan_follows_the_arithmetic() {
        // ±inf == ceil(±inf) keeps integer mode, and an infinite exponent selects %11.4e.
        assert_eq!(
            tensor_to_string(&[1.0, f64::INFINITY, f64::NEG_INFINITY], &[3], "torch.DoubleTensor"),
            " 1.0000e+00\n        inf\n       -inf\n[torch.DoubleTensor of size 3]"
        );
        // Non-integer: exponent range is infinite and |inf| > 99 gives width 12.
        assert_eq!(
            tensor_to_string(&[0.5, f64::INFINITY], &[2], "torch.DoubleTensor"),
            "  5.0000e-01\n         inf\n[torch.DoubleTensor of size 2]"
        );
    }

    fn thousandths(n: usize) -> Vec<f64> {
        (1..=n).map(|k| k as f64 * 0.001).collect()
    }

    #[test]
    fn wide_scaled_matrix_repeats_the_scale_per_block() {
        // width 7 gives floor(80 / 8) = 10 columns per block.
        let expected = "Columns 0 to 9\n\
             0.01 *\n  \
             0.1000  0.2000  0.3000  0.4000  0.5000  0.6000  0.7000  0.8000  0.9000  1.0000\n  \
             1.3000  1.4000  1.5000  1.6000  1.7000  1.8000  1.9000  2.0000  2.1000  2.2000\n\
             \n\
             Columns 10 to 11\n\
             0.01 *\n  \
             1.1000  1.2000\n  \
             2.3000  2.4000\n\
             [torch.DoubleTensor of size 2x12]";
        assert_eq!(tensor_to_string(&thousandths(24), &[2, 12], "torch.DoubleTensor"), expected);
    }

    #[test]
    fn wide_slice_drops_the_indent_before_later_column_headers() {
        // Indent " " leaves floor(79 / 8) = 9 columns; Torch7 indents only the first header.
        let expected = "(0,.,.) = \n \
             Columns 0 to 8\n \
             0.01 *\n   \
             0.1000  0.2000  0.3000  0.4000  0.5000  0.6000  0.7000  0.8000  0.9000\n\
             \n\
             Columns 9 to 11\n \
             0.01 *\n   \
             1.0000  1.1000  1.2000\n\
             [torch.DoubleTensor of size 1x1x12]";
        assert_eq!(tensor_to_string(&thousandths(12), &[1, 1, 12], "torch.DoubleTensor"), expected);
    }

    #[test]
    fn slices_iterate_first_index_fastest_with_a_shared_format() {
        let values: Vec<f64> = (0..8).map(f64::from).collect();
        let expected = "(0,0,.,.) = \n  0\n  1\n\
             \n(1,0,.,.) = \n  4\n  5\n\
             \n(0,1,.,.) = \n  2\n  3\n\
             \n(1,1,.,.) = \n  6\n  7\n\
             [torch.DoubleTensor of size 2x2x2x1]";
        assert_eq!(tensor_to_string(&values, &[2, 2, 2, 1], "torch.DoubleTensor"), expected);
    }

    #[test]
    fn nan_falls_back_to_plain_percent_f_in_one_block() {
        let mut values = vec![0.5; 20];
        values[0] = f64::NAN;
        let text = tensor_to_string(&values, &[1, 20], "torch.DoubleTensor");
        let first_line = text.lines().next().unwrap();
        assert!(!text.contains("Columns"));
        assert!(first_line.starts_with("nan 0.500000 0.500000"));
        assert_eq!(first_line.split(' ').count(), 20);
    }

    #[test]
    #[should_panic(expected = "3 values for sizes [2, 2]")]
    fn mismatched_sizes_panic() {
        tensor_to_string(&[1.0, 2.0, 3.0], &[2, 2], "torch.DoubleTensor");
    }
}
