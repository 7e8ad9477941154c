//! im2col / col2im (Torch7's `unfolded_copy` / `unfolded_acc`, vol2col / col2vol): the patches
//! of one image laid out as columns, so that a convolution becomes one GEMM.
//!
//! One routine serves 2-D and 3-D: a spatial convolution is a volumetric one with a depth of
//! one. Rows of the column matrix are (plane, kd, kh, kw), columns the output positions
//! (od, oh, ow); a block of several images puts image b's columns at offset b·L.

use super::geometry::Shape;
use super::Real;

/// The output positions `o` (0..len) whose tap `i = o·stride − pad + off` lies in 0..size,
/// as a half-open range (empty when none does).
#[inline]
fn valid_range(len: usize, stride: usize, pad: usize, off: usize, size: usize) -> (usize, usize) {
    // i >= 0  <=>  o·stride >= pad − off
    let lo = if off >= pad { 0 } else { (pad - off).div_ceil(stride) };
    // i < size  <=>  o·stride < size + pad − off
    let lim = size + pad;
    let hi = if lim <= off { 0 } else { (lim - off).div_ceil(stride) };
    (lo.min(len), hi.min(len).max(lo.min(len)))
}

/// Unrolls `image` (`s.planes` × image dims, contiguous) into the columns of `col` that start
/// at column `c0` of a matrix with row length `ld`.
///
/// # Safety
/// `image` holds `s.image_len()` readable elements; `col` holds `s.col_rows() · ld` writable
/// elements and `c0 + s.out_len() <= ld`.
pub unsafe fn im2col<T: Real>(image: *const T, s: &Shape, col: *mut T, ld: usize, c0: usize) {
    let [id, ih, iw] = s.image;
    let [od, oh, ow] = s.out;
    let [kd, kh, kw] = s.k;
    let mut row = 0usize;
    for c in 0..s.planes {
        let plane = unsafe { image.add(c * id * ih * iw) };
        for a in 0..kd {
            let (d_lo, d_hi) = valid_range(od, s.stride[0], s.pad[0], a * s.dil[0], id);
            for b in 0..kh {
                let (h_lo, h_hi) = valid_range(oh, s.stride[1], s.pad[1], b * s.dil[1], ih);
                for e in 0..kw {
                    let (w_lo, w_hi) = valid_range(ow, s.stride[2], s.pad[2], e * s.dil[2], iw);
                    // SAFETY: row < col_rows, columns c0 .. c0 + out_len within ld.
                    let dst = unsafe { std::slice::from_raw_parts_mut(col.add(row * ld + c0), od * oh * ow) };
                    row += 1;
                    if w_lo >= w_hi || h_lo >= h_hi || d_lo >= d_hi {
                        dst.fill(T::zero());
                        continue;
                    }
                    for z in 0..od {
                        let dz = &mut dst[z * oh * ow..(z + 1) * oh * ow];
                        if z < d_lo || z >= d_hi {
                            dz.fill(T::zero());
                            continue;
                        }
                        let iz = z * s.stride[0] + a * s.dil[0] - s.pad[0];
                        for y in 0..oh {
                            let dy = &mut dz[y * ow..(y + 1) * ow];
                            if y < h_lo || y >= h_hi {
                                dy.fill(T::zero());
                                continue;
                            }
                            let iy = y * s.stride[1] + b * s.dil[1] - s.pad[1];
                            // SAFETY: (iz, iy) inside the plane by the valid ranges.
                            let src = unsafe { plane.add((iz * ih + iy) * iw) };
                            dy[..w_lo].fill(T::zero());
                            dy[w_hi..].fill(T::zero());
                            let x0 = w_lo * s.stride[2] + e * s.dil[2] - s.pad[2];
                            if s.stride[2] == 1 {
                                // SAFETY: x0 .. x0 + (w_hi − w_lo) inside the row.
                                let srow = unsafe { std::slice::from_raw_parts(src.add(x0), w_hi - w_lo) };
                                dy[w_lo..w_hi].copy_from_slice(srow);
                            } else {
                                for (j, d) in dy[w_lo..w_hi].iter_mut().enumerate() {
                                    // SAFETY: x0 + j·stride < iw by the valid range.
                                    *d = unsafe { *src.add(x0 + j * s.stride[2]) };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adds the columns of `col` (starting at column `c0`, row length `ld`) back onto `image`,
/// each patch element onto the pixel it came from (the adjoint of [`im2col`]).
///
/// # Safety
/// As [`im2col`], with `image` writable and `col` readable.
pub unsafe fn col2im<T: Real>(col: *const T, ld: usize, c0: usize, s: &Shape, image: *mut T) {
    let [id, ih, iw] = s.image;
    let [od, oh, ow] = s.out;
    let [kd, kh, kw] = s.k;
    let mut row = 0usize;
    for c in 0..s.planes {
        let plane = unsafe { image.add(c * id * ih * iw) };
        for a in 0..kd {
            let (d_lo, d_hi) = valid_range(od, s.stride[0], s.pad[0], a * s.dil[0], id);
            for b in 0..kh {
                let (h_lo, h_hi) = valid_range(oh, s.stride[1], s.pad[1], b * s.dil[1], ih);
                for e in 0..kw {
                    let (w_lo, w_hi) = valid_range(ow, s.stride[2], s.pad[2], e * s.dil[2], iw);
                    // SAFETY: as in im2col.
                    let src = unsafe { std::slice::from_raw_parts(col.add(row * ld + c0), od * oh * ow) };
                    row += 1;
                    if w_lo >= w_hi {
                        continue;
                    }
                    let x0 = w_lo * s.stride[2] + e * s.dil[2] - s.pad[2];
                    for z in d_lo..d_hi {
                        let iz = z * s.stride[0] + a * s.dil[0] - s.pad[0];
                        for y in h_lo..h_hi {
                            let iy = y * s.stride[1] + b * s.dil[1] - s.pad[1];
                            let sy = &src[(z * oh + y) * ow..(z * oh + y + 1) * ow];
                            // SAFETY: (iz, iy) inside the plane by the valid ranges.
                            let dst = unsafe { plane.add((iz * ih + iy) * iw + x0) };
                            if s.stride[2] == 1 {
                                let drow = unsafe { std::slice::from_raw_parts_mut(dst, w_hi - w_lo) };
                                for (d, v) in drow.iter_mut().zip(&sy[w_lo..w_hi]) {
                                    *d += *v;
                                }
                            } else {
                                for (j, v) in sy[w_lo..w_hi].iter().enumerate() {
                                    // SAFETY: x0 + j·stride < iw by the valid range.
                                    unsafe { *dst.add(j * s.stride[2]) += *v };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_range_clips_padding_and_stride() {
        // size 5, pad 1, offset 0, stride 2, 3 outputs: taps -1, 1, 3 -> outputs 1, 2 valid
        assert_eq!(valid_range(3, 2, 1, 0, 5), (1, 3));
        // offset 2: taps 1, 3, 5 -> 0, 1 valid
        assert_eq!(valid_range(3, 2, 1, 2, 5), (0, 2));
        // everything in the padding
        assert_eq!(valid_range(2, 1, 4, 0, 2), (2, 2));
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        let s = Shape::new(2, [1, 4, 5], [1, 3, 2], [1, 2, 1], [0, 1, 1], [1, 1, 2]).unwrap();
        let x: Vec<f64> = (0..s.image_len()).map(|i| (i as f64 * 0.37).sin()).collect();
        let y: Vec<f64> = (0..s.col_rows() * s.out_len()).map(|i| (i as f64 * 0.11).cos()).collect();
        let mut col = vec![0.0; y.len()];
        unsafe { im2col(x.as_ptr(), &s, col.as_mut_ptr(), s.out_len(), 0) };
        let mut back = vec![0.0; x.len()];
        unsafe { col2im(y.as_ptr(), s.out_len(), 0, &s, back.as_mut_ptr()) };
        let lhs: f64 = col.iter().zip(&y).map(|(a, b)| a * b).sum();
        let rhs: f64 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
    }
}
