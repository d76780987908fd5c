//! The gallery's catalogue of pretrained generators (`pretrained/manifest.json`): one card per
//! shipped generator file with how it was trained and what the project's classifier makes of
//! it, and the quality bars a model must pass to be shipped as pretrained.

use serde::{Deserialize, Serialize};

use crate::core::checkpoint::Precision;
use crate::core::metrics::QualityMetrics;
use crate::core::settings::SettingPairs;

/// Bars every shipped model must pass (1,000 samples, the project's classifier).
pub const MAX_CLASS_KL: f32 = 0.02;
/// Mean confidence (max class probability) at least this.
pub const MIN_CONFIDENCE: f32 = 0.95;
/// Conditional models: the share of samples classified as the digit asked for.
pub const MIN_LABEL_ACCURACY: f32 = 0.97;
/// The best unconditional model's FID is within this factor of the real-digit yardstick's.
pub const MAX_FID_RATIO: f64 = 3.0;

/// The catalogue file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Real training digits judged like the samples: the yardstick of every metric.
    pub yardstick: Option<QualityMetrics>,
    /// The shipped models, the gallery's default first.
    pub models: Vec<ModelCard>,
}

/// One shipped generator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Identifier in addresses (`#/gallery?model=…`) and the file name.
    pub id: String,
    /// Shown on the card.
    pub title: String,
    /// The generator file, relative to the catalogue.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The preset it was trained from, if any.
    pub preset: Option<String>,
    /// The model's id (`dcgan`, `mlp`).
    pub model: String,
    /// Takes a second input beside z: the digit to draw, or an InfoGAN's category.
    pub conditional: bool,
    /// That input is a category the model found by itself (InfoGAN), in no digit order.
    #[serde(default)]
    pub categories: bool,
    /// Every training setting, as registry pairs.
    pub settings: SettingPairs,
    /// Generator steps trained.
    pub steps: u64,
    /// Wall-clock seconds of training.
    pub train_seconds: Option<f64>,
    /// Where it was trained (e.g. "wgpu (Vulkan), NVIDIA H100").
    pub trained_on: Option<String>,
    /// The command that trained it.
    pub command: Option<String>,
    /// The weights are the run's moving average of G (else G as trained).
    pub ema: bool,
    /// How the file stores them.
    pub precision: Precision,
    /// The truncation ψ the gallery draws this model at by default, and its metrics are
    /// measured at (`None`: untruncated).
    #[serde(default)]
    pub psi: Option<f32>,
    /// The shipped file's metrics (at `psi`).
    pub metrics: QualityMetrics,
    /// Its metrics without truncation, when `psi` is set.
    #[serde(default)]
    pub untruncated: Option<QualityMetrics>,
    /// Misses a quality bar: shown as a preview, not as a pretrained model.
    #[serde(default)]
    pub preview: bool,
    /// The same generator's metrics in the other precision, for comparison.
    pub other_precision: Option<(Precision, QualityMetrics)>,
}

impl ModelCard {
    /// Each bar with whether this model passes it (`yardstick_fid`: the real digits' FID, for
    /// the unconditional FID bar).
    pub fn bars(&self, yardstick_fid: Option<f64>) -> Vec<(String, bool)> {
        bars(&self.metrics, yardstick_fid)
    }
}

/// The quality bars of a model's metrics, with whether each passes: label accuracy where it
/// was measured (models drawing the digit asked for), else the unconditional FID bar.
pub fn bars(m: &QualityMetrics, yardstick_fid: Option<f64>) -> Vec<(String, bool)> {
    let c = &m.classes;
    let mut out = vec![
        (
            format!("{}/10 classes", c.classes_covered),
            c.classes_covered == 10,
        ),
        (
            format!("class KL {:.3} ≤ {MAX_CLASS_KL}", c.kl_from_uniform),
            c.kl_from_uniform <= MAX_CLASS_KL,
        ),
        (
            format!("confidence {:.3} ≥ {MIN_CONFIDENCE}", c.mean_max_prob),
            c.mean_max_prob >= MIN_CONFIDENCE,
        ),
    ];
    if let Some(a) = m.label_accuracy {
        out.push((
            format!(
                "label accuracy {:.1}% ≥ {}%",
                a * 100.0,
                MIN_LABEL_ACCURACY * 100.0
            ),
            a >= MIN_LABEL_ACCURACY,
        ));
    } else if let Some(real) = yardstick_fid {
        out.push((
            format!("FID {:.1} ≤ {MAX_FID_RATIO}× real {:.1}", m.fid, real),
            m.fid <= MAX_FID_RATIO * real,
        ));
    }
    out
}

/// The super-resolution demo's shipped upscaler (`pretrained/superres.json`): how it was
/// trained and its scores on the held-out digits, beside bicubic upsampling's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SrCard {
    /// Shown on the card.
    pub title: String,
    /// The networks' file, relative to the card.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Every training setting, as registry pairs.
    pub settings: SettingPairs,
    /// Generator steps trained.
    pub steps: u64,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Where it was trained.
    pub trained_on: String,
    /// The command that trained it.
    pub command: String,
    /// Held-out digits scored.
    pub held_out: usize,
    /// The model's mean PSNR (dB) and SSIM on them.
    pub model: crate::core::superres::Fidelity,
    /// Bicubic upsampling's.
    pub bicubic: crate::core::superres::Fidelity,
}

/// The colourisation demo's shipped colouriser (`pretrained/colorize.json`): how it was
/// trained and its scores on the held-out patches, beside the baselines'.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColorCard {
    /// Shown on the card.
    pub title: String,
    /// The networks' file, relative to the card.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Every training setting, as registry pairs.
    pub settings: SettingPairs,
    /// Generator steps trained.
    pub steps: u64,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Where it was trained.
    pub trained_on: String,
    /// The command that trained it.
    pub command: String,
    /// Held-out patches scored.
    pub held_out: usize,
    /// The model's mean PSNR (dB) and SSIM on them.
    pub model: crate::core::superres::Fidelity,
    /// The mean-colour baseline's (the training photographs' mean colour everywhere).
    pub mean_colour: crate::core::superres::Fidelity,
    /// The grey input tinted by the mean chroma.
    pub tinted: crate::core::superres::Fidelity,
    /// The grey input's.
    pub grey: crate::core::superres::Fidelity,
}

/// How well one CycleGAN keeps the digit, on held-out images of each domain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentScores {
    /// Share of x (handwritten) whose digit the content classifier reads the same in G(x).
    pub kept_xy: f32,
    /// Share of y (typeset) whose digit it reads the same in F(y).
    pub kept_yx: f32,
    /// Mean ‖F(G(x)) − x‖₁ per pixel.
    pub cycle_x: f32,
    /// Mean ‖G(F(y)) − y‖₁ per pixel.
    pub cycle_y: f32,
}

/// The CycleGAN demo's shipped networks (`pretrained/cyclegan.json`): how they were trained and
/// how well they keep the digit, with the λ = 0 twin trained beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleCard {
    /// Shown on the card.
    pub title: String,
    /// The networks' file, relative to the card.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Every training setting, as registry pairs.
    pub settings: SettingPairs,
    /// Steps trained.
    pub steps: u64,
    /// Wall-clock seconds of training (both runs).
    pub train_seconds: f64,
    /// Where it was trained.
    pub trained_on: String,
    /// The command that trained it.
    pub command: String,
    /// Held-out images of each domain scored.
    pub held_out: usize,
    /// The run's scores.
    pub model: ContentScores,
    /// The λ = 0 twin's, when the file holds one.
    pub twin: Option<ContentScores>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::metrics::ClassStats;

    fn metrics(covered: usize, kl: f32, conf: f32, acc: Option<f32>, fid: f64) -> QualityMetrics {
        QualityMetrics {
            samples: 1000,
            fid,
            inception_score: 9.0,
            classes: ClassStats {
                classes_covered: covered,
                kl_from_uniform: kl,
                mean_max_prob: conf,
                ..ClassStats::default()
            },
            label_accuracy: acc,
        }
    }

    #[test]
    fn each_bar_fails_on_its_own() {
        let pass = |m: &QualityMetrics| bars(m, Some(27.0)).iter().all(|b| b.1);
        // Unconditional (and InfoGAN: no label accuracy): the FID bar.
        assert!(pass(&metrics(10, 0.01, 0.97, None, 70.0)));
        assert!(!pass(&metrics(9, 0.01, 0.97, None, 70.0)));
        assert!(!pass(&metrics(10, 0.03, 0.97, None, 70.0)));
        assert!(!pass(&metrics(10, 0.01, 0.94, None, 70.0)));
        assert!(!pass(&metrics(10, 0.01, 0.97, None, 90.0)));
        // Drawing the digit asked for: label accuracy instead.
        assert!(pass(&metrics(10, 0.01, 0.97, Some(0.98), 500.0)));
        assert!(!pass(&metrics(10, 0.01, 0.97, Some(0.96), 50.0)));
    }
}
