//! Table-layer kernels: the element-wise maximum / minimum across a table of tensors with the
//! winner's position (CMaxTable / CMinTable) and the row-wise cosine similarity
//! (CosineDistance). The other table layers are views and single engine calls.

use super::transfer::real::{prepare_output, same_type, Data, Real};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::{DType, Element, Error, Result, Tensor};

fn check_table(what: &str, inputs: &[Tensor]) -> Result<DType> {
    let first = inputs.first().ok_or_else(|| Error::Value(format!("{what}: the input table is empty")))?;
    for t in &inputs[1..] {
        if t.numel() != first.numel() {
            return Err(Error::Value(format!(
                "{what}: tensors of sizes {} and {} do not match",
                size_string(first.sizes()),
                size_string(t.sizes())
            )));
        }
        same_type(what, "a table entry", t, first.dtype())?;
    }
    Ok(first.dtype())
}

/// `output = max (or min) over the inputs`, `index` = the 0-based position of the first winner
/// (Torch7 replaced the running value only on a strict improvement).
pub fn cmax_table_update_output(
    inputs: &[Tensor],
    output: &mut Tensor,
    index: &mut Tensor,
    max: bool,
) -> Result<()> {
    let what = if max { "nn.CMaxTable" } else { "nn.CMinTable" };
    let dtype = check_table(what, inputs)?;
    let sizes = inputs[0].sizes().to_vec();
    crate::with_float_dtype!(dtype, what, T, {
        let srcs = inputs.iter().map(|t| t.contiguous()).collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Tensor> = srcs.iter().collect();
        prepare_output(output, dtype, &sizes, &refs)?;
        prepare_output(index, dtype, &sizes, &refs)?;
        let datas = srcs.iter().map(Data::<T>::of).collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<_> = datas.iter().map(|d| d.ptr).collect();
        let (y, ix) = (Data::<T>::of(output)?, Data::<T>::of(index)?);
        let (yp, ip) = (y.ptr, ix.ptr);
        par_range(y.len, ptrs.len(), |r| {
            // SAFETY: r lies inside every tensor (equal element counts); outputs are fresh or
            // disjoint from the inputs (prepare_output).
            unsafe {
                let first = ptrs[0].at(r.start) as *const T;
                let (ys, is) = (yp.at(r.start), ip.at(r.start));
                for i in 0..r.len() {
                    *ys.add(i) = *first.add(i);
                    *is.add(i) = T::ZERO;
                }
                for (k, p) in ptrs.iter().enumerate().skip(1) {
                    let xs = p.at(r.start) as *const T;
                    let kk = T::of(k as f64);
                    for i in 0..r.len() {
                        let (v, cur) = (*xs.add(i), *ys.add(i));
                        let better = if max { v > cur } else { v < cur };
                        if better {
                            *ys.add(i) = v;
                            *is.add(i) = kk;
                        }
                    }
                }
            }
        });
    });
    Ok(())
}

/// `gradInput[k] = gradOutput where index == k, else 0`.
pub fn cmax_table_update_grad_input(
    index: &Tensor,
    grad_output: &Tensor,
    grad_inputs: &mut [Tensor],
    max: bool,
) -> Result<()> {
    let what = if max { "nn.CMaxTable" } else { "nn.CMinTable" };
    let dtype = index.dtype();
    if grad_output.numel() != index.numel() {
        return Err(Error::Value(format!(
            "{what}: gradOutput of size {} does not match the output of size {}",
            size_string(grad_output.sizes()),
            size_string(index.sizes())
        )));
    }
    same_type(what, "gradOutput", grad_output, dtype)?;
    crate::with_float_dtype!(dtype, what, T, {
        let (ix, go) = (index.contiguous()?, grad_output.contiguous()?);
        for (k, gi) in grad_inputs.iter_mut().enumerate() {
            prepare_output(gi, dtype, index.sizes(), &[&ix, &go])?;
            let (is, gs, out) = (Data::<T>::of(&ix)?, Data::<T>::of(&go)?, Data::<T>::of(gi)?);
            let kk = T::of(k as f64);
            let (is, gs) = (is.slice(), gs.slice());
            let op = out.ptr;
            par_range(is.len(), 1, |r| {
                for i in r {
                    // SAFETY: i < numel of the fresh or disjoint gradInput tensor.
                    unsafe { *op.at(i) = if is[i] == kk { gs[i] } else { T::ZERO } }
                }
            });
        }
    });
    Ok(())
}

/// (rows, cols) of CosineDistance's pair: two vectors (one row) or two matrices.
fn pair_rows(what: &str, a: &Tensor, b: &Tensor) -> Result<(usize, usize)> {
    if a.sizes() != b.sizes() || !(1..=2).contains(&a.ndim()) {
        return Err(Error::Value(format!(
            "{what}: expected two vectors or two matrices of the same size, got {} and {}",
            size_string(a.sizes()),
            size_string(b.sizes())
        )));
    }
    same_type(what, "the second tensor", b, a.dtype())?;
    Ok(if a.ndim() == 1 { (1, a.sizes()[0]) } else { (a.sizes()[0], a.sizes()[1]) })
}

/// Torch7 adds this to each squared norm, so zero rows give 0 instead of NaN.
const EPS: f64 = 1e-12;

/// Per row: (a·b, 1/(|a|²+ε), 1/(|b|²+ε)) accumulated in f64.
fn row_stats<T: Real>(a: &[T], b: &[T]) -> (f64, f64, f64) {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x.to_f64(), y.to_f64());
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    (ab, 1.0 / (aa + EPS), 1.0 / (bb + EPS))
}

/// `output_r = a_r·b_r / sqrt((|a_r|²+ε)(|b_r|²+ε))`: one value per row.
pub fn cosine_distance_update_output(a: &Tensor, b: &Tensor, output: &mut Tensor) -> Result<()> {
    let what = "nn.CosineDistance";
    let (rows, cols) = pair_rows(what, a, b)?;
    let dtype = a.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        let (ac, bc) = (a.contiguous()?, b.contiguous()?);
        prepare_output(output, dtype, &[rows], &[&ac, &bc])?;
        let (ad, bd, y) = (Data::<T>::of(&ac)?, Data::<T>::of(&bc)?, Data::<T>::of(output)?);
        let (av, bv, yp) = (ad.slice(), bd.slice(), y.ptr);
        par_range(rows, cols, |r| {
            for i in r {
                let (ab, w22, w32) = row_stats(&av[i * cols..(i + 1) * cols], &bv[i * cols..(i + 1) * cols]);
                // SAFETY: i < rows, the output's length; it is disjoint from a and b.
                unsafe { *yp.at(i) = T::of(ab * (w22 * w32).sqrt()) }
            }
        });
    });
    Ok(())
}

/// `grad a = (b - (a·b) a/(|a|²+ε)) w go`, `grad b = (a - (a·b) b/(|b|²+ε)) w go` with
/// `w = 1/sqrt((|a|²+ε)(|b|²+ε))` (Torch7's formulas).
pub fn cosine_distance_update_grad_input(
    a: &Tensor,
    b: &Tensor,
    grad_output: &Tensor,
    grad_a: &mut Tensor,
    grad_b: &mut Tensor,
) -> Result<()> {
    let what = "nn.CosineDistance";
    let (rows, cols) = pair_rows(what, a, b)?;
    if grad_output.numel() != rows {
        return Err(Error::Value(format!(
            "{what}: gradOutput of size {} for {rows} rows",
            size_string(grad_output.sizes())
        )));
    }
    let dtype = a.dtype();
    same_type(what, "gradOutput", grad_output, dtype)?;
    crate::with_float_dtype!(dtype, what, T, {
        let (ac, bc, gc) = (a.contiguous()?, b.contiguous()?, grad_output.contiguous()?);
        prepare_output(grad_a, dtype, a.sizes(), &[&ac, &bc, &gc])?;
        prepare_output(grad_b, dtype, a.sizes(), &[&ac, &bc, &gc, &*grad_a])?;
        let (ad, bd, gd) = (Data::<T>::of(&ac)?, Data::<T>::of(&bc)?, Data::<T>::of(&gc)?);
        let (ga, gb) = (Data::<T>::of(grad_a)?, Data::<T>::of(grad_b)?);
        let (av, bv, gv, gap, gbp) = (ad.slice(), bd.slice(), gd.slice(), ga.ptr, gb.ptr);
        par_range(rows, cols * 2, |r| {
            for i in r {
                let (ar, br) = (&av[i * cols..(i + 1) * cols], &bv[i * cols..(i + 1) * cols]);
                let (ab, w22, w32) = row_stats(ar, br);
                let w = (w22 * w32).sqrt();
                let g = gv[i].to_f64();
                let (ka, kb) = (T::of(ab * w22), T::of(ab * w32));
                let s = T::of(w * g);
                // SAFETY: row i of the two fresh or disjoint gradient tensors.
                unsafe {
                    let (pa, pb) = (gap.at(i * cols), gbp.at(i * cols));
                    for j in 0..cols {
                        *pa.add(j) = (br[j] - ka * ar[j]) * s;
                        *pb.add(j) = (ar[j] - kb * br[j]) * s;
                    }
                }
            }
        });
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn cmax_and_cmin_pick_the_first_winner() {
        let xs = [t(&[1.0, 5.0, 2.0], &[3]), t(&[3.0, 5.0, 0.0], &[3])];
        let (mut out, mut idx) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        cmax_table_update_output(&xs, &mut out, &mut idx, true).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![3.0, 5.0, 2.0]);
        assert_eq!(idx.to_vec::<f64>().unwrap(), vec![1.0, 0.0, 0.0]);
        let mut grads = vec![Tensor::empty(DType::Double), Tensor::empty(DType::Double)];
        cmax_table_update_grad_input(&idx, &t(&[1.0, 2.0, 3.0], &[3]), &mut grads, true).unwrap();
        assert_eq!(grads[0].to_vec::<f64>().unwrap(), vec![0.0, 2.0, 3.0]);
        assert_eq!(grads[1].to_vec::<f64>().unwrap(), vec![1.0, 0.0, 0.0]);
        cmax_table_update_output(&xs, &mut out, &mut idx, false).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![1.0, 5.0, 0.0]);
        let e = cmax_table_update_output(&[xs[0].clone(), t(&[1.0], &[1])], &mut out, &mut idx, true)
            .unwrap_err();
        assert!(format!("{e}").contains("nn.CMaxTable: tensors of sizes 3 and 1"), "{e}");
    }

    #[test]
    fn cosine_distance_rows() {
        let a = t(&[1.0, 0.0, 3.0, 4.0], &[2, 2]);
        let b = t(&[0.0, 2.0, 3.0, 4.0], &[2, 2]);
        let mut out = Tensor::empty(DType::Double);
        cosine_distance_update_output(&a, &b, &mut out).unwrap();
        let v = out.to_vec::<f64>().unwrap();
        assert!(v[0].abs() < 1e-15 && (v[1] - 1.0).abs() < 1e-12, "{v:?}");
        let (mut ga, mut gb) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        cosine_distance_update_grad_input(&a, &b, &t(&[1.0, 1.0], &[2]), &mut ga, &mut gb).unwrap();
        // d cos / d a at a = (1, 0), b = (0, 2): (b/|b| - cos a/|a|) / |a| = (0, 1).
        let g = ga.to_vec::<f64>().unwrap();
        assert!((g[0]).abs() < 1e-12 && (g[1] - 1.0).abs() < 1e-12, "{g:?}");
    }
}
