//! File.lua's writeObject: each table, torch object and function is written once and later
//! references write only its index; storages are shared by identity, so views of one storage
//! still share it when read back.

use super::codec::{format_g, LongSize, Mode, Sink};
use super::reader::{
    TYPE_BOOLEAN, TYPE_NIL, TYPE_NUMBER, TYPE_RECUR_FUNCTION, TYPE_STRING, TYPE_TABLE, TYPE_TORCH,
};
use super::{Document, Object, Value, MAX_DEPTH};
use crate::error::{Error, Result};
use crate::{DType, Storage, Tensor};
use std::collections::HashMap;

#[derive(Hash, PartialEq, Eq)]
enum Key {
    Object(usize),
    Storage(usize),
}

struct Writer<'a> {
    doc: &'a Document,
    sink: Sink,
    memo: HashMap<Key, i32>,
    next: i32,
    depth: usize,
}

pub fn write(doc: &Document, mode: Mode, long_size: LongSize) -> Result<Vec<u8>> {
    let mut w = Writer { doc, sink: Sink::new(mode, long_size), memo: HashMap::new(), next: 0, depth: 0 };
    if mode == Mode::Binary {
        // The tensor data dominates a file: reserve it once instead of growing by doubling.
        // Each storage counted once, however many views share it.
        let mut seen = std::collections::HashSet::new();
        let mut data = 0usize;
        for o in &doc.objects {
            let s = match o {
                Object::Tensor(t) => t.storage(),
                Object::Storage(s) => s,
                _ => continue,
            };
            if seen.insert(s.id()) {
                data = data.saturating_add(s.size() * s.dtype().element_size());
            }
        }
        // try_reserve: a failed reservation only means growing as we go.
        let _ = w.sink.out.try_reserve(data.saturating_add(4096));
    }
    w.value(&doc.root)?;
    Ok(w.sink.out)
}

impl<'a> Writer<'a> {
    fn string(&mut self, s: &[u8]) -> Result<()> {
        let n = i32::try_from(s.len())
            .map_err(|_| Error::Value(format!("torch.save: a string of {} bytes is too long", s.len())))?;
        self.sink.write_int(n);
        self.sink.write_raw(s);
        Ok(())
    }

    /// Writes the index of an object already written (true), or registers a new one.
    fn reference(&mut self, key: Key) -> bool {
        if let Some(&i) = self.memo.get(&key) {
            self.sink.write_int(i);
            return true;
        }
        self.next += 1;
        self.memo.insert(key, self.next);
        self.sink.write_int(self.next);
        false
    }

    fn class_header(&mut self, version: &str, class_name: &str) -> Result<()> {
        self.string(format!("V {version}").as_bytes())?;
        self.string(class_name.as_bytes())
    }

    fn value(&mut self, v: &Value) -> Result<()> {
        match v {
            Value::Nil => self.sink.write_int(TYPE_NIL),
            Value::Number(x) => {
                self.sink.write_int(TYPE_NUMBER);
                self.sink.write_double(*x);
            }
            Value::Boolean(b) => {
                self.sink.write_int(TYPE_BOOLEAN);
                self.sink.write_int(*b as i32);
            }
            Value::String(s) => {
                self.sink.write_int(TYPE_STRING);
                self.string(s)?;
            }
            Value::Ref(i) => {
                let obj = self.doc.objects.get(*i).ok_or_else(|| {
                    Error::Value(format!(
                        "torch.save: reference to object {i} of a document of {}",
                        self.doc.objects.len()
                    ))
                })?;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Error::Value(format!(
                        "torch.save: objects nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                self.object(*i, obj)?;
                self.depth -= 1;
            }
        }
        Ok(())
    }

    fn object(&mut self, i: usize, obj: &'a Object) -> Result<()> {
        match obj {
            Object::Table(pairs) => {
                self.sink.write_int(TYPE_TABLE);
                if !self.reference(Key::Object(i)) {
                    let n = i32::try_from(pairs.len()).map_err(|_| {
                        Error::Value(format!("torch.save: a table of {} entries is too large", pairs.len()))
                    })?;
                    self.sink.write_int(n);
                    for (k, v) in pairs {
                        if *k == Value::Nil {
                            return Err(Error::Value("torch.save: a table key is nil".into()));
                        }
                        self.value(k)?;
                        self.value(v)?;
                    }
                }
            }
            Object::Tensor(t) => {
                self.sink.write_int(TYPE_TORCH);
                if !self.reference(Key::Object(i)) {
                    self.tensor(t)?;
                }
            }
            Object::Storage(s) => self.storage(s)?,
            Object::Class { class_name, version, fields } => {
                self.sink.write_int(TYPE_TORCH);
                if !self.reference(Key::Object(i)) {
                    self.class_header(version, class_name)?;
                    if class_name == "nn.GPU" {
                        self.gpu_header(fields)?;
                    }
                    self.value(fields)?;
                }
            }
            Object::Function { bytecode, upvalues } => {
                self.sink.write_int(TYPE_RECUR_FUNCTION);
                if !self.reference(Key::Object(i)) {
                    self.string(bytecode)?;
                    self.value(upvalues)?;
                }
            }
            Object::Pending => {
                return Err(Error::Value(format!("torch.save: object {i} is unfinished (Pending)")))
            }
        }
        Ok(())
    }

    /// nn.GPU's write(): a table {type, device} before the fields (what its read() expects).
    fn gpu_header(&mut self, fields: &Value) -> Result<()> {
        let ty = self.doc.field(fields, "_type").cloned().unwrap_or(Value::string("torch.DoubleTensor"));
        let device = self.doc.field(fields, "device").cloned().unwrap_or(Value::Number(1.0));
        self.sink.write_int(TYPE_TABLE);
        self.next += 1;
        self.sink.write_int(self.next);
        self.sink.write_int(2);
        for (k, v) in [(Value::Number(1.0), ty), (Value::Number(2.0), device)] {
            self.value(&k)?;
            self.value(&v)?;
        }
        Ok(())
    }

    fn tensor(&mut self, t: &Tensor) -> Result<()> {
        self.class_header("1", &t.dtype().tensor_type_name())?;
        let storage = t.storage();
        let layout = t.layout();
        if let Some(end) = layout.extent() {
            if end > storage.size() {
                return Err(Error::Value(format!(
                    "torch.save: a tensor reaches element {end} of a storage of size {}",
                    storage.size()
                )));
            }
        }
        let as_i64 = |v: &[usize]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
        self.sink.write_int(t.ndim() as i32);
        self.sink.write_longs(&as_i64(t.sizes()))?;
        self.sink.write_longs(&as_i64(t.strides()))?;
        self.sink.write_longs(&[t.storage_offset() as i64 + 1])?;
        if t.ndim() == 0 && storage.size() == 0 {
            // Torch7's `torch.Tensor()` has no storage at all.
            self.sink.write_int(TYPE_NIL);
            return Ok(());
        }
        self.storage(storage)
    }

    fn storage(&mut self, s: &Storage) -> Result<()> {
        self.sink.write_int(TYPE_TORCH);
        if self.reference(Key::Storage(s.id())) {
            return Ok(());
        }
        self.class_header("1", &s.dtype().storage_type_name())?;
        let n = s.size();
        self.sink.write_longs(&[n as i64])?;
        let view = s.view();
        let nbytes = n * s.dtype().element_size();
        // SAFETY: the view (held until the end of this function) keeps the block alive and its
        // window holds n elements, i.e. nbytes bytes; any bytes are valid u8.
        let bytes = unsafe {
            let base = view.block.as_ptr().add(view.offset * s.dtype().element_size());
            std::slice::from_raw_parts(base as *const u8, nbytes)
        };
        match (self.sink.mode(), s.dtype()) {
            (Mode::Binary, _) | (Mode::Ascii, DType::Byte | DType::Char) => self.sink.write_raw(bytes),
            (Mode::Ascii, DType::Float | DType::Half) => {
                self.sink.write_text_elements(s.to_vec::<f64>().into_iter().map(|x| format_g(x, 9)))
            }
            (Mode::Ascii, DType::Double) => {
                self.sink.write_text_elements(s.to_vec::<f64>().into_iter().map(|x| format_g(x, 17)))
            }
            (Mode::Ascii, _) => {
                self.sink.write_text_elements(s.to_vec::<i64>().into_iter().map(|x| x.to_string()))
            }
        }
        Ok(())
    }
}
