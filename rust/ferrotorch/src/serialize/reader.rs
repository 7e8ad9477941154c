//! File.lua's readObject, without executing anything: every value becomes a [`Value`] and
//! every table / torch object / function an [`Object`] of the document.

use super::codec::{LongSize, Mode, Source};
use super::{Document, Object, Value, MAX_DEPTH};
use crate::error::{Error, Result};
use crate::{DType, Storage, Tensor};
use half::f16;
use std::collections::HashMap;

pub const TYPE_NIL: i32 = 0;
pub const TYPE_NUMBER: i32 = 1;
pub const TYPE_STRING: i32 = 2;
pub const TYPE_TABLE: i32 = 3;
pub const TYPE_TORCH: i32 = 4;
pub const TYPE_BOOLEAN: i32 = 5;
pub const TYPE_FUNCTION: i32 = 6;
pub const TYPE_LEGACY_RECUR_FUNCTION: i32 = 7;
pub const TYPE_RECUR_FUNCTION: i32 = 8;

/// Tensor or storage class name -> (element type, is a tensor). The CUDA classes of cutorch
/// load as the CPU type of the same elements (`torch.CudaTensor` -> Float).
pub fn tensor_class(name: &str) -> Option<(DType, bool)> {
    let base = name.strip_prefix("torch.")?;
    let (base, is_tensor) = match base.strip_suffix("Tensor") {
        Some(b) => (b, true),
        None => (base.strip_suffix("Storage")?, false),
    };
    let base = match base.strip_prefix("Cuda") {
        Some("") => "Float",
        Some(rest) => rest,
        None => base,
    };
    DType::ALL.into_iter().find(|d| d.name() == base).map(|d| (d, is_tensor))
}

fn bad(pos: usize, msg: String) -> Error {
    Error::Value(format!("torch.load: malformed file at byte {pos}: {msg}"))
}

struct Reader<'a> {
    src: Source<'a>,
    doc: Document,
    /// The file's reference index -> our object index.
    refs: HashMap<i32, usize>,
    depth: usize,
}

pub fn read(bytes: &[u8], mode: Mode, long_size: LongSize) -> Result<Document> {
    let mut r = Reader {
        src: Source::new(bytes, mode, long_size),
        doc: Document::default(),
        refs: HashMap::new(),
        depth: 0,
    };
    r.doc.root = r.value()?;
    Ok(r.doc)
}

impl<'a> Reader<'a> {
    fn string(&mut self, what: &str) -> Result<Vec<u8>> {
        let pos = self.src.position();
        let n = self.src.read_int()?;
        if n < 0 {
            return Err(bad(pos, format!("negative length {n} for {what}")));
        }
        Ok(self.src.read_raw(n as usize, what)?.to_vec())
    }

    fn value(&mut self) -> Result<Value> {
        let pos = self.src.position();
        let tag = self.src.read_int()?;
        match tag {
            TYPE_NIL => Ok(Value::Nil),
            TYPE_NUMBER => Ok(Value::Number(self.src.read_double()?)),
            TYPE_BOOLEAN => Ok(Value::Boolean(self.src.read_int()? == 1)),
            TYPE_STRING => Ok(Value::String(self.string("a string")?)),
            TYPE_TABLE | TYPE_TORCH | TYPE_RECUR_FUNCTION | TYPE_LEGACY_RECUR_FUNCTION => {
                let index = self.src.read_int()?;
                if let Some(&slot) = self.refs.get(&index) {
                    return Ok(Value::Ref(slot));
                }
                self.enter(pos)?;
                // Registered before its body is read, as File.lua does, so cycles resolve.
                let slot = self.doc.objects.len();
                self.doc.objects.push(Object::Pending);
                self.refs.insert(index, slot);
                let obj = match tag {
                    TYPE_TABLE => self.table(pos)?,
                    TYPE_TORCH => self.torch(pos)?,
                    _ => self.function()?,
                };
                self.doc.objects[slot] = obj;
                self.depth -= 1;
                Ok(Value::Ref(slot))
            }
            TYPE_FUNCTION => {
                self.enter(pos)?;
                let obj = self.function()?;
                self.depth -= 1;
                Ok(self.doc.push(obj))
            }
            _ => Err(bad(pos, format!("unknown type tag {tag} (expected 0..8)"))),
        }
    }

    fn enter(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(bad(pos, format!("objects nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn table(&mut self, pos: usize) -> Result<Object> {
        let n = self.src.read_int()?;
        if n < 0 {
            return Err(bad(pos, format!("table with a negative number of entries ({n})")));
        }
        // Every pair holds at least two type tags.
        self.src.check_count(n as usize, 8, "a table")?;
        let mut pairs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let k = self.value()?;
            let v = self.value()?;
            pairs.push((k, v));
        }
        Ok(Object::Table(pairs))
    }

    fn function(&mut self) -> Result<Object> {
        let bytecode = self.string("function bytecode")?;
        let upvalues = self.value()?;
        Ok(Object::Function { bytecode, upvalues })
    }

    fn torch(&mut self, pos: usize) -> Result<Object> {
        let first = self.string("a class version")?;
        let (version, class_name) = match first.strip_prefix(b"V ") {
            Some(v) => (String::from_utf8_lossy(v).into_owned(), self.string("a class name")?),
            // Files from before versioning start with the class name (version 0).
            None => ("0".to_string(), first),
        };
        let class_name =
            String::from_utf8(class_name).map_err(|_| bad(pos, "class name is not UTF-8 text".into()))?;
        match tensor_class(&class_name) {
            Some((dtype, true)) => Ok(Object::Tensor(self.tensor(dtype, &class_name)?)),
            Some((dtype, false)) => Ok(Object::Storage(self.storage(dtype, &class_name)?)),
            None => {
                if class_name == "nn.GPU" {
                    // nn.GPU's own write() puts a header {type, device} before its fields;
                    // the fields hold both again, so the header is read and dropped.
                    self.value()?;
                }
                let fields = self.value()?;
                Ok(Object::Class { class_name, version, fields })
            }
        }
    }

    fn tensor(&mut self, dtype: DType, class: &str) -> Result<Tensor> {
        let pos = self.src.position();
        let ndim = self.src.read_int()?;
        if ndim < 0 {
            return Err(bad(pos, format!("{class} with {ndim} dimensions")));
        }
        let sizes = self.src.read_longs(ndim as usize)?;
        let strides = self.src.read_longs(ndim as usize)?;
        let offset = self.src.read_long()? - 1;
        if let Some(s) = sizes.iter().find(|&&s| s < 0) {
            return Err(bad(pos, format!("{class} with negative size {s} (sizes {sizes:?})")));
        }
        if let Some(s) = strides.iter().find(|&&s| s < 0) {
            return Err(bad(
                pos,
                format!("{class} with negative stride {s} (strides {strides:?}); Torch7 strides are >= 0"),
            ));
        }
        if offset < 0 {
            return Err(bad(pos, format!("{class} with storage offset {} (1-based)", offset + 1)));
        }
        let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
        let strides: Vec<usize> = strides.iter().map(|&s| s as usize).collect();
        let numel = sizes.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
        let numel = numel.ok_or_else(|| bad(pos, format!("{class} of sizes {sizes:?} overflows")))?;
        let spos = self.src.position();
        let storage = match self.value()? {
            Value::Nil if numel == 0 || sizes.is_empty() => {
                let empty = Storage::new(dtype, 0)?;
                return Tensor::from_storage(empty, 0, &sizes, Some(&strides))
                    .map_err(|e| bad(pos, format!("{class}: {e}")));
            }
            Value::Nil => {
                return Err(bad(pos, format!("{class} of sizes {sizes:?} has no storage")));
            }
            Value::Ref(i) => match &self.doc.objects[i] {
                Object::Storage(s) if s.dtype() == dtype => s.clone(),
                Object::Storage(s) => return Err(bad(spos, format!("{class} over a {} storage", s.dtype()))),
                Object::Pending => {
                    return Err(bad(
                        spos,
                        format!("reference loop: the storage of a {class} is an object still being read"),
                    ))
                }
                other => return Err(bad(spos, format!("{class} whose storage is {other:?}"))),
            },
            other => return Err(bad(spos, format!("{class} whose storage is {other:?}"))),
        };
        Tensor::from_storage(storage, offset as usize, &sizes, Some(&strides))
            .map_err(|e| bad(pos, format!("{class} view past the end of its storage: {e}")))
    }

    fn storage(&mut self, dtype: DType, class: &str) -> Result<Storage> {
        let pos = self.src.position();
        let n = self.src.read_long()?;
        if n < 0 {
            return Err(bad(pos, format!("{class} of negative size {n}")));
        }
        let n = n as usize;
        let es = dtype.element_size();
        let bytes = if self.src.mode() == Mode::Ascii && matches!(dtype, DType::Byte | DType::Char) {
            std::borrow::Cow::Borrowed(self.src.read_raw(n, class)?)
        } else {
            self.src.read_elements(n, es, |tok| parse_ascii(dtype, tok), class)?
        };
        storage_from_le_bytes(dtype, &bytes)
    }
}

/// One ascii element of `dtype` as little-endian bytes (None if the text is no such number).
fn parse_ascii(dtype: DType, tok: &str) -> Option<Vec<u8>> {
    Some(match dtype {
        DType::Byte => tok.parse::<u8>().ok()?.to_le_bytes().to_vec(),
        DType::Char => tok.parse::<i8>().ok()?.to_le_bytes().to_vec(),
        DType::Short => tok.parse::<i16>().ok()?.to_le_bytes().to_vec(),
        DType::Int => tok.parse::<i32>().ok()?.to_le_bytes().to_vec(),
        DType::Long => tok.parse::<i64>().ok()?.to_le_bytes().to_vec(),
        DType::Float => tok.parse::<f32>().ok()?.to_le_bytes().to_vec(),
        DType::Double => tok.parse::<f64>().ok()?.to_le_bytes().to_vec(),
        DType::Half => f16::from_f32(tok.parse::<f32>().ok()?).to_le_bytes().to_vec(),
    })
}

/// A storage holding the elements whose little-endian bytes are `bytes`.
pub fn storage_from_le_bytes(dtype: DType, bytes: &[u8]) -> Result<Storage> {
    let es = dtype.element_size();
    debug_assert_eq!(bytes.len() % es, 0);
    let storage = Storage::new(dtype, bytes.len() / es)?;
    let view = storage.view();
    // SAFETY: the fresh block holds bytes.len() / es elements of es bytes each, nobody else
    // sees it yet, and every bit pattern is a valid element of these types. Torch7's files
    // are little-endian, as are the machines this crate targets (see DType::typestr).
    unsafe {
        let base = view.block.as_ptr().add(view.offset * es);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), base, bytes.len())
    };
    Ok(storage)
}
