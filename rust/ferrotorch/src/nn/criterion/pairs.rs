//! Criterions over a table input `{x1, x2}` and a ±1 (or no) target: CosineEmbedding,
//! MarginRanking, DistanceRatio and L1HingeEmbedding. Their gradients are two tensors.

use super::{check_input, finish, store, value_error, values, Target};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

const COSINE: &str = "nn.CosineEmbeddingCriterion";
const RANKING: &str = "nn.MarginRankingCriterion";
const RATIO: &str = "nn.DistanceRatioCriterion";
const L1_HINGE: &str = "nn.L1HingeEmbeddingCriterion";

/// Checks that x1 and x2 have the same type and element count; returns their values.
fn pair_values(name: &str, x1: &Tensor, x2: &Tensor, same_size: bool) -> Result<(Vec<f64>, Vec<f64>)> {
    check_input(x1, name)?;
    check_input(x2, name)?;
    if x1.dtype() != x2.dtype() {
        return Err(Error::Type(format!(
            "{name}: the two inputs must have the same type, got {} and {}",
            x1.dtype().tensor_type_name(),
            x2.dtype().tensor_type_name()
        )));
    }
    let ok = if same_size { x1.sizes() == x2.sizes() } else { x1.numel() == x2.numel() };
    if !ok || x1.ndim() == 0 {
        return Err(value_error(
            name,
            format!(
                "the two inputs must have the same size, got {} and {}",
                size_string(x1.sizes()),
                size_string(x2.sizes())
            ),
        ));
    }
    Ok((values(x1)?, values(x2)?))
}

/// The ±1 labels, one per sample (`rows` of them).
fn labels(name: &str, y: Target, rows: usize, strict: bool) -> Result<Vec<f64>> {
    let v = match y {
        Target::Number(v) => vec![v],
        Target::Tensor(t) => values(t)?,
        Target::Absent => return Err(Error::Type(format!("{name}: a target (1 or -1) is required"))),
    };
    if v.len() != rows {
        return Err(value_error(name, format!("expected {rows} targets (one per sample), got {}", v.len())));
    }
    if strict {
        if let Some(bad) = v.iter().find(|&&l| l != 1.0 && l != -1.0) {
            return Err(value_error(name, format!("targets must be 1 or -1, got {bad}")));
        }
    }
    Ok(v)
}

/// Per-row quantities of CosineEmbedding (Torch7's w1, w22, w32, w and the row loss).
struct CosineRows {
    rows: usize,
    cols: usize,
    x1: Vec<f64>,
    x2: Vec<f64>,
    dot: Vec<f64>,
    inv1: Vec<f64>,
    inv2: Vec<f64>,
    scale: Vec<f64>,
    loss: Vec<f64>,
    y: Vec<f64>,
}

fn cosine_rows(x1: &Tensor, x2: &Tensor, y: Target, margin: f64) -> Result<CosineRows> {
    const EPS: f64 = 1e-12;
    let (a, b) = pair_values(COSINE, x1, x2, true)?;
    let (rows, cols) = match *x1.sizes() {
        [n] => (1, n),
        [r, n] => (r, n),
        _ => {
            return Err(value_error(
                COSINE,
                format!("expected inputs of size N or BxN, got {}", size_string(x1.sizes())),
            ))
        }
    };
    let y = labels(COSINE, y, rows, true)?;
    let mut c = CosineRows {
        rows,
        cols,
        dot: vec![0.0; rows],
        inv1: vec![0.0; rows],
        inv2: vec![0.0; rows],
        scale: vec![0.0; rows],
        loss: vec![0.0; rows],
        x1: Vec::new(),
        x2: Vec::new(),
        y,
    };
    for r in 0..rows {
        let (u, v) = (&a[r * cols..(r + 1) * cols], &b[r * cols..(r + 1) * cols]);
        c.dot[r] = u.iter().zip(v).map(|(p, q)| p * q).sum();
        c.inv1[r] = 1.0 / (u.iter().map(|p| p * p).sum::<f64>() + EPS);
        c.inv2[r] = 1.0 / (v.iter().map(|q| q * q).sum::<f64>() + EPS);
        c.scale[r] = (c.inv1[r] * c.inv2[r]).sqrt();
        let cos = c.dot[r] * c.scale[r];
        c.loss[r] = if c.y[r] == 1.0 { 1.0 - cos } else { (cos - margin).max(0.0) };
    }
    c.x1 = a;
    c.x2 = b;
    Ok(c)
}

/// CosineEmbeddingCriterion's loss: `1 - cos(x1, x2)` for y = 1, `max(0, cos - margin)` for
/// y = -1, summed over rows (/B with sizeAverage).
pub fn cosine_embedding_update_output(
    x1: &Tensor,
    x2: &Tensor,
    y: Target,
    margin: f64,
    size_average: bool,
) -> Result<f64> {
    let c = cosine_rows(x1, x2, y, margin)?;
    let mut sum: f64 = c.loss.iter().sum();
    if size_average {
        sum /= c.rows as f64;
    }
    Ok(finish(sum, x1.dtype()))
}

/// CosineEmbeddingCriterion's gradients w.r.t. x1 and x2.
pub fn cosine_embedding_update_grad_input(
    x1: &Tensor,
    x2: &Tensor,
    y: Target,
    margin: f64,
    size_average: bool,
    grad1: &mut Tensor,
    grad2: &mut Tensor,
) -> Result<()> {
    let c = cosine_rows(x1, x2, y, margin)?;
    let (mut g1, mut g2) = (vec![0.0; c.x1.len()], vec![0.0; c.x1.len()]);
    let norm = if size_average { 1.0 / c.rows as f64 } else { 1.0 };
    for r in 0..c.rows {
        if c.loss[r] <= 0.0 {
            continue;
        }
        let sign = if c.y[r] == 1.0 { -norm } else { norm };
        for k in r * c.cols..(r + 1) * c.cols {
            g1[k] = sign * (c.x2[k] - c.dot[r] * c.inv1[r] * c.x1[k]) * c.scale[r];
            g2[k] = sign * (c.x1[k] - c.dot[r] * c.inv2[r] * c.x2[k]) * c.scale[r];
        }
    }
    store(COSINE, grad1, x1.dtype(), x1.sizes(), &g1)?;
    store(COSINE, grad2, x2.dtype(), x2.sizes(), &g2)
}

/// MarginRanking's per-sample `-y (x1 - x2) + margin` (one sample when y is a number: the
/// first elements, as Torch7 read `input[1][1]`).
fn ranking_dists(x1: &Tensor, x2: &Tensor, y: Target, margin: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let (a, b) = pair_values(RANKING, x1, x2, false)?;
    let y = match y {
        Target::Number(v) => vec![v],
        other => labels(RANKING, other, a.len(), false)?,
    };
    let d = y.iter().enumerate().map(|(i, l)| -l * (a[i] - b[i]) + margin).collect();
    Ok((d, y))
}

/// MarginRankingCriterion's loss `Σ max(0, -y (x1 - x2) + margin)` (/B with sizeAverage and
/// a tensor target; a number target is one unaveraged sample).
pub fn margin_ranking_update_output(
    x1: &Tensor,
    x2: &Tensor,
    y: Target,
    margin: f64,
    size_average: bool,
) -> Result<f64> {
    let (d, labels) = ranking_dists(x1, x2, y, margin)?;
    let mut sum: f64 = d.iter().map(|v| v.max(0.0)).sum();
    if size_average && matches!(y, Target::Tensor(_)) {
        sum /= labels.len() as f64;
    }
    Ok(finish(sum, x1.dtype()))
}

/// MarginRankingCriterion's gradients: `∓y` where the hinge is active (≥ 0, as Torch7).
pub fn margin_ranking_update_grad_input(
    x1: &Tensor,
    x2: &Tensor,
    y: Target,
    margin: f64,
    size_average: bool,
    grad1: &mut Tensor,
    grad2: &mut Tensor,
) -> Result<()> {
    let (d, labels) = ranking_dists(x1, x2, y, margin)?;
    let batch = matches!(y, Target::Tensor(_));
    let norm = if size_average && batch { 1.0 / labels.len() as f64 } else { 1.0 };
    let g: Vec<f64> = d.iter().zip(&labels).map(|(v, l)| if *v >= 0.0 { l * norm } else { 0.0 }).collect();
    let neg: Vec<f64> = g.iter().map(|v| -v).collect();
    let sizes: Vec<usize> = if batch { x1.sizes().to_vec() } else { vec![1] };
    store(RANKING, grad1, x1.dtype(), &sizes, &neg)?;
    store(RANKING, grad2, x2.dtype(), &sizes, &g)
}

/// DistanceRatioCriterion's loss `Σ X + log(e^{-X} + e^{-Y})` (/B with sizeAverage), X the
/// distances to the similar and Y to the dissimilar samples.
pub fn distance_ratio_update_output(x: &Tensor, y: &Tensor, size_average: bool) -> Result<f64> {
    let (a, b) = pair_values(RATIO, x, y, false)?;
    let mut sum = 0.0;
    for (&p, &q) in a.iter().zip(&b) {
        // log(e^{-p} + e^{-q}) = -min(p, q) + log(1 + e^{-|p - q|})
        sum += p - p.min(q) + (-(p - q).abs()).exp().ln_1p();
    }
    if size_average {
        sum /= x.sizes()[0] as f64;
    }
    Ok(finish(sum, x.dtype()))
}

/// DistanceRatioCriterion's gradients: `1 - e^{-X}/S` and `-e^{-Y}/S`, `S = e^{-X} + e^{-Y}`.
pub fn distance_ratio_update_grad_input(
    x: &Tensor,
    y: &Tensor,
    size_average: bool,
    grad_x: &mut Tensor,
    grad_y: &mut Tensor,
) -> Result<()> {
    let (a, b) = pair_values(RATIO, x, y, false)?;
    let norm = if size_average { 1.0 / x.sizes()[0] as f64 } else { 1.0 };
    // e^{-X}/S = σ(Y - X), e^{-Y}/S = σ(X - Y)
    let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
    let gx: Vec<f64> = a.iter().zip(&b).map(|(&p, &q)| (1.0 - sig(q - p)) * norm).collect();
    let gy: Vec<f64> = a.iter().zip(&b).map(|(&p, &q)| -sig(p - q) * norm).collect();
    store(RATIO, grad_x, x.dtype(), x.sizes(), &gx)?;
    store(RATIO, grad_y, y.dtype(), y.sizes(), &gy)
}

/// L1HingeEmbedding's L1 distance and label.
fn l1_hinge_args(x1: &Tensor, x2: &Tensor, y: Target) -> Result<(Vec<f64>, f64, f64)> {
    let (a, b) = pair_values(L1_HINGE, x1, x2, false)?;
    let label = labels(L1_HINGE, y, 1, true)?[0];
    let diff: Vec<f64> = a.iter().zip(&b).map(|(p, q)| p - q).collect();
    let dist = diff.iter().map(|d| d.abs()).sum();
    Ok((diff, dist, label))
}

/// L1HingeEmbeddingCriterion's loss: `d = ‖x1 - x2‖₁` for y = 1, `max(0, margin - d)` for
/// y = -1 (never averaged).
pub fn l1_hinge_embedding_update_output(x1: &Tensor, x2: &Tensor, y: Target, margin: f64) -> Result<f64> {
    let (_, dist, label) = l1_hinge_args(x1, x2, y)?;
    let loss = if label == -1.0 { (margin - dist).max(0.0) } else { dist };
    Ok(finish(loss, x1.dtype()))
}

/// L1HingeEmbeddingCriterion's gradients `±sign(x1 - x2)` (0 where x1 = x2: Torch7 drew a
/// random sign there).
pub fn l1_hinge_embedding_update_grad_input(
    x1: &Tensor,
    x2: &Tensor,
    y: Target,
    margin: f64,
    grad1: &mut Tensor,
    grad2: &mut Tensor,
) -> Result<()> {
    let (diff, dist, label) = l1_hinge_args(x1, x2, y)?;
    let factor = if label != -1.0 {
        1.0
    } else if dist > margin {
        0.0
    } else {
        -1.0
    };
    let sign = |d: f64| {
        if d > 0.0 {
            1.0
        } else if d < 0.0 {
            -1.0
        } else {
            0.0
        }
    };
    let g1: Vec<f64> = diff.iter().map(|&d| factor * sign(d)).collect();
    let g2: Vec<f64> = g1.iter().map(|v| -v).collect();
    store(L1_HINGE, grad1, x1.dtype(), x1.sizes(), &g1)?;
    store(L1_HINGE, grad2, x2.dtype(), x2.sizes(), &g2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn t(v: &[f64]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    #[test]
    fn cosine_of_parallel_vectors_is_one() {
        let (a, b) = (t(&[1.0, 2.0]), t(&[2.0, 4.0]));
        let loss = cosine_embedding_update_output(&a, &b, Target::Number(1.0), 0.0, true).unwrap();
        assert!(loss.abs() < 1e-12);
        let loss = cosine_embedding_update_output(&a, &b, Target::Number(-1.0), 0.5, true).unwrap();
        assert!((loss - 0.5).abs() < 1e-12);
    }

    #[test]
    fn margin_ranking_number_and_batch() {
        let (a, b) = (t(&[1.0, 0.0]), t(&[0.0, 0.0]));
        let y = t(&[1.0, -1.0]);
        // sample 0: max(0, -1 + 1) = 0; sample 1: max(0, 0 + 1) = 1
        assert_eq!(margin_ranking_update_output(&a, &b, Target::Tensor(&y), 1.0, false).unwrap(), 1.0);
        let mut g1 = Tensor::empty(DType::Double);
        let mut g2 = Tensor::empty(DType::Double);
        margin_ranking_update_grad_input(&a, &b, Target::Tensor(&y), 1.0, false, &mut g1, &mut g2).unwrap();
        assert_eq!(g1.to_vec::<f64>().unwrap(), vec![-1.0, 1.0]);
    }

    #[test]
    fn bad_labels_are_value_errors() {
        let e =
            l1_hinge_embedding_update_output(&t(&[1.0]), &t(&[0.0]), Target::Number(0.5), 1.0).unwrap_err();
        assert!(matches!(e, Error::Value(_)), "{e}");
    }
}
