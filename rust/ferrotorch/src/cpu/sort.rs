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

/// `nan_key`: NaN's key for float types; NaN equals nothing, so each NaN is a run of its own
/// (Torch7 compares the sorted values with `!=`).
fn mode_packed<P: Packed>(mut p: Vec<P>, nan_key: Option<u128>) -> usize {
    p.sort_unstable();
    let (mut best, mut best_len) = (0usize, 0usize);
    let mut start = 0;
    for i in 1..=p.len() {
        if i == p.len() || p[i].key() != p[start].key() || Some(p[i].key()) == nan_key {
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
    let nan_key = T::DTYPE.is_floating_point().then(|| T::from_f64(f64::NAN).key() as u128);
    if narrow::<T>(vals.len()) {
        mode_packed(pack64(vals, false), nan_key)
    } else {
        mode_packed(pack128(vals, false), nan_key)
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

    /// Torch7's order: numbers ascending (descending when asked), NaN last both ways, -0 equal
    /// to 0, ties in position order.
    fn reference_order<T: Num>(v: &[T], descending: bool) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (v[a], v[b]);
            let o = match (x.is_nan(), y.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if descending => y.partial_cmp(&x).unwrap(),
                _ => x.partial_cmp(&y).unwrap(),
            };
            o.then(a.cmp(&b))
        });
        idx
    }

    fn same<T: Num>(a: T, b: T) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    /// Every entry point against the reference on `v`: argsort and sort (values too, bit for
    /// bit), topk both ways at k around the selection / full-sort switch, kth at every tenth
    /// rank, mode.
    fn check_all<T: Num + std::fmt::Debug>(v: &[T], what: &str) {
        let n = v.len();
        let (mut o, mut p, mut vals) = (Vec::new(), Vec::new(), Vec::new());
        for desc in [false, true] {
            let want = reference_order(v, desc);
            argsort(v, desc, &mut o);
            assert_eq!(o, want, "argsort {what} n={n} desc={desc}");
            sort_with_values(v, desc, &mut p, &mut vals);
            assert_eq!(p, want, "sort {what} n={n} desc={desc}");
            for (j, &q) in p.iter().enumerate() {
                let (a, b) = (vals[j], v[q]);
                assert!(same(a, b), "sort value {what} n={n} desc={desc} at {j}: {a:?} vs {b:?}");
                if a == T::default() {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "sign of zero at {j}");
                }
            }
            for k in [0, 1, n / 4, n / 4 + 1, n / 2, n].into_iter().filter(|&k| k <= n) {
                topk(v, k, desc, &mut o);
                assert_eq!(o, want[..k], "topk {what} n={n} k={k} largest={desc}");
            }
        }
        let asc = reference_order(v, false);
        for k in (0..n).step_by(n / 10 + 1).chain(n.checked_sub(1)) {
            assert_eq!(kth(v, k), asc[k], "kth {what} n={n} k={k}");
        }
        if n > 0 {
            // The most frequent value (ties: the smallest), its last position.
            let mut best = (0usize, 0usize);
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j < n && v[asc[j]] == v[asc[i]] {
                    j += 1;
                }
                let j = j.max(i + 1); // NaN equals nothing: each is its own run
                if j - i > best.0 {
                    best = (j - i, asc[j - 1]);
                }
                i = j;
            }
            assert_eq!(mode(v), best.1, "mode {what} n={n}");
        }
    }

    /// Lengths on both sides of the comparison / radix switch (the 11-bit digits: below).
    const LENGTHS: [usize; 7] = [0, 1, 2, 17, RADIX_MIN - 1, RADIX_MIN, 1000];

    fn pseudo_random(n: usize, seed: u64) -> impl Iterator<Item = u64> {
        crate::cpu::test_stream(seed).take(n).map(|s| s >> 11)
    }

    #[test]
    fn every_type_and_length_matches_the_reference_order() {
        for n in LENGTHS {
            // Integers: extremes, many repeats, and (for wide types) values using every byte.
            let r: Vec<u64> = pseudo_random(n, n as u64 + 1).collect();
            check_all(&r.iter().map(|&x| x as u8).collect::<Vec<_>>(), "u8");
            check_all(&r.iter().map(|&x| (x % 7) as i8 - 3).collect::<Vec<_>>(), "i8 repeats");
            check_all(&r.iter().map(|&x| x as i8).collect::<Vec<_>>(), "i8");
            check_all(&r.iter().map(|&x| x as i16).collect::<Vec<_>>(), "i16");
            check_all(&r.iter().map(|&x| x as i32).collect::<Vec<_>>(), "i32");
            check_all(
                &r.iter().map(|&x| [i32::MIN, -7, 0, 99_999, i32::MAX][(x % 5) as usize]).collect::<Vec<_>>(),
                "i32 repeats",
            );
            check_all(&r.iter().map(|&x| (x << 11) as i64 ^ x as i64).collect::<Vec<_>>(), "i64");
            let ext = [i64::MIN, i64::MAX, 0, -1];
            check_all(&r.iter().map(|&x| ext[(x % 4) as usize]).collect::<Vec<_>>(), "i64 extremes");
            // Floats: NaN, both zeros, infinities, subnormals, repeats.
            let special = [f64::NAN, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 5e-324, -1.5, 1.5];
            let f: Vec<f64> = r
                .iter()
                .map(|&x| {
                    if x % 3 == 0 {
                        special[(x / 3 % 8) as usize]
                    } else {
                        (x % 20001) as f64 / 7.0 - 1400.0
                    }
                })
                .collect();
            check_all(&f, "f64");
            let g: Vec<f32> = f.iter().map(|&x| if x == 5e-324 { 1e-45 } else { x as f32 }).collect();
            check_all(&g, "f32");
            check_all(&r.iter().map(|&x| f32::from_bits(x as u32)).collect::<Vec<_>>(), "f32 any bits");
            check_all(
                &r.iter().map(|&x| f64::from_bits(x << 11 | x >> 42)).collect::<Vec<_>>(),
                "f64 any bits",
            );
        }
        // Long slices of 32-bit keys sort in 11-bit digits (not under valgrind: the shorter
        // radix sorts run the same unsafe scatter).
        if crate::cpu::under_valgrind() {
            return;
        }
        let r: Vec<u64> = pseudo_random((1 << 16) + 5, 99).collect();
        check_all(&r.iter().map(|&x| x as i32).collect::<Vec<_>>(), "long i32");
        check_all(&r.iter().map(|&x| f32::from_bits(x as u32)).collect::<Vec<_>>(), "long f32 any bits");
    }

    #[test]
    fn mode_ties_pick_the_smallest_value() {
        assert_eq!(mode(&[2u8, 5, 2, 5, 9]), 2); // 2 and 5 twice each: 2, last at 2
        assert_eq!(mode(&[5i64, 2, 5, 2, 9]), 3);
        assert_eq!(mode(&[9.0f32, 1.0, 9.0, 1.0]), 3);
        assert_eq!(mode(&[7i32]), 0);
        assert_eq!(mode(&[3.0f64, 3.0, f64::NAN, f64::NAN]), 1); // NaN never equals NaN
    }

    #[test]
    fn keys_round_trip_through_values() {
        for desc in [false, true] {
            for x in [-3i8, 0, 127, -128] {
                assert_eq!(value_of::<i8>(key_of(x, desc), desc), x);
            }
            for x in [-3i64, 0, i64::MAX, i64::MIN] {
                assert_eq!(value_of::<i64>(key_of(x, desc), desc), x);
            }
            for x in [-3.5f32, 0.0, f32::MAX, f32::NEG_INFINITY, 1e-45] {
                assert_eq!(value_of::<f32>(key_of(x, desc), desc), x);
            }
            for x in [-3.5f64, 0.0, f64::MIN, f64::INFINITY, 5e-324] {
                assert_eq!(value_of::<f64>(key_of(x, desc), desc), x);
            }
            assert!(value_of::<f64>(key_of(f64::NAN, desc), desc).is_nan());
            assert!(value_of::<f32>(key_of(f32::NAN, desc), desc).is_nan());
        }
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
