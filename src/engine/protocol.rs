//! The typed messages between a front end (page, CLI) and the training engine.

use serde::{Deserialize, Serialize};

use crate::core::metrics::{ClassStats, QualityMetrics};
use crate::core::settings::SettingPairs;
use crate::core::train::FieldErrors;

use super::task::{Panel, ScoreTable, TaskSpec, TaskView, find_task};

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
    /// Start a fresh run with these settings (registry pairs over the task's defaults; the old
    /// run is kept if they are invalid).
    Reset(SettingPairs),
    /// Apply the live settings (the registry's mid-run ones) among these pairs over the run's
    /// settings; the others are ignored until the next Reset.
    Update(SettingPairs),
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
    /// Continue from a checkpoint made by the CLI or the page. The bytes travel beside the
    /// message as a transferable buffer, never as JSON (see [`ToWorker::take_payload`]).
    LoadCheckpoint {
        /// The checkpoint file's bytes.
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// Save the run as a checkpoint: answered by [`Event::Checkpoint`].
    SaveCheckpoint,
    /// Inference only: draw a grid from fresh latent vectors seeded by `seed` (training is
    /// untouched), answered by an [`Event::Panel`] named `generated`.
    Generate {
        /// Seed of the latent vectors.
        seed: u64,
    },
    /// Conditional models: the digits the sample grid shows, one row each (empty: all ten).
    Digits(Vec<u8>),
    /// Compute the quality metrics every this many steps while training (0: never).
    MetricsEvery(u32),
    /// Compute the quality metrics now.
    Evaluate,
    /// Gallery: the truncation threshold ψ of fresh latents (values beyond ±ψ are drawn again;
    /// `None`: no truncation). Redraws the grid.
    Truncation(Option<f32>),
    /// Gallery: `frames` images along the spherical path between the latents of two cells of
    /// the grid (a conditional model's label moves between theirs too), answered by the
    /// `interpolation` panel.
    Interpolate {
        /// The first cell (row-major index in the grid).
        from: u32,
        /// The last cell.
        to: u32,
        /// Frames, both ends included (2 to 64).
        frames: u32,
    },
    /// Gallery: the image at `center + x·u + y·v` of a plane through a cell's latent, spanned by
    /// random directions (seeded by the grid's seed) or toward two other cells, answered by the
    /// `pad` panel.
    Pad {
        /// The cell whose latent is the plane's centre.
        center: u32,
        /// Span the plane toward these two cells instead of random directions.
        towards: Option<(u32, u32)>,
        /// Position along the first direction, in latent units.
        x: f32,
        /// Position along the second direction.
        y: f32,
    },
    /// CycleGAN: `true` restarts the run from scratch beside a λ = 0 twin (the same settings
    /// and seed, no cycle or identity loss) so both train side by side; `false` drops the twin.
    Twin(bool),
    /// CycleGAN: translate one 28×28 digit (grey bytes, 0 = black, white ink) both ways,
    /// answered by the `drawn` panel (and `drawn-twin` when a twin races).
    Translate(Vec<u8>),
    /// Gallery: the fidelity/variety trade-off: metrics of samples at several truncations,
    /// answered by [`Event::Sweep`].
    TruncationSweep,
    /// Gallery: `count` samples (and their labels, conditional models) as `.npy` files,
    /// answered by [`Event::File`]s.
    ExportSamples {
        /// Samples to draw (1 to 10,000).
        count: u32,
        /// What the files are named after (e.g. the model's id; empty: the model's kind).
        name: String,
    },
}

/// Metrics of samples at each truncation ψ (`None`: untruncated).
pub type SweepPoints = Vec<(Option<f32>, QualityMetrics)>;

/// One step's values of the task's named series ([`TaskView::series`], in that order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Step number, from 1.
    pub step: u64,
    /// One value per series.
    pub values: Vec<f32>,
}

/// Something the engine reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// A download the worker waits for (its own wasm, the digits, a model) has this many bytes
    /// so far, of `total` when the server says: a progress bar until the next event of another
    /// kind.
    Loading {
        /// What is downloading, for people ("the training worker", "data/mnist.bin").
        what: String,
        /// Bytes so far.
        done: u64,
        /// Bytes in all, when known.
        total: Option<u64>,
    },
    /// The worker listens for messages: send [`ToWorker::Init`] now (earlier ones would be lost).
    Listening,
    /// The engine is up on this backend.
    Ready(BackendInfo),
    /// A fresh run began (after Reset or a checkpoint).
    Started {
        /// The task's series and charts.
        view: TaskView,
        /// The run's settings, every one as registry pairs.
        settings: SettingPairs,
        /// Steps already taken (a checkpoint's).
        step: u64,
    },
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
    /// A named image panel (the GAN task's `samples`: the fixed-latent grid), with the
    /// classifier's verdict on its images where the task has one.
    Panel {
        /// The images.
        panel: Panel,
        /// Class histogram and confidence of these images.
        stats: Option<ClassStats>,
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
    /// Live settings were applied: the run's settings now, and its charts under them.
    Applied {
        /// The task's series and charts.
        view: TaskView,
        /// The run's settings, every one as registry pairs.
        settings: SettingPairs,
    },
    /// Settings were refused; the current run is untouched.
    Rejected(FieldErrors),
    /// The run as a checkpoint file, asked for by [`Command::SaveCheckpoint`]. The bytes travel
    /// beside the message as a transferable buffer (see [`Event::take_payload`]).
    Checkpoint {
        /// Step the checkpoint was taken at.
        step: u64,
        /// A file name that says what the run is.
        file_name: String,
        /// The checkpoint file's bytes.
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// A file for the user to save (exported samples), with its bytes beside the JSON.
    File {
        /// A file name that says what it holds.
        file_name: String,
        /// The file's bytes.
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// The truncation trade-off: metrics of samples at each ψ (`None`: untruncated).
    Sweep(SweepPoints),
    /// A table of scores (e.g. PSNR and SSIM of an upscaler and of bicubic upsampling).
    Scores(ScoreTable),
    /// Something went wrong: shown once; the current run is untouched unless it is fatal.
    Error(WorkerError),
}

/// What kind of thing went wrong at the worker boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The worker could not start: assets failed to load or the first settings were unusable.
    Startup,
    /// A command came before the worker was initialised.
    NotReady,
    /// The command is not one the running task answers.
    Unsupported,
    /// A message could not be read.
    Malformed,
    /// A checkpoint could not be read or written.
    Checkpoint,
    /// A training step, sample grid or evaluation failed.
    Training,
    /// The worker was initialised twice.
    AlreadyStarted,
    /// No task has the id asked for.
    UnknownTask,
}

/// An error crossing the worker boundary: what kind, what happened, and whether the worker can
/// go on (non-fatal: the run is kept) or has stopped (fatal: reload the page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct WorkerError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What happened, for the user.
    pub message: String,
    /// The worker has stopped.
    pub fatal: bool,
}

impl WorkerError {
    /// A failure the worker recovers from (the run is kept).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fatal: false,
        }
    }

    /// A failure that stops the worker.
    pub fn fatal(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fatal: true,
        }
    }
}

impl Event {
    /// Takes the bytes that travel beside this event's JSON (a checkpoint), if any.
    pub fn take_payload(&mut self) -> Option<Vec<u8>> {
        match self {
            Event::Checkpoint { bytes, .. } | Event::File { bytes, .. } => {
                Some(std::mem::take(bytes))
            }
            _ => None,
        }
    }

    /// Puts back the bytes that travelled beside the JSON.
    pub fn set_payload(&mut self, payload: Vec<u8>) {
        if let Event::Checkpoint { bytes, .. } | Event::File { bytes, .. } = self {
            *bytes = payload;
        }
    }
}

impl ToWorker {
    /// Takes the bytes that travel beside this message's JSON (a checkpoint), if any.
    pub fn take_payload(&mut self) -> Option<Vec<u8>> {
        match self {
            ToWorker::Command(Command::LoadCheckpoint { bytes }) => Some(std::mem::take(bytes)),
            _ => None,
        }
    }

    /// Reads a message: its JSON and the bytes that travelled beside it.
    pub fn decode(json: &str, payload: Option<Vec<u8>>) -> Result<Self, WorkerError> {
        let mut message: ToWorker = serde_json::from_str(json).map_err(|e| {
            WorkerError::new(
                ErrorKind::Malformed,
                format!("the worker could not read a message: {e}"),
            )
        })?;
        match (&mut message, payload) {
            (ToWorker::Command(Command::LoadCheckpoint { bytes }), Some(p)) => *bytes = p,
            (ToWorker::Command(Command::LoadCheckpoint { .. }), None) => {
                return Err(WorkerError::new(
                    ErrorKind::Malformed,
                    "a checkpoint message arrived without its file",
                ));
            }
            _ => {}
        }
        Ok(message)
    }
}

/// What the worker starts with: the backend, the task and the task's settings.
pub type InitRequest = (
    BackendChoice,
    Option<String>,
    &'static TaskSpec,
    Vec<(String, String)>,
);

/// What a worker does with a message before it is initialised: [`ToWorker::Init`] names the
/// backend, a task of the registry and its settings; an unknown task gets an
/// [`ErrorKind::UnknownTask`] error, anything else an [`ErrorKind::NotReady`] one.
pub fn before_init(message: ToWorker) -> Result<InitRequest, WorkerError> {
    match message {
        ToWorker::Init {
            backend,
            reason,
            task,
            settings,
        } => Ok((backend, reason, find_task(&task)?, settings)),
        ToWorker::Command(_) => Err(WorkerError::new(
            ErrorKind::NotReady,
            "the worker is still starting; a command sent before it was ready was ignored",
        )),
    }
}

/// A message from the page to its training worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// First message: pick the backend, load the assets the task needs, start it.
    Init {
        /// Where to run: `Cpu` or `Gpu` as the page placed it ([`super::backend::place`]).
        backend: BackendChoice,
        /// Why the CPU runs the task, when it was not the user's wish.
        reason: Option<String>,
        /// The task's id ([`super::task::TASKS`]).
        task: String,
        /// The first run's settings as `(id, text)` pairs of the task's settings registry.
        settings: Vec<(String, String)>,
    },
    /// Any engine command.
    Command(Command),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap_or_default()
    }

    #[test]
    fn every_message_survives_json_and_files_travel_beside_it() {
        let commands = vec![
            Command::Reset(vec![("seed".into(), "9".into())]),
            Command::Update(vec![("lr_g".into(), "0.001".into())]),
            Command::Start,
            Command::Pause,
            Command::Step,
            Command::SampleEvery(3),
            Command::PauseAt(Some(12)),
            Command::Digits(vec![1, 7]),
            Command::MetricsEvery(0),
            Command::Evaluate,
            Command::SaveCheckpoint,
            Command::Generate { seed: 5 },
            Command::Truncation(Some(0.7)),
            Command::Interpolate {
                from: 1,
                to: 9,
                frames: 8,
            },
            Command::Pad {
                center: 2,
                towards: Some((3, 4)),
                x: 0.5,
                y: -1.0,
            },
            Command::TruncationSweep,
            Command::ExportSamples {
                count: 100,
                name: "cgan".into(),
            },
        ];
        for c in commands {
            let message = ToWorker::Command(c);
            let back = ToWorker::decode(&json(&message), None).unwrap();
            assert_eq!(json(&back), json(&message));
        }
        let mut load = ToWorker::Command(Command::LoadCheckpoint {
            bytes: vec![1, 2, 3],
        });
        let payload = load.take_payload();
        assert_eq!(payload.as_deref(), Some(&[1u8, 2, 3][..]));
        let text = json(&load);
        assert!(!text.contains('3'), "the file is not in the JSON: {text}");
        match ToWorker::decode(&text, payload) {
            Ok(ToWorker::Command(Command::LoadCheckpoint { bytes })) => {
                assert_eq!(bytes, [1, 2, 3])
            }
            other => panic!("{other:?}"),
        }
        let mut saved = Event::Checkpoint {
            step: 4,
            file_name: "a.bpk".into(),
            bytes: vec![9; 100],
        };
        let file = saved.take_payload();
        let mut back: Event = serde_json::from_str(&json(&saved)).unwrap();
        back.set_payload(file.unwrap_or_default());
        assert!(matches!(back, Event::Checkpoint { step: 4, ref bytes, .. } if bytes.len() == 100));
        let error = Event::Error(WorkerError::fatal(ErrorKind::Startup, "no data"));
        let back: Event = serde_json::from_str(&json(&error)).unwrap();
        assert!(matches!(back, Event::Error(e) if e.fatal && e.kind == ErrorKind::Startup));
    }

    #[test]
    fn early_malformed_and_fileless_messages_get_typed_errors() {
        let early = before_init(ToWorker::Command(Command::Start)).unwrap_err();
        assert_eq!(early.kind, ErrorKind::NotReady);
        assert!(!early.fatal);
        let init = |task: &str| ToWorker::Init {
            backend: BackendChoice::Cpu,
            reason: None,
            task: task.into(),
            settings: vec![("lr_g".into(), "0.001".into())],
        };
        assert!(before_init(init("gan")).is_ok());
        let unknown = before_init(init("pix2pix")).unwrap_err();
        assert_eq!(unknown.kind, ErrorKind::UnknownTask);
        assert!(!unknown.fatal);
        for junk in ["", "{", "{\"Command\":\"Fly\"}", "[1,2]"] {
            let e = ToWorker::decode(junk, None).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Malformed, "{junk}");
        }
        let fileless = json(&ToWorker::Command(Command::LoadCheckpoint {
            bytes: Vec::new(),
        }));
        let e = ToWorker::decode(&fileless, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Malformed);
        assert!(e.message.contains("without its file"));
    }
}
