//! Element types: Torch7's eight tensor types and the conversions between them.

use half::f16;
use std::fmt;

/// The eight Torch7 element types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    Byte,
    Char,
    Short,
    Int,
    Long,
    Float,
    Double,
    Half,
}

impl DType {
    pub const ALL: [DType; 8] = [
        DType::Byte,
        DType::Char,
        DType::Short,
        DType::Int,
        DType::Long,
        DType::Float,
        DType::Double,
        DType::Half,
    ];

    /// Bytes per element (Torch7's `elementSize()`).
    pub fn element_size(self) -> usize {
        match self {
            DType::Byte | DType::Char => 1,
            DType::Short | DType::Half => 2,
            DType::Int | DType::Float => 4,
            DType::Long | DType::Double => 8,
        }
    }

    /// "Byte", "Double", ...: the part between `torch.` and `Tensor`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Byte => "Byte",
            DType::Char => "Char",
            DType::Short => "Short",
            DType::Int => "Int",
            DType::Long => "Long",
            DType::Float => "Float",
            DType::Double => "Double",
            DType::Half => "Half",
        }
    }

    /// Parses "Double", "DoubleTensor", "torch.DoubleTensor", "torch.DoubleStorage".
    pub fn from_name(name: &str) -> Option<DType> {
        let base = name.strip_prefix("torch.").unwrap_or(name);
        let base = base.strip_suffix("Tensor").or_else(|| base.strip_suffix("Storage")).unwrap_or(base);
        DType::ALL.into_iter().find(|d| d.name() == base)
    }

    /// `torch.DoubleTensor`
    pub fn tensor_type_name(self) -> String {
        format!("torch.{}Tensor", self.name())
    }

    /// `torch.DoubleStorage`
    pub fn storage_type_name(self) -> String {
        format!("torch.{}Storage", self.name())
    }

    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::Float | DType::Double | DType::Half)
    }

    /// The numpy / array-interface type string (little-endian machines only, as Torch7 was).
    pub fn typestr(self) -> &'static str {
        match self {
            DType::Byte => "|u1",
            DType::Char => "|i1",
            DType::Short => "<i2",
            DType::Int => "<i4",
            DType::Long => "<i8",
            DType::Float => "<f4",
            DType::Double => "<f8",
            DType::Half => "<f2",
        }
    }

    /// The buffer-protocol (struct module) format character.
    pub fn buffer_format(self) -> &'static str {
        match self {
            DType::Byte => "B",
            DType::Char => "b",
            DType::Short => "h",
            DType::Int => "i",
            DType::Long => "q",
            DType::Float => "f",
            DType::Double => "d",
            DType::Half => "e",
        }
    }

    /// Inverse of `typestr` for the kinds numpy can hand us ('u', 'i', 'f' with a byte count).
    pub fn from_kind_and_size(kind: char, size: usize) -> Option<DType> {
        match (kind, size) {
            ('u', 1) | ('b', 1) => Some(DType::Byte),
            ('i', 1) => Some(DType::Char),
            ('i', 2) => Some(DType::Short),
            ('i', 4) => Some(DType::Int),
            ('i', 8) => Some(DType::Long),
            ('f', 2) => Some(DType::Half),
            ('f', 4) => Some(DType::Float),
            ('f', 8) => Some(DType::Double),
            _ => None,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust type that can be a tensor element. Conversions follow Rust's `as` (what Torch7's C casts
/// did on the common cases): float to int truncates toward zero and saturates, NaN becomes 0,
/// integers wrap.
pub trait Element: Copy + Send + Sync + PartialEq + Default + fmt::Debug + 'static {
    const DTYPE: DType;
    fn from_u8(v: u8) -> Self;
    fn from_i8(v: i8) -> Self;
    fn from_i16(v: i16) -> Self;
    fn from_i32(v: i32) -> Self;
    fn from_i64(v: i64) -> Self;
    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;
    fn from_f16(v: f16) -> Self;
    /// Converts `self` to another element type with the rules above.
    fn cast<U: Element>(self) -> U;
    fn to_f64(self) -> f64;
    /// The value as an i64 when the type is an integer type (exact); floats truncate.
    fn to_i64(self) -> i64;
}

macro_rules! primitive_element {
    ($t:ty, $dt:ident, $from_self:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline(always)]
            fn from_u8(v: u8) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i8(v: i8) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i16(v: i16) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i32(v: i32) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_f32(v: f32) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_f16(v: f16) -> Self {
                v.to_f32() as $t
            }
            #[inline(always)]
            fn cast<U: Element>(self) -> U {
                U::$from_self(self)
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
        }
    };
}

primitive_element!(u8, Byte, from_u8);
primitive_element!(i8, Char, from_i8);
primitive_element!(i16, Short, from_i16);
primitive_element!(i32, Int, from_i32);
primitive_element!(i64, Long, from_i64);
primitive_element!(f32, Float, from_f32);
primitive_element!(f64, Double, from_f64);

impl Element for f16 {
    const DTYPE: DType = DType::Half;
    fn from_u8(v: u8) -> Self {
        f16::from_f32(v as f32)
    }
    fn from_i8(v: i8) -> Self {
        f16::from_f32(v as f32)
    }
    fn from_i16(v: i16) -> Self {
        f16::from_f32(v as f32)
    }
    fn from_i32(v: i32) -> Self {
        f16::from_f64(v as f64)
    }
    fn from_i64(v: i64) -> Self {
        f16::from_f64(v as f64)
    }
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
    fn from_f64(v: f64) -> Self {
        f16::from_f64(v)
    }
    fn from_f16(v: f16) -> Self {
        v
    }
    fn cast<U: Element>(self) -> U {
        U::from_f16(self)
    }
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_i64(self) -> i64 {
        self.to_f32() as i64
    }
}

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype`.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident, $body:expr) => {
        match $dtype {
            $crate::DType::Byte => {
                type $T = u8;
                $body
            }
            $crate::DType::Char => {
                type $T = i8;
                $body
            }
            $crate::DType::Short => {
                type $T = i16;
                $body
            }
            $crate::DType::Int => {
                type $T = i32;
                $body
            }
            $crate::DType::Long => {
                type $T = i64;
                $body
            }
            $crate::DType::Float => {
                type $T = f32;
                $body
            }
            $crate::DType::Double => {
                type $T = f64;
                $body
            }
            $crate::DType::Half => {
                type $T = half::f16;
                $body
            }
        }
    };
}

/// TypeError for math on HalfTensor, which has storage, views, copies and printing only.
pub fn half_math_error(what: &str) -> crate::Error {
    crate::Error::Type(format!(
        "{what} is not available for torch.HalfTensor (it has storage, views, copies and printing \
         only); convert with .float()"
    ))
}

/// TypeError for a float-only function called on another type.
pub fn float_only_error(what: &str, dtype: DType) -> crate::Error {
    crate::Error::Type(format!(
        "{what} is only available for torch.FloatTensor and torch.DoubleTensor, got {}",
        dtype.tensor_type_name()
    ))
}

/// Runs `$body` with `$T` bound to the element type of `$dtype` for the seven math types;
/// returns a TypeError for HalfTensor from the enclosing function.
#[macro_export]
macro_rules! with_math_dtype {
    ($dtype:expr, $what:expr, $T:ident, $body:expr) => {
        match $dtype {
            $crate::DType::Byte => {
                type $T = u8;
                $body
            }
            $crate::DType::Char => {
                type $T = i8;
                $body
            }
            $crate::DType::Short => {
                type $T = i16;
                $body
            }
            $crate::DType::Int => {
                type $T = i32;
                $body
            }
            $crate::DType::Long => {
                type $T = i64;
                $body
            }
            $crate::DType::Float => {
                type $T = f32;
                $body
            }
            $crate::DType::Double => {
                type $T = f64;
                $body
            }
            $crate::DType::Half => return Err($crate::dtype::half_math_error($what)),
        }
    };
}

/// Runs `$body` with `$T` bound to f32 or f64; returns a TypeError naming the type otherwise.
#[macro_export]
macro_rules! with_float_dtype {
    ($dtype:expr, $what:expr, $T:ident, $body:expr) => {
        match $dtype {
            $crate::DType::Float => {
                type $T = f32;
                $body
            }
            $crate::DType::Double => {
                type $T = f64;
                $body
            }
            $crate::DType::Half => return Err($crate::dtype::half_math_error($what)),
            other => return Err($crate::dtype::float_only_error($what, other)),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(&d.tensor_type_name()), Some(d));
            assert_eq!(DType::from_name(&d.storage_type_name()), Some(d));
        }
        assert_eq!(DType::from_name("torch.Banana"), None);
    }

    #[test]
    fn casts_follow_rust_as() {
        assert_eq!(3.9f64.cast::<i32>(), 3);
        assert_eq!((-3.9f64).cast::<i32>(), -3);
        assert_eq!(f64::NAN.cast::<i64>(), 0);
        assert_eq!(1e300f64.cast::<i16>(), i16::MAX);
        assert_eq!(300i32.cast::<u8>(), 44);
        assert_eq!((-1i8).cast::<u8>(), 255);
        assert_eq!(f16::from_f32(2.5).cast::<f64>(), 2.5);
        assert_eq!(7u8.cast::<f16>(), f16::from_f32(7.0));
    }
}
