//! Reads a Torch7 .t7 file without Python and prints what it holds: tables, tensors (type and
//! sizes), torch objects (an nn model is a class name and a table of its fields).
//!
//! `cargo run -p ferrotorch --example t7_dump -- tests/fixtures/torch7/t7/mlp.t7 [ascii]`

use ferrotorch::serialize::{self, Document, Mode, Object, ReadOptions, Value};
use std::collections::HashSet;

fn show(doc: &Document, v: &Value, depth: usize, seen: &mut HashSet<usize>) -> String {
    let pad = "  ".repeat(depth + 1);
    match v {
        Value::Nil => "nil".into(),
        Value::Number(x) => format!("{x}"),
        Value::Boolean(b) => format!("{b}"),
        Value::String(s) => format!("{:?}", String::from_utf8_lossy(s)),
        Value::Ref(i) => {
            if !seen.insert(*i) {
                return format!("<object {i}, shown above>");
            }
            match &doc.objects[*i] {
                Object::Tensor(t) => format!("{} of size {:?}", t.dtype().tensor_type_name(), t.sizes()),
                Object::Storage(s) => format!("{} of size {}", s.dtype().storage_type_name(), s.size()),
                Object::Function { bytecode, .. } => format!("<Lua function, {} bytes>", bytecode.len()),
                Object::Class { class_name, fields, .. } => {
                    format!("{class_name} {}", show(doc, fields, depth, seen))
                }
                Object::Table(pairs) => {
                    let mut out = String::from("{\n");
                    for (k, v) in pairs {
                        let k = show(doc, k, depth + 1, seen);
                        out += &format!("{pad}{k} = {}\n", show(doc, v, depth + 1, seen));
                    }
                    out + &"  ".repeat(depth) + "}"
                }
                Object::Pending => "<pending>".into(),
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: t7_dump FILE.t7 [ascii]");
        std::process::exit(2);
    };
    let mode = if args.get(2).map(String::as_str) == Some("ascii") { Mode::Ascii } else { Mode::Binary };
    match serialize::load(path, &ReadOptions { mode, long_size: None }) {
        Ok(doc) => println!("{}", show(&doc, &doc.root, 0, &mut HashSet::new())),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
