//! Sample-quality statistics computed with the playground's own MNIST classifier: class
//! histogram and confidence, a Fréchet distance in the classifier's feature space, an
//! Inception-Score analogue, and label accuracy for conditional models.
//!
//! These are *not* the Inception-network FID/IS of the literature: the features and class
//! probabilities come from our small MNIST CNN, so values are comparable only with each other.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde::{Deserialize, Serialize};

use crate::core::data::NUM_CLASSES;

/// How the classifier judges a set of generated digits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ClassStats {
    /// Samples assigned to each class (argmax).
    pub histogram: [u32; NUM_CLASSES],
    /// Mean over samples of the largest class probability (confidence; real digits ≈ 0.99).
    pub mean_max_prob: f32,
    /// Classes with at least one sample.
    pub classes_covered: usize,
    /// KL divergence of the class distribution from uniform (0 = perfectly balanced).
    pub kl_from_uniform: f32,
}

impl ClassStats {
    /// Statistics from row-major probabilities `[n, 10]`.
    pub fn from_probabilities(probs: &[f32]) -> Self {
        let mut histogram = [0u32; NUM_CLASSES];
        let mut max_sum = 0.0f64;
        let n = probs.len() / NUM_CLASSES;
        for row in probs.chunks_exact(NUM_CLASSES) {
            let (arg, max) = argmax(row);
            histogram[arg] += 1;
            max_sum += max as f64;
        }
        let classes_covered = histogram.iter().filter(|&&c| c > 0).count();
        let kl_from_uniform = if n == 0 {
            0.0
        } else {
            histogram
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| {
                    let p = c as f64 / n as f64;
                    p * (p * NUM_CLASSES as f64).ln()
                })
                .sum::<f64>() as f32
        };
        Self {
            histogram,
            mean_max_prob: if n == 0 {
                0.0
            } else {
                (max_sum / n as f64) as f32
            },
            classes_covered,
            kl_from_uniform,
        }
    }
}

/// Index and value of the largest score in `row`.
fn argmax(row: &[f32]) -> (usize, f32) {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &p)| {
            if p > best.1 { (i, p) } else { best }
        })
}

/// Fraction of rows of `[n, 10]` logits or probabilities whose argmax equals the label.
pub fn accuracy(scores: &[f32], labels: &[u8]) -> f32 {
    let correct = scores
        .chunks_exact(NUM_CLASSES)
        .zip(labels)
        .filter(|(row, label)| {
            let arg = argmax(row).0;
            arg == **label as usize
        })
        .count();
    correct as f32 / labels.len().max(1) as f32
}

/// Mean and covariance of feature vectors (for the Fréchet distance).
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureStats {
    mean: DVector<f64>,
    covariance: DMatrix<f64>,
    count: usize,
}

impl FeatureStats {
    /// Statistics of row-major features `[n, dim]` (needs n ≥ 2).
    pub fn from_features(features: &[f32], dim: usize) -> Option<Self> {
        let n = features.len().checked_div(dim)?;
        if n < 2 || n * dim != features.len() {
            return None;
        }
        let x = DMatrix::from_row_iterator(n, dim, features.iter().map(|&v| v as f64));
        let mean = x.row_mean().transpose();
        let mut centred = x;
        for mut row in centred.row_iter_mut() {
            row -= mean.transpose();
        }
        let covariance = centred.transpose() * &centred / (n as f64 - 1.0);
        Some(Self {
            mean,
            covariance,
            count: n,
        })
    }

    /// Number of samples the statistics were computed from.
    pub fn count(&self) -> usize {
        self.count
    }
}

/// `√A` of a symmetric positive semi-definite matrix (negative eigenvalues from round-off → 0).
fn sqrt_psd(a: DMatrix<f64>) -> DMatrix<f64> {
    let eig = SymmetricEigen::new(a);
    let roots = eig.eigenvalues.map(|l| l.max(0.0).sqrt());
    &eig.eigenvectors * DMatrix::from_diagonal(&roots) * eig.eigenvectors.transpose()
}

/// The Fréchet distance between two Gaussians fitted to features:
/// `‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½)`.
pub fn frechet_distance(a: &FeatureStats, b: &FeatureStats) -> f64 {
    let diff = (&a.mean - &b.mean).norm_squared();
    let root_a = sqrt_psd(a.covariance.clone());
    let inner = &root_a * &b.covariance * &root_a;
    let inner = (&inner + inner.transpose()) * 0.5; // exact symmetry for the eigensolver
    let cross: f64 = SymmetricEigen::new(inner)
        .eigenvalues
        .iter()
        .map(|l| l.max(0.0).sqrt())
        .sum();
    (diff + a.covariance.trace() + b.covariance.trace() - 2.0 * cross).max(0.0)
}

/// The Inception-Score analogue `exp(E_x KL(p(y|x) ‖ p(y)))` from probabilities `[n, 10]`:
/// 1 for identical or uninformative predictions, 10 for confident predictions spread evenly
/// over the ten digits.
pub fn inception_score(probs: &[f32]) -> f64 {
    let rows: Vec<&[f32]> = probs.chunks_exact(NUM_CLASSES).collect();
    if rows.is_empty() {
        return 1.0;
    }
    let mut marginal = [0.0f64; NUM_CLASSES];
    for row in &rows {
        for (m, &p) in marginal.iter_mut().zip(row.iter()) {
            *m += p as f64 / rows.len() as f64;
        }
    }
    let kl: f64 = rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(marginal.iter())
                .filter(|(p, _)| **p > 0.0)
                .map(|(&p, &m)| p as f64 * ((p as f64).ln() - m.max(1e-30).ln()))
                .sum::<f64>()
        })
        .sum::<f64>()
        / rows.len() as f64;
    kl.exp()
}

/// Every sample-quality metric of a set of generated digits, as charted and written by the CLI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct QualityMetrics {
    /// Number of generated samples judged.
    pub samples: usize,
    /// Fréchet distance to real digits in our MNIST classifier's feature space (not Inception FID).
    pub fid: f64,
    /// Inception-Score analogue with our classifier (1–10; real digits ≈ 9.5).
    pub inception_score: f64,
    /// Class histogram, confidence, coverage and balance.
    pub classes: ClassStats,
    /// For conditional models: fraction of samples classified as the label they were asked for.
    pub label_accuracy: Option<f32>,
}

impl QualityMetrics {
    /// Metrics from the classifier's features `[n, dim]` and probabilities `[n, 10]` of the
    /// samples, the real digits' feature statistics, and the requested labels (conditional).
    pub fn compute(
        features: &[f32],
        dim: usize,
        probs: &[f32],
        real: &FeatureStats,
        labels: Option<&[u8]>,
    ) -> Self {
        let fid = FeatureStats::from_features(features, dim)
            .map(|s| frechet_distance(&s, real))
            .unwrap_or(f64::NAN);
        Self {
            samples: probs.len() / NUM_CLASSES,
            fid,
            inception_score: inception_score(probs),
            classes: ClassStats::from_probabilities(probs),
            label_accuracy: labels.map(|l| accuracy(probs, l)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(class: usize, p: f32) -> Vec<f32> {
        let rest = (1.0 - p) / 9.0;
        (0..10).map(|i| if i == class { p } else { rest }).collect()
    }

    #[test]
    fn balanced_confident_samples() {
        let probs: Vec<f32> = (0..20).flat_map(|i| one_hot(i % 10, 0.9)).collect();
        let s = ClassStats::from_probabilities(&probs);
        assert_eq!(s.histogram, [2; 10]);
        assert_eq!(s.classes_covered, 10);
        assert!(s.kl_from_uniform.abs() < 1e-6);
        assert!((s.mean_max_prob - 0.9).abs() < 1e-6);
    }

    #[test]
    fn collapsed_samples() {
        let probs: Vec<f32> = (0..5).flat_map(|_| one_hot(3, 0.5)).collect();
        let s = ClassStats::from_probabilities(&probs);
        assert_eq!(s.classes_covered, 1);
        assert_eq!(s.histogram[3], 5);
        assert!((s.kl_from_uniform - 10f32.ln()).abs() < 1e-5);
    }

    #[test]
    fn frechet_distance_of_known_gaussians() {
        // Samples with exact mean/covariance: A = {(±1, 0), (0, ±1)} → μ 0, Σ = ⅔·I;
        // B = A·2 + (3, 4) → μ (3, 4), Σ = 8/3·I. FID = 25 + Tr(⅔I + 8/3 I − 2·√(16/9) I)
        // = 25 + 2·(10/3 − 8/3) = 25 + 4/3.
        let a = [1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0];
        let b: Vec<f32> = a
            .chunks(2)
            .flat_map(|p| [p[0] * 2.0 + 3.0, p[1] * 2.0 + 4.0])
            .collect();
        let sa = FeatureStats::from_features(&a, 2).unwrap();
        let sb = FeatureStats::from_features(&b, 2).unwrap();
        assert!((frechet_distance(&sa, &sb) - (25.0 + 4.0 / 3.0)).abs() < 1e-9);
        assert!(frechet_distance(&sa, &sa).abs() < 1e-9);
        // A non-diagonal case against the closed form for commuting covariances is covered by
        // symmetry: d(a, b) = d(b, a).
        assert!((frechet_distance(&sb, &sa) - frechet_distance(&sa, &sb)).abs() < 1e-9);
        assert!(FeatureStats::from_features(&a[..2], 2).is_none());
    }

    #[test]
    fn inception_score_bounds() {
        let confident_even: Vec<f32> = (0..10).flat_map(|i| one_hot(i, 1.0)).collect();
        assert!((inception_score(&confident_even) - 10.0).abs() < 1e-4);
        let collapsed: Vec<f32> = (0..10).flat_map(|_| one_hot(4, 1.0)).collect();
        assert!((inception_score(&collapsed) - 1.0).abs() < 1e-6);
        let uniform: Vec<f32> = vec![0.1; 100];
        assert!((inception_score(&uniform) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn accuracy_counts_argmax_hits() {
        let scores: Vec<f32> = [one_hot(1, 0.8), one_hot(2, 0.8)].concat();
        assert_eq!(accuracy(&scores, &[1, 3]), 0.5);
    }
}
