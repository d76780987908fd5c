//! The CycleGAN task: unpaired translation between handwritten (MNIST) digits and typeset or
//! colour digits.
//! Shows fixed held-out triplets x → G(x) → F(G(x)) and y → F(y) → G(F(y)) with each
//! reconstruction's L1 error, the losses, and *content preservation* (the share of held-out
//! digits the content classifier reads the same before and after translation) for the run and,
//! on request, for a λ = 0 twin trained beside it.

use std::sync::Arc;

use burn::prelude::*;
use futures::future::LocalBoxFuture;

use crate::core::checkpoint::{CycleRun, load_classifier, load_cycle, save_cycle};
use crate::core::classifier::Classifier;
use crate::core::colour_digits::ColourSet;
use crate::core::cyclegan::{
    CycleConfig, CycleGenerator, CycleTrainer, Domain, DomainSet, STEP_SERIES, l1_per_image,
    readable, same_digit,
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
/// Seed of the colour digits' styles.
pub const COLOUR_SEED: u64 = 12;
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
                help: "Mean absolute pixel error of the round trips F(G(x)) against x and G(F(y)) against y, and of the identity mappings G(y) and F(x) (for colour digits F's alone, given x white on black and black on white; on the [-1, 1] scale, unweighted). They fall as the generators learn to keep what the other one needs to undo them; all stay at 0 when λ = 0.".into(),
                series: series(&[2, 3, 4]),
                range: None,
            },
            ChartInfo {
                title: "Adversarial losses (least squares)".into(),
                help: "The generators' LSGAN losses mean((D(fake) − 1)²): how far G's translations into domain Y (typeset or colour digits) and F's handwritten-looking ones are from being judged real. 0.25 means D scores them halfway.".into(),
                series: series(&[0, 1]),
                range: None,
            },
            ChartInfo {
                title: "Discriminator losses".into(),
                help: "½·(mean((D(real) − 1)²) + mean(D(fake)²)) for D_Y (domain Y) and D_X (handwritten), averaged over the 7×7 grid of patch scores. Near 0.25 both are undecided; near 0 a discriminator wins.".into(),
                series: series(&[5, 6]),
                range: None,
            },
        ],
    }
}

/// Handwritten digits and one domain Y, each split into training and held-out images.
pub struct DomainPair {
    x_train: DomainSet,
    x_held: DomainSet,
    y_train: DomainSet,
    y_held: DomainSet,
}

impl DomainPair {
    /// Handwritten digits `x` and domain `y`; the last [`HELD_OUT`] of each are held out.
    pub fn new(x: DomainSet, y: DomainSet) -> Result<Self, String> {
        let split = |set: &DomainSet, name: &str| {
            set.split(set.len().saturating_sub(HELD_OUT))
                .filter(|_| set.len() > HELD_OUT)
                .ok_or_else(|| format!("the CycleGAN needs more than {HELD_OUT} {name} digits"))
        };
        let (x_train, x_held) = split(&x, "handwritten")?;
        let (y_train, y_held) = split(&y, "domain Y")?;
        Ok(Self {
            x_train,
            x_held,
            y_train,
            y_held,
        })
    }
}

/// Both domain pairs: handwritten ↔ typeset and handwritten ↔ colour digits.
pub struct CycleData {
    typeset: DomainPair,
    colour: DomainPair,
}

impl CycleData {
    /// From the handwritten `digits` and the `typeset` ones (see [`CycleData::typeset_domains`]
    /// and [`CycleData::colour_domains`]).
    pub fn new(digits: &MnistSet, typeset: &MnistSet) -> Result<Self, String> {
        let (x, y) = Self::typeset_domains(digits, typeset);
        let typeset = DomainPair::new(x, y)?;
        let (x, y) = Self::colour_domains(digits)?;
        Ok(Self {
            typeset,
            colour: DomainPair::new(x, y)?,
        })
    }

    /// Handwritten ↔ typeset: every handwritten digit against the typeset ones.
    pub fn typeset_domains(digits: &MnistSet, typeset: &MnistSet) -> (DomainSet, DomainSet) {
        (
            DomainSet::Grey(digits.clone()),
            DomainSet::Grey(typeset.clone()),
        )
    }

    /// Handwritten ↔ colour: the handwritten digits split so that no colour digit has its own
    /// strokes in domain X, and so that both held-out parts (the last [`HELD_OUT`] of each
    /// domain) come from the last fifth, which the content classifier never trained on. Of
    /// 10,000 digits: X is 4,000–7,999 then 9,500–9,999 held out; Y is 0–3,999 then
    /// 9,000–9,499 held out, coloured with [`COLOUR_SEED`].
    pub fn colour_domains(digits: &MnistSet) -> Result<(DomainSet, DomainSet), String> {
        let n = digits.len();
        let part = |from: usize, to: usize| -> Result<MnistSet, String> {
            let (head, _) = digits.split(to).map_err(|e| e.to_string())?;
            Ok(head.split(from).map_err(|e| e.to_string())?.1)
        };
        let (x, y) = (
            part(n * 2 / 5, n * 4 / 5)?.join(&part(n * 19 / 20, n)?),
            part(0, n * 2 / 5)?.join(&part(n * 9 / 10, n * 19 / 20)?),
        );
        Ok((
            DomainSet::Grey(x),
            DomainSet::Colour(ColourSet::from_digits(&y, COLOUR_SEED)),
        ))
    }

    /// The pair of `domain`.
    pub fn pair(&self, domain: Domain) -> &DomainPair {
        match domain {
            Domain::Typeset => &self.typeset,
            Domain::Colour => &self.colour,
        }
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
    data: Arc<CycleData>,
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
        let task = Demo::new(ID, model, start.clock).with_compute(start.compute);
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
        let pair = data.pair(config.domain);
        let main = CycleTrainer::new(config, pair.x_train.len(), pair.y_train.len(), device)?;
        Ok(Self {
            device: device.clone(),
            data: Arc::new(data),
            classifier,
            main,
            twin: None,
        })
    }

    fn trainer(&self, config: CycleConfig) -> Result<CycleTrainer, FieldErrors> {
        let pair = self.data.pair(config.domain);
        CycleTrainer::new(config, pair.x_train.len(), pair.y_train.len(), &self.device)
    }

    /// The run's domain Y.
    pub fn domain(&self) -> Domain {
        self.main.config().domain
    }

    fn pair(&self) -> &DomainPair {
        self.data.pair(self.domain())
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
            "cyclegan-{}-lambda{}{}-step{}.bpk",
            c.domain.id(),
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
        if let Some(twin) = &file.twin
            && twin.config.domain != file.main.config.domain
        {
            return Err(crate::core::checkpoint::CheckpointError::Config(format!(
                "the run translates to {} digits but its twin to {} digits",
                file.main.config.domain.noun(),
                twin.config.domain.noun()
            ))
            .into());
        }
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
        let pair = self.pair();
        let x = pair.x_held.batch(&indices, &self.device);
        let y = pair.y_held.batch(&indices, &self.device);
        let channels = self.domain().channels();
        let y_name = format!("y ({})", self.domain().noun());
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
                    [y_name.as_str(), "F(y)", "G(F(y))"],
                ),
            ] {
                panels.push(triplet(images.clone(), there, back, channels).await.map(
                    |(pixels, errors)| Panel {
                        name: format!("{prefix}-{side}"),
                        title: format!("{} → {} → {}{suffix}", rows[0], rows[1], rows[2]),
                        step,
                        side: crate::core::data::IMAGE_SIDE,
                        columns: PANEL_COLUMNS,
                        pixels,
                        row_labels: Some(rows.iter().map(|r| r.to_string()).collect()),
                        captions: Some(errors.iter().map(|e| format!("{e:.3}")).collect()),
                        channels,
                    },
                )?);
            }
        }
        Ok(panels)
    }

    /// One digit (28×28 grey bytes, white on black) translated both ways by the run (panel
    /// `drawn`) and by the twin (`drawn-twin`): the digit, G(·), F(G(·)), F(·), G(F(·)), each
    /// captioned with the digit the content classifier reads. F of colour digits is given the
    /// digit as a colour image (white on black in every channel).
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
        let domain = self.domain();
        let channels = domain.channels();
        let x_as_y = x.clone().repeat_dim(1, channels);
        let mut panels = Vec::new();
        let runs = std::iter::once(("drawn", "", &self.main)).chain(
            self.twin
                .as_ref()
                .map(|t| ("drawn-twin", " (λ = 0 twin)", t)),
        );
        for (name, suffix, trainer) in runs {
            let nets = trainer.generators();
            let g = nets.g.forward(x.clone());
            let f = nets.f.forward(x_as_y.clone());
            let images = [
                x.clone(),
                g.clone(),
                nets.f.forward(g),
                f.clone(),
                nets.g.forward(f),
            ];
            let reads = Tensor::cat(
                images
                    .iter()
                    .map(|i| readable(i.clone().clamp(-1.0, 1.0)))
                    .collect(),
                0,
            );
            let reads = self.classifier.forward(reads).argmax(1);
            let values = read_images(images.to_vec(), channels).await?;
            let reads = read_f32(reads.float().reshape([5, 1, 1, 1])).await?;
            let captions = ["yours", "G", "F∘G", "F", "G∘F"]
                .iter()
                .zip(&reads)
                .map(|(what, d)| format!("{what}: {d:.0}"))
                .collect();
            panels.push(Panel {
                name: name.into(),
                title: format!(
                    "Your digit, G(·) as {}, F(G(·)), F(·) as handwriting, G(F(·)){suffix}",
                    domain.noun()
                ),
                step: trainer.steps(),
                side: crate::core::data::IMAGE_SIDE,
                columns: 5,
                pixels: to_bytes(&values),
                row_labels: None,
                captions: Some(captions),
                channels,
            });
        }
        Ok(panels)
    }

    /// Content preservation and round-trip error of the run (and the twin) on every held-out
    /// image of both domains.
    pub async fn content(&self, trainer: &CycleTrainer) -> Result<ContentScores, EngineError> {
        let nets = trainer.generators();
        let pair = self.pair();
        let (kept_xy, cycle_x) = kept(
            &self.classifier,
            &pair.x_held,
            &nets.g,
            &nets.f,
            &self.device,
        )
        .await?;
        let (kept_yx, cycle_y) = kept(
            &self.classifier,
            &pair.y_held,
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
            help: "The share of held-out digits that the content classifier (trained on handwritten and typeset digits, 97.6% / 99.8% accurate; it reads colour digits through their strokes' brightness against the background, 97.6% accurate) reads as the same digit before and after translation, in each direction, and the mean L1 error of each round trip. Without the cycle loss (λ = 0) nothing ties the translation to its input's digit.".into(),
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

/// The values of `images` (each `[B, 1 or 3, 28, 28]`) one after the other, as `channels`
/// channels (grey ones repeated into RGB; RGB interleaved).
async fn read_images(images: Vec<Tensor<4>>, channels: usize) -> Result<Vec<f32>, EngineError> {
    let all = Tensor::cat(
        images
            .into_iter()
            .map(|i| {
                let c = i.dims()[1];
                if c == channels {
                    i
                } else {
                    i.repeat_dim(1, channels / c)
                }
            })
            .collect(),
        0,
    );
    read_f32(all.permute([0, 2, 3, 1])).await
}

/// Pixels of `images`, `there(images)` and `back(there(images))` as three rows of `channels`
/// channels, and each round trip's L1 error.
async fn triplet(
    images: Tensor<4>,
    there: &CycleGenerator,
    back: &CycleGenerator,
    channels: usize,
) -> Result<(Vec<u8>, Vec<f32>), EngineError> {
    let translated = there.forward(images.clone());
    let round = back.forward(translated.clone());
    let errors = l1_per_image(round.clone(), images.clone());
    let n = images.dims()[0];
    let values = read_images(vec![images, translated, round], channels).await?;
    if values.len() != 3 * n * IMAGE_PIXELS * channels {
        return Err(EngineError::Shape(format!("{} pixels", values.len())));
    }
    let errors = read_f32(errors.reshape([n, 1, 1, 1])).await?;
    Ok((to_bytes(&values), errors))
}

/// Share of `set` whose digit survives `there`, and the mean round-trip L1 error through `back`.
async fn kept(
    classifier: &Classifier,
    set: &DomainSet,
    there: &CycleGenerator,
    back: &CycleGenerator,
    device: &Device,
) -> Result<(f32, f32), EngineError> {
    let all: Vec<usize> = (0..set.len()).collect();
    let (mut same, mut count, mut l1_sum) = (0.0f64, 0.0f64, 0.0f64);
    for chunk in all.chunks(100) {
        let images = set.batch(chunk, device);
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
        let pair = self.data.pair(self.main.config().domain);
        let stats = self.main.step(&pair.x_train, &pair.y_train);
        if let Some(twin) = self.twin.as_mut() {
            // The twin's statistics are not charted; its content preservation is scored.
            let _ = twin.step(&pair.x_train, &pair.y_train);
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
        let data = CycleData::new(&bars(12 * HELD_OUT, 2), &bars(HELD_OUT + 20, 5)).unwrap();
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
    fn colour_digits_give_rgb_panels_and_files_that_keep_their_domain() {
        let mut task = task();
        let events = pollster::block_on(task.handle(Command::Reset(vec![
            ("domain".into(), "colour".into()),
            ("channels".into(), "2".into()),
            ("blocks".into(), "0".into()),
            ("batch_size".into(), "2".into()),
        ])));
        assert_eq!(task.model.domain(), Domain::Colour);
        let triplet = events.iter().find_map(|e| match e {
            Event::Panel { panel, .. } if panel.name == "cycle-y" => Some(panel.clone()),
            _ => None,
        });
        let triplet = triplet.unwrap();
        assert_eq!(triplet.channels, 3);
        assert_eq!(triplet.pixels.len(), 3 * PANEL_COLUMNS * IMAGE_PIXELS * 3);
        assert_eq!(triplet.row_labels.as_ref().unwrap()[0], "y (colour)");
        // Grey rows are repeated into RGB: x's first image has equal channels.
        let Some(Event::Panel { panel: x, .. }) = events
            .iter()
            .find(|e| matches!(e, Event::Panel { panel, .. } if panel.name == "cycle-x"))
        else {
            panic!("no cycle-x panel")
        };
        assert!(
            x.pixels[..IMAGE_PIXELS * 3]
                .chunks(3)
                .all(|p| p[0] == p[1] && p[1] == p[2])
        );
        pollster::block_on(task.handle(Command::Twin(true)));
        pollster::block_on(task.handle(Command::Step));
        let events =
            pollster::block_on(task.handle(Command::Translate(bars(1, 3).image(0).to_vec())));
        let Event::Panel { panel, .. } = &events[0] else {
            panic!("{:?}", events[0])
        };
        assert_eq!(
            (panel.channels, panel.pixels.len()),
            (3, 5 * IMAGE_PIXELS * 3)
        );
        assert!(task.model.file_name().starts_with("cyclegan-colour-"));
        // The file brings its domain back into a task that runs typeset digits.
        let bytes = task.model.checkpoint().unwrap();
        let mut other = self::task();
        other.model.load(&bytes).unwrap();
        assert_eq!(other.model.domain(), Domain::Colour);
        assert_eq!(
            other.model.twin().map(|t| t.config().domain),
            Some(Domain::Colour)
        );
        assert_eq!(
            pollster::block_on(other.model.scores()).unwrap().rows,
            pollster::block_on(task.model.scores()).unwrap().rows
        );
    }

    #[test]
    fn a_file_whose_twin_translates_to_another_domain_is_refused_and_the_runs_are_kept() {
        let device = Device::default();
        let small = CycleConfig::new().with_channels(2).with_blocks(0);
        let (colour, typeset) = (small.clone().with_domain(Domain::Colour), small);
        let (g_colour, g_typeset) = (
            colour.init_generators(&device),
            typeset.init_generators(&device),
        );
        let bytes = save_cycle(
            (&colour, 3, &g_colour, None),
            Some((&typeset.clone().with_cycle_weight(0.0), 3, &g_typeset, None)),
        )
        .unwrap();
        let mut task = task();
        pollster::block_on(task.handle(Command::Step));
        let error = task.model.load(&bytes).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("colour digits but its twin to typeset"),
            "{error}"
        );
        assert_eq!(
            (task.model.domain(), task.model.main().steps()),
            (Domain::Typeset, 1)
        );
    }

    #[test]
    fn colour_held_out_digits_are_ones_the_content_classifier_never_trained_on() {
        // The classifier trained on the first 8,000 of the shipped digits.
        let digits = MnistSet::decode(&std::fs::read("www/data/mnist.bin").unwrap()).unwrap();
        let (x, y) = CycleData::colour_domains(&digits).unwrap();
        assert_eq!((x.len(), y.len()), (4500, 4500));
        let (DomainSet::Grey(x), DomainSet::Colour(y)) = (x, y) else {
            panic!("X is grey, Y colour")
        };
        assert_eq!(x.image(4000), digits.image(9500));
        assert_eq!(x.image(0), digits.image(4000));
        assert_eq!(y.labels()[4000..], digits.labels()[9000..9500]);
        assert_eq!(y.labels()[..4000], digits.labels()[..4000]);
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
