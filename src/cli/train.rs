//! `train`: a run from a preset and overrides, with samples, losses, metrics and a checkpoint.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use burn::prelude::*;

use crate::core::checkpoint::load_gan;
use crate::core::data::IMAGE_PIXELS;
use crate::engine::{Engine, StepRecord};

use super::args::{Start, field_errors};
use super::common::{
    generate, judge, load_classifier, load_data, now_ms, print_metrics, progress, read_back,
    real_stats,
};
use super::files::{write_grid, write_labels, write_npy};

#[allow(clippy::too_many_arguments)] // one per command-line option
pub(crate) fn train(
    start: Start,
    steps: u64,
    seconds: Option<f64>,
    samples: usize,
    out: &Path,
    device: &Device,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let data = Arc::new(load_data(data)?);
    let classifier = load_classifier(classifier, device)?;
    let real = real_stats(&classifier, &data, device)?;
    let mut engine = match start {
        Start::Fresh(config) => {
            Engine::new(device, data, classifier.clone(), config, now_ms).map_err(field_errors)?
        }
        Start::Resume(bytes, path) => {
            let config = load_gan(&bytes, device)
                .with_context(|| format!("reading {}", path.display()))?
                .config;
            let mut engine = Engine::new(device, data, classifier.clone(), config, now_ms)
                .map_err(field_errors)?;
            engine
                .load_checkpoint(&bytes)
                .with_context(|| format!("resuming {}", path.display()))?;
            println!(
                "resuming {} at step {}",
                path.display(),
                engine.trainer().steps()
            );
            engine
        }
    };
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    // The GAN task's series: D loss, G loss, D(x), D(G(z)); a resumed run's earlier steps first.
    let mut csv = String::from("step,d_loss,g_loss,d_real,d_fake\n");
    let mut row = |r: &StepRecord| -> Result<[f32; 4]> {
        let [d_loss, g_loss, d_real, d_fake] = r.values[..] else {
            anyhow::bail!("step {}: {} statistics, expected 4", r.step, r.values.len());
        };
        csv.push_str(&format!("{},{d_loss},{g_loss},{d_real},{d_fake}\n", r.step));
        Ok([d_loss, g_loss, d_real, d_fake])
    };
    for r in engine.history() {
        row(&r)?;
    }
    let bar = progress(steps);
    let started = now_ms();
    let mut taken = 0u64;
    for _ in 0..steps {
        if seconds.is_some_and(|s| now_ms() - started >= s * 1000.0) {
            break;
        }
        taken += 1;
        let r = pollster::block_on(engine.step_once())?;
        let [d_loss, g_loss, d_real, d_fake] = row(&r)?;
        bar.set_message(format!(
            "D {d_loss:.3} G {g_loss:.3} D(x) {d_real:.2} D(G(z)) {d_fake:.2}"
        ));
        bar.inc(1);
    }
    bar.finish();
    println!(
        "trained {taken} steps in {:.1} s (now at step {})",
        (now_ms() - started) / 1000.0,
        engine.trainer().steps()
    );
    fs::write(out.join("losses.csv"), csv)?;
    fs::write(out.join("checkpoint.bpk"), engine.checkpoint()?)?;

    let (chunks, labels) = generate(engine.trainer(), samples, device);
    let mut pixels = Vec::with_capacity(samples * IMAGE_PIXELS);
    for images in chunks {
        pixels.extend(read_back(images)?);
    }
    let metrics = judge(engine.trainer(), &classifier, &real, device)?;
    let unit: Vec<f32> = pixels.iter().map(|v| (v + 1.0) / 2.0).collect();
    write_npy(&out.join("samples.npy"), &unit, samples)?;
    if let Some(labels) = &labels {
        write_labels(&out.join("labels.npy"), labels)?;
    }
    write_grid(
        &out.join("samples.png"),
        &unit,
        samples.min(80),
        if labels.is_some() { 10 } else { 8 },
    )?;
    fs::write(
        out.join("metrics.json"),
        serde_json::to_string_pretty(&metrics)?,
    )?;
    print_metrics(&metrics);
    println!(
        "wrote {}/{{losses.csv,checkpoint.bpk,samples.npy,samples.png,metrics.json}}",
        out.display()
    );
    Ok(())
}
