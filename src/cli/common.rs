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
    METRICS_SEED, evaluate_images, evaluate_trainer, generate_samples, real_feature_stats,
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
            .unwrap_or_else(|_| ProgressStyle::default_bar())
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
        architecture.conditioning,
        n,
        METRICS_SEED,
        None,
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

/// The yardstick: the first 1,000 real training digits (with their labels) scored like samples.
pub(crate) fn yardstick(
    classifier: &Classifier,
    data: &MnistSet,
    real: &FeatureStats,
    device: &Device,
) -> Result<QualityMetrics> {
    let n = 1000.min(data.len());
    let images = (0..n)
        .collect::<Vec<_>>()
        .chunks(250)
        .map(|c| data.batch(c, device).0)
        .collect();
    Ok(pollster::block_on(evaluate_images(
        classifier,
        images,
        Some(&data.labels()[..n]),
        real,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::core::models::{ArchitectureConfig, Conditioning, MlpGanConfig};
    use crate::core::train::TrainConfig;
    use crate::engine::evaluate::evaluate_checkpoint;
    use crate::engine::{Command, Engine, Event};

    /// The CLI's `metrics.json` (`judge`), `eval --checkpoint` and the page's Evaluate give the
    /// same numbers for the same run, EMA generator included.
    #[test]
    fn cli_eval_and_page_metrics_agree() {
        let device = Device::flex();
        let data = MnistSet::decode(include_bytes!("../../www/data/mnist.bin")).unwrap();
        let classifier = checkpoint::load_classifier(
            include_bytes!("../../www/weights/classifier.bpk"),
            &device,
        )
        .unwrap();
        let real = real_stats(&classifier, &data, &device).unwrap();
        let config = TrainConfig::new()
            .with_batch_size(16)
            .with_ema_decay(0.5)
            .with_architecture(
                ArchitectureConfig::new()
                    .with_latent_dim(8)
                    .with_conditioning(Conditioning::Cgan)
                    .with_mlp(
                        MlpGanConfig::new()
                            .with_generator_hidden(vec![32])
                            .with_discriminator_hidden(vec![32]),
                    ),
            );
        let mut engine =
            Engine::new(&device, Arc::new(data), classifier.clone(), config, now_ms).unwrap();
        for _ in 0..3 {
            pollster::block_on(engine.step_once()).unwrap();
        }
        let cli = judge(engine.trainer(), &classifier, &real, &device).unwrap();
        let page = match pollster::block_on(engine.handle(Command::Evaluate)).first() {
            Some(Event::Metrics { metrics, .. }) => metrics.clone(),
            other => panic!("expected metrics, got {other:?}"),
        };
        let bytes = engine.checkpoint().unwrap();
        let eval = pollster::block_on(evaluate_checkpoint(
            &bytes,
            &classifier,
            &real,
            METRICS_SAMPLES,
            &device,
        ))
        .unwrap();
        let json = |m: &QualityMetrics| serde_json::to_string(m).unwrap_or_default();
        assert_eq!(json(&cli), json(&page));
        assert_eq!(json(&eval), json(&page));
        assert!(page.label_accuracy.is_some());
    }
}
