//! Sizes of one convolution: the image side (planes × depth × height × width), the kernel,
//! stride, zero padding and dilation, and the output positions they give (Torch7's formula
//! `o = floor((i + 2·pad − dil·(k − 1) − 1) / stride) + 1`). 2-D convolutions use depth 1.

/// The geometry of the unrolled matrix of one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Planes of the image side (unrolled into rows together with the kernel taps).
    pub planes: usize,
    pub image: [usize; 3],
    pub out: [usize; 3],
    pub k: [usize; 3],
    pub stride: [usize; 3],
    pub pad: [usize; 3],
    pub dil: [usize; 3],
}

/// Output positions along one dim, None when the (padded) input is smaller than the
/// (dilated) kernel.
pub fn out_size(input: usize, k: usize, stride: usize, pad: usize, dil: usize) -> Option<usize> {
    let span = dil * (k - 1) + 1;
    let padded = input + 2 * pad;
    if padded < span {
        return None;
    }
    Some((padded - span) / stride + 1)
}

impl Shape {
    /// The geometry of `planes` images of size `image`; None when an output size would be < 1.
    pub fn new(
        planes: usize,
        image: [usize; 3],
        k: [usize; 3],
        stride: [usize; 3],
        pad: [usize; 3],
        dil: [usize; 3],
    ) -> Option<Shape> {
        let mut out = [0; 3];
        for d in 0..3 {
            out[d] = out_size(image[d], k[d], stride[d], pad[d], dil[d])?;
        }
        Some(Shape { planes, image, out, k, stride, pad, dil })
    }

    pub fn kernel_len(&self) -> usize {
        self.k.iter().product()
    }

    /// Rows of the unrolled matrix: planes × kernel taps.
    pub fn col_rows(&self) -> usize {
        self.planes * self.kernel_len()
    }

    /// Output positions (columns of the unrolled matrix of one image).
    pub fn out_len(&self) -> usize {
        self.out.iter().product()
    }

    /// Elements of one image.
    pub fn image_len(&self) -> usize {
        self.planes * self.image.iter().product::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch7_output_sizes() {
        assert_eq!(out_size(32, 5, 1, 0, 1), Some(28));
        assert_eq!(out_size(5, 3, 2, 1, 1), Some(3));
        assert_eq!(out_size(6, 3, 1, 0, 2), Some(2));
        assert_eq!(out_size(4, 5, 1, 0, 1), None);
        assert_eq!(out_size(4, 5, 1, 1, 1), Some(2));
        // stride larger than the kernel skips pixels
        assert_eq!(out_size(7, 2, 3, 0, 1), Some(2));
    }
}
