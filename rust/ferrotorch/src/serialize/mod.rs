//! Torch7's `.t7` format (`torch.save` / `torch.load`, File.lua's writeObject/readObject):
//! tensors and storages of the eight types, numbers, strings, booleans, nil, Lua tables, torch
//! class objects (nn modules, nngraph nodes: any class whose fields are a table) and Lua
//! functions (kept as bytecode, never run), with shared references and cycles, in binary or
//! ascii, with 8- or 4-byte longs.
//!
//! A file is read into a [`Document`]: a flat list of objects (tables, tensors, storages, class
//! objects, functions) that values point into by index, so shared objects and cycles need no
//! reference counting. Writing takes a `Document` back. Reading never allocates more than the
//! file could hold, rejects negative sizes and strides, views past their storage, references to
//! objects still being read, and truncated input, each with a `ValueError`-class error.
//!
//! ```
//! use ferrotorch::serialize::{self, Document, Object, Value};
//! use ferrotorch::{DType, Tensor};
//! let t = Tensor::from_slice(&[1.0f64, 2.0, 3.0], &[3]).unwrap();
//! let mut doc = Document::default();
//! let tref = doc.push(Object::Tensor(t));
//! doc.root = doc.push(Object::Table(vec![(Value::string("w"), tref.clone()), (Value::Number(1.0), tref)]));
//! let bytes = serialize::to_bytes(&doc, &serialize::WriteOptions::default()).unwrap();
//! let back = serialize::from_bytes(&bytes, &serialize::ReadOptions::default()).unwrap();
//! let Object::Table(pairs) = back.get(&back.root).unwrap() else { panic!() };
//! assert_eq!(pairs[0].1, pairs[1].1); // one tensor, referenced twice
//! let Some(Object::Tensor(t2)) = back.get(&pairs[0].1) else { panic!() };
//! assert_eq!(t2.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0]);
//! assert_eq!(t2.dtype(), DType::Double);
//! ```

mod codec;
mod reader;
#[cfg(test)]
mod tests;
mod writer;

pub use codec::{format_g, LongSize, Mode};

use crate::error::{Error, Result};
use crate::{Storage, Tensor};
use std::path::Path;

/// A Lua value. Tables, torch objects and functions live in the [`Document`] and are
/// referenced by their index there, so two references to one object are the same index.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Nil,
    Number(f64),
    Boolean(bool),
    /// Lua strings are byte strings (usually UTF-8).
    String(Vec<u8>),
    /// An object of the document: `doc.objects[i]`.
    Ref(usize),
}

impl Value {
    pub fn string(s: &str) -> Value {
        Value::String(s.as_bytes().to_vec())
    }
}

/// What a reference points to.
#[derive(Clone)]
pub enum Object {
    /// A Lua table: its (key, value) pairs in file order.
    Table(Vec<(Value, Value)>),
    /// `torch.<T>Tensor` (a `torch.CudaTensor` loads as a Float tensor on the CPU).
    Tensor(Tensor),
    /// `torch.<T>Storage`.
    Storage(Storage),
    /// Any other torch class (`nn.Linear`, `nngraph.Node`, ...): its class name, version and
    /// the value it wrote, normally a table of its fields.
    Class { class_name: String, version: String, fields: Value },
    /// A Lua function: its bytecode and upvalues, kept so the file round-trips; never run.
    Function { bytecode: Vec<u8>, upvalues: Value },
    /// An object whose body is still being read (only seen while reading).
    Pending,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Object::Table(p) => f.debug_tuple("Table").field(p).finish(),
            Object::Tensor(t) => write!(f, "Tensor({} {:?})", t.dtype(), t.sizes()),
            Object::Storage(s) => write!(f, "Storage({} {})", s.dtype(), s.size()),
            Object::Class { class_name, fields, .. } => {
                f.debug_struct("Class").field("class_name", class_name).field("fields", fields).finish()
            }
            Object::Function { bytecode, .. } => write!(f, "Function({} bytes)", bytecode.len()),
            Object::Pending => f.write_str("Pending"),
        }
    }
}

/// The objects of one file and the value it holds (`root`).
#[derive(Clone, Debug)]
pub struct Document {
    pub objects: Vec<Object>,
    pub root: Value,
}

impl Default for Document {
    fn default() -> Self {
        Document { objects: Vec::new(), root: Value::Nil }
    }
}

impl Document {
    /// Adds an object and returns the value that references it.
    pub fn push(&mut self, obj: Object) -> Value {
        self.objects.push(obj);
        Value::Ref(self.objects.len() - 1)
    }

    /// The object a value references (None for plain values and bad indices).
    pub fn get(&self, v: &Value) -> Option<&Object> {
        match v {
            Value::Ref(i) => self.objects.get(*i),
            _ => None,
        }
    }

    /// The value stored under string key `key` of the table `table` references (a module's
    /// field, or a field of a class object's table).
    pub fn field(&self, table: &Value, key: &str) -> Option<&Value> {
        match self.get(table)? {
            Object::Table(pairs) => pairs.iter().find(|(k, _)| *k == Value::string(key)).map(|(_, v)| v),
            Object::Class { fields, .. } => self.field(fields, key),
            _ => None,
        }
    }
}

/// How to read: `mode` and, for binary files, the size of a long (None: try 8 bytes, then 4,
/// so files from 32-bit-long platforms load without being told).
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub mode: Mode,
    pub long_size: Option<LongSize>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { mode: Mode::Binary, long_size: None }
    }
}

/// How to write: binary (default) or ascii, 8-byte longs unless asked for 4.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub mode: Mode,
    pub long_size: LongSize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { mode: Mode::Binary, long_size: LongSize::Eight }
    }
}

/// Deepest nesting of tables/objects accepted; reading and writing recurse on a thread with a
/// stack sized for it, so deep nngraph models load while a hostile file cannot overflow.
pub const MAX_DEPTH: usize = 20_000;
const STACK_BYTES: usize = 512 << 20;

/// Runs `f` on a scoped thread with a stack deep enough for MAX_DEPTH levels.
fn with_deep_stack<R: Send>(f: impl FnOnce() -> Result<R> + Send) -> Result<R> {
    std::thread::scope(|s| {
        let h = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, f)
            .map_err(|e| Error::Runtime(format!("torch.load/save: cannot start a thread: {e}")))?;
        h.join().map_err(|_| Error::Runtime("torch.load/save: the worker panicked".into()))?
    })
}

/// Parses the bytes of a .t7 file (Torch7's `torch.deserialize`).
pub fn from_bytes(bytes: &[u8], opts: &ReadOptions) -> Result<Document> {
    with_deep_stack(|| match (opts.mode, opts.long_size) {
        (Mode::Ascii, _) => reader::read(bytes, Mode::Ascii, LongSize::Eight),
        (Mode::Binary, Some(ls)) => reader::read(bytes, Mode::Binary, ls),
        (Mode::Binary, None) => match reader::read(bytes, Mode::Binary, LongSize::Eight) {
            Ok(doc) => Ok(doc),
            // A file from a platform with 4-byte longs fails as an 8-byte-long file.
            Err(first) => reader::read(bytes, Mode::Binary, LongSize::Four).map_err(|_| first),
        },
    })
}

/// The bytes of a .t7 file holding `doc` (Torch7's `torch.serialize`).
pub fn to_bytes(doc: &Document, opts: &WriteOptions) -> Result<Vec<u8>> {
    with_deep_stack(|| writer::write(doc, opts.mode, opts.long_size))
}

/// Reads a .t7 file (Torch7's `torch.load`).
pub fn load(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Document> {
    let path = path.as_ref();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Runtime(format!("torch.load: cannot read {}: {e}", path.display())))?;
    from_bytes(&bytes, opts)
}

/// Writes a .t7 file (Torch7's `torch.save`) atomically: the bytes go to a temporary file in
/// the same folder, which is flushed and then renamed over `path`, so an interrupted save
/// never leaves a truncated file nor destroys the previous one.
pub fn save(path: impl AsRef<Path>, doc: &Document, opts: &WriteOptions) -> Result<()> {
    let bytes = to_bytes(doc, opts)?;
    write_atomic(path.as_ref(), &bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let fail = |what: &str, e: std::io::Error| {
        Error::Runtime(format!("torch.save: cannot {what} {}: {e}", path.display()))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Value(format!("torch.save: {} does not name a file", path.display())))?;
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| fail("create a temporary file for", e))?;
        f.write_all(bytes).map_err(|e| fail("write", e))?;
        f.sync_all().map_err(|e| fail("flush", e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| fail("rename the temporary file onto", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
