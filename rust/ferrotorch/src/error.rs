//! One error type for the engine; each variant maps to one Python exception class.

use std::fmt;

/// What went wrong, with a message that names the sizes involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// An index or dimension out of range (Python IndexError).
    Index(String),
    /// Sizes, strides or values that do not fit (Python ValueError).
    Value(String),
    /// A wrong element type (Python TypeError).
    Type(String),
    /// Resizing memory that numpy, a buffer or DLPack still exports (Python BufferError).
    Buffer(String),
    /// Integer division by zero (Python ZeroDivisionError).
    ZeroDivision(String),
    /// Anything else (Python RuntimeError).
    Runtime(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Index(m)
            | Error::Value(m)
            | Error::Type(m)
            | Error::Buffer(m)
            | Error::ZeroDivision(m)
            | Error::Runtime(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `Err(Error::Index(format!(...)))`
#[macro_export]
macro_rules! index_err {
    ($($arg:tt)*) => { Err($crate::Error::Index(format!($($arg)*))) };
}

/// `Err(Error::Value(format!(...)))`
#[macro_export]
macro_rules! value_err {
    ($($arg:tt)*) => { Err($crate::Error::Value(format!($($arg)*))) };
}

/// `Err(Error::Type(format!(...)))`
#[macro_export]
macro_rules! type_err {
    ($($arg:tt)*) => { Err($crate::Error::Type(format!($($arg)*))) };
}
