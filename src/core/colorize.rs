//! Colourisation, the second guide's worked example of paired translation: a generator turns
//! grey 28×28 patches of real photographs into colour, trained (as pix2pix is) with a pixel
//! loss plus `adv_weight` × the non-saturating loss of a conditional PatchGAN discriminator,
//! which judges the grey input and the colour output together.
//!
//! **Data**: the photographs of `www/data/photos.bin` (scikit-image's sample images, public domain
//! or CC0; see `make-photos.py`). The left three quarters of each photograph train (random
//! patches, mirrored at random); patches from its right quarter, never trained on, are held out
//! and scored. Grey is the luma Y = 0.299 R + 0.587 G + 0.114 B.
//!
//! **Generator**: a small U-Net: 3×3 convolution at 28×28, two strided 4×4 convolutions
//! (28 → 14 → 7), residual blocks at 7×7, then nearest ×2 upsampling + 3×3 convolution twice,
//! each followed by a 3×3 convolution over it concatenated with the encoder's features at that
//! size (the skip connections), and a 3×3 convolution to two chroma channels (Cb, Cr), turned
//! into RGB with the input as the luma, so the structure of the photograph is kept exactly and
//! the network only chooses colours (as colourisers that predict Lab's a, b given L do).

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::relu;
use rand::Rng as _;

use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::core::loss::{discriminator_loss, softplus};
use crate::core::models::layers::upsample_nearest;
use crate::core::models::patchgan::PatchDiscriminator;
use crate::core::rng::{self, Rng};
use crate::core::settings::{
    Bound, Group, Kind, Setting, Settings, batch_size, learning_rate, seed, validate,
};
use crate::core::train::{FieldError, FieldErrors};

/// Names of the values a training step reports, in order.
pub const STEP_SERIES: [&str; 3] = ["D loss", "G pixel L1", "G adversarial"];
/// The share of each photograph's width (from the left) that trains.
const TRAIN_SHARE: f32 = 0.75;
/// Held-out patches start every this many pixels.
const HELD_STRIDE: usize = 6;
const MAGIC: &[u8; 4] = b"GPPH";

/// Why a photographs file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    /// Not a photographs file.
    #[error("not a GAN Playground photographs file (bad magic bytes)")]
    BadMagic,
    /// A newer layout.
    #[error("photographs file version {0} is not one this build reads")]
    Version(u8),
    /// Shorter than its header says.
    #[error("photographs file truncated")]
    Truncated,
    /// A photograph too small for a patch of each split.
    #[error("photograph {name} is {width}×{height}: too small for training and held-out patches")]
    TooSmall {
        /// Its name.
        name: String,
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// No photographs.
    #[error("the photographs file holds no photographs")]
    Empty,
}

/// One photograph, RGB bytes row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    /// Its name.
    pub name: String,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

impl Photo {
    fn train_width(&self) -> usize {
        (self.width as f32 * TRAIN_SHARE) as usize
    }
}

/// The photographs of the colourisation demo, with their training and held-out patches.
#[derive(Clone, Debug, PartialEq)]
pub struct Photos {
    photos: Vec<Photo>,
    held_out: Vec<(usize, usize, usize)>,
}

impl Photos {
    /// Reads a photographs file (`www/data/photos.bin`, see `make-photos.py`).
    pub fn decode(bytes: &[u8]) -> Result<Self, PhotoError> {
        if bytes.len() < 6 || &bytes[..4] != MAGIC {
            return Err(PhotoError::BadMagic);
        }
        if bytes[4] != 1 {
            return Err(PhotoError::Version(bytes[4]));
        }
        let count = bytes[5] as usize;
        let mut at = 6;
        let mut take = |n: usize| -> Result<&[u8], PhotoError> {
            let s = bytes.get(at..at + n).ok_or(PhotoError::Truncated)?;
            at += n;
            Ok(s)
        };
        let mut photos = Vec::with_capacity(count);
        for _ in 0..count {
            let len = take(1)?[0] as usize;
            let name = String::from_utf8_lossy(take(len)?).into_owned();
            let size = take(4)?;
            let width = u16::from_le_bytes([size[0], size[1]]) as usize;
            let height = u16::from_le_bytes([size[2], size[3]]) as usize;
            let rgb = take(width * height * 3)?.to_vec();
            photos.push(Photo {
                name,
                width,
                height,
                rgb,
            });
        }
        Self::new(photos)
    }

    /// The photographs, each needing room for a training and a held-out patch.
    pub fn new(photos: Vec<Photo>) -> Result<Self, PhotoError> {
        if photos.is_empty() {
            return Err(PhotoError::Empty);
        }
        let mut held_out = Vec::new();
        for (i, p) in photos.iter().enumerate() {
            let train = p.train_width();
            if train < IMAGE_SIDE || p.width < train + IMAGE_SIDE || p.height < IMAGE_SIDE {
                return Err(PhotoError::TooSmall {
                    name: p.name.clone(),
                    width: p.width,
                    height: p.height,
                });
            }
            for y in (0..=p.height - IMAGE_SIDE).step_by(HELD_STRIDE) {
                for x in (train..=p.width - IMAGE_SIDE).step_by(HELD_STRIDE) {
                    held_out.push((i, x, y));
                }
            }
        }
        Ok(Self { photos, held_out })
    }

    /// The photographs.
    pub fn photos(&self) -> &[Photo] {
        &self.photos
    }

    /// Held-out patches.
    pub fn held_out_len(&self) -> usize {
        self.held_out.len()
    }

    /// The patch at `(photo, x, y)` as HWC floats in [-1, 1], mirrored if `flip`.
    fn patch(&self, (photo, x0, y0): (usize, usize, usize), flip: bool) -> Vec<f32> {
        let p = &self.photos[photo];
        let mut out = Vec::with_capacity(IMAGE_PIXELS * 3);
        for y in 0..IMAGE_SIDE {
            for x in 0..IMAGE_SIDE {
                let sx = if flip { IMAGE_SIDE - 1 - x } else { x };
                let at = ((y0 + y) * p.width + x0 + sx) * 3;
                out.extend(p.rgb[at..at + 3].iter().map(|&v| v as f32 / 127.5 - 1.0));
            }
        }
        out
    }

    fn batch_of(&self, patches: &[Vec<f32>], device: &Device) -> (Tensor<4>, Tensor<4>) {
        let n = patches.len();
        let hwc: Vec<f32> = patches.concat();
        let colour = Tensor::<1>::from_data(TensorData::new(hwc, [n * IMAGE_PIXELS * 3]), device)
            .reshape([n, IMAGE_SIDE, IMAGE_SIDE, 3])
            .permute([0, 3, 1, 2]);
        (grey(colour.clone()), colour)
    }

    /// A training batch: grey patches `[B, 1, 28, 28]` and their colour `[B, 3, 28, 28]`, in
    /// [-1, 1], from random places of the photographs' training parts, mirrored at random.
    pub fn train_batch(
        &self,
        size: usize,
        rng: &mut Rng,
        device: &Device,
    ) -> (Tensor<4>, Tensor<4>) {
        let patches: Vec<Vec<f32>> = (0..size)
            .map(|_| {
                let i = rng.random_range(0..self.photos.len());
                let p = &self.photos[i];
                let x = rng.random_range(0..=p.train_width() - IMAGE_SIDE);
                let y = rng.random_range(0..=p.height - IMAGE_SIDE);
                self.patch((i, x, y), rng.random_bool(0.5))
            })
            .collect();
        self.batch_of(&patches, device)
    }

    /// Held-out patches `indices` (grey and colour), never trained on.
    pub fn held_out_batch(&self, indices: &[usize], device: &Device) -> (Tensor<4>, Tensor<4>) {
        let patches: Vec<Vec<f32>> = indices
            .iter()
            .map(|&i| self.patch(self.held_out[i], false))
            .collect();
        self.batch_of(&patches, device)
    }

    /// The mean colour (RGB in [-1, 1]) of the photographs' training parts.
    pub fn mean_colour(&self) -> [f32; 3] {
        let mut sum = [0f64; 3];
        let mut n = 0f64;
        for p in &self.photos {
            for y in 0..p.height {
                for x in 0..p.train_width() {
                    let at = (y * p.width + x) * 3;
                    for (c, s) in sum.iter_mut().enumerate() {
                        *s += p.rgb[at + c] as f64 / 127.5 - 1.0;
                    }
                    n += 1.0;
                }
            }
        }
        sum.map(|s| (s / n.max(1.0)) as f32)
    }

    /// The mean of each channel minus the luma over the training parts: what the tinted
    /// baseline adds to a grey patch.
    pub fn mean_chroma(&self) -> [f32; 3] {
        let m = self.mean_colour();
        let luma = 0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2];
        m.map(|c| c - luma)
    }
}

/// The luma of colour images `[B, 3, H, W]` → `[B, 1, H, W]`.
pub fn grey(colour: Tensor<4>) -> Tensor<4> {
    let device = colour.device();
    let weights =
        Tensor::<1>::from_floats(crate::core::colour_digits::LUMA, &device).reshape([1, 3, 1, 1]);
    (colour * weights).sum_dim(1)
}

/// The "mean colour" baseline: every pixel of every patch the training photographs' mean
/// colour, `[B, 3, 28, 28]`.
pub fn flat_colour(batch: usize, colour: [f32; 3], device: &Device) -> Tensor<4> {
    Tensor::<1>::from_floats(colour, device)
        .reshape([1, 3, 1, 1])
        .repeat(&[batch, 1, IMAGE_SIDE, IMAGE_SIDE])
}

/// The "tinted" baseline: each grey pixel plus the training photographs' mean chroma.
pub fn tinted(grey: Tensor<4>, chroma: [f32; 3]) -> Tensor<4> {
    let device = grey.device();
    let offset = Tensor::<1>::from_floats(chroma, &device).reshape([1, 3, 1, 1]);
    (grey.repeat_dim(1, 3) + offset).clamp(-1.0, 1.0)
}

/// Everything that defines a colourisation run.
#[derive(Config, Debug)]
pub struct ColorConfig {
    /// Weight of the adversarial loss beside the pixel loss (0: pixel loss only).
    #[config(default = 0.01)]
    pub adv_weight: f64,
    /// Generator learning rate (Adam, β₁ 0.5).
    #[config(default = 1e-3)]
    pub lr_g: f64,
    /// Discriminator learning rate.
    #[config(default = 1e-3)]
    pub lr_d: f64,
    /// Patches per batch.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Seed of the initial weights and the patches drawn.
    #[config(default = 1)]
    pub seed: u64,
    /// Feature maps of the generator's first layer (×2 at 14×14, ×4 at 7×7) and of the
    /// discriminator's.
    #[config(default = 16)]
    pub channels: usize,
    /// Residual blocks at 7×7.
    #[config(default = 1)]
    pub blocks: usize,
}

static COLOR_SETTINGS: &[Setting<ColorConfig>] = &[
    Setting {
        id: "adv_weight",
        label: "Adversarial weight",
        help: "How much the discriminator's verdict counts beside the pixel error (pix2pix's 1 : 100 is 0.01). 0 trains on the pixel loss alone, which averages the possible colours into browns and greys.",
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
        "Adam step size of the generator.",
        |c: &ColorConfig| c.lr_g,
        |c, v| c.lr_g = v,
    ),
    learning_rate(
        "lr_d",
        "Learning rate D",
        "Adam step size of the discriminator.",
        |c: &ColorConfig| c.lr_d,
        |c, v| c.lr_d = v,
    ),
    batch_size(
        "Patches per step.",
        512,
        |c: &ColorConfig| c.batch_size as u64,
        |c, v| c.batch_size = v as usize,
    ),
    seed(
        "Seeds the initial weights and the patches drawn: the same seed gives the same run.",
        |c: &ColorConfig| c.seed,
        |c, v| c.seed = v,
    ),
    Setting {
        id: "channels",
        label: "Channels",
        help: "Feature maps of the generator's first layer (doubled at 14×14 and again at 7×7) and of the discriminator's.",
        kind: Kind::Whole {
            get: |c| c.channels as u64,
            set: |c, v| c.channels = v as usize,
            min: 2,
            max: 128,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
    Setting {
        id: "blocks",
        label: "Residual blocks",
        help: "Residual blocks of the generator at 7×7.",
        kind: Kind::Whole {
            get: |c| c.blocks as u64,
            set: |c, v| c.blocks = v as usize,
            min: 0,
            max: 6,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
];

impl Settings for ColorConfig {
    fn settings() -> &'static [Setting<Self>] {
        COLOR_SETTINGS
    }

    fn cross_checks(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

fn conv(channels_in: usize, channels_out: usize, kernel: usize, device: &Device) -> Conv2d {
    let (stride, pad) = if kernel == 4 { (2, 1) } else { (1, 1) };
    Conv2dConfig::new([channels_in, channels_out], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .init(device)
}

/// Two 3×3 convolutions with a ReLU between them, added to the input.
#[derive(Module, Debug)]
pub struct Block {
    a: Conv2d,
    b: Conv2d,
}

/// The colourising U-Net: grey `[B, 1, 28, 28]` in [-1, 1] → colour `[B, 3, 28, 28]` (not
/// clamped).
#[derive(Module, Debug)]
pub struct ColorGenerator {
    e1: Conv2d,
    e2: Conv2d,
    e3: Conv2d,
    blocks: Vec<Block>,
    u2: Conv2d,
    m2: Conv2d,
    u1: Conv2d,
    m1: Conv2d,
    out: Conv2d,
}

impl ColorGenerator {
    /// Grey patches → colour patches whose luma is the grey input's.
    pub fn forward(&self, grey: Tensor<4>) -> Tensor<4> {
        let [batch, _, h, w] = grey.dims();
        let f1 = relu(self.e1.forward(grey.clone())); // [B, c, 28, 28]
        let f2 = relu(self.e2.forward(f1.clone())); // [B, 2c, 14, 14]
        let mut x = relu(self.e3.forward(f2.clone())); // [B, 4c, 7, 7]
        for b in &self.blocks {
            x = x.clone() + b.b.forward(relu(b.a.forward(x)));
        }
        let x = relu(self.u2.forward(upsample_nearest(x))); // [B, 2c, 14, 14]
        let x = relu(self.m2.forward(Tensor::cat(vec![x, f2], 1)));
        let x = relu(self.u1.forward(upsample_nearest(x))); // [B, c, 28, 28]
        let x = relu(self.m1.forward(Tensor::cat(vec![x, f1], 1)));
        let chroma = self.out.forward(x); // [B, 2, 28, 28]: Cb, Cr
        let cb = chroma.clone().slice([0..batch, 0..1, 0..h, 0..w]);
        let cr = chroma.slice([0..batch, 1..2, 0..h, 0..w]);
        // YCbCr (JPEG's) to RGB: the luma stays exactly the input's.
        let r = grey.clone() + cr.clone().mul_scalar(1.402);
        let g = grey.clone() - cb.clone().mul_scalar(0.344_136) - cr.mul_scalar(0.714_136);
        let b = grey + cb.mul_scalar(1.772);
        Tensor::cat(vec![r, g, b], 1)
    }
}

impl ColorConfig {
    /// A fresh generator.
    pub fn init_generator(&self, device: &Device) -> ColorGenerator {
        let c = self.channels;
        ColorGenerator {
            e1: conv(1, c, 3, device),
            e2: conv(c, 2 * c, 4, device),
            e3: conv(2 * c, 4 * c, 4, device),
            blocks: (0..self.blocks)
                .map(|_| Block {
                    a: conv(4 * c, 4 * c, 3, device),
                    b: conv(4 * c, 4 * c, 3, device),
                })
                .collect(),
            u2: conv(4 * c, 2 * c, 3, device),
            m2: conv(4 * c, 2 * c, 3, device),
            u1: conv(2 * c, c, 3, device),
            m1: conv(2 * c, c, 3, device),
            out: conv(c, 2, 3, device),
        }
    }

    /// A fresh conditional discriminator (grey and colour stacked: 4 channels).
    pub fn init_discriminator(&self, device: &Device) -> PatchDiscriminator {
        PatchDiscriminator::new(4, self.channels, device)
    }
}

/// A colourisation GAN and its optimisers on one autodiff device.
pub struct ColorTrainer {
    config: ColorConfig,
    generator: ColorGenerator,
    discriminator: PatchDiscriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    rng: Rng,
    device: Device,
    steps: u64,
    loss_sign: f32,
}

fn adam() -> ModuleOptimizer {
    AdamConfig::new().with_beta_1(0.5).init()
}

impl ColorTrainer {
    /// A fresh run on `device` (autodiff is enabled on it).
    pub fn new(config: ColorConfig, device: &Device) -> Result<Self, FieldErrors> {
        validate(&config)?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        Ok(Self {
            generator: config.init_generator(&device),
            discriminator: config.init_discriminator(&device),
            opt_g: adam(),
            opt_d: adam(),
            rng: rng::seeded(config.seed),
            config,
            device,
            steps: 0,
            loss_sign: 1.0,
        })
    }

    /// Multiplies the generator's loss by `sign` (−1: a broken trainer for the learning tests).
    pub fn with_loss_sign(mut self, sign: f32) -> Self {
        self.loss_sign = sign;
        self
    }

    /// Continues from trained networks (fresh optimiser state) at step `steps`.
    pub fn with_networks(
        mut self,
        generator: ColorGenerator,
        discriminator: Option<PatchDiscriminator>,
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
    pub fn config(&self) -> &ColorConfig {
        &self.config
    }

    /// Applies the live settings of `requested`.
    pub fn update_live(&mut self, requested: &ColorConfig) -> Result<(), FieldErrors> {
        let next = crate::core::settings::with_live(&self.config, requested);
        validate(&next)?;
        self.config = next;
        Ok(())
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One D step (skipped at adversarial weight 0) and one G step on a batch of patches;
    /// returns [`STEP_SERIES`] (unread).
    pub fn step(&mut self, photos: &Photos) -> Tensor<1> {
        let config = self.config.clone();
        let (grey, colour) = photos.train_batch(config.batch_size, &mut self.rng, &self.device);
        let adversarial = config.adv_weight > 0.0;
        let judge =
            |d: &PatchDiscriminator, c: Tensor<4>| d.forward(Tensor::cat(vec![grey.clone(), c], 1));
        let d_loss = if adversarial {
            let fake = self.generator.forward(grey.clone()).detach();
            let loss = discriminator_loss(
                judge(&self.discriminator, colour.clone()),
                judge(&self.discriminator, fake),
            );
            let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
            self.discriminator = self
                .opt_d
                .step(config.lr_d, self.discriminator.clone(), grads);
            loss.detach()
        } else {
            Tensor::zeros([1], &self.device)
        };
        let fake = self.generator.forward(grey.clone());
        let pixel = (fake.clone() - colour).abs().mean();
        let (loss, adv) = if adversarial {
            let adv = softplus(judge(&self.discriminator, fake).neg()).mean();
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
    pub fn generator(&self) -> ColorGenerator {
        self.generator.valid()
    }

    /// The discriminator in inference mode.
    pub fn discriminator(&self) -> PatchDiscriminator {
        self.discriminator.valid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(name: &str, width: usize, height: usize) -> Photo {
        let rgb = (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 255 / width) as u8, (y * 255 / height) as u8, 128]
            })
            .collect();
        Photo {
            name: name.into(),
            width,
            height,
            rgb,
        }
    }

    fn encode(photos: &[Photo]) -> Vec<u8> {
        let mut out = b"GPPH".to_vec();
        out.extend([1, photos.len() as u8]);
        for p in photos {
            out.push(p.name.len() as u8);
            out.extend(p.name.as_bytes());
            out.extend((p.width as u16).to_le_bytes());
            out.extend((p.height as u16).to_le_bytes());
            out.extend(&p.rgb);
        }
        out
    }

    #[test]
    fn photographs_decode_split_and_refuse_bad_files() {
        let photos = vec![photo("a", 160, 100), photo("b", 160, 40)];
        let set = Photos::decode(&encode(&photos)).unwrap();
        assert_eq!(set.photos(), &photos[..]);
        // Held-out patches start in the right quarter only: x from 120 to 132 by 6 (3), y from
        // 0 to 72 by 6 (13) for "a", 0 to 12 (3) for "b".
        assert_eq!(set.held_out_len(), 3 * 13 + 3 * 3);
        assert!(set.held_out.iter().all(|&(_, x, _)| x >= 120));
        assert_eq!(Photos::decode(b"nope"), Err(PhotoError::BadMagic));
        let mut bytes = encode(&photos);
        bytes.truncate(bytes.len() - 1);
        assert_eq!(Photos::decode(&bytes), Err(PhotoError::Truncated));
        assert!(matches!(
            Photos::new(vec![photo("tiny", 40, 40)]),
            Err(PhotoError::TooSmall { .. })
        ));
        assert_eq!(Photos::new(Vec::new()), Err(PhotoError::Empty));
    }

    #[test]
    fn batches_are_grey_and_colour_of_the_same_patch_and_training_stays_left() {
        let d = Device::default();
        let set = Photos::new(vec![photo("a", 160, 60)]).unwrap();
        let mut rng = rng::seeded(3);
        let (g, c) = set.train_batch(64, &mut rng, &d);
        assert_eq!((g.dims(), c.dims()), ([64, 1, 28, 28], [64, 3, 28, 28]));
        // Red grows with x: training patches come from x < 120, so red stays below
        // 120·255/160 ≈ 191 → 0.5 on the [-1, 1] scale.
        let red: Vec<f32> = c
            .clone()
            .slice([0..64, 0..1])
            .into_data()
            .try_to_vec()
            .unwrap();
        assert!(
            red.iter().all(|&v| v < 0.5),
            "{}",
            red.iter().cloned().fold(-1.0, f32::max)
        );
        let diff = (grey(c) - g).abs().max().into_scalar::<f32>();
        assert!(diff < 1e-6);
        // The tinted baseline keeps the grey and adds the chroma; the flat one is the mean.
        let chroma = set.mean_chroma();
        let base = tinted(Tensor::zeros([1, 1, 28, 28], &d), chroma);
        let v: Vec<f32> = base.into_data().try_to_vec().unwrap();
        assert!((v[0] - chroma[0]).abs() < 1e-6 && (v[IMAGE_PIXELS] - chroma[1]).abs() < 1e-6);
        let mean = set.mean_colour();
        // Blue is constant (128 → 0.004), red and green ramps average near 0.
        assert!((mean[2] - (128.0 / 127.5 - 1.0)).abs() < 1e-5, "{mean:?}");
        let flat: Vec<f32> = flat_colour(2, mean, &d).into_data().try_to_vec().unwrap();
        assert_eq!(flat.len(), 2 * 3 * IMAGE_PIXELS);
        assert!((flat[2 * IMAGE_PIXELS + 5] - mean[2]).abs() < 1e-6);
    }

    #[test]
    fn shapes_steps_and_the_registry() {
        use crate::core::settings::probe::{bad_value, other_value};
        let d = Device::default();
        let config = ColorConfig::new().with_channels(2).with_batch_size(2);
        let out = config
            .init_generator(&d)
            .forward(Tensor::zeros([3, 1, 28, 28], &d));
        assert_eq!(out.dims(), [3, 3, 28, 28]);
        let set = Photos::new(vec![photo("a", 160, 60)]).unwrap();
        let mut t = ColorTrainer::new(config.clone(), &d).unwrap();
        let stats: Vec<f32> = t.step(&set).into_data().try_to_vec().unwrap();
        assert_eq!(stats.len(), 3);
        assert!(stats.iter().all(|v| v.is_finite()) && stats[0] > 0.0);
        let mut pixel_only = ColorTrainer::new(config.with_adv_weight(0.0), &d).unwrap();
        let stats: Vec<f32> = pixel_only.step(&set).into_data().try_to_vec().unwrap();
        assert_eq!((stats[0], stats[2]), (0.0, 0.0));
        let mut changed = ColorConfig::new();
        for s in ColorConfig::settings() {
            let text = other_value(s, &changed);
            s.parse_into(&mut changed, &text).unwrap();
            if let Some(bad) = bad_value(s) {
                assert!(
                    s.parse_into(&mut ColorConfig::new(), &bad).is_err(),
                    "{}",
                    s.id
                );
            }
        }
        assert!(ColorTrainer::new(ColorConfig::new().with_batch_size(0), &d).is_err());
    }
}
