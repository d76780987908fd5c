//! The super-resolution task: trains (or continues) an SRGAN-style upscaler of digits and shows
//! a fixed batch of held-out digits as input → bicubic → model → real, with PSNR and SSIM of the
//! model and of bicubic upsampling on the held-out digits.

use std::sync::Arc;

use burn::prelude::*;
use futures::future::LocalBoxFuture;

use crate::core::checkpoint::{load_superres, save_superres};
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet, to_bytes};
use crate::core::models::layers::upsample_nearest;
use crate::core::settings::{SettingPairs, parse_pairs, to_setting_pairs};
use crate::core::superres::{FidelitySum, STEP_SERIES, SrConfig, SrTrainer, bicubic, downsample};
use crate::core::train::FieldErrors;

use super::demo::{Demo, DemoModel};
use super::error::{EngineError, read_f32};
use super::protocol::Event;
use super::task::{ChartInfo, Panel, ScoreTable, SeriesInfo, Started, Task, TaskStart, TaskView};

/// Digits at the end of the data set kept out of training and used for the scores.
pub const HELD_OUT: usize = 1000;
/// Held-out digits shown in the panel.
pub const PANEL_COLUMNS: usize = 8;
/// Task id.
pub const ID: &str = "superres";
const SERIES_COLORS: [&str; 3] = ["#e4572e", "#2e86ab", "#8e44ad"];

/// What the super-resolution task reports: the step losses on two charts.
pub fn superres_view() -> TaskView {
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
                title: "Pixel error".into(),
                help: "Mean absolute difference between the upscaled digit and the real one, on the [-1, 1] scale (0 = exact). It falls fast, then slowly; the adversarial loss may hold it a little higher while the strokes get sharper.".into(),
                series: series(&[1]),
                range: None,
            },
            ChartInfo {
                title: "Adversarial losses".into(),
                help: "D's BCE loss on real and upscaled digits (averaged over the 7×7 grid of patch scores) and G's non-saturating adversarial loss. Near 2·ln 2 ≈ 1.39 for D means D cannot tell them apart; both stay at 0 when the adversarial weight is 0.".into(),
                series: series(&[0, 2]),
                range: None,
            },
        ],
    }
}

/// The super-resolution demo's model: the digits and the upscaler being trained.
pub struct SuperRes {
    device: Device,
    train: Arc<MnistSet>,
    held_out: MnistSet,
    trainer: SrTrainer,
}

/// The super-resolution task as the worker and the CLI run it.
pub type SuperResTask = Demo<SuperRes>;

/// Starts the task with its settings (the defaults, with a [`Event::Rejected`], when they are
/// invalid); the page then loads the pretrained model.
pub fn start_superres(start: TaskStart<'_>) -> LocalBoxFuture<'_, Result<Started, String>> {
    Box::pin(async move {
        let digits = start.assets.digits().await?;
        let mut events = Vec::new();
        let config = match parse_pairs(&SrConfig::new(), &start.settings) {
            Ok(config) => config,
            Err(errors) => {
                events.push(Event::Rejected(errors));
                SrConfig::new()
            }
        };
        let model = SuperRes::new(&start.device, &digits, config)?;
        let task = Demo::new(ID, model, start.clock).with_compute(start.compute);
        Ok((Box::new(task) as Box<dyn Task>, events))
    })
}

impl SuperRes {
    /// A fresh run of `config` on `digits` (all but the last [`HELD_OUT`] train it).
    pub fn new(device: &Device, digits: &MnistSet, config: SrConfig) -> Result<Self, String> {
        if digits.len() < HELD_OUT + PANEL_COLUMNS {
            return Err(format!(
                "super-resolution needs at least {} digits",
                HELD_OUT + PANEL_COLUMNS
            ));
        }
        let (train, held_out) = digits
            .split(digits.len() - HELD_OUT)
            .map_err(|e| e.to_string())?;
        let trainer = SrTrainer::new(config, train.len(), device).map_err(|e| e.to_string())?;
        Ok(Self {
            device: device.clone(),
            train: Arc::new(train),
            held_out,
            trainer,
        })
    }

    /// The current trainer.
    pub fn trainer(&self) -> &SrTrainer {
        &self.trainer
    }

    /// The first held-out digits, one column each: input (shown enlarged), bicubic, model, real.
    pub async fn panel(&self) -> Result<Panel, EngineError> {
        let indices: Vec<usize> = (0..PANEL_COLUMNS).collect();
        let (high, _) = self.held_out.batch(&indices, &self.device);
        let factor = self.trainer.config().factor;
        let low = downsample(high.clone(), factor);
        let mut shown = low.clone();
        for _ in 0..factor.trailing_zeros() {
            shown = upsample_nearest(shown);
        }
        let out = self.trainer.generator().forward(low.clone());
        let rows = Tensor::cat(vec![shown, bicubic(low), out, high], 0);
        let values = read_f32(rows).await?;
        let side = IMAGE_SIDE / factor;
        Ok(Panel {
            name: "superres".into(),
            title: format!("Held-out digits ×{factor}"),
            step: self.trainer.steps(),
            side: IMAGE_SIDE,
            columns: PANEL_COLUMNS,
            pixels: to_bytes(&values),
            row_labels: Some(vec![
                format!("input {side}×{side}"),
                "bicubic".into(),
                self.model_name().into(),
                "real".into(),
            ]),
            captions: None,
            channels: 1,
        })
    }

    fn model_name(&self) -> &'static str {
        if self.trainer.config().adv_weight > 0.0 {
            "GAN"
        } else {
            "pixel loss"
        }
    }

    /// PSNR and SSIM of the model and of bicubic upsampling on every held-out digit.
    pub async fn scores(&self) -> Result<ScoreTable, EngineError> {
        let factor = self.trainer.config().factor;
        let generator = self.trainer.generator();
        let (mut model, mut cubic) = (FidelitySum::default(), FidelitySum::default());
        let all: Vec<usize> = (0..self.held_out.len()).collect();
        for chunk in all.chunks(100) {
            let (high, _) = self.held_out.batch(chunk, &self.device);
            let low = downsample(high.clone(), factor);
            let n = chunk.len();
            let images = Tensor::cat(vec![high, bicubic(low.clone()), generator.forward(low)], 0);
            let values = read_f32(images).await?;
            if values.len() != 3 * n * IMAGE_PIXELS {
                return Err(EngineError::Shape(format!("{} pixels", values.len())));
            }
            let (real, rest) = values.split_at(n * IMAGE_PIXELS);
            let (up, out) = rest.split_at(n * IMAGE_PIXELS);
            cubic
                .add(real, up)
                .map_err(|e| EngineError::Shape(e.to_string()))?;
            model
                .add(real, out)
                .map_err(|e| EngineError::Shape(e.to_string()))?;
        }
        let row = |name: &str, sum: &FidelitySum| {
            let m = sum.mean();
            (name.to_string(), vec![m.psnr, m.ssim])
        };
        Ok(ScoreTable {
            name: "fidelity".into(),
            title: format!("Held-out digits (×{factor}, {})", model.images()),
            help: "PSNR (dB) and SSIM (Gaussian window 11, σ 1.5) of each upscaled digit against the real one, averaged over the held-out digits; higher is closer. Adversarial training can lower PSNR while the strokes look sharper.".into(),
            step: self.trainer.steps(),
            columns: vec!["PSNR (dB)".into(), "SSIM".into()],
            rows: vec![row(self.model_name(), &model), row("bicubic", &cubic)],
        })
    }
}

impl DemoModel for SuperRes {
    fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    fn step(&mut self) -> Tensor<1> {
        self.trainer.step(&self.train)
    }

    fn images_per_step(&self) -> f32 {
        // D sees a real and an upscaled batch, G one upscaled batch.
        self.trainer.config().batch_size as f32 * 3.0
    }

    fn view(&self) -> TaskView {
        superres_view()
    }

    fn settings(&self) -> SettingPairs {
        to_setting_pairs(self.trainer.config())
    }

    fn scores_every(&self) -> u32 {
        500
    }

    fn reset(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors> {
        let config = parse_pairs(&SrConfig::new(), settings)?;
        self.trainer = SrTrainer::new(config, self.train.len(), &self.device)?;
        Ok(())
    }

    fn update(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors> {
        let requested = parse_pairs(self.trainer.config(), settings)?;
        self.trainer.update_live(&requested)
    }

    fn panels(&self) -> LocalBoxFuture<'_, Result<Vec<Panel>, EngineError>> {
        Box::pin(async move { Ok(vec![self.panel().await?]) })
    }

    fn scores(&self) -> LocalBoxFuture<'_, Result<ScoreTable, EngineError>> {
        Box::pin(SuperRes::scores(self))
    }

    fn checkpoint(&self) -> Result<Vec<u8>, EngineError> {
        Ok(save_superres(
            &self.trainer.generator(),
            Some(&self.trainer.discriminator()),
            self.trainer.config(),
            self.trainer.steps(),
        )?)
    }

    fn file_name(&self) -> String {
        let c = self.trainer.config();
        format!(
            "superres-x{}-adv{}-step{}.bpk",
            c.factor,
            c.adv_weight,
            self.trainer.steps()
        )
    }

    /// Continues from a super-resolution file (fresh optimisers; a fresh discriminator when it
    /// holds none).
    fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        // Loaded straight onto the training (autodiff) device, so the parameters stay tracked.
        let file = load_superres(bytes, &self.device.clone().autodiff())?;
        let trainer = SrTrainer::new(file.config, self.train.len(), &self.device)
            .map_err(crate::core::checkpoint::CheckpointError::from)?
            .with_networks(
                file.networks.generator,
                file.networks.discriminator,
                file.steps,
            );
        self.trainer = trainer;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::{Command, ErrorKind};

    fn clock() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }

    fn digits() -> MnistSet {
        // 1,040 "digits": bars of varying width and position.
        let n = HELD_OUT + 40;
        let mut pixels = vec![0u8; n * IMAGE_PIXELS];
        for i in 0..n {
            let (x0, w) = (4 + i % 14, 2 + i % 5);
            for y in 4..24 {
                for x in x0..(x0 + w).min(IMAGE_SIDE) {
                    pixels[i * IMAGE_PIXELS + y * IMAGE_SIDE + x] = 255;
                }
            }
        }
        MnistSet::from_parts((0..n).map(|i| (i % 10) as u8).collect(), pixels).unwrap()
    }

    fn small() -> SrConfig {
        SrConfig::new()
            .with_channels(8)
            .with_blocks(1)
            .with_batch_size(8)
    }

    #[test]
    fn steps_panels_scores_and_files_round_trip() {
        let device = Device::default();
        let mut task = Demo::new(
            ID,
            SuperRes::new(&device, &digits(), small()).unwrap(),
            clock,
        );
        let events = pollster::block_on(task.fresh_state());
        assert!(matches!(events[0], Event::Started { step: 0, .. }));
        let Event::Panel { panel, .. } = &events[1] else {
            panic!("{:?}", events[1])
        };
        assert_eq!(panel.pixels.len(), 4 * PANEL_COLUMNS * IMAGE_PIXELS);
        assert_eq!(panel.row_labels.as_ref().map(Vec::len), Some(4));
        let Event::Scores(table) = &events[2] else {
            panic!("{:?}", events[2])
        };
        assert_eq!(table.rows.len(), 2);
        assert!(table.rows.iter().all(|(_, v)| v.len() == 2 && v[1] <= 1.0));
        let events = pollster::block_on(task.handle(Command::Step));
        assert!(matches!(&events[0], Event::Progress { records, .. } if records.len() == 1));
        let bytes = task.model.checkpoint().unwrap();
        let before = pollster::block_on(task.model.scores()).unwrap();
        let mut other = Demo::new(
            ID,
            SuperRes::new(&device, &digits(), small().with_seed(9)).unwrap(),
            clock,
        );
        other.model.load(&bytes).unwrap();
        assert_eq!(other.model.trainer().steps(), 1);
        assert_eq!(
            pollster::block_on(other.model.scores()).unwrap().rows,
            before.rows
        );
        // The loaded networks train on.
        let events = pollster::block_on(other.handle(Command::Step));
        assert!(matches!(&events[0], Event::Progress { records, .. } if records[0].step == 2));
        // A file that is not a super-resolution file is refused and the run is kept.
        let events = pollster::block_on(other.handle(Command::LoadCheckpoint {
            bytes: vec![1, 2, 3],
        }));
        assert!(matches!(&events[0], Event::Error(e) if e.kind == ErrorKind::Checkpoint));
        assert_eq!(other.model.trainer().steps(), 2);
        let events = pollster::block_on(
            other.handle(Command::Reset(vec![("batch_size".into(), "0".into())])),
        );
        assert!(matches!(&events[0], Event::Rejected(_)));
        assert_eq!(other.model.trainer().steps(), 2);
        let events = pollster::block_on(other.handle(Command::Generate { seed: 1 }));
        assert!(matches!(&events[0], Event::Error(e) if e.kind == ErrorKind::Unsupported));
    }
}
