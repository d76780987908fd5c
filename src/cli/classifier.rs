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
use super::domains::read_fonts;
use crate::core::domains::Typefaces;

/// Typeset digits to add to the classifier's training and test sets, and the fonts to draw them.
pub(crate) struct Typeset<'a> {
    /// Typeset digits added to the training set (its test set gets a quarter as many, drawn with
    /// another seed).
    pub count: usize,
    /// The font folder.
    pub fonts: &'a Path,
}

pub(crate) fn train_classifier(
    steps: usize,
    seed: u64,
    out: &Path,
    data: &Path,
    typeset: Option<Typeset<'_>>,
) -> Result<()> {
    let (train_set, test_set) = load_data(data)?.split(8000)?;
    // With typeset digits: train on both domains, test on each.
    let (train_set, typeset_test) = match typeset {
        Some(t) if t.count > 0 => {
            let (_, fonts) = read_fonts(t.fonts)?;
            let faces = Typefaces::new(&fonts)?;
            let extra = faces.digits(t.count, seed.wrapping_add(1000))?;
            let test = faces.digits((t.count / 4).max(1), seed.wrapping_add(2000))?;
            (train_set.join(&extra), Some(test))
        }
        _ => (train_set, None),
    };
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
    let judge = |set: &crate::core::data::MnistSet| -> Result<f32> {
        let mut scores = Vec::new();
        let indices: Vec<usize> = (0..set.len()).collect();
        for chunk in indices.chunks(500) {
            let (images, _) = set.batch(chunk, &device);
            scores.extend(
                model
                    .forward(images)
                    .into_data()
                    .try_into_vec_as::<f32>()
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            );
        }
        Ok(accuracy(&scores, set.labels()))
    };
    let mut sets = vec![("held-out MNIST", judge(&test_set)?, test_set.len())];
    if let Some(t) = &typeset_test {
        sets.push(("held-out typeset", judge(t)?, t.len()));
    }
    for (name, acc, n) in &sets {
        println!("accuracy on {n} {name} digits: {:.2}%", acc * 100.0);
    }
    if let Some((name, acc, _)) = sets.iter().find(|(_, acc, _)| *acc < 0.97) {
        bail!(
            "accuracy {:.2}% on {name} digits is below the 97% the playground needs; weights not written",
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
