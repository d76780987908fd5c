//! Sample-quality evaluation with the playground's classifier, shared by the worker and the CLI.
//!
//! One sampling path and one seed rule ([`METRICS_SEED`], [`METRICS_SAMPLES`]), so the page's
//! Evaluate, the CLI's `metrics.json` and `eval --checkpoint` give the same numbers for the same
//! generator. Reads results back asynchronously, so it runs on browser WebGPU as well as
//! natively (where callers block on it).

use burn::prelude::*;

use crate::core::checkpoint;
use crate::core::classifier::Classifier;
use crate::core::data::{MnistSet, NUM_CLASSES, to_bytes};
use crate::core::latent::draw_latents;
use crate::core::metrics::{ClassStats, FeatureStats, QualityMetrics};
use crate::core::models::{Conditioning, Generator};
use crate::core::train::{GanTrainer, latent_noise};

use super::error::{EngineError, read_f32};
use super::protocol::Event;
use super::task::Panel;

/// Images per chunk fed to the generator and the classifier.
const CHUNK: usize = 250;
/// Generated samples per metrics evaluation.
pub const METRICS_SAMPLES: usize = 1000;
/// Seed of the latents (and so the samples) every metrics evaluation uses.
pub const METRICS_SEED: u64 = 0x5eed;
/// Real digits of the FID reference, `(first, count)`: the 2,000 the classifier was not
/// trained on.
pub const REAL_REFERENCE: (usize, usize) = (8000, 2000);

/// The classifier's features `[n, dim]` and class probabilities `[n, 10]` of images, in chunks.
async fn judge(
    classifier: &Classifier,
    images: Vec<Tensor<4>>,
) -> Result<(Vec<f32>, usize, Vec<f32>), EngineError> {
    let mut features = Vec::new();
    let mut probs = Vec::new();
    let mut dim = 0;
    for chunk in images {
        let f = classifier.features(chunk);
        dim = f.dims()[1];
        let p = burn::tensor::activation::softmax(classifier.output_layer(f.clone()), 1);
        features.extend(read_f32(f).await?);
        probs.extend(read_f32(p).await?);
    }
    Ok((features, dim, probs))
}

/// Feature statistics of `count` real digits starting at `start` (the reference for FID).
pub async fn real_feature_stats(
    classifier: &Classifier,
    data: &MnistSet,
    start: usize,
    count: usize,
    device: &Device,
) -> Result<FeatureStats, EngineError> {
    let end = (start + count).min(data.len());
    let indices: Vec<usize> = (start.min(end)..end).collect();
    let chunks = indices
        .chunks(CHUNK)
        .map(|c| data.batch(c, device).0)
        .collect();
    let (features, dim, _) = judge(classifier, chunks).await?;
    FeatureStats::from_features(&features, dim)
        .ok_or_else(|| EngineError::Shape(format!("{} real digits for FID", indices.len())))
}

/// Metrics of images already generated (e.g. a `.npy` of samples), with the labels they were
/// asked to show when conditional.
pub async fn evaluate_images(
    classifier: &Classifier,
    images: Vec<Tensor<4>>,
    labels: Option<&[u8]>,
    real: &FeatureStats,
) -> Result<QualityMetrics, EngineError> {
    let (features, dim, probs) = judge(classifier, images).await?;
    Ok(QualityMetrics::compute(
        &features, dim, &probs, real, labels,
    ))
}

/// `n` samples of `generator` (inference mode) from latents seeded by `seed`, in chunks.
///
/// Conditional generators are asked for each digit (an InfoGAN's: each category) in turn
/// (0, 1, …, 9, 0, …); the labels are returned where they name digits
/// ([`Conditioning::uses_labels`]), so label accuracy is measured on a balanced request.
///
/// With a `truncation` ψ, latent values beyond ±ψ are drawn again (the gallery's truncation).
pub fn generate_samples(
    generator: &Generator,
    latent_dim: usize,
    conditioning: Conditioning,
    n: usize,
    seed: u64,
    truncation: Option<f32>,
    device: &Device,
) -> (Vec<Tensor<4>>, Option<Vec<u8>>) {
    let mut rng = crate::core::rng::seeded(seed);
    let labels: Vec<u8> = (0..n).map(|i| (i % NUM_CLASSES) as u8).collect();
    let images = (0..n)
        .step_by(CHUNK)
        .map(|start| {
            let size = CHUNK.min(n - start);
            let z = match truncation {
                None => latent_noise(&mut rng, size, latent_dim, device),
                Some(t) => {
                    let values = draw_latents(&mut rng, size, latent_dim, Some(t));
                    Tensor::<1>::from_data(TensorData::new(values, [size * latent_dim]), device)
                        .reshape([size, latent_dim])
                }
            };
            let y = conditioning
                .is_conditional()
                .then(|| label_tensor(&labels[start..start + size], device));
            generator.forward(z, y)
        })
        .collect();
    (images, conditioning.uses_labels().then_some(labels))
}

/// Metrics of `n` samples of `generator` from the fixed [`METRICS_SEED`] at truncation
/// `truncation` (see [`generate_samples`]).
#[allow(clippy::too_many_arguments)]
pub async fn evaluate_generator(
    generator: &Generator,
    classifier: &Classifier,
    real: &FeatureStats,
    latent_dim: usize,
    conditioning: Conditioning,
    n: usize,
    truncation: Option<f32>,
    device: &Device,
) -> Result<QualityMetrics, EngineError> {
    let (images, labels) = generate_samples(
        generator,
        latent_dim,
        conditioning,
        n,
        METRICS_SEED,
        truncation,
        device,
    );
    evaluate_images(classifier, images, labels.as_deref(), real).await
}

/// Metrics of `n` samples of a training run's sampling generator (the EMA one where the run
/// keeps one), as the page's Evaluate, the CLI's `metrics.json` and the learning tests judge it.
pub async fn evaluate_trainer(
    trainer: &GanTrainer,
    classifier: &Classifier,
    real: &FeatureStats,
    n: usize,
    device: &Device,
) -> Result<QualityMetrics, EngineError> {
    let architecture = &trainer.config().architecture;
    evaluate_generator(
        &trainer.sampling_generator(),
        classifier,
        real,
        architecture.latent_dim,
        architecture.conditioning,
        n,
        None,
        device,
    )
    .await
}

/// Metrics of a saved GAN, judged exactly as the run that saved it was: `n` samples of its
/// sampling generator (the EMA one where the run kept one) from [`METRICS_SEED`].
pub async fn evaluate_checkpoint(
    bytes: &[u8],
    classifier: &Classifier,
    real: &FeatureStats,
    n: usize,
    device: &Device,
) -> Result<QualityMetrics, EngineError> {
    let loaded = checkpoint::load_gan(bytes, device)?;
    let architecture = &loaded.config.architecture;
    let networks = loaded.networks;
    let generator = networks.ema_generator.unwrap_or(networks.generator);
    evaluate_generator(
        &generator.valid(),
        classifier,
        real,
        architecture.latent_dim,
        architecture.conditioning,
        n,
        None,
        device,
    )
    .await
}

/// An image panel of `images` `[n, 1, 28, 28]` in [-1, 1] with the classifier's verdict on
/// them, read back asynchronously.
pub async fn judged_panel(
    classifier: &Classifier,
    images: Tensor<4>,
    panel: Panel,
) -> Result<Event, EngineError> {
    let probs = classifier.probabilities(images.clone());
    judged_panel_of(images, probs, panel).await
}

/// An image panel of `images` `[n, 1, 28, 28]` in [-1, 1] with the classifier's class
/// probabilities `probs` `[n, 10]` of them, read back asynchronously.
pub async fn judged_panel_of(
    images: Tensor<4>,
    probs: Tensor<2>,
    panel: Panel,
) -> Result<Event, EngineError> {
    let pixels = to_bytes(&read_f32(images).await?);
    let stats = ClassStats::from_probabilities(&read_f32(probs).await?);
    Ok(Event::Panel {
        panel: Panel { pixels, ..panel },
        stats: Some(stats),
    })
}

/// Labels `[n]` as an Int tensor.
pub fn label_tensor(labels: &[u8], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = labels.iter().map(|&l| l as i64).collect();
    Tensor::from_data(TensorData::new(values, [labels.len()]), device)
}
