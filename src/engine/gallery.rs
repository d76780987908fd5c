//! The gallery task: draws from a trained generator (a shipped generator file or any GAN
//! checkpoint): grids by seed and truncation, a conditional model's digits, spherical
//! interpolation between two samples (a label morph between two digits), a 2-D latent pad, the
//! truncation trade-off measured by the classifier, and samples exported as `.npy`.

use std::cell::RefCell;

use burn::prelude::*;
use futures::future::LocalBoxFuture;
use npyz::WriterBuilder;

use crate::core::checkpoint::{SamplerFile, load_sampler};
use crate::core::classifier::Classifier;
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES, to_bytes};
use crate::core::latent::{plane_point, plane_towards, random_plane, slerp, truncated_normal};
use crate::core::metrics::QualityMetrics;
use crate::core::models::{Conditioning, LabelInput};
use crate::core::settings::to_setting_pairs;

use super::error::{EngineError, read_f32};
use super::evaluate::{
    REAL_REFERENCE, evaluate_generator, generate_samples, judged_panel, real_feature_stats,
};
use super::protocol::{Command, ErrorKind, Event, WorkerError};
use super::task::{
    AssetSource, GALLERY_TASK, Panel, Started, Task, TaskStart, TaskView, unsupported,
};

/// Images per grid row, and cells of an unconditional grid.
pub const COLUMNS: usize = 8;
/// Cells of an unconditional grid.
pub const GRID: usize = 64;
/// Truncations of the trade-off chart (`None`: untruncated).
pub const SWEEP: [Option<f32>; 7] = [
    Some(0.25),
    Some(0.5),
    Some(0.75),
    Some(1.0),
    Some(1.5),
    Some(2.0),
    None,
];
/// Samples judged per truncation of the trade-off chart.
pub const SWEEP_SAMPLES: usize = 500;
/// Most samples one export draws.
pub const MAX_EXPORT: u32 = 10_000;

/// What one cell of the grid is drawn from: a latent vector and the digit weights.
#[derive(Clone, Debug, PartialEq)]
struct Cell {
    z: Vec<f32>,
    /// Weights over the ten digits (conditional models).
    label: Option<Vec<f32>>,
}

fn one_hot(digit: u8) -> Vec<f32> {
    (0..NUM_CLASSES)
        .map(|d| if d == digit as usize { 1.0 } else { 0.0 })
        .collect()
}

/// The gallery's state.
pub struct Gallery {
    device: Device,
    /// Fetched after the first grid, which is shown before its verdict (a first visit
    /// downloads less before the first samples appear).
    classifier: Option<Classifier>,
    /// Panels shown without their verdict, judged (latest per panel name) once the classifier
    /// is here.
    unjudged: RefCell<Vec<(Tensor<4>, Panel)>>,
    model: Option<SamplerFile>,
    seed: u64,
    truncation: Option<f32>,
    digits: Vec<u8>,
}

/// Starts the gallery with its settings: `seed`, `psi` (a threshold or `none`) and `digits`
/// (e.g. `37`); the page loads a model next. Unreadable settings are reported and skipped.
pub fn start_gallery(start: TaskStart<'_>) -> LocalBoxFuture<'_, Result<Started, String>> {
    Box::pin(async move {
        let mut gallery = Gallery::new(&start.device, None);
        let mut events = Vec::new();
        for (key, value) in &start.settings {
            if let Err(message) = gallery.set(key, value) {
                events.push(Event::Error(error(ErrorKind::Malformed, message)));
            }
        }
        Ok((Box::new(gallery) as Box<dyn Task>, events))
    })
}

fn error(kind: ErrorKind, message: impl Into<String>) -> WorkerError {
    WorkerError::new(kind, message)
}

impl Gallery {
    /// A gallery with no model yet (and the classifier, if the host has it already).
    pub fn new(device: &Device, classifier: Option<Classifier>) -> Self {
        Self {
            device: device.clone(),
            classifier,
            unjudged: RefCell::new(Vec::new()),
            model: None,
            seed: 1,
            truncation: None,
            digits: (0..NUM_CLASSES as u8).collect(),
        }
    }

    /// Applies one setting (`seed`, `psi`, `digits`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "seed" => {
                self.seed = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("seed “{value}” is not a whole number"))?
            }
            "psi" => {
                self.truncation = match value.trim() {
                    "" | "none" => None,
                    text => match text.parse::<f32>() {
                        Ok(t) if t.is_finite() && t > 0.0 => Some(t),
                        _ => return Err(format!("ψ “{value}” is not a number above 0")),
                    },
                }
            }
            "digits" => {
                let digits: Vec<u8> = value
                    .chars()
                    .filter_map(|c| c.to_digit(10).map(|d| d as u8))
                    .collect();
                if !digits.is_empty() {
                    self.choose_digits(digits);
                }
            }
            other => return Err(format!("the gallery has no setting “{other}”")),
        }
        Ok(())
    }

    fn choose_digits(&mut self, digits: Vec<u8>) {
        let mut digits: Vec<u8> = digits.into_iter().filter(|&d| d < 10).collect();
        digits.sort_unstable();
        digits.dedup();
        self.digits = if digits.is_empty() {
            (0..NUM_CLASSES as u8).collect()
        } else {
            digits
        };
    }

    fn model(&self) -> Result<&SamplerFile, WorkerError> {
        self.model
            .as_ref()
            .ok_or_else(|| error(ErrorKind::NotReady, "no generator is loaded yet"))
    }

    fn conditional(&self) -> bool {
        self.conditioning().is_conditional()
    }

    fn conditioning(&self) -> Conditioning {
        self.model
            .as_ref()
            .map_or(Conditioning::None, |m| m.config.architecture.conditioning)
    }

    /// The grid's cells, row-major: 8×8 fresh latents; conditional: one row per chosen digit,
    /// the same 8 latents in every row (a column keeps its style across digits).
    fn cells(&self) -> Vec<Cell> {
        let Some(m) = &self.model else {
            return Vec::new();
        };
        let dim = m.config.architecture.latent_dim;
        if self.conditional() {
            let z = truncated_normal(self.seed, COLUMNS, dim, self.truncation);
            self.digits
                .iter()
                .flat_map(|&d| {
                    z.iter().map(move |z| Cell {
                        z: z.clone(),
                        label: Some(one_hot(d)),
                    })
                })
                .collect()
        } else {
            truncated_normal(self.seed, GRID, dim, self.truncation)
                .into_iter()
                .map(|z| Cell { z, label: None })
                .collect()
        }
    }

    fn cell(&self, index: u32) -> Result<Cell, WorkerError> {
        self.model()?;
        let cells = self.cells();
        let n = cells.len();
        cells.into_iter().nth(index as usize).ok_or_else(|| {
            error(
                ErrorKind::Malformed,
                format!("no sample {index} in a grid of {n}"),
            )
        })
    }

    /// Images `[n, 1, 28, 28]` of the loaded generator for these cells.
    fn draw(&self, cells: &[Cell]) -> Result<Tensor<4>, WorkerError> {
        let m = self.model()?;
        let dim = m.config.architecture.latent_dim;
        let n = cells.len();
        let z: Vec<f32> = cells.iter().flat_map(|c| c.z.iter().copied()).collect();
        let z =
            Tensor::<1>::from_data(TensorData::new(z, [n * dim]), &self.device).reshape([n, dim]);
        let labels = self.conditional().then(|| {
            let w: Vec<f32> = cells
                .iter()
                .flat_map(|c| c.label.clone().unwrap_or_else(|| one_hot(0)))
                .collect();
            LabelInput::Mix(
                Tensor::<1>::from_data(TensorData::new(w, [n * NUM_CLASSES]), &self.device)
                    .reshape([n, NUM_CLASSES]),
            )
        });
        Ok(m.generator.forward_input(z, labels))
    }

    /// A panel of the cells' images; `judge`: with the classifier's verdict (the pad skips it,
    /// answering one image per pointer move).
    async fn panel(
        &self,
        cells: &[Cell],
        name: &str,
        title: String,
        columns: usize,
        row_labels: Option<Vec<String>>,
        judge: bool,
    ) -> Result<Event, EngineError> {
        let images = match self.draw(cells) {
            Ok(images) => images,
            Err(_) => return Err(EngineError::Shape("no generator is loaded".into())),
        };
        let panel = Panel {
            name: name.into(),
            title,
            step: self.model.as_ref().map_or(0, |m| m.steps),
            side: IMAGE_SIDE,
            columns,
            pixels: Vec::new(),
            row_labels,
            captions: None,
            channels: 1,
        };
        if !judge {
            let pixels = to_bytes(&read_f32(images).await?);
            return Ok(Event::Panel {
                panel: Panel { pixels, ..panel },
                stats: None,
            });
        }
        match &self.classifier {
            Some(classifier) => judged_panel(classifier, images, panel).await,
            None => {
                let pixels = to_bytes(&read_f32(images.clone()).await?);
                let mut unjudged = self.unjudged.borrow_mut();
                unjudged.retain(|(_, p)| p.name != panel.name);
                unjudged.push((images, panel.clone()));
                Ok(Event::Panel {
                    panel: Panel { pixels, ..panel },
                    stats: None,
                })
            }
        }
    }

    /// The classifier, fetched through `assets` on first use.
    async fn classifier(
        &mut self,
        assets: &mut dyn AssetSource,
    ) -> Result<&Classifier, WorkerError> {
        if self.classifier.is_none() {
            let classifier = assets
                .classifier(&self.device)
                .await
                .map_err(|e| error(ErrorKind::Startup, e))?;
            self.classifier = Some(classifier);
        }
        self.classifier
            .as_ref()
            .ok_or_else(|| error(ErrorKind::Startup, "no classifier"))
    }

    /// Fetches the classifier and judges the panels shown without a verdict.
    async fn judge_shown(&mut self, assets: &mut dyn AssetSource) -> Vec<Event> {
        let pending = std::mem::take(&mut *self.unjudged.borrow_mut());
        let classifier = match self.classifier(assets).await {
            Ok(c) => c.clone(),
            Err(e) => return vec![Event::Error(e)],
        };
        let mut events = Vec::new();
        for (images, panel) in pending {
            events.extend(one(judged_panel(&classifier, images, panel).await));
        }
        events
    }

    fn psi_text(&self) -> String {
        self.truncation
            .map_or_else(|| "no truncation".into(), |t| format!("ψ {t}"))
    }

    /// The grid of the current seed, truncation and digits (nothing before a model is
    /// loaded: the settings apply to the first grid).
    pub async fn grid(&self) -> Vec<Event> {
        if self.model.is_none() {
            return Vec::new();
        }
        let conditioning = self.conditioning();
        let rows = conditioning.is_conditional().then(|| {
            self.digits
                .iter()
                .map(|&d| conditioning.input_label(d))
                .collect()
        });
        let title = format!("Seed {}, {}", self.seed, self.psi_text());
        one(self
            .panel(&self.cells(), "gallery", title, COLUMNS, rows, true)
            .await)
    }

    async fn interpolate(&self, from: u32, to: u32, frames: u32) -> Vec<Event> {
        let (a, b) = match (self.cell(from), self.cell(to)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return vec![Event::Error(e)],
        };
        let frames = frames.clamp(2, 64) as usize;
        let path: Vec<Cell> = (0..frames)
            .map(|i| {
                let t = i as f32 / (frames - 1) as f32;
                // The ends are the chosen cells exactly.
                match i {
                    0 => a.clone(),
                    i if i == frames - 1 => b.clone(),
                    _ => Cell {
                        z: slerp(&a.z, &b.z, t),
                        label: a.label.as_ref().zip(b.label.as_ref()).map(|(la, lb)| {
                            la.iter().zip(lb).map(|(x, y)| x + (y - x) * t).collect()
                        }),
                    },
                }
            })
            .collect();
        let morph = a.label != b.label;
        let title = format!(
            "{frames} frames from sample {} to sample {}{}",
            from + 1,
            to + 1,
            match (morph, self.conditioning().uses_labels()) {
                (false, _) => "",
                (true, true) => " (the digit morphs too)",
                (true, false) => " (the category morphs too)",
            }
        );
        one(self
            .panel(&path, "interpolation", title, frames, None, true)
            .await)
    }

    async fn pad(&self, center: u32, towards: Option<(u32, u32)>, x: f32, y: f32) -> Vec<Event> {
        let c = match self.cell(center) {
            Ok(c) => c,
            Err(e) => return vec![Event::Error(e)],
        };
        let (u, v) = match towards {
            Some((a, b)) => match (self.cell(a), self.cell(b)) {
                (Ok(a), Ok(b)) => plane_towards(&c.z, &a.z, &b.z),
                (Err(e), _) | (_, Err(e)) => return vec![Event::Error(e)],
            },
            None => random_plane(self.seed.wrapping_add(center as u64), c.z.len()),
        };
        let cell = Cell {
            z: plane_point(&c.z, (&u, &v), x, y),
            label: c.label,
        };
        let title = format!("Sample {} moved by ({x:.2}, {y:.2})", center + 1);
        one(self.panel(&[cell], "pad", title, 1, None, false).await)
    }

    async fn sweep(&mut self, assets: &mut dyn AssetSource) -> Vec<Event> {
        if let Err(e) = self.model() {
            return vec![Event::Error(e)];
        }
        let classifier = match self.classifier(assets).await {
            Ok(c) => c.clone(),
            Err(e) => return vec![Event::Error(e)],
        };
        let digits = match assets.digits().await {
            Ok(d) => d,
            Err(e) => return vec![Event::Error(error(ErrorKind::Startup, e))],
        };
        let (first, count) = REAL_REFERENCE;
        let real = match real_feature_stats(&classifier, &digits, first, count, &self.device).await
        {
            Ok(r) => r,
            Err(e) => return vec![Event::Error(e.into())],
        };
        let Ok(m) = self.model() else {
            return Vec::new();
        };
        let a = &m.config.architecture;
        let mut points: Vec<(Option<f32>, QualityMetrics)> = Vec::new();
        // The same samples as the catalogue's metrics at each ψ (the first 500 of them).
        for psi in SWEEP {
            match evaluate_generator(
                &m.generator,
                &classifier,
                &real,
                a.latent_dim,
                a.conditioning,
                SWEEP_SAMPLES,
                psi,
                &self.device,
            )
            .await
            {
                Ok(m) => points.push((psi, m)),
                Err(e) => return vec![Event::Error(e.into())],
            }
        }
        vec![Event::Sweep(points)]
    }

    async fn export(&self, count: u32, name: &str) -> Vec<Event> {
        let Ok(m) = self.model() else {
            return vec![Event::Error(error(
                ErrorKind::NotReady,
                "no generator is loaded yet",
            ))];
        };
        let count = count.clamp(1, MAX_EXPORT) as usize;
        // The grid's seed and truncation: the first samples are the grid's (unconditional).
        let a = &m.config.architecture;
        let (images, labels) = generate_samples(
            &m.generator,
            a.latent_dim,
            a.conditioning,
            count,
            self.seed,
            self.truncation,
            &self.device,
        );
        let mut pixels = Vec::with_capacity(count * IMAGE_PIXELS);
        for chunk in images {
            match read_f32(chunk).await {
                Ok(v) => pixels.extend(v.into_iter().map(|x| (x + 1.0) / 2.0)),
                Err(e) => return vec![Event::Error(e.into())],
            }
        }
        let psi = self
            .truncation
            .map_or_else(|| "none".into(), |t| format!("{t}"));
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let name = if name.is_empty() {
            m.config.architecture.kind.id().to_string()
        } else {
            name
        };
        let stem = format!("gan-{name}-seed{}-psi{psi}-n{count}", self.seed);
        let mut events = vec![match npy_bytes(&pixels, &[count, IMAGE_SIDE, IMAGE_SIDE]) {
            Ok(bytes) => Event::File {
                file_name: format!("{stem}-samples.npy"),
                bytes,
            },
            Err(e) => return vec![Event::Error(e.into())],
        }];
        if let Some(labels) = labels {
            match npy_bytes(&labels, &[count]) {
                Ok(bytes) => events.push(Event::File {
                    file_name: format!("{stem}-labels.npy"),
                    bytes,
                }),
                Err(e) => return vec![Event::Error(e.into())],
            }
        }
        events
    }

    fn started(&self) -> Vec<Event> {
        match &self.model {
            Some(m) => vec![Event::Started {
                view: TaskView {
                    task: GALLERY_TASK.id.into(),
                    series: Vec::new(),
                    charts: Vec::new(),
                },
                settings: to_setting_pairs(&m.config),
                step: m.steps,
            }],
            None => Vec::new(),
        }
    }

    /// Loads a generator (a generator file or any GAN checkpoint); on error the current one is
    /// kept.
    pub fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        self.model = Some(load_sampler(bytes, &self.device)?);
        // The old model's panels still awaiting a verdict are no longer on screen.
        self.unjudged.borrow_mut().clear();
        Ok(())
    }

    /// Handles one command.
    pub async fn handle(&mut self, command: Command, assets: &mut dyn AssetSource) -> Vec<Event> {
        match command {
            Command::LoadCheckpoint { bytes } => match self.load(&bytes) {
                Ok(()) => {
                    let mut events = self.started();
                    events.extend(self.grid().await);
                    events
                }
                Err(e) => vec![Event::Error(e.into())],
            },
            Command::Generate { seed } => {
                self.seed = seed;
                self.grid().await
            }
            Command::Truncation(psi) => match psi {
                Some(t) if !(t.is_finite() && t > 0.0) => vec![Event::Error(error(
                    ErrorKind::Malformed,
                    format!("truncation ψ must be above 0, not {t}"),
                ))],
                psi => {
                    self.truncation = psi;
                    self.grid().await
                }
            },
            Command::Digits(digits) => {
                self.choose_digits(digits);
                self.grid().await
            }
            Command::Interpolate { from, to, frames } => self.interpolate(from, to, frames).await,
            Command::Pad {
                center,
                towards,
                x,
                y,
            } => self.pad(center, towards, x, y).await,
            Command::TruncationSweep => self.sweep(assets).await,
            Command::ExportSamples { count, name } => self.export(count, &name).await,
            other => vec![unsupported(GALLERY_TASK.id, &other)],
        }
    }
}

fn one(result: Result<Event, EngineError>) -> Vec<Event> {
    match result {
        Ok(event) => vec![event],
        Err(e) => vec![Event::Error(e.into())],
    }
}

/// A `.npy` of `values` with this shape.
pub fn npy_bytes<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    values: &[T],
    shape: &[usize],
) -> Result<Vec<u8>, EngineError> {
    let encode = || -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let shape: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&shape)
            .writer(&mut out)
            .begin_nd()?;
        writer.extend(values.iter().copied())?;
        writer.finish()?;
        Ok(out)
    };
    encode().map_err(|e| EngineError::Shape(format!("writing a .npy: {e}")))
}

impl Task for Gallery {
    fn announce(&mut self) -> LocalBoxFuture<'_, Vec<Event>> {
        Box::pin(async move {
            let mut events = self.started();
            if self.model.is_some() {
                events.extend(self.grid().await);
            }
            events
        })
    }

    fn handle<'a>(
        &'a mut self,
        command: Command,
        assets: &'a mut dyn AssetSource,
    ) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(Gallery::handle(self, command, assets))
    }

    /// Busy while a shown panel awaits its verdict.
    fn is_running(&self) -> bool {
        !self.unjudged.borrow().is_empty()
    }

    fn tick<'a>(&'a mut self, assets: &'a mut dyn AssetSource) -> LocalBoxFuture<'a, Vec<Event>> {
        Box::pin(self.judge_shown(assets))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::core::checkpoint::{Precision, load_classifier, save_generator};
    use crate::core::data::MnistSet;
    use crate::core::models::{ArchitectureConfig, Conditioning, DcganConfig, ModelKind};
    use crate::core::train::TrainConfig;

    struct Files;

    impl AssetSource for Files {
        fn digits(&mut self) -> LocalBoxFuture<'_, Result<Arc<MnistSet>, String>> {
            Box::pin(async {
                MnistSet::decode(include_bytes!("../../www/data/mnist.bin"))
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
        }

        fn classifier<'a>(
            &'a mut self,
            device: &'a Device,
        ) -> LocalBoxFuture<'a, Result<Classifier, String>> {
            Box::pin(async move {
                load_classifier(include_bytes!("../../www/weights/classifier.bpk"), device)
                    .map_err(|e| e.to_string())
            })
        }

        fn file<'a>(&'a mut self, path: &'a str) -> LocalBoxFuture<'a, Result<Vec<u8>, String>> {
            Box::pin(async move { std::fs::read(format!("www/{path}")).map_err(|e| e.to_string()) })
        }
    }

    fn generator_file(conditioning: Conditioning) -> Vec<u8> {
        let device = Device::flex();
        let config = TrainConfig::new().with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(16)
                .with_conditioning(conditioning)
                .with_dcgan(DcganConfig::new().with_channels(8)),
        );
        // Seeded, with the layers' own (wider) initialisation: the paper's N(0, 0.02) leaves an
        // untrained 8-channel G drawing nearly the same grey image for every latent, so frames
        // that must differ could round to equal bytes.
        device.seed(11);
        let g = config.architecture.init_generator(&device);
        save_generator(&g, &config, 5, false, Precision::F16).unwrap_or_default()
    }

    fn gallery(bytes: Vec<u8>) -> (Gallery, Vec<Event>) {
        let device = Device::flex();
        let classifier = pollster::block_on(Files.classifier(&device)).unwrap();
        let mut g = Gallery::new(&device, Some(classifier));
        let events = run(&mut g, Command::LoadCheckpoint { bytes });
        (g, events)
    }

    fn run(g: &mut Gallery, c: Command) -> Vec<Event> {
        pollster::block_on(Gallery::handle(g, c, &mut Files))
    }

    fn panel(events: &[Event], name: &str) -> Panel {
        events
            .iter()
            .find_map(|e| match e {
                Event::Panel { panel, .. } if panel.name == name => Some(panel.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {name} panel in {events:?}"))
    }

    fn image(p: &Panel, i: usize) -> &[u8] {
        &p.pixels[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]
    }

    fn close(a: &[u8], b: &[u8]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= 1)
    }

    #[test]
    fn the_first_grid_comes_before_the_classifier_and_is_judged_when_it_arrives() {
        let device = Device::flex();
        let mut g = Gallery::new(&device, None);
        let bytes = generator_file(Conditioning::None);
        let shown = run(&mut g, Command::LoadCheckpoint { bytes });
        let first = panel(&shown, "gallery");
        assert!(
            shown.iter().any(
                |e| matches!(e, Event::Panel { panel, stats: None } if panel.name == "gallery")
            )
        );
        // A second grid before the verdict: only the latest is judged.
        let second = panel(&run(&mut g, Command::Generate { seed: 2 }), "gallery");
        assert_ne!(first.pixels, second.pixels);
        assert!(Task::is_running(&g));
        let judged = pollster::block_on(Task::tick(&mut g, &mut Files));
        assert!(!Task::is_running(&g));
        let [
            Event::Panel {
                panel,
                stats: Some(stats),
            },
        ] = judged.as_slice()
        else {
            panic!("one judged grid expected: {judged:?}");
        };
        assert_eq!(panel.pixels, second.pixels);
        assert_eq!(stats.histogram.iter().sum::<u32>() as usize, GRID);
        // From now on grids come judged.
        let third = run(&mut g, Command::Generate { seed: 3 });
        assert!(matches!(
            third.as_slice(),
            [Event::Panel { stats: Some(_), .. }]
        ));
        assert!(!Task::is_running(&g));
    }

    #[test]
    fn seeds_repeat_their_grid_and_interpolation_ends_on_the_chosen_samples() {
        let (mut g, events) = gallery(generator_file(Conditioning::None));
        assert!(matches!(events[0], Event::Started { step: 5, .. }));
        let first = panel(&events, "gallery");
        assert_eq!(first.pixels.len(), GRID * IMAGE_PIXELS);
        let again = panel(&run(&mut g, Command::Generate { seed: 1 }), "gallery");
        assert_eq!(first.pixels, again.pixels);
        let other = panel(&run(&mut g, Command::Generate { seed: 2 }), "gallery");
        assert_ne!(first.pixels, other.pixels);
        // An export of the grid's seed starts with the grid's samples.
        let exported = match &run(
            &mut g,
            Command::ExportSamples {
                count: 70,
                name: "x".into(),
            },
        )[..]
        {
            [Event::File { bytes, .. }] => npyz::NpyFile::new(&bytes[..])
                .and_then(|f| f.into_vec::<f32>())
                .unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        let unit: Vec<f32> = exported[..GRID * IMAGE_PIXELS]
            .iter()
            .map(|v| v * 2.0 - 1.0)
            .collect();
        assert!(close(&crate::core::data::to_bytes(&unit), &other.pixels));
        let strip = panel(
            &run(
                &mut g,
                Command::Interpolate {
                    from: 3,
                    to: 40,
                    frames: 9,
                },
            ),
            "interpolation",
        );
        assert_eq!(strip.pixels.len(), 9 * IMAGE_PIXELS);
        assert!(close(image(&strip, 0), image(&other, 3)));
        assert!(close(image(&strip, 8), image(&other, 40)));
        assert_ne!(image(&strip, 4), image(&other, 3));
        // The pad's origin is the sample itself; moving changes it.
        let mut at = |x, y| {
            panel(
                &run(
                    &mut g,
                    Command::Pad {
                        center: 3,
                        towards: None,
                        x,
                        y,
                    },
                ),
                "pad",
            )
        };
        assert!(close(&at(0.0, 0.0).pixels, image(&other, 3)));
        assert_ne!(&at(3.0, -2.0).pixels[..], image(&other, 3));
        let toward = panel(
            &run(
                &mut g,
                Command::Pad {
                    center: 3,
                    towards: Some((10, 11)),
                    x: 0.0,
                    y: 0.0,
                },
            ),
            "pad",
        );
        assert!(close(&toward.pixels, image(&other, 3)));
        // Truncation changes the grid; a bad ψ and a bad cell are refused.
        let truncated = panel(&run(&mut g, Command::Truncation(Some(0.5))), "gallery");
        assert_ne!(truncated.pixels, other.pixels);
        for bad in [
            Command::Truncation(Some(-1.0)),
            Command::Interpolate {
                from: 0,
                to: 64,
                frames: 3,
            },
        ] {
            assert!(matches!(run(&mut g, bad)[..], [Event::Error(_)]));
        }
    }

    #[test]
    fn conditional_rows_follow_the_digits_and_exports_are_numpy_files() {
        let (mut g, events) = gallery(generator_file(Conditioning::Cgan));
        let grid = panel(&events, "gallery");
        assert_eq!(grid.pixels.len(), 10 * COLUMNS * IMAGE_PIXELS);
        let grid = panel(&run(&mut g, Command::Digits(vec![7, 3])), "gallery");
        assert_eq!(
            grid.row_labels,
            Some(vec!["3".to_string(), "7".to_string()])
        );
        assert_eq!(grid.pixels.len(), 2 * COLUMNS * IMAGE_PIXELS);
        // From a 3 to a 7: the label morphs, and the ends are the cells.
        let strip = panel(
            &run(
                &mut g,
                Command::Interpolate {
                    from: 1,
                    to: 9,
                    frames: 5,
                },
            ),
            "interpolation",
        );
        assert!(close(image(&strip, 0), image(&grid, 1)));
        assert!(close(image(&strip, 4), image(&grid, 9)));
        let files = run(
            &mut g,
            Command::ExportSamples {
                count: 30,
                name: String::new(),
            },
        );
        let names: Vec<String> = files
            .iter()
            .filter_map(|e| match e {
                Event::File { file_name, bytes } => {
                    assert!(bytes.starts_with(b"\x93NUMPY"));
                    Some(file_name.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            [
                "gan-dcgan-seed1-psinone-n30-samples.npy",
                "gan-dcgan-seed1-psinone-n30-labels.npy"
            ]
        );
        if let Event::File { bytes, .. } = &files[0] {
            let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
            assert_eq!(npy.shape(), &[30, 28, 28]);
        }
    }

    #[test]
    fn bad_files_keep_the_loaded_model_and_sweeps_cover_every_truncation() {
        let (mut g, _) = gallery(generator_file(Conditioning::None));
        let mut broken = generator_file(Conditioning::None);
        broken.truncate(broken.len() / 3);
        let events = run(&mut g, Command::LoadCheckpoint { bytes: broken });
        assert!(matches!(&events[..], [Event::Error(e)] if e.kind == ErrorKind::Checkpoint));
        assert_eq!(
            panel(&run(&mut g, Command::Generate { seed: 4 }), "gallery")
                .pixels
                .len(),
            GRID * IMAGE_PIXELS
        );
        match &run(&mut g, Command::TruncationSweep)[..] {
            [Event::Sweep(points)] => {
                assert_eq!(points.len(), SWEEP.len());
                assert!(
                    points
                        .iter()
                        .all(|(_, m)| m.samples == SWEEP_SAMPLES && m.fid.is_finite())
                );
            }
            other => panic!("{other:?}"),
        }
        let (mut empty, _) = gallery(Vec::new());
        assert!(run(&mut empty, Command::Generate { seed: 1 }).is_empty());
        assert!(
            matches!(&run(&mut empty, Command::Interpolate { from: 0, to: 1, frames: 3 })[..], [Event::Error(e)] if e.kind == ErrorKind::NotReady)
        );
        assert!(
            matches!(&run(&mut g, Command::Start)[..], [Event::Error(e)] if e.kind == ErrorKind::Unsupported)
        );
    }
}
