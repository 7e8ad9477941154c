//! Max pooling over `[T, H, W]` windows with stride, padding, dilation and ceil mode (THNN's
//! SpatialMaxPooling, SpatialDilatedMaxPooling, VolumetricMaxPooling and
//! VolumetricDilatedMaxPooling: one kernel, a spatial plane being a volume with T = 1).
//! `indices` keeps each maximum's position as a 0-based flat index into its input plane (THNN
//! stored it 1-based); the backward adds each gradOutput element at that position.

use super::{check_sizes, long_indices, operand, prepare, BadIndex, Planes};
use crate::cpu::index::par_range;
use crate::nn::transfer::real::{simd, Data, Real};
use crate::{DType, Error, Result, Tensor};

/// A pooling window: kernel, stride, padding and dilation per pooled dim `[T, H, W]` (a
/// spatial class uses 1, 1, 0, 1 for T), and the output size rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub kernel: [usize; 3],
    pub stride: [usize; 3],
    pub pad: [usize; 3],
    pub dilation: [usize; 3],
    pub ceil: bool,
}

fn dims(v: [usize; 3], nd: usize) -> String {
    v[3 - nd..].iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")
}

impl Window {
    /// Checks the window (positive kernel, stride and dilation; padding at most half the
    /// kernel, as THNN requires) and computes THNN's output size:
    /// `op((i + 2 pad - (dil (k - 1) + 1)) / stride) + 1` in float arithmetic with op floor or
    /// ceil; with any padding, a last
    /// window that would start in the padding is dropped. ValueError naming the sizes when the
    /// input is smaller than the kernel.
    #[allow(clippy::needless_range_loop)] // d indexes five per-dimension arrays at once
    pub fn output_size(&self, planes: &Planes, what: &str) -> Result<[usize; 3]> {
        let nd = planes.nd;
        let bad = |name: &str, v: [usize; 3]| {
            Error::Value(format!("{what}: {name} should be greater than zero, but got {}", dims(v, nd)))
        };
        if self.kernel.contains(&0) {
            return Err(bad("kernel size", self.kernel));
        }
        if self.stride.contains(&0) {
            return Err(bad("stride", self.stride));
        }
        if self.dilation.contains(&0) {
            return Err(bad("dilation", self.dilation));
        }
        if (0..3).any(|d| self.pad[d] > self.kernel[d] / 2) {
            return Err(Error::Value(format!(
                "{what}: pad should be at most half of the kernel size, but got pad {} for kernel {}",
                dims(self.pad, nd),
                Planes::text(self.kernel, nd)
            )));
        }
        let padded = self.pad.iter().any(|&p| p != 0);
        let mut out = [0i64; 3];
        for d in 0..3 {
            let (i, k, s, p) =
                (planes.size[d] as i64, self.kernel[d] as i64, self.stride[d], self.pad[d] as i64);
            let span = self.dilation[d] as i64 * (k - 1) + 1;
            // THNN computed this quotient in single precision.
            let q = (i - span + 2 * p) as f32 / s as f32;
            let mut o = if self.ceil { q.ceil() } else { q.floor() } as i64 + 1;
            if padded && (o - 1) * s as i64 >= i + p {
                o -= 1;
            }
            out[d] = o;
        }
        if out.iter().any(|&o| o < 1) {
            return Err(Error::Value(format!(
                "{what}: input of size {} is too small for a {} kernel (stride {}, pad {}, dilation {}): \
                 calculated output size {}",
                Planes::text(planes.size, nd),
                Planes::text(self.kernel, nd),
                dims(self.stride, nd),
                dims(self.pad, nd),
                dims(self.dilation, nd),
                out[3 - nd..].iter().map(|o| o.to_string()).collect::<Vec<_>>().join("x")
            )));
        }
        Ok(out.map(|o| o as usize))
    }

    /// For each output position of dim `d`: the first input position its window reaches inside
    /// the input and how many it reaches (stepping by the dilation).
    pub fn spans(&self, d: usize, input: usize, output: usize) -> Vec<(usize, usize)> {
        let (k, s, p, dil) =
            (self.kernel[d] as i64, self.stride[d] as i64, self.pad[d] as i64, self.dilation[d] as i64);
        (0..output as i64)
            .map(|o| {
                let start = o * s - p;
                let end = (start + (k - 1) * dil + 1).min(input as i64);
                let mut first = start;
                while first < 0 {
                    first += dil;
                }
                let count = if first < end { (end - first + dil - 1) / dil } else { 0 };
                (first as usize, count as usize)
            })
            .collect()
    }

    /// Whether every window is a full, undilated 2x2 block at stride 2 in one plane (the
    /// talk's pooling layers), which has a loop of its own.
    fn is_plain_2x2(&self, input: [usize; 3], out: [usize; 3]) -> bool {
        self.kernel == [1, 2, 2]
            && self.stride[1..] == [2, 2]
            && self.dilation == [1, 1, 1]
            && self.pad == [0, 0, 0]
            && input[0] == 1
            && 2 * out[1] <= input[1]
            && 2 * out[2] <= input[2]
    }
}

/// Forward: `output` and `indices` (LongTensor) resized to the lead dims over the pooled output
/// size; `what` names the class in messages.
pub fn max_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
    window: &Window,
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = Planes::of(input, nd, what)?;
    let out3 = window.output_size(&planes, what)?;
    let dtype = input.dtype();
    let sizes = planes.sizes_with(out3);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        prepare(indices, DType::Long, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y, ind) = (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<i64>::of(indices)?);
        let (pin, pout) = (planes.plane_numel(), out3.iter().product::<usize>());
        let (xp, yp, ip) = (x.ptr, y.ptr, ind.ptr);
        let k: usize = window.kernel.iter().product();
        if window.is_plain_2x2(planes.size, out3) {
            par_range(planes.count(), pout * 4, |r| {
                simd(|| {
                    for p in r {
                        // SAFETY: plane p of each tensor lies inside it (p < planes).
                        unsafe {
                            max_2x2(xp.at(p * pin), yp.at(p * pout), ip.at(p * pout), planes.size, out3)
                        }
                    }
                })
            });
        } else {
            let spans = [0, 1, 2].map(|d| window.spans(d, planes.size[d], out3[d]));
            par_range(planes.count(), pout * k, |r| {
                for p in r {
                    // SAFETY: as above; spans keep every read inside the plane.
                    unsafe {
                        max_plane(
                            xp.at(p * pin),
                            yp.at(p * pout),
                            ip.at(p * pout),
                            planes.size,
                            &spans,
                            window.dilation,
                        )
                    }
                }
            });
        }
    });
    Ok(())
}

/// One plane, any window.
///
/// # Safety
/// `x` holds the plane's `input` volume, `y` and `ind` one element per window.
unsafe fn max_plane<T: Real>(
    x: *const T,
    y: *mut T,
    ind: *mut i64,
    input: [usize; 3],
    spans: &[Vec<(usize, usize)>; 3],
    dil: [usize; 3],
) {
    let [_, ih, iw] = input;
    let mut o = 0;
    for &(t0, nt) in &spans[0] {
        for &(h0, nh) in &spans[1] {
            for &(w0, nw) in &spans[2] {
                let (mut m, mut mi) = (T::of(f64::NEG_INFINITY), -1i64);
                for z in 0..nt {
                    let t = t0 + z * dil[0];
                    for yy in 0..nh {
                        let row = (t * ih + h0 + yy * dil[1]) * iw + w0;
                        for xx in 0..nw {
                            let idx = row + xx * dil[2];
                            let v = *x.add(idx);
                            if v > m {
                                m = v;
                                mi = idx as i64;
                            }
                        }
                    }
                }
                *y.add(o) = m;
                *ind.add(o) = mi;
                o += 1;
            }
        }
    }
}

/// One plane, full 2x2 windows at stride 2: the four compares are selects, so the row loop
/// vectorises.
///
/// # Safety
/// As `max_plane`; the windows lie inside the plane (`is_plain_2x2`).
#[inline(always)]
unsafe fn max_2x2<T: Real>(x: *const T, y: *mut T, ind: *mut i64, input: [usize; 3], out: [usize; 3]) {
    let iw = input[2];
    let ow = out[2];
    for oh in 0..out[1] {
        let base = 2 * oh * iw;
        let (r0, r1) = (x.add(base), x.add(base + iw));
        let (yr, ir) = (y.add(oh * ow), ind.add(oh * ow));
        for j in 0..ow {
            let c = 2 * j;
            let (a, b, cc, d) = (*r0.add(c), *r0.add(c + 1), *r1.add(c), *r1.add(c + 1));
            let i0 = (base + c) as i64;
            let (mut m, mut mi) = (T::of(f64::NEG_INFINITY), -1i64);
            let s = a > m;
            m = if s { a } else { m };
            mi = if s { i0 } else { mi };
            let s = b > m;
            m = if s { b } else { m };
            mi = if s { i0 + 1 } else { mi };
            let s = cc > m;
            m = if s { cc } else { m };
            mi = if s { i0 + iw as i64 } else { mi };
            let s = d > m;
            m = if s { d } else { m };
            mi = if s { i0 + iw as i64 + 1 } else { mi };
            *yr.add(j) = m;
            *ir.add(j) = mi;
        }
    }
}

/// Backward: `gradInput` (resized as input) is zero except at each window's maximum, which
/// receives that window's gradOutput (summed where windows overlap).
pub fn max_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    window: &Window,
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = Planes::of(input, nd, what)?;
    let out3 = window.output_size(&planes, what)?;
    let sizes = planes.sizes_with(out3);
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    check_sizes(indices, &sizes, what, "indices")?;
    scatter_update_grad_input(input, grad_output, indices, grad_input, &planes, what)
}

/// `gradInput` zeroed, then `gradInput[plane][indices[o]] += gradOutput[o]` for every
/// element o of each plane (-1: no maximum, skipped). Shared by max and fractional pooling.
pub fn scatter_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    planes: &Planes,
    what: &str,
) -> Result<()> {
    let dtype = input.dtype();
    let n = planes.count();
    let (pin, pout) = (planes.plane_numel(), grad_output.numel() / n.max(1));
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, indices])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let ind = long_indices(indices, what)?;
        let (g, i, gi) = (Data::<T>::of(&go)?, Data::<i64>::of(&ind)?, Data::<T>::of(grad_input)?);
        let (gp, ip, gip) = (g.ptr, i.ptr, gi.ptr);
        let bad = BadIndex::new();
        par_range(n, pin + pout, |r| {
            for p in r {
                // SAFETY: plane p of each tensor lies inside it; every write index is checked
                // against the plane size.
                unsafe {
                    let (gs, is, dst) =
                        (gp.at(p * pout) as *const T, ip.at(p * pout) as *const i64, gip.at(p * pin));
                    std::ptr::write_bytes(dst, 0, pin);
                    for o in 0..pout {
                        let k = *is.add(o);
                        if (k as u64) < pin as u64 {
                            *dst.add(k as usize) = *dst.add(k as usize) + *gs.add(o);
                        } else if k != -1 {
                            bad.set(k);
                        }
                    }
                }
            }
        });
        bad.check(what, pin)?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    fn win(k: usize, s: usize, p: usize, dil: usize, ceil: bool) -> Window {
        Window { kernel: [1, k, k], stride: [1, s, s], pad: [0, p, p], dilation: [1, dil, dil], ceil }
    }

    #[test]
    fn output_sizes_follow_thnn_at_the_edges() {
        let planes = |h: usize| Planes { lead: vec![1], size: [1, h, h], nd: 2 };
        assert_eq!(win(2, 2, 0, 1, false).output_size(&planes(5), "m").unwrap(), [1, 2, 2]);
        assert_eq!(win(2, 2, 0, 1, true).output_size(&planes(5), "m").unwrap(), [1, 3, 3]);
        // ceil with padding: the last window would start in the padding and is dropped
        assert_eq!(win(2, 2, 1, 1, true).output_size(&planes(5), "m").unwrap(), [1, 3, 3]);
        assert_eq!(win(2, 3, 0, 1, false).output_size(&planes(7), "m").unwrap(), [1, 2, 2]);
        assert_eq!(win(2, 1, 0, 2, false).output_size(&planes(5), "m").unwrap(), [1, 3, 3]);
        let e = win(3, 1, 0, 1, false).output_size(&planes(2), "nn.X").unwrap_err();
        assert!(format!("{e}").contains("2x2 is too small for a 3x3 kernel"), "{e}");
        assert!(win(2, 2, 2, 1, false).output_size(&planes(5), "m").is_err());
    }

    #[test]
    fn forward_backward_match_a_direct_loop() {
        let x =
            t(&[1.0, 5.0, 2.0, 0.0, 3.0, 4.0, 9.0, 8.0, 7.0, 6.0, 2.0, 1.0, 0.0, 4.0, 5.0, 3.0], &[1, 4, 4]);
        let (mut y, mut ind, mut gi) =
            (Tensor::empty(DType::Double), Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        max_pooling_update_output(&x, &mut y, &mut ind, &win(2, 2, 0, 1, false), 2, "m").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![5.0, 9.0, 7.0, 5.0]);
        assert_eq!(ind.to_vec::<i64>().unwrap(), vec![1, 6, 8, 14]);
        let go = t(&[1.0, 2.0, 3.0, 4.0], &[1, 2, 2]);
        max_pooling_update_grad_input(&x, &go, &ind, &mut gi, &win(2, 2, 0, 1, false), 2, "m").unwrap();
        let g = gi.to_vec::<f64>().unwrap();
        assert_eq!((g[1], g[6], g[8], g[14], g.iter().sum::<f64>()), (1.0, 2.0, 3.0, 4.0, 10.0));
        // the generic loop (padding) agrees with the 2x2 loop where windows coincide
        let (mut y2, mut ind2) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        max_pooling_update_output(&x, &mut y2, &mut ind2, &win(2, 2, 1, 1, false), 2, "m").unwrap();
        assert_eq!(y2.to_vec::<f64>().unwrap(), vec![1.0, 5.0, 0.0, 7.0, 9.0, 8.0, 0.0, 5.0, 3.0]);
        let bad = t(&[0.0, 0.0, 0.0, 99.0], &[1, 2, 2]).to_dtype(DType::Long).unwrap();
        let e = max_pooling_update_grad_input(&x, &go, &bad, &mut gi, &win(2, 2, 0, 1, false), 2, "m");
        assert!(matches!(e, Err(Error::Index(_))), "{e:?}");
    }
}
