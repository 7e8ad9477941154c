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

    #[cfg(feature = "ndarray")]
    ndarray_interop(&a)?;
    Ok(())
}

/// Hands tensors to ndarray code and back without copies (cargo feature `ndarray`, default on).
#[cfg(feature = "ndarray")]
fn ndarray_interop(a: &Tensor) -> ferrotorch::Result<()> {
    use ferrotorch::ndarray::{Array, Axis};

    // A transposed view as an ArrayViewD: same memory, the transpose's strides.
    let t = a.t()?;
    let view = t.as_ndarray::<f64>()?;
    println!("ndarray view: shape {:?}, strides {:?}", view.view().shape(), view.view().strides());
    println!("column sums via ndarray: {}", view.view().sum_axis(Axis(1)));
    // While the view lives the storage cannot grow (it is exported, as to numpy); `t.resize_`
    // would not even compile, since the view borrows t.
    let mut other_handle = a.clone();
    match other_handle.resize_(&[100, 100]) {
        Err(e) => println!("refused while viewed: {e}"),
        Ok(()) => unreachable!("growth under a live view must be refused"),
    }
    drop(view);

    // An expanded (stride-0) tensor is viewable read-only.
    let row = Tensor::from_slice(&[1.0f32, 2.0, 3.0], &[1, 3])?.expand(&[4, 3])?;
    println!("expanded: strides {:?}", row.as_ndarray::<f32>()?.view().strides());

    // Write through a mutable view.
    let mut m = Tensor::zeros(DType::Int, &[2, 3])?;
    m.as_ndarray_mut::<i32>()?.view_mut().index_axis_mut(Axis(1), 1).fill(7);
    println!("{m}");

    // An owned ndarray array becomes a tensor without a copy (its buffer is the storage).
    let owned = Array::from_shape_fn((2, 3), |(i, j)| (10 * i + j) as f64).into_dyn();
    let ptr = owned.as_ptr();
    let from = Tensor::from_ndarray(owned)?;
    assert_eq!(from.as_ndarray::<f64>()?.view().as_ptr(), ptr);
    println!("from ndarray, no copy:\n{from}");
    Ok(())
}
