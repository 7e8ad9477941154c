//! CPU kernels: sorting, selection (kthvalue, median, mode, topk) on one slice at a time.
//!
//! Each value becomes an integer key whose unsigned order is the value order (NaN above
//! everything, -0 equal to 0) packed with its 0-based position: the packed integers are all
//! distinct, so any sort or selection on them is deterministic, ties come out in index order,
//! and the values are read back through the positions. Types of up to 32 bits pack into a u64
//! and sort by a least-significant-digit radix sort over the key's bytes (stable, so positions
//! stay in order); 64-bit types pack into a u128 and use the standard unstable sort.

use super::reduce::Num;

/// Slices at least this long radix-sort; shorter ones use the comparison sort.
const RADIX_MIN: usize = 256;

/// A key packed with a position.
pub trait Packed: Copy + Ord + Send + Default {
    fn pos(self) -> usize;
    fn key(self) -> u128;
}

impl Packed for u64 {
    #[inline(always)]
    fn pos(self) -> usize {
        (self & 0xffff_ffff) as usize
    }
    #[inline(always)]
    fn key(self) -> u128 {
        (self >> 32) as u128
    }
}

impl Packed for u128 {
    #[inline(always)]
    fn pos(self) -> usize {
        (self & 0xffff_ffff_ffff_ffff) as usize
    }
    #[inline(always)]
    fn key(self) -> u128 {
        self >> 64
    }
}

/// The key of `v`; `descending` reverses the order of numbers but keeps NaN last (Torch7's sort
/// puts NaN last both ways).
#[inline(always)]
fn key_of<T: Num>(v: T, descending: bool) -> u64 {
    let bits = std::mem::size_of::<T>() * 8;
    let k = v.key();
    if descending && !v.is_nan() {
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        if T::DTYPE.is_floating_point() {
            // The top key is NaN's and numbers' keys lie in [1, mask - 1]: shift them down so
            // that NaN stays last.
            (mask ^ k) - 1
        } else {
            mask ^ k
        }
    } else {
        k
    }
}

/// The value whose key (`key_of`, with the same `descending`) is `kd`: exact except for the
/// sign of zero and NaN payloads, which the caller re-reads from the slice.
#[inline(always)]
fn value_of<T: Num>(kd: u64, descending: bool) -> T {
    let bits = std::mem::size_of::<T>() * 8;
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let k = if !descending || (T::DTYPE.is_floating_point() && kd == mask) {
        kd
    } else if T::DTYPE.is_floating_point() {
        mask ^ (kd + 1)
    } else {
        mask ^ kd
    };
    T::from_key(k)
}

/// Sorts a slice: `out_pos` gets the positions and `out_vals` the values in sorted order (NaN
/// last, ties in position order). Values of narrow types come back from the sorted keys, which
/// saves a random read of the slice per element.
pub fn sort_with_values<T: Num>(
    vals: &[T],
    descending: bool,
    out_pos: &mut Vec<usize>,
    out_vals: &mut Vec<T>,
) {
    out_pos.clear();
    out_vals.clear();
    if narrow::<T>(vals.len()) && vals.len() >= RADIX_MIN {
        let mut p = pack64(vals, descending);
        radix64(&mut p, 8 * std::mem::size_of::<T>());
        out_pos.extend(p.iter().map(|x| x.pos()));
        out_vals.extend(p.iter().map(|&x| {
            let v: T = value_of(x >> 32, descending);
            // Zero and NaN keys lose the sign / payload: read those from the slice.
            if v == T::default() || v.is_nan() {
                vals[x.pos()]
            } else {
                v
            }
        }));
    } else {
        argsort(vals, descending, out_pos);
        out_vals.extend(out_pos.iter().map(|&p| vals[p]));
    }
}

/// Whether `T` packs into a u64 for slices of `n`.
fn narrow<T: Num>(n: usize) -> bool {
    std::mem::size_of::<T>() <= 4 && n <= u32::MAX as usize
}

fn pack64<T: Num>(vals: &[T], descending: bool) -> Vec<u64> {
    vals.iter().enumerate().map(|(i, &v)| (key_of(v, descending) << 32) | i as u64).collect()
}

fn pack128<T: Num>(vals: &[T], descending: bool) -> Vec<u128> {
    vals.iter().enumerate().map(|(i, &v)| ((key_of(v, descending) as u128) << 64) | i as u128).collect()
}

/// LSD radix sort of packed u64s on the `bits` key bits above bit 32, in 11-bit digits for long
/// slices of wide keys (fewer passes) and 8-bit ones otherwise (smaller tables): one pass counts
/// every digit, then one scatter per digit, skipped when the digit is the same everywhere.
/// Stable, so equal keys keep position order.
fn radix64(v: &mut Vec<u64>, bits: usize) {
    if bits <= 16 || v.len() < 1 << 16 {
        radix_digits::<8>(v, bits)
    } else {
        radix_digits::<11>(v, bits)
    }
}

fn radix_digits<const D: usize>(v: &mut Vec<u64>, bits: usize) {
    let n = v.len();
    let passes = bits.div_ceil(D);
    let digit = |x: u64, b: usize| ((x >> (32 + D * b)) & ((1 << D) - 1)) as usize;
    let mut counts = vec![vec![0usize; 1 << D]; passes];
    for &x in v.iter() {
        for (b, c) in counts.iter_mut().enumerate() {
            c[digit(x, b)] += 1;
        }
    }
    let mut buf = vec![0u64; n];
    for (b, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue; // the same digit everywhere: this pass would not move anything
        }
        let mut pos = vec![0usize; 1 << D];
        let mut acc = 0;
        for (p, &c) in pos.iter_mut().zip(count.iter()) {
            *p = acc;
            acc += c;
        }
        let dst = buf.as_mut_ptr();
        for &x in v.iter() {
            // SAFETY: the prefix sums give each element a distinct slot below n.
            unsafe {
                let slot = pos.get_unchecked_mut(digit(x, b));
                dst.add(*slot).write(x);
                *slot += 1;
            }
        }
        std::mem::swap(v, &mut buf);
    }
}

/// The positions that sort `vals` (NaN last, ties in position order), written to `out`.
pub fn argsort<T: Num>(vals: &[T], descending: bool, out: &mut Vec<usize>) {
    out.clear();
    if narrow::<T>(vals.len()) {
        let mut p = pack64(vals, descending);
        if p.len() >= RADIX_MIN {
            radix64(&mut p, 8 * std::mem::size_of::<T>());
        } else {
            p.sort_unstable();
        }
        out.extend(p.iter().map(|x| x.pos()));
    } else {
        let mut p = pack128(vals, descending);
        p.sort_unstable();
        out.extend(p.iter().map(|x| x.pos()));
    }
}

fn topk_packed<P: Packed>(mut p: Vec<P>, k: usize, out: &mut Vec<usize>) {
    if k < p.len() {
        if k > 0 {
            p.select_nth_unstable(k - 1);
        }
        p.truncate(k);
    }
    p.sort_unstable();
    out.extend(p.iter().map(|x| x.pos()));
}

/// Positions of the `k` smallest values (`largest`: the k largest), ordered as sort orders them.
pub fn topk<T: Num>(vals: &[T], k: usize, largest: bool, out: &mut Vec<usize>) {
    out.clear();
    if k * 4 >= vals.len() {
        argsort(vals, largest, out);
        out.truncate(k);
    } else if narrow::<T>(vals.len()) {
        topk_packed(pack64(vals, largest), k, out);
    } else {
        topk_packed(pack128(vals, largest), k, out);
    }
}

fn kth_packed<P: Packed>(mut p: Vec<P>, k: usize) -> usize {
    p.select_nth_unstable(k).1.pos()
}

/// Position of the value of rank `k` (0-based) in ascending order (ties in position order).
/// `k < vals.len()` is the caller's to check.
pub fn kth<T: Num>(vals: &[T], k: usize) -> usize {
    if narrow::<T>(vals.len()) {
        kth_packed(pack64(vals, false), k)
    } else {
        kth_packed(pack128(vals, false), k)
    }
}

fn mode_packed<P: Packed>(mut p: Vec<P>) -> usize {
    p.sort_unstable();
    let (mut best, mut best_len) = (0usize, 0usize);
    let mut start = 0;
    for i in 1..=p.len() {
        if i == p.len() || p[i].key() != p[start].key() {
            if i - start > best_len {
                best_len = i - start;
                best = p[i - 1].pos(); // the last occurrence of the value
            }
            start = i;
        }
    }
    best
}

/// Position of the last occurrence of the most frequent value (ties: the smallest value).
/// `vals` must not be empty.
pub fn mode<T: Num>(vals: &[T]) -> usize {
    if narrow::<T>(vals.len()) {
        mode_packed(pack64(vals, false))
    } else {
        mode_packed(pack128(vals, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argsort_nan_last_both_ways() {
        let v = [0.5f64, f64::NAN, -1.0, 0.5, 2.0];
        let mut o = Vec::new();
        argsort(&v, false, &mut o);
        assert_eq!(o, vec![2, 0, 3, 4, 1]);
        argsort(&v, true, &mut o);
        assert_eq!(o, vec![4, 0, 3, 2, 1]);
    }

    #[test]
    fn radix_matches_comparison_sort() {
        let v: Vec<i32> = (0..5000).map(|i| ((i * 7919) % 1013) - 500).collect();
        let mut o = Vec::new();
        argsort(&v, false, &mut o);
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by_key(|&i| (v[i], i));
        assert_eq!(o, idx);
        argsort(&v, true, &mut o);
        idx.sort_by_key(|&i| (std::cmp::Reverse(v[i]), i));
        assert_eq!(o, idx);
    }

    #[test]
    fn long_radix_matches_comparison_sort() {
        let n = (1 << 17) * 2 + 3;
        let v: Vec<f32> = (0..n).map(|i| ((i * 7919 + 13) % 100_003) as f32 / 9.0 - 5000.0).collect();
        let mut o = Vec::new();
        argsort(&v, false, &mut o);
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
        assert_eq!(o, idx);
        let w: Vec<i16> = (0..n).map(|i| ((i * 31) % 4001) as i16 - 2000).collect();
        argsort(&w, true, &mut o);
        idx.sort_by_key(|&i| (std::cmp::Reverse(w[i]), i));
        assert_eq!(o, idx);
    }

    #[test]
    fn values_come_back_from_keys() {
        let v: Vec<f32> =
            (0..1000).map(|i| if i % 7 == 0 { -0.0 } else { (i as f32 - 500.0) / 3.0 }).collect();
        for desc in [false, true] {
            let (mut p, mut vals) = (Vec::new(), Vec::new());
            sort_with_values(&v, desc, &mut p, &mut vals);
            for (j, &q) in p.iter().enumerate() {
                assert_eq!(vals[j].to_bits(), v[q].to_bits());
            }
        }
        let w: Vec<i8> = (0..600).map(|i| (i % 256) as i8).collect();
        let (mut p, mut vals) = (Vec::new(), Vec::new());
        sort_with_values(&w, true, &mut p, &mut vals);
        assert!(p.iter().zip(&vals).all(|(&q, &x)| w[q] == x));
        assert_eq!(vals[0], 127);
    }

    #[test]
    fn selection() {
        let v = [3u8, 1, 3, 2, 1, 3];
        assert_eq!(kth(&v, 0), 1);
        assert_eq!(kth(&v, 2), 3);
        assert_eq!(mode(&v), 5);
        let mut o = Vec::new();
        topk(&v, 2, true, &mut o);
        assert_eq!(o, vec![0, 2]);
        topk(&[5i64, 4, 3, 2, 1, 0, 9, 8, 7, 6], 2, false, &mut o);
        assert_eq!(o, vec![5, 4]);
    }
}
