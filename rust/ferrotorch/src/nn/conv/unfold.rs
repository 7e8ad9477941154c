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

/// `dst.copy_from_slice(src)` for the short rows of small images (a 5×5 kernel over 14×14
/// copies runs of 10): fixed-size chunks, the tail as one overlapping chunk, instead of a
/// `memmove` call per run, which profiled at a tenth of a forward pass.
#[inline(always)]
fn copy_run<T: Copy>(src: &[T], dst: &mut [T]) {
    assert_eq!(src.len(), dst.len());
    let bytes = std::mem::size_of_val(src);
    if bytes >= 64 {
        copy_chunks::<T, 64>(src, dst)
    } else if bytes >= 32 {
        copy_chunks::<T, 32>(src, dst)
    } else if bytes >= 16 {
        copy_chunks::<T, 16>(src, dst)
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

/// Copies `src` to `dst` (same length, at least `BYTES` bytes, a whole number of elements
/// per chunk) in `BYTES`-byte chunks, the last one overlapping the one before.
#[inline(always)]
fn copy_chunks<T: Copy, const BYTES: usize>(src: &[T], dst: &mut [T]) {
    let size = std::mem::size_of::<T>();
    debug_assert!(size > 0 && BYTES.is_multiple_of(size) && std::mem::size_of_val(src) >= BYTES);
    let (n, chunk) = (src.len(), BYTES / size);
    let copy_at = |at: usize, dst: &mut [T]| {
        // SAFETY: at + chunk <= n for both slices (callers pass at <= n − chunk); unaligned
        // loads and stores of plain `Copy` data.
        unsafe {
            let v = std::ptr::read_unaligned(src.as_ptr().add(at) as *const [u8; BYTES]);
            std::ptr::write_unaligned(dst.as_mut_ptr().add(at) as *mut [u8; BYTES], v);
        }
    };
    let mut at = 0;
    while at + chunk <= n {
        copy_at(at, dst);
        at += chunk;
    }
    if at < n {
        copy_at(n - chunk, dst);
    }
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
    let (plane_len, taps) = (id * ih * iw, s.kernel_len());
    // Taps outside, planes inside: a tap's valid ranges serve every plane. Raw pointers in
    // the inner loops: with runs of ~10 elements, the loop bookkeeping was the cost.
    let zero = |p: *mut T, n: usize| {
        if n > 0 {
            // SAFETY: callers pass ranges inside the tap's row of `col`.
            unsafe { std::slice::from_raw_parts_mut(p, n) }.fill(T::zero());
        }
    };
    let mut tap = 0usize;
    for a in 0..kd {
        let (d_lo, d_hi) = valid_range(od, s.stride[0], s.pad[0], a * s.dil[0], id);
        for b in 0..kh {
            let (h_lo, h_hi) = valid_range(oh, s.stride[1], s.pad[1], b * s.dil[1], ih);
            for e in 0..kw {
                let (w_lo, w_hi) = valid_range(ow, s.stride[2], s.pad[2], e * s.dil[2], iw);
                let empty = w_lo >= w_hi || h_lo >= h_hi || d_lo >= d_hi;
                for c in 0..s.planes {
                    // SAFETY: row c·taps + tap < col_rows, columns c0 .. c0 + out_len within ld.
                    let dst = unsafe { col.add((c * taps + tap) * ld + c0) };
                    if empty {
                        zero(dst, od * oh * ow);
                        continue;
                    }
                    // SAFETY: plane c of the image.
                    let plane = unsafe { image.add(c * plane_len) };
                    for z in 0..od {
                        // SAFETY: depth slice z of the row.
                        let dz = unsafe { dst.add(z * oh * ow) };
                        if z < d_lo || z >= d_hi {
                            zero(dz, oh * ow);
                            continue;
                        }
                        zero(dz, h_lo * ow);
                        // SAFETY: rows h_hi .. oh of the slice.
                        zero(unsafe { dz.add(h_hi * ow) }, (oh - h_hi) * ow);
                        let iz = z * s.stride[0] + a * s.dil[0] - s.pad[0];
                        let iy = h_lo * s.stride[1] + b * s.dil[1] - s.pad[1];
                        let ix = w_lo * s.stride[2] + e * s.dil[2] - s.pad[2];
                        // SAFETY: (iz, iy, ix) inside the plane by the valid ranges.
                        let mut src = unsafe { plane.add((iz * ih + iy) * iw + ix) };
                        for y in h_lo..h_hi {
                            // SAFETY: row y of the slice; the taps of outputs w_lo .. w_hi
                            // of input row iy lie inside that row (valid ranges).
                            unsafe {
                                let dy = dz.add(y * ow);
                                zero(dy, w_lo);
                                zero(dy.add(w_hi), ow - w_hi);
                                let run = std::slice::from_raw_parts_mut(dy.add(w_lo), w_hi - w_lo);
                                if s.stride[2] == 1 {
                                    copy_run(std::slice::from_raw_parts(src, w_hi - w_lo), run);
                                } else {
                                    for (j, d) in run.iter_mut().enumerate() {
                                        *d = *src.add(j * s.stride[2]);
                                    }
                                }
                                if y + 1 < h_hi {
                                    src = src.add(s.stride[1] * iw);
                                }
                            }
                        }
                    }
                }
                tap += 1;
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
    let (plane_len, taps) = (id * ih * iw, s.kernel_len());
    // Loop order and raw pointers as in im2col.
    let mut tap = 0usize;
    for a in 0..kd {
        let (d_lo, d_hi) = valid_range(od, s.stride[0], s.pad[0], a * s.dil[0], id);
        for b in 0..kh {
            let (h_lo, h_hi) = valid_range(oh, s.stride[1], s.pad[1], b * s.dil[1], ih);
            for e in 0..kw {
                let (w_lo, w_hi) = valid_range(ow, s.stride[2], s.pad[2], e * s.dil[2], iw);
                let this = tap;
                tap += 1;
                if w_lo >= w_hi || h_lo >= h_hi || d_lo >= d_hi {
                    continue;
                }
                let ix = w_lo * s.stride[2] + e * s.dil[2] - s.pad[2];
                let iy = h_lo * s.stride[1] + b * s.dil[1] - s.pad[1];
                let n = w_hi - w_lo;
                for c in 0..s.planes {
                    // SAFETY: row c·taps + tap of col, plane c of the image.
                    let (src, plane) =
                        unsafe { (col.add((c * taps + this) * ld + c0), image.add(c * plane_len)) };
                    for z in d_lo..d_hi {
                        let iz = z * s.stride[0] + a * s.dil[0] - s.pad[0];
                        for y in h_lo..h_hi {
                            let row_in = iy + (y - h_lo) * s.stride[1];
                            // SAFETY: (iz, row_in, ix ..) inside the plane and outputs
                            // w_lo .. w_hi of row (z, y) inside the tap's row, by the valid
                            // ranges; col and image do not overlap.
                            unsafe {
                                let from = std::slice::from_raw_parts(src.add((z * oh + y) * ow + w_lo), n);
                                let to = plane.add((iz * ih + row_in) * iw + ix);
                                if s.stride[2] == 1 {
                                    add_run(from, std::slice::from_raw_parts_mut(to, n));
                                } else {
                                    for (j, v) in from.iter().enumerate() {
                                        *to.add(j * s.stride[2]) += *v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `dst += src` elementwise in chunks of 8 that the compiler keeps in vector registers (the
/// runs are short: a plain zip loop paid its alias checks and remainder loop per run).
#[inline(always)]
fn add_run<T: Real>(src: &[T], dst: &mut [T]) {
    assert_eq!(src.len(), dst.len());
    let mut d = dst.chunks_exact_mut(8);
    let mut s = src.chunks_exact(8);
    for (dc, sc) in (&mut d).zip(&mut s) {
        let mut acc: [T; 8] = dc.try_into().unwrap_or([T::zero(); 8]);
        for (x, y) in acc.iter_mut().zip(sc) {
            *x += *y;
        }
        dc.copy_from_slice(&acc);
    }
    for (x, y) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *x += *y;
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
    fn copy_run_copies_every_length() {
        for n in 0..80 {
            let src: Vec<f32> = (0..n).map(|i| i as f32 + 0.5).collect();
            let mut dst = vec![-1.0f32; n + 3];
            copy_run(&src, &mut dst[1..n + 1]);
            assert_eq!(&dst[1..n + 1], &src[..], "f32 length {n}");
            assert_eq!((dst[0], dst[n + 1], dst[n + 2]), (-1.0, -1.0, -1.0), "f32 length {n} wrote outside");
            let src64: Vec<f64> = src.iter().map(|&v| v as f64).collect();
            let mut dst64 = vec![0.0f64; n];
            copy_run(&src64, &mut dst64);
            assert_eq!(dst64, src64, "f64 length {n}");
        }
    }

    #[test]
    fn add_run_adds_every_length() {
        for n in 0..40 {
            let src: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
            let mut dst: Vec<f64> = (0..n).map(|i| 100.0 + i as f64).collect();
            add_run(&src, &mut dst);
            let want: Vec<f64> = (0..n).map(|i| 100.0 + i as f64 * 1.5).collect();
            assert_eq!(dst, want, "length {n}");
        }
    }

    /// Shapes covering padding on every side, strides above and below the kernel, dilation,
    /// depth, and taps that fall wholly in the padding.
    fn shapes() -> Vec<Shape> {
        let mut v = Vec::new();
        for (image, k, stride, pad, dil) in [
            ([1, 14, 14], [1, 5, 5], [1, 1, 1], [0, 0, 0], [1, 1, 1]),
            ([1, 7, 9], [1, 3, 3], [1, 2, 1], [0, 1, 2], [1, 1, 1]),
            ([1, 6, 6], [1, 2, 3], [1, 3, 3], [0, 2, 1], [1, 2, 1]),
            ([1, 2, 2], [1, 3, 3], [1, 1, 1], [0, 3, 3], [1, 1, 1]),
            ([3, 5, 4], [2, 3, 2], [2, 1, 1], [1, 1, 0], [2, 1, 2]),
            ([1, 3, 40], [1, 1, 7], [1, 1, 1], [0, 0, 3], [1, 1, 1]),
            ([1, 4, 5], [1, 3, 2], [1, 2, 1], [0, 1, 1], [1, 1, 2]),
        ] {
            v.push(Shape::new(2, image, k, stride, pad, dil).unwrap());
        }
        v
    }

    #[test]
    fn im2col_matches_the_definition() {
        for s in shapes() {
            let x: Vec<f32> = (0..s.image_len()).map(|i| i as f32 + 1.0).collect();
            let (l, c0) = (s.out_len(), 3);
            let ld = l + 5;
            let mut col = vec![-7.0f32; s.col_rows() * ld];
            unsafe { im2col(x.as_ptr(), &s, col.as_mut_ptr(), ld, c0) };
            let [id, ih, iw] = s.image;
            let [od, oh, ow] = s.out;
            let mut row = 0;
            for c in 0..s.planes {
                for a in 0..s.k[0] {
                    for b in 0..s.k[1] {
                        for e in 0..s.k[2] {
                            for p in 0..l {
                                let (z, y, w) = (p / (oh * ow), p / ow % oh, p % ow);
                                let at = |o: usize, d: usize, t: usize| {
                                    (o * s.stride[d] + t * s.dil[d]) as isize - s.pad[d] as isize
                                };
                                let (iz, iy, ix) = (at(z, 0, a), at(y, 1, b), at(w, 2, e));
                                let inside = (0..id as isize).contains(&iz)
                                    && (0..ih as isize).contains(&iy)
                                    && (0..iw as isize).contains(&ix);
                                let want = if inside {
                                    x[((c * id + iz as usize) * ih + iy as usize) * iw + ix as usize]
                                } else {
                                    0.0
                                };
                                assert_eq!(col[row * ld + c0 + p], want, "{s:?} row {row} position {p}");
                            }
                            // columns outside c0 .. c0 + l untouched
                            assert!(col[row * ld..row * ld + c0].iter().all(|&v| v == -7.0), "{s:?}");
                            assert!(
                                col[row * ld + c0 + l..(row + 1) * ld].iter().all(|&v| v == -7.0),
                                "{s:?}"
                            );
                            row += 1;
                        }
                    }
                }
            }
            assert_eq!(od * oh * ow, l);
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col_for_every_shape() {
        for s in shapes() {
            let x: Vec<f64> = (0..s.image_len()).map(|i| (i as f64 * 0.37).sin()).collect();
            let y: Vec<f64> = (0..s.col_rows() * s.out_len()).map(|i| (i as f64 * 0.11).cos()).collect();
            let mut col = vec![0.0; y.len()];
            unsafe { im2col(x.as_ptr(), &s, col.as_mut_ptr(), s.out_len(), 0) };
            let mut back = vec![0.0; x.len()];
            unsafe { col2im(y.as_ptr(), s.out_len(), 0, &s, back.as_mut_ptr()) };
            let lhs: f64 = col.iter().zip(&y).map(|(a, b)| a * b).sum();
            let rhs: f64 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
            assert!((lhs - rhs).abs() < 1e-9, "{s:?}: {lhs} vs {rhs}");
        }
    }
}
