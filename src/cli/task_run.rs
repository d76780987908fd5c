//! What the demo subcommands (`superres`, `cycle`) share: continue a file, train for a number
//! of steps or seconds with a progress bar, write the networks and the panels.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::engine::EngineError;
use crate::engine::protocol::{Command, Event};
use crate::engine::task::Panel;

use super::common::{now_ms, progress};
use super::files::write_grid;

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

/// A demo task as the command line drives it.
pub(crate) trait CliTask {
    /// Steps taken.
    fn steps(&self) -> u64;
    /// Handles a command synchronously.
    fn command(&mut self, command: Command) -> Vec<Event>;
    /// Trains for about `ms` milliseconds.
    fn train(&mut self, ms: f64) -> Vec<Event>;
    /// Continues from a file of the task.
    fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError>;
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
pub(crate) fn resume_and_train(task: &mut impl CliTask, run: &TaskRun) -> Result<Trained> {
    if let Some(path) = &run.resume {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        task.load(&bytes)
            .with_context(|| format!("loading {}", path.display()))?;
        println!("continuing {} at step {}", path.display(), task.steps());
    }
    if run.steps == 0 {
        return Ok(Trained {
            seconds: 0.0,
            failed: None,
        });
    }
    let first = task.steps();
    let target = first + run.steps;
    task.command(Command::PauseAt(Some(target)));
    let bar = progress(run.steps);
    let start = now_ms();
    let mut failed = None;
    while task.steps() < target && failed.is_none() {
        for event in task.train(500.0) {
            if let Event::Error(e) = event {
                failed = Some(e.to_string());
            }
        }
        bar.set_position(task.steps() - first);
        if run.seconds.is_some_and(|s| now_ms() - start >= s * 1000.0) {
            break;
        }
    }
    bar.finish_and_clear();
    let taken = task.steps() - first;
    let secs = (now_ms() - start) / 1000.0;
    println!(
        "trained {taken} steps in {secs:.1} s ({:.1} steps/s; now at step {})",
        taken as f64 / secs.max(1e-9),
        task.steps()
    );
    Ok(Trained {
        seconds: secs,
        failed,
    })
}

/// Writes panels one under another as a PNG, and says what their rows are.
pub(crate) fn write_panels(path: &Path, panels: &[Panel]) -> Result<()> {
    let Some(first) = panels.first() else {
        bail!("no panels to write");
    };
    let unit: Vec<f32> = panels
        .iter()
        .flat_map(|p| p.pixels.iter().map(|&v| v as f32 / 255.0))
        .collect();
    let n = unit.len() / (first.side * first.side);
    write_grid(path, &unit, n, first.columns)?;
    let rows: Vec<String> = panels
        .iter()
        .flat_map(|p| p.row_labels.clone().unwrap_or_default())
        .collect();
    println!("wrote {} (rows: {})", path.display(), rows.join(", "));
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
