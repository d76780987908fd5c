//! `zoo`: every preset trained with one seed, tabulated at several step counts.

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::presets::Preset;
use crate::core::train::GanTrainer;
use crate::engine::evaluate::evaluate_images;

use super::args::field_errors;
use super::common::{judge, load_classifier, load_data, progress, real_stats};

pub(crate) const ZOO_START: &str = "<!-- zoo-table:start -->";
pub(crate) const ZOO_END: &str = "<!-- zoo-table:end -->";

pub(crate) fn zoo(
    steps: &[u64],
    presets: &[String],
    seed: u64,
    write: Option<&Path>,
    device: &Device,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let chosen: Vec<Preset> = if presets.is_empty() {
        Preset::ALL.to_vec()
    } else {
        presets
            .iter()
            .map(|p| Preset::from_id(p).with_context(|| format!("unknown preset '{p}'")))
            .collect::<Result<_>>()?
    };
    if steps.is_empty() || steps.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--steps must be ascending, e.g. 500,1000,2000");
    }
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, device)?;
    let real = real_stats(&classifier, &data, device)?;
    let mut table = String::from(
        "| preset | steps | FID (classifier features) ↓ | IS analogue ↑ | classes | class KL ↓ | mean max-prob ↑ | label acc. | train time |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    // The yardstick: 1,000 real training digits scored like the samples.
    let real_images = (0..1000usize)
        .collect::<Vec<_>>()
        .chunks(250)
        .map(|c| data.batch(c, device).0)
        .collect();
    let labels: Vec<u8> = data.labels()[..1000].to_vec();
    let m = pollster::block_on(evaluate_images(
        &classifier,
        real_images,
        Some(&labels),
        &real,
    ))?;
    table.push_str(&format!(
        "| real digits (1,000 training images) | — | {:.2} | {:.2} | {}/10 | {:.3} | {:.3} | {:.1}% | — |\n",
        m.fid,
        m.inception_score,
        m.classes.classes_covered,
        m.classes.kl_from_uniform,
        m.classes.mean_max_prob,
        m.label_accuracy.unwrap_or(0.0) * 100.0
    ));
    println!("{}", table.trim_end());
    for preset in chosen {
        let config = preset.config().with_seed(seed);
        let mut trainer = GanTrainer::new(config, data.len(), device).map_err(field_errors)?;
        let bar = progress(*steps.last().unwrap_or(&0));
        bar.set_message(preset.id());
        let mut train_secs = 0.0;
        for &target in steps {
            let start = Instant::now();
            while trainer.steps() < target {
                trainer.step(&data)?.into_data();
                bar.inc(1);
            }
            train_secs += start.elapsed().as_secs_f64();
            let m = judge(&trainer, &classifier, &real, device)?;
            let row = format!(
                "| {} | {} | {:.2} | {:.2} | {}/10 | {:.3} | {:.3} | {} | {:.0} s |\n",
                preset.label(),
                target,
                m.fid,
                m.inception_score,
                m.classes.classes_covered,
                m.classes.kl_from_uniform,
                m.classes.mean_max_prob,
                m.label_accuracy
                    .map(|a| format!("{:.1}%", a * 100.0))
                    .unwrap_or_else(|| "—".into()),
                train_secs
            );
            bar.suspend(|| println!("{}", row.trim_end()));
            table.push_str(&row);
        }
        bar.finish_and_clear();
    }
    println!("{table}");
    if let Some(path) = write {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let (Some(a), Some(b)) = (text.find(ZOO_START), text.find(ZOO_END)) else {
            bail!("{} has no {ZOO_START} … {ZOO_END} markers", path.display());
        };
        let updated = format!("{}{ZOO_START}\n{table}{}", &text[..a], &text[b..]);
        fs::write(path, updated).with_context(|| format!("writing {}", path.display()))?;
        println!("updated {}", path.display());
    }
    Ok(())
}
