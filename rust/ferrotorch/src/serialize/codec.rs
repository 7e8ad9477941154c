//! The primitives of a Torch7 `File`: Int, Long, Double, raw bytes, in binary (little-endian,
//! native to every platform Torch7 shipped on) or ascii (`THDiskFile`'s fscanf/fprintf text).

use crate::error::{Error, Result};

/// Binary or ascii encoding of the primitives (Torch7's `file:binary()` / `file:ascii()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Binary,
    Ascii,
}

/// Bytes per C `long` in a binary file: 8 on 64-bit Linux/macOS, 4 on Windows and 32-bit
/// platforms (Torch7's `longSize`, loaded with `'b32'` / `'b64'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongSize {
    Four,
    Eight,
}

impl LongSize {
    pub fn bytes(self) -> usize {
        match self {
            LongSize::Four => 4,
            LongSize::Eight => 8,
        }
    }
}

fn truncated(what: &str, need: usize, pos: usize, have: usize) -> Error {
    Error::Value(format!(
        "torch.load: truncated file: reading {what} needs {need} bytes at byte {pos}, {have} left"
    ))
}

/// A cursor over the bytes of a file.
pub struct Source<'a> {
    bytes: &'a [u8],
    pos: usize,
    mode: Mode,
    long_size: LongSize,
}

impl<'a> Source<'a> {
    pub fn new(bytes: &'a [u8], mode: Mode, long_size: LongSize) -> Source<'a> {
        Source { bytes, pos: 0, mode, long_size }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The most elements of `elem_bytes` each (binary) that the rest of the file can hold; in
    /// ascii every element takes at least one byte. Checked before anything is allocated, so a
    /// corrupted count cannot make us allocate more than the file justifies.
    pub fn check_count(&self, n: usize, elem_bytes: usize, what: &str) -> Result<()> {
        let per = match self.mode {
            Mode::Binary => elem_bytes,
            Mode::Ascii => 1,
        };
        match n.checked_mul(per) {
            Some(need) if need <= self.remaining() => Ok(()),
            _ => Err(Error::Value(format!(
                "torch.load: {what} claims {n} elements at byte {}, but only {} bytes are left",
                self.pos,
                self.remaining()
            ))),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(truncated(what, n, self.pos, self.remaining()));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// THDiskFile's autoSpacing: after a read call, one '\n' is consumed if present.
    fn eat_newline(&mut self) {
        if self.bytes.get(self.pos) == Some(&b'\n') {
            self.pos += 1;
        }
    }

    /// One whitespace-separated token (fscanf skips leading whitespace).
    fn token(&mut self, what: &str) -> Result<&'a str> {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < self.bytes.len() && !self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(truncated(what, 1, start, 0));
        }
        // Torch7 ends every number with a space or newline: one that runs into the end of the
        // data was cut (a file truncated in "0.125" must not load as 0.1).
        if self.pos == self.bytes.len() {
            return Err(truncated(what, self.pos - start + 1, start, self.pos - start));
        }
        std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|_| {
            Error::Value(format!("torch.load: {what} at byte {start} is not a number (not text)"))
        })
    }

    fn parse<T: std::str::FromStr>(&mut self, what: &str) -> Result<T> {
        let start = self.pos;
        let tok = self.token(what)?;
        tok.parse::<T>()
            .map_err(|_| Error::Value(format!("torch.load: expected {what} at byte {start}, found {tok:?}")))
    }

    pub fn read_int(&mut self) -> Result<i32> {
        match self.mode {
            Mode::Binary => Ok(i32::from_le_bytes(self.take(4, "an int")?.try_into().unwrap())),
            Mode::Ascii => {
                let v = self.parse::<i32>("an int")?;
                self.eat_newline();
                Ok(v)
            }
        }
    }

    pub fn read_double(&mut self) -> Result<f64> {
        match self.mode {
            Mode::Binary => Ok(f64::from_le_bytes(self.take(8, "a double")?.try_into().unwrap())),
            Mode::Ascii => {
                let v = self.parse::<f64>("a double")?;
                self.eat_newline();
                Ok(v)
            }
        }
    }

    /// `n` longs (sizes, strides, offsets); one read call, as in Tensor.c.
    pub fn read_longs(&mut self, n: usize) -> Result<Vec<i64>> {
        self.check_count(n, self.long_size.bytes(), "a list of longs")?;
        let mut out = Vec::with_capacity(n);
        match self.mode {
            Mode::Binary => {
                let w = self.long_size.bytes();
                let raw = self.take(n * w, "longs")?;
                for c in raw.chunks_exact(w) {
                    out.push(match self.long_size {
                        LongSize::Four => i32::from_le_bytes(c.try_into().unwrap()) as i64,
                        LongSize::Eight => i64::from_le_bytes(c.try_into().unwrap()),
                    });
                }
            }
            Mode::Ascii => {
                for _ in 0..n {
                    out.push(self.parse::<i64>("a long")?);
                }
                if n > 0 {
                    self.eat_newline();
                }
            }
        }
        Ok(out)
    }

    pub fn read_long(&mut self) -> Result<i64> {
        Ok(self.read_longs(1)?[0])
    }

    /// `n` raw bytes (Char/Byte data are raw even in ascii mode).
    pub fn read_raw(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let s = self.take(n, what)?;
        if self.mode == Mode::Ascii && n > 0 {
            self.eat_newline();
        }
        Ok(s)
    }

    /// `n` elements of a numeric type written by one call, as little-endian bytes; in ascii
    /// each element is parsed as text by `parse_elem` and re-encoded.
    pub fn read_elements(
        &mut self,
        n: usize,
        elem_bytes: usize,
        mut parse_elem: impl FnMut(&str) -> Option<Vec<u8>>,
        what: &str,
    ) -> Result<std::borrow::Cow<'a, [u8]>> {
        self.check_count(n, elem_bytes, what)?;
        match self.mode {
            Mode::Binary => Ok(std::borrow::Cow::Borrowed(self.take(n * elem_bytes, what)?)),
            Mode::Ascii => {
                let mut out = Vec::with_capacity(n * elem_bytes);
                for _ in 0..n {
                    let start = self.pos;
                    let tok = self.token(what)?;
                    match parse_elem(tok) {
                        Some(b) => out.extend_from_slice(&b),
                        None => {
                            return Err(Error::Value(format!(
                                "torch.load: bad element of {what} at byte {start}: {tok:?}"
                            )))
                        }
                    }
                }
                if n > 0 {
                    self.eat_newline();
                }
                Ok(std::borrow::Cow::Owned(out))
            }
        }
    }
}

/// The bytes of a file being written.
pub struct Sink {
    pub out: Vec<u8>,
    mode: Mode,
    long_size: LongSize,
}

impl Sink {
    pub fn new(mode: Mode, long_size: LongSize) -> Sink {
        Sink { out: Vec::new(), mode, long_size }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn write_int(&mut self, v: i32) {
        match self.mode {
            Mode::Binary => self.out.extend_from_slice(&v.to_le_bytes()),
            Mode::Ascii => {
                self.out.extend_from_slice(v.to_string().as_bytes());
                self.out.push(b'\n');
            }
        }
    }

    pub fn write_double(&mut self, v: f64) {
        match self.mode {
            Mode::Binary => self.out.extend_from_slice(&v.to_le_bytes()),
            Mode::Ascii => {
                self.out.extend_from_slice(format_g(v, 17).as_bytes());
                self.out.push(b'\n');
            }
        }
    }

    /// Longs of one write call (space-separated, then '\n', in ascii; nothing for none).
    pub fn write_longs(&mut self, vs: &[i64]) -> crate::Result<()> {
        match self.mode {
            Mode::Binary => {
                for &v in vs {
                    match self.long_size {
                        LongSize::Eight => self.out.extend_from_slice(&v.to_le_bytes()),
                        LongSize::Four => {
                            let v = i32::try_from(v).map_err(|_| {
                                Error::Value(format!(
                                    "torch.save: {v} does not fit a 4-byte long (longSize 4)"
                                ))
                            })?;
                            self.out.extend_from_slice(&v.to_le_bytes())
                        }
                    }
                }
            }
            Mode::Ascii => self.write_text_elements(vs.iter().map(|v| v.to_string())),
        }
        Ok(())
    }

    pub fn write_text_elements(&mut self, items: impl Iterator<Item = String>) {
        let mut any = false;
        for (i, s) in items.enumerate() {
            if i > 0 {
                self.out.push(b' ');
            }
            self.out.extend_from_slice(s.as_bytes());
            any = true;
        }
        if any {
            self.out.push(b'\n');
        }
    }

    /// Raw bytes (strings, Char/Byte data), followed by '\n' in ascii when not empty.
    pub fn write_raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
        if self.mode == Mode::Ascii && !bytes.is_empty() {
            self.out.push(b'\n');
        }
    }
}

/// C's `%.<prec>g` (what Torch7's ascii mode writes: `%.17g` for doubles, `%.9g` for floats).
pub fn format_g(v: f64, prec: usize) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let p = prec.max(1);
    // Scientific form with p significant digits decides the exponent after rounding.
    let sci = format!("{:.*e}", p - 1, v);
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    if exp < -4 || exp >= p as i32 {
        let mant = strip_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, v)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}
