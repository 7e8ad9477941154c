//! Embeds the ferrotorch engine with no Python: the tensor walk-through of the Torch7 talk.
//!
//! cargo run --release --example tensors -p ferrotorch

use ferrotorch::{DType, Generator, Scalar, Storage, Tensor};

fn main() -> ferrotorch::Result<()> {
    let mut gen = Generator::new(123);

    // a = torch.DoubleTensor(4, 6); a:uniform()
    let a = Tensor::zeros(DType::Double, &[4, 6])?;
    a.uniform_(&mut gen, 0.0, 1.0)?;
    println!("{a}");

    // b = a:select(1, 3) -- 0-based here: row 2. A view: no copy.
    let b = a.select(0, 2)?;
    println!("{b}");
    b.fill_(Scalar::Float(3.0))?;
    println!("{a}");

    // Views share the storage; a transposed view has swapped strides.
    let t = a.t()?;
    println!("a.t(): size {:?}, stride {:?}, contiguous {}", t.sizes(), t.strides(), t.is_contiguous());

    // Copies convert between types (C-cast rules) and follow any layout.
    let ints = Tensor::zeros(DType::Int, &[6, 4])?;
    ints.copy_(&t)?;
    println!("{ints}");

    // A tensor over an existing storage, at an offset, with explicit strides.
    let storage = Storage::from_slice(&(0..12).map(|x| x as f32).collect::<Vec<_>>());
    let every_other = Tensor::from_storage(storage, 1, &[2, 3], Some(&[6, 2]))?;
    println!("{every_other}");

    // Views that would reach past the storage are refused, not UB.
    match Tensor::from_storage(Storage::new(DType::Float, 4)?, 2, &[3], None) {
        Err(e) => println!("refused: {e}"),
        Ok(_) => unreachable!("a view past the end must be refused"),
    }
    Ok(())
}
