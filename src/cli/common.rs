//! Devices, data, the classifier, progress bars and the metrics every subcommand shares.

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

use crate::core::checkpoint;
use crate::core::classifier::Classifier;
use crate::core::data::MnistSet;
use crate::core::metrics::{FeatureStats, QualityMetrics};
use crate::core::train::GanTrainer;
use crate::engine::evaluate::{
    METRICS_SEED, evaluate_trainer, generate_samples, real_feature_stats,
};
use crate::engine::{METRICS_SAMPLES, REAL_REFERENCE};

use super::Backend;

pub(crate) fn device(backend: Backend) -> Result<Device> {
    match backend {
        Backend::Flex => Ok(Device::flex()),
        #[cfg(feature = "native-gpu")]
        Backend::Wgpu => Ok(Device::wgpu(DeviceKind::DefaultDevice)),
        #[cfg(feature = "native-gpu")]
        Backend::Vulkan => Ok(Device::vulkan(DeviceKind::DefaultDevice)),
        #[cfg(not(feature = "native-gpu"))]
        Backend::Wgpu | Backend::Vulkan => {
            bail!("this build has no GPU backends; rebuild with `--features native-gpu`")
        }
    }
}

pub(crate) fn load_data(path: &Path) -> Result<MnistSet> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    MnistSet::decode(&bytes).with_context(|| format!("decoding {}", path.display()))
}

pub(crate) fn now_ms() -> f64 {
    thread_local!(static START: Instant = Instant::now());
    START.with(|s| s.elapsed().as_secs_f64() * 1000.0)
}

pub(crate) fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {per_sec} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar
}

pub(crate) fn load_classifier(path: &Path, device: &Device) -> Result<Classifier> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(checkpoint::load_classifier(&bytes, device)?)
}

pub(crate) fn read_back<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| anyhow::anyhow!("reading results back: {e:?}"))
}

/// `n` samples of the trainer's sampling generator from the metrics seed: the first `n` of
/// the samples every metrics evaluation judges (see [`generate_samples`]).
pub(crate) fn generate(
    trainer: &GanTrainer,
    n: usize,
    device: &Device,
) -> (Vec<Tensor<4>>, Option<Vec<u8>>) {
    let architecture = &trainer.config().architecture;
    generate_samples(
        &trainer.sampling_generator(),
        architecture.latent_dim,
        architecture.conditioning.is_conditional(),
        n,
        METRICS_SEED,
        device,
    )
}

/// The metrics of the trainer's sampling generator, exactly as the page's Evaluate computes
/// them.
pub(crate) fn judge(
    trainer: &GanTrainer,
    classifier: &Classifier,
    real: &FeatureStats,
    device: &Device,
) -> Result<QualityMetrics> {
    Ok(pollster::block_on(evaluate_trainer(
        trainer,
        classifier,
        real,
        METRICS_SAMPLES,
        device,
    ))?)
}

pub(crate) fn real_stats(
    classifier: &Classifier,
    data: &MnistSet,
    device: &Device,
) -> Result<FeatureStats> {
    let (first, count) = REAL_REFERENCE;
    Ok(pollster::block_on(real_feature_stats(
        classifier, data, first, count, device,
    ))?)
}

pub(crate) fn print_metrics(m: &QualityMetrics) {
    let s = &m.classes;
    println!(
        "{} samples: FID (MNIST-classifier features) {:.2}, IS analogue {:.2}, classes covered {}/10, mean max-probability {:.3}, class KL from uniform {:.3}{}, histogram {:?}",
        m.samples,
        m.fid,
        m.inception_score,
        s.classes_covered,
        s.mean_max_prob,
        s.kl_from_uniform,
        m.label_accuracy
            .map(|a| format!(", label accuracy {:.1}%", a * 100.0))
            .unwrap_or_default(),
        s.histogram
    );
}
