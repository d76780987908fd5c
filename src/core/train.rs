//! Training: the GAN step (D steps then one G step) for every loss, penalty and trick of the
//! playground, and the classifier's supervised step.

use std::collections::HashMap;

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, RmsPropConfig, SgdConfig};
use burn::prelude::*;
use burn::tensor::Bytes;
use burn::tensor::activation::sigmoid;
use rand::Rng as _;
use rand_distr::{Distribution as _, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::core::classifier::{Classifier, ClassifierConfig};
use crate::core::data::{BatchSampler, MnistSet, NUM_CLASSES, SamplerState};
use crate::core::loss::{GanLoss, gradient_penalty, r1_penalty};
use crate::core::models::{ArchitectureConfig, Conditioning, Discriminator, Generator};
use crate::core::rng::{self, Rng, RngState};

/// Which optimiser updates a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum OptimizerKind {
    /// Adam with the run's β₁, β₂.
    #[default]
    Adam,
    /// RMSprop (α = 0.99, no momentum), the WGAN paper's choice.
    RmsProp,
    /// Plain stochastic gradient descent (no momentum).
    Sgd,
}

impl OptimizerKind {
    /// Every optimiser, in display order.
    pub const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Adam,
        OptimizerKind::RmsProp,
        OptimizerKind::Sgd,
    ];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Sgd => "sgd",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "Adam (β₁, β₂ below)",
            OptimizerKind::RmsProp => "RMSprop (α 0.99)",
            OptimizerKind::Sgd => "SGD (no momentum)",
        }
    }

    /// Parses an identifier from [`OptimizerKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.id() == id)
    }

    fn init(self, config: &TrainConfig) -> ModuleOptimizer {
        match self {
            OptimizerKind::Adam => AdamConfig::new()
                .with_beta_1(config.beta1 as f32)
                .with_beta_2(config.beta2 as f32)
                .init(),
            OptimizerKind::RmsProp => RmsPropConfig::new().with_momentum(0.0).init(),
            OptimizerKind::Sgd => SgdConfig::new().init(),
        }
    }
}

/// Everything that defines a GAN training run.
#[derive(Config, Debug)]
pub struct TrainConfig {
    /// Architecture, latent size, conditioning and D's normalisation.
    #[config(default = "ArchitectureConfig::new()")]
    pub architecture: ArchitectureConfig,
    /// The adversarial objective.
    #[config(default = "GanLoss::NonSaturating")]
    pub loss: GanLoss,
    /// Generator learning rate.
    #[config(default = 2e-4)]
    pub lr_g: f64,
    /// Discriminator learning rate.
    #[config(default = 2e-4)]
    pub lr_d: f64,
    /// Generator optimiser.
    #[config(default = "OptimizerKind::Adam")]
    pub optimizer_g: OptimizerKind,
    /// Discriminator optimiser.
    #[config(default = "OptimizerKind::Adam")]
    pub optimizer_d: OptimizerKind,
    /// Adam β₁ for both networks.
    #[config(default = 0.5)]
    pub beta1: f64,
    /// Adam β₂ for both networks.
    #[config(default = 0.999)]
    pub beta2: f64,
    /// Images per batch.
    #[config(default = 64)]
    pub batch_size: usize,
    /// Discriminator steps per generator step (n_critic).
    #[config(default = 1)]
    pub d_steps: usize,
    /// WGAN weight clipping bound c (Wasserstein loss only).
    #[config(default = 0.01)]
    pub clip: f64,
    /// WGAN-GP penalty weight λ.
    #[config(default = 10.0)]
    pub gp_weight: f64,
    /// R1 penalty weight γ on real data (0 = off); D minimises γ/2 · E‖∇ₓD(x)‖².
    #[config(default = 0.0)]
    pub r1_gamma: f64,
    /// InfoGAN: weight λ of the mutual-information term (the category head's cross-entropy on
    /// fakes).
    #[config(default = 1.0)]
    pub info_weight: f64,
    /// One-sided label smoothing: real targets become 1 − this (0 = off).
    #[config(default = 0.0)]
    pub label_smoothing: f64,
    /// Standard deviation of Gaussian instance noise added to D's inputs at step 0 (0 = off).
    #[config(default = 0.0)]
    pub instance_noise: f64,
    /// Steps over which the instance noise decays linearly to 0.
    #[config(default = 2000)]
    pub instance_noise_steps: u64,
    /// Decay of the exponential moving average of G's weights used for samples (0 = off).
    #[config(default = 0.0)]
    pub ema_decay: f64,
    /// Seed for weights, noise and data order.
    #[config(default = 1)]
    pub seed: u64,
}

/// A setting that failed validation, with a message for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The setting's identifier (`lr_g`, `batch_size`, …).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl FieldError {
    /// A message about `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every setting that failed validation, one message per field, in the order they were checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::ops::Deref for FieldErrors {
    type Target = [FieldError];

    fn deref(&self) -> &[FieldError] {
        &self.0
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl TrainConfig {
    /// Checks every setting (its range in the registry, then the rules across settings),
    /// returning one message per bad field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        crate::core::settings::validate(self)
    }

    /// The instance-noise standard deviation at generator step `step`.
    pub fn instance_noise_at(&self, step: u64) -> f64 {
        let left = 1.0 - step as f64 / self.instance_noise_steps.max(1) as f64;
        self.instance_noise * left.max(0.0)
    }
}

/// Why a training step could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// A gradient penalty was asked of a critic whose score mixes the samples of a batch
    /// ([`TrainConfig::validate`] refuses such settings, so only a bypassed check gets here).
    #[error(
        "WGAN-GP and R1 need a critic that judges each sample alone: turn off D BatchNorm and minibatch stddev"
    )]
    PenaltyNeedsPerSampleCritic,
}

/// Statistics of one training step, read back from the device.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct StepStats {
    /// Discriminator loss (last D step, penalties and class loss included).
    pub d_loss: f32,
    /// Generator loss.
    pub g_loss: f32,
    /// Mean D output on real digits: σ(D(x)) for the BCE losses (0.5 = D cannot tell), the raw
    /// critic score otherwise.
    pub d_real: f32,
    /// Mean D output on generated digits, as for `d_real`.
    pub d_fake: f32,
}

impl StepStats {
    /// Decodes the four values of [`GanTrainer::step`]'s tensor.
    pub fn from_values(v: &[f32]) -> Option<Self> {
        match v {
            [d_loss, g_loss, d_real, d_fake] => Some(Self {
                d_loss: *d_loss,
                g_loss: *g_loss,
                d_real: *d_real,
                d_fake: *d_fake,
            }),
            _ => None,
        }
    }
}

/// Clamps every float parameter to `[-c, c]` (WGAN weight clipping).
struct Clip(f64);

impl ModuleMapper for Clip {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let c = self.0;
        param.map(|t| {
            let tracked = t.is_require_grad();
            let clipped = Tensor::from_inner(t.inner().clamp(-c, c));
            if tracked {
                clipped.require_grad()
            } else {
                clipped
            }
        })
    }
}

/// An exponential moving average of a generator's weights (Polyak averaging for display).
struct Ema {
    decay: f64,
    updates: u64,
    shadow: HashMap<ParamId, Tensor<1>>,
}

struct EmaUpdate<'a> {
    decay: f64,
    shadow: &'a mut HashMap<ParamId, Tensor<1>>,
}

impl ModuleVisitor for EmaUpdate<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val().inner();
        let n = value.shape().num_elements();
        let value = value.reshape([n]);
        let next = match self.shadow.remove(&param.id) {
            Some(old) => old * self.decay + value * (1.0 - self.decay),
            None => value,
        };
        self.shadow.insert(param.id, next);
    }
}

struct EmaApply<'a>(&'a HashMap<ParamId, Tensor<1>>);

impl ModuleMapper for EmaApply<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        match self.0.get(&param.id) {
            Some(avg) => {
                let avg = avg.clone();
                param.map(|t| avg.reshape(t.dims()))
            }
            None => param,
        }
    }
}

/// Collects a module's float parameters, flattened, in visiting order.
struct CollectFloats(Vec<Tensor<1>>);

impl ModuleVisitor for CollectFloats {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val().inner();
        let n = value.shape().num_elements();
        self.0.push(value.reshape([n]));
    }
}

/// Collects a module's float parameter ids in visiting order.
struct CollectIds(Vec<ParamId>);

impl ModuleVisitor for CollectIds {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.id);
    }
}

impl Ema {
    fn update(&mut self, generator: &Generator) {
        // Early on, average over the steps so far rather than the initial weights.
        let n = self.updates as f64;
        let decay = self.decay.min((1.0 + n) / (10.0 + n));
        generator.visit(&mut EmaUpdate {
            decay,
            shadow: &mut self.shadow,
        });
        self.updates += 1;
    }

    fn apply(&self, generator: &Generator) -> Generator {
        generator.valid().map(&mut EmaApply(&self.shadow))
    }
}

/// A GAN and its optimisers on one autodiff device.
pub struct GanTrainer {
    config: TrainConfig,
    device: Device,
    generator: Generator,
    discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    noise_rng: Rng,
    sampler: BatchSampler,
    ema: Option<Ema>,
    steps: u64,
    generator_sign: f32,
}

/// What a resumed run needs besides the networks and optimisers: the position of every random
/// stream, so it continues exactly as the uninterrupted run would have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainerState {
    /// Generator steps taken.
    pub steps: u64,
    /// The generator of latent vectors, labels, interpolation weights and instance noise.
    pub noise_rng: RngState,
    /// The data order.
    pub sampler: SamplerState,
}

/// Why a saved trainer state could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The random-stream or data-order state does not fit this run.
    #[error("the saved random state does not fit this run (data set of another size?)")]
    State,
    /// An optimiser's saved state is unreadable.
    #[error("the saved {0} optimiser state is unreadable: {1}")]
    Optimizer(&'static str, String),
}

/// Standard-normal latent vectors `[n, dim]` drawn on the host (identical on every backend).
pub fn latent_noise(rng: &mut Rng, n: usize, dim: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..n * dim).map(|_| StandardNormal.sample(rng)).collect();
    Tensor::<1>::from_data(TensorData::new(values, [n * dim]), device).reshape([n, dim])
}

/// Uniformly random digit labels `[n]` drawn on the host.
pub fn random_labels(rng: &mut Rng, n: usize, device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = (0..n)
        .map(|_| rng.random_range(0..NUM_CLASSES as i64))
        .collect();
    Tensor::<1, Int>::from_data(TensorData::new(values, [n]), device)
}

/// Adds Gaussian noise of standard deviation `sigma`, drawn on the host from the run's generator
/// (so a resumed run adds the same noise).
fn add_instance_noise(images: Tensor<4>, sigma: f64, rng: &mut Rng) -> Tensor<4> {
    if sigma > 0.0 {
        let dims = images.dims();
        let n: usize = dims.iter().product();
        let values: Vec<f32> = (0..n)
            .map(|_| {
                let z: f32 = StandardNormal.sample(rng);
                sigma as f32 * z
            })
            .collect();
        let noise = Tensor::<1>::from_data(TensorData::new(values, [n]), &images.device());
        images + noise.reshape(dims)
    } else {
        images
    }
}

impl GanTrainer {
    /// A fresh GAN on `device` (autodiff is enabled on it) for a data set of `data_len` digits.
    pub fn new(config: TrainConfig, data_len: usize, device: &Device) -> Result<Self, FieldErrors> {
        config.validate()?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        let generator = config.architecture.init_generator(&device);
        let discriminator = config.architecture.init_discriminator(&device);
        Ok(Self {
            opt_g: config.optimizer_g.init(&config),
            opt_d: config.optimizer_d.init(&config),
            noise_rng: rng::seeded(config.seed ^ 0x9e37_79b9),
            sampler: BatchSampler::new(data_len, config.seed),
            ema: (config.ema_decay > 0.0).then(|| Ema {
                decay: config.ema_decay,
                updates: 0,
                shadow: HashMap::new(),
            }),
            config,
            device,
            generator,
            discriminator,
            steps: 0,
            generator_sign: 1.0,
        })
    }

    /// Replaces the networks (e.g. from a checkpoint), keeping fresh optimiser state.
    ///
    /// `ema` is a saved moving-average generator of the same architecture and the number of
    /// updates it has averaged; it is restored when this run keeps an EMA (else ignored), and
    /// the average starts afresh from `generator` when it is `None`.
    pub fn with_networks(
        mut self,
        generator: Generator,
        discriminator: Discriminator,
        ema: Option<(Generator, u64)>,
        steps: u64,
    ) -> Self {
        self.generator = generator.fork(&self.device);
        self.discriminator = discriminator.fork(&self.device);
        self.steps = steps;
        if let Some(state) = &mut self.ema {
            state.shadow.clear();
            state.updates = 0;
            if let Some((average, updates)) = ema {
                let mut ids = CollectIds(Vec::new());
                self.generator.visit(&mut ids);
                let mut values = CollectFloats(Vec::new());
                average.fork(&self.device).visit(&mut values);
                if ids.0.len() == values.0.len() {
                    state.shadow = ids.0.into_iter().zip(values.0).collect();
                    state.updates = updates;
                }
            }
        }
        self
    }

    /// The random streams' positions and the step count (see [`TrainerState`]).
    pub fn state(&self) -> TrainerState {
        TrainerState {
            steps: self.steps,
            noise_rng: RngState::of(&self.noise_rng),
            sampler: self.sampler.state(),
        }
    }

    /// Both optimisers' states (moments, step counts) as Burn optimiser records, G's first.
    pub fn optimizer_records(&self) -> Result<(Vec<u8>, Vec<u8>), RestoreError> {
        let g = self
            .opt_g
            .into_bytes()
            .map_err(|e| RestoreError::Optimizer("generator", e.to_string()))?;
        let d = self
            .opt_d
            .into_bytes()
            .map_err(|e| RestoreError::Optimizer("discriminator", e.to_string()))?;
        Ok((g.to_vec(), d.to_vec()))
    }

    /// Continues a saved run: its random streams, step count and, given `(G, D)` optimiser
    /// records, the optimiser states (after [`GanTrainer::with_networks`] restored the networks,
    /// whose parameter ids the records use).
    pub fn resume(
        mut self,
        state: &TrainerState,
        optimizers: Option<(&[u8], &[u8])>,
    ) -> Result<Self, RestoreError> {
        self.noise_rng = state.noise_rng.restore().ok_or(RestoreError::State)?;
        self.sampler =
            BatchSampler::restore(&state.sampler, self.sampler.len()).ok_or(RestoreError::State)?;
        self.steps = state.steps;
        let Some((optimizer_g, optimizer_d)) = optimizers else {
            return Ok(self);
        };
        let fresh_g = self.config.optimizer_g.init(&self.config);
        self.opt_g = fresh_g
            .from_bytes(Bytes::from_bytes_vec(optimizer_g.to_vec()))
            .map_err(|e| RestoreError::Optimizer("generator", e.to_string()))?;
        let fresh_d = self.config.optimizer_d.init(&self.config);
        self.opt_d = fresh_d
            .from_bytes(Bytes::from_bytes_vec(optimizer_d.to_vec()))
            .map_err(|e| RestoreError::Optimizer("discriminator", e.to_string()))?;
        Ok(self)
    }

    /// The moving-average generator and its number of updates, when the run keeps one and it
    /// has been updated (what [`GanTrainer::sampling_generator`] draws with).
    pub fn ema_generator(&self) -> Option<(Generator, u64)> {
        self.ema
            .as_ref()
            .filter(|ema| ema.updates > 0)
            .map(|ema| (ema.apply(&self.generator), ema.updates))
    }

    /// Multiplies the generator's loss by `sign`: −1 makes G help D instead of fooling it.
    ///
    /// An ablation for tests: a learning test must fail with the sign flipped.
    pub fn with_generator_sign(mut self, sign: f32) -> Self {
        self.generator_sign = sign;
        self
    }

    /// The run's settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Generator steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The training device (with autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Takes the settings that may change mid-run (the registry's live ones: learning rates,
    /// batch size, D steps, loss) from `requested`; the rest of `requested` is ignored.
    pub fn update_live(&mut self, requested: &TrainConfig) -> Result<(), FieldErrors> {
        let next = crate::core::settings::with_live(&self.config, requested);
        next.validate()?;
        self.config = next;
        Ok(())
    }

    fn mean_output(&self, scores: Tensor<2>) -> Tensor<1> {
        let scores = scores.detach();
        if self.config.loss.is_probabilistic() {
            sigmoid(scores).mean()
        } else {
            scores.mean()
        }
    }

    fn discriminator_step(&mut self, data: &MnistSet) -> Result<[Tensor<1>; 3], StepError> {
        let config = &self.config;
        let batch = config.batch_size;
        let conditioning = config.architecture.conditioning;
        let sigma = config.instance_noise_at(self.steps);
        if config.architecture.spectral_norm {
            self.discriminator = self.discriminator.clone().refresh_spectral_norm();
        }
        let (real, labels) = data.batch(&self.sampler.next_batch(batch), &self.device);
        // An InfoGAN's categories are drawn, not read: the digits' labels stay unused.
        let g_labels = match conditioning {
            Conditioning::None => None,
            Conditioning::Infogan => Some(random_labels(&mut self.noise_rng, batch, &self.device)),
            Conditioning::Cgan | Conditioning::Acgan => Some(labels.clone()),
        };
        let d_labels = (conditioning == Conditioning::Cgan).then(|| labels.clone());
        let z = latent_noise(
            &mut self.noise_rng,
            batch,
            config.architecture.latent_dim,
            &self.device,
        );
        let fake = self.generator.forward(z, g_labels.clone()).detach();
        let real = add_instance_noise(real, sigma, &mut self.noise_rng);
        let fake = add_instance_noise(fake, sigma, &mut self.noise_rng);
        let out_real = self.discriminator.forward(real.clone(), d_labels.clone());
        let out_fake = self.discriminator.forward(fake.clone(), d_labels.clone());
        let d_real = self.mean_output(out_real.score.clone());
        let d_fake = self.mean_output(out_fake.score.clone());
        let mut loss =
            config
                .loss
                .discriminator(out_real.score, out_fake.score, 1.0 - config.label_smoothing);
        if let (Some(real_classes), Some(fake_classes)) = (out_real.classes, out_fake.classes) {
            let ce = CrossEntropyLossConfig::new().init(&self.device);
            if conditioning.uses_labels() {
                loss = loss
                    + ce.forward(real_classes, labels.clone())
                    + ce.forward(fake_classes, labels.clone());
            } else if let Some(codes) = g_labels {
                loss = loss + ce.forward(fake_classes, codes) * config.info_weight;
            }
        }
        if config.loss == GanLoss::WassersteinGp && config.gp_weight > 0.0 {
            let eps: Vec<f32> = (0..batch).map(|_| self.noise_rng.random::<f32>()).collect();
            let eps = Tensor::<1>::from_data(TensorData::new(eps, [batch]), &self.device)
                .reshape([batch, 1, 1, 1]);
            let mixed = (real.clone() * eps.clone() + fake * (eps.neg() + 1.0)).detach();
            let grad = self
                .discriminator
                .input_gradient(mixed, d_labels.clone())
                .ok_or(StepError::PenaltyNeedsPerSampleCritic)?;
            loss = loss + gradient_penalty(grad) * config.gp_weight;
        }
        if config.r1_gamma > 0.0 {
            let grad = self
                .discriminator
                .input_gradient(real.detach(), d_labels)
                .ok_or(StepError::PenaltyNeedsPerSampleCritic)?;
            loss = loss + r1_penalty(grad) * (config.r1_gamma / 2.0);
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        self.discriminator = self
            .opt_d
            .step(config.lr_d, self.discriminator.clone(), grads);
        if config.loss == GanLoss::Wasserstein {
            self.discriminator = self.discriminator.clone().map(&mut Clip(config.clip));
        }
        Ok([loss.detach(), d_real, d_fake])
    }

    /// One training step: `d_steps` discriminator updates, then one generator update.
    ///
    /// Returns `[d_loss, g_loss, mean D(x), mean D(G(z))]` on the device, unread, so callers can
    /// read it back synchronously (native) or asynchronously (browser). Fails only for settings
    /// that [`TrainConfig::validate`] refuses.
    pub fn step(&mut self, data: &MnistSet) -> Result<Tensor<1>, StepError> {
        let mut d_stats = self.discriminator_step(data)?;
        for _ in 1..self.config.d_steps {
            d_stats = self.discriminator_step(data)?;
        }
        let [d_loss, d_real, d_fake] = d_stats;

        let config = &self.config;
        let batch = config.batch_size;
        let conditioning = config.architecture.conditioning;
        let sigma = config.instance_noise_at(self.steps);
        let z = latent_noise(
            &mut self.noise_rng,
            batch,
            config.architecture.latent_dim,
            &self.device,
        );
        let labels = conditioning
            .is_conditional()
            .then(|| random_labels(&mut self.noise_rng, batch, &self.device));
        let d_labels = labels
            .clone()
            .filter(|_| conditioning == Conditioning::Cgan);
        let fake = add_instance_noise(
            self.generator.forward(z, labels.clone()),
            sigma,
            &mut self.noise_rng,
        );
        // D's weights take no gradient here (only G is updated): a copy of D that tracks none
        // saves the backward pass its weight products.
        let out = self.discriminator.clone().no_grad().forward(fake, d_labels);
        let mut g_loss = config.loss.generator(out.score);
        if let (Some(classes), Some(labels)) = (out.classes, labels) {
            let weight = if conditioning.uses_labels() {
                1.0
            } else {
                config.info_weight
            };
            g_loss = g_loss
                + CrossEntropyLossConfig::new()
                    .init(&self.device)
                    .forward(classes, labels)
                    * weight;
        }
        let g_loss = g_loss * self.generator_sign;
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(config.lr_g, self.generator.clone(), grads);
        if let Some(ema) = &mut self.ema {
            ema.update(&self.generator);
        }
        self.steps += 1;
        Ok(Tensor::cat(vec![d_loss, g_loss.detach(), d_real, d_fake], 0).inner())
    }

    /// The generator used for samples: the moving average of G's weights when enabled, else G,
    /// in inference mode (no autodiff).
    pub fn sampling_generator(&self) -> Generator {
        self.ema_generator()
            .map_or_else(|| self.generator.valid(), |(average, _)| average)
    }

    /// Generates images `[n, 1, 28, 28]` from latent vectors (and labels, for conditional
    /// models) in inference mode, with the sampling generator.
    pub fn generate(&self, z: Tensor<2>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        self.sampling_generator().forward(z, labels)
    }

    /// The generator, as trained.
    pub fn generator(&self) -> &Generator {
        &self.generator
    }

    /// The discriminator, as trained.
    pub fn discriminator(&self) -> &Discriminator {
        &self.discriminator
    }
}

/// Supervised training of the MNIST classifier.
pub struct ClassifierTrainer {
    model: Classifier,
    optimizer: ModuleOptimizer,
    sampler: BatchSampler,
    device: Device,
    lr: f64,
}

impl ClassifierTrainer {
    /// A fresh classifier on `device` (autodiff is enabled on it).
    pub fn new(
        config: &ClassifierConfig,
        data_len: usize,
        lr: f64,
        seed: u64,
        device: &Device,
    ) -> Self {
        let device = device.clone().autodiff();
        device.seed(seed);
        Self {
            model: config.init(&device),
            optimizer: AdamConfig::new().init(),
            sampler: BatchSampler::new(data_len, seed),
            device,
            lr,
        }
    }

    /// One step of cross-entropy training; returns the loss (unread).
    pub fn step(&mut self, data: &MnistSet, batch: usize) -> Tensor<1> {
        let (images, labels) = data.batch(&self.sampler.next_batch(batch), &self.device);
        let logits = self.model.forward(images);
        let loss = CrossEntropyLossConfig::new()
            .init(&self.device)
            .forward(logits, labels);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self.optimizer.step(self.lr, self.model.clone(), grads);
        loss.detach().inner()
    }

    /// The trained classifier in inference mode.
    pub fn model(&self) -> Classifier {
        self.model.valid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_refused() {
        assert!(TrainConfig::new().validate().is_ok());
        let bad = TrainConfig::new()
            .with_lr_g(-1.0)
            .with_beta1(f64::NAN)
            .with_batch_size(0)
            .with_d_steps(1000);
        let errors = bad.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lr_g", "beta1", "batch_size", "d_steps"]);
        assert!(
            TrainConfig::new()
                .with_lr_d(f64::INFINITY)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn a_step_returns_four_finite_stats_and_moves_the_generator() {
        let device = Device::flex();
        let data = MnistSet::from_parts(vec![1; 8], vec![200; 8 * 784]).unwrap();
        let config = TrainConfig::new()
            .with_batch_size(4)
            .with_architecture(ArchitectureConfig::new().with_latent_dim(8));
        let mut trainer = GanTrainer::new(config, data.len(), &device).unwrap();
        let z = Tensor::<2>::zeros([2, 8], &device);
        let before = trainer
            .generate(z.clone(), None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let stats = trainer
            .step(&data)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let stats = StepStats::from_values(&stats).unwrap();
        assert!(stats.d_loss.is_finite() && stats.g_loss.is_finite());
        assert!((0.0..=1.0).contains(&stats.d_real) && (0.0..=1.0).contains(&stats.d_fake));
        let after = trainer
            .generate(z, None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_ne!(before, after);
        assert_eq!(trainer.steps(), 1);
    }

    fn tiny(kind: crate::core::models::ModelKind) -> ArchitectureConfig {
        ArchitectureConfig::new()
            .with_kind(kind)
            .with_latent_dim(8)
            .with_mlp(
                crate::core::models::MlpGanConfig::new()
                    .with_generator_hidden(vec![16, 32])
                    .with_discriminator_hidden(vec![32, 16]),
            )
            .with_dcgan(crate::core::models::DcganConfig::new().with_channels(4))
    }

    fn tiny_data() -> MnistSet {
        MnistSet::from_parts(
            (0..8).collect(),
            (0..8 * 784).map(|i| (i % 251) as u8).collect(),
        )
        .unwrap()
    }

    #[test]
    fn every_loss_and_conditioning_takes_a_finite_step() {
        use crate::core::models::ModelKind;
        let device = Device::flex();
        let data = tiny_data();
        for kind in ModelKind::ALL {
            for loss in GanLoss::ALL {
                for conditioning in Conditioning::ALL {
                    let mut arch = tiny(kind).with_conditioning(conditioning);
                    arch.dcgan.d_batch_norm = loss != GanLoss::WassersteinGp;
                    let config = TrainConfig::new()
                        .with_architecture(arch)
                        .with_loss(loss)
                        .with_batch_size(4)
                        .with_d_steps(2)
                        .with_instance_noise(0.1)
                        .with_ema_decay(0.9);
                    let mut trainer = GanTrainer::new(config, data.len(), &device).unwrap();
                    let v = trainer
                        .step(&data)
                        .unwrap()
                        .into_data()
                        .try_to_vec::<f32>()
                        .unwrap();
                    assert!(
                        v.iter().all(|x| x.is_finite()),
                        "{kind:?} {loss:?} {conditioning:?}: {v:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_infogan_never_reads_the_labels_and_an_acgan_does() {
        use crate::core::models::ModelKind;
        let device = Device::flex();
        let pixels: Vec<u8> = (0..8 * 784).map(|i| (i % 251) as u8).collect();
        let steps = |conditioning, labels: Vec<u8>| {
            let data = MnistSet::from_parts(labels, pixels.clone()).unwrap();
            let config = TrainConfig::new()
                .with_architecture(tiny(ModelKind::Dcgan).with_conditioning(conditioning))
                .with_batch_size(4);
            let mut trainer = GanTrainer::new(config, data.len(), &device).unwrap();
            (0..3)
                .flat_map(|_| {
                    trainer
                        .step(&data)
                        .unwrap()
                        .into_data()
                        .try_to_vec::<f32>()
                        .unwrap()
                })
                .collect::<Vec<f32>>()
        };
        let (ascending, reversed): (Vec<u8>, Vec<u8>) = ((0..8).collect(), (2..10).rev().collect());
        let info = steps(Conditioning::Infogan, ascending.clone());
        assert!(info.iter().all(|x| x.is_finite()), "{info:?}");
        assert_eq!(info, steps(Conditioning::Infogan, reversed.clone()));
        assert_ne!(
            steps(Conditioning::Acgan, ascending),
            steps(Conditioning::Acgan, reversed)
        );
    }

    struct MaxAbs(f32);

    impl ModuleVisitor for MaxAbs {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let m = param.val().abs().max().into_scalar::<f32>();
            self.0 = self.0.max(m);
        }
    }

    #[test]
    fn wgan_clips_every_critic_weight() {
        let device = Device::flex();
        let data = tiny_data();
        let config = TrainConfig::new()
            .with_architecture(tiny(crate::core::models::ModelKind::Mlp))
            .with_loss(GanLoss::Wasserstein)
            .with_clip(0.01)
            .with_batch_size(4);
        let mut trainer = GanTrainer::new(config, data.len(), &device).unwrap();
        let mut before = MaxAbs(0.0);
        trainer.discriminator().visit(&mut before);
        assert!(before.0 > 0.05, "fresh weights exceed the clip bound");
        trainer.step(&data).unwrap().into_data();
        let mut after = MaxAbs(0.0);
        trainer.discriminator().visit(&mut after);
        assert!(after.0 <= 0.01 + 1e-7, "max |w| = {}", after.0);
    }

    #[test]
    fn the_ema_generator_averages_the_trained_one() {
        let device = Device::flex();
        let data = tiny_data();
        let z = Tensor::<2>::ones([2, 8], &device);
        let run = |decay: f64| {
            let config = TrainConfig::new()
                .with_architecture(tiny(crate::core::models::ModelKind::Mlp))
                .with_batch_size(4)
                .with_ema_decay(decay);
            let mut trainer = GanTrainer::new(config, data.len(), &device).unwrap();
            for _ in 0..3 {
                trainer.step(&data).unwrap().into_data();
            }
            let live = trainer.generator().valid().forward(z.clone(), None);
            let shown = trainer.generate(z.clone(), None);
            (live - shown).abs().max().into_scalar::<f32>()
        };
        assert_eq!(run(0.0), 0.0, "without EMA the samples come from G itself");
        assert!(
            run(0.99) > 1e-4,
            "with EMA the samples come from averaged weights"
        );
    }

    #[test]
    fn incompatible_tricks_are_refused_with_the_field_to_change() {
        let field = |c: TrainConfig| c.validate().unwrap_err()[0].field.clone();
        let dcgan = tiny(crate::core::models::ModelKind::Dcgan);
        assert_eq!(
            field(
                TrainConfig::new()
                    .with_architecture(dcgan.clone())
                    .with_loss(GanLoss::WassersteinGp)
            ),
            "d_batch_norm"
        );
        assert_eq!(
            field(
                TrainConfig::new()
                    .with_architecture(dcgan.with_minibatch_stddev(true))
                    .with_r1_gamma(1.0)
            ),
            "d_batch_norm"
        );
        assert_eq!(
            field(
                TrainConfig::new()
                    .with_loss(GanLoss::Hinge)
                    .with_label_smoothing(0.1)
            ),
            "label_smoothing"
        );
        assert!(
            TrainConfig::new()
                .with_loss(GanLoss::LeastSquares)
                .with_label_smoothing(0.1)
                .validate()
                .is_ok()
        );
    }
}
