//! `superres`: trains (or continues, or only scores) the super-resolution demo's upscaler and
//! reports PSNR and SSIM against bicubic upsampling on the held-out digits.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::pretrained::SrCard;
use crate::core::settings::to_setting_pairs;
use crate::core::superres::{Fidelity, SrConfig};
use crate::engine::protocol::{Command, Event};
use crate::engine::superres::{HELD_OUT, SuperRes};

use super::common::{load_data, now_ms, progress};
use super::files::write_grid;

/// What a `superres` run does.
pub(crate) struct SrRun {
    /// Settings of a fresh run (ignored with `resume`).
    pub config: SrConfig,
    /// A super-resolution file to continue (its settings are used).
    pub resume: Option<PathBuf>,
    /// Steps to train (0: only score).
    pub steps: u64,
    /// Stop after this many seconds of training, if sooner.
    pub seconds: Option<f64>,
    /// Where to write the networks (`.bpk`).
    pub out: Option<PathBuf>,
    /// Where to write the held-out panel as a PNG.
    pub grid: Option<PathBuf>,
    /// Where to write the card the page shows (with `out`): how it was trained, its scores.
    pub card: Option<PathBuf>,
    /// Where it trains, for the card.
    pub trained_on: String,
}

pub(crate) fn superres(run: SrRun, device: &Device, data: &Path) -> Result<()> {
    let digits = load_data(data)?;
    let mut task =
        SuperRes::new(device, &digits, run.config, now_ms).map_err(anyhow::Error::msg)?;
    if let Some(path) = &run.resume {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        task.load(&bytes)
            .with_context(|| format!("loading {}", path.display()))?;
        println!(
            "continuing {} at step {}",
            path.display(),
            task.trainer().steps()
        );
    }
    let first = task.trainer().steps();
    let mut train_seconds = 0.0;
    if run.steps > 0 {
        let target = first + run.steps;
        pollster::block_on(task.handle(Command::PauseAt(Some(target))));
        let bar = progress(run.steps);
        let start = now_ms();
        while task.trainer().steps() < target {
            for event in pollster::block_on(task.train_for(500.0)) {
                if let Event::Error(e) = event {
                    bail!("training stopped: {e}");
                }
            }
            bar.set_position(task.trainer().steps() - first);
            if run.seconds.is_some_and(|s| now_ms() - start >= s * 1000.0) {
                break;
            }
        }
        bar.finish_and_clear();
        let taken = task.trainer().steps() - first;
        let secs = (now_ms() - start) / 1000.0;
        train_seconds = secs;
        println!(
            "trained {taken} steps in {secs:.1} s ({:.1} steps/s; now at step {})",
            taken as f64 / secs.max(1e-9),
            task.trainer().steps()
        );
    }
    let table = pollster::block_on(task.scores())?;
    println!(
        "{}: the last {HELD_OUT} digits of the data file, never trained on",
        table.title
    );
    println!(
        "  {:<12} {:>10} {:>8}",
        "", table.columns[0], table.columns[1]
    );
    for (name, values) in &table.rows {
        println!("  {name:<12} {:>10.2} {:>8.4}", values[0], values[1]);
    }
    if let Some(out) = &run.out {
        fs::write(out, task.checkpoint()?).with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    if let Some(card_path) = &run.card {
        let Some(out) = &run.out else {
            bail!("--card describes the file --out writes; give both");
        };
        let file = out
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mean = |i: usize| Fidelity {
            psnr: table.rows[i].1[0],
            ssim: table.rows[i].1[1],
        };
        let config = task.trainer().config();
        let card = SrCard {
            title: format!("SRGAN-style upscaler ×{}", config.factor),
            file,
            bytes: fs::metadata(out)?.len(),
            settings: to_setting_pairs(config),
            steps: task.trainer().steps(),
            train_seconds,
            trained_on: run.trained_on.clone(),
            command: std::iter::once("gan-playground".to_string())
                .chain(std::env::args().skip(1).map(shell_word))
                .collect::<Vec<_>>()
                .join(" "),
            held_out: HELD_OUT,
            model: mean(0),
            bicubic: mean(1),
        };
        fs::write(card_path, serde_json::to_string_pretty(&card)? + "\n")
            .with_context(|| format!("writing {}", card_path.display()))?;
        println!("wrote {}", card_path.display());
    }
    if let Some(grid) = &run.grid {
        let panel = pollster::block_on(task.panel())?;
        let unit: Vec<f32> = panel.pixels.iter().map(|&p| p as f32 / 255.0).collect();
        let n = unit.len() / (panel.side * panel.side);
        write_grid(grid, &unit, n, panel.columns)?;
        println!(
            "wrote {} (rows: {})",
            grid.display(),
            panel.row_labels.unwrap_or_default().join(", ")
        );
    }
    Ok(())
}

/// `arg` as a shell word: quoted when it holds spaces or quotes.
fn shell_word(arg: String) -> String {
    if !arg.contains([' ', '\'', '"', '$', '`', '\\']) {
        arg
    } else if !arg.contains(['"', '$', '`', '\\']) {
        format!("\"{arg}\"")
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}
