//! Sample-quality statistics computed from the classifier's class probabilities.

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
    fn accuracy_counts_argmax_hits() {
        let scores: Vec<f32> = [one_hot(1, 0.8), one_hot(2, 0.8)].concat();
        assert_eq!(accuracy(&scores, &[1, 3]), 0.5);
    }
}
