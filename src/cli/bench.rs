//! `bench`: milliseconds per training step of each model, batch size and backend.
//!
//! The model ids are shared with the in-browser bench (`tests/browser/bench.mjs`), which reads
//! the `--json` output and sets the same architectures in the page.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use serde::Serialize;

use crate::core::models::{ArchitectureConfig, DcganConfig, MlpGanConfig, ModelKind};
use crate::core::train::{GanTrainer, TrainConfig};

use super::common::load_data;

/// What `bench` was asked to time.
pub(crate) struct BenchArgs<'a> {
    pub steps: usize,
    pub data: &'a Path,
    /// Model ids to time (all when empty).
    pub models: &'a [String],
    pub batches: &'a [usize],
    pub json: Option<&'a Path>,
}

/// One figure of the JSON output.
#[derive(Serialize)]
struct Figure<'a> {
    model: &'a str,
    backend: &'a str,
    batch: usize,
    /// The CPU threads the backend may use (`RAYON_NUM_THREADS`, else the machine's cores).
    threads: usize,
    ms_per_step: f64,
}

/// The benchmark models: id, description and architecture.
fn models() -> Vec<(&'static str, &'static str, ArchitectureConfig)> {
    let dcgan = |channels| {
        ArchitectureConfig::new()
            .with_kind(ModelKind::Dcgan)
            .with_dcgan(DcganConfig::new().with_channels(channels))
    };
    vec![
        (
            "mlp-3layer",
            "MLP, TF.js comparison (G 100→256→512→784, D 784→512→256→1)",
            ArchitectureConfig::new().with_mlp(
                MlpGanConfig::new()
                    .with_generator_hidden(vec![256, 512])
                    .with_discriminator_hidden(vec![512, 256])
                    .with_batch_norm(false),
            ),
        ),
        (
            "mlp",
            "MLP, the guides' (G 100→128→256→512→1024→784 + BN)",
            ArchitectureConfig::new(),
        ),
        ("dcgan-16", "DCGAN, channels 16 (32/16 maps)", dcgan(16)),
        (
            "dcgan-32",
            "DCGAN, channels 32 (the tab's default)",
            dcgan(32),
        ),
        ("dcgan-64", "DCGAN, channels 64 (128/64 maps)", dcgan(64)),
    ]
}

fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
}

pub(crate) fn bench(args: &BenchArgs) -> Result<()> {
    let data = load_data(args.data)?;
    let all = models();
    if let Some(unknown) = args
        .models
        .iter()
        .find(|m| !all.iter().any(|(id, ..)| id == m))
    {
        let ids: Vec<_> = all.iter().map(|(id, ..)| *id).collect();
        bail!(
            "no bench model {unknown:?}; the models are {}",
            ids.join(", ")
        );
    }
    if args.steps == 0 || args.batches.contains(&0) {
        bail!("--steps and every --batches value must be at least 1");
    }
    #[cfg_attr(not(feature = "native-gpu"), allow(unused_mut))]
    let mut backends = vec![("flex", Device::flex())];
    #[cfg(feature = "native-gpu")]
    backends.push(("wgpu", Device::wgpu(DeviceKind::DefaultDevice)));
    let threads = threads();
    let mut figures = Vec::new();
    println!("| model | backend | batch | threads | ms/step (1 D + 1 G step, stats read back) |");
    println!("|---|---|---|---|---|");
    for (id, about, arch) in all
        .iter()
        .filter(|(id, ..)| args.models.is_empty() || args.models.iter().any(|m| m == id))
    {
        for &batch in args.batches {
            for (backend, device) in &backends {
                let config = TrainConfig::new()
                    .with_architecture(arch.clone())
                    .with_batch_size(batch);
                let mut trainer = GanTrainer::new(config, data.len(), device)
                    .map_err(|e| anyhow::anyhow!("{id}: {e:?}"))?;
                for _ in 0..2 {
                    trainer.step(&data)?.into_data();
                }
                let start = Instant::now();
                for _ in 0..args.steps {
                    trainer.step(&data)?.into_data();
                }
                let ms = start.elapsed().as_secs_f64() * 1000.0 / args.steps as f64;
                println!("| {id} ({about}) | {backend} | {batch} | {threads} | {ms:.1} |");
                figures.push(Figure {
                    model: id,
                    backend,
                    batch,
                    threads,
                    ms_per_step: ms,
                });
            }
        }
    }
    if let Some(path) = args.json {
        let text = serde_json::to_string_pretty(&figures)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
