//! Kmeans: online hard k-means. Forward gives each row of the input the 0-based index of its
//! nearest centroid (a row of weight, k × dim); accGradParameters moves each centroid towards
//! the mean of its rows.

use super::util::{check_sizes, float_type, overwrite, store, values};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

const WHAT: &str = "nn.Kmeans";

fn shapes(input: &Tensor, weight: &Tensor) -> Result<(usize, usize, usize)> {
    let (k, dim) = match weight.sizes() {
        [k, d] => (*k, *d),
        _ => return Err(Error::Value(format!("{WHAT}: weight must be k x dim"))),
    };
    match input.sizes() {
        [b, d] if *d == dim => Ok((*b, k, dim)),
        sizes => Err(Error::Value(format!(
            "{WHAT}({k} clusters of {dim}): expected an input of size Bx{dim}, got {}",
            size_string(sizes)
        ))),
    }
}

/// Writes the nearest-centroid index of each row into `output` (0-based, in output's type)
/// and `indices` (LongTensor); returns the sum of the squared distances to those centroids.
pub fn kmeans_update_output(
    input: &Tensor,
    weight: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
) -> Result<f64> {
    float_type(WHAT, &[input, weight, &*output])?;
    let (b, k, dim) = shapes(input, weight)?;
    let (x, w) = (values(input)?, values(weight)?);
    let mut idx = vec![0.0; b];
    let mut loss = 0.0;
    for s in 0..b {
        let row = &x[s * dim..(s + 1) * dim];
        let mut best = (f64::INFINITY, 0usize);
        for c in 0..k {
            let d: f64 = row.iter().zip(&w[c * dim..(c + 1) * dim]).map(|(p, q)| (p - q) * (p - q)).sum();
            // The first centroid wins ties, as Torch7's min.
            if d < best.0 {
                best = (d, c);
            }
        }
        idx[s] = best.1 as f64;
        loss += best.0;
    }
    store(output, &[b], &idx)?;
    indices.resize_(&[b])?;
    if b > 0 {
        indices.copy_same_shape(&Tensor::from_slice(&idx, &[b])?)?;
    }
    Ok(loss)
}

/// `clusterSampleCount[c]` = rows assigned to c; `gradWeight[c] += −scale Σ_{rows of c} (x −
/// w_c) / (count_c + 1e-7)` (Torch7's update: gradient descent moves w_c to the rows' mean).
pub fn kmeans_acc_grad_parameters(
    input: &Tensor,
    weight: &Tensor,
    indices: &Tensor,
    grad_weight: &Tensor,
    cluster_sample_count: &Tensor,
    scale: f64,
) -> Result<()> {
    float_type(WHAT, &[input, weight, grad_weight, cluster_sample_count])?;
    let (b, k, dim) = shapes(input, weight)?;
    check_sizes(WHAT, "indices (run forward first)", indices, &[b])?;
    check_sizes(WHAT, "gradWeight", grad_weight, weight.sizes())?;
    check_sizes(WHAT, "clusterSampleCount", cluster_sample_count, &[k])?;
    let (x, w, idx) = (values(input)?, values(weight)?, indices.to_vec::<i64>()?);
    let mut count = vec![0.0; k];
    let mut delta = vec![0.0; k * dim];
    for (s, &c) in idx.iter().enumerate() {
        let c = usize::try_from(c).ok().filter(|&c| c < k).ok_or_else(|| {
            Error::Index(format!("{WHAT}: centroid index {c} out of range for {k} clusters"))
        })?;
        count[c] += 1.0;
        for d in 0..dim {
            delta[c * dim + d] += -scale * (x[s * dim + d] - w[c * dim + d]);
        }
    }
    let mut gw = values(grad_weight)?;
    for c in 0..k {
        for d in 0..dim {
            gw[c * dim + d] += delta[c * dim + d] / (count[c] + 1e-7);
        }
    }
    overwrite(cluster_sample_count, &count)?;
    overwrite(grad_weight, &gw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn nearest_centroid_and_loss() {
        let w = Tensor::from_slice(&[0.0, 0.0, 10.0, 10.0], &[2, 2]).unwrap();
        let x = Tensor::from_slice(&[1.0, 0.0, 9.0, 10.0, 0.0, 2.0], &[3, 2]).unwrap();
        let (mut out, mut idx) = (Tensor::empty(DType::Double), Tensor::empty(DType::Long));
        let loss = kmeans_update_output(&x, &w, &mut out, &mut idx).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 0.0]);
        assert_eq!(loss, 1.0 + 1.0 + 4.0);
    }
}
