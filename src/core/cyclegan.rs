//! CycleGAN (Zhu et al., 2017) for 28×28 image domains: unpaired translation between a domain X
//! (handwritten MNIST digits) and a domain Y ([`Domain`]: typeset digits, or colour digits in
//! RGB).
//!
//! Two generators, G: X → Y and F: Y → X, and two PatchGAN discriminators, D_Y (real y against
//! G(x)) and D_X (real x against F(y)), trained with the least-squares adversarial loss as in
//! the paper. The generators also minimise the cycle-consistency loss
//! λ·(‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁) and the identity loss
//! λ·λ_id·(‖G(y) − y‖₁ + ‖F(x) − x‖₁) (means of absolute pixel differences; between greyscale
//! X and colour Y, [`colour_identity_loss`]). With λ = 0 both
//! vanish and nothing ties a translation to its input but the generator's own locality: the
//! demo's "twin" shows what is then lost.
//!
//! The generator is the paper's ResNet generator scaled to 28×28: a 3×3 convolution, two
//! strided 4×4 convolutions (28 → 14 → 7), residual blocks at 7×7, two nearest ×2 upsamplings
//! each followed by a 3×3 convolution, and a 3×3 convolution to the output with tanh; instance
//! normalisation and ReLU after every inner convolution. The paper's history buffer of 50
//! generated images for D is left out: D sees the current batch's translations.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{InstanceNorm, InstanceNormConfig, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};

use crate::core::classifier::Classifier;
use crate::core::colour_digits::{ColourSet, strokes};
use crate::core::data::{BatchSampler, MnistSet};
use crate::core::models::layers::upsample_nearest;
use crate::core::models::patchgan::PatchDiscriminator;
use crate::core::settings::{
    Bound, Choice, Group, Kind, Setting, Settings, batch_size, choices, learning_rate, seed,
    validate,
};
use crate::core::train::{FieldError, FieldErrors};

/// Names of the values a training step reports, in order.
pub const STEP_SERIES: [&str; 7] = [
    "G adversarial (x→y)",
    "F adversarial (y→x)",
    "cycle x→y→x",
    "cycle y→x→y",
    "identity",
    "D_Y loss",
    "D_X loss",
];

/// The domain Y that handwritten digits (domain X) are translated to and from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub enum Domain {
    /// Digits typeset in ten DejaVu faces (greyscale).
    #[default]
    Typeset,
    /// MNIST strokes in random colours over coloured or textured backgrounds (RGB).
    Colour,
}

impl Domain {
    /// Every domain, in display order.
    pub const ALL: [Domain; 2] = [Domain::Typeset, Domain::Colour];

    /// Stable identifier used in URLs, the CLI and files.
    pub fn id(self) -> &'static str {
        match self {
            Domain::Typeset => "typeset",
            Domain::Colour => "colour",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            Domain::Typeset => "Typeset digits",
            Domain::Colour => "Colour digits (RGB)",
        }
    }

    /// A sentence on what it is.
    pub fn description(self) -> &'static str {
        match self {
            Domain::Typeset => {
                "Digits rendered from ten DejaVu faces with random size, slant, weight and offset: the style must change, the digit must stay."
            }
            Domain::Colour => {
                "Handwritten strokes in a random colour over solid, striped, checked, gradient or noisy backgrounds: G must invent colours, F must remove them, 1 ↔ 3 channels."
            }
        }
    }

    /// Parses an identifier from [`Domain::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.id() == id)
    }

    /// The domain that settings pairs name (none, as in files and cards from before colour
    /// digits: typeset).
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        pairs
            .iter()
            .find(|(k, _)| k == "domain")
            .and_then(|(_, v)| Self::from_id(v))
            .unwrap_or_default()
    }

    /// Channels of its images.
    pub fn channels(self) -> usize {
        match self {
            Domain::Typeset => 1,
            Domain::Colour => 3,
        }
    }

    /// How its images are named in panels ("typeset", "colour").
    pub fn noun(self) -> &'static str {
        match self {
            Domain::Typeset => "typeset",
            Domain::Colour => "colour",
        }
    }
}

fn domains() -> Vec<Choice> {
    choices(&Domain::ALL, Domain::id, Domain::label, Domain::description)
}

/// The images of one domain: greyscale digits or colour digits.
#[derive(Clone, Debug)]
pub enum DomainSet {
    /// `[B, 1, 28, 28]` images.
    Grey(MnistSet),
    /// `[B, 3, 28, 28]` images.
    Colour(ColourSet),
}

impl DomainSet {
    /// Images held.
    pub fn len(&self) -> usize {
        match self {
            DomainSet::Grey(s) => s.len(),
            DomainSet::Colour(s) => s.len(),
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Channels of its images.
    pub fn channels(&self) -> usize {
        match self {
            DomainSet::Grey(_) => 1,
            DomainSet::Colour(_) => 3,
        }
    }

    /// Splits into the first `at` images and the rest (`None` past the end).
    pub fn split(&self, at: usize) -> Option<(Self, Self)> {
        match self {
            DomainSet::Grey(s) => s
                .split(at)
                .ok()
                .map(|(a, b)| (DomainSet::Grey(a), DomainSet::Grey(b))),
            DomainSet::Colour(s) => s
                .split(at)
                .map(|(a, b)| (DomainSet::Colour(a), DomainSet::Colour(b))),
        }
    }

    /// Images `[B, C, 28, 28]` in [-1, 1], for the given indices.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        match self {
            DomainSet::Grey(s) => s.batch(indices, device).0,
            DomainSet::Colour(s) => s.batch(indices, device),
        }
    }
}

/// What the content classifier reads of images `[B, C, 28, 28]`: greyscale ones as they are,
/// colour ones through [`strokes`] (white strokes on black, whatever their colours).
pub fn readable(images: Tensor<4>) -> Tensor<4> {
    if images.dims()[1] == 3 {
        strokes(images)
    } else {
        images
    }
}

/// Everything that defines a CycleGAN run.
#[derive(Config, Debug)]
pub struct CycleConfig {
    /// The domain Y (domain X is handwritten digits).
    #[config(default = "Domain::Typeset")]
    pub domain: Domain,
    /// Cycle-consistency weight λ (0: no cycle or identity loss, the demo's twin).
    #[config(default = 10.0)]
    pub cycle_weight: f64,
    /// Identity weight, as a fraction of λ (the paper's 0.5).
    #[config(default = 0.5)]
    pub identity_weight: f64,
    /// Learning rate of both generators (Adam, β₁ 0.5).
    #[config(default = 5e-4)]
    pub lr_g: f64,
    /// Learning rate of both discriminators.
    #[config(default = 5e-4)]
    pub lr_d: f64,
    /// Images of each domain per batch.
    #[config(default = 16)]
    pub batch_size: usize,
    /// Seed of the initial weights and the batch order.
    #[config(default = 1)]
    pub seed: u64,
    /// Feature maps of the generators' first layer (×2 at 14×14, ×4 at 7×7) and of the
    /// discriminators' first layer.
    #[config(default = 8)]
    pub channels: usize,
    /// Residual blocks of each generator at 7×7.
    #[config(default = 2)]
    pub blocks: usize,
}

static CYCLE_SETTINGS: &[Setting<CycleConfig>] = &[
    Setting {
        id: "domain",
        label: "Domain Y",
        help: "What handwritten digits are translated to and from.",
        kind: Kind::Choice {
            options: domains,
            get: |c| c.domain.id(),
            set: |c, v| c.domain = Domain::from_id(v).unwrap_or_default(),
        },
        live: false,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "cycle_weight",
        label: "Cycle weight λ",
        help: "Weight of the cycle-consistency loss ‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁ beside the adversarial losses (the paper's 10). At 0 nothing makes a translation keep its input's digit.",
        kind: Kind::Number {
            get: |c| c.cycle_weight,
            set: |c, v| c.cycle_weight = v,
            min: Bound::Closed(0.0),
            max: Bound::Closed(100.0),
        },
        live: true,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "identity_weight",
        label: "Identity weight (× λ)",
        help: "Weight of the identity loss ‖G(y) − y‖₁ + ‖F(x) − x‖₁, as a fraction of λ (the paper's 0.5): a generator given an image of its own output domain should leave it alone. With colour digits only F's half applies (a greyscale-to-colour G cannot be given a colour image): F given a handwritten digit as a colour image, white on black and black on white, should return it.",
        kind: Kind::Number {
            get: |c| c.identity_weight,
            set: |c, v| c.identity_weight = v,
            min: Bound::Closed(0.0),
            max: Bound::Closed(10.0),
        },
        live: true,
        group: Group::Model,
        applies: None,
    },
    learning_rate(
        "lr_g",
        "Learning rate G, F",
        "Adam step size of both generators (β₁ 0.5).",
        |c: &CycleConfig| c.lr_g,
        |c, v| c.lr_g = v,
    ),
    learning_rate(
        "lr_d",
        "Learning rate D_X, D_Y",
        "Adam step size of both discriminators.",
        |c: &CycleConfig| c.lr_d,
        |c, v| c.lr_d = v,
    ),
    batch_size(
        "Images of each domain per step.",
        256,
        |c: &CycleConfig| c.batch_size as u64,
        |c, v| c.batch_size = v as usize,
    ),
    seed(
        "Seeds the initial weights and the order of the images: the same seed gives the same run.",
        |c: &CycleConfig| c.seed,
        |c, v| c.seed = v,
    ),
    Setting {
        id: "channels",
        label: "Channels",
        help: "Feature maps of the generators' first layer (doubled at 14×14 and again at 7×7) and of the discriminators' first layer.",
        kind: Kind::Whole {
            get: |c| c.channels as u64,
            set: |c, v| c.channels = v as usize,
            min: 2,
            max: 64,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
    Setting {
        id: "blocks",
        label: "Residual blocks",
        help: "Residual blocks of each generator at 7×7 (two 3×3 convolutions each).",
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

impl Settings for CycleConfig {
    fn settings() -> &'static [Setting<Self>] {
        CYCLE_SETTINGS
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

/// A convolution followed by instance normalisation (ReLU is applied by the caller).
#[derive(Module, Debug)]
pub struct ConvNorm {
    conv: Conv2d,
    norm: InstanceNorm,
}

impl ConvNorm {
    fn new(channels_in: usize, channels_out: usize, kernel: usize, device: &Device) -> Self {
        Self {
            conv: conv(channels_in, channels_out, kernel, device),
            norm: InstanceNormConfig::new(channels_out).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.norm.forward(self.conv.forward(x))
    }
}

/// conv–norm–ReLU–conv–norm, added to the input.
#[derive(Module, Debug)]
pub struct NormResBlock {
    a: ConvNorm,
    b: ConvNorm,
}

/// A CycleGAN generator: images `[B, C, 28, 28]` in [-1, 1] → images of the other domain.
#[derive(Module, Debug)]
pub struct CycleGenerator {
    head: ConvNorm,
    down: Vec<ConvNorm>,
    blocks: Vec<NormResBlock>,
    up: Vec<ConvNorm>,
    tail: Conv2d,
}

impl CycleGenerator {
    /// Images `[B, C_in, 28, 28]` in [-1, 1] → `[B, C_out, 28, 28]` in (-1, 1).
    pub fn forward(&self, images: Tensor<4>) -> Tensor<4> {
        let mut x = relu(self.head.forward(images));
        for d in &self.down {
            x = relu(d.forward(x));
        }
        for block in &self.blocks {
            x = x.clone() + block.b.forward(relu(block.a.forward(x)));
        }
        for u in &self.up {
            x = relu(u.forward(upsample_nearest(x)));
        }
        tanh(self.tail.forward(x))
    }
}

/// The two generators, G: X → Y and F: Y → X, trained by one optimiser.
#[derive(Module, Debug)]
pub struct CycleGenerators {
    /// X → Y.
    pub g: CycleGenerator,
    /// Y → X.
    pub f: CycleGenerator,
}

/// The two discriminators: D_X judges domain X, D_Y domain Y.
#[derive(Module, Debug)]
pub struct CycleDiscriminators {
    /// Real x against F(y).
    pub dx: PatchDiscriminator,
    /// Real y against G(x).
    pub dy: PatchDiscriminator,
}

impl CycleConfig {
    /// A fresh generator from images of `channels_in` channels to images of `channels_out`.
    pub fn init_generator(
        &self,
        channels_in: usize,
        channels_out: usize,
        device: &Device,
    ) -> CycleGenerator {
        let c = self.channels;
        CycleGenerator {
            head: ConvNorm::new(channels_in, c, 3, device),
            down: vec![
                ConvNorm::new(c, 2 * c, 4, device),
                ConvNorm::new(2 * c, 4 * c, 4, device),
            ],
            blocks: (0..self.blocks)
                .map(|_| NormResBlock {
                    a: ConvNorm::new(4 * c, 4 * c, 3, device),
                    b: ConvNorm::new(4 * c, 4 * c, 3, device),
                })
                .collect(),
            up: vec![
                ConvNorm::new(4 * c, 2 * c, 3, device),
                ConvNorm::new(2 * c, c, 3, device),
            ],
            tail: conv(c, channels_out, 3, device),
        }
    }

    /// Both fresh generators (G: X → Y, F: Y → X).
    pub fn init_generators(&self, device: &Device) -> CycleGenerators {
        let y = self.domain.channels();
        CycleGenerators {
            g: self.init_generator(1, y, device),
            f: self.init_generator(y, 1, device),
        }
    }

    /// Both fresh discriminators.
    pub fn init_discriminators(&self, device: &Device) -> CycleDiscriminators {
        CycleDiscriminators {
            dx: PatchDiscriminator::new(1, self.channels, device),
            dy: PatchDiscriminator::new(self.domain.channels(), self.channels, device),
        }
    }
}

/// The least-squares discriminator loss: ½·(mean((D(real) − 1)²) + mean(D(fake)²)).
pub fn lsgan_discriminator(real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    (real.sub_scalar(1.0).square().mean() + fake.square().mean()).mul_scalar(0.5)
}

/// The least-squares generator loss: mean((D(fake) − 1)²).
pub fn lsgan_generator(fake: Tensor<2>) -> Tensor<1> {
    fake.sub_scalar(1.0).square().mean()
}

/// Mean absolute difference of two image batches (the paper's ‖·‖₁, averaged per pixel).
pub fn l1(a: Tensor<4>, b: Tensor<4>) -> Tensor<1> {
    (a - b).abs().mean()
}

/// Per-image mean absolute difference `[B]` of two image batches.
pub fn l1_per_image(a: Tensor<4>, b: Tensor<4>) -> Tensor<1> {
    let [batch, ..] = a.dims();
    (a - b)
        .abs()
        .reshape([batch as i32, -1])
        .mean_dim(1)
        .reshape([batch])
}

/// The cycle-consistency loss ‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁ (unweighted), from the
/// reconstructions.
pub fn cycle_loss(x: Tensor<4>, x_back: Tensor<4>, y: Tensor<4>, y_back: Tensor<4>) -> Tensor<1> {
    l1(x_back, x) + l1(y_back, y)
}

/// The identity loss ‖G(y) − y‖₁ + ‖F(x) − x‖₁ (unweighted), from `G(y)` and `F(x)`.
pub fn identity_loss(
    x: Tensor<4>,
    f_of_x: Tensor<4>,
    y: Tensor<4>,
    g_of_y: Tensor<4>,
) -> Tensor<1> {
    l1(g_of_y, y) + l1(f_of_x, x)
}

/// The identity loss between greyscale X and colour Y, from F's side only (G cannot be given a
/// colour image): F given x as a colour image, white on black and black on white, should
/// return x: ‖F(x) − x‖₁ + ‖F(−x) − x‖₁ with x repeated into `channels` channels.
pub fn colour_identity_loss(f: &CycleGenerator, x: Tensor<4>, channels: usize) -> Tensor<1> {
    let as_colour = x.clone().repeat_dim(1, channels);
    l1(f.forward(as_colour.clone()), x.clone()) + l1(f.forward(as_colour.neg()), x)
}

/// How many images the classifier reads as the same digit before and after translation (each
/// read through [`readable`]): `[2]` = (same digit, images).
pub fn same_digit(classifier: &Classifier, before: Tensor<4>, after: Tensor<4>) -> Tensor<1, Int> {
    let [batch, ..] = before.dims();
    let device = before.device();
    let a = classifier.forward(readable(before)).argmax(1);
    let b = classifier
        .forward(readable(after.clamp(-1.0, 1.0)))
        .argmax(1);
    let same = a.equal(b).int().sum();
    Tensor::cat(vec![same, Tensor::from_ints([batch as i32], &device)], 0)
}

/// A CycleGAN and its optimisers on one autodiff device.
pub struct CycleTrainer {
    config: CycleConfig,
    generators: CycleGenerators,
    discriminators: CycleDiscriminators,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    sampler_x: BatchSampler,
    sampler_y: BatchSampler,
    device: Device,
    steps: u64,
    loss_sign: f32,
}

fn adam() -> ModuleOptimizer {
    AdamConfig::new().with_beta_1(0.5).init()
}

impl CycleTrainer {
    /// A fresh run on `device` (autodiff is enabled on it) over domains of `len_x` and `len_y`
    /// images.
    pub fn new(
        config: CycleConfig,
        len_x: usize,
        len_y: usize,
        device: &Device,
    ) -> Result<Self, FieldErrors> {
        validate(&config)?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        Ok(Self {
            generators: config.init_generators(&device),
            discriminators: config.init_discriminators(&device),
            opt_g: adam(),
            opt_d: adam(),
            sampler_x: BatchSampler::new(len_x, config.seed),
            sampler_y: BatchSampler::new(len_y, config.seed.wrapping_add(1)),
            config,
            device,
            steps: 0,
            loss_sign: 1.0,
        })
    }

    /// Multiplies the generators' cycle and identity losses by `sign` (−1: they are climbed, a
    /// broken trainer that the learning tests must tell apart from a working one).
    pub fn with_loss_sign(mut self, sign: f32) -> Self {
        self.loss_sign = sign;
        self
    }

    /// Continues from trained networks (fresh optimiser state) at step `steps`.
    pub fn with_networks(
        mut self,
        generators: CycleGenerators,
        discriminators: Option<CycleDiscriminators>,
        steps: u64,
    ) -> Self {
        self.generators = generators.fork(&self.device);
        if let Some(d) = discriminators {
            self.discriminators = d.fork(&self.device);
        }
        self.steps = steps;
        self
    }

    /// The run's settings.
    pub fn config(&self) -> &CycleConfig {
        &self.config
    }

    /// Applies the live settings of `requested` (loss weights and learning rates).
    pub fn update_live(&mut self, requested: &CycleConfig) -> Result<(), FieldErrors> {
        let next = crate::core::settings::with_live(&self.config, requested);
        validate(&next)?;
        self.config = next;
        Ok(())
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One generator step (G and F together) and one discriminator step (D_X and D_Y) on a
    /// batch of each domain; returns [`STEP_SERIES`] (unread).
    pub fn step(&mut self, x_set: &DomainSet, y_set: &DomainSet) -> Tensor<1> {
        let config = self.config.clone();
        let x = x_set.batch(&self.sampler_x.next_batch(config.batch_size), &self.device);
        let y = y_set.batch(&self.sampler_y.next_batch(config.batch_size), &self.device);
        let nets = &self.generators;
        let fake_y = nets.g.forward(x.clone());
        let fake_x = nets.f.forward(y.clone());
        let adv_g = lsgan_generator(self.discriminators.dy.forward(fake_y.clone()));
        let adv_f = lsgan_generator(self.discriminators.dx.forward(fake_x.clone()));
        let mut loss = adv_g.clone() + adv_f.clone();
        let zero = || Tensor::<1>::zeros([1], &self.device);
        let (cycle_x, cycle_y, identity) = if config.cycle_weight > 0.0 {
            let cycle_x = l1(nets.f.forward(fake_y.clone()), x.clone());
            let cycle_y = l1(nets.g.forward(fake_x.clone()), y.clone());
            let weight = config.cycle_weight * self.loss_sign as f64;
            loss = loss + (cycle_x.clone() + cycle_y.clone()).mul_scalar(weight);
            let identity = if config.identity_weight > 0.0 {
                let y_channels = y.dims()[1];
                let identity = if y_channels == 1 {
                    identity_loss(
                        x.clone(),
                        nets.f.forward(x.clone()),
                        y.clone(),
                        nets.g.forward(y.clone()),
                    )
                } else {
                    colour_identity_loss(&nets.f, x.clone(), y_channels)
                };
                loss = loss + identity.clone().mul_scalar(weight * config.identity_weight);
                identity.detach()
            } else {
                zero()
            };
            (cycle_x.detach(), cycle_y.detach(), identity)
        } else {
            (zero(), zero(), zero())
        };
        let grads = GradientsParams::from_grads(loss.backward(), &self.generators);
        self.generators = self.opt_g.step(config.lr_g, self.generators.clone(), grads);

        let d = &self.discriminators;
        let d_y = lsgan_discriminator(d.dy.forward(y), d.dy.forward(fake_y.detach()));
        let d_x = lsgan_discriminator(d.dx.forward(x), d.dx.forward(fake_x.detach()));
        let grads = GradientsParams::from_grads(
            (d_y.clone() + d_x.clone()).backward(),
            &self.discriminators,
        );
        self.discriminators = self
            .opt_d
            .step(config.lr_d, self.discriminators.clone(), grads);
        self.steps += 1;
        Tensor::cat(
            vec![
                adv_g.detach(),
                adv_f.detach(),
                cycle_x,
                cycle_y,
                identity,
                d_y.detach(),
                d_x.detach(),
            ],
            0,
        )
        .inner()
    }

    /// The generators in inference mode.
    pub fn generators(&self) -> CycleGenerators {
        self.generators.valid()
    }

    /// The discriminators in inference mode.
    pub fn discriminators(&self) -> CycleDiscriminators {
        self.discriminators.valid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::data::IMAGE_PIXELS;

    fn device() -> Device {
        Device::default()
    }

    fn scalar(t: Tensor<1>) -> f32 {
        t.into_scalar::<f32>()
    }

    fn image(values: [f32; 4], device: &Device) -> Tensor<4> {
        Tensor::<1>::from_floats(values, device).reshape([1, 1, 2, 2])
    }

    #[test]
    fn losses_match_hand_computed_values() {
        let d = device();
        // x = [0, 1, −1, 0.5], F(G(x)) = [0.5, 1, −0.5, 0]: |diff| = 0.5, 0, 0.5, 0.5 → 0.375.
        // y = [1, 1, 1, 1], G(F(y)) = [0, 1, 1, 0.5]: 1, 0, 0, 0.5 → 0.375. Cycle: 0.75.
        let x = image([0.0, 1.0, -1.0, 0.5], &d);
        let x_back = image([0.5, 1.0, -0.5, 0.0], &d);
        let y = image([1.0; 4], &d);
        let y_back = image([0.0, 1.0, 1.0, 0.5], &d);
        let cycle = scalar(cycle_loss(
            x.clone(),
            x_back.clone(),
            y.clone(),
            y_back.clone(),
        ));
        assert!((cycle - 0.75).abs() < 1e-6, "{cycle}");
        // Identity: ‖G(y) − y‖₁ with G(y) = y_back (0.375) + ‖F(x) − x‖₁ with F(x) = x (0).
        let identity = scalar(identity_loss(x.clone(), x.clone(), y.clone(), y_back));
        assert!((identity - 0.375).abs() < 1e-6, "{identity}");
        let per_image: Vec<f32> = l1_per_image(
            Tensor::cat(vec![x.clone(), y.clone()], 0),
            Tensor::cat(vec![x_back, x], 0),
        )
        .into_data()
        .try_to_vec()
        .unwrap();
        // y against x: |1−0| + |1−1| + |1+1| + |1−0.5| = 3.5 → 0.875.
        assert_eq!(per_image, vec![0.375, 0.875]);
        // LSGAN: D(real) = [1, 0] → (0 + 1)/2 = 0.5; D(fake) = [0, 2] → (0 + 4)/2 = 2;
        // D loss ½(0.5 + 2) = 1.25; G loss on D(fake) = [0, 2]: (1 + 1)/2 = 1.
        let real = Tensor::<1>::from_floats([1.0, 0.0], &d).reshape([1, 2]);
        let fake = Tensor::<1>::from_floats([0.0, 2.0], &d).reshape([1, 2]);
        assert!((scalar(lsgan_discriminator(real, fake.clone())) - 1.25).abs() < 1e-6);
        assert!((scalar(lsgan_generator(fake)) - 1.0).abs() < 1e-6);
    }

    fn domains() -> (DomainSet, DomainSet) {
        // Bars in X, rings in Y.
        let n = 8;
        let (mut bars, mut rings) = (vec![0u8; n * IMAGE_PIXELS], vec![0u8; n * IMAGE_PIXELS]);
        for i in 0..n {
            for p in 0..IMAGE_PIXELS {
                let (x, y) = ((p % 28) as f32 - 13.5, (p / 28) as f32 - 13.5);
                if x.abs() < 1.0 + i as f32 * 0.3 && y.abs() < 9.0 {
                    bars[i * IMAGE_PIXELS + p] = 255;
                }
                let r = (x * x + y * y).sqrt();
                if (6.0 + i as f32 * 0.2..9.0 + i as f32 * 0.2).contains(&r) {
                    rings[i * IMAGE_PIXELS + p] = 255;
                }
            }
        }
        let labels = vec![1; n];
        (
            DomainSet::Grey(MnistSet::from_parts(labels.clone(), bars).unwrap()),
            DomainSet::Grey(MnistSet::from_parts(vec![0; n], rings).unwrap()),
        )
    }

    #[test]
    fn shapes_and_steps() {
        let d = device();
        let config = CycleConfig::new()
            .with_channels(2)
            .with_blocks(1)
            .with_batch_size(2);
        let g = config.init_generator(1, 1, &d);
        let out = g.forward(Tensor::zeros([3, 1, 28, 28], &d));
        assert_eq!(out.dims(), [3, 1, 28, 28]);
        let values: Vec<f32> = out.into_data().try_to_vec().unwrap();
        assert!(values.iter().all(|v| v.abs() < 1.0));
        let (x, y) = domains();
        let mut trainer = CycleTrainer::new(config.clone(), x.len(), y.len(), &d).unwrap();
        let stats: Vec<f32> = trainer.step(&x, &y).into_data().try_to_vec().unwrap();
        assert_eq!(stats.len(), STEP_SERIES.len());
        assert!(stats.iter().all(|v| v.is_finite()));
        assert!(stats[2] > 0.0 && stats[4] > 0.0);
        assert_eq!(trainer.steps(), 1);
        // λ = 0: no cycle or identity loss is computed.
        let mut twin =
            CycleTrainer::new(config.with_cycle_weight(0.0), x.len(), y.len(), &d).unwrap();
        let stats: Vec<f32> = twin.step(&x, &y).into_data().try_to_vec().unwrap();
        assert_eq!(&stats[2..5], &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn colour_digits_take_three_channel_networks() {
        let d = device();
        let config = CycleConfig::new()
            .with_domain(Domain::Colour)
            .with_channels(2)
            .with_blocks(1)
            .with_batch_size(2);
        let nets = config.init_generators(&d);
        let (x, grey) = domains();
        let DomainSet::Grey(rings) = grey else {
            unreachable!()
        };
        let y = DomainSet::Colour(ColourSet::from_digits(&rings, 3));
        assert_eq!((y.len(), y.channels()), (8, 3));
        let batch = y.batch(&[0, 1, 2], &d);
        assert_eq!(batch.dims(), [3, 3, 28, 28]);
        assert_eq!(nets.f.forward(batch.clone()).dims(), [3, 1, 28, 28]);
        let bars = x.batch(&[0, 1, 2], &d);
        assert_eq!(nets.g.forward(bars).dims(), [3, 3, 28, 28]);
        assert_eq!(readable(batch).dims(), [3, 1, 28, 28]);
        let discriminators = config.init_discriminators(&d);
        assert_eq!(discriminators.dy.forward(y.batch(&[0], &d)).dims(), [1, 49]);
        let mut trainer = CycleTrainer::new(config, x.len(), y.len(), &d).unwrap();
        let stats: Vec<f32> = trainer.step(&x, &y).into_data().try_to_vec().unwrap();
        assert!(stats.iter().all(|v| v.is_finite()), "{stats:?}");
        let (a, b) = y.split(5).unwrap();
        assert_eq!((a.len(), b.len()), (5, 3));
        assert!(y.split(9).is_none());
    }

    #[test]
    fn the_registry_covers_every_field_and_refuses_out_of_range_values() {
        use crate::core::settings::probe::{bad_value, other_value};
        use crate::core::settings::{apply_pairs, to_pairs};
        let json = |c: &CycleConfig| serde_json::to_value(c).unwrap_or_default();
        let mut changed = CycleConfig::new();
        for s in CycleConfig::settings() {
            let text = other_value(s, &changed);
            s.parse_into(&mut changed, &text).unwrap();
            assert_ne!(s.text(&changed), s.text(&CycleConfig::new()), "{}", s.id);
        }
        let pairs = to_pairs(&changed);
        let (back, errors) = apply_pairs(
            &CycleConfig::new(),
            pairs.iter().map(|(k, v)| (*k, v.as_str())),
        );
        assert_eq!(errors, []);
        assert_eq!(json(&back), json(&changed));
        for s in CycleConfig::settings() {
            let Some(bad) = bad_value(s) else { continue };
            let mut config = CycleConfig::new();
            let e = s.parse_into(&mut config, &bad).unwrap_err();
            assert_eq!(e.field, s.id);
            assert_eq!(json(&config), json(&CycleConfig::new()), "{}", s.id);
        }
        let e = CycleTrainer::new(CycleConfig::new().with_batch_size(0), 4, 4, &device())
            .err()
            .unwrap();
        assert_eq!(e[0].field, "batch_size");
    }
}
