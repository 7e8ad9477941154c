//! Torch7's random number generator (`lib/TH/THRandom.c`), bit-exact.
//!
//! A [`Generator`] is Torch7's `THGenerator`: an MT19937 Mersenne Twister plus
//! the Box-Muller cache used by `normal`. Seeding a [`Generator`] with a seed
//! gives exactly the numbers Lua Torch7 gave after `torch.manualSeed(seed)`;
//! the tests replay sequences recorded from real Torch7.
//!
//! Torch7 behaviour reproduced here (some of it surprising):
//!
//! * `uniform01` is **one** 32-bit draw divided by 2^32 (`random() * (1/2^32)`),
//!   so it has only 32 bits of resolution and lies in `[0, 1)`. Every
//!   continuous distribution is built on it; `uniform(a, b)` is
//!   `uniform01() * (b - a) + a` (no check that `a <= b`).
//! * `normal` is Box-Muller with a cache: the first call draws `x` then `y`,
//!   stores `rho = sqrt(-2 ln(1 - y))` and returns `rho cos(2 pi x) std + mean`;
//!   the next call draws nothing and returns `rho sin(2 pi x) std + mean`
//!   with *its own* mean and std. `manual_seed` clears the cache.
//! * `log_normal(mean, std)` is `exp(normal(mean, std))` (mean and std of
//!   the underlying normal; it shares the Box-Muller cache with `normal`).
//!   Torch7's defaults are mean 1, std 2. (Torch7 before commit 489620c,
//!   Nov 2016, treated them as the log-normal's own moments; the fixtures,
//!   from torch7 814ea4a, confirm the plain form.)
//! * `geometric(p)` is `(int)(ln(1 - u) / ln p) + 1`: `p` is the probability
//!   of *continuing*, `P(k) = (1 - p) p^(k - 1)`. The C `(int)` cast is
//!   reproduced as x86-64 does it (out-of-range values become `i32::MIN`).
//! * `bernoulli(p)` is `uniform01() <= p` (so `p = 0` can still give `true`
//!   when the draw is exactly 0).
//! * `exponential(lambda)` is `(-1 / lambda) * ln(1 - u)`; `cauchy(median,
//!   sigma)` is `median + sigma * tan(pi (u - 0.5))`.
//! * `randperm(n)` swaps `r[i]` with `r[i + random() % (n - i)]` for
//!   `i in 0..n-1`; Torch7 then adds 1 (Lua indices), [`randperm`] does not.
//! * Torch7 has no 64-bit draw: a `LongTensor:random()` is one 32-bit draw.
//!   [`Generator::random64`] combines two draws the way the later
//!   `THRandom_random64` of PyTorch's TH did: `(first << 32) | second`.
//! * `torch.getRNGState()` returns the raw bytes of the C struct. On x86-64
//!   (`unsigned long` = 8 bytes, `int` = 4) it is [`STATE_BYTES`] = 5048
//!   bytes: `the_initial_seed` u64 @0, `left` i32 @8, `seeded` i32 @12,
//!   `next` u64 @16, `state[624]` u64 @24, `normal_x` f64 @5016, `normal_y`
//!   f64 @5024, `normal_rho` f64 @5032, `normal_is_valid` i32 @5040 and 4
//!   bytes of tail padding (zero, because Torch7 `memset`s the struct).
//!   All fields little-endian. Right after seeding, `left = 1`, `next = 0`.
//!
//! Argument checks: where Torch7 raised an error (`normal`/`log_normal` with
//! std <= 0, `geometric` outside `0 < p < 1`, `bernoulli` outside
//! `0 <= p <= 1`, `torch.random(b)` with `b <= 0`, `torch.random(a, b)` with
//! `b < a`) the function returns `Err` **without consuming** any random
//! number, as Torch7 did. Additionally (a ferrotorch choice, Torch7 did not
//! check) `exponential` rejects `lambda <= 0` or NaN. `uniform` and `cauchy`
//! accept anything, as in Torch7. No function panics on any input.

use std::f64::consts::PI;
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

/// Mersenne Twister state length (`_MERSENNE_STATE_N`).
const N: usize = 624;
/// Mersenne Twister shift (`_MERSENNE_STATE_M`).
const M: usize = 397;
const MATRIX_A: u64 = 0x9908_b0df;
const UMASK: u64 = 0x8000_0000;
const LMASK: u64 = 0x7fff_ffff;
const MASK32: u64 = 0xffff_ffff;

/// Size in bytes of Torch7's `THGenerator` struct on x86-64, i.e. the length
/// of the ByteTensor `torch.getRNGState()` returns.
pub const STATE_BYTES: usize = 5048;

const OFF_SEED: usize = 0;
const OFF_LEFT: usize = 8;
const OFF_SEEDED: usize = 12;
const OFF_NEXT: usize = 16;
const OFF_STATE: usize = 24;
const OFF_NORMAL_X: usize = OFF_STATE + 8 * N; // 5016
const OFF_NORMAL_Y: usize = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO: usize = OFF_NORMAL_Y + 8;
const OFF_NORMAL_VALID: usize = OFF_NORMAL_RHO + 8; // 5040, then 4 bytes padding

/// Torch7's THGenerator: MT19937 plus the Box-Muller cache.
///
/// Field names and types follow the C struct so that [`Generator::state_bytes`]
/// is the exact memory image Torch7 serialised.
#[derive(Clone, Debug)]
pub struct Generator {
    the_initial_seed: u64,
    left: i32,
    seeded: i32,
    next: u64,
    state: [u64; N],
    normal_x: f64,
    normal_y: f64,
    normal_rho: f64,
    normal_is_valid: i32,
    /// `sin(2π·normal_x)` of the pending pair, computed together with its cosine (glibc's
    /// `sincos` gives the same bits as `sin` and `cos` and costs little more than one of
    /// them; the normal draw was libm-bound). Not part of Torch7's state: `None` wherever
    /// the state is set, recomputed from `normal_x` then.
    normal_sin: Option<f64>,
}

#[inline]
fn twist(u: u64, v: u64) -> u64 {
    let mixed = (u & UMASK) | (v & LMASK);
    (mixed >> 1) ^ if v & 1 != 0 { MATRIX_A } else { 0 }
}

/// `(int)x` as compiled for x86-64 (`cvttsd2si` into a 32-bit register):
/// truncation toward zero, and the "integer indefinite" value `i32::MIN`
/// for NaN or anything outside the `int` range.
#[inline]
fn c_double_to_int(x: f64) -> i32 {
    if x.is_nan() || x >= 2_147_483_648.0 || x <= -2_147_483_649.0 {
        i32::MIN
    } else {
        x as i32
    }
}

/// A seed the way Torch7's `THRandom_seed` picks one: 8 bytes from
/// `/dev/urandom`; if that fails, the clock (Torch7 used `time(0)` seconds
/// on Windows; we use nanoseconds since the epoch so that two generators made
/// in the same second differ).
fn entropy_seed() -> u64 {
    let mut buf = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(&mut buf).is_ok() {
            return u64::from_ne_bytes(buf);
        }
    }
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as u64,
        Err(_) => 0,
    }
}

fn read_u64(bytes: &[u8], off: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[off..off + 8]);
    u64::from_le_bytes(b)
}

fn read_i32(bytes: &[u8], off: usize) -> i32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[off..off + 4]);
    i32::from_le_bytes(b)
}

fn read_f64(bytes: &[u8], off: usize) -> f64 {
    f64::from_bits(read_u64(bytes, off))
}

impl Generator {
    /// An unseeded generator as `THGenerator_newUnseeded` makes it (all zero,
    /// `left = 1`); only used as the base for seeding.
    fn blank() -> Self {
        Generator {
            the_initial_seed: 0,
            left: 1,
            seeded: 0,
            next: 0,
            state: [0; N],
            normal_x: 0.0,
            normal_y: 0.0,
            normal_rho: 0.0,
            normal_is_valid: 0,
            normal_sin: None,
        }
    }

    /// A generator seeded as `torch.manualSeed(seed)`.
    pub fn new(seed: u64) -> Self {
        let mut g = Self::blank();
        g.manual_seed(seed);
        g
    }

    /// A generator seeded like Torch7's `torch.seed()` / `torch.Generator()`:
    /// from `/dev/urandom`, falling back to the clock.
    pub fn from_entropy() -> Self {
        Self::new(entropy_seed())
    }

    /// `THRandom_manualSeed`: resets the whole generator (including the
    /// Box-Muller cache), then `state[0] = seed & 0xffffffff`,
    /// `state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >> 30)) + j`
    /// (mod 2^32), `left = 1`, `next = 0`. The full 64-bit seed is kept as
    /// the initial seed.
    pub fn manual_seed(&mut self, seed: u64) {
        *self = Self::blank();
        self.the_initial_seed = seed;
        self.state[0] = seed & MASK32;
        for j in 1..N {
            let prev = self.state[j - 1];
            self.state[j] =
                1_812_433_253u64.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(j as u64) & MASK32;
        }
        self.left = 1;
        self.seeded = 1;
    }

    /// `THRandom_seed`: reseed from entropy (see [`Generator::from_entropy`])
    /// and return the seed used.
    pub fn seed(&mut self) -> u64 {
        let s = entropy_seed();
        self.manual_seed(s);
        s
    }

    /// The seed last given to [`Generator::manual_seed`] / [`Generator::seed`]
    /// (`torch.initialSeed()`); drawing numbers does not change it.
    pub fn initial_seed(&self) -> u64 {
        self.the_initial_seed
    }

    /// `THRandom_nextState`: regenerate the 624-word block.
    fn next_state(&mut self) {
        self.left = N as i32;
        self.next = 0;
        let s = &mut self.state;
        for k in 0..N - M {
            s[k] = s[k + M] ^ twist(s[k], s[k + 1]);
        }
        for k in N - M..N - 1 {
            s[k] = s[k + M - N] ^ twist(s[k], s[k + 1]);
        }
        s[N - 1] = s[M - 1] ^ twist(s[N - 1], s[0]);
    }

    /// `THRandom_random`: the next tempered 32-bit MT19937 output
    /// (`torch.random()`, a value in `[0, 2^32 - 1]`).
    pub fn random(&mut self) -> u32 {
        // C: `if (--left == 0) nextState();` -- `left >= 1` always holds here
        // (seeding and `set_state_bytes` guarantee it).
        if self.left <= 1 {
            self.next_state();
        } else {
            self.left -= 1;
        }
        // `next < 624` is an invariant (left + next <= 625); the modulo only
        // keeps this free of any panic path.
        let mut y = self.state[(self.next as usize) % N];
        self.next += 1;

        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        (y & MASK32) as u32
    }

    /// Two 32-bit draws combined as `(first << 32) | second`. Torch7 itself
    /// has no 64-bit draw (its `LongTensor:random()` uses one 32-bit draw);
    /// this is what `THRandom_random64` in PyTorch's TH later did.
    pub fn random64(&mut self) -> u64 {
        let hi = u64::from(self.random());
        let lo = u64::from(self.random());
        (hi << 32) | lo
    }

    /// Torch7's `__uniform__`: one 32-bit draw times `1/2^32`, in `[0, 1)`.
    pub fn uniform01(&mut self) -> f64 {
        f64::from(self.random()) * (1.0 / 4_294_967_296.0)
    }

    /// `torch.uniform(a, b)`: `uniform01() * (b - a) + a`. Like Torch7, no
    /// check that `a <= b`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        self.uniform01() * (b - a) + a
    }

    /// Box-Muller with cache, arguments already checked.
    fn normal_unchecked(&mut self, mean: f64, stdv: f64) -> f64 {
        if self.normal_is_valid == 0 {
            self.normal_x = self.uniform01();
            self.normal_y = self.uniform01();
            self.normal_rho = (-2.0 * (1.0 - self.normal_y).ln()).sqrt();
            self.normal_is_valid = 1;
            let t = 2.0 * PI * self.normal_x;
            let (sin, cos) = (t.sin(), t.cos());
            self.normal_sin = Some(sin);
            self.normal_rho * cos * stdv + mean
        } else {
            self.normal_is_valid = 0;
            let sin = self.normal_sin.take().unwrap_or_else(|| (2.0 * PI * self.normal_x).sin());
            self.normal_rho * sin * stdv + mean
        }
    }

    /// `torch.normal(mean, stdv)`: Box-Muller with cache (see the module
    /// docs). `Err` (nothing drawn) unless `stdv > 0`.
    pub fn normal(&mut self, mean: f64, stdv: f64) -> Result<f64, String> {
        if stdv > 0.0 {
            Ok(self.normal_unchecked(mean, stdv))
        } else {
            Err(format!("normal: standard deviation must be strictly positive, got {stdv}"))
        }
    }

    /// `torch.exponential(lambda)`: `(-1 / lambda) * ln(1 - uniform01())`.
    /// `Err` (nothing drawn) unless `lambda > 0` -- a ferrotorch check,
    /// Torch7 returned negative/infinite/NaN values instead.
    pub fn exponential(&mut self, lambda: f64) -> Result<f64, String> {
        if lambda > 0.0 {
            Ok(-1.0 / lambda * (1.0 - self.uniform01()).ln())
        } else {
            Err(format!("exponential: rate lambda must be strictly positive, got {lambda}"))
        }
    }

    /// `torch.cauchy(median, sigma)`: `median + sigma * tan(pi (u - 0.5))`.
    /// Like Torch7, no argument check.
    pub fn cauchy(&mut self, median: f64, sigma: f64) -> f64 {
        median + sigma * (PI * (self.uniform01() - 0.5)).tan()
    }

    /// `torch.logNormal(mean, stdv)`: `exp(normal(mean, stdv))`, so `mean`
    /// and `stdv` are those of the underlying normal (Torch7 since
    /// 489620c; earlier versions treated them as the log-normal's own moments). Shares
    /// the Box-Muller cache with [`Generator::normal`]. `Err` (nothing drawn)
    /// unless `stdv > 0`.
    pub fn log_normal(&mut self, mean: f64, stdv: f64) -> Result<f64, String> {
        if stdv > 0.0 {
            Ok(self.normal_unchecked(mean, stdv).exp())
        } else {
            Err(format!("logNormal: standard deviation must be strictly positive, got {stdv}"))
        }
    }

    /// `torch.geometric(p)`: `(int)(ln(1 - u) / ln p) + 1`, i.e. the number
    /// of trials with `P(k) = (1 - p) p^(k-1)`, returned as `f64` like
    /// Torch7's Lua number. The C `int` cast is emulated as on x86-64
    /// (a ratio beyond the `int` range, possible only for `p` within ~1e-8 of
    /// 1, gives `i32::MIN + 1`). `Err` (nothing drawn) unless `0 < p < 1`.
    pub fn geometric(&mut self, p: f64) -> Result<f64, String> {
        if p > 0.0 && p < 1.0 {
            let ratio = (1.0 - self.uniform01()).ln() / p.ln();
            Ok(f64::from(c_double_to_int(ratio).wrapping_add(1)))
        } else {
            Err(format!("geometric: p must be > 0 and < 1, got {p}"))
        }
    }

    /// `torch.bernoulli(p)`: `uniform01() <= p`. `Err` (nothing drawn)
    /// unless `0 <= p <= 1`.
    pub fn bernoulli(&mut self, p: f64) -> Result<bool, String> {
        if (0.0..=1.0).contains(&p) {
            Ok(self.uniform01() <= p)
        } else {
            Err(format!("bernoulli: p must be >= 0 and <= 1, got {p}"))
        }
    }

    /// `torch.random(b)`: `random() % b + 1`, in `[1, b]`. `Err` (nothing
    /// drawn) unless `b > 0`.
    pub fn random_upto(&mut self, b: i64) -> Result<i64, String> {
        if b > 0 {
            let r = u64::from(self.random()) % (b as u64);
            Ok(r as i64 + 1)
        } else {
            Err(format!("random: upper bound must be strictly positive, got {b}"))
        }
    }

    /// `torch.random(a, b)`: `random() % (b + 1 - a) + a`, in `[a, b]`,
    /// with C's `unsigned long` wrap-around arithmetic (the span
    /// `b + 1 - a` of the full `i64` range wraps to 0 and is treated as
    /// 2^64). `Err` (nothing drawn) unless `b >= a`.
    pub fn random_range(&mut self, a: i64, b: i64) -> Result<i64, String> {
        if b < a {
            return Err(format!("random: upper bound must be larger than lower bound, got a = {a}, b = {b}"));
        }
        let span = (b as u64).wrapping_add(1).wrapping_sub(a as u64);
        let r = u64::from(self.random());
        let r = if span == 0 { r } else { r % span };
        Ok(r.wrapping_add(a as u64) as i64)
    }

    /// The raw bytes of Torch7's `THGenerator` struct on x86-64, exactly as
    /// `torch.getRNGState()` returned them ([`STATE_BYTES`] bytes, layout in
    /// the module docs).
    pub fn state_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; STATE_BYTES];
        out[OFF_SEED..OFF_SEED + 8].copy_from_slice(&self.the_initial_seed.to_le_bytes());
        out[OFF_LEFT..OFF_LEFT + 4].copy_from_slice(&self.left.to_le_bytes());
        out[OFF_SEEDED..OFF_SEEDED + 4].copy_from_slice(&self.seeded.to_le_bytes());
        out[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&self.next.to_le_bytes());
        for (chunk, word) in out[OFF_STATE..OFF_NORMAL_X].chunks_exact_mut(8).zip(self.state.iter()) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out[OFF_NORMAL_X..OFF_NORMAL_X + 8].copy_from_slice(&self.normal_x.to_le_bytes());
        out[OFF_NORMAL_Y..OFF_NORMAL_Y + 8].copy_from_slice(&self.normal_y.to_le_bytes());
        out[OFF_NORMAL_RHO..OFF_NORMAL_RHO + 8].copy_from_slice(&self.normal_rho.to_le_bytes());
        out[OFF_NORMAL_VALID..OFF_NORMAL_VALID + 4].copy_from_slice(&self.normal_is_valid.to_le_bytes());
        out
    }

    /// `torch.setRNGState(bytes)`: the inverse of [`Generator::state_bytes`].
    ///
    /// Checks what Torch7's `THGenerator_isValid` checked (`seeded == 1`,
    /// `1 <= left <= 624`, `next <= 624`) plus two things a state Torch7
    /// produced always satisfies and without which the C code would read
    /// out of bounds or leave 32-bit arithmetic: `left + next <= 625` and
    /// every `state` word `< 2^32`. Padding bytes are ignored. On `Err` the
    /// generator is unchanged.
    pub fn set_state_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        if bytes.len() != STATE_BYTES {
            return Err(format!(
                "setRNGState: RNG state is wrong size: expected {STATE_BYTES} bytes, got {}",
                bytes.len()
            ));
        }
        let seeded = read_i32(bytes, OFF_SEEDED);
        if seeded != 1 {
            return Err(format!("setRNGState: Invalid RNG state: seeded flag is {seeded}, expected 1"));
        }
        let left = read_i32(bytes, OFF_LEFT);
        if !(1..=N as i32).contains(&left) {
            return Err(format!("setRNGState: Invalid RNG state: left = {left}, must be in 1..={N}"));
        }
        let next = read_u64(bytes, OFF_NEXT);
        if next > N as u64 {
            return Err(format!("setRNGState: Invalid RNG state: next = {next}, must be <= {N}"));
        }
        if left as u64 + next > N as u64 + 1 {
            return Err(format!(
                "setRNGState: Invalid RNG state: left + next = {} exceeds {} \
                 (left = {left}, next = {next})",
                left as u64 + next,
                N + 1
            ));
        }
        let mut state = [0u64; N];
        for (j, word) in state.iter_mut().enumerate() {
            let w = read_u64(bytes, OFF_STATE + 8 * j);
            if w > MASK32 {
                return Err(format!(
                    "setRNGState: Invalid RNG state: state[{j}] = {w:#x} does not fit in 32 bits"
                ));
            }
            *word = w;
        }
        *self = Generator {
            the_initial_seed: read_u64(bytes, OFF_SEED),
            left,
            seeded,
            next,
            state,
            normal_x: read_f64(bytes, OFF_NORMAL_X),
            normal_y: read_f64(bytes, OFF_NORMAL_Y),
            normal_rho: read_f64(bytes, OFF_NORMAL_RHO),
            normal_is_valid: read_i32(bytes, OFF_NORMAL_VALID),
            normal_sin: None,
        };
        Ok(())
    }
}

/// `torch.randperm(n)` with 0-based values: `r = 0..n`, then for `i` in
/// `0..n-1`: `z = random() % (n - i)`, swap `r[i]` and `r[i + z]`.
/// (Torch7 adds 1 to every value and refuses `n = 0`; here `n = 0` gives an
/// empty vector and draws nothing, `n = 1` draws nothing either.)
///
/// A count whose values cannot fit in memory is a `Value` error naming it, checked before
/// anything is allocated or drawn.
pub fn randperm(gen: &mut Generator, n: usize) -> crate::Result<Vec<i64>> {
    let mut r: Vec<i64> = crate::storage::try_vec(n, "randperm")?;
    r.extend(0..n as i64);
    for i in 0..n.saturating_sub(1) {
        let z = (u64::from(gen.random()) % (n - i) as u64) as usize;
        r.swap(i, i + z);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/torch7/rng/");

    /// serde_json's default float parser is not always correctly rounded
    /// (it is off by one ulp on some 17-digit values, and the crate does not
    /// enable `float_roundtrip`), so every number token is turned into a JSON
    /// string first and parsed with `str::parse::<f64>`, which is exact.
    fn quote_numbers(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 4);
        let mut chars = text.chars().peekable();
        let mut in_string = false;
        let mut escaped = false;
        while let Some(c) = chars.next() {
            if in_string {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
                out.push(c);
            } else if c == '-' || c.is_ascii_digit() {
                out.push('"');
                out.push(c);
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() || "+-.eE".contains(d) {
                        out.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push('"');
            } else {
                out.push(c);
            }
        }
        out
    }

    fn load(name: &str) -> Value {
        let path = format!("{FIXTURES}{name}");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"));
        serde_json::from_str(&quote_numbers(&text)).unwrap_or_else(|e| panic!("bad JSON in {path}: {e}"))
    }

    /// A number (stored as its JSON text, see `quote_numbers`).
    fn num(v: &Value) -> f64 {
        let text = v.as_str().unwrap_or_else(|| panic!("not a number: {v}"));
        text.parse().unwrap_or_else(|e| panic!("bad number {text}: {e}"))
    }

    /// The numbers of a fixture value: a JSON list, or a tensor's `data`.
    fn nums(v: &Value) -> Vec<f64> {
        match v {
            Value::Array(a) => a.iter().map(num).collect(),
            Value::Object(o) => o["data"].as_array().expect("tensor data").iter().map(num).collect(),
            other => vec![num(other)],
        }
    }

    /// The fixture's sequence as (name, value) pairs, after checking the seed
    /// bookkeeping, plus a generator seeded as the fixture was.
    fn setup(file: &str) -> (Generator, Vec<(String, Value)>) {
        let d = load(file);
        let seed = num(&d["seed"]) as u64;
        assert_eq!(num(&d["initialSeed_after_manualSeed"]) as u64, seed);
        let g = Generator::new(seed);
        assert_eq!(g.initial_seed(), seed);
        let seq = d["sequence"]
            .as_array()
            .expect("sequence")
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), e["value"].clone()))
            .collect();
        (g, seq)
    }

    /// Every expected value equals `draw()` bit for bit.
    fn expect(g: &mut Generator, what: &str, v: &Value, mut draw: impl FnMut(&mut Generator) -> f64) {
        let want = nums(v);
        assert!(!want.is_empty(), "{what}: empty fixture");
        for (i, w) in want.iter().enumerate() {
            let got = draw(g);
            assert_eq!(got.to_bits(), w.to_bits(), "{what}[{i}]: got {got:e}, Torch7 gave {w:e}");
        }
    }

    fn f32v(x: f64) -> f64 {
        f64::from(x as f32)
    }

    fn b2f(b: bool) -> f64 {
        if b {
            1.0
        } else {
            0.0
        }
    }

    /// Torch7's multinomial with replacement for one distribution (test-only;
    /// needed to keep the seed_* sequences in step).
    fn multinomial_with_replacement(g: &mut Generator, p: &[f64], n: usize) -> Vec<f64> {
        let mut cum = Vec::with_capacity(p.len());
        let mut sum = 0.0;
        for &x in p {
            sum += x;
            cum.push(sum);
        }
        for c in cum.iter_mut() {
            *c /= sum;
        }
        *cum.last_mut().unwrap() = 1.0;
        (0..n)
            .map(|_| {
                let u = g.uniform(0.0, 1.0);
                let (mut lo, mut hi) = (0usize, cum.len());
                while hi > lo {
                    let mid = lo + (hi - lo) / 2;
                    if cum[mid] < u {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo as f64
            })
            .collect()
    }

    fn check_seed_file(file: &str) {
        let (mut g, seq) = setup(file);
        let mut checked = 0;
        for (name, v) in &seq {
            let what = format!("{file}:{name}");
            match name.as_str() {
                "uniform_x20" => expect(&mut g, &what, v, |g| g.uniform01()),
                "normal_x20" | "randn5" => expect(&mut g, &what, v, |g| g.normal(0.0, 1.0).unwrap()),
                "random_x20" => expect(&mut g, &what, v, |g| f64::from(g.random())),
                "rand5" => expect(&mut g, &what, v, |g| g.uniform(0.0, 1.0)),
                "randperm10" | "randperm10_again" => {
                    let got: Vec<f64> = randperm(&mut g, 10).unwrap().iter().map(|&x| x as f64).collect();
                    assert_eq!(got, nums(v), "{what}");
                }
                "bernoulli" => expect(&mut g, &what, v, |g| b2f(g.bernoulli(0.3).unwrap())),
                "exponential" => expect(&mut g, &what, v, |g| g.exponential(1.0).unwrap()),
                "cauchy" => expect(&mut g, &what, v, |g| g.cauchy(0.0, 1.0)),
                "logNormal" => expect(&mut g, &what, v, |g| g.log_normal(1.0, 2.0).unwrap()),
                "geometric" => expect(&mut g, &what, v, |g| g.geometric(0.5).unwrap()),
                "multinomial" => {
                    let got = multinomial_with_replacement(&mut g, &[0.1, 0.2, 0.7], 10);
                    assert_eq!(got, nums(v), "{what}");
                }
                "uniform_ab" => expect(&mut g, &what, v, |g| g.uniform(-2.0, 3.0)),
                "normal_ms" => expect(&mut g, &what, v, |g| g.normal(10.0, 2.0).unwrap()),
                "random_ab" => expect(&mut g, &what, v, |g| g.random_range(1, 6).unwrap() as f64),
                "float_uniform" => expect(&mut g, &what, v, |g| f32v(g.uniform(0.0, 1.0))),
                "float_normal" => expect(&mut g, &what, v, |g| f32v(g.normal(0.0, 1.0).unwrap())),
                other => panic!("{file}: unknown fixture entry {other}"),
            }
            checked += 1;
        }
        assert_eq!(checked, 18, "{file}: every entry replayed");
    }

    #[test]
    fn seed_123_sequence_matches_torch7() {
        check_seed_file("seed_123.json");
    }

    #[test]
    fn seed_1_sequence_matches_torch7() {
        check_seed_file("seed_1.json");
    }

    #[test]
    fn doc_example_seed_123() {
        let mut g = Generator::new(123);
        let got: Vec<f64> = (0..3).map(|_| g.uniform01()).collect();
        let want = [0.69646918727085, 0.71295532141812, 0.28613933874294];
        for (a, b) in got.iter().zip(want.iter()) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    #[test]
    fn mt19937_reference_output() {
        // The MT19937 reference: init_genrand(5489) first outputs.
        let mut g = Generator::new(5489);
        assert_eq!(g.random(), 3_499_211_612);
        assert_eq!(g.random(), 581_869_302);
        // 10000th output of std::mt19937 default-seeded is 4123659995.
        let mut g = Generator::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = g.random();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn math_uniform_fixture() {
        let (mut g, seq) = setup("math_uniform.json");
        for (name, v) in &seq {
            match name.as_str() {
                "uniform_1" | "uniform_3" => expect(&mut g, name, v, |g| g.uniform(0.0, 1.0)),
                "uniform_2" => expect(&mut g, name, v, |g| g.uniform(-2.0, 3.0)),
                "uniform_4" => expect(&mut g, name, v, |g| g.uniform(-1.0, 1.0)),
                "uniform_5" => expect(&mut g, name, v, |g| f32v(g.uniform(0.0, 10.0))),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_normal_fixture() {
        let (mut g, seq) = setup("math_normal.json");
        for (name, v) in &seq {
            match name.as_str() {
                "normal_1" | "normal_3" | "normal_6" => {
                    expect(&mut g, name, v, |g| g.normal(0.0, 1.0).unwrap())
                }
                "normal_2" => expect(&mut g, name, v, |g| g.normal(10.0, 2.0).unwrap()),
                "normal_4" => expect(&mut g, name, v, |g| g.normal(-1.0, 0.5).unwrap()),
                "normal_5" => expect(&mut g, name, v, |g| f32v(g.normal(2.0, 3.0).unwrap())),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_random_fixture() {
        let (mut g, seq) = setup("math_random.json");
        for (name, v) in &seq {
            match name.as_str() {
                "random_1" => expect(&mut g, name, v, |g| f64::from(g.random())),
                "random_2" => expect(&mut g, name, v, |g| g.random_upto(6).unwrap() as f64),
                "random_3" => expect(&mut g, name, v, |g| g.random_range(-3, 3).unwrap() as f64),
                "random_4" => expect(&mut g, name, v, |g| g.random_range(1, 10).unwrap() as f64),
                "random_5" => expect(&mut g, name, v, |g| g.random_upto(100).unwrap() as f64),
                // ByteTensor:random(): random() % 256.
                "random_6" => expect(&mut g, name, v, |g| f64::from(g.random() % 256)),
                "random_7" => expect(&mut g, name, v, |g| g.random_range(5, 9).unwrap() as f64),
                // FloatTensor:random(): random() % (2^24 + 1).
                "random_8" => expect(&mut g, name, v, |g| f64::from(g.random() % ((1 << 24) + 1))),
                // DoubleTensor:random(): random() % (2^53 + 1), i.e. the raw draw.
                "random_9" => {
                    expect(&mut g, name, v, |g| (u64::from(g.random()) % ((1u64 << 53) + 1)) as f64)
                }
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_exponential_fixture() {
        let (mut g, seq) = setup("math_exponential.json");
        for (name, v) in &seq {
            match name.as_str() {
                "exponential_1" | "exponential_3" => expect(&mut g, name, v, |g| g.exponential(1.0).unwrap()),
                "exponential_2" => expect(&mut g, name, v, |g| g.exponential(2.5).unwrap()),
                "exponential_4" => expect(&mut g, name, v, |g| f32v(g.exponential(0.5).unwrap())),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_cauchy_fixture() {
        let (mut g, seq) = setup("math_cauchy.json");
        for (name, v) in &seq {
            match name.as_str() {
                "cauchy_1" | "cauchy_3" => expect(&mut g, name, v, |g| g.cauchy(0.0, 1.0)),
                "cauchy_2" => expect(&mut g, name, v, |g| g.cauchy(1.0, 2.0)),
                "cauchy_4" => expect(&mut g, name, v, |g| f32v(g.cauchy(-1.0, 0.5))),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_log_normal_fixture() {
        let (mut g, seq) = setup("math_logNormal.json");
        for (name, v) in &seq {
            match name.as_str() {
                "logNormal_1" | "logNormal_3" => expect(&mut g, name, v, |g| g.log_normal(1.0, 2.0).unwrap()),
                "logNormal_2" => expect(&mut g, name, v, |g| g.log_normal(0.0, 0.5).unwrap()),
                "logNormal_4" => expect(&mut g, name, v, |g| g.log_normal(1.0, 0.25).unwrap()),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_geometric_fixture() {
        let (mut g, seq) = setup("math_geometric.json");
        for (name, v) in &seq {
            match name.as_str() {
                "geometric_1" => expect(&mut g, name, v, |g| g.geometric(0.5).unwrap()),
                "geometric_2" => expect(&mut g, name, v, |g| g.geometric(0.1).unwrap()),
                "geometric_3" => expect(&mut g, name, v, |g| g.geometric(0.3).unwrap()),
                "geometric_4" => expect(&mut g, name, v, |g| g.geometric(0.7).unwrap()),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_bernoulli_fixture() {
        let (mut g, seq) = setup("math_bernoulli.json");
        for (name, v) in &seq {
            match name.as_str() {
                "bernoulli_1" | "bernoulli_4" => expect(&mut g, name, v, |g| b2f(g.bernoulli(0.5).unwrap())),
                "bernoulli_2" => expect(&mut g, name, v, |g| b2f(g.bernoulli(0.2).unwrap())),
                "bernoulli_3" => expect(&mut g, name, v, |g| b2f(g.bernoulli(0.3).unwrap())),
                "bernoulli_5" => {
                    let mut ps = [0.1, 0.5, 0.9, 0.3].into_iter();
                    expect(&mut g, name, v, |g| b2f(g.bernoulli(ps.next().unwrap()).unwrap()))
                }
                "bernoulli_6" => {
                    // A FloatTensor of p: each p is a float widened to double.
                    let mut ps = [0.9f32, 0.8, 0.1, 0.2].into_iter();
                    expect(&mut g, name, v, |g| b2f(g.bernoulli(f64::from(ps.next().unwrap())).unwrap()))
                }
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_initial_seed_fixture() {
        let (mut g, seq) = setup("math_initialSeed.json");
        for (name, v) in &seq {
            match name.as_str() {
                "initialSeed_1" | "initialSeed_3" => {
                    assert_eq!(g.initial_seed() as f64, num(v), "{name}")
                }
                "initialSeed_2" => expect(&mut g, name, v, |g| g.uniform01()),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_manual_seed_fixture() {
        let (mut g, seq) = setup("math_manualSeed.json");
        // Reseeding with the same seed mid-stream restarts it exactly.
        g.uniform01();
        g.normal(0.0, 1.0).unwrap();
        g.manual_seed(7150);
        for (name, v) in &seq {
            match name.as_str() {
                "manualSeed_1" => expect(&mut g, name, v, |g| g.uniform01()),
                "manualSeed_2" => expect(&mut g, name, v, |g| g.normal(0.0, 1.0).unwrap()),
                "manualSeed_3" => expect(&mut g, name, v, |g| f64::from(g.random())),
                other => panic!("unknown {other}"),
            }
        }
    }

    #[test]
    fn math_rand_and_randn_fixtures() {
        let (mut g, seq) = setup("math_rand.json");
        for (name, v) in &seq {
            match name.as_str() {
                "rand_4" | "rand_5" => expect(&mut g, name, v, |g| f32v(g.uniform(0.0, 1.0))),
                _ => expect(&mut g, name, v, |g| g.uniform(0.0, 1.0)),
            }
        }
        let (mut g, seq) = setup("math_randn.json");
        for (name, v) in &seq {
            match name.as_str() {
                "randn_3" => expect(&mut g, name, v, |g| f32v(g.normal(0.0, 1.0).unwrap())),
                _ => expect(&mut g, name, v, |g| g.normal(0.0, 1.0).unwrap()),
            }
        }
    }

    #[test]
    fn math_randperm_fixture() {
        let (mut g, seq) = setup("math_randperm.json");
        let sizes = [10, 1, 5, 6, 4];
        assert_eq!(seq.len(), sizes.len());
        for ((name, v), n) in seq.iter().zip(sizes) {
            let got: Vec<f64> = randperm(&mut g, n).unwrap().iter().map(|&x| x as f64).collect();
            assert_eq!(got, nums(v), "{name}");
        }
    }

    fn fixture_bytes(v: &Value) -> Vec<u8> {
        nums(v).iter().map(|&x| x as u8).collect()
    }

    #[test]
    fn get_rng_state_bytes_match_torch7() {
        let (g, seq) = setup("math_getRNGState.json");
        assert_eq!(seq.len(), 1);
        let want = fixture_bytes(&seq[0].1);
        assert_eq!(want.len(), STATE_BYTES);
        assert_eq!(g.state_bytes(), want);
        // Same for the other fixture's state (seed 7152).
        let (g, seq) = setup("math_setRNGState.json");
        assert_eq!(g.state_bytes(), fixture_bytes(&seq[0].1));
    }

    #[test]
    fn set_rng_state_fixture_replays_stream() {
        let (_, seq) = setup("math_setRNGState.json");
        let bytes = fixture_bytes(&seq[0].1);
        let mut g = Generator::new(99);
        g.normal(0.0, 1.0).unwrap(); // leave a cache that must be cleared
        g.set_state_bytes(&bytes).unwrap();
        assert_eq!(g.initial_seed(), 7152);
        assert_eq!(g.state_bytes(), bytes);
        assert_eq!(seq[1].0, "setRNGState_2");
        expect(&mut g, "setRNGState_2", &seq[1].1, |g| g.uniform01());
    }

    #[test]
    fn state_round_trip_mid_stream_with_normal_cache() {
        let mut g = Generator::new(123);
        for _ in 0..1000 {
            g.random();
        }
        g.normal(0.0, 1.0).unwrap(); // cache now holds the sin half
        let saved = g.state_bytes();
        assert_eq!(saved.len(), STATE_BYTES);
        let draw = |g: &mut Generator| -> Vec<u64> {
            let mut v = vec![g.normal(3.0, 2.0).unwrap().to_bits()];
            for _ in 0..700 {
                v.push(u64::from(g.random()));
            }
            v.push(g.uniform01().to_bits());
            v.push(g.normal(0.0, 1.0).unwrap().to_bits());
            v
        };
        let a = draw(&mut g);
        let mut h = Generator::new(5);
        h.set_state_bytes(&saved).unwrap();
        assert_eq!(h.state_bytes(), saved);
        let b = draw(&mut h);
        assert_eq!(a, b);
        assert_eq!(g.state_bytes(), h.state_bytes());
        // A clone replays too.
        let mut c = g.clone();
        assert_eq!(draw(&mut g), draw(&mut c));
    }

    #[test]
    fn set_state_bytes_rejects_bad_input_and_keeps_state() {
        let mut g = Generator::new(42);
        g.random();
        let before = g.state_bytes();

        let e = g.set_state_bytes(&before[..100]).unwrap_err();
        assert!(e.contains("5048") && e.contains("100"), "{e}");
        let e = g.set_state_bytes(&[]).unwrap_err();
        assert!(e.contains("5048") && e.contains("got 0"), "{e}");

        let patch = |off: usize, val: &[u8]| {
            let mut b = before.clone();
            b[off..off + val.len()].copy_from_slice(val);
            b
        };
        for (bad, needle) in [
            (patch(OFF_LEFT, &0i32.to_le_bytes()), "left"),
            (patch(OFF_LEFT, &625i32.to_le_bytes()), "left"),
            (patch(OFF_LEFT, &(-3i32).to_le_bytes()), "left"),
            (patch(OFF_NEXT, &625u64.to_le_bytes()), "next"),
            (patch(OFF_NEXT, &u64::MAX.to_le_bytes()), "next"),
            (patch(OFF_SEEDED, &0i32.to_le_bytes()), "seeded"),
            (patch(OFF_STATE + 8 * 7, &(1u64 << 40).to_le_bytes()), "state[7]"),
        ] {
            let e = g.set_state_bytes(&bad).unwrap_err();
            assert!(e.contains(needle), "{e}");
            assert_eq!(g.state_bytes(), before, "unchanged after {e}");
        }
        // left = 5 with next = 624 passes Torch7's isValid but would read past
        // the state array.
        let mut b = patch(OFF_LEFT, &5i32.to_le_bytes());
        b[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&624u64.to_le_bytes());
        let e = g.set_state_bytes(&b).unwrap_err();
        assert!(e.contains("left + next"), "{e}");
        // The boundary states are accepted and usable.
        let mut b = patch(OFF_LEFT, &1i32.to_le_bytes());
        b[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&624u64.to_le_bytes());
        g.set_state_bytes(&b).unwrap();
        g.random();
        // Padding bytes are ignored.
        let mut b = before.clone();
        b[STATE_BYTES - 1] = 0xff;
        g.set_state_bytes(&b).unwrap();
        assert_eq!(g.state_bytes(), before);
    }

    #[test]
    fn bad_arguments_are_errors_and_draw_nothing() {
        let mut g = Generator::new(7);
        let before = g.state_bytes();
        let e = g.normal(0.0, -1.0).unwrap_err();
        assert_eq!(e, "normal: standard deviation must be strictly positive, got -1");
        assert!(g.normal(0.0, 0.0).is_err());
        assert!(g.normal(0.0, f64::NAN).is_err());
        assert!(g.log_normal(1.0, 0.0).unwrap_err().contains("logNormal"));
        assert!(g.log_normal(0.0, f64::NAN).is_err());
        assert!(g.geometric(0.0).unwrap_err().contains("geometric"));
        assert!(g.geometric(1.0).is_err());
        assert!(g.geometric(-0.5).is_err());
        assert!(g.geometric(f64::NAN).is_err());
        assert!(g.bernoulli(-0.1).unwrap_err().contains("bernoulli"));
        assert!(g.bernoulli(1.1).is_err());
        assert!(g.bernoulli(f64::NAN).is_err());
        assert!(g.exponential(0.0).unwrap_err().contains("exponential"));
        assert!(g.exponential(-1.0).is_err());
        assert!(g.exponential(f64::NAN).is_err());
        assert!(g.random_upto(0).is_err());
        assert!(g.random_upto(-5).is_err());
        assert!(g.random_range(3, 2).is_err());
        assert_eq!(g.state_bytes(), before, "errors consume nothing");
        // Edge values that are allowed.
        assert!(g.bernoulli(0.0).is_ok());
        assert!(g.bernoulli(1.0).unwrap());
        assert_eq!(g.random_range(4, 4).unwrap(), 4);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let mut g = Generator::new(11);
        // p within 1e-16 of 1: the ratio can exceed the C int range.
        for _ in 0..100 {
            let k = g.geometric(1.0 - f64::EPSILON).unwrap();
            assert!(k >= 1.0 || k == f64::from(i32::MIN) + 1.0, "{k}");
        }
        assert!(g.geometric(f64::MIN_POSITIVE).unwrap() >= 1.0);
        for _ in 0..100 {
            g.random_range(i64::MIN, i64::MAX).unwrap();
            let x = g.random_range(i64::MAX - 1, i64::MAX).unwrap();
            assert!(x >= i64::MAX - 1);
            let y = g.random_range(i64::MIN, i64::MIN + 2).unwrap();
            assert!(y <= i64::MIN + 2);
            assert!((1..=i64::MAX).contains(&g.random_upto(i64::MAX).unwrap()));
        }
        let _ = g.uniform(f64::INFINITY, f64::NAN);
        let _ = g.cauchy(f64::NAN, -1.0);
        let _ = g.normal(f64::INFINITY, f64::MAX).unwrap();
        let _ = g.log_normal(0.0, 1.0).unwrap();
        let _ = g.log_normal(-3.0, 1e300).unwrap();
        let _ = g.exponential(f64::MIN_POSITIVE).unwrap();
        assert!(randperm(&mut g, 0).unwrap().is_empty());
        let before = g.state_bytes();
        assert_eq!(randperm(&mut g, 1).unwrap(), vec![0]);
        assert_eq!(g.state_bytes(), before, "randperm(1) draws nothing");
        let before = g.state_bytes();
        assert!(matches!(randperm(&mut g, 1 << 62), Err(crate::Error::Value(m)) if m.contains("randperm")));
        assert_eq!(g.state_bytes(), before, "a refused randperm draws nothing");
        let mut p = randperm(&mut g, 1000).unwrap();
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<i64>>());
        assert_eq!(c_double_to_int(f64::NAN), i32::MIN);
        assert_eq!(c_double_to_int(3e9), i32::MIN);
        assert_eq!(c_double_to_int(-2_147_483_648.9), i32::MIN);
        assert_eq!(c_double_to_int(2_147_483_647.9), i32::MAX);
        assert_eq!(c_double_to_int(-2.7), -2);
    }

    #[test]
    fn manual_seed_resets_normal_cache_and_uses_low_32_bits() {
        let mut g = Generator::new(3);
        let first = g.normal(0.0, 1.0).unwrap();
        g.manual_seed(3);
        assert_eq!(g.normal(0.0, 1.0).unwrap().to_bits(), first.to_bits());
        // Only the low 32 bits reach the state, but initial_seed keeps all 64.
        let mut a = Generator::new(0x1234_5678_0000_0003);
        let mut b = Generator::new(3);
        assert_eq!(a.initial_seed(), 0x1234_5678_0000_0003);
        for _ in 0..50 {
            assert_eq!(a.random(), b.random());
        }
    }

    #[test]
    fn random64_is_two_draws_high_first() {
        let mut a = Generator::new(123);
        let mut b = Generator::new(123);
        for _ in 0..20 {
            let hi = u64::from(b.random());
            let lo = u64::from(b.random());
            assert_eq!(a.random64(), (hi << 32) | lo);
        }
        // Seed 123: the first two 32-bit draws are 2991312382 and 3062119789
        // (Torch7's first two uniform() values times 2^32).
        let mut g = Generator::new(123);
        assert_eq!(g.random64(), (2_991_312_382u64 << 32) | 3_062_119_789);
    }

    #[test]
    fn entropy_seeding_is_consistent() {
        let mut g = Generator::from_entropy();
        let s = g.initial_seed();
        let mut h = Generator::new(s);
        assert_eq!(g.state_bytes(), h.state_bytes());
        let s2 = g.seed();
        assert_eq!(g.initial_seed(), s2);
        h.manual_seed(s2);
        for _ in 0..10 {
            assert_eq!(g.random(), h.random());
        }
    }

    #[test]
    fn state_layout_offsets() {
        let mut g = Generator::new(0xdead_beef_0000_0001);
        g.normal(0.0, 1.0).unwrap();
        let b = g.state_bytes();
        assert_eq!(b.len(), 5048);
        assert_eq!(read_u64(&b, 0), 0xdead_beef_0000_0001);
        assert_eq!(read_i32(&b, 8), 624 - 1); // two draws after regeneration
        assert_eq!(read_i32(&b, 12), 1);
        assert_eq!(read_u64(&b, 16), 2);
        assert_eq!(read_i32(&b, 5040), 1);
        assert_eq!(&b[5044..], &[0, 0, 0, 0]);
        assert!(read_f64(&b, 5032) > 0.0); // rho
    }
}
