//! The colourisation task: grey patches of real photographs in, colour out, beside the real
//! colour and a "mean colour" baseline, with PSNR and SSIM (per channel) of the model and of the
//! baselines on the held-out patches.

use burn::prelude::*;
use futures::future::LocalBoxFuture;

use crate::core::checkpoint::{load_color, save_color};
use crate::core::colorize::{ColorConfig, ColorTrainer, Photos, STEP_SERIES, flat_colour, tinted};
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, to_bytes};
use crate::core::settings::{SettingPairs, parse_pairs, to_setting_pairs};
use crate::core::superres::FidelitySum;
use crate::core::train::FieldErrors;

use super::demo::{Demo, DemoModel};
use super::error::{EngineError, read_f32};
use super::protocol::Event;
use super::task::{ChartInfo, Panel, ScoreTable, SeriesInfo, Started, Task, TaskStart, TaskView};

/// Task id.
pub const ID: &str = "colorize";
/// The photographs, under the site root.
pub const PHOTOS: &str = "data/photos.bin";
/// Held-out patches shown in the panel.
pub const PANEL_COLUMNS: usize = 8;
const SERIES_COLORS: [&str; 3] = ["#e4572e", "#2e86ab", "#8e44ad"];

/// What the colourisation task reports: the step losses on two charts.
pub fn color_view() -> TaskView {
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
                help: "Mean absolute difference between the colourised patch and the real one, per channel, on the [-1, 1] scale. The adversarial loss may hold it higher while the colours get bolder.".into(),
                series: series(&[1]),
                range: None,
            },
            ChartInfo {
                title: "Adversarial losses".into(),
                help: "D's BCE loss on real and colourised patches (it sees the grey input too, as pix2pix's does; averaged over its 7×7 grid of patch scores) and G's non-saturating adversarial loss. Both stay at 0 when the adversarial weight is 0.".into(),
                series: series(&[0, 2]),
                range: None,
            },
        ],
    }
}

/// The colourisation demo's model: the photographs and the colouriser being trained.
pub struct Colorize {
    device: Device,
    photos: Photos,
    mean: [f32; 3],
    chroma: [f32; 3],
    trainer: ColorTrainer,
}

/// The colourisation task as the worker and the CLI run it.
pub type ColorizeTask = Demo<Colorize>;

/// Starts the task with its settings (the defaults, with a [`Event::Rejected`], when they are
/// invalid): fetches the photographs; the page then loads the pretrained model.
pub fn start_colorize(start: TaskStart<'_>) -> LocalBoxFuture<'_, Result<Started, String>> {
    Box::pin(async move {
        let photos = Photos::decode(&start.assets.file(PHOTOS).await?)
            .map_err(|e| format!("{PHOTOS}: {e}"))?;
        let mut events = Vec::new();
        let config = match parse_pairs(&ColorConfig::new(), &start.settings) {
            Ok(config) => config,
            Err(errors) => {
                events.push(Event::Rejected(errors));
                ColorConfig::new()
            }
        };
        let model = Colorize::new(&start.device, photos, config).map_err(|e| e.to_string())?;
        Ok((
            Box::new(Demo::new(ID, model, start.clock).with_compute(start.compute))
                as Box<dyn Task>,
            events,
        ))
    })
}

/// Colour images `[B, 3, H, W]` as HWC values, read.
async fn read_hwc(images: Tensor<4>) -> Result<Vec<f32>, EngineError> {
    read_f32(images.permute([0, 2, 3, 1])).await
}

impl Colorize {
    /// A fresh run of `config` on `photos`.
    pub fn new(device: &Device, photos: Photos, config: ColorConfig) -> Result<Self, FieldErrors> {
        let trainer = ColorTrainer::new(config, device)?;
        Ok(Self {
            device: device.clone(),
            mean: photos.mean_colour(),
            chroma: photos.mean_chroma(),
            photos,
            trainer,
        })
    }

    /// The current trainer.
    pub fn trainer(&self) -> &ColorTrainer {
        &self.trainer
    }

    /// The same photographs with `trainer`'s networks (tests and tools that train directly).
    pub fn with_trainer(mut self, trainer: ColorTrainer) -> Self {
        self.trainer = trainer;
        self
    }

    /// Held-out patches scored.
    pub fn held_out(&self) -> usize {
        self.photos.held_out_len()
    }

    fn model_name(&self) -> &'static str {
        if self.trainer.config().adv_weight > 0.0 {
            "GAN"
        } else {
            "pixel loss"
        }
    }

    /// Eight held-out patches, spread over the photographs: grey input, the model's colours,
    /// the tinted baseline and the real colours.
    pub async fn panel(&self) -> Result<Panel, EngineError> {
        let n = self.photos.held_out_len();
        let indices: Vec<usize> = (0..PANEL_COLUMNS)
            .map(|i| (i * n / PANEL_COLUMNS + n / (2 * PANEL_COLUMNS)).min(n.saturating_sub(1)))
            .collect();
        let (grey, colour) = self.photos.held_out_batch(&indices, &self.device);
        let out = self.trainer.generator().forward(grey.clone());
        let rows = Tensor::cat(
            vec![
                grey.clone().repeat_dim(1, 3),
                out,
                tinted(grey, self.chroma),
                colour,
            ],
            0,
        );
        let values = read_hwc(rows.clamp(-1.0, 1.0)).await?;
        Ok(Panel {
            name: "colorize".into(),
            title: "Held-out photograph patches".into(),
            step: self.trainer.steps(),
            side: IMAGE_SIDE,
            columns: PANEL_COLUMNS,
            pixels: to_bytes(&values),
            row_labels: Some(vec![
                "grey in".into(),
                self.model_name().into(),
                "grey + mean tint".into(),
                "real".into(),
            ]),
            captions: None,
            channels: 3,
        })
    }

    /// PSNR and SSIM (per channel, averaged) of the model and of three baselines (the mean
    /// colour everywhere, the grey tinted by the mean chroma, the grey itself) against the real
    /// colours, over every held-out patch.
    pub async fn scores(&self) -> Result<ScoreTable, EngineError> {
        let generator = self.trainer.generator();
        let mut sums = [FidelitySum::default(); 4];
        let all: Vec<usize> = (0..self.photos.held_out_len()).collect();
        for chunk in all.chunks(100) {
            let n = chunk.len();
            let (grey, colour) = self.photos.held_out_batch(chunk, &self.device);
            let images = Tensor::cat(
                vec![
                    colour,
                    generator.forward(grey.clone()),
                    flat_colour(n, self.mean, &self.device),
                    tinted(grey.clone(), self.chroma),
                    grey.repeat_dim(1, 3),
                ],
                0,
            );
            let values = read_hwc(images).await?;
            let size = n * IMAGE_PIXELS * 3;
            if values.len() != 5 * size {
                return Err(EngineError::Shape(format!("{} values", values.len())));
            }
            let real = &values[..size];
            for (k, sum) in sums.iter_mut().enumerate() {
                sum.add_channels(real, &values[(k + 1) * size..(k + 2) * size], 3)
                    .map_err(|e| EngineError::Shape(e.to_string()))?;
            }
        }
        let row = |name: &str, sum: &FidelitySum| {
            let m = sum.mean();
            (name.to_string(), vec![m.psnr, m.ssim])
        };
        Ok(ScoreTable {
            name: "fidelity".into(),
            title: format!("Held-out patches ({})", sums[0].images()),
            help: "PSNR (dB) and SSIM (Gaussian window 11, σ 1.5, per colour channel, averaged) of each colourised patch against the real one, over patches from the right quarter of each photograph, which no run trains on. Baselines: the training photographs' mean colour everywhere; the grey tinted by their mean chroma; the grey itself. Adversarial training can lower PSNR while the colours look bolder.".into(),
            step: self.trainer.steps(),
            columns: vec!["PSNR (dB)".into(), "SSIM".into()],
            rows: vec![
                row(self.model_name(), &sums[0]),
                row("mean colour", &sums[1]),
                row("grey + mean tint", &sums[2]),
                row("grey", &sums[3]),
            ],
        })
    }
}

impl DemoModel for Colorize {
    fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    fn step(&mut self) -> Tensor<1> {
        self.trainer.step(&self.photos)
    }

    fn images_per_step(&self) -> f32 {
        // D sees a real and a colourised batch, G one colourised batch.
        self.trainer.config().batch_size as f32 * 3.0
    }

    fn view(&self) -> TaskView {
        color_view()
    }

    fn settings(&self) -> SettingPairs {
        to_setting_pairs(self.trainer.config())
    }

    fn scores_every(&self) -> u32 {
        500
    }

    fn reset(&mut self, settings: &SettingPairs) -> Result<(), FieldErrors> {
        let config = parse_pairs(&ColorConfig::new(), settings)?;
        self.trainer = ColorTrainer::new(config, &self.device)?;
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
        Box::pin(Colorize::scores(self))
    }

    fn checkpoint(&self) -> Result<Vec<u8>, EngineError> {
        Ok(save_color(
            &self.trainer.generator(),
            Some(&self.trainer.discriminator()),
            self.trainer.config(),
            self.trainer.steps(),
        )?)
    }

    fn file_name(&self) -> String {
        format!(
            "colorize-adv{}-step{}.bpk",
            self.trainer.config().adv_weight,
            self.trainer.steps()
        )
    }

    /// Continues from a colourisation file (fresh optimisers; a fresh discriminator when it
    /// holds none).
    fn load(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        let file = load_color(bytes, &self.device.clone().autodiff())?;
        let trainer = ColorTrainer::new(file.config, &self.device)
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
        0.0
    }

    fn task() -> ColorizeTask {
        let device = Device::default();
        let photos = Photos::decode(&std::fs::read(format!("www/{PHOTOS}")).unwrap()).unwrap();
        let config = ColorConfig::new()
            .with_channels(2)
            .with_blocks(0)
            .with_batch_size(2);
        Demo::new(ID, Colorize::new(&device, photos, config).unwrap(), clock)
    }

    #[test]
    fn panels_scores_baselines_and_files() {
        let mut task = task();
        let events = pollster::block_on(task.fresh_state());
        let Event::Panel { panel, .. } = &events[1] else {
            panic!("{:?}", events[1])
        };
        assert_eq!(panel.channels, 3);
        assert_eq!(panel.pixels.len(), 4 * PANEL_COLUMNS * IMAGE_PIXELS * 3);
        let Event::Scores(table) = &events[2] else {
            panic!("{:?}", events[2])
        };
        let names: Vec<&str> = table.rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["GAN", "mean colour", "grey + mean tint", "grey"]);
        // The grey input is a fair colourisation of grey parts only: the real photographs
        // have colour, so grey and the baseline score below a perfect match.
        assert!(table.rows.iter().all(|r| r.1[1] < 1.0 && r.1[0] > 5.0));
        let events = pollster::block_on(task.handle(Command::Step));
        assert!(matches!(&events[0], Event::Progress { records, .. } if records.len() == 1));
        let bytes = task.model.checkpoint().unwrap();
        let before = pollster::block_on(task.model.scores()).unwrap();
        let mut other = self::task();
        other.model.load(&bytes).unwrap();
        assert_eq!(other.model.trainer().steps(), 1);
        assert_eq!(
            pollster::block_on(other.model.scores()).unwrap().rows,
            before.rows
        );
        let events = pollster::block_on(other.handle(Command::LoadCheckpoint {
            bytes: vec![1, 2, 3],
        }));
        assert!(matches!(&events[0], Event::Error(e) if e.kind == ErrorKind::Checkpoint));
        assert_eq!(other.model.trainer().steps(), 1);
    }
}
