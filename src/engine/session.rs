use std::sync::Arc;

use burn::prelude::*;

use crate::core::checkpoint::{self, Optimizers, RunHistory};
use crate::core::classifier::Classifier;
use crate::core::data::{IMAGE_SIDE, MnistSet};
use crate::core::metrics::FeatureStats;
use crate::core::settings::{parse_pairs, to_setting_pairs};
use crate::core::train::{FieldErrors, GanTrainer, TrainConfig, latent_noise};

use super::error::{EngineError, read_f32};
use super::evaluate::{
    METRICS_SAMPLES, REAL_REFERENCE, evaluate_trainer, judged_panel_of, label_tensor,
    real_feature_stats,
};
use super::protocol::{Command, Event, StepRecord};
use super::task::{
    AssetSource, ChartInfo, Compute, GAN_TASK, Panel, SeriesInfo, Started, Task, TaskStart,
    TaskView, in_place, unsupported,
};
use futures::future::LocalBoxFuture;

/// Samples in the live grid (8×8), drawn from one fixed latent batch.
pub const SAMPLE_GRID: usize = 64;
/// Images per grid row.
pub const GRID_COLUMNS: usize = 8;
/// The GAN task's series, in [`StepRecord`] order, with their chart colours.
const SERIES: [(&str, &str); 4] = [
    ("D loss", "#e4572e"),
    ("G loss", "#2e86ab"),
    ("D(x)", "#3bb273"),
    ("D(G(z))", "#8e44ad"),
];

/// What the GAN task reports under `config`: four series on two charts (D's outputs on a 0–1
/// axis when they are probabilities).
pub fn gan_view(config: &TrainConfig) -> TaskView {
    let series = |names: &[usize]| {
        names
            .iter()
            .map(|&i| SeriesInfo {
                name: SERIES[i].0.into(),
                color: SERIES[i].1.into(),
            })
            .collect()
    };
    TaskView {
        task: GAN_TASK.id.into(),
        series: SERIES.iter().map(|(name, _)| name.to_string()).collect(),
        charts: vec![
            ChartInfo {
                title: "Losses".into(),
                help: "D and G losses of the chosen objective (its description is under the Loss list); D's includes any penalty and the ACGAN class loss. Healthy: both bounded and wobbling. For BCE, D loss near 2·ln 2 ≈ 1.39 is a balanced game and D loss → 0 means D has won and G stops learning; for WGAN, −D loss estimates the Wasserstein distance and should shrink.".into(),
                series: series(&[0, 1]),
                range: None,
            },
            ChartInfo {
                title: "Discriminator outputs".into(),
                help: "Mean D output on real digits and on fakes: the probability σ(D) for the BCE losses (healthy: they approach each other, around 0.3–0.7; D(x) ≈ 1 and D(G(z)) ≈ 0 for long means D overpowers G), the raw critic score for WGAN, LSGAN and hinge (for WGAN their gap estimates the Wasserstein distance).".into(),
                series: series(&[2, 3]),
                range: config.loss.is_probabilistic().then_some((0.0, 1.0)),
            },
        ],
    }
}

/// Starts the GAN task: the digits and the classifier, and a first run of the settings (the
/// defaults, with a [`Event::Rejected`], when they are invalid).
pub fn start_gan(start: TaskStart<'_>) -> LocalBoxFuture<'_, Result<Started, String>> {
    Box::pin(async move {
        // A saved optimiser state materialises on Burn's default device: restored on the CPU,
        // started afresh on a GPU (see `Optimizers::Fresh`).
        let optimizers = if start.gpu {
            checkpoint::Optimizers::Fresh
        } else {
            checkpoint::Optimizers::Restore
        };
        let data = start.assets.digits().await?;
        let classifier = start.assets.classifier(&start.device).await?;
        let mut events = Vec::new();
        let config = match parse_pairs(&TrainConfig::new(), &start.settings) {
            Ok(config) => config,
            Err(errors) => {
                events.push(Event::Rejected(errors));
                TrainConfig::new()
            }
        };
        let engine = Engine::new(&start.device, data, classifier, config, start.clock)
            .map_err(|errors| errors.to_string())?
            .with_optimizers_on_load(optimizers)
            .with_compute(start.compute);
        Ok((Box::new(engine) as Box<dyn Task>, events))
    })
}

impl Task for Engine {
    fn announce(&mut self) -> LocalBoxFuture<'_, Vec<Event>> {
        Box::pin(Engine::announce(self))
    }

    fn handle<'a>(
        &'a mut self,
        command: Command,
        _assets: &'a mut dyn AssetSource,
    ) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(Engine::handle(self, command))
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn tick<'a>(&'a mut self, _assets: &'a mut dyn AssetSource) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(Engine::tick(self))
    }
}

/// Time budget of one [`Engine::tick`] before it reports, in milliseconds.
const TICK_BUDGET_MS: f64 = 200.0;

/// At most this many steps run between two readbacks of their statistics ([`Engine::train_for`]).
const READBACK_EVERY: usize = 8;

struct Run {
    trainer: GanTrainer,
    /// Every step's values so far, [`SERIES`] per step (saved with the run, drawn on load).
    history: Vec<f32>,
    fixed_z: Tensor<2>,
    elapsed_ms: f64,
    last_sample_step: Option<u64>,
    last_metrics_step: Option<u64>,
}

/// Steps between two sample grids while training, unless [`Command::SampleEvery`] says otherwise.
pub const SAMPLE_EVERY: u32 = 10;

/// A training session: owns the data, the classifier and the current run.
pub struct Engine {
    device: Device,
    data: Arc<MnistSet>,
    classifier: Classifier,
    run: Run,
    running: bool,
    pause_at: Option<u64>,
    sample_every: u32,
    metrics_every: u32,
    digits: Vec<u8>,
    real_stats: Option<FeatureStats>,
    clock: fn() -> f64,
    optimizers: Optimizers,
    compute: Compute,
}

impl Engine {
    /// Starts an engine on `device` with a first run of `config`.
    ///
    /// `clock` returns milliseconds from any fixed origin (`performance.now()`, `Instant`).
    pub fn new(
        device: &Device,
        data: Arc<MnistSet>,
        classifier: Classifier,
        config: TrainConfig,
        clock: fn() -> f64,
    ) -> Result<Self, FieldErrors> {
        let run = Self::make_run(config, &data, device)?;
        Ok(Self {
            device: device.clone(),
            data,
            classifier,
            run,
            running: false,
            pause_at: None,
            sample_every: SAMPLE_EVERY,
            metrics_every: 0,
            digits: (0..10).collect(),
            real_stats: None,
            clock,
            optimizers: Optimizers::Restore,
            compute: in_place,
        })
    }

    /// Where the training steps run (by default [`in_place`]).
    pub fn with_compute(mut self, compute: Compute) -> Self {
        self.compute = compute;
        self
    }

    /// One training step, run by the engine's [`Compute`].
    fn train_step(&mut self) -> Result<Tensor<1>, EngineError> {
        let (trainer, data) = (&mut self.run.trainer, &*self.data);
        let mut stepped = None;
        (self.compute)(&mut || stepped = Some(trainer.step(data)));
        match stepped {
            Some(result) => Ok(result?),
            None => Err(EngineError::ComputeNotRun),
        }
    }

    /// Whether loading a checkpoint restores the optimisers' states (the default) or starts
    /// them afresh (the browser worker: see [`Optimizers::Fresh`]).
    pub fn with_optimizers_on_load(mut self, optimizers: Optimizers) -> Self {
        self.optimizers = optimizers;
        self
    }

    fn make_run(config: TrainConfig, data: &MnistSet, device: &Device) -> Result<Run, FieldErrors> {
        Ok(Self::run_of(GanTrainer::new(config, data.len(), device)?))
    }

    /// A run around `trainer`, with the sample grid's fixed latent batch of its seed.
    fn run_of(trainer: GanTrainer) -> Run {
        let config = trainer.config();
        let mut rng = crate::core::rng::seeded(config.seed.wrapping_add(1000));
        let fixed_z = latent_noise(
            &mut rng,
            SAMPLE_GRID,
            config.architecture.latent_dim,
            trainer.device(),
        );
        Run {
            trainer,
            history: Vec::new(),
            fixed_z,
            elapsed_ms: 0.0,
            last_sample_step: None,
            last_metrics_step: None,
        }
    }

    /// Whether the engine trains continuously.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The current run's trainer.
    pub fn trainer(&self) -> &GanTrainer {
        &self.run.trainer
    }

    /// Events that describe the fresh state after start-up or a reset.
    pub async fn announce(&mut self) -> Vec<Event> {
        let config = self.run.trainer.config();
        let mut events = vec![Event::Started {
            view: gan_view(config),
            settings: to_setting_pairs(config),
            step: self.run.trainer.steps(),
        }];
        // A resumed run's charts so far.
        let records = self.history();
        if !records.is_empty() {
            events.push(Event::Progress {
                records,
                steps_per_sec: 0.0,
                images_per_sec: 0.0,
                elapsed_ms: self.run.elapsed_ms,
            });
        }
        events.extend(self.samples_event().await);
        events
    }

    /// Every step's values so far (a resumed run's include the steps before the checkpoint).
    pub fn history(&self) -> Vec<StepRecord> {
        self.run
            .history
            .chunks_exact(SERIES.len())
            .enumerate()
            .map(|(i, values)| StepRecord {
                step: i as u64 + 1,
                values: values.to_vec(),
            })
            .collect()
    }

    /// Handles one command.
    pub async fn handle(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Reset(settings) => match parse_pairs(&TrainConfig::new(), &settings)
                .and_then(|config| Self::make_run(config, &self.data, &self.device))
            {
                Ok(run) => {
                    self.run = run;
                    self.running = false;
                    let mut events = vec![Event::Running(false)];
                    events.extend(self.announce().await);
                    events
                }
                Err(errors) => vec![Event::Rejected(errors)],
            },
            Command::Update(settings) => match parse_pairs(self.run.trainer.config(), &settings)
                .and_then(|requested| self.run.trainer.update_live(&requested))
            {
                Ok(()) => {
                    let config = self.run.trainer.config();
                    vec![Event::Applied {
                        view: gan_view(config),
                        settings: to_setting_pairs(config),
                    }]
                }
                Err(errors) => vec![Event::Rejected(errors)],
            },
            Command::Start => {
                self.running = true;
                vec![Event::Running(true)]
            }
            Command::Pause => {
                self.running = false;
                let mut events = vec![Event::Running(false)];
                events.extend(self.samples_event().await);
                events
            }
            Command::Step => {
                self.running = false;
                let mut events = self.train_for(0.0).await;
                events.extend(self.samples_event().await);
                events
            }
            Command::PauseAt(step) => {
                self.pause_at = step;
                Vec::new()
            }
            Command::SampleEvery(n) => {
                self.sample_every = n.max(1);
                Vec::new()
            }
            Command::Digits(digits) => {
                let mut digits: Vec<u8> = digits.into_iter().filter(|&d| d < 10).collect();
                digits.sort_unstable();
                digits.dedup();
                self.digits = if digits.is_empty() {
                    (0..10).collect()
                } else {
                    digits
                };
                self.samples_event().await
            }
            Command::MetricsEvery(n) => {
                self.metrics_every = n;
                Vec::new()
            }
            Command::Generate { seed } => {
                let latent = self.run.trainer.config().architecture.latent_dim;
                let mut rng = crate::core::rng::seeded(seed);
                let z = latent_noise(&mut rng, SAMPLE_GRID, latent, &self.device);
                match self
                    .grid(z, "generated", format!("Fresh samples (seed {seed})"))
                    .await
                {
                    Ok(event) => vec![event],
                    Err(e) => vec![Event::Error(e.into())],
                }
            }
            Command::Evaluate => self.metrics_event().await,
            Command::SaveCheckpoint => match self.checkpoint() {
                Ok(bytes) => {
                    let config = self.run.trainer.config();
                    let step = self.run.trainer.steps();
                    vec![Event::Checkpoint {
                        step,
                        file_name: format!(
                            "gan-{}-{}-step{step}.bpk",
                            config.architecture.kind.id(),
                            config.loss.id()
                        ),
                        bytes,
                    }]
                }
                Err(e) => vec![Event::Error(e.into())],
            },
            Command::LoadCheckpoint { bytes } => match self.load_checkpoint(&bytes) {
                Ok(()) => {
                    self.running = false;
                    let mut events = vec![Event::Running(false)];
                    events.extend(self.announce().await);
                    events
                }
                Err(e) => vec![Event::Error(e.into())],
            },
            other @ (Command::Truncation(_)
            | Command::Interpolate { .. }
            | Command::Pad { .. }
            | Command::TruncationSweep
            | Command::ExportSamples { .. }
            | Command::Twin(_)
            | Command::Translate(_)) => vec![unsupported(GAN_TASK.id, &other)],
        }
    }

    /// Continues the run of a checkpoint (from the page or the CLI) instead of the current one;
    /// on error the current run is kept.
    pub fn load_checkpoint(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        let (trainer, history) =
            checkpoint::resume_trainer(bytes, self.data.len(), &self.device, self.optimizers)?;
        let mut run = Self::run_of(trainer);
        // A history that is not this task's series, or does not end at the checkpoint's step,
        // is left out rather than drawn wrongly.
        if let Some(h) = history {
            let names: Vec<&str> = SERIES.iter().map(|(n, _)| *n).collect();
            let steps = h.values.len() / SERIES.len().max(1);
            if h.series == names && steps as u64 == run.trainer.steps() {
                run.history = h.values;
            }
        }
        self.run = run;
        Ok(())
    }

    /// Saves the current run as a run checkpoint ([`checkpoint::save_run`]): resuming it
    /// continues exactly.
    ///
    /// Reads weights synchronously: call it natively or on the CPU backend.
    pub fn checkpoint(&self) -> Result<Vec<u8>, EngineError> {
        let history = RunHistory {
            series: SERIES.iter().map(|(n, _)| n.to_string()).collect(),
            values: self.run.history.clone(),
        };
        Ok(checkpoint::save_run(&self.run.trainer, &history)?)
    }

    /// While running: trains for about 200 ms, then reports progress (and samples when due).
    pub async fn tick(&mut self) -> Vec<Event> {
        if !self.running {
            return Vec::new();
        }
        if self
            .pause_at
            .is_some_and(|at| self.run.trainer.steps() >= at)
        {
            self.running = false;
            return vec![Event::Running(false)];
        }
        let mut events = self.train_for(TICK_BUDGET_MS).await;
        let step = self.run.trainer.steps();
        let reached = self.pause_at.is_some_and(|at| step >= at);
        let due = match self.run.last_sample_step {
            Some(last) => step >= last + self.sample_every as u64,
            None => true,
        };
        if due || reached {
            events.extend(self.samples_event().await);
        }
        let metrics_due = self.metrics_every > 0
            && step >= self.run.last_metrics_step.unwrap_or(0) + self.metrics_every as u64;
        if metrics_due {
            events.extend(self.metrics_event().await);
        }
        if reached {
            self.running = false;
            events.push(Event::Running(false));
        }
        events
    }

    /// Trains at least one step and until `budget_ms` has passed; reports the steps. The
    /// statistics of up to [`READBACK_EVERY`] steps are read back together, in one transfer:
    /// on WebGPU each readback waits for the queue to drain, so reading every step would keep
    /// the GPU idle between steps.
    pub async fn train_for(&mut self, budget_ms: f64) -> Vec<Event> {
        let start = (self.clock)();
        let mut records = Vec::new();
        let mut pending = Vec::new();
        loop {
            let read = match self.train_step() {
                Ok(stats) => {
                    pending.push(stats);
                    let at_limit = self
                        .pause_at
                        .is_some_and(|at| self.run.trainer.steps() >= at);
                    let done = at_limit || (self.clock)() - start >= budget_ms;
                    if done || pending.len() >= READBACK_EVERY {
                        self.read_steps(std::mem::take(&mut pending))
                            .await
                            .map(|r| (r, done))
                    } else {
                        continue;
                    }
                }
                Err(e) => Err(e),
            };
            match read {
                Ok((mut read, done)) => {
                    records.append(&mut read);
                    // Queued GPU work shows its time only once read: look at the clock again.
                    if done || (self.clock)() - start >= budget_ms {
                        break;
                    }
                }
                Err(e) => {
                    self.running = false;
                    return vec![Event::Error(e.into()), Event::Running(false)];
                }
            }
        }
        let spent = ((self.clock)() - start).max(1e-3);
        self.run.elapsed_ms += spent;
        let steps_per_sec = records.len() as f32 / (spent as f32 / 1000.0);
        let config = self.run.trainer.config();
        // Each step: D sees a real and a fake batch per D step, G one fake batch.
        let images_per_step = (config.batch_size * (2 * config.d_steps + 1)) as f32;
        vec![Event::Progress {
            records,
            steps_per_sec,
            images_per_sec: steps_per_sec * images_per_step,
            elapsed_ms: self.run.elapsed_ms,
        }]
    }

    /// One training step, read back.
    pub async fn step_once(&mut self) -> Result<StepRecord, EngineError> {
        let stats = self.train_step()?;
        let mut records = self.read_steps(vec![stats]).await?;
        records
            .pop()
            .ok_or_else(|| EngineError::Shape("no step statistics".into()))
    }

    /// Reads the statistics of the last `stats.len()` steps in one transfer, in step order,
    /// and appends them to the run's history.
    async fn read_steps(&mut self, stats: Vec<Tensor<1>>) -> Result<Vec<StepRecord>, EngineError> {
        let n = stats.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let values = read_f32(Tensor::cat(stats, 0)).await?;
        if values.len() != n * SERIES.len() {
            return Err(EngineError::Shape(format!(
                "{} statistics for {n} steps",
                values.len()
            )));
        }
        self.run.history.extend_from_slice(&values);
        let last = self.run.trainer.steps();
        Ok(values
            .chunks(SERIES.len())
            .zip(last + 1 - n as u64..)
            .map(|(v, step)| StepRecord {
                step,
                values: v.to_vec(),
            })
            .collect())
    }

    async fn samples_event(&mut self) -> Vec<Event> {
        match self.samples().await {
            Ok(event) => vec![event],
            Err(e) => vec![Event::Error(e.into())],
        }
    }

    /// The fixed-latent sample grid and the classifier's view of it.
    ///
    /// Unconditional: 8×8 samples. Conditional: one row per chosen digit, the same 8 latent
    /// vectors in every row (so a column keeps its style across digits).
    pub async fn samples(&mut self) -> Result<Event, EngineError> {
        let conditioning = self.run.trainer.config().architecture.conditioning;
        let title = if conditioning.uses_labels() {
            "Samples by requested digit"
        } else if conditioning.is_conditional() {
            "Samples by category (c0–c9: the InfoGAN's own, in no digit order)"
        } else {
            "Samples from a fixed z"
        };
        let event = self
            .grid(self.run.fixed_z.clone(), "samples", title.into())
            .await?;
        self.run.last_sample_step = Some(self.run.trainer.steps());
        Ok(event)
    }

    /// A grid panel of the sampling generator's images from the latent batch `z`
    /// ([`SAMPLE_GRID`] rows of it), with the classifier's verdict. Conditional: one row per
    /// chosen digit, the first [`GRID_COLUMNS`] latent vectors in every row.
    async fn grid(&self, z: Tensor<2>, name: &str, title: String) -> Result<Event, EngineError> {
        let conditioning = self.run.trainer.config().architecture.conditioning;
        let (z, row_labels) = if conditioning.is_conditional() {
            let rows = self.digits.len();
            let latent = z.dims()[1];
            let z = z
                .narrow(0, 0, GRID_COLUMNS)
                .unsqueeze_dim::<3>(0)
                .repeat_dim(0, rows)
                .reshape([rows * GRID_COLUMNS, latent]);
            (z, Some(self.digits.clone()))
        } else {
            (z, None)
        };
        let labels = row_labels.as_ref().map(|rows| {
            let per_image: Vec<u8> = rows
                .iter()
                .flat_map(|&d| std::iter::repeat_n(d, GRID_COLUMNS))
                .collect();
            label_tensor(&per_image, &self.device)
        });
        // The generator's and the classifier's forward passes run where training steps do.
        let (trainer, classifier) = (&self.run.trainer, &self.classifier);
        let mut computed = None;
        (self.compute)(&mut || {
            let images = trainer.generate(z.clone(), labels.clone());
            let probs = classifier.probabilities(images.clone());
            computed = Some((images, probs));
        });
        let (images, probs) = computed.ok_or(EngineError::ComputeNotRun)?;
        let panel = Panel {
            name: name.into(),
            title,
            step: self.run.trainer.steps(),
            side: IMAGE_SIDE,
            columns: GRID_COLUMNS,
            pixels: Vec::new(),
            row_labels: row_labels
                .map(|rows| rows.iter().map(|&d| conditioning.input_label(d)).collect()),
            captions: None,
            channels: 1,
        };
        judged_panel_of(images, probs, panel).await
    }

    async fn metrics_event(&mut self) -> Vec<Event> {
        match self.metrics().await {
            Ok(event) => vec![event],
            Err(e) => vec![Event::Error(e.into())],
        }
    }

    /// Quality metrics of [`METRICS_SAMPLES`] fresh samples against the held-out real digits.
    pub async fn metrics(&mut self) -> Result<Event, EngineError> {
        if self.real_stats.is_none() {
            let (start, count) = REAL_REFERENCE;
            let start = if self.data.len() > start { start } else { 0 };
            self.real_stats = Some(
                real_feature_stats(&self.classifier, &self.data, start, count, &self.device)
                    .await?,
            );
        }
        let Some(real) = &self.real_stats else {
            return Err(EngineError::Shape("no real feature statistics".into()));
        };
        let trainer = &self.run.trainer;
        let metrics = evaluate_trainer(
            trainer,
            &self.classifier,
            real,
            METRICS_SAMPLES,
            &self.device,
        )
        .await?;
        let step = trainer.steps();
        self.run.last_metrics_step = Some(step);
        Ok(Event::Metrics { step, metrics })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::classifier::ClassifierConfig;
    use crate::core::models::{ArchitectureConfig, ModelKind};

    fn clock() -> f64 {
        0.0
    }

    fn engine(config: TrainConfig) -> Engine {
        let device = Device::flex();
        let data = MnistSet::from_parts(vec![1; 16], vec![128; 16 * 784]).unwrap();
        Engine::new(
            &device,
            Arc::new(data),
            ClassifierConfig::new().init(&device),
            config,
            clock,
        )
        .unwrap()
    }

    fn small() -> TrainConfig {
        TrainConfig::new().with_batch_size(4).with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(8),
        )
    }

    #[test]
    fn generate_draws_fresh_reproducible_samples_without_training() {
        let mut e = engine(small());
        pollster::block_on(e.step_once()).unwrap();
        let pixels = |events: Vec<Event>| match events.into_iter().next() {
            Some(Event::Panel { panel, .. }) if panel.name == "generated" => panel.pixels,
            other => panic!("expected a generated panel, got {other:?}"),
        };
        let a = pixels(pollster::block_on(e.handle(Command::Generate { seed: 4 })));
        let b = pixels(pollster::block_on(e.handle(Command::Generate { seed: 4 })));
        let c = pixels(pollster::block_on(e.handle(Command::Generate { seed: 5 })));
        assert_eq!(a, b, "the same seed draws the same grid");
        assert_ne!(a, c, "another seed draws other samples");
        assert_eq!(a.len(), SAMPLE_GRID * 784);
        assert_eq!(e.trainer().steps(), 1, "inference does not train");
    }

    #[test]
    fn statistics_read_back_together_are_the_steps_one_by_one() {
        // 11 steps: two readbacks of 8 and 3 (the clock never moves, so only pause_at stops).
        let mut batched = engine(small());
        pollster::block_on(batched.handle(Command::PauseAt(Some(11))));
        let events = pollster::block_on(batched.train_for(f64::INFINITY));
        let Some(Event::Progress { records, .. }) = events.first() else {
            panic!("expected progress, got {events:?}");
        };
        let mut single = engine(small());
        let one_by_one: Vec<StepRecord> = (0..11)
            .map(|_| pollster::block_on(single.step_once()).unwrap())
            .collect();
        assert_eq!(records, &one_by_one);
        assert_eq!(
            records.iter().map(|r| r.step).collect::<Vec<_>>(),
            (1..=11).collect::<Vec<_>>()
        );
        assert_eq!(batched.history(), single.history());
    }

    #[test]
    fn steps_pause_at_and_invalid_settings() {
        let mut e = engine(small());
        let events = pollster::block_on(e.handle(Command::Step));
        assert!(matches!(&events[0], Event::Progress { records, .. } if records.len() == 1));
        assert!(events.iter().any(
            |ev| matches!(ev, Event::Panel { panel, .. } if panel.step == 1 && panel.pixels.len() == 64 * 784)
        ));
        pollster::block_on(e.handle(Command::PauseAt(Some(3))));
        pollster::block_on(e.handle(Command::Start));
        while e.is_running() {
            pollster::block_on(e.tick());
        }
        assert_eq!(e.trainer().steps(), 3);
        let rejected = pollster::block_on(
            e.handle(Command::Reset(to_setting_pairs(&small().with_lr_g(-1.0)))),
        );
        assert!(matches!(&rejected[0], Event::Rejected(errors) if errors[0].field == "lr_g"));
        assert_eq!(e.trainer().steps(), 3, "an invalid reset keeps the run");
    }

    #[test]
    fn a_checkpoint_continues_where_it_left_off_and_bad_files_keep_the_run() {
        let mut a = engine(small());
        for _ in 0..2 {
            pollster::block_on(a.step_once()).unwrap();
        }
        let bytes = a.checkpoint().unwrap();
        let mut b = engine(TrainConfig::new());
        let events = pollster::block_on(b.handle(Command::LoadCheckpoint { bytes }));
        assert!(
            events
                .iter()
                .any(|ev| matches!(ev, Event::Started { step: 2, .. }))
        );
        assert!(
            events.iter().any(
                |ev| matches!(ev, Event::Progress { records, .. } if records.len() == 2 && records[1].step == 2)
            ),
            "the loaded run's charts come back"
        );
        assert_eq!(b.trainer().config().architecture.kind, ModelKind::Dcgan);
        let events = pollster::block_on(b.handle(Command::LoadCheckpoint {
            bytes: b"junk".to_vec(),
        }));
        assert!(
            matches!(&events[0], Event::Error(e) if e.kind == crate::engine::ErrorKind::Checkpoint && e.message.contains("checkpoint") && !e.fatal)
        );
        assert_eq!(b.trainer().steps(), 2);
    }

    #[test]
    fn conditional_grids_follow_the_chosen_digits_and_metrics_report_label_accuracy() {
        let config = small().with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Mlp)
                .with_latent_dim(8)
                .with_conditioning(crate::core::models::Conditioning::Cgan),
        );
        let mut e = engine(config);
        let events = pollster::block_on(e.handle(Command::Digits(vec![7, 3, 3, 12])));
        let Some(Event::Panel { panel, .. }) = events.first() else {
            panic!("expected a sample grid, got {events:?}");
        };
        assert_eq!(
            panel.row_labels.as_deref(),
            Some(&["3".to_string(), "7".to_string()][..]),
            "sorted, deduplicated, digits only"
        );
        assert_eq!(panel.pixels.len(), 2 * panel.columns * 784);
        let events = pollster::block_on(e.handle(Command::Evaluate));
        let Some(Event::Metrics { step: 0, metrics }) = events.first() else {
            panic!("expected metrics, got {events:?}");
        };
        assert_eq!(metrics.samples, METRICS_SAMPLES);
        assert!(metrics.fid.is_finite() && metrics.label_accuracy.is_some());
    }

    #[test]
    fn a_checkpoint_is_judged_as_its_run_was_and_resumes_with_its_moving_average() {
        let device = Device::flex();
        let data = Arc::new(MnistSet::from_parts(vec![1; 16], vec![128; 16 * 784]).unwrap());
        let classifier = ClassifierConfig::new().init(&device);
        let config = small()
            .with_ema_decay(0.9)
            .with_architecture(ArchitectureConfig::new().with_latent_dim(8));
        let start =
            |config| Engine::new(&device, data.clone(), classifier.clone(), config, clock).unwrap();
        let metrics_of = |events: Vec<Event>| match events.into_iter().next() {
            Some(Event::Metrics { metrics, .. }) => metrics,
            other => panic!("expected metrics, got {other:?}"),
        };
        let mut a = start(config);
        for _ in 0..3 {
            pollster::block_on(a.step_once()).unwrap();
        }
        let engine_metrics = metrics_of(pollster::block_on(a.handle(Command::Evaluate)));
        let bytes = a.checkpoint().unwrap();

        // `eval --checkpoint` (the CLI) scores the same samples of the same (EMA) generator.
        let real =
            pollster::block_on(real_feature_stats(&classifier, &data, 0, 2000, &device)).unwrap();
        let cli_metrics = pollster::block_on(crate::engine::evaluate::evaluate_checkpoint(
            &bytes,
            &classifier,
            &real,
            METRICS_SAMPLES,
            &device,
        ))
        .unwrap();
        assert_eq!(cli_metrics, engine_metrics);

        // A run loaded from it samples from the restored average, not from the raw G.
        let mut b = start(TrainConfig::new());
        pollster::block_on(b.handle(Command::LoadCheckpoint { bytes }));
        let resumed = metrics_of(pollster::block_on(b.handle(Command::Evaluate)));
        assert_eq!(resumed, engine_metrics);
        let raw = b.trainer().generator().valid();
        let (g, _) = b.trainer().ema_generator().expect("restored EMA");
        let z = Tensor::<2>::ones([2, 8], &device);
        assert_ne!(
            read(raw.forward(z.clone(), None)),
            read(g.forward(z, None)),
            "the EMA generator differs from G after 3 steps"
        );
    }

    fn read(t: Tensor<4>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }
}
