//! Tasks: what a view runs in the worker. A task is started by id with its settings, reports
//! *named* scalar series (one value of each per step) drawn on the charts it describes, and
//! *named* image panels; views draw whatever a task reports.
//!
//! Adding a task: one entry in [`TASKS`] naming the shared assets it needs, and its engine.

use serde::{Deserialize, Serialize};

use super::protocol::{ErrorKind, WorkerError};

/// A registered task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskSpec {
    /// Identifier in messages and checkpoint headers.
    pub id: &'static str,
    /// What it does, in a few words.
    pub title: &'static str,
    /// Needs the MNIST digits.
    pub needs_digits: bool,
    /// Needs the MNIST classifier (sample statistics and quality metrics).
    pub needs_classifier: bool,
}

/// Training a GAN on MNIST digits.
pub const GAN_TASK: TaskSpec = TaskSpec {
    id: crate::core::checkpoint::GAN_TASK,
    title: "Train a GAN on MNIST",
    needs_digits: true,
    needs_classifier: true,
};

/// Every task, by id.
pub const TASKS: &[TaskSpec] = &[GAN_TASK];

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

/// A grid of square greyscale images with optional row labels, e.g. generated samples.
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
    /// `side × side` bytes per image (0 = black), row-major, rows one after another.
    pub pixels: Vec<u8>,
    /// A label per row (e.g. the digit a conditional generator was asked for).
    pub row_labels: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_found_by_id_and_unknown_ones_get_a_typed_error() {
        assert_eq!(find_task("gan").map(|t| t.id), Ok("gan"));
        let e = find_task("cyclegan").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownTask);
        assert!(e.message.contains("cyclegan") && e.message.contains("gan"));
        for (i, t) in TASKS.iter().enumerate() {
            assert!(TASKS[..i].iter().all(|o| o.id != t.id));
        }
    }
}
