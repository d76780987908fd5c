//! Super-resolution of digits, SRGAN-style (Ledig et al., 2017).
//!
//! A low-resolution digit is the 28×28 digit averaged over `factor × factor` blocks (7×7 for
//! factor 4, 14×14 for factor 2). The generator turns it back into a 28×28 digit; a PatchGAN
//! discriminator scores a 7×7 grid of overlapping 18×18-pixel patches of real and generated digits; the generator
//! minimises the mean absolute pixel error plus `adv_weight` × the non-saturating adversarial
//! loss (`adv_weight` 0: the pixel-loss-only baseline, no discriminator).
//!
//! The generator predicts a correction to bicubic upsampling (a global skip, as in VDSR), so it
//! starts where bicubic interpolation is and learns what bicubic misses: head 3×3 convolution,
//! `blocks` residual blocks at the low resolution, one nearest ×2 upsampling + 3×3 convolution
//! per doubling, and a 3×3 convolution to one channel.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};

use crate::core::data::{BatchSampler, IMAGE_PIXELS, IMAGE_SIDE, MnistSet};
use crate::core::image_metrics::{ImageMetricError, psnr, ssim};
use crate::core::loss::{discriminator_loss, softplus};
use crate::core::models::layers::upsample_nearest;
use crate::core::models::patchgan::PatchDiscriminator;
use crate::core::settings::{
    Bound, Choice, Group, Kind, Setting, Settings, batch_size, learning_rate, seed, validate,
};
use crate::core::train::{FieldError, FieldErrors};

/// Names of the values a training step reports, in order.
pub const STEP_SERIES: [&str; 3] = ["D loss", "G pixel L1", "G adversarial"];
/// Largest PSNR counted for an image (identical images would give +∞).
pub const PSNR_CAP: f32 = 100.0;

/// Everything that defines a super-resolution run.
#[derive(Config, Debug)]
pub struct SrConfig {
    /// How much smaller the input is: 2 (14×14 in) or 4 (7×7 in).
    #[config(default = 4)]
    pub factor: usize,
    /// Feature maps of the generator (the discriminator has this many, then twice).
    #[config(default = 32)]
    pub channels: usize,
    /// Residual blocks of the generator at the low resolution.
    #[config(default = 2)]
    pub blocks: usize,
    /// Weight of the adversarial loss beside the pixel loss (0: pixel loss only).
    #[config(default = 0.01)]
    pub adv_weight: f64,
    /// Generator learning rate (Adam, β₁ 0.5).
    #[config(default = 1e-3)]
    pub lr_g: f64,
    /// Discriminator learning rate.
    #[config(default = 1e-3)]
    pub lr_d: f64,
    /// Digits per batch.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Seed of the initial weights and the batch order.
    #[config(default = 1)]
    pub seed: u64,
}

fn factors() -> Vec<Choice> {
    vec![
        Choice {
            id: "4",
            label: "×4 (7×7 → 28×28)",
            description: "Each 4×4 block of the digit is averaged to one pixel: the stroke's shape is mostly gone, so the generator must guess it.",
        },
        Choice {
            id: "2",
            label: "×2 (14×14 → 28×28)",
            description: "Each 2×2 block is averaged: the digit stays readable and bicubic upsampling is already close.",
        },
    ]
}

static SR_SETTINGS: &[Setting<SrConfig>] = &[
    Setting {
        id: "factor",
        label: "Upscaling",
        help: "How much smaller the input digit is.",
        kind: Kind::Choice {
            options: factors,
            get: |c| if c.factor == 2 { "2" } else { "4" },
            set: |c, v| c.factor = if v == "2" { 2 } else { 4 },
        },
        live: false,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "adv_weight",
        label: "Adversarial weight",
        help: "How much the discriminator's verdict counts beside the pixel error. 0 trains on the pixel loss alone (sharp-looking strokes need some adversarial weight; PSNR usually prefers 0).",
        kind: Kind::Number {
            get: |c| c.adv_weight,
            set: |c, v| c.adv_weight = v,
            min: Bound::Closed(0.0),
            max: Bound::Closed(10.0),
        },
        live: true,
        group: Group::Model,
        applies: None,
    },
    learning_rate(
        "lr_g",
        "Learning rate G",
        "Adam step size of the generator; 1e-3 learns in seconds on digits.",
        |c: &SrConfig| c.lr_g,
        |c, v| c.lr_g = v,
    ),
    learning_rate(
        "lr_d",
        "Learning rate D",
        "Adam step size of the discriminator.",
        |c: &SrConfig| c.lr_d,
        |c, v| c.lr_d = v,
    ),
    batch_size(
        "Digits per step.",
        512,
        |c: &SrConfig| c.batch_size as u64,
        |c, v| c.batch_size = v as usize,
    ),
    seed(
        "Seeds the initial weights and the order of the digits: the same seed gives the same run.",
        |c: &SrConfig| c.seed,
        |c, v| c.seed = v,
    ),
    Setting {
        id: "channels",
        label: "Channels",
        help: "Feature maps of the generator and the discriminator's first layer.",
        kind: Kind::Whole {
            get: |c| c.channels as u64,
            set: |c, v| c.channels = v as usize,
            min: 4,
            max: 128,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
    Setting {
        id: "blocks",
        label: "Residual blocks",
        help: "Residual blocks of the generator (two 3×3 convolutions each) at the low resolution.",
        kind: Kind::Whole {
            get: |c| c.blocks as u64,
            set: |c, v| c.blocks = v as usize,
            min: 0,
            max: 8,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
];

impl Settings for SrConfig {
    fn settings() -> &'static [Setting<Self>] {
        SR_SETTINGS
    }

    fn cross_checks(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

impl SrConfig {
    /// Side of the low-resolution input.
    pub fn low_side(&self) -> usize {
        IMAGE_SIDE / self.factor
    }

    /// A fresh generator.
    pub fn init_generator(&self, device: &Device) -> SrGenerator {
        let c = self.channels;
        let doublings = self.factor.trailing_zeros() as usize;
        SrGenerator {
            head: conv3(1, c, device),
            blocks: (0..self.blocks)
                .map(|_| ResBlock {
                    a: conv3(c, c, device),
                    b: conv3(c, c, device),
                })
                .collect(),
            ups: (0..doublings).map(|_| conv3(c, c, device)).collect(),
            tail: conv3(c, 1, device),
        }
    }

    /// A fresh discriminator.
    pub fn init_discriminator(&self, device: &Device) -> SrDiscriminator {
        PatchDiscriminator::new(1, self.channels, device)
    }
}

fn conv3(channels_in: usize, channels_out: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([channels_in, channels_out], [3, 3])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// Two 3×3 convolutions with a ReLU between them, added to the input.
#[derive(Module, Debug)]
pub struct ResBlock {
    a: Conv2d,
    b: Conv2d,
}

/// The super-resolution generator: low-resolution digits `[B, 1, s, s]` → `[B, 1, 28, 28]`.
#[derive(Module, Debug)]
pub struct SrGenerator {
    head: Conv2d,
    blocks: Vec<ResBlock>,
    ups: Vec<Conv2d>,
    tail: Conv2d,
}

impl SrGenerator {
    /// Side of the input it expects (28 halved once per upsampling stage).
    pub fn low_side(&self) -> usize {
        IMAGE_SIDE >> self.ups.len()
    }

    /// Upscaling factor.
    pub fn factor(&self) -> usize {
        1 << self.ups.len()
    }

    /// Low-resolution digits `[B, 1, s, s]` (s = [`SrGenerator::low_side`]) in [-1, 1] →
    /// 28×28 digits (not clamped).
    pub fn forward(&self, low: Tensor<4>) -> Tensor<4> {
        let base = bicubic(low.clone());
        let mut x = relu(self.head.forward(low));
        for block in &self.blocks {
            x = x.clone() + block.b.forward(relu(block.a.forward(x)));
        }
        for up in &self.ups {
            x = relu(up.forward(upsample_nearest(x)));
        }
        base + self.tail.forward(x)
    }
}

/// The super-resolution discriminator: a [`PatchDiscriminator`] of greyscale digits.
pub type SrDiscriminator = PatchDiscriminator;

/// The low-resolution version of digits `[B, 1, 28, 28]`: the mean of each `factor × factor`
/// block.
pub fn downsample(images: Tensor<4>, factor: usize) -> Tensor<4> {
    AvgPool2dConfig::new([factor, factor])
        .with_strides([factor, factor])
        .init()
        .forward(images)
}

/// Bicubic upsampling to 28×28 (Burn's bicubic interpolation, half-pixel centres, the
/// convention of PyTorch's `align_corners=False`).
pub fn bicubic(low: Tensor<4>) -> Tensor<4> {
    interpolate(
        low,
        InterpolateOptions::new(InterpolateMode::Bicubic)
            .with_align_corners(false)
            .with_output_size([IMAGE_SIDE, IMAGE_SIDE]),
    )
}

/// A super-resolution GAN and its optimisers on one autodiff device.
pub struct SrTrainer {
    config: SrConfig,
    generator: SrGenerator,
    discriminator: SrDiscriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    sampler: BatchSampler,
    device: Device,
    steps: u64,
    loss_sign: f32,
}

fn adam() -> ModuleOptimizer {
    AdamConfig::new().with_beta_1(0.5).init()
}

impl SrTrainer {
    /// A fresh run on `device` (autodiff is enabled on it) over a data set of `data_len` digits.
    pub fn new(config: SrConfig, data_len: usize, device: &Device) -> Result<Self, FieldErrors> {
        validate(&config)?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        Ok(Self {
            generator: config.init_generator(&device),
            discriminator: config.init_discriminator(&device),
            opt_g: adam(),
            opt_d: adam(),
            sampler: BatchSampler::new(data_len, config.seed),
            config,
            device,
            steps: 0,
            loss_sign: 1.0,
        })
    }

    /// Multiplies the generator's loss by `sign` (−1: G climbs it, a broken trainer that the
    /// learning tests must tell apart from a working one).
    pub fn with_loss_sign(mut self, sign: f32) -> Self {
        self.loss_sign = sign;
        self
    }

    /// Continues from trained networks (fresh optimiser state) at step `steps`.
    pub fn with_networks(
        mut self,
        generator: SrGenerator,
        discriminator: Option<SrDiscriminator>,
        steps: u64,
    ) -> Self {
        self.generator = generator.fork(&self.device);
        if let Some(d) = discriminator {
            self.discriminator = d.fork(&self.device);
        }
        self.steps = steps;
        self
    }

    /// The run's settings.
    pub fn config(&self) -> &SrConfig {
        &self.config
    }

    /// Applies the live settings of `requested` (weights and learning rates).
    pub fn update_live(&mut self, requested: &SrConfig) -> Result<(), FieldErrors> {
        let next = crate::core::settings::with_live(&self.config, requested);
        validate(&next)?;
        self.config = next;
        Ok(())
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One D step (skipped at adversarial weight 0) and one G step on a batch of `data`; returns
    /// [`STEP_SERIES`] (unread).
    pub fn step(&mut self, data: &MnistSet) -> Tensor<1> {
        let config = self.config.clone();
        let indices = self.sampler.next_batch(config.batch_size);
        let (high, _) = data.batch(&indices, &self.device);
        let low = downsample(high.clone(), config.factor);
        let adversarial = config.adv_weight > 0.0;
        let d_loss = if adversarial {
            let fake = self.generator.forward(low.clone()).detach();
            let loss = discriminator_loss(
                self.discriminator.forward(high.clone()),
                self.discriminator.forward(fake),
            );
            let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
            self.discriminator = self
                .opt_d
                .step(config.lr_d, self.discriminator.clone(), grads);
            loss.detach()
        } else {
            Tensor::zeros([1], &self.device)
        };
        let fake = self.generator.forward(low);
        let pixel = (fake.clone() - high).abs().mean();
        let (loss, adv) = if adversarial {
            let adv = softplus(self.discriminator.forward(fake).neg()).mean();
            (
                pixel.clone() + adv.clone() * config.adv_weight,
                adv.detach(),
            )
        } else {
            (pixel.clone(), Tensor::zeros([1], &self.device))
        };
        let loss = loss.mul_scalar(self.loss_sign);
        let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
        self.generator = self.opt_g.step(config.lr_g, self.generator.clone(), grads);
        self.steps += 1;
        Tensor::cat(vec![d_loss, pixel.detach(), adv], 0).inner()
    }

    /// The generator in inference mode.
    pub fn generator(&self) -> SrGenerator {
        self.generator.valid()
    }

    /// The discriminator in inference mode.
    pub fn discriminator(&self) -> SrDiscriminator {
        self.discriminator.valid()
    }
}

/// Mean PSNR (dB, capped at [`PSNR_CAP`]) and mean SSIM of images against references.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fidelity {
    /// Peak signal-to-noise ratio, higher is closer.
    pub psnr: f32,
    /// Structural similarity (Gaussian window 11, σ 1.5), 1 = identical.
    pub ssim: f32,
}

/// Sums of per-image PSNR and SSIM, to average over several batches.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FidelitySum {
    psnr: f64,
    ssim: f64,
    images: usize,
}

impl FidelitySum {
    /// Adds 28×28 greyscale images (values in [-1, 1]; clamped) judged against their
    /// references.
    pub fn add(&mut self, reference: &[f32], images: &[f32]) -> Result<(), ImageMetricError> {
        self.add_channels(reference, images, 1)
    }

    /// Adds 28×28 images of `channels` interleaved channels (HWC; values in [-1, 1]; clamped)
    /// judged against their references (colour: SSIM per channel, averaged).
    pub fn add_channels(
        &mut self,
        reference: &[f32],
        images: &[f32],
        channels: usize,
    ) -> Result<(), ImageMetricError> {
        let size = IMAGE_PIXELS * channels;
        if reference.len() != images.len() {
            return Err(ImageMetricError::LengthMismatch {
                a: reference.len(),
                b: images.len(),
            });
        }
        if size == 0 || !reference.len().is_multiple_of(size) {
            return Err(ImageMetricError::ShapeMismatch {
                len: reference.len(),
                width: IMAGE_SIDE,
                height: IMAGE_SIDE,
                channels,
            });
        }
        for (r, x) in reference.chunks_exact(size).zip(images.chunks_exact(size)) {
            let x: Vec<f32> = x.iter().map(|v| v.clamp(-1.0, 1.0)).collect();
            self.psnr += psnr(r, &x, 2.0)?.min(PSNR_CAP) as f64;
            self.ssim += ssim(r, &x, IMAGE_SIDE, IMAGE_SIDE, channels, 2.0)? as f64;
            self.images += 1;
        }
        Ok(())
    }

    /// Images added.
    pub fn images(&self) -> usize {
        self.images
    }

    /// The means.
    pub fn mean(&self) -> Fidelity {
        let n = self.images.max(1) as f64;
        Fidelity {
            psnr: (self.psnr / n) as f32,
            ssim: (self.ssim / n) as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::default()
    }

    fn digits() -> MnistSet {
        // Four synthetic "digits": a bar, a ring, a cross and a diagonal.
        let mut pixels = vec![0u8; 4 * IMAGE_PIXELS];
        for y in 0..IMAGE_SIDE {
            for x in 0..IMAGE_SIDE {
                let (fx, fy) = (x as f32 - 13.5, y as f32 - 13.5);
                let r = (fx * fx + fy * fy).sqrt();
                let ink = [
                    (10..18).contains(&x) && (4..24).contains(&y),
                    (7.0..10.0).contains(&r),
                    (12..16).contains(&x) || (12..16).contains(&y),
                    (x as i32 - y as i32).abs() < 3,
                ];
                for (i, on) in ink.into_iter().enumerate() {
                    pixels[i * IMAGE_PIXELS + y * IMAGE_SIDE + x] = if on { 255 } else { 0 };
                }
            }
        }
        MnistSet::from_parts(vec![1, 0, 4, 7], pixels).unwrap()
    }

    #[test]
    fn shapes_follow_the_factor_and_downsampling_averages_blocks() {
        let d = device();
        for factor in [2, 4] {
            let config = SrConfig::new().with_factor(factor).with_channels(4);
            let g = config.init_generator(&d);
            assert_eq!((g.low_side(), g.factor()), (28 / factor, factor));
            let (high, _) = digits().batch(&[0, 1], &d);
            let low = downsample(high.clone(), factor);
            assert_eq!(low.dims(), [2, 1, 28 / factor, 28 / factor]);
            assert_eq!(g.forward(low.clone()).dims(), [2, 1, 28, 28]);
            assert_eq!(bicubic(low).dims(), [2, 1, 28, 28]);
            let patches = config.init_discriminator(&d).forward(high);
            assert_eq!(patches.dims(), [2, 49]);
        }
        let ones = Tensor::<4>::ones([1, 1, 28, 28], &d);
        let block = Tensor::<4>::zeros([1, 1, 28, 28], &d).slice_assign(
            [0..1, 0..1, 0..2, 0..2],
            Tensor::<4>::ones([1, 1, 2, 2], &d).mul_scalar(4.0),
        );
        let low: Vec<f32> = downsample(ones + block, 2)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(low[0], 5.0);
        assert!(low[1..].iter().all(|&v| v == 1.0));
    }

    #[test]
    fn bicubic_keeps_a_flat_image_flat() {
        let d = device();
        let flat = Tensor::<4>::ones([1, 1, 7, 7], &d).mul_scalar(0.25);
        let up: Vec<f32> = bicubic(flat).into_data().try_to_vec::<f32>().unwrap();
        assert!(up.iter().all(|v| (v - 0.25).abs() < 1e-5));
    }

    #[test]
    fn fidelity_of_identical_images_is_perfect_and_sizes_are_checked() {
        let (high, _) = digits().batch(&[0, 1, 2, 3], &device());
        let values: Vec<f32> = high.into_data().try_to_vec::<f32>().unwrap();
        let mut sum = FidelitySum::default();
        sum.add(&values, &values).unwrap();
        assert_eq!(sum.images(), 4);
        assert_eq!(sum.mean().psnr, PSNR_CAP);
        assert!((sum.mean().ssim - 1.0).abs() < 1e-6);
        assert!(sum.add(&values, &values[1..]).is_err());
    }

    #[test]
    fn the_registry_covers_every_field_and_refuses_out_of_range_values() {
        use crate::core::settings::probe::{bad_value, other_value};
        use crate::core::settings::{apply_pairs, to_pairs};
        let json = |c: &SrConfig| serde_json::to_value(c).unwrap_or_default();
        let mut changed = SrConfig::new();
        for s in SrConfig::settings() {
            let text = other_value(s, &changed);
            s.parse_into(&mut changed, &text).unwrap();
            assert_ne!(s.text(&changed), s.text(&SrConfig::new()), "{}", s.id);
        }
        let pairs = to_pairs(&changed);
        let (back, errors) = apply_pairs(
            &SrConfig::new(),
            pairs.iter().map(|(k, v)| (*k, v.as_str())),
        );
        assert_eq!(errors, []);
        assert_eq!(json(&back), json(&changed));
        for s in SrConfig::settings() {
            let Some(bad) = bad_value(s) else { continue };
            let mut config = SrConfig::new();
            let e = s.parse_into(&mut config, &bad).unwrap_err();
            assert_eq!(e.field, s.id);
            assert_eq!(json(&config), json(&SrConfig::new()), "{}", s.id);
        }
    }

    #[test]
    fn bad_settings_are_refused_with_the_field() {
        let e = SrTrainer::new(SrConfig::new().with_batch_size(0), 4, &device())
            .err()
            .unwrap();
        assert_eq!(e[0].field, "batch_size");
        let e = SrTrainer::new(SrConfig::new().with_adv_weight(-1.0), 4, &device())
            .err()
            .unwrap();
        assert_eq!(e[0].field, "adv_weight");
    }
}
