//! What the demo subcommands (`superres`, `cycle`) share: continue a file, train for a number
//! of steps or seconds with a progress bar, write the networks and the panels.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::engine::demo::{Demo, DemoModel};
use crate::engine::protocol::{Command, Event};
use crate::engine::task::{Panel, ScoreTable};

use super::common::{now_ms, progress};

/// What a demo subcommand run does besides its task's settings.
pub(crate) struct TaskRun {
    /// A file of the task to continue (its settings are used).
    pub resume: Option<PathBuf>,
    /// Steps to train (0: only score).
    pub steps: u64,
    /// Stop after this many seconds of training, if sooner.
    pub seconds: Option<f64>,
    /// Where to write the networks (`.bpk`).
    pub out: Option<PathBuf>,
    /// Where to write the panels as a PNG.
    pub grid: Option<PathBuf>,
    /// Where to write the card the page shows (with `out`).
    pub card: Option<PathBuf>,
    /// Where it trains, for the card.
    pub trained_on: String,
}

/// How training went.
pub(crate) struct Trained {
    /// Seconds spent training.
    pub seconds: f64,
    /// Why training stopped early, if it failed (what was trained can still be written).
    pub failed: Option<String>,
}

impl Trained {
    /// An error if training failed, after the caller has written what it trained.
    pub fn check(&self) -> Result<()> {
        match &self.failed {
            Some(e) => bail!("training stopped: {e} (what was trained up to then is written)"),
            None => Ok(()),
        }
    }
}

/// Continues `run.resume` (if given), then trains `run.steps` steps (or `run.seconds`).
pub(crate) fn resume_and_train<M: DemoModel>(task: &mut Demo<M>, run: &TaskRun) -> Result<Trained> {
    if let Some(path) = &run.resume {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        task.model
            .load(&bytes)
            .with_context(|| format!("loading {}", path.display()))?;
        println!(
            "continuing {} at step {}",
            path.display(),
            task.model.steps()
        );
    }
    if run.steps == 0 {
        return Ok(Trained {
            seconds: 0.0,
            failed: None,
        });
    }
    let first = task.model.steps();
    let target = first + run.steps;
    pollster::block_on(task.handle(Command::PauseAt(Some(target))));
    let bar = progress(run.steps);
    let start = now_ms();
    let mut failed = None;
    while task.model.steps() < target && failed.is_none() {
        for event in pollster::block_on(task.train_for(500.0)) {
            if let Event::Error(e) = event {
                failed = Some(e.to_string());
            }
        }
        bar.set_position(task.model.steps() - first);
        if run.seconds.is_some_and(|s| now_ms() - start >= s * 1000.0) {
            break;
        }
    }
    bar.finish_and_clear();
    let taken = task.model.steps() - first;
    let secs = (now_ms() - start) / 1000.0;
    println!(
        "trained {taken} steps in {secs:.1} s ({:.1} steps/s; now at step {})",
        taken as f64 / secs.max(1e-9),
        task.model.steps()
    );
    Ok(Trained {
        seconds: secs,
        failed,
    })
}

/// Writes panels one under another as a PNG (RGB if any panel is), and says what their rows
/// are.
pub(crate) fn write_panels(path: &Path, panels: &[Panel]) -> Result<()> {
    let Some(first) = panels.first() else {
        bail!("no panels to write");
    };
    let (side, cols) = (first.side, first.columns.max(1));
    // Every image as RGB bytes.
    let images: Vec<&[u8]> = panels
        .iter()
        .flat_map(|p| p.pixels.chunks_exact(side * side * p.channels.max(1)))
        .collect();
    let rows = images.len().div_ceil(cols);
    let mut img = image::RgbImage::new((cols * side) as u32, (rows * side) as u32);
    for (i, pixels) in images.iter().enumerate() {
        let channels = pixels.len() / (side * side);
        let (gx, gy) = ((i % cols) * side, (i / cols) * side);
        for q in 0..side * side {
            let rgb = if channels == 3 {
                [pixels[3 * q], pixels[3 * q + 1], pixels[3 * q + 2]]
            } else {
                [pixels[q]; 3]
            };
            img.put_pixel(
                (gx + q % side) as u32,
                (gy + q / side) as u32,
                image::Rgb(rgb),
            );
        }
    }
    img.save(path)
        .with_context(|| format!("writing {}", path.display()))?;
    let rows: Vec<String> = panels
        .iter()
        .flat_map(|p| p.row_labels.clone().unwrap_or_default())
        .collect();
    println!("wrote {} (rows: {})", path.display(), rows.join(", "));
    Ok(())
}

/// Prints a PSNR/SSIM score table (`held`: which images it scored).
pub(crate) fn print_fidelity(table: &ScoreTable, held: &str) {
    println!("{}: {held}", table.title);
    println!(
        "  {:<16} {:>10} {:>8}",
        "", table.columns[0], table.columns[1]
    );
    for (name, values) in &table.rows {
        println!("  {name:<16} {:>10.2} {:>8.4}", values[0], values[1]);
    }
}

/// Writes the demo's networks to `out`, when given.
pub(crate) fn write_networks<M: DemoModel>(task: &Demo<M>, out: Option<&Path>) -> Result<()> {
    if let Some(out) = out {
        fs::write(out, task.model.checkpoint()?)
            .with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// The file name `out` ends in, for a card.
pub(crate) fn file_name(out: &Path) -> String {
    out.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// This process's command line, as a user would type it.
pub(crate) fn command_line() -> String {
    std::iter::once("gan-playground".to_string())
        .chain(std::env::args().skip(1).map(shell_word))
        .collect::<Vec<_>>()
        .join(" ")
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
