//! Tasks: what a view runs in the worker. A task is started by id with its settings, reports
//! *named* scalar series (one value of each per step) drawn on the charts it describes, and
//! *named* image panels; views draw whatever a task reports.
//!
//! Adding a task: a type implementing [`Task`], and one entry in [`TASKS`] with the function
//! that starts it (fetching the shared assets it needs through [`AssetSource`]).

use std::sync::Arc;

use burn::prelude::*;
use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use super::protocol::{Command, ErrorKind, Event, WorkerError};
use crate::core::classifier::Classifier;
use crate::core::data::MnistSet;
use crate::core::settings::SettingPairs;

/// The shared assets a task may need, fetched once by the host (the worker over HTTP, the CLI
/// from files) when a task first asks.
pub trait AssetSource {
    /// The MNIST digits.
    fn digits(&mut self) -> LocalBoxFuture<'_, Result<Arc<MnistSet>, String>>;
    /// The MNIST classifier, on `device`.
    fn classifier<'a>(
        &'a mut self,
        device: &'a Device,
    ) -> LocalBoxFuture<'a, Result<Classifier, String>>;
    /// Another shipped file, by its path under the site root (e.g. `data/fonts/…`).
    fn file<'a>(&'a mut self, path: &'a str) -> LocalBoxFuture<'a, Result<Vec<u8>, String>>;
}

/// A running task: answers commands with events, and may work on its own between them.
pub trait Task {
    /// Events describing its state after start-up.
    fn announce(&mut self) -> LocalBoxFuture<'_, Vec<Event>>;
    /// Handles one command (fetching assets it needs through `assets`).
    fn handle<'a>(
        &'a mut self,
        command: Command,
        assets: &'a mut dyn AssetSource,
    ) -> LocalBoxFuture<'a, Vec<Event>>;
    /// Whether it works continuously (then the host calls [`Task::tick`] in a loop).
    fn is_running(&self) -> bool {
        false
    }
    /// One slice of continuous work (fetching assets it needs through `assets`).
    fn tick<'a>(&'a mut self, _assets: &'a mut dyn AssetSource) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(async { Vec::new() })
    }
}

/// What a task starts with.
pub struct TaskStart<'a> {
    /// The compute device.
    pub device: Device,
    /// Shared assets.
    pub assets: &'a mut dyn AssetSource,
    /// The first settings, as registry pairs of the task's settings.
    pub settings: SettingPairs,
    /// Milliseconds from a fixed origin.
    pub clock: fn() -> f64,
    /// The device is a GPU (some state cannot be restored there; see the GAN task).
    pub gpu: bool,
    /// Where training steps and sample grids run ([`in_place`], or the threaded CPU worker's pool).
    pub compute: Compute,
}

/// Runs one synchronous piece of work (a training step, or the forward passes of a sample grid)
/// to its end: [`in_place`] on the calling thread, or on a thread pool. The threaded CPU worker runs each step on its pool's first
/// thread, so that the step's matrix products split over the pool from a pool thread instead
/// of being handed from the worker's own thread to the pool and back, product by product.
pub type Compute = fn(&mut (dyn FnMut() + Send));

/// [`Compute`] on the calling thread.
pub fn in_place(work: &mut (dyn FnMut() + Send)) {
    work()
}

/// A started task and the events of its start (e.g. settings that were refused).
pub type Started = (Box<dyn Task>, Vec<Event>);

/// Starts a task.
pub type StartFn = for<'a> fn(TaskStart<'a>) -> LocalBoxFuture<'a, Result<Started, String>>;

/// A registered task.
#[derive(Clone, Copy)]
pub struct TaskSpec {
    /// Identifier in messages and checkpoint headers.
    pub id: &'static str,
    /// What it does, in a few words.
    pub title: &'static str,
    /// Starts it.
    pub start: StartFn,
}

impl std::fmt::Debug for TaskSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl PartialEq for TaskSpec {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// Training a GAN on MNIST digits.
pub const GAN_TASK: TaskSpec = TaskSpec {
    id: crate::core::checkpoint::GAN_TASK,
    title: "Train a GAN on MNIST",
    start: super::session::start_gan,
};

/// Drawing from a trained generator: grids by seed, truncation, interpolation, a latent pad.
pub const GALLERY_TASK: TaskSpec = TaskSpec {
    id: "gallery",
    title: "Explore a trained generator",
    start: super::gallery::start_gallery,
};

/// Upscaling digits with an SRGAN-style generator, against bicubic upsampling.
pub const SUPERRES_TASK: TaskSpec = TaskSpec {
    id: super::superres::ID,
    title: "Super-resolution of digits",
    start: super::superres::start_superres,
};

/// Unpaired translation between handwritten and typeset digits, with a λ = 0 twin.
pub const CYCLEGAN_TASK: TaskSpec = TaskSpec {
    id: super::cyclegan::ID,
    title: "CycleGAN: handwritten ↔ typeset digits",
    start: super::cyclegan::start_cyclegan,
};

/// Colourising grey patches of photographs, pix2pix-style.
pub const COLORIZE_TASK: TaskSpec = TaskSpec {
    id: super::colorize::ID,
    title: "Colourise photographs",
    start: super::colorize::start_colorize,
};

/// Every task, by id.
pub const TASKS: &[TaskSpec] = &[
    GAN_TASK,
    GALLERY_TASK,
    SUPERRES_TASK,
    CYCLEGAN_TASK,
    COLORIZE_TASK,
];

/// The task with this id, or an [`ErrorKind::UnknownTask`] error listing the known ones.
pub fn find_task(id: &str) -> Result<&'static TaskSpec, WorkerError> {
    TASKS.iter().find(|t| t.id == id).ok_or_else(|| {
        let known: Vec<_> = TASKS.iter().map(|t| t.id).collect();
        WorkerError::new(
            ErrorKind::UnknownTask,
            format!("no task “{id}” (known: {})", known.join(", ")),
        )
    })
}

/// The error for a command the running task does not answer.
pub fn unsupported(task: &str, command: &Command) -> Event {
    let name = format!("{command:?}");
    let name = name
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    Event::Error(WorkerError::new(
        ErrorKind::Unsupported,
        format!("the {task} task does not answer {name}"),
    ))
}

/// One line on a chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesInfo {
    /// Name, as in the task's series list and the legend.
    pub name: String,
    /// CSS colour.
    pub color: String,
}

/// A chart of some of a task's series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartInfo {
    /// Title.
    pub title: String,
    /// What the lines mean and what healthy looks like.
    pub help: String,
    /// The lines, by series name.
    pub series: Vec<SeriesInfo>,
    /// Fixed y range (`None`: fit the data).
    pub range: Option<(f32, f32)>,
}

/// What a running task reports: its series, in the order of every [`StepRecord`]'s values, and
/// how to chart them.
///
/// [`StepRecord`]: super::protocol::StepRecord
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    /// The task's id.
    pub task: String,
    /// Series names, in value order.
    pub series: Vec<String>,
    /// Charts, in display order.
    pub charts: Vec<ChartInfo>,
}

/// A grid of square images (greyscale or RGB) with optional row labels, e.g. generated samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// Name the view finds it by (`samples`, …).
    pub name: String,
    /// Title.
    pub title: String,
    /// Step it was drawn at.
    pub step: u64,
    /// Side of each image in pixels.
    pub side: usize,
    /// Images per row.
    pub columns: usize,
    /// `side × side × channels` bytes per image (0 = black; RGB interleaved when `channels` is
    /// 3), row-major, images one after another.
    pub pixels: Vec<u8>,
    /// A label per row (e.g. the digit a conditional generator was asked for).
    pub row_labels: Option<Vec<String>>,
    /// A caption per column, shown under the grid (e.g. each column's reconstruction error).
    #[serde(default)]
    pub captions: Option<Vec<String>>,
    /// 1 (grey) or 3 (RGB).
    #[serde(default = "one")]
    pub channels: usize,
}

fn one() -> usize {
    1
}

/// A table of scores (rows: methods, columns: measures), e.g. PSNR and SSIM of a model and of a
/// baseline on held-out images.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreTable {
    /// Name the view finds it by.
    pub name: String,
    /// Title, e.g. what was scored.
    pub title: String,
    /// What the measures mean and which way is better.
    pub help: String,
    /// Step the scores were computed at.
    pub step: u64,
    /// Column headers.
    pub columns: Vec<String>,
    /// Row name and one value per column.
    pub rows: Vec<(String, Vec<f32>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_found_by_id_and_unknown_ones_get_a_typed_error() {
        assert_eq!(find_task("gan").map(|t| t.id), Ok("gan"));
        let e = find_task("pix2pix").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownTask);
        assert!(e.message.contains("pix2pix") && e.message.contains("cyclegan"));
        for (i, t) in TASKS.iter().enumerate() {
            assert!(TASKS[..i].iter().all(|o| o.id != t.id));
        }
    }
}
