//! The typed messages between a front end (page, CLI) and the training engine.

use serde::{Deserialize, Serialize};

use crate::core::metrics::{ClassStats, QualityMetrics};
use crate::core::train::{FieldErrors, StepStats, TrainConfig};

/// Which compute backend the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum BackendChoice {
    /// WebGPU on a hardware adapter, else the CPU (with the reason shown).
    #[default]
    Auto,
    /// Always the CPU (Burn's `flex` backend, in wasm).
    Cpu,
    /// WebGPU whenever an adapter exists, even a software one.
    Gpu,
}

impl BackendChoice {
    /// Parses `auto`, `cpu` or `gpu` (as in `?backend=cpu`).
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "auto" => Some(Self::Auto),
            "cpu" => Some(Self::Cpu),
            "gpu" | "webgpu" => Some(Self::Gpu),
            _ => None,
        }
    }

    /// Identifier used in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Gpu => "gpu",
        }
    }
}

/// The backend the engine actually runs on, as shown to the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// True for WebGPU / wgpu, false for the CPU.
    pub gpu: bool,
    /// E.g. "WebGPU: nvidia (ampere)" or "CPU (flex, wasm)".
    pub label: String,
    /// Why this backend was chosen when it was not the user's first wish.
    pub reason: Option<String>,
}

/// A request to the engine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Start a fresh run with these settings (the old run is kept if they are invalid).
    Reset(TrainConfig),
    /// Apply the live settings (the registry's mid-run ones) of this configuration; the others
    /// are ignored until the next Reset.
    Update(TrainConfig),
    /// Train continuously.
    Start,
    /// Stop after the current step.
    Pause,
    /// Take exactly one step (while paused).
    Step,
    /// Refresh the sample grid every this many steps.
    SampleEvery(u32),
    /// Pause automatically once this step is reached (`None`: never).
    PauseAt(Option<u64>),
    /// Continue from a checkpoint made by the CLI or the page.
    LoadCheckpoint(Vec<u8>),
    /// Conditional models: the digits the sample grid shows, one row each (empty: all ten).
    Digits(Vec<u8>),
    /// Compute the quality metrics every this many steps while training (0: never).
    MetricsEvery(u32),
    /// Compute the quality metrics now.
    Evaluate,
}

/// One training step's statistics.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Generator step number, from 1.
    pub step: u64,
    /// Losses and D outputs.
    pub stats: StepStats,
}

/// Something the engine reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The worker listens for messages: send [`ToWorker::Init`] now (earlier ones would be lost).
    Listening,
    /// The engine is up on this backend.
    Ready(BackendInfo),
    /// A fresh run began (after Reset or a checkpoint).
    Started { config: TrainConfig, step: u64 },
    /// New steps since the last report, and throughput.
    Progress {
        /// The new steps, in order.
        records: Vec<StepRecord>,
        /// Steps per second over the last chunk.
        steps_per_sec: f32,
        /// Training images (real + generated seen by D and G) per second.
        images_per_sec: f32,
        /// Milliseconds spent training in this run.
        elapsed_ms: f64,
    },
    /// A fresh grid from the fixed latent batch, with the classifier's verdict.
    Samples {
        /// Step the grid was drawn at.
        step: u64,
        /// Images of 28×28 bytes, row-major, grid rows one after another.
        pixels: Vec<u8>,
        /// Images per grid row.
        columns: usize,
        /// Conditional models: the digit each row was asked for.
        row_labels: Option<Vec<u8>>,
        /// Class histogram and confidence of these samples.
        stats: ClassStats,
    },
    /// Sample-quality metrics of fresh samples (FID and IS analogues with our classifier).
    Metrics {
        /// Step the metrics were computed at.
        step: u64,
        /// The metrics.
        metrics: QualityMetrics,
    },
    /// Whether training runs continuously.
    Running(bool),
    /// Live settings were applied: the run's settings now.
    Applied(TrainConfig),
    /// Settings were refused; the current run is untouched.
    Rejected(FieldErrors),
    /// Something went wrong; the current run is untouched when possible.
    Error(String),
}

/// A message from the page to its training worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// First message: pick the backend, load data and weights, start a run of `config`.
    Init {
        /// The user's backend wish.
        backend: BackendChoice,
        /// The first run's settings.
        config: TrainConfig,
    },
    /// Any engine command.
    Command(Command),
}
