//! `zoo`: every preset trained with one seed, tabulated at several step counts or after several
//! budgets of training time (quality per second), with the sample grids at each.

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::presets::Preset;
use crate::core::settings::parse_texts;
use crate::core::train::GanTrainer;

use super::args::field_errors;
use super::common::{
    generate, judge, load_classifier, load_data, progress, read_back, real_stats, yardstick,
};
use super::files::write_grid;

pub(crate) const ZOO_START: &str = "<!-- zoo-table:start -->";
pub(crate) const ZOO_END: &str = "<!-- zoo-table:end -->";
const TIME_START: &str = "<!-- quality-per-time:start -->";
const TIME_END: &str = "<!-- quality-per-time:end -->";

/// When a preset's run is judged.
pub(crate) enum Checkpoints {
    /// After these step counts.
    Steps(Vec<u64>),
    /// After these seconds of training (evaluation time not counted).
    Seconds(Vec<f64>),
}

impl Checkpoints {
    fn len(&self) -> usize {
        match self {
            Checkpoints::Steps(v) => v.len(),
            Checkpoints::Seconds(v) => v.len(),
        }
    }

    fn ascending(&self) -> bool {
        match self {
            Checkpoints::Steps(v) => v.windows(2).all(|w| w[0] < w[1]),
            Checkpoints::Seconds(v) => {
                v.windows(2).all(|w| w[0] < w[1]) && v.iter().all(|s| *s > 0.0)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)] // one per command-line option
pub(crate) fn zoo(
    checkpoints: &Checkpoints,
    presets: &[String],
    overrides: &[String],
    seed: u64,
    write: Option<&Path>,
    grids: Option<&Path>,
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
    let pairs = overrides
        .iter()
        .map(|o| {
            o.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .with_context(|| {
                    format!("--set {o}: expected SETTING=VALUE, e.g. upsampling=nearest")
                })
        })
        .collect::<Result<Vec<_>>>()?;
    // Each row and grid names the variant: "DCGAN + non-saturating (upsampling=nearest)".
    let variant = if overrides.is_empty() {
        String::new()
    } else {
        format!(" ({})", overrides.join(", "))
    };
    let suffix: String = pairs.iter().map(|(k, v)| format!("+{k}={v}")).collect();
    if checkpoints.len() == 0 || !checkpoints.ascending() {
        bail!("--steps or --seconds must be ascending, e.g. 500,1000,2000 or 30,60,300");
    }
    if let Some(dir) = grids {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, device)?;
    let real = real_stats(&classifier, &data, device)?;
    let mut table = String::from(
        "| preset | steps | FID (classifier features) ↓ | IS analogue ↑ | classes | class KL ↓ | mean max-prob ↑ | label acc. | train time |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let m = yardstick(&classifier, &data, &real, device)?;
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
        let config = parse_texts(&preset.config(), pairs.iter().copied())
            .map_err(field_errors)?
            .with_seed(seed);
        let mut trainer = GanTrainer::new(config, data.len(), device).map_err(field_errors)?;
        let bar = match checkpoints {
            Checkpoints::Steps(steps) => progress(*steps.last().unwrap_or(&0)),
            Checkpoints::Seconds(_) => progress(0),
        };
        bar.set_message(format!("{}{suffix}", preset.id()));
        let mut train_secs = 0.0;
        for i in 0..checkpoints.len() {
            let start = Instant::now();
            let (label, name) = match checkpoints {
                Checkpoints::Steps(steps) => {
                    while trainer.steps() < steps[i] {
                        trainer.step(&data)?.into_data();
                        bar.inc(1);
                    }
                    train_secs += start.elapsed().as_secs_f64();
                    (steps[i].to_string(), format!("step{}", steps[i]))
                }
                Checkpoints::Seconds(seconds) => {
                    let already = train_secs;
                    while already + start.elapsed().as_secs_f64() < seconds[i] {
                        trainer.step(&data)?.into_data();
                        bar.inc(1);
                    }
                    train_secs += start.elapsed().as_secs_f64();
                    (trainer.steps().to_string(), format!("{}s", seconds[i]))
                }
            };
            let m = judge(&trainer, &classifier, &real, device)?;
            if let Some(dir) = grids {
                let conditional = trainer.config().architecture.conditioning.is_conditional();
                let (chunks, _) = generate(&trainer, 80, device);
                let mut pixels = Vec::new();
                for images in chunks {
                    pixels.extend(read_back(images)?);
                }
                let unit: Vec<f32> = pixels.iter().map(|v| (v + 1.0) / 2.0).collect();
                let path = dir.join(format!("{}{suffix}-{name}.png", preset.id()));
                write_grid(&path, &unit, 80, if conditional { 10 } else { 8 })?;
            }
            let row = format!(
                "| {}{variant} | {} | {:.2} | {:.2} | {}/10 | {:.3} | {:.3} | {} | {:.0} s |\n",
                preset.label(),
                label,
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
        let (start, end) = match checkpoints {
            Checkpoints::Steps(_) => (ZOO_START, ZOO_END),
            Checkpoints::Seconds(_) => (TIME_START, TIME_END),
        };
        let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
            bail!("{} has no {start} … {end} markers", path.display());
        };
        let updated = format!("{}{start}\n{table}{}", &text[..a], &text[b..]);
        fs::write(path, updated).with_context(|| format!("writing {}", path.display()))?;
        println!("updated {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_must_ascend() {
        assert!(Checkpoints::Steps(vec![500, 1000]).ascending());
        assert!(!Checkpoints::Steps(vec![1000, 500]).ascending());
        assert!(Checkpoints::Seconds(vec![30.0, 60.0, 300.0]).ascending());
        assert!(!Checkpoints::Seconds(vec![60.0, 30.0]).ascending());
        assert!(
            !Checkpoints::Seconds(vec![0.0, 30.0]).ascending(),
            "a zero budget"
        );
        assert_eq!(Checkpoints::Seconds(Vec::new()).len(), 0);
    }
}
