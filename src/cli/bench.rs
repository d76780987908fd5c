//! `bench`: milliseconds per training step of each model and backend.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use burn::prelude::*;

use crate::core::models::{ArchitectureConfig, DcganConfig, MlpGanConfig, ModelKind};
use crate::core::train::{GanTrainer, TrainConfig};

use super::common::load_data;

pub(crate) fn bench(steps: usize, data: &Path) -> Result<()> {
    let data = load_data(data)?;
    let tfjs_mlp = MlpGanConfig::new()
        .with_generator_hidden(vec![256, 512])
        .with_discriminator_hidden(vec![512, 256])
        .with_batch_norm(false);
    let models = [
        ("mlp (guide)", ArchitectureConfig::new()),
        (
            "mlp-3layer (TF.js comparison)",
            ArchitectureConfig::new().with_mlp(tfjs_mlp),
        ),
        (
            "dcgan c=32 (tab default)",
            ArchitectureConfig::new().with_kind(ModelKind::Dcgan),
        ),
        (
            "dcgan c=64 (128/64 maps)",
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_dcgan(DcganConfig::new().with_channels(64)),
        ),
    ];
    #[cfg_attr(not(feature = "native-gpu"), allow(unused_mut))]
    let mut backends = vec![("flex (native CPU)", Device::flex())];
    #[cfg(feature = "native-gpu")]
    backends.push(("wgpu (native)", Device::wgpu(DeviceKind::DefaultDevice)));
    println!("| model | backend | ms/step (batch 64, 1 D + 1 G step, stats read back) |");
    println!("|---|---|---|");
    for (name, arch) in &models {
        for (backend, device) in &backends {
            let config = TrainConfig::new().with_architecture(arch.clone());
            let mut trainer = GanTrainer::new(config, data.len(), device)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            for _ in 0..2 {
                trainer.step(&data)?.into_data();
            }
            let start = Instant::now();
            for _ in 0..steps {
                trainer.step(&data)?.into_data();
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / steps as f64;
            println!("| {name} | {backend} | {ms:.1} |");
        }
    }
    Ok(())
}
