//! The model registry: every GAN architecture the playground offers, one file each.
//!
//! UI and CLI code list [`ModelKind::ALL`] and never branch on a model themselves.

pub mod dcgan;
pub mod layers;
pub mod mlp;
pub mod patchgan;

use burn::module::{ModuleMapper, Param};
use burn::nn::{Embedding, EmbeddingConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use crate::core::data::NUM_CLASSES;

pub use dcgan::{DcganConfig, DcganDiscriminator, DcganGenerator, Upsampling};
pub use mlp::{MlpDiscriminator, MlpGanConfig, MlpGenerator};

/// A GAN architecture offered by the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ModelKind {
    /// The introductory guide's fully connected GAN.
    #[default]
    Mlp,
    /// A small DCGAN for 28×28 digits.
    Dcgan,
}

impl ModelKind {
    /// Every model, in display order.
    pub const ALL: [ModelKind; 2] = [ModelKind::Mlp, ModelKind::Dcgan];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::Mlp => "mlp",
            ModelKind::Dcgan => "dcgan",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::Mlp => "MLP GAN (the guide's)",
            ModelKind::Dcgan => "DCGAN (convolutional)",
        }
    }

    /// One-sentence description for newcomers.
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::Mlp => {
                "Fully connected G 100→128→256→512→1024→784 and D 784→512→256→128→1: fast per step, blurrier digits."
            }
            ModelKind::Dcgan => {
                "Convolutional G (7→14→28 by transposed convs, or by upsampling + 3×3 convs) and D (strided convs 28→14→7), BatchNorm in G and (unless turned off) in D: sharper digits, more compute per step."
            }
        }
    }

    /// Parses an identifier from [`ModelKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == id)
    }
}

/// Whether and how the networks see the digit's label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Conditioning {
    /// Unconditional: G draws any digit.
    #[default]
    None,
    /// Conditional GAN: a label embedding is concatenated to z and to D's input.
    Cgan,
    /// Auxiliary-classifier GAN: G takes the label; D predicts it with a second (10-class) head.
    Acgan,
    /// InfoGAN: G takes a random 10-way category (no labels are read); D's second head recovers
    /// it from the image, so each category settles on one kind of digit.
    Infogan,
}

impl Conditioning {
    /// Every option, in display order.
    pub const ALL: [Conditioning; 4] = [
        Conditioning::None,
        Conditioning::Cgan,
        Conditioning::Acgan,
        Conditioning::Infogan,
    ];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            Conditioning::None => "none",
            Conditioning::Cgan => "cgan",
            Conditioning::Acgan => "acgan",
            Conditioning::Infogan => "infogan",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            Conditioning::None => "Unconditional",
            Conditioning::Cgan => "cGAN (label to G and D)",
            Conditioning::Acgan => "ACGAN (auxiliary classifier)",
            Conditioning::Infogan => "InfoGAN (unsupervised categories)",
        }
    }

    /// One or two sentences for newcomers.
    pub fn description(self) -> &'static str {
        match self {
            Conditioning::None => {
                "G turns noise into some digit; you cannot ask for a particular one."
            }
            Conditioning::Cgan => {
                "A learned embedding of the label is concatenated to z and to D's input, so D judges whether an image is a real example of that digit and G learns to draw the digit you ask for."
            }
            Conditioning::Acgan => {
                "G takes the label as in a cGAN; D sees only the image but has a second head that classifies it. Both networks also minimise that head's cross-entropy, on real and generated digits."
            }
            Conditioning::Infogan => {
                "No labels are read: G takes a random category (one of 10) beside z, and D's second head must tell which category made each fake. Maximising that mutual information makes each category one kind of digit, so G need not morph between digits in its noise."
            }
        }
    }

    /// Parses an identifier from [`Conditioning::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Whether G takes a label or category (a second input beside z).
    pub fn is_conditional(self) -> bool {
        self != Conditioning::None
    }

    /// How a grid row of G's second input `index` is labelled: the digit (`3`), or an
    /// InfoGAN's category (`c3`).
    pub fn input_label(self, index: u8) -> String {
        if self.uses_labels() {
            index.to_string()
        } else {
            format!("c{index}")
        }
    }

    /// Whether training reads the digits' labels, so that G's input names a digit (label
    /// accuracy is defined); an InfoGAN's categories are its own, in no known order.
    pub fn uses_labels(self) -> bool {
        matches!(self, Conditioning::Cgan | Conditioning::Acgan)
    }
}

/// Architecture settings for every model kind (only the chosen kind's are used).
#[derive(Config, Debug)]
pub struct ArchitectureConfig {
    /// Which architecture to build.
    #[config(default = "ModelKind::Mlp")]
    pub kind: ModelKind,
    /// Latent vector size.
    #[config(default = 100)]
    pub latent_dim: usize,
    /// MLP widths.
    #[config(default = "MlpGanConfig::new()")]
    pub mlp: MlpGanConfig,
    /// DCGAN widths.
    #[config(default = "DcganConfig::new()")]
    pub dcgan: DcganConfig,
    /// Whether and how the label is given to G and D.
    #[config(default = "Conditioning::None")]
    pub conditioning: Conditioning,
    /// Size of the learned label embedding (conditional models).
    #[config(default = 10)]
    pub label_dim: usize,
    /// Spectral normalisation of every D weight (one power iteration per D step).
    #[config(default = false)]
    pub spectral_norm: bool,
    /// Append the minibatch standard-deviation feature before D's output layer.
    #[config(default = false)]
    pub minibatch_stddev: bool,
    /// Draw every convolution and linear weight from N(0, 0.02) and BatchNorm scales from
    /// N(1, 0.02), as the DCGAN paper does, instead of the layers' own initialisation.
    #[config(default = false)]
    pub normal_init: bool,
}

/// The DCGAN paper's initialisation: convolution and linear weights from N(0, 0.02), BatchNorm
/// scales from N(1, 0.02); everything else (biases, embeddings, statistics) as built.
#[derive(Default)]
struct NormalInit {
    /// `(field, container type)` of each module entered, innermost last.
    path: Vec<(String, String)>,
}

impl ModuleMapper for NormalInit {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path
            .push((name.to_string(), container_type.to_string()));
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some((name, container)) = self.path.last() else {
            return param;
        };
        let distribution = match (name.as_str(), container.as_str()) {
            (
                "weight",
                "Struct:Linear"
                | "Struct:Conv2d"
                | "Struct:ConvTranspose2d"
                | "Struct:CriticConv"
                | "Struct:CriticLinear",
            ) => Distribution::Normal(0.0, 0.02),
            ("gamma", "Struct:BatchNorm") => Distribution::Normal(1.0, 0.02),
            _ => return param,
        };
        param.map(|t| {
            let tracked = t.is_require_grad();
            let drawn = Tensor::random(t.shape(), distribution, &t.device());
            if tracked { drawn.require_grad() } else { drawn }
        })
    }
}

/// What a discriminator is built with besides its widths.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscriminatorOptions {
    /// Spectral normalisation of every weight.
    pub spectral_norm: bool,
    /// Minibatch standard-deviation feature.
    pub minibatch_stddev: bool,
    /// Label embedding size when the label is an input (cGAN).
    pub input_label_dim: Option<usize>,
    /// A 10-class head (ACGAN).
    pub class_head: bool,
}

/// A discriminator's outputs.
#[derive(Clone, Debug)]
pub struct DiscriminatorOutput {
    /// Realness score (a logit for the BCE losses, a critic value otherwise) `[B, 1]`.
    pub score: Tensor<2>,
    /// Class logits `[B, 10]` (ACGAN only).
    pub classes: Option<Tensor<2>>,
}

/// A learned embedding of the ten digit labels.
pub(crate) fn label_embedding(dim: usize, device: &Device) -> Embedding {
    EmbeddingConfig::new(NUM_CLASSES, dim).init(device)
}

/// Label vectors `[B, dim]` for labels `[B]` (class 0 when none are given).
pub(crate) fn lookup_labels(
    embedding: &Embedding,
    labels: Option<Tensor<1, Int>>,
    batch: usize,
    device: &Device,
) -> Tensor<2> {
    let labels = labels.unwrap_or_else(|| Tensor::zeros([batch], device));
    let [_, dim] = embedding.weight.dims();
    embedding
        .forward(labels.reshape([batch, 1])) // [B, 1, dim]
        .reshape([batch, dim])
}

/// `[x, embed(labels)]` `[B, F + dim]` when the network is conditional, else `x`.
pub(crate) fn embed_labels(
    x: Tensor<2>,
    embedding: Option<&Embedding>,
    labels: Option<Tensor<1, Int>>,
) -> Tensor<2> {
    match embedding {
        Some(e) => {
            let [batch, _] = x.dims();
            let device = x.device();
            Tensor::cat(vec![x, lookup_labels(e, labels, batch, &device)], 1)
        }
        None => x,
    }
}

/// What a conditional generator is asked to draw.
#[derive(Clone, Debug)]
pub enum LabelInput {
    /// One digit per sample `[B]`.
    Digits(Tensor<1, Int>),
    /// Weights over the ten digits per sample `[B, 10]`: the label embedding is their weighted
    /// sum (one-hot rows give the digits' own embeddings; mixed rows morph between digits).
    Mix(Tensor<2>),
}

/// `[x, label]`: `x` with the label's embedding appended (`x` alone when unconditional).
pub(crate) fn embed_input(
    x: Tensor<2>,
    embedding: Option<&Embedding>,
    labels: Option<LabelInput>,
) -> Tensor<2> {
    match (embedding, labels) {
        (Some(e), Some(LabelInput::Mix(weights))) => {
            Tensor::cat(vec![x, weights.matmul(e.weight.val())], 1)
        }
        (e, Some(LabelInput::Digits(l))) => embed_labels(x, e, Some(l)),
        (e, _) => embed_labels(x, e, None),
    }
}

/// Any generator of the registry: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
// One instance per run: the size difference between variants costs nothing worth boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    /// See [`MlpGenerator`].
    Mlp(MlpGenerator),
    /// See [`DcganGenerator`].
    Dcgan(DcganGenerator),
}

/// Any discriminator of the registry: images `[B, 1, 28, 28]` → logits `[B, 1]`.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Discriminator {
    /// See [`MlpDiscriminator`].
    Mlp(MlpDiscriminator),
    /// See [`DcganDiscriminator`].
    Dcgan(DcganDiscriminator),
}

impl ArchitectureConfig {
    /// Builds the generator of the chosen kind.
    pub fn init_generator(&self, device: &Device) -> Generator {
        let label = self.conditioning.is_conditional().then_some(self.label_dim);
        let generator = match self.kind {
            ModelKind::Mlp => {
                Generator::Mlp(self.mlp.init_generator(self.latent_dim, label, device))
            }
            ModelKind::Dcgan => {
                Generator::Dcgan(self.dcgan.init_generator(self.latent_dim, label, device))
            }
        };
        self.initialised(generator)
    }

    fn initialised<M: Module>(&self, module: M) -> M {
        if self.normal_init {
            module.map(&mut NormalInit::default())
        } else {
            module
        }
    }

    /// The options D is built with.
    pub fn discriminator_options(&self) -> DiscriminatorOptions {
        DiscriminatorOptions {
            spectral_norm: self.spectral_norm,
            minibatch_stddev: self.minibatch_stddev,
            input_label_dim: (self.conditioning == Conditioning::Cgan).then_some(self.label_dim),
            class_head: matches!(
                self.conditioning,
                Conditioning::Acgan | Conditioning::Infogan
            ),
        }
    }

    /// Whether D's per-sample input gradient is defined (no BatchNorm, no minibatch stddev),
    /// as gradient penalties need.
    pub fn has_per_sample_discriminator(&self) -> bool {
        let batch_norm = self.kind == ModelKind::Dcgan && self.dcgan.d_batch_norm;
        !batch_norm && !self.minibatch_stddev
    }

    /// Builds the discriminator of the chosen kind.
    pub fn init_discriminator(&self, device: &Device) -> Discriminator {
        let options = self.discriminator_options();
        let discriminator = match self.kind {
            ModelKind::Mlp => Discriminator::Mlp(self.mlp.init_discriminator(&options, device)),
            ModelKind::Dcgan => {
                Discriminator::Dcgan(self.dcgan.init_discriminator(&options, device))
            }
        };
        self.initialised(discriminator)
    }
}

impl Generator {
    /// z `[B, latent]` and labels `[B]` (conditional models) → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        self.forward_input(z, labels.map(LabelInput::Digits))
    }

    /// z `[B, latent]` and what to draw (conditional models) → images `[B, 1, 28, 28]`.
    pub fn forward_input(&self, z: Tensor<2>, labels: Option<LabelInput>) -> Tensor<4> {
        match self {
            Generator::Mlp(g) => g.forward_input(z, labels),
            Generator::Dcgan(g) => g.forward_input(z, labels),
        }
    }
}

impl Discriminator {
    /// images `[B, 1, 28, 28]` and labels `[B]` (cGAN) → score `[B, 1]` and class logits (ACGAN).
    pub fn forward(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> DiscriminatorOutput {
        match self {
            Discriminator::Mlp(d) => d.forward(images, labels),
            Discriminator::Dcgan(d) => d.forward(images, labels),
        }
    }

    /// Each sample's input gradient of its score, `[B, 1, 28, 28]`, as a differentiable tensor
    /// expression (see [`layers`]); `None` when D mixes samples (BatchNorm, minibatch stddev).
    pub fn input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> Option<Tensor<4>> {
        match self {
            Discriminator::Mlp(d) => d.input_gradient(images, labels),
            Discriminator::Dcgan(d) => d.input_gradient(images, labels),
        }
    }

    /// Advances every spectral-norm power iteration by one step (no-op without it).
    pub fn refresh_spectral_norm(self) -> Self {
        match self {
            Discriminator::Mlp(d) => Discriminator::Mlp(d.refresh_spectral_norm()),
            Discriminator::Dcgan(d) => Discriminator::Dcgan(d.refresh_spectral_norm()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::loss::gradient_penalty;
    use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
    use burn::optim::GradientsParams;
    use burn::tensor::Distribution;

    fn scalar(t: Tensor<1>) -> f64 {
        t.into_scalar::<f32>() as f64
    }

    /// Critics whose input gradient we write out: MLP and DCGAN, plain, spectrally normalised,
    /// conditional (cGAN) and with a class head (ACGAN).
    fn critics() -> Vec<(&'static str, ArchitectureConfig)> {
        let mlp = ArchitectureConfig::new()
            .with_mlp(MlpGanConfig::new().with_discriminator_hidden(vec![16, 8]));
        let dcgan = ArchitectureConfig::new()
            .with_kind(ModelKind::Dcgan)
            .with_dcgan(DcganConfig::new().with_channels(3).with_d_batch_norm(false));
        vec![
            ("mlp", mlp.clone()),
            (
                "mlp+cgan",
                mlp.clone().with_conditioning(Conditioning::Cgan),
            ),
            ("mlp+sn", mlp.with_spectral_norm(true)),
            ("dcgan", dcgan.clone()),
            (
                "dcgan+cgan",
                dcgan.clone().with_conditioning(Conditioning::Cgan),
            ),
            ("dcgan+sn", dcgan.clone().with_spectral_norm(true)),
            ("dcgan+acgan", dcgan.with_conditioning(Conditioning::Acgan)),
        ]
    }

    fn labels(device: &Device) -> Option<Tensor<1, Int>> {
        Some(Tensor::from_ints([3, 7, 0], device))
    }

    /// Compares `analytic` = ⟨gradient, v⟩ with the central difference of `f` along v ~ N(0, I),
    /// at step `eps`, relative to `scale` = ‖gradient‖ (the standard deviation of ⟨gradient, v⟩).
    ///
    /// LeakyReLU nets are piecewise linear, so a difference that steps over a kink is wrong by
    /// construction; two step sizes that disagree (beyond `tolerance`·scale) reveal that, and the caller tries another
    /// direction (`None`). Otherwise the relative error is returned.
    fn directional_error(
        f: impl Fn(f64) -> f64,
        analytic: f64,
        scale: f64,
        eps: f64,
        tolerance: f64,
    ) -> Option<f64> {
        let numeric = |e: f64| (f(e) - f(-e)) / (2.0 * e);
        let (a, b) = (numeric(eps), numeric(eps / 2.0));
        ((a - b).abs() <= tolerance * scale).then(|| (a - analytic).abs() / scale)
    }

    fn norm<const D: usize>(t: Tensor<D>) -> f64 {
        scalar(t.square().sum()).sqrt()
    }

    #[test]
    fn input_gradient_matches_finite_differences() {
        let device = Device::flex();
        for (name, config) in critics() {
            device.seed(11);
            let d = config.init_discriminator(&device);
            let y = (config.conditioning == Conditioning::Cgan)
                .then(|| labels(&device))
                .flatten();
            let x = Tensor::<4>::random([3, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &device);
            let g = d
                .input_gradient(x.clone(), y.clone())
                .expect("per-sample critic");
            assert_eq!(g.dims(), [3, 1, 28, 28]);
            let mut checked = 0;
            for _ in 0..10 {
                let v =
                    Tensor::<4>::random([3, 1, 28, 28], Distribution::Normal(0.0, 1.0), &device);
                let score =
                    |e: f64| scalar(d.forward(x.clone() + v.clone() * e, y.clone()).score.sum());
                let analytic = scalar((g.clone() * v.clone()).sum());
                let scale = norm(g.clone());
                if let Some(err) = directional_error(score, analytic, scale, 1e-4, 1e-2) {
                    assert!(
                        err < 3e-2,
                        "{name}: explicit ∇ₓD off by {:.3}% of ‖g‖",
                        err * 100.0
                    );
                    checked += 1;
                }
            }
            assert!(checked >= 3, "{name}: only {checked} kink-free directions");
        }
    }

    /// A random direction for the `target`-th parameter that has a gradient, and ⟨gradient, direction⟩.
    struct Direction<'a> {
        grads: &'a GradientsParams,
        target: usize,
        seen: usize,
        device: Device,
        direction: Option<(ParamId, Tensor<1>)>,
        dot: f64,
        scale: f64,
    }

    impl ModuleVisitor for Direction<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            // Parameters that reach the penalty only through the (piecewise constant) LeakyReLU
            // masks, such as a cGAN's label embedding in D, have an exactly zero gradient.
            let grad = self
                .grads
                .get::<D>(param.id)
                .filter(|g| norm(g.clone()) > 0.0);
            if let Some(grad) = grad {
                if self.seen == self.target {
                    let n = grad.shape().num_elements();
                    let v = Tensor::<1>::random([n], Distribution::Normal(0.0, 1.0), &self.device);
                    self.scale = norm(grad.clone());
                    self.dot = scalar((grad.reshape([n]) * v.clone()).sum());
                    self.direction = Some((param.id, v));
                }
                self.seen += 1;
            }
        }
    }

    struct Shift<'a>(&'a (ParamId, Tensor<1>), f64);

    impl ModuleMapper for Shift<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, v) = self.0;
            if param.id != *id {
                return param;
            }
            let (v, s) = (v.clone(), self.1);
            param.map(|t| {
                let dims = t.dims();
                t + v.reshape(dims) * s
            })
        }
    }

    #[test]
    fn gradient_penalty_weight_gradient_matches_finite_differences() {
        let device = Device::flex();
        let train = device.clone().autodiff();
        // Spectral norm is left out here: its σ holds the power-iteration vectors constant (as
        // Miyato et al. do), which finite differences of the weights do not; it is checked
        // against an SVD in `layers`.
        for (name, config) in critics().into_iter().filter(|(_, c)| !c.spectral_norm) {
            train.seed(5);
            let d = config.init_discriminator(&train);
            // One sample: fewer LeakyReLU units, so fewer kinks for the differences to step over.
            let y = (config.conditioning == Conditioning::Cgan)
                .then(|| Tensor::<1, Int>::from_ints([4], &train));
            let x = Tensor::<4>::random([1, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &train);
            let penalty = |d: &Discriminator| {
                gradient_penalty(
                    d.input_gradient(x.clone(), y.clone())
                        .expect("per-sample critic"),
                )
            };
            let grads = GradientsParams::from_grads(penalty(&d).backward(), &d);
            // Every parameter with a gradient in turn (weights, biases, label embeddings).
            let mut target = 0;
            loop {
                let mut checked = false;
                let mut exists = false;
                for _ in 0..32 {
                    let mut dir = Direction {
                        grads: &grads,
                        target,
                        seen: 0,
                        device: device.clone(),
                        direction: None,
                        dot: 0.0,
                        scale: 0.0,
                    };
                    d.visit(&mut dir);
                    let Some(direction) = dir.direction else {
                        break;
                    };
                    exists = true;
                    let f =
                        |e: f64| scalar(penalty(&d.clone().map(&mut Shift(&direction, e))).inner());
                    if let Some(err) =
                        directional_error(f, dir.dot, dir.scale.max(1e-6), 1e-4, 1e-2)
                    {
                        assert!(
                            err < 3e-2,
                            "{name}, parameter {target}: penalty gradient off by {:.2}% of ‖∇‖ (autodiff {})",
                            err * 100.0,
                            dir.dot
                        );
                        checked = true;
                        break;
                    }
                }
                if !exists {
                    break;
                }
                assert!(
                    checked,
                    "{name}, parameter {target}: no kink-free direction found"
                );
                target += 1;
            }
            assert!(
                target >= 3,
                "{name}: the penalty reaches only {target} parameters"
            );
        }
    }

    #[test]
    fn every_model_has_the_right_shapes() {
        let device = Device::flex();
        for kind in ModelKind::ALL {
            let config = ArchitectureConfig::new()
                .with_kind(kind)
                .with_latent_dim(16);
            let g = config.init_generator(&device);
            let d = config.init_discriminator(&device);
            let z = Tensor::<2>::zeros([3, 16], &device);
            let images = g.forward(z.clone(), None);
            assert_eq!(images.dims(), [3, 1, 28, 28], "{kind:?}");
            assert_eq!(d.forward(images, None).score.dims(), [3, 1], "{kind:?}");
            for conditioning in Conditioning::ALL {
                let config = config
                    .clone()
                    .with_conditioning(conditioning)
                    .with_minibatch_stddev(true)
                    .with_spectral_norm(true);
                let g = config.init_generator(&device);
                let d = config.init_discriminator(&device);
                let y = Some(Tensor::<1, Int>::from_ints([1, 2, 3], &device));
                let out = d.forward(g.forward(z.clone(), y.clone()), y);
                assert_eq!(out.score.dims(), [3, 1]);
                assert_eq!(
                    out.classes.map(|c| c.dims()),
                    matches!(conditioning, Conditioning::Acgan | Conditioning::Infogan)
                        .then_some([3, 10]),
                    "{kind:?} {conditioning:?}"
                );
            }
            assert_eq!(ModelKind::from_id(kind.id()), Some(kind));
        }
        for upsampling in dcgan::Upsampling::ALL {
            let config = ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_dcgan(
                    DcganConfig::new()
                        .with_channels(4)
                        .with_upsampling(upsampling),
                );
            let z = Tensor::<2>::zeros([2, 100], &device);
            let images = config.init_generator(&device).forward(z, None);
            assert_eq!(images.dims(), [2, 1, 28, 28], "{upsampling:?}");
            assert_eq!(
                dcgan::Upsampling::from_id(upsampling.id()),
                Some(upsampling)
            );
        }
    }

    /// Float parameters of a module with their paths, as checkpoints name them.
    fn named_floats<M: Module>(module: &M) -> Vec<(String, Vec<f32>)> {
        #[derive(Default)]
        struct Paths {
            path: Vec<String>,
            found: Vec<(String, Vec<f32>)>,
        }
        impl ModuleVisitor for Paths {
            fn enter_module(&mut self, name: &str, _: &str) {
                self.path.push(name.to_string());
            }
            fn exit_module(&mut self, _: &str, _: &str) {
                self.path.pop();
            }
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let values = param
                    .val()
                    .into_data()
                    .try_into_vec_as::<f32>()
                    .unwrap_or_default();
                self.found.push((self.path.join("."), values));
            }
        }
        let mut paths = Paths::default();
        module.visit(&mut paths);
        paths.found
    }

    #[test]
    fn the_transposed_dcgan_keeps_its_checkpoint_names() {
        // Checkpoints saved before upsampling was a setting name these parameters.
        let device = Device::flex();
        let config = ArchitectureConfig::new()
            .with_kind(ModelKind::Dcgan)
            .with_dcgan(DcganConfig::new().with_channels(4));
        let paths: Vec<String> = named_floats(&config.init_generator(&device))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        for name in [
            "Dcgan.up1.weight",
            "Dcgan.norm1.gamma",
            "Dcgan.up2.bias",
            "Dcgan.project.weight",
        ] {
            assert!(paths.iter().any(|p| p == name), "{name} not in {paths:?}");
        }
        assert!(!paths.iter().any(|p| p.contains("conv")), "{paths:?}");
    }

    fn mean_and_std(values: &[f32]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    }

    #[test]
    fn normal_init_draws_weights_as_the_dcgan_paper() {
        let device = Device::flex();
        device.seed(5);
        let config = ArchitectureConfig::new()
            .with_kind(ModelKind::Dcgan)
            .with_dcgan(DcganConfig::new().with_channels(16))
            .with_normal_init(true);
        let g = config.init_generator(&device);
        let d = config.init_discriminator(&device);
        let mut weights = Vec::new();
        let mut gammas = Vec::new();
        let mut biases = Vec::new();
        for (name, t) in named_floats(&g).into_iter().chain(named_floats(&d)) {
            match name.rsplit('.').next() {
                Some("weight") if !name.contains("label") => weights.extend(t),
                Some("gamma") => gammas.extend(t),
                Some("bias") => biases.extend(t),
                _ => {}
            }
        }
        let (mean, std) = mean_and_std(&weights);
        assert!(
            mean.abs() < 0.002 && (std - 0.02).abs() < 0.002,
            "weights {mean} ± {std}"
        );
        let (mean, std) = mean_and_std(&gammas);
        assert!(
            (mean - 1.0).abs() < 0.01 && (std - 0.02).abs() < 0.01,
            "γ {mean} ± {std}"
        );
        // Biases keep the layers' own (uniform) initialisation, far wider than 0.02.
        assert!(mean_and_std(&biases).1 > 0.03);
        // Without the option, the layers' own Kaiming-uniform weights are much wider.
        let plain = config.with_normal_init(false).init_generator(&device);
        let w: Vec<f32> = named_floats(&plain)
            .into_iter()
            .filter(|(n, _)| n.ends_with("up1.weight"))
            .flat_map(|(_, t)| t)
            .collect();
        assert!(mean_and_std(&w).1 > 0.03);
    }

    #[test]
    fn mlp_matches_the_guide() {
        let device = Device::flex();
        let config = ArchitectureConfig::new();
        let g = config.init_generator(&device);
        let d = config.init_discriminator(&device);
        // G: 100·128+128 + 128·256+256 + 512·(256+1) + 1024·(512+1) + 784·(1024+1) + BatchNorm γ, β, running mean and variance of 256, 512, 1024.
        let g_params = 100 * 128
            + 128
            + 128 * 256
            + 256
            + 256 * 512
            + 512
            + 512 * 1024
            + 1024
            + 1024 * 784
            + 784
            + 4 * (256 + 512 + 1024);
        let d_params = 784 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 + 1;
        assert_eq!(g.num_params(), g_params);
        assert_eq!(d.num_params(), d_params);
    }
}
