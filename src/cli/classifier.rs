//! `train-classifier`: remakes the playground's MNIST classifier weights.

use std::fs;
use std::path::Path;

use anyhow::{Result, bail};
use burn::prelude::*;

use crate::core::checkpoint;
use crate::core::classifier::ClassifierConfig;
use crate::core::metrics::accuracy;
use crate::core::train::ClassifierTrainer;

use super::common::{load_data, progress};

pub(crate) fn train_classifier(steps: usize, seed: u64, out: &Path, data: &Path) -> Result<()> {
    let (train_set, test_set) = load_data(data)?.split(8000)?;
    let device = Device::flex();
    let mut trainer = ClassifierTrainer::new(
        &ClassifierConfig::new(),
        train_set.len(),
        1e-3,
        seed,
        &device,
    );
    let bar = progress(steps as u64);
    for i in 0..steps {
        let loss = trainer.step(&train_set, 64);
        if i % 50 == 0 {
            bar.set_message(format!("loss {:.4}", loss.into_scalar::<f32>()));
        }
        bar.inc(1);
    }
    bar.finish();
    let model = trainer.model();
    let mut scores = Vec::new();
    let indices: Vec<usize> = (0..test_set.len()).collect();
    for chunk in indices.chunks(500) {
        let (images, _) = test_set.batch(chunk, &device);
        scores.extend(
            model
                .forward(images)
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
    }
    let acc = accuracy(&scores, test_set.labels());
    println!(
        "held-out accuracy on {} digits: {:.2}%",
        test_set.len(),
        acc * 100.0
    );
    if acc < 0.97 {
        bail!(
            "accuracy {:.2}% is below the 97% the playground needs; weights not written",
            acc * 100.0
        );
    }
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(out, checkpoint::save_classifier(&model)?)?;
    println!("wrote {}", out.display());
    Ok(())
}
