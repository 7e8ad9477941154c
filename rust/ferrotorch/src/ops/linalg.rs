//! Matrix products, LAPACK-class functions and convolutions (groups E, G, H).
//!
//! Group E (dot, mv, mm, bmm, ger and the add* family) reduce to one strided product,
//! `res = beta·res + alpha·A·B`, through [`crate::cpu::blas`]: every operand goes to the GEMM
//! with its own strides (transposed, narrowed, stepped views are not copied). Results are written
//! into a tensor the caller has sized (the bindings' `out=` or a new one). An input that overlaps
//! the result without being the accumulated matrix is copied first (DESIGN: compute through a
//! temporary).

use crate::cpu::blas::{self, BlasScalar, MatMut, MatRef};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::size_string;
use crate::parallel;
use crate::storage::StorageView;
use crate::tensor::{Scalar, Tensor};
use rayon::prelude::*;

/// TypeError unless every operand has the first one's type and it is not Half.
pub fn check_same_type(what: &str, tensors: &[&Tensor]) -> Result<DType> {
    let dt = super::check_same_type(what, tensors)?;
    if dt == DType::Half {
        return Err(crate::dtype::half_math_error(what));
    }
    Ok(dt)
}

/// ValueError unless `t` has `ndim` dims.
pub fn check_rank(what: &str, name: &str, t: &Tensor, ndim: usize) -> Result<()> {
    if t.ndim() != ndim {
        return Err(Error::Value(format!(
            "{what}: {name} must be a {ndim}-D tensor, got size {} ({}-D)",
            size_string(t.sizes()),
            t.ndim()
        )));
    }
    Ok(())
}

/// Whether two tensors' memory ranges intersect (same block, overlapping byte spans).
pub fn overlaps(a: &Tensor, b: &Tensor) -> bool {
    let (Some(ea), Some(eb)) = (a.layout().extent(), b.layout().extent()) else {
        return false;
    };
    let (va, vb) = (a.storage().view(), b.storage().view());
    if !std::sync::Arc::ptr_eq(&va.block, &vb.block) {
        return false;
    }
    let es = a.dtype().element_size();
    let (s0, e0) = ((va.offset + a.storage_offset()) * es, (va.offset + ea) * es);
    let (s1, e1) = ((vb.offset + b.storage_offset()) * es, (vb.offset + eb) * es);
    s0 < e1 && s1 < e0
}

/// `t` itself when it does not overlap `res`, else a contiguous copy.
fn detached(res: &Tensor, t: &Tensor) -> Result<Tensor> {
    if overlaps(res, t) {
        t.clone_contiguous()
    } else {
        Ok(t.clone())
    }
}

/// Pointer to `t`'s first element inside its checked block.
fn first<T: crate::Element>(t: &Tensor, view: &StorageView) -> *mut T {
    // SAFETY: the caller checked the layout against the block (checked_view).
    unsafe { view.base::<T>().add(t.storage_offset()) }
}

fn stride(t: &Tensor, d: usize) -> isize {
    t.strides()[d] as isize
}

/// A strided matrix operand over dims (d0, d1) of `t` from `base`.
fn mat<T>(base: *const T, t: &Tensor, d0: usize, d1: usize) -> MatRef<T> {
    MatRef { ptr: base, rows: t.sizes()[d0], cols: t.sizes()[d1], rs: stride(t, d0), cs: stride(t, d1) }
}

fn mat_mut<T>(base: *mut T, t: &Tensor, d0: usize, d1: usize) -> MatMut<T> {
    MatMut { ptr: base, rows: t.sizes()[d0], cols: t.sizes()[d1], rs: stride(t, d0), cs: stride(t, d1) }
}

/// The result must be writable and must not write one element twice.
fn check_result(what: &str, res: &Tensor) -> Result<()> {
    res.check_writable(what)
}

/// Copies `c` into `res` (unless it is res itself), when beta is not 0.
fn load_accumulated(res: &Tensor, beta: Scalar, c: &Tensor) -> Result<()> {
    let zero = match beta {
        Scalar::Int(v) => v == 0,
        Scalar::Float(v) => v == 0.0,
    };
    if zero || res.is_set_to(c) {
        return Ok(());
    }
    res.copy_same_shape(c)
}

/// Runs `f(dst)` on `res`, or on a contiguous temporary (holding res's values) copied back,
/// when res's elements overlap each other.
fn through_temp(res: &Tensor, f: impl FnOnce(&Tensor) -> Result<()>) -> Result<()> {
    if res.layout().is_non_overlapping() {
        return f(res);
    }
    let tmp = res.clone_contiguous()?;
    f(&tmp)?;
    res.copy_same_shape(&tmp)
}

fn threads() -> usize {
    parallel::num_threads()
}

// ------------------------------------------------------------------------------------ products

/// `res = beta·C + alpha·A·B` (res m×n sized by the caller, C m×n, A m×k, B k×n).
pub fn addmm_into(
    res: &Tensor,
    beta: Scalar,
    c: &Tensor,
    alpha: Scalar,
    a: &Tensor,
    b: &Tensor,
) -> Result<()> {
    const W: &str = "addmm";
    check_same_type(W, &[res, c, a, b])?;
    check_rank(W, "the added matrix", c, 2)?;
    check_rank(W, "the first matrix", a, 2)?;
    check_rank(W, "the second matrix", b, 2)?;
    mm_sizes(W, a, b)?;
    let want = [a.sizes()[0], b.sizes()[1]];
    if c.sizes() != want || res.sizes() != want {
        return Err(Error::Value(format!(
            "{W}: the added matrix has size {} but {} x {} gives {}",
            size_string(c.sizes()),
            size_string(a.sizes()),
            size_string(b.sizes()),
            size_string(&want)
        )));
    }
    check_result(W, res)?;
    let (a, b) = (detached(res, a)?, detached(res, b)?);
    load_accumulated(res, beta, c)?;
    through_temp(res, |dst| gemm_2d(dst, beta, alpha, &a, &b, threads()))
}

fn mm_sizes(what: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    let (ad, bd) = (a.ndim(), b.ndim());
    if a.sizes()[ad - 1] != b.sizes()[bd - 2] {
        return Err(Error::Value(format!(
            "{what}: size mismatch, {} x {} (inner sizes {} and {} differ)",
            size_string(a.sizes()),
            size_string(b.sizes()),
            a.sizes()[ad - 1],
            b.sizes()[bd - 2]
        )));
    }
    Ok(())
}

/// The product on checked 2-D operands; dst does not overlap a or b.
fn gemm_2d(dst: &Tensor, beta: Scalar, alpha: Scalar, a: &Tensor, b: &Tensor, threads: usize) -> Result<()> {
    if dst.numel() == 0 {
        return Ok(());
    }
    let (dv, av, bv) = (dst.checked_view()?, a.checked_view()?, b.checked_view()?);
    crate::with_math_dtype!(dst.dtype(), "addmm", T, {
        let d = mat_mut(first::<T>(dst, &dv), dst, 0, 1);
        let l = mat(first::<T>(a, &av) as *const T, a, 0, 1);
        let r = mat(first::<T>(b, &bv) as *const T, b, 0, 1);
        // SAFETY: all three layouts were checked against their blocks (kept alive by the views);
        // dst is non-overlapping and disjoint from a and b (detached / through_temp).
        unsafe { gemm_any(d, beta.cast::<T>(), alpha.cast::<T>(), l, r, threads) }
    });
    Ok(())
}

/// gemm, with depth 0 handled by the portable loop (which scales dst by beta).
///
/// # Safety
/// As [`BlasScalar::gemm`].
unsafe fn gemm_any<T: BlasScalar>(
    d: MatMut<T>,
    beta: T,
    alpha: T,
    l: MatRef<T>,
    r: MatRef<T>,
    threads: usize,
) {
    // SAFETY: forwarded.
    unsafe {
        if l.cols == 0 {
            blas::gemm_portable(d, beta, alpha, l, r)
        } else {
            T::gemm(d, beta, alpha, l, r, threads)
        }
    }
}

/// `res_i = beta·C_i + alpha·A_i·B_i` (3-D operands; res sized by the caller).
pub fn baddbmm_into(
    res: &Tensor,
    beta: Scalar,
    c: &Tensor,
    alpha: Scalar,
    a: &Tensor,
    b: &Tensor,
) -> Result<()> {
    const W: &str = "baddbmm";
    check_same_type(W, &[res, c, a, b])?;
    check_rank(W, "the added tensor", c, 3)?;
    check_rank(W, "the first batch", a, 3)?;
    check_rank(W, "the second batch", b, 3)?;
    mm_sizes(W, a, b)?;
    let want = [a.sizes()[0], a.sizes()[1], b.sizes()[2]];
    if a.sizes()[0] != b.sizes()[0] || c.sizes() != want || res.sizes() != want {
        return Err(Error::Value(format!(
            "{W}: batches of size {} and {} with the added tensor of size {} (expected {})",
            size_string(a.sizes()),
            size_string(b.sizes()),
            size_string(c.sizes()),
            size_string(&want)
        )));
    }
    check_result(W, res)?;
    let (a, b) = (detached(res, a)?, detached(res, b)?);
    load_accumulated(res, beta, c)?;
    through_temp(res, |dst| batched(dst, beta, alpha, &a, &b))
}

/// Batched products on checked operands: small matrices run one per thread, large ones one at a
/// time on all threads.
fn batched(dst: &Tensor, beta: Scalar, alpha: Scalar, a: &Tensor, b: &Tensor) -> Result<()> {
    if dst.numel() == 0 {
        return Ok(());
    }
    let (dv, av, bv) = (dst.checked_view()?, a.checked_view()?, b.checked_view()?);
    let nb = dst.sizes()[0];
    crate::with_math_dtype!(dst.dtype(), "bmm", T, {
        let d = mat_mut(first::<T>(dst, &dv), dst, 1, 2);
        let l = mat(first::<T>(a, &av) as *const T, a, 1, 2);
        let r = mat(first::<T>(b, &bv) as *const T, b, 1, 2);
        let (sd, sa, sb) = (stride(dst, 0), stride(a, 0), stride(b, 0));
        let (beta, alpha) = (beta.cast::<T>(), alpha.cast::<T>());
        let one = move |i: usize, th: usize| {
            let (d, l, r) = (d, l, r); // capture whole (Send + Sync) operands
            let i = i as isize;
            // SAFETY: batch i of each checked layout; the destinations of different batches
            // are disjoint (dst is non-overlapping) and disjoint from a and b.
            unsafe {
                gemm_any(
                    MatMut { ptr: d.ptr.offset(i * sd), ..d },
                    beta,
                    alpha,
                    MatRef { ptr: l.ptr.offset(i * sa), ..l },
                    MatRef { ptr: r.ptr.offset(i * sb), ..r },
                    th,
                )
            }
        };
        let flops = d.rows * d.cols * l.cols;
        let th = threads();
        if nb > 1 && th > 1 && flops <= blas::SERIAL_FLOPS && flops.saturating_mul(nb) > blas::SERIAL_FLOPS {
            parallel::install(|| (0..nb).into_par_iter().for_each(|i| one(i, 1)));
        } else {
            (0..nb).for_each(|i| one(i, th));
        }
    });
    Ok(())
}

/// `res = beta·M + alpha·Σ_i A_i·B_i` (res and M 2-D, A and B 3-D).
pub fn addbmm_into(
    res: &Tensor,
    beta: Scalar,
    m: &Tensor,
    alpha: Scalar,
    a: &Tensor,
    b: &Tensor,
) -> Result<()> {
    const W: &str = "addbmm";
    check_same_type(W, &[res, m, a, b])?;
    check_rank(W, "the added matrix", m, 2)?;
    check_rank(W, "the first batch", a, 3)?;
    check_rank(W, "the second batch", b, 3)?;
    mm_sizes(W, a, b)?;
    let want = [a.sizes()[1], b.sizes()[2]];
    if a.sizes()[0] != b.sizes()[0] || m.sizes() != want || res.sizes() != want {
        return Err(Error::Value(format!(
            "{W}: batches of size {} and {} with the added matrix of size {} (expected {})",
            size_string(a.sizes()),
            size_string(b.sizes()),
            size_string(m.sizes()),
            size_string(&want)
        )));
    }
    check_result(W, res)?;
    let (a, b) = (detached(res, a)?, detached(res, b)?);
    load_accumulated(res, beta, m)?;
    through_temp(res, |dst| {
        let nb = a.sizes()[0];
        if nb == 0 {
            let l = Tensor::zeros(dst.dtype(), &[dst.sizes()[0], 0])?;
            let r = Tensor::zeros(dst.dtype(), &[0, dst.sizes()[1]])?;
            return gemm_2d(dst, beta, alpha, &l, &r, 1);
        }
        for i in 0..nb {
            let bi = if i == 0 { beta } else { Scalar::Int(1) };
            gemm_2d(dst, bi, alpha, &a.select(0, i as i64)?, &b.select(0, i as i64)?, threads())?;
        }
        Ok(())
    })
}

/// `res = beta·v + alpha·M·x` (res and v of size n, M n×m, x of size m).
pub fn addmv_into(
    res: &Tensor,
    beta: Scalar,
    v: &Tensor,
    alpha: Scalar,
    m: &Tensor,
    x: &Tensor,
) -> Result<()> {
    const W: &str = "addmv";
    check_same_type(W, &[res, v, m, x])?;
    check_rank(W, "the added vector", v, 1)?;
    check_rank(W, "the matrix", m, 2)?;
    check_rank(W, "the vector", x, 1)?;
    if m.sizes()[1] != x.sizes()[0] || v.sizes()[0] != m.sizes()[0] || res.sizes() != v.sizes() {
        return Err(Error::Value(format!(
            "{W}: size mismatch, matrix {} times vector {} added to vector {}",
            size_string(m.sizes()),
            size_string(x.sizes()),
            size_string(v.sizes())
        )));
    }
    check_result(W, res)?;
    let (m, x) = (detached(res, m)?, detached(res, x)?);
    load_accumulated(res, beta, v)?;
    let col = |t: &Tensor| t.unsqueeze(1);
    through_temp(res, |dst| gemm_2d(&col(dst)?, beta, alpha, &m, &col(&x)?, threads()))
}

/// `res = beta·M + alpha·x·yᵀ` (M n×m, x of size n, y of size m).
pub fn addr_into(
    res: &Tensor,
    beta: Scalar,
    m: &Tensor,
    alpha: Scalar,
    x: &Tensor,
    y: &Tensor,
) -> Result<()> {
    const W: &str = "addr";
    check_same_type(W, &[res, m, x, y])?;
    check_rank(W, "the added matrix", m, 2)?;
    check_rank(W, "the first vector", x, 1)?;
    check_rank(W, "the second vector", y, 1)?;
    let want = [x.sizes()[0], y.sizes()[0]];
    if m.sizes() != want || res.sizes() != want {
        return Err(Error::Value(format!(
            "{W}: outer product of vectors {} and {} does not fit the added matrix {}",
            size_string(x.sizes()),
            size_string(y.sizes()),
            size_string(m.sizes())
        )));
    }
    check_result(W, res)?;
    let (x, y) = (detached(res, x)?, detached(res, y)?);
    load_accumulated(res, beta, m)?;
    through_temp(res, |dst| gemm_2d(dst, beta, alpha, &x.unsqueeze(1)?, &y.unsqueeze(0)?, threads()))
}

/// Σ x_i·y_i over all elements in row-major order (equal element counts); Torch7 accumulated
/// integer types in a long, as here.
pub fn dot(x: &Tensor, y: &Tensor) -> Result<Scalar> {
    const W: &str = "dot";
    check_same_type(W, &[x, y])?;
    if x.numel() != y.numel() {
        return Err(Error::Value(format!(
            "{W}: tensors of size {} and {} do not have the same number of elements",
            size_string(x.sizes()),
            size_string(y.sizes())
        )));
    }
    let n = x.numel();
    if n == 0 {
        return Ok(if x.dtype().is_floating_point() { Scalar::Float(0.0) } else { Scalar::Int(0) });
    }
    // One stride per operand: a 1-D tensor, or a contiguous one; anything else is copied.
    let flat = |t: &Tensor| -> Result<(Tensor, isize)> {
        if t.ndim() == 1 {
            Ok((t.clone(), stride(t, 0)))
        } else if t.is_contiguous() {
            Ok((t.clone(), 1))
        } else {
            Ok((t.clone_contiguous()?, 1))
        }
    };
    let ((xt, ix), (yt, iy)) = (flat(x)?, flat(y)?);
    let (xv, yv) = (xt.checked_view()?, yt.checked_view()?);
    Ok(match x.dtype() {
        DType::Float => {
            // SAFETY: n elements with these increments lie in the checked layouts.
            let s = unsafe { f32::dot(n, first::<f32>(&xt, &xv), ix, first::<f32>(&yt, &yv), iy) };
            Scalar::Float(s as f64)
        }
        DType::Double => {
            // SAFETY: as above.
            Scalar::Float(unsafe { f64::dot(n, first::<f64>(&xt, &xv), ix, first::<f64>(&yt, &yv), iy) })
        }
        dt => {
            let (a, b) = (x.to_vec::<i64>()?, y.to_vec::<i64>()?);
            let _ = dt;
            Scalar::Int(a.iter().zip(&b).fold(0i64, |s, (p, q)| s.wrapping_add(p.wrapping_mul(*q))))
        }
    })
}

/// Result sizes of a matrix product family member, after rank checks.
pub fn product_sizes(what: &str, a: &Tensor, b: &Tensor) -> Result<Vec<usize>> {
    match what {
        "mm" => {
            check_rank(what, "the first matrix", a, 2)?;
            check_rank(what, "the second matrix", b, 2)?;
            mm_sizes(what, a, b)?;
            Ok(vec![a.sizes()[0], b.sizes()[1]])
        }
        "bmm" => {
            check_rank(what, "the first batch", a, 3)?;
            check_rank(what, "the second batch", b, 3)?;
            mm_sizes(what, a, b)?;
            if a.sizes()[0] != b.sizes()[0] {
                return Err(Error::Value(format!(
                    "{what}: batches of size {} and {} have different batch counts",
                    size_string(a.sizes()),
                    size_string(b.sizes())
                )));
            }
            Ok(vec![a.sizes()[0], a.sizes()[1], b.sizes()[2]])
        }
        "mv" => {
            check_rank(what, "the matrix", a, 2)?;
            check_rank(what, "the vector", b, 1)?;
            if a.sizes()[1] != b.sizes()[0] {
                return Err(Error::Value(format!(
                    "{what}: size mismatch, matrix {} times vector {}",
                    size_string(a.sizes()),
                    size_string(b.sizes())
                )));
            }
            Ok(vec![a.sizes()[0]])
        }
        _ => {
            check_rank(what, "the first vector", a, 1)?;
            check_rank(what, "the second vector", b, 1)?;
            Ok(vec![a.sizes()[0], b.sizes()[0]])
        }
    }
}

/// mm / bmm / mv / ger into `res` (sized by [`product_sizes`]).
pub fn product_into(what: &str, res: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    let (z, one) = (Scalar::Int(0), Scalar::Int(1));
    match what {
        "mm" => addmm_into(res, z, res, one, a, b),
        "bmm" => baddbmm_into(res, z, res, one, a, b),
        "mv" => addmv_into(res, z, res, one, a, b),
        _ => addr_into(res, z, res, one, a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm_of_transposed_views() {
        let a = Tensor::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]).unwrap();
        let at = a.t().unwrap(); // 2x3, strides (1, 2)
        let res = Tensor::zeros(DType::Double, &[2, 2]).unwrap();
        product_into("mm", &res, &at, &a).unwrap();
        assert_eq!(res.to_vec::<f64>().unwrap(), vec![35.0, 44.0, 44.0, 56.0]);
        let i = Tensor::from_slice(&[1i64, 2, 3, 4], &[2, 2]).unwrap();
        let r = Tensor::zeros(DType::Long, &[2, 2]).unwrap();
        product_into("mm", &r, &i, &i).unwrap();
        assert_eq!(r.to_vec::<i64>().unwrap(), vec![7, 10, 15, 22]);
        assert_eq!(dot(&i, &i).unwrap(), Scalar::Int(30));
    }
}

// ------------------------------------------------------------------------------- LAPACK (H)

mod lapack {
    use super::*;
    use crate::cpu::linalg as k;
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::reborrow::{Reborrow, ReborrowMut};
    use faer::{Mat, MatMut, MatRef};

    /// TypeError unless Float/Double; ValueError unless 2-D (a 1-D right-hand side becomes a
    /// column): the matrix's (rows, columns).
    pub(super) fn dims(what: &str, name: &str, t: &Tensor, allow_vector: bool) -> Result<(usize, usize)> {
        if !matches!(t.dtype(), DType::Float | DType::Double) {
            return Err(Error::Type(format!(
                "{what} is only available for torch.FloatTensor and torch.DoubleTensor, got {}",
                t.dtype().tensor_type_name()
            )));
        }
        match t.ndim() {
            2 => Ok((t.sizes()[0], t.sizes()[1])),
            1 if allow_vector => Ok((t.sizes()[0], 1)),
            d => Err(Error::Value(format!(
                "{what}: {name} must be a 2-D matrix, got size {} ({d}-D)",
                size_string(t.sizes())
            ))),
        }
    }

    fn not_finite(what: &str, name: &str, t: &Tensor) -> Error {
        Error::Value(format!("{what}: {name} of size {} contains NaN or infinity", size_string(t.sizes())))
    }

    /// (row, column) strides of `t` as a matrix (a 1-D tensor is a column).
    fn strides2(t: &Tensor) -> (isize, isize) {
        if t.ndim() == 2 {
            (stride(t, 0), stride(t, 1))
        } else {
            (stride(t, 0), 0)
        }
    }

    /// Copies the matrix `t` (checked by [`dims`], of dst's shape) into `dst` as f64; ValueError
    /// when it holds NaN or infinity.
    pub(super) fn load(what: &str, name: &str, t: &Tensor, dst: MatMut<'_, f64>) -> Result<()> {
        load_maybe_transposed(what, name, t, dst, false)
    }

    /// [`load`] of the matrix (`transposed`: of its transpose, dst being n×m).
    fn load_maybe_transposed(
        what: &str,
        name: &str,
        t: &Tensor,
        dst: MatMut<'_, f64>,
        transposed: bool,
    ) -> Result<()> {
        let (m, n) = match t.sizes() {
            [m, n] => (*m, *n),
            [m] => (*m, 1),
            _ => (usize::MAX, 0),
        };
        let shape = if transposed { (n, m) } else { (m, n) };
        if (dst.nrows(), dst.ncols()) != shape {
            return Err(Error::Runtime(format!(
                "{what}: internal error, {name} does not fit its work matrix"
            )));
        }
        if m == 0 || n == 0 {
            return Ok(());
        }
        let (rs, cs) = strides2(t);
        let (rs, cs) = if transposed { (cs, rs) } else { (rs, cs) };
        let view = t.checked_view()?;
        // SAFETY: the checked layout of `t` covers (i, j) < dst's shape (= t's matrix shape, or
        // its transpose's with the strides swapped).
        let finite = unsafe {
            if t.dtype() == DType::Double {
                k::gather(first::<f64>(t, &view) as *const f64, rs, cs, dst)
            } else {
                k::gather(first::<f32>(t, &view) as *const f32, rs, cs, dst)
            }
        };
        if finite {
            Ok(())
        } else {
            Err(not_finite(what, name, t))
        }
    }

    /// The matrix as column-major f64 (checked as [`dims`] and [`load`] do).
    pub(super) fn input(what: &str, name: &str, t: &Tensor, allow_vector: bool) -> Result<Mat<f64>> {
        let (m, n) = dims(what, name, t, allow_vector)?;
        let mut mat = Mat::zeros(m, n);
        load(what, name, t, mat.as_mut())?;
        Ok(mat)
    }

    /// A read-only f64 matrix to hand to faer: a view of a Double tensor itself (no copy), or a
    /// converted copy of a Float one; checked as [`input`].
    pub(super) enum Source {
        /// (the storage kept alive, pointer, rows, columns, row stride, column stride)
        View(#[allow(dead_code)] StorageView, *const f64, usize, usize, isize, isize),
        Copy(Mat<f64>),
    }

    impl Source {
        pub(super) fn new(what: &str, name: &str, t: &Tensor) -> Result<Source> {
            let (m, n) = dims(what, name, t, false)?;
            if t.dtype() != DType::Double || m == 0 || n == 0 {
                return Ok(Source::Copy(input(what, name, t, false)?));
            }
            let (rs, cs) = strides2(t);
            let view = t.checked_view()?;
            let ptr = first::<f64>(t, &view) as *const f64;
            // SAFETY: the checked layout of the m×n matrix.
            if !unsafe { k::all_finite(ptr, m, n, rs, cs) } {
                return Err(not_finite(what, name, t));
            }
            Ok(Source::View(view, ptr, m, n, rs, cs))
        }

        pub(super) fn mat(&self) -> MatRef<'_, f64> {
            match self {
                // SAFETY: the view keeps the block alive; the layout was checked.
                Source::View(_, p, m, n, rs, cs) => unsafe { MatRef::from_raw_parts(*p, *m, *n, *rs, *cs) },
                Source::Copy(mat) => mat.as_ref(),
            }
        }

        pub(super) fn nrows(&self) -> usize {
            self.mat().nrows()
        }

        pub(super) fn ncols(&self) -> usize {
            self.mat().ncols()
        }
    }

    // SAFETY: the view is an Arc'd block, read only while the Source lives.
    unsafe impl Send for Source {}
    unsafe impl Sync for Source {}

    /// The power of two 2^k that brings the largest |entry| of `a` near 1, when that is more
    /// than a factor 16 away (0 otherwise, and for a zero matrix).
    ///
    /// faer's eigen and SVD solvers use absolute tolerances: its divide and conquer lost 9 digits
    /// of the eigenvalues of a 301×301 symmetric matrix scaled by 1e10 (and all but 2 at 1e-20),
    /// its SVD of a 64×64 one scaled by 1e-200 returned values 40% off and did not converge at
    /// 1e200.
    /// LAPACK scales into a safe range before these solvers; scaling by a power of two is exact
    /// (below the subnormal range), and the values are scaled back with [`unscale`]. Up to a
    /// factor 1e3 faer measured as accurate as at 1.
    fn unit_scale(a: MatRef<'_, f64>) -> i32 {
        let max = a.norm_max();
        if max == 0.0 || !max.is_finite() {
            return 0;
        }
        let k = -(max.log2().round() as i32);
        if k.abs() > 4 {
            k
        } else {
            0
        }
    }

    /// 2^k as two factors, each representable, whose product applied in turn is exact.
    fn pow2_factors(k: i32) -> (f64, f64) {
        let h = k / 2;
        (2f64.powi(h), 2f64.powi(k - h))
    }

    /// `a` brought near unit scale when [`unit_scale`] asks for it: (k, the scaled copy).
    pub(super) fn near_unit(a: MatRef<'_, f64>) -> (i32, Option<Mat<f64>>) {
        let k = unit_scale(a);
        (
            k,
            (k != 0).then(|| {
                let mut m = a.to_owned();
                scale_in_place(m.as_mut(), k);
                m
            }),
        )
    }

    /// Multiplies every element of `a` by 2^k, column by column (nothing to do for k = 0).
    fn scale_in_place(mut a: MatMut<'_, f64>, k: i32) {
        if k == 0 {
            return;
        }
        let (f1, f2) = pow2_factors(k);
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                a[(i, j)] = a[(i, j)] * f1 * f2;
            }
        }
    }

    /// Undoes [`unit_scale`]'s factor on computed eigen or singular values.
    pub(super) fn unscale(values: &mut [f64], k: i32) {
        let (f1, f2) = pow2_factors(-k);
        values.iter_mut().for_each(|v| *v = *v * f1 * f2);
    }

    /// A new m×n result of `dtype` in column-major layout (strides 1, m), as Torch7's LAPACK
    /// results were, written through a column-major f64 matrix: the result's own memory for
    /// Double (no copy back), a scratch matrix converted at the end for Float.
    pub(super) struct Out {
        t: Tensor,
        view: Option<StorageView>,
        scratch: Mat<f64>,
        m: usize,
        n: usize,
    }

    impl Out {
        pub(super) fn new(m: usize, n: usize, dtype: DType) -> Result<Out> {
            let t = Tensor::zeros(dtype, &[n, m])?;
            if dtype == DType::Double && m * n > 0 {
                let view = t.checked_view()?;
                return Ok(Out { t, view: Some(view), scratch: Mat::new(), m, n });
            }
            Ok(Out { t, view: None, scratch: Mat::zeros(m, n), m, n })
        }

        pub(super) fn mat(&mut self) -> MatMut<'_, f64> {
            match &self.view {
                // SAFETY: the fresh contiguous n×m tensor, read column-major as m×n; the
                // borrow of self keeps it exclusive.
                Some(v) => unsafe {
                    MatMut::from_raw_parts_mut(first::<f64>(&self.t, v), self.m, self.n, 1, self.m as isize)
                },
                None => self.scratch.as_mut(),
            }
        }

        pub(super) fn finish(self) -> Result<Tensor> {
            if self.view.is_some() {
                return self.t.t();
            }
            output(self.scratch.as_ref(), self.t.dtype())
        }
    }

    pub(super) fn square(what: &str, name: &str, a: &Mat<f64>) -> Result<usize> {
        square_dims(what, name, a.nrows(), a.ncols())
    }

    /// ValueError unless an m×n matrix is square; n.
    pub(super) fn square_dims(what: &str, name: &str, m: usize, n: usize) -> Result<usize> {
        if m != n {
            return Err(Error::Value(format!("{what}: {name} must be square, got {m}x{n}")));
        }
        Ok(n)
    }

    /// A new tensor of `dtype` holding `a`, in column-major layout (strides 1, m) as Torch7's
    /// LAPACK results were.
    pub(super) fn output(a: MatRef<'_, f64>, dtype: DType) -> Result<Tensor> {
        let (m, n) = (a.nrows(), a.ncols());
        let t = Tensor::zeros(dtype, &[n, m])?;
        if m * n > 0 {
            let view = t.checked_view()?;
            crate::with_math_dtype!(dtype, "LAPACK", T, {
                let base = first::<T>(&t, &view);
                for j in 0..n {
                    for i in 0..m {
                        // SAFETY: element (j, i) of the fresh contiguous n×m tensor.
                        unsafe { base.add(j * m + i).write(<T as crate::Element>::from_f64(a[(i, j)])) };
                    }
                }
            });
        }
        t.t()
    }

    pub(super) fn vector(v: &[f64], dtype: DType) -> Result<Tensor> {
        Tensor::from_slice(v, &[v.len()])?.to_dtype(dtype)
    }

    /// Runs a faer call on the kernel pool; a panic inside it (a solver bug) becomes a
    /// RuntimeError rather than crossing into Python.
    pub(super) fn run<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
        k::set_parallelism(n);
        parallel::install(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)))
            .map_err(|_| Error::Runtime(format!("the LAPACK-class solver failed on a problem of size {n}")))
    }

    /// The symmetric matrix that the `upper` (or lower) triangle of `a` describes.
    pub(super) fn symmetric(a: &Mat<f64>, upper: bool) -> Mat<f64> {
        Mat::from_fn(a.nrows(), a.ncols(), |i, j| {
            let (r, c) = if (i <= j) == upper { (i, j) } else { (j, i) };
            a[(r, c)]
        })
    }

    pub(super) fn triangle(a: MatRef<'_, f64>, upper: bool) -> Mat<f64> {
        Mat::from_fn(a.nrows(), a.ncols(), |i, j| if (j >= i) == upper || i == j { a[(i, j)] } else { 0.0 })
    }

    pub(super) fn singular(what: &str, n: usize, i: usize) -> Error {
        Error::Value(format!(
            "{what}: the {n}x{n} matrix is singular (U({i},{i}) is exactly zero after LU factorization)"
        ))
    }

    /// The partial-pivoting LU of the square, column-major `lu` in place (`cpu::lu`): the row
    /// permutation as faer takes it (forward: row i of P·A is row `fwd[i]` of A; inverse), or
    /// the singular error at the first zero on U's diagonal.
    fn lu_in_place(what: &str, lu: MatMut<'_, f64>) -> Result<(Vec<usize>, Vec<usize>)> {
        let n = lu.nrows();
        assert!(lu.row_stride() == 1 && lu.ncols() == n, "{what}: the LU needs a square column-major matrix");
        let mut piv = vec![0usize; n];
        let ld = lu.col_stride().max(1) as usize;
        // SAFETY: the n×n column-major matrix that `lu` borrows exclusively.
        unsafe { crate::cpu::lu::lu_in_place(lu.as_ptr_mut(), n, n, ld, &mut piv, parallel::num_threads()) };
        if let Some(i) = (0..n).find(|&i| lu[(i, i)] == 0.0) {
            return Err(singular(what, n, i));
        }
        let fwd = crate::cpu::lu::permutation(&piv, n);
        let inv = crate::cpu::lu::inverse_permutation(&fwd);
        Ok((fwd, inv))
    }

    /// (X, LU) for A X = B.
    pub(super) fn gesv(b: &Tensor, a: &Tensor) -> Result<(Tensor, Tensor)> {
        const W: &str = "gesv";
        check_same_type(W, &[b, a])?;
        let (m, n) = dims(W, "A", a, false)?;
        let mut lu = Out::new(m, n, a.dtype())?;
        load(W, "A", a, lu.mat())?;
        let (bm, k) = dims(W, "B", b, true)?;
        let mut x = Out::new(bm, k, b.dtype())?;
        load(W, "B", b, x.mat())?;
        square_dims(W, "A", m, n)?;
        if bm != n {
            return Err(Error::Value(format!(
                "{W}: B has {bm} rows but A is {n}x{n} (solving A X = B; note B comes first)"
            )));
        }
        let (mut lum, xm) = (lu.mat(), x.mat());
        run(n, move || -> Result<()> {
            use faer::linalg::lu::partial_pivoting::solve;
            let par = k::parallelism(k::Work::Lu, n);
            let (fwd, inv) = lu_in_place(W, lum.rb_mut())?;
            // SAFETY: lu_in_place returns a permutation and its inverse.
            let perm = unsafe { faer::perm::PermRef::new_unchecked(&fwd, &inv, n) };
            let mut mem = MemBuffer::new(solve::solve_in_place_scratch::<usize, f64>(n, k, par));
            let lur = lum.rb();
            solve::solve_in_place_with_conj(lur, lur, perm, faer::Conj::No, xm, par, MemStack::new(&mut mem));
            Ok(())
        })??;
        Ok((x.finish()?, lu.finish()?))
    }

    pub(super) fn inverse(a: &Tensor) -> Result<Tensor> {
        const W: &str = "inverse";
        let (m, n) = dims(W, "the matrix", a, false)?;
        square_dims(W, "the matrix", m, n)?;
        // Factored, inverted and permuted in the result itself: no second n×n buffer.
        let mut out = Out::new(n, n, a.dtype())?;
        load(W, "the matrix", a, out.mat())?;
        let mut om = out.mat();
        run(n, move || -> Result<()> {
            let (_, inv) = lu_in_place(W, om.rb_mut())?;
            let ld = om.col_stride().max(1) as usize;
            // SAFETY: the n×n column-major result, borrowed exclusively; U's diagonal has no
            // zero (lu_in_place checked) and `inv` is the permutation's inverse.
            unsafe {
                crate::cpu::lu_inverse::inverse_in_place(
                    om.as_ptr_mut(),
                    n,
                    ld,
                    &inv,
                    parallel::num_threads(),
                )
            };
            Ok(())
        })??;
        out.finish()
    }

    /// Triangular solve; the second result is a copy of A.
    pub(super) fn trtrs(
        b: &Tensor,
        a: &Tensor,
        upper: bool,
        trans: bool,
        unit: bool,
    ) -> Result<(Tensor, Tensor)> {
        const W: &str = "trtrs";
        check_same_type(W, &[b, a])?;
        let (am, mut x) = (input(W, "A", a, false)?, input(W, "B", b, true)?);
        let n = square(W, "A", &am)?;
        if x.nrows() != n {
            return Err(Error::Value(format!("{W}: B has {} rows but A is {n}x{n}", x.nrows())));
        }
        if !unit {
            if let Some(i) = (0..n).find(|&i| am[(i, i)] == 0.0) {
                return Err(Error::Value(format!(
                    "{W}: the {n}x{n} triangular matrix is singular (A({i},{i}) is zero)"
                )));
            }
        }
        let tri = triangle(am.as_ref(), upper);
        let (t, lower) = if trans { (tri.transpose(), upper) } else { (tri.as_ref(), !upper) };
        run(n, || match (lower, unit) {
            (true, false) => t.solve_lower_triangular_in_place(&mut x),
            (true, true) => t.solve_unit_lower_triangular_in_place(&mut x),
            (false, false) => t.solve_upper_triangular_in_place(&mut x),
            (false, true) => t.solve_unit_upper_triangular_in_place(&mut x),
        })?;
        Ok((output(x.as_ref(), a.dtype())?, output(am.as_ref(), a.dtype())?))
    }

    /// Least squares (m ≥ n) or minimum norm (m < n): (X of n rows, the QR/LQ factor).
    pub(super) fn gels(b: &Tensor, a: &Tensor) -> Result<(Tensor, Tensor)> {
        const W: &str = "gels";
        check_same_type(W, &[b, a])?;
        let (am, bm) = (input(W, "A", a, false)?, input(W, "B", b, true)?);
        let (m, n) = (am.nrows(), am.ncols());
        if bm.nrows() != m {
            return Err(Error::Value(format!("{W}: B has {} rows but A is {m}x{n}", bm.nrows())));
        }
        let rank_err = |i: usize| {
            Error::Value(format!(
                "{W}: the {m}x{n} matrix A does not have full rank (diagonal element {i} of its triangular factor is zero)"
            ))
        };
        if m >= n {
            let mut f = am.clone();
            let tau = k::geqrf(&mut f);
            let mut c = bm.clone();
            k::ormqr(&f, &tau, &mut c, true, true);
            k::solve_upper(&f, &mut c, n).map_err(rank_err)?;
            let x = c.as_ref().subrows(0, n).to_owned();
            Ok((output(x.as_ref(), a.dtype())?, output(f.as_ref(), a.dtype())?))
        } else {
            let mut f = am.transpose().to_owned();
            let tau = k::geqrf(&mut f);
            let mut y = Mat::<f64>::zeros(n, bm.ncols());
            for j in 0..bm.ncols() {
                for i in 0..m {
                    y[(i, j)] = bm[(i, j)];
                }
            }
            k::solve_upper_transposed(&f, &mut y, m).map_err(rank_err)?;
            k::ormqr(&f, &tau, &mut y, true, false);
            Ok((output(y.as_ref(), a.dtype())?, output(f.transpose(), a.dtype())?))
        }
    }

    pub(super) fn symeig(a: &Tensor, vectors: bool, upper: bool) -> Result<(Tensor, Tensor)> {
        const W: &str = "symeig";
        let src = Source::new(W, "the matrix", a)?;
        let (m, n) = (src.nrows(), src.ncols());
        square_dims(W, "the matrix", m, n)?;
        if n == 0 {
            let v = if vectors { Out::new(0, 0, a.dtype())?.finish()? } else { Tensor::empty(a.dtype()) };
            return Ok((vector(&[], a.dtype())?, v));
        }
        // faer reads the lower triangle: for 'U' that of the transpose.
        let am = if upper { src.mat().transpose() } else { src.mat() };
        let not_converged = || {
            Error::Runtime(format!("{W}: the eigenvalue iteration did not converge on the {n}x{n} matrix"))
        };
        if !vectors {
            let e = run(n, move || eigenvalues_symmetric(am))?.map_err(|_| not_converged())?;
            return Ok((vector(&e, a.dtype())?, Tensor::empty(a.dtype())));
        }
        let (scale, scaled_copy) = near_unit(am);
        let am = scaled_copy.as_ref().map_or(am, |c| c.as_ref());
        let mut out = Out::new(n, n, a.dtype())?;
        let um = out.mat();
        let mut e = faer::diag::Diag::<f64>::zeros(n);
        let em = e.as_mut();
        run(n, move || symmetric_eigenvectors(am, em, um))?.map_err(|_| not_converged())?;
        let mut e: Vec<f64> = (0..n).map(|i| e.column_vector()[i]).collect();
        unscale(&mut e, scale);
        Ok((vector(&e, a.dtype())?, out.finish()?))
    }

    /// The lower triangle of `a` reduced to tridiagonal form in a column-major copy (our
    /// `cpu::tridiagonal_reduction`: 1.3-1.4x faster than faer's at 512, 2x at 1024).
    fn tridiagonal_copy(a: MatRef<'_, f64>) -> (Mat<f64>, crate::cpu::tridiagonal_reduction::Tridiagonal) {
        let n = a.nrows();
        let mut t = Mat::<f64>::zeros(n, n);
        t.copy_from_triangular_lower(a);
        let red = crate::cpu::tridiagonal_reduction::tridiagonalize(t.as_mut(), parallel::num_threads());
        (t, red)
    }

    /// Ascending eigenvalues and their eigenvectors (into `u`) of the symmetric matrix whose
    /// lower triangle is `a`: our tridiagonal reduction, faer's divide and conquer on the
    /// tridiagonal matrix, then faer's blocked reflector product onto the vectors (the steps of
    /// faer's `self_adjoint_evd`, whose reduction is the one we replace).
    fn symmetric_eigenvectors(
        a: MatRef<'_, f64>,
        s: faer::diag::DiagMut<'_, f64>,
        mut u: MatMut<'_, f64>,
    ) -> std::result::Result<(), faer::linalg::evd::EvdError> {
        use faer::linalg::evd;
        let n = a.nrows();
        let (t, red) = tridiagonal_copy(a);
        let par = k::parallelism(k::Work::Other, n);
        let cv = evd::ComputeEigenvectors::Yes;
        let mut mem = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(n, cv, par, Default::default()));
        let stack = MemStack::new(&mut mem);
        let mut subdiagonal = red.subdiagonal.clone();
        subdiagonal.push(0.0); // faer's has n entries
        evd::tridiagonal_self_adjoint_evd(
            faer::ColRef::from_slice(&red.diagonal).as_diagonal(),
            faer::ColRef::from_slice(&subdiagonal).as_diagonal(),
            s,
            Some(u.rb_mut()),
            par,
            stack,
            Default::default(),
        )?;
        use crate::cpu::tridiagonal_reduction::{apply_q, block_factors};
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
        apply_q(t.as_ref(), block_factors(t.as_ref(), &red.tau, bs, par).as_ref(), u, par, stack);
        Ok(())
    }

    /// Ascending eigenvalues of the symmetric matrix whose lower triangle is `a`: our
    /// tridiagonal reduction, then the square-root-free QL/QR sweep (`cpu::tridiagonal::sterf`):
    /// 2.4 ms at 512 against 5.2-7 ms for faer's values-only QR on the tridiagonal matrix.
    fn eigenvalues_symmetric(a: MatRef<'_, f64>) -> std::result::Result<Vec<f64>, usize> {
        let (_, red) = tridiagonal_copy(a);
        let (mut d, mut e) = (red.diagonal, red.subdiagonal);
        crate::cpu::tridiagonal::sterf(&mut d, &mut e)?;
        Ok(d)
    }

    /// General eigenvalues as n×2 (real, imaginary), conjugate pairs with the positive imaginary
    /// part first; eigenvectors in LAPACK's real format (a pair's columns hold Re and Im).
    pub(super) fn eig(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor)> {
        const W: &str = "eig";
        let mut am = input(W, "the matrix", a, false)?;
        let n = square(W, "the matrix", &am)?;
        // `am` is our own copy: scaled where it is.
        let scale = unit_scale(am.as_ref());
        scale_in_place(am.as_mut(), scale);
        let conv =
            |_| Error::Runtime(format!("{W}: the QR iteration did not converge on the {n}x{n} matrix"));
        if n == 0 {
            let v = if vectors { output(am.as_ref(), a.dtype())? } else { Tensor::empty(a.dtype()) };
            return Ok((Tensor::zeros(a.dtype(), &[0, 2])?, v));
        }
        let (vals, vecs): (Vec<(f64, f64)>, Option<Mat<f64>>) = if vectors {
            let evd = run(n, || am.eigen())?.map_err(conv)?;
            let s: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let c = evd.S().column_vector()[i];
                    (c.re, c.im)
                })
                .collect();
            let u = evd.U();
            let mut out = Mat::<f64>::zeros(n, n);
            let mut vals = s.clone();
            let mut i = 0;
            while i < n {
                let col: Vec<(f64, f64)> = (0..n).map(|r| (u[(r, i)].re, u[(r, i)].im)).collect();
                if s[i].1 == 0.0 || i + 1 == n {
                    let norm = col.iter().map(|c| c.0 * c.0).sum::<f64>().sqrt();
                    let norm = if norm == 0.0 { 1.0 } else { norm };
                    for r in 0..n {
                        out[(r, i)] = col[r].0 / norm;
                    }
                    i += 1;
                    continue;
                }
                // A conjugate pair: use the member with positive imaginary part.
                let (pos, colp) = if s[i].1 > 0.0 {
                    (s[i], col)
                } else {
                    (s[i + 1], (0..n).map(|r| (u[(r, i + 1)].re, u[(r, i + 1)].im)).collect())
                };
                // LAPACK: unit 2-norm, largest component real.
                let norm = colp.iter().map(|c| c.0 * c.0 + c.1 * c.1).sum::<f64>().sqrt();
                let big = colp.iter().copied().fold((0.0f64, 0.0f64), |b, c| {
                    if c.0.hypot(c.1) > b.0.hypot(b.1) {
                        c
                    } else {
                        b
                    }
                });
                let mag = big.0.hypot(big.1);
                let (cr, ci) = if mag == 0.0 { (1.0, 0.0) } else { (big.0 / mag, -big.1 / mag) };
                for r in 0..n {
                    let (x, y) = colp[r];
                    out[(r, i)] = (x * cr - y * ci) / norm;
                    out[(r, i + 1)] = (x * ci + y * cr) / norm;
                }
                vals[i] = pos;
                vals[i + 1] = (pos.0, -pos.1);
                i += 2;
            }
            (vals, Some(out))
        } else {
            let s = run(n, || am.eigenvalues())?.map_err(conv)?;
            let mut vals: Vec<(f64, f64)> = s.iter().map(|c| (c.re, c.im)).collect();
            let mut i = 0;
            while i + 1 < n {
                if vals[i].1 != 0.0 {
                    if vals[i].1 < 0.0 {
                        vals.swap(i, i + 1);
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            (vals, None)
        };
        let mut flat: Vec<f64> = vals.iter().flat_map(|&(r, i)| [r, i]).collect();
        unscale(&mut flat, scale);
        let e = Tensor::from_slice(&flat, &[n, 2])?.to_dtype(a.dtype())?;
        let v = match vecs {
            Some(m) => output(m.as_ref(), a.dtype())?,
            None => Tensor::empty(a.dtype()),
        };
        Ok((e, v))
    }

    pub(super) fn svd(a: &Tensor, some: bool) -> Result<(Tensor, Tensor, Tensor)> {
        use faer::linalg::svd::{self as fsvd, ComputeSvdVectors};
        const W: &str = "svd";
        let src = Source::new(W, "the matrix", a)?;
        let (m, n) = (src.nrows(), src.ncols());
        let size = m.min(n);
        let (uc, vc) = if some { (size, size) } else { (m, n) };
        let (mut u, mut v) = (Out::new(m, uc, a.dtype())?, Out::new(n, vc, a.dtype())?);
        let mut s = faer::diag::Diag::<f64>::zeros(size);
        let (scale, scaled_copy) = near_unit(src.mat());
        let am = scaled_copy.as_ref().map_or(src.mat(), |c| c.as_ref());
        let (um, vm, sm) = (u.mat(), v.mat(), s.as_mut());
        let conv =
            |_| Error::Runtime(format!("{W}: the SVD iteration did not converge on the {m}x{n} matrix"));
        run(m.max(n), move || {
            let par = k::parallelism(k::Work::Svd, m.max(n));
            let c = if some { ComputeSvdVectors::Thin } else { ComputeSvdVectors::Full };
            let mut params: fsvd::SvdParams = faer::auto!(f64);
            // The bidiagonalization is, per column, a rank-2 update fused with one matrix-vector
            // product and a second matrix-vector product; splitting those over the threads pays
            // only while the trailing matrix is above ~384² (faer's default, 222², made 512² 5%
            // slower; examples/lapack_profile svd-ab sweeps it).
            params.bidiag.par_threshold = 384 * 384;
            let mut mem = MemBuffer::new(fsvd::svd_scratch::<f64>(m, n, c, c, par, params.into()));
            fsvd::svd(am, sm, Some(um), Some(vm), par, MemStack::new(&mut mem), params.into())
        })?
        .map_err(conv)?;
        let mut sv: Vec<f64> = (0..size).map(|i| s.column_vector()[i]).collect();
        unscale(&mut sv, scale);
        Ok((u.finish()?, vector(&sv, a.dtype())?, v.finish()?))
    }

    pub(super) fn not_pd(what: &str, n: usize, i: usize) -> Error {
        Error::Value(format!(
            "{what}: the {n}x{n} matrix is not positive definite (the leading minor of order {} is not positive)",
            i + 1
        ))
    }

    pub(super) fn potrf(a: &Tensor, upper: bool) -> Result<Tensor> {
        use faer::linalg::cholesky::llt::factor::{self, LltError};
        const W: &str = "potrf";
        let (m, n) = dims(W, "the matrix", a, false)?;
        let mut out = Out::new(m, n, a.dtype())?;
        // faer factors the lower triangle of a column-major matrix fastest (a row-major view
        // measured 30% slower): for 'U' load Aᵀ, whose lower triangle is A's upper one (a plain
        // copy for a row-major A), factor, and move L to the upper triangle as U = Lᵀ.
        // (A non-square matrix is still read, untransposed, so that NaN is reported first.)
        load_maybe_transposed(W, "the matrix", a, out.mat(), upper && m == n)?;
        square_dims(W, "the matrix", m, n)?;
        let mut om = out.mat();
        run(n, move || -> Result<()> {
            let par = k::parallelism(k::Work::Cholesky, n);
            let mut mem =
                MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(n, par, Default::default()));
            factor::cholesky_in_place(
                om.rb_mut(),
                Default::default(),
                par,
                MemStack::new(&mut mem),
                Default::default(),
            )
            .map_err(|LltError::NonPositivePivot { index }| not_pd(W, n, index))?;
            if upper {
                k::lower_to_upper(om);
            } else {
                k::zero_upper(om);
            }
            Ok(())
        })??;
        out.finish()
    }

    /// Solves A X = B from A's Cholesky factor (A = UᵀU for 'U', L Lᵀ for 'L').
    fn chol_solve(what: &str, chol: &Mat<f64>, mut x: Mat<f64>, upper: bool) -> Result<Mat<f64>> {
        let n = square(what, "the Cholesky factor", chol)?;
        if x.nrows() != n {
            return Err(Error::Value(format!("{what}: B has {} rows but the factor is {n}x{n}", x.nrows())));
        }
        let t = triangle(chol.as_ref(), upper);
        run(n, || {
            if upper {
                t.transpose().solve_lower_triangular_in_place(&mut x);
                t.solve_upper_triangular_in_place(&mut x);
            } else {
                t.solve_lower_triangular_in_place(&mut x);
                t.transpose().solve_upper_triangular_in_place(&mut x);
            }
        })?;
        Ok(x)
    }

    pub(super) fn potrs(b: &Tensor, chol: &Tensor, upper: bool) -> Result<Tensor> {
        const W: &str = "potrs";
        check_same_type(W, &[b, chol])?;
        let (c, bm) = (input(W, "the factor", chol, false)?, input(W, "B", b, true)?);
        let x = chol_solve(W, &c, bm, upper)?;
        output(x.as_ref(), b.dtype())
    }

    pub(super) fn potri(chol: &Tensor, upper: bool) -> Result<Tensor> {
        const W: &str = "potri";
        let c = input(W, "the factor", chol, false)?;
        let n = square(W, "the factor", &c)?;
        if let Some(i) = (0..n).find(|&i| c[(i, i)] == 0.0) {
            return Err(Error::Value(format!(
                "{W}: the {n}x{n} factor is singular (element ({i},{i}) is zero)"
            )));
        }
        let x = chol_solve(W, &c, Mat::identity(n, n), upper)?;
        output(x.as_ref(), chol.dtype())
    }

    pub(super) fn pstrf(a: &Tensor, upper: bool, tol: f64) -> Result<(Tensor, Tensor)> {
        const W: &str = "pstrf";
        let am = input(W, "the matrix", a, false)?;
        let n = square(W, "the matrix", &am)?;
        let (u, piv, _rank) = k::pstrf(&symmetric(&am, upper), tol);
        let f = if upper { u } else { u.transpose().to_owned() };
        let piv: Vec<i32> = piv.iter().map(|&p| p as i32).collect();
        let _ = n;
        Ok((output(f.as_ref(), a.dtype())?, Tensor::from_slice(&piv, &[piv.len()])?))
    }

    pub(super) fn qr(a: &Tensor) -> Result<(Tensor, Tensor)> {
        use faer::linalg::householder;
        const W: &str = "qr";
        let mut f = input(W, "the matrix", a, false)?;
        let (m, n) = (f.nrows(), f.ncols());
        let size = m.min(n);
        let (mut q, mut r) = (Out::new(m, size, a.dtype())?, Out::new(size, n, a.dtype())?);
        let (mut qm, mut rm) = (q.mat(), r.mat());
        if size > 0 {
            run(m.max(n), || -> Result<()> {
                let bs = crate::cpu::qr::block_size(m, n);
                let mut coeff = Mat::<f64>::zeros(bs, size);
                let mut mem = MemBuffer::new(
                    householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                        m, bs, size,
                    ),
                );
                if !crate::cpu::qr::qr_in_place(f.as_mut(), coeff.as_mut(), parallel::num_threads()) {
                    // A (numerically) zero column: faer's sequential QR, on a fresh copy.
                    load(W, "the matrix", a, f.as_mut())?;
                    coeff.fill(0.0);
                    crate::cpu::qr::qr_in_place(f.as_mut(), coeff.as_mut(), 1);
                }
                for i in 0..size {
                    qm[(i, i)] = 1.0;
                }
                householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
                    f.as_ref().subcols(0, size),
                    coeff.as_ref(),
                    faer::Conj::No,
                    qm.rb_mut(),
                    k::parallelism(k::Work::FormQ, m.max(n)),
                    MemStack::new(&mut mem),
                );
                for j in 0..n {
                    for i in 0..=j.min(size - 1) {
                        rm[(i, j)] = f[(i, j)];
                    }
                }
                Ok(())
            })??;
        }
        // faer's Householder signs may differ from LAPACK's: Q and R agree up to the signs of
        // Q's columns and R's rows (documented).
        Ok((q.finish()?, r.finish()?))
    }

    pub(super) fn geqrf(a: &Tensor) -> Result<(Tensor, Tensor)> {
        let mut f = input("geqrf", "the matrix", a, false)?;
        let tau = k::geqrf(&mut f);
        Ok((output(f.as_ref(), a.dtype())?, vector(&tau, a.dtype())?))
    }

    fn reflectors(what: &str, m: &Tensor, tau: &Tensor) -> Result<(Mat<f64>, Vec<f64>)> {
        check_same_type(what, &[m, tau])?;
        let f = input(what, "the reflectors", m, false)?;
        if tau.ndim() != 1 || tau.sizes()[0] > f.nrows().min(f.ncols()) {
            return Err(Error::Value(format!(
                "{what}: tau of size {} does not fit reflectors of size {}",
                size_string(tau.sizes()),
                size_string(m.sizes())
            )));
        }
        Ok((f, tau.to_vec::<f64>()?))
    }

    pub(super) fn orgqr(m: &Tensor, tau: &Tensor) -> Result<Tensor> {
        let (f, t) = reflectors("orgqr", m, tau)?;
        if f.nrows() < f.ncols() {
            return Err(Error::Value(format!(
                "orgqr: the reflectors' matrix must have at least as many rows as columns, got {}",
                size_string(m.sizes())
            )));
        }
        output(k::orgqr(&f, &t).as_ref(), m.dtype())
    }

    pub(super) fn ormqr(m: &Tensor, tau: &Tensor, c: &Tensor, left: bool, trans: bool) -> Result<Tensor> {
        const W: &str = "ormqr";
        check_same_type(W, &[m, c])?;
        let (f, t) = reflectors(W, m, tau)?;
        let mut cm = input(W, "the matrix", c, false)?;
        let need = if left { cm.nrows() } else { cm.ncols() };
        if need != f.nrows() {
            return Err(Error::Value(format!(
                "{W}: Q is {0}x{0} but the matrix has size {1} (side {2})",
                f.nrows(),
                size_string(c.sizes()),
                if left { "'L'" } else { "'R'" }
            )));
        }
        k::ormqr(&f, &t, &mut cm, left, trans);
        output(cm.as_ref(), c.dtype())
    }
}

pub use lapack_api::*;

/// The LAPACK-class entry points (Float/Double; results in column-major layout).
mod lapack_api {
    use super::*;

    /// (X, LU): solves A·X = B (B first, as Torch7); LU holds A's packed LU factors.
    pub fn gesv(b: &Tensor, a: &Tensor) -> Result<(Tensor, Tensor)> {
        lapack::gesv(b, a)
    }
    /// (X, A copy): triangular solve with A's `upper` (else lower) triangle, Aᵀ when `trans`,
    /// unit diagonal when `unit`.
    pub fn trtrs(b: &Tensor, a: &Tensor, upper: bool, trans: bool, unit: bool) -> Result<(Tensor, Tensor)> {
        lapack::trtrs(b, a, upper, trans, unit)
    }
    /// (X, factor): least squares for m ≥ n, minimum norm for m < n; X has n rows.
    pub fn gels(b: &Tensor, a: &Tensor) -> Result<(Tensor, Tensor)> {
        lapack::gels(b, a)
    }
    /// (e ascending, V) of a symmetric matrix read from its `upper` (else lower) triangle.
    pub fn symeig(a: &Tensor, vectors: bool, upper: bool) -> Result<(Tensor, Tensor)> {
        lapack::symeig(a, vectors, upper)
    }
    /// (e as n×2 real/imaginary, V in LAPACK's real format).
    pub fn eig(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor)> {
        lapack::eig(a, vectors)
    }
    /// (U, S, V) with A = U·diag(S)·Vᵀ; `some` gives the reduced form.
    pub fn svd(a: &Tensor, some: bool) -> Result<(Tensor, Tensor, Tensor)> {
        lapack::svd(a, some)
    }
    pub fn inverse(a: &Tensor) -> Result<Tensor> {
        lapack::inverse(a)
    }
    pub fn potrf(a: &Tensor, upper: bool) -> Result<Tensor> {
        lapack::potrf(a, upper)
    }
    pub fn potrs(b: &Tensor, chol: &Tensor, upper: bool) -> Result<Tensor> {
        lapack::potrs(b, chol, upper)
    }
    pub fn potri(chol: &Tensor, upper: bool) -> Result<Tensor> {
        lapack::potri(chol, upper)
    }
    pub fn pstrf(a: &Tensor, upper: bool, tol: f64) -> Result<(Tensor, Tensor)> {
        lapack::pstrf(a, upper, tol)
    }
    pub fn qr(a: &Tensor) -> Result<(Tensor, Tensor)> {
        lapack::qr(a)
    }
    pub fn geqrf(a: &Tensor) -> Result<(Tensor, Tensor)> {
        lapack::geqrf(a)
    }
    pub fn orgqr(m: &Tensor, tau: &Tensor) -> Result<Tensor> {
        lapack::orgqr(m, tau)
    }
    pub fn ormqr(m: &Tensor, tau: &Tensor, c: &Tensor, left: bool, trans: bool) -> Result<Tensor> {
        lapack::ormqr(m, tau, c, left, trans)
    }
}

// ---------------------------------------------------------------------------- convolutions (G)

/// conv2/xcorr2 (`nd` = 2) and conv3/xcorr3 (`nd` = 3): `full` gives 'F' mode, `flip` a true
/// convolution. Inputs: x and k `nd`-D; x and k (`nd`+1)-D slice-wise; x (`nd`+1)-D with k
/// (`nd`+2)-D (q×p×...) summing over the p input planes. Returns a new contiguous tensor.
pub fn convolve(what: &str, x: &Tensor, k: &Tensor, nd: usize, full: bool, flip: bool) -> Result<Tensor> {
    use crate::cpu::conv::{self as cv, Geometry, Input};
    check_same_type(what, &[x, k])?;
    let (xd, kd) = (x.ndim(), k.ndim());
    let shape_err = || {
        Error::Value(format!(
            "{what}: input of size {} and kernel of size {} do not fit ({nd}-D/{nd}-D, {}-D/{}-D slice-wise or {}-D/{}-D)",
            size_string(x.sizes()),
            size_string(k.sizes()),
            nd + 1,
            nd + 1,
            nd + 1,
            nd + 2
        ))
    };
    // (output planes, input planes per output, slice-wise?)
    let (q, p, slicewise) = if xd == nd && kd == nd {
        (1, 1, false)
    } else if xd == nd + 1 && kd == nd + 1 {
        if x.sizes()[0] != k.sizes()[0] {
            return Err(shape_err());
        }
        (x.sizes()[0], 1, true)
    } else if xd == nd + 1 && kd == nd + 2 {
        if k.sizes()[1] != x.sizes()[0] {
            return Err(shape_err());
        }
        (k.sizes()[0], x.sizes()[0], false)
    } else {
        return Err(shape_err());
    };
    let xs = &x.sizes()[xd - nd..];
    let ks = &k.sizes()[kd - nd..];
    let mut input = [1usize; 3];
    let mut kernel = [1usize; 3];
    let mut strides = [0isize; 3];
    for d in 0..nd {
        input[3 - nd + d] = xs[d];
        kernel[3 - nd + d] = ks[d];
        strides[3 - nd + d] = x.strides()[xd - nd + d] as isize;
        if ks[d] == 0 || (!full && ks[d] > xs[d]) {
            return Err(Error::Value(format!(
                "{what}: the kernel of size {} is larger than the input of size {} in 'V' mode (or empty)",
                size_string(k.sizes()),
                size_string(x.sizes())
            )));
        }
    }
    let g = Geometry::new(input, kernel, full);
    let mut out_sizes: Vec<usize> = Vec::new();
    if xd == nd + 1 {
        out_sizes.push(q);
    }
    out_sizes.extend_from_slice(&g.output[3 - nd..]);
    let out = Tensor::zeros(x.dtype(), &out_sizes)?;
    if out.numel() == 0 || input.contains(&0) {
        return Ok(out);
    }
    let klen = g.kernel_len();
    let olen = g.output_len();
    let (ov, xv) = (out.checked_view()?, x.checked_view()?);
    let plane_stride = if xd == nd + 1 { x.strides()[0] as isize } else { 0 };
    crate::with_math_dtype!(x.dtype(), what, T, {
        let mut kern = k.to_vec::<T>()?;
        if flip {
            kern.chunks_mut(klen).for_each(|c| c.reverse());
        }
        let base = first::<T>(x, &xv) as *const T;
        let optr = first::<T>(&out, &ov);
        if slicewise {
            let optr = crate::iter::SendPtr(optr);
            let work = olen * klen;
            let kern = &kern;
            let x0 = Input { ptr: base, planes: 1, plane_stride: 0, strides };
            cv::for_each_plane(q, work.saturating_mul(q), move |i| {
                let (x0, optr) = (x0, optr); // capture whole (Send) values
                let xi = Input { ptr: x0.ptr.wrapping_offset(i as isize * plane_stride), ..x0 };
                // SAFETY: plane i of the checked input and of the fresh contiguous output
                // (planes are disjoint); kernel i is olen-independent slice of kern.
                unsafe { cv::correlate(optr.at(i * olen), 1, &kern[i * klen..(i + 1) * klen], xi, &g, 1) }
            });
        } else {
            let xi = Input { ptr: base, planes: p, plane_stride, strides };
            // SAFETY: the checked input; the fresh output holds q·olen elements.
            unsafe { cv::correlate(optr, q, &kern, xi, &g, threads()) }
        }
    });
    Ok(out)
}
