//! The CycleGAN task: unpaired translation between handwritten (MNIST) and typeset digits.
//! Shows fixed held-out triplets x → G(x) → F(G(x)) and y → F(y) → G(F(y)) with each
//! reconstruction's L1 error, the losses, and *content preservation* (the share of held-out
//! digits the content classifier reads the same before and after translation) for the run and,
//! on request, for a λ = 0 twin trained beside it.

use std::rc::Rc;

use burn::prelude::*;
use futures::future::LocalBoxFuture;

use crate::core::checkpoint::{CycleRun, load_classifier, load_cycle, save_cycle};
use crate::core::classifier::Classifier;
use crate::core::cyclegan::{
    CycleConfig, CycleGenerator, CycleTrainer, STEP_SERIES, l1_per_image, same_digit,
};
use crate::core::data::{IMAGE_PIXELS, MnistSet, to_bytes};
use crate::core::domains::{FONT_FILES, Typefaces};
use crate::core::pretrained::ContentScores;
use crate::core::settings::{SettingPairs, parse_pairs, to_setting_pairs};
use crate::core::train::FieldErrors;

use super::demo::{Demo, DemoModel, Reply};
use super::error::{EngineError, read_f32};
use super::protocol::{Command, Event};
use super::task::{ChartInfo, Panel, ScoreTable, SeriesInfo, Started, Task, TaskStart, TaskView};

/// Task id.
pub const ID: &str = "cyclegan";
/// Images of each domain kept out of training and scored.
pub const HELD_OUT: usize = 500;
/// Held-out images shown in each triplet panel.
pub const PANEL_COLUMNS: usize = 8;
/// Typeset digits rendered for domain Y.
pub const TYPESET_DIGITS: usize = 6000;
/// Seed of the typeset digits' digits and styles.
pub const TYPESET_SEED: u64 = 7;
/// The content classifier (reads handwritten and typeset digits), under the site root.
pub const CONTENT_CLASSIFIER: &str = "weights/content-classifier.bpk";
const SERIES_COLORS: [&str; 7] = [
    "#e4572e", "#2e86ab", "#e4572e", "#2e86ab", "#8e44ad", "#f18f01", "#3b8b5a",
];

/// What the CycleGAN task reports: its losses on three charts.
pub fn cycle_view() -> TaskView {
    let series = |ids: &[usize]| {
        ids.iter()
            .map(|&i| SeriesInfo {
                name: STEP_SERIES[i].into(),
                color: SERIES_COLORS[i].into(),
            })
            .collect()
    };
    TaskView {
        task: ID.into(),
        series: STEP_SERIES.iter().map(|s| s.to_string()).collect(),
        charts: vec![
            ChartInfo {
                title: "Cycle and identity losses".into(),
                help: "Mean absolute pixel error of the round trips F(G(x)) against x and G(F(y)) against y, and of the identity mappings G(y) and F(x) (on the [-1, 1] scale, unweighted). They fall as the generators learn to keep what the other one needs to undo them; all stay at 0 when λ = 0.".into(),
                series: series(&[2, 3, 4]),
                range: None,
            },
            ChartInfo {
                title: "Adversarial losses (least squares)".into(),
                help: "The generators' LSGAN losses mean((D(fake) − 1)²): how far G's typeset-looking digits and F's handwritten-looking ones are from being judged real. 0.25 means D scores them halfway.".into(),
                series: series(&[0, 1]),
                range: None,
            },
            ChartInfo {
                title: "Discriminator losses".into(),
                help: "½·(mean((D(real) − 1)²) + mean(D(fake)²)) for D_Y (typeset) and D_X (handwritten), averaged over the 7×7 grid of patch scores. Near 0.25 both are undecided; near 0 a discriminator wins.".into(),
                series: series(&[5, 6]),
                range: None,
            },
        ],
    }
}

/// The two domains, each split into training and held-out images.
pub struct CycleData {
    x_train: MnistSet,
    x_held: MnistSet,
    y_train: MnistSet,
    y_held: MnistSet,
}

impl CycleData {
    /// Handwritten digits `x` and typeset digits `y`; the last [`HELD_OUT`] of each are held out.
    pub fn new(x: &MnistSet, y: &MnistSet) -> Result<Self, String> {
        let split = |set: &MnistSet, name: &str| {
            if set.len() <= HELD_OUT {
                return Err(format!(
                    "the CycleGAN needs more than {HELD_OUT} {name} digits"
                ));
            }
            set.split(set.len() - HELD_OUT).map_err(|e| e.to_string())
        };
        let (x_train, x_held) = split(x, "handwritten")?;
        let (y_train, y_held) = split(y, "typeset")?;
        Ok(Self {
            x_train,
            x_held,
            y_train,
            y_held,
        })
    }

    /// The typeset domain rendered from the shipped faces (`fonts`: the bytes of
    /// [`FONT_FILES`], in order).
    pub fn typeset(fonts: &[Vec<u8>]) -> Result<MnistSet, String> {
        Typefaces::new(fonts)
            .and_then(|faces| faces.digits(TYPESET_DIGITS, TYPESET_SEED))
            .map_err(|e| e.to_string())
    }
}

/// The CycleGAN demo's model: both domains, the content classifier, the run and its twin.
pub struct CycleGan {
    device: Device,
    data: Rc<CycleData>,
    classifier: Classifier,
    main: CycleTrainer,
    twin: Option<CycleTrainer>,
}

/// The CycleGAN task as the worker and the CLI run it.
pub type CycleGanTask = Demo<CycleGan>;

/// Starts the task with its settings (the defaults, with a [`Event::Rejected`], when they are
/// invalid): fetches the digits, the fonts and the content classifier; the page then loads the
/// pretrained networks.
pub fn start_cyclegan(start: TaskStart<'_>) -> LocalBoxFuture<'_, Result<Started, String>> {
    Box::pin(async move {
        let digits = start.assets.digits().await?;
        let mut fonts = Vec::with_capacity(FONT_FILES.len());
        for f in FONT_FILES {
            fonts.push(start.assets.file(&format!("data/fonts/{f}")).await?);
        }
        let typeset = CycleData::typeset(&fonts)?;
        let classifier =
            load_classifier(&start.assets.file(CONTENT_CLASSIFIER).await?, &start.device)
                .map_err(|e| format!("{CONTENT_CLASSIFIER}: {e}"))?;
        let data = CycleData::new(&digits, &typeset)?;
        let mut events = Vec::new();
        let config = match parse_pairs(&CycleConfig::new(), &start.settings) {
            Ok(config) => config,
            Err(errors) => {
                events.push(Event::Rejected(errors));
                CycleConfig::new()
            }
        };
        let model =
            CycleGan::new(&start.device, data, classifier, config).map_err(|e| e.to_string())?;
        let task = Demo::new(ID, model, start.clock);
        Ok((Box::new(task) as Box<dyn Task>, events))
    })
}

fn twin_config(config: &CycleConfig) -> CycleConfig {
    config.clone().with_cycle_weight(0.0)
}

impl CycleGan {
    /// A fresh run of `config` (no twin) on `data`, judged by `classifier`.
    pub fn new(
        device: &Device,
        data: CycleData,
        classifier: Classifier,
        config: CycleConfig,
    ) -> Result<Self, FieldErrors> {
        let main = CycleTrainer::new(config, data.x_train.len(), data.y_train.len(), device)?;
        Ok(Self {
            device: device.clone(),
            data: Rc::new(data),
            classifier,
            main,
            twin: None,
        })
    }

    fn trainer(&self, config: CycleConfig) -> Result<CycleTrainer, FieldErrors> {
        CycleTrainer::new(
            config,
            self.data.x_train.len(),
            self.data.y_train.len(),
            &self.device,
        )
    }

    /// The run.
    pub fn main(&self) -> &CycleTrainer {
        &self.main
    }

    /// The λ = 0 twin, when one trains beside the run.
    pub fn twin(&self) -> Option<&CycleTrainer> {
        self.twin.as_ref()
    }

    /// Starts both afresh: the run with `config`, and a twin when `twin` is set.
    pub fn restart(&mut self, config: CycleConfig, twin: bool) -> Result<(), FieldErrors> {
        let main = self.trainer(config.clone())?;
        let twin = if twin {
            Some(self.trainer(twin_config(&config))?)
        } else {
            None
        };
        self.replace(main, twin);
        Ok(())
    }

    fn replace(&mut self, main: CycleTrainer, twin: Option<CycleTrainer>) {
        self.main = main;
        self.twin = twin;
    }

    /// A file name that says what the run is.
    pub fn file_name(&self) -> String {
        let c = self.main.config();
        format!(
            "cyclegan-lambda{}{}-step{}.bpk",
            c.cycle_weight,
            if self.twin.is_some() { "-twin" } else { "" },
            self.main.steps()
        )
    }

    /// The run's (and the twin's) networks as a CycleGAN file.
    ///
    /// Reads weights synchronously: call it natively or on the CPU backend.
    pub fn checkpoint(&self) -> Result<Vec<u8>, EngineError> {
        let (g, d) = (self.main.generators(), self.main.discriminators());
        let twin = self
            .twin
            .as_ref()
            .map(|t| (t.generators(), t.discriminators()));
        Ok(save_cycle(
            (self.main.config(), self.main.steps(), &g, Some(&d)),
            self.twin
                .as_ref()
                .zip(twin.as_ref())
                .map(|(t, (g, d))| (t.config(), t.steps(), g, Some(d))),
        )?)
    }

    /// Continues from a CycleGAN file (fresh optimisers; fresh discriminators where it holds
    /// none); on error the current runs are kept.
    pub fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        // Loaded straight onto the training (autodiff) device, so the parameters stay tracked.
        let file = load_cycle(bytes, &self.device.clone().autodiff())?;
        let restore = |run: CycleRun| -> Result<CycleTrainer, EngineError> {
            Ok(self
                .trainer(run.config)
                .map_err(crate::core::checkpoint::CheckpointError::from)?
                .with_networks(run.nets.generators, run.nets.discriminators, run.steps))
        };
        let main = restore(file.main)?;
        let twin = file.twin.map(restore).transpose()?;
        self.replace(main, twin);
        Ok(())
    }

    /// The triplet panels of the run (`cycle-x`, `cycle-y`) and of the twin (`twin-x`,
    /// `twin-y`): the first held-out images of each domain, their translations and their
    /// round trips, each round trip's L1 error under its column.
    pub async fn panels(&self) -> Result<Vec<Panel>, EngineError> {
        let indices: Vec<usize> = (0..PANEL_COLUMNS).collect();
        let (x, _) = self.data.x_held.batch(&indices, &self.device);
        let (y, _) = self.data.y_held.batch(&indices, &self.device);
        let mut panels = Vec::new();
        let runs = std::iter::once(("cycle", "", &self.main))
            .chain(self.twin.as_ref().map(|t| ("twin", " (λ = 0 twin)", t)));
        for (prefix, suffix, trainer) in runs {
            let nets = trainer.generators();
            let step = trainer.steps();
            for (side, images, there, back, rows) in [
                (
                    "x",
                    &x,
                    &nets.g,
                    &nets.f,
                    ["x (handwritten)", "G(x)", "F(G(x))"],
                ),
                (
                    "y",
                    &y,
                    &nets.f,
                    &nets.g,
                    ["y (typeset)", "F(y)", "G(F(y))"],
                ),
            ] {
                panels.push(triplet(images.clone(), there, back).await.map(
                    |(pixels, errors)| Panel {
                        name: format!("{prefix}-{side}"),
                        title: format!("{} → {} → {}{suffix}", rows[0], rows[1], rows[2]),
                        step,
                        side: crate::core::data::IMAGE_SIDE,
                        columns: PANEL_COLUMNS,
                        pixels,
                        row_labels: Some(rows.iter().map(|r| r.to_string()).collect()),
                        captions: Some(errors.iter().map(|e| format!("{e:.3}")).collect()),
                        channels: 1,
                    },
                )?);
            }
        }
        Ok(panels)
    }

    /// One digit (28×28 grey bytes, white on black) translated both ways by the run (panel
    /// `drawn`) and by the twin (`drawn-twin`): the digit, G(·), F(G(·)), F(·), G(F(·)), each
    /// captioned with the digit the content classifier reads.
    pub async fn translate(&self, pixels: &[u8]) -> Result<Vec<Panel>, EngineError> {
        if pixels.len() != IMAGE_PIXELS {
            return Err(EngineError::Shape(format!(
                "a digit to translate has 28×28 = {IMAGE_PIXELS} grey values, not {}",
                pixels.len()
            )));
        }
        let input = MnistSet::from_parts(vec![0], pixels.to_vec())
            .map_err(|e| EngineError::Shape(e.to_string()))?;
        let (x, _) = input.batch(&[0], &self.device);
        let mut panels = Vec::new();
        let runs = std::iter::once(("drawn", "", &self.main)).chain(
            self.twin
                .as_ref()
                .map(|t| ("drawn-twin", " (λ = 0 twin)", t)),
        );
        for (name, suffix, trainer) in runs {
            let nets = trainer.generators();
            let g = nets.g.forward(x.clone());
            let f = nets.f.forward(x.clone());
            let images = Tensor::cat(
                vec![
                    x.clone(),
                    g.clone(),
                    nets.f.forward(g),
                    f.clone(),
                    nets.g.forward(f),
                ],
                0,
            );
            let reads = self
                .classifier
                .forward(images.clone().clamp(-1.0, 1.0))
                .argmax(1);
            let values = read_f32(images).await?;
            let reads = read_f32(reads.float().reshape([5, 1, 1, 1])).await?;
            let captions = ["yours", "G", "F∘G", "F", "G∘F"]
                .iter()
                .zip(&reads)
                .map(|(what, d)| format!("{what}: {d:.0}"))
                .collect();
            panels.push(Panel {
                name: name.into(),
                title: format!(
                    "Your digit, G(·) as typeset, F(G(·)), F(·) as handwriting, G(F(·)){suffix}"
                ),
                step: trainer.steps(),
                side: crate::core::data::IMAGE_SIDE,
                columns: 5,
                pixels: to_bytes(&values),
                row_labels: None,
                captions: Some(captions),
                channels: 1,
            });
        }
        Ok(panels)
    }

    /// Content preservation and round-trip error of the run (and the twin) on every held-out
    /// image of both domains.
    pub async fn content(&self, trainer: &CycleTrainer) -> Result<ContentScores, EngineError> {
        let nets = trainer.generators();
        let (kept_xy, cycle_x) = kept(
            &self.classifier,
            &self.data.x_held,
            &nets.g,
            &nets.f,
            &self.device,
        )
        .await?;
        let (kept_yx, cycle_y) = kept(
            &self.classifier,
            &self.data.y_held,
            &nets.f,
            &nets.g,
            &self.device,
        )
        .await?;
        Ok(ContentScores {
            kept_xy,
            kept_yx,
            cycle_x,
            cycle_y,
        })
    }

    /// The score table: one row for the run, one for the twin.
    pub async fn scores(&self) -> Result<ScoreTable, EngineError> {
        let row = |name: String, s: ContentScores| {
            (
                name,
                vec![s.kept_xy * 100.0, s.kept_yx * 100.0, s.cycle_x, s.cycle_y],
            )
        };
        let mut rows = vec![row(
            format!("λ = {}", self.main.config().cycle_weight),
            self.content(&self.main).await?,
        )];
        if let Some(twin) = &self.twin {
            rows.push(row("λ = 0 twin".into(), self.content(twin).await?));
        }
        Ok(ScoreTable {
            name: "content".into(),
            title: format!("Content preservation ({} held-out digits per domain)", HELD_OUT),
            help: "The share of held-out digits that the content classifier (trained on handwritten and typeset digits, 97.6% / 99.8% accurate) reads as the same digit before and after translation, in each direction, and the mean L1 error of each round trip. Without the cycle loss (λ = 0) nothing ties the translation to its input's digit.".into(),
            step: self.main.steps(),
            columns: vec![
                "digit kept x→y (%)".into(),
                "digit kept y→x (%)".into(),
                "cycle L1 x".into(),
                "cycle L1 y".into(),
            ],
            rows,
        })
    }
}

/// Pixels of `images`, `there(images)` and `back(there(images))` as three rows, and each
/// round trip's L1 error.
async fn triplet(
    images: Tensor<4>,
    there: &CycleGenerator,
    back: &CycleGenerator,
) -> Result<(Vec<u8>, Vec<f32>), EngineError> {
    let translated = there.forward(images.clone());
    let round = back.forward(translated.clone());
    let errors = l1_per_image(round.clone(), images.clone());
    let n = images.dims()[0];
    let values = read_f32(Tensor::cat(vec![images, translated, round], 0)).await?;
    if values.len() != 3 * n * IMAGE_PIXELS {
        return Err(EngineError::Shape(format!("{} pixels", values.len())));
    }
    let errors = read_f32(errors.reshape([n, 1, 1, 1])).await?;
    Ok((to_bytes(&values), errors))
}

/// Share of `set` whose digit survives `there`, and the mean round-trip L1 error through `back`.
async fn kept(
    classifier: &Classifier,
    set: &MnistSet,
    there: &CycleGenerator,
    back: &CycleGenerator,
    device: &Device,
) -> Result<(f32, f32), EngineError> {
    let all: Vec<usize> = (0..set.len()).collect();
    let (mut same, mut count, mut l1_sum) = (0.0f64, 0.0f64, 0.0f64);
    for chunk in all.chunks(100) {
        let (images, _) = set.batch(chunk, device);
        let translated = there.forward(images.clone());
        let round = back.forward(translated.clone());
        let l1 = l1_per_image(round, images.clone()).sum();
        let counts = same_digit(classifier, images, translated).float();
        let values = read_f32(Tensor::cat(vec![counts, l1], 0)).await?;
        let [s, n, e] = values[..] else {
            return Err(EngineError::Shape(format!("{} scores", values.len())));
        };
        same += s as f64;
        count += n as f64;
        l1_sum += e as f64;
    }
    let n = count.max(1.0);
    Ok(((same / n) as f32, (l1_sum / n) as f32))
}

impl DemoModel for CycleGan {
    fn steps(&self) -> u64 {
        self.main.steps()
    }

    fn step(&mut self) -> Tensor<1> {
        let stats = self.main.step(&self.data.x_train, &self.data.y_train);
        if let Some(twin) = self.twin.as_mut() {
            // The twin's statistics are not charted; its content preservation is scored.
            let _ = twin.step(&self.data.x_train, &self.data.y_train);
        }
        stats
    }

    fn images_per_step(&self) -> f32 {
        // Each step translates a batch of each domain (and back).
        self.main.config().batch_size as f32 * 2.0
    }

    fn view(&self) -> TaskView {
        cycle_view()
    }

    fn settings(&self) -> SettingPairs {
        to_setting_pairs(self.main.config())
    }

    fn scores_every(&self) -> u32 {
        200
    }

    /// Fresh networks with `settings` (and a fresh twin, if one is racing).
    fn reset(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors> {
        let config = parse_pairs(&CycleConfig::new(), settings)?;
        self.restart(config, self.twin.is_some())
    }

    /// The live settings reach the run and the twin, whose λ stays 0.
    fn update(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors> {
        let requested = parse_pairs(self.main.config(), settings)?;
        self.main.update_live(&requested)?;
        if let Some(twin) = self.twin.as_mut() {
            // Valid for the run, so valid with λ = 0.
            twin.update_live(&twin_config(&requested))?;
        }
        Ok(())
    }

    fn panels(&self) -> LocalBoxFuture<'_, Result<Vec<Panel>, EngineError>> {
        Box::pin(CycleGan::panels(self))
    }

    fn scores(&self) -> LocalBoxFuture<'_, Result<ScoreTable, EngineError>> {
        Box::pin(CycleGan::scores(self))
    }

    fn checkpoint(&self) -> Result<Vec<u8>, EngineError> {
        CycleGan::checkpoint(self)
    }

    fn file_name(&self) -> String {
        CycleGan::file_name(self)
    }

    fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        CycleGan::load(self, bytes)
    }

    /// `Twin(true)` restarts both runs, `Twin(false)` drops the twin (the run goes on, charts
    /// and all), `Translate` answers with the drawn digit's panels.
    fn command(&mut self, command: &Command) -> LocalBoxFuture<'_, Option<Reply>> {
        let command = command.clone();
        Box::pin(async move {
            match command {
                Command::Twin(true) => Some(match self.restart(self.main.config().clone(), true) {
                    Ok(()) => Reply::Restarted,
                    Err(errors) => Reply::Events(vec![Event::Rejected(errors)]),
                }),
                Command::Twin(false) => {
                    self.twin = None;
                    Some(Reply::Refresh)
                }
                Command::Translate(pixels) => {
                    Some(Reply::Events(match self.translate(&pixels).await {
                        Ok(panels) => panels
                            .into_iter()
                            .map(|panel| Event::Panel { panel, stats: None })
                            .collect(),
                        Err(e) => vec![Event::Error(e.into())],
                    }))
                }
                _ => None,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::ErrorKind;

    fn clock() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }

    fn bars(n: usize, width: usize) -> MnistSet {
        let mut pixels = vec![0u8; n * IMAGE_PIXELS];
        for i in 0..n {
            let x0 = 4 + i % 14;
            for y in 4..24 {
                for x in x0..(x0 + width).min(28) {
                    pixels[i * IMAGE_PIXELS + y * 28 + x] = 255;
                }
            }
        }
        MnistSet::from_parts((0..n).map(|i| (i % 10) as u8).collect(), pixels).unwrap()
    }

    fn task() -> CycleGanTask {
        let device = Device::default();
        let data = CycleData::new(&bars(HELD_OUT + 20, 2), &bars(HELD_OUT + 20, 5)).unwrap();
        let config = CycleConfig::new()
            .with_channels(2)
            .with_blocks(0)
            .with_batch_size(2);
        let classifier = load_classifier(
            &std::fs::read(format!("www/{CONTENT_CLASSIFIER}")).unwrap(),
            &device,
        )
        .unwrap();
        Demo::new(
            ID,
            CycleGan::new(&device, data, classifier, config).unwrap(),
            clock,
        )
    }

    fn panels(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Panel { panel, .. } => Some(panel.name.clone()),
                _ => None,
            })
            .collect()
    }

    fn score_rows(events: &[Event]) -> Option<usize> {
        events.iter().find_map(|e| match e {
            Event::Scores(t) => Some(t.rows.len()),
            _ => None,
        })
    }

    #[test]
    fn triplets_scores_twin_and_files() {
        let mut task = task();
        let events = pollster::block_on(task.fresh_state());
        assert!(matches!(events[0], Event::Started { step: 0, .. }));
        assert_eq!(panels(&events), ["cycle-x", "cycle-y"]);
        let Event::Panel { panel, .. } = &events[1] else {
            panic!("{:?}", events[1])
        };
        assert_eq!(panel.pixels.len(), 3 * PANEL_COLUMNS * IMAGE_PIXELS);
        assert_eq!(panel.captions.as_ref().map(Vec::len), Some(PANEL_COLUMNS));
        assert_eq!(score_rows(&events), Some(1));
        // The twin: both restart, four panels, two score rows, and both step.
        let events = pollster::block_on(task.handle(Command::Twin(true)));
        assert_eq!(panels(&events), ["cycle-x", "cycle-y", "twin-x", "twin-y"]);
        assert_eq!(score_rows(&events), Some(2));
        let events = pollster::block_on(task.handle(Command::Step));
        assert!(
            matches!(&events[0], Event::Progress { records, .. } if records.len() == 1 && records[0].values.len() == STEP_SERIES.len())
        );
        assert_eq!(task.model.twin().map(|t| t.steps()), Some(1));
        assert_eq!(
            task.model.twin().map(|t| t.config().cycle_weight),
            Some(0.0)
        );
        // Live settings reach both, and the twin keeps λ = 0.
        let events = pollster::block_on(task.handle(Command::Update(vec![
            ("lr_g".into(), "0.001".into()),
            ("cycle_weight".into(), "5".into()),
        ])));
        assert!(matches!(&events[0], Event::Applied { .. }));
        assert_eq!(
            task.model
                .twin()
                .map(|t| (t.config().lr_g, t.config().cycle_weight)),
            Some((0.001, 0.0))
        );
        assert_eq!(task.model.main().config().cycle_weight, 5.0);
        // Files keep both runs.
        let bytes = task.model.checkpoint().unwrap();
        let before = pollster::block_on(task.model.scores()).unwrap();
        let mut other = self::task();
        other.model.load(&bytes).unwrap();
        assert_eq!(other.model.main().steps(), 1);
        assert!(other.model.twin().is_some());
        assert_eq!(
            pollster::block_on(other.model.scores()).unwrap().rows,
            before.rows
        );
        assert!(task.model.file_name().contains("twin"));
        // A wrong file is refused and the runs are kept.
        let events = pollster::block_on(other.handle(Command::LoadCheckpoint {
            bytes: vec![1, 2, 3],
        }));
        assert!(matches!(&events[0], Event::Error(e) if e.kind == ErrorKind::Checkpoint));
        assert!(other.model.twin().is_some());
        let events = pollster::block_on(
            other.handle(Command::Reset(vec![("batch_size".into(), "0".into())])),
        );
        assert!(matches!(&events[0], Event::Rejected(_)));
        assert_eq!(other.model.main().steps(), 1);
        // A digit is translated both ways by both runs; a wrong-sized one is refused.
        let events =
            pollster::block_on(other.handle(Command::Translate(bars(1, 3).image(0).to_vec())));
        assert_eq!(panels(&events), ["drawn", "drawn-twin"]);
        let Event::Panel { panel, .. } = &events[0] else {
            panic!("{:?}", events[0])
        };
        assert_eq!(panel.pixels.len(), 5 * IMAGE_PIXELS);
        assert_eq!(panel.pixels[..IMAGE_PIXELS], bars(1, 3).image(0)[..]);
        assert!(
            panel
                .captions
                .as_ref()
                .is_some_and(|c| c.len() == 5 && c[0].starts_with("yours: "))
        );
        let events = pollster::block_on(other.handle(Command::Translate(vec![0; 10])));
        assert!(matches!(&events[0], Event::Error(e) if e.message.contains("784")));
        // Dropping the twin keeps the run.
        let events = pollster::block_on(other.handle(Command::Twin(false)));
        assert_eq!(panels(&events), ["cycle-x", "cycle-y"]);
        assert_eq!(other.model.main().steps(), 1);
        let events = pollster::block_on(other.handle(Command::Generate { seed: 1 }));
        assert!(matches!(&events[0], Event::Error(e) if e.kind == ErrorKind::Unsupported));
    }

    #[test]
    fn the_typeset_domain_is_rendered_from_the_shipped_faces() {
        let fonts: Vec<Vec<u8>> = FONT_FILES
            .iter()
            .map(|f| std::fs::read(format!("www/data/fonts/{f}")).unwrap())
            .collect();
        let set = CycleData::typeset(&fonts).unwrap();
        assert_eq!(set.len(), TYPESET_DIGITS);
        assert!(CycleData::typeset(&[]).is_err());
    }
}
