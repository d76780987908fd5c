//! `eval`: the metrics of a checkpoint or of a `.npy` of samples.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::checkpoint::load_sampler;
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::engine::evaluate::{evaluate_checkpoint, evaluate_images, generate_samples};

use super::common::{load_classifier, load_data, print_metrics, real_stats};
use super::files::{read_labels, read_samples};

pub(crate) fn eval(
    checkpoint_path: Option<PathBuf>,
    samples: Option<PathBuf>,
    labels: Option<PathBuf>,
    count: usize,
    seeds: &[u64],
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let device = Device::flex();
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, &device)?;
    let real = real_stats(&classifier, &data, &device)?;
    let metrics = match (checkpoint_path, samples) {
        (Some(path), _) if !seeds.is_empty() => {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let model = load_sampler(&bytes, &device)
                .with_context(|| format!("reading {}", path.display()))?;
            let a = &model.config.architecture;
            let mut fids = Vec::new();
            let mut last = None;
            for &seed in seeds {
                let (images, labels) = generate_samples(
                    &model.generator,
                    a.latent_dim,
                    a.conditioning,
                    count,
                    seed,
                    None,
                    &device,
                );
                let m = pollster::block_on(evaluate_images(
                    &classifier,
                    images,
                    labels.as_deref(),
                    &real,
                ))?;
                print!("seed {seed}: ");
                print_metrics(&m);
                fids.push(m.fid);
                last = Some(m);
            }
            let n = fids.len() as f64;
            let mean = fids.iter().sum::<f64>() / n;
            let sd =
                (fids.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            let (lo, hi) = fids
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &f| {
                    (l.min(f), h.max(f))
                });
            println!(
                "FID over {} sample seeds: mean {mean:.2}, sd {sd:.2}, range {lo:.2}–{hi:.2}",
                fids.len()
            );
            last.unwrap_or_default()
        }
        (Some(path), _) => {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            pollster::block_on(evaluate_checkpoint(
                &bytes,
                &classifier,
                &real,
                count,
                &device,
            ))
            .with_context(|| format!("evaluating {}", path.display()))?
        }
        (None, Some(path)) => {
            let images = read_samples(&path)?;
            let labels = labels.as_deref().map(read_labels).transpose()?;
            if let Some(l) = labels
                .as_ref()
                .filter(|l| l.len() != images.len() / IMAGE_PIXELS)
            {
                bail!(
                    "{} labels for {} samples",
                    l.len(),
                    images.len() / IMAGE_PIXELS
                );
            }
            let chunks = images
                .chunks(250 * IMAGE_PIXELS)
                .map(|c| {
                    let n = c.len() / IMAGE_PIXELS;
                    let scaled: Vec<f32> = c.iter().map(|v| v * 2.0 - 1.0).collect();
                    Tensor::<1>::from_data(TensorData::new(scaled, [c.len()]), &device)
                        .reshape([n, 1, IMAGE_SIDE, IMAGE_SIDE])
                })
                .collect();
            pollster::block_on(evaluate_images(
                &classifier,
                chunks,
                labels.as_deref(),
                &real,
            ))?
        }
        (None, None) => bail!("give --checkpoint FILE or --samples FILE"),
    };
    print_metrics(&metrics);
    println!("{}", serde_json::to_string_pretty(&metrics)?);
    Ok(())
}
