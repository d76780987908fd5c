//! `export`: a compact generator file for the gallery from a checkpoint, judged by the
//! classifier, optionally recorded as a card in the gallery's catalogue.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use clap::ValueEnum;

use crate::core::checkpoint::{Precision, load_gan, load_sampler, save_generator};
use crate::core::metrics::QualityMetrics;
use crate::core::models::Generator;
use crate::core::pretrained::{Catalogue, ModelCard, bars};
use crate::core::settings::to_setting_pairs;
use crate::core::train::TrainConfig;
use crate::engine::METRICS_SAMPLES;
use crate::engine::evaluate::evaluate_generator;

use super::common::{load_classifier, load_data, print_metrics, real_stats, yardstick};

/// Which of a run's generators to export.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Weights {
    /// The lower FID of the two.
    Best,
    /// The moving average of G.
    Ema,
    /// G as trained.
    Raw,
}

/// How to store the weights.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PrecisionArg {
    /// The smallest of q8 and f16 whose metrics are not worse than f32's beyond noise (FID +2%,
    /// KL +0.002, confidence −0.002, label accuracy −0.5 points); else f32.
    Best,
    Q8,
    F16,
    F32,
}

/// What to record in the catalogue besides the metrics.
pub(crate) struct CardInfo {
    pub manifest: Option<PathBuf>,
    pub preset: Option<String>,
    pub id: Option<String>,
    pub title: Option<String>,
    pub train_seconds: Option<f64>,
    pub trained_on: Option<String>,
    pub command: Option<String>,
    pub psi: Option<f32>,
}

struct Candidate {
    generator: Generator,
    ema: bool,
    metrics: QualityMetrics,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn export(
    from: &Path,
    out: &Path,
    weights: Weights,
    precision: PrecisionArg,
    card: CardInfo,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let device = Device::flex();
    let bytes = fs::read(from).with_context(|| format!("reading {}", from.display()))?;
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, &device)?;
    let real = real_stats(&classifier, &data, &device)?;
    let psi = card.psi;
    let judge_at =
        |g: &Generator, config: &TrainConfig, psi: Option<f32>| -> Result<QualityMetrics> {
            let a = &config.architecture;
            Ok(pollster::block_on(evaluate_generator(
                g,
                &classifier,
                &real,
                a.latent_dim,
                a.conditioning,
                METRICS_SAMPLES,
                psi,
                &device,
            ))?)
        };
    let judge = |g: &Generator, config: &TrainConfig| judge_at(g, config, psi);
    // The generators the file offers: G and its moving average from a GAN checkpoint, the one
    // generator of a generator file.
    let (config, steps, offered) = match load_gan(&bytes, &device) {
        Ok(gan) => {
            let n = gan.networks;
            let mut offered = vec![(n.generator.valid(), false)];
            offered.extend(n.ema_generator.map(|g| (g.valid(), true)));
            (gan.config, gan.steps, offered)
        }
        Err(_) => {
            let s = load_sampler(&bytes, &device)
                .with_context(|| format!("reading {}", from.display()))?;
            (s.config, s.steps, vec![(s.generator, s.ema)])
        }
    };
    let mut candidates = Vec::new();
    for (generator, ema) in offered {
        if (weights == Weights::Ema && !ema) || (weights == Weights::Raw && ema) {
            continue;
        }
        let metrics = judge(&generator, &config)?;
        print!("{} weights: ", if ema { "EMA" } else { "raw" });
        print_metrics(&metrics);
        candidates.push(Candidate {
            generator,
            ema,
            metrics,
        });
    }
    let Some(chosen) = candidates
        .into_iter()
        .min_by(|a, b| a.metrics.fid.total_cmp(&b.metrics.fid))
    else {
        bail!("{} holds no such generator", from.display());
    };
    let mut files = Vec::new();
    for p in [Precision::F32, Precision::F16, Precision::Q8] {
        let file = save_generator(&chosen.generator, &config, steps, chosen.ema, p)?;
        let reloaded = load_sampler(&file, &device)?;
        let metrics = judge(&reloaded.generator, &config)?;
        print!("{} ({} bytes): ", p.id(), file.len());
        print_metrics(&metrics);
        files.push((p, file, metrics));
    }
    let worse = |h: &QualityMetrics, f: &QualityMetrics| {
        h.fid > f.fid * 1.02
            || h.classes.kl_from_uniform > f.classes.kl_from_uniform + 0.002
            || h.classes.mean_max_prob < f.classes.mean_max_prob - 0.002
            || h.label_accuracy.unwrap_or(0.0) < f.label_accuracy.unwrap_or(0.0) - 0.005
    };
    let pick = match precision {
        PrecisionArg::F32 => 0,
        PrecisionArg::F16 => 1,
        PrecisionArg::Q8 => 2,
        PrecisionArg::Best => [2, 1]
            .into_iter()
            .find(|&i| !worse(&files[i].2, &files[0].2))
            .unwrap_or(0),
    };
    // The card compares the chosen precision with f32 (with f16 when f32 is chosen).
    let (other_p, _, other_metrics) = files[if pick == 0 { 1 } else { 0 }].clone();
    let (p, file, metrics) = files.swap_remove(pick);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::write(out, &file).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "wrote {} (step {steps}, {} weights, {}, {} bytes)",
        out.display(),
        if chosen.ema { "EMA" } else { "raw" },
        p.id(),
        file.len()
    );
    let Some(manifest) = card.manifest else {
        return Ok(());
    };
    let mut catalogue: Catalogue = match fs::read(&manifest) {
        Ok(b) => {
            serde_json::from_slice(&b).with_context(|| format!("reading {}", manifest.display()))?
        }
        Err(_) => Catalogue::default(),
    };
    let untruncated = match psi {
        Some(_) => {
            let m = judge_at(&chosen.generator, &config, None)?;
            print!("untruncated: ");
            print_metrics(&m);
            Some(m)
        }
        None => None,
    };
    let real = yardstick(&classifier, &data, &real, &device)?;
    let conditional = config.architecture.conditioning.is_conditional();
    let checks = bars(&metrics, Some(real.fid));
    for (bar, ok) in &checks {
        println!("  {} {bar}", if *ok { "pass" } else { "MISS" });
    }
    let preview = checks.iter().any(|(_, ok)| !ok);
    let id = card.id.unwrap_or_else(|| "model".into());
    let file_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{id}.bpk"));
    let entry = ModelCard {
        title: card.title.unwrap_or_else(|| id.clone()),
        id: id.clone(),
        file: file_name,
        bytes: file.len() as u64,
        preset: card.preset,
        model: config.architecture.kind.id().into(),
        conditional,
        categories: !config.architecture.conditioning.uses_labels() && conditional,
        settings: to_setting_pairs(&config),
        steps,
        train_seconds: card.train_seconds,
        trained_on: card.trained_on,
        command: card.command,
        ema: chosen.ema,
        precision: p,
        psi,
        metrics,
        untruncated,
        preview,
        other_precision: Some((other_p, other_metrics)),
    };
    catalogue.yardstick = Some(real);
    match catalogue.models.iter_mut().find(|m| m.id == id) {
        Some(m) => *m = entry,
        None => catalogue.models.push(entry),
    }
    fs::write(&manifest, serde_json::to_string_pretty(&catalogue)? + "\n")
        .with_context(|| format!("writing {}", manifest.display()))?;
    println!("recorded {id} in {}", manifest.display());
    Ok(())
}
