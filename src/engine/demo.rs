//! What every training demo beside the GAN (super-resolution, CycleGAN, …) shares: the
//! commands that start, pause, step, score, save and load a run, and the schedule that trains
//! in slices and reports panels and scores when they are due. A demo supplies its model through
//! [`DemoModel`]; [`Demo`] runs it as a [`Task`], in the worker and in the CLI alike.

use burn::prelude::*;
use futures::future::LocalBoxFuture;

use crate::core::settings::SettingPairs;
use crate::core::train::FieldErrors;

use super::error::{EngineError, read_f32};
use super::protocol::{Command, Event, StepRecord};
use super::task::{AssetSource, Compute, Panel, ScoreTable, Task, TaskView, in_place};

/// Milliseconds of training per slice while running.
const TICK_BUDGET_MS: f64 = 200.0;

/// What a demo-specific command asks the runner to report.
pub enum Reply {
    /// The runs were replaced: report them afresh (settings, step, panels, scores).
    Restarted,
    /// The runs changed but go on: report panels and scores.
    Refresh,
    /// Report these events.
    Events(Vec<Event>),
}

/// A demo's model: its runs, what it reports and its own commands. `Send`, so that its
/// training steps can run on a thread pool's thread (see [`Compute`]).
pub trait DemoModel: Send {
    /// Steps taken.
    fn steps(&self) -> u64;
    /// One training step; returns the step's series values (unread).
    fn step(&mut self) -> Tensor<1>;
    /// Images processed per step (for the speed readout).
    fn images_per_step(&self) -> f32;
    /// The series and charts.
    fn view(&self) -> TaskView;
    /// The current settings as registry pairs.
    fn settings(&self) -> SettingPairs;
    /// Scores are computed every this many steps while training, unless told otherwise.
    fn scores_every(&self) -> u32;
    /// Replaces the runs with fresh ones with `settings` (registry pairs over the defaults); on
    /// error the runs are kept.
    fn reset(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors>;
    /// Applies the live settings among `settings`.
    fn update(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors>;
    /// The image panels, in display order.
    fn panels(&self) -> LocalBoxFuture<'_, Result<Vec<Panel>, EngineError>>;
    /// The score table.
    fn scores(&self) -> LocalBoxFuture<'_, Result<ScoreTable, EngineError>>;
    /// The runs as a file.
    fn checkpoint(&self) -> Result<Vec<u8>, EngineError>;
    /// A file name that says what the runs are.
    fn file_name(&self) -> String;
    /// Continues from a file; on error the runs are kept.
    fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError>;
    /// A command of this demo's own; `None` when it does not answer it.
    fn command(&mut self, _command: &Command) -> LocalBoxFuture<'_, Option<Reply>> {
        Box::pin(async { None })
    }
}

/// A demo run as a task.
pub struct Demo<M> {
    /// The demo's model.
    pub model: M,
    id: &'static str,
    running: bool,
    pause_at: Option<u64>,
    sample_every: u32,
    scores_every: u32,
    last_panel: Option<u64>,
    last_scores: Option<u64>,
    elapsed_ms: f64,
    clock: fn() -> f64,
    compute: Compute,
}

impl<M: DemoModel> Demo<M> {
    /// Runs `model` as the task `id`, timing with `clock` (milliseconds).
    pub fn new(id: &'static str, model: M, clock: fn() -> f64) -> Self {
        let scores_every = model.scores_every();
        Self {
            model,
            id,
            running: false,
            pause_at: None,
            sample_every: 20,
            scores_every,
            last_panel: None,
            last_scores: None,
            elapsed_ms: 0.0,
            clock,
            compute: in_place,
        }
    }

    /// Where the training steps run (by default [`in_place`]).
    pub fn with_compute(mut self, compute: Compute) -> Self {
        self.compute = compute;
        self
    }

    /// One training step, run by the demo's [`Compute`]: its series values, unread.
    fn step(&mut self) -> Result<Tensor<1>, EngineError> {
        let model = &mut self.model;
        let mut stepped = None;
        (self.compute)(&mut || stepped = Some(model.step()));
        stepped.ok_or(EngineError::ComputeNotRun)
    }

    fn restarted(&mut self) {
        self.running = false;
        self.last_panel = None;
        self.last_scores = None;
        self.elapsed_ms = 0.0;
    }

    /// Settings, step, panels and scores of the current runs.
    pub async fn fresh_state(&mut self) -> Vec<Event> {
        let mut events = vec![Event::Started {
            view: self.model.view(),
            settings: self.model.settings(),
            step: self.model.steps(),
        }];
        events.extend(self.panel_events().await);
        events.extend(self.scores_event().await);
        events
    }

    async fn after_restart(&mut self) -> Vec<Event> {
        self.restarted();
        let mut events = vec![Event::Running(false)];
        events.extend(self.fresh_state().await);
        events
    }

    /// Handles one command.
    pub async fn handle(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Reset(settings) => match self.model.reset(&settings) {
                Ok(()) => self.after_restart().await,
                Err(errors) => vec![Event::Rejected(errors)],
            },
            Command::Update(settings) => match self.model.update(&settings) {
                Ok(()) => vec![Event::Applied {
                    view: self.model.view(),
                    settings: self.model.settings(),
                }],
                Err(errors) => vec![Event::Rejected(errors)],
            },
            Command::Start => {
                self.running = true;
                vec![Event::Running(true)]
            }
            Command::Pause => {
                self.running = false;
                let mut events = vec![Event::Running(false)];
                // The panels show the step training stopped at.
                if self.last_panel != Some(self.model.steps()) {
                    events.extend(self.panel_events().await);
                }
                events
            }
            Command::Step => {
                if self.running {
                    return Vec::new();
                }
                let mut events = self.train_for(0.0).await;
                events.extend(self.panel_events().await);
                events
            }
            Command::PauseAt(at) => {
                self.pause_at = at;
                Vec::new()
            }
            Command::SampleEvery(n) => {
                self.sample_every = n.max(1);
                Vec::new()
            }
            Command::MetricsEvery(n) => {
                self.scores_every = n;
                Vec::new()
            }
            Command::Evaluate => self.scores_event().await,
            Command::SaveCheckpoint => match self.model.checkpoint() {
                Ok(bytes) => vec![Event::Checkpoint {
                    step: self.model.steps(),
                    file_name: self.model.file_name(),
                    bytes,
                }],
                Err(e) => vec![Event::Error(e.into())],
            },
            Command::LoadCheckpoint { bytes } => match self.model.load(&bytes) {
                Ok(()) => self.after_restart().await,
                Err(e) => vec![Event::Error(e.into())],
            },
            other => match self.model.command(&other).await {
                Some(Reply::Restarted) => self.after_restart().await,
                Some(Reply::Refresh) => {
                    let mut events = self.panel_events().await;
                    events.extend(self.scores_event().await);
                    events
                }
                Some(Reply::Events(events)) => events,
                None => vec![super::task::unsupported(self.id, &other)],
            },
        }
    }

    /// While running: trains for about 200 ms, then reports (panels and scores when due).
    pub async fn tick(&mut self) -> Vec<Event> {
        if !self.running {
            return Vec::new();
        }
        let mut events = self.train_for(TICK_BUDGET_MS).await;
        if !self.running {
            // Training failed: the error is reported, nothing else is due.
            return events;
        }
        let step = self.model.steps();
        let paused = self.pause_at.is_some_and(|at| step >= at);
        let panel_due = self
            .last_panel
            .is_none_or(|last| step >= last + self.sample_every as u64);
        if panel_due || (paused && self.last_panel != Some(step)) {
            events.extend(self.panel_events().await);
        }
        let scores_due = self.scores_every > 0
            && step >= self.last_scores.unwrap_or(0) + self.scores_every as u64;
        if scores_due || (paused && self.last_scores != Some(step)) {
            events.extend(self.scores_event().await);
        }
        if paused {
            self.running = false;
            events.push(Event::Running(false));
        }
        events
    }

    /// Trains at least one step and until `budget_ms` has passed.
    pub async fn train_for(&mut self, budget_ms: f64) -> Vec<Event> {
        let start = (self.clock)();
        let mut records = Vec::new();
        let series = self.model.view().series.len();
        loop {
            let stats = match self.step() {
                Ok(stats) => read_f32(stats).await,
                Err(e) => Err(e),
            };
            match stats {
                Ok(values) if values.len() == series => records.push(StepRecord {
                    step: self.model.steps(),
                    values,
                }),
                Ok(values) => {
                    self.running = false;
                    let e = EngineError::Shape(format!("{} step statistics", values.len()));
                    return vec![Event::Error(e.into()), Event::Running(false)];
                }
                Err(e) => {
                    self.running = false;
                    return vec![Event::Error(e.into()), Event::Running(false)];
                }
            }
            let at_limit = self.pause_at.is_some_and(|at| self.model.steps() >= at);
            if at_limit || (self.clock)() - start >= budget_ms {
                break;
            }
        }
        let spent = ((self.clock)() - start).max(1e-3);
        self.elapsed_ms += spent;
        let steps_per_sec = records.len() as f32 / (spent as f32 / 1000.0);
        vec![Event::Progress {
            records,
            steps_per_sec,
            images_per_sec: steps_per_sec * self.model.images_per_step(),
            elapsed_ms: self.elapsed_ms,
        }]
    }

    async fn panel_events(&mut self) -> Vec<Event> {
        self.last_panel = Some(self.model.steps());
        match self.model.panels().await {
            Ok(panels) => panels
                .into_iter()
                .map(|panel| Event::Panel { panel, stats: None })
                .collect(),
            Err(e) => vec![Event::Error(e.into())],
        }
    }

    async fn scores_event(&mut self) -> Vec<Event> {
        self.last_scores = Some(self.model.steps());
        match self.model.scores().await {
            Ok(table) => vec![Event::Scores(table)],
            Err(e) => vec![Event::Error(e.into())],
        }
    }
}

impl<M: DemoModel> Task for Demo<M> {
    fn announce(&mut self) -> LocalBoxFuture<'_, Vec<Event>> {
        Box::pin(self.fresh_state())
    }

    fn handle<'a>(
        &'a mut self,
        command: Command,
        _assets: &'a mut dyn AssetSource,
    ) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(Demo::handle(self, command))
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn tick<'a>(&'a mut self, _assets: &'a mut dyn AssetSource) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(Demo::tick(self))
    }
}
