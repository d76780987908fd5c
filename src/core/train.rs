//! Training: the GAN step (D steps then one G step) and the classifier's supervised step.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::core::classifier::{Classifier, ClassifierConfig};
use crate::core::data::{BatchSampler, MnistSet};
use crate::core::loss::{GanLoss, discriminator_loss};
use crate::core::models::{ArchitectureConfig, Discriminator, Generator};

/// Everything that defines a GAN training run.
#[derive(Config, Debug)]
pub struct TrainConfig {
    /// Architecture and latent size.
    #[config(default = "ArchitectureConfig::new()")]
    pub architecture: ArchitectureConfig,
    /// Generator objective.
    #[config(default = "GanLoss::NonSaturating")]
    pub loss: GanLoss,
    /// Generator learning rate (Adam).
    #[config(default = 2e-4)]
    pub lr_g: f64,
    /// Discriminator learning rate (Adam).
    #[config(default = 2e-4)]
    pub lr_d: f64,
    /// Adam β₁ for both networks.
    #[config(default = 0.5)]
    pub beta1: f64,
    /// Adam β₂ for both networks.
    #[config(default = 0.999)]
    pub beta2: f64,
    /// Images per batch.
    #[config(default = 64)]
    pub batch_size: usize,
    /// Discriminator steps per generator step.
    #[config(default = 1)]
    pub d_steps: usize,
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

fn check_range(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: f64,
    min: f64,
    max: f64,
    what: &str,
) {
    if !value.is_finite() || value < min || value > max {
        errors.push(FieldError {
            field: field.into(),
            message: format!("{what} must be between {min} and {max}; got {value}"),
        });
    }
}

fn check_open(errors: &mut Vec<FieldError>, field: &str, value: f64, max: f64, what: &str) {
    if !value.is_finite() || value <= 0.0 || value > max {
        errors.push(FieldError {
            field: field.into(),
            message: format!("{what} must be above 0 and at most {max}; got {value}"),
        });
    }
}

impl TrainConfig {
    /// Checks every setting, returning one message per bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        check_open(&mut e, "lr_g", self.lr_g, 1.0, "Generator learning rate");
        check_open(
            &mut e,
            "lr_d",
            self.lr_d,
            1.0,
            "Discriminator learning rate",
        );
        if !(self.beta1.is_finite() && (0.0..1.0).contains(&self.beta1)) {
            e.push(FieldError {
                field: "beta1".into(),
                message: format!("Adam β₁ must be in [0, 1); got {}", self.beta1),
            });
        }
        if !(self.beta2.is_finite() && (0.0..1.0).contains(&self.beta2)) {
            e.push(FieldError {
                field: "beta2".into(),
                message: format!("Adam β₂ must be in [0, 1); got {}", self.beta2),
            });
        }
        check_range(
            &mut e,
            "batch_size",
            self.batch_size as f64,
            1.0,
            1024.0,
            "Batch size",
        );
        check_range(
            &mut e,
            "latent_dim",
            self.architecture.latent_dim as f64,
            1.0,
            1024.0,
            "Latent size",
        );
        check_range(
            &mut e,
            "d_steps",
            self.d_steps as f64,
            1.0,
            20.0,
            "D steps per G step",
        );
        check_range(
            &mut e,
            "channels",
            self.architecture.dcgan.channels as f64,
            1.0,
            256.0,
            "DCGAN channels",
        );
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// Statistics of one training step, read back from the device.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct StepStats {
    /// Discriminator loss (last D step).
    pub d_loss: f32,
    /// Generator loss.
    pub g_loss: f32,
    /// Mean D(x) on real digits (0.5 = D cannot tell; near 1 = D wins).
    pub d_real: f32,
    /// Mean D(G(z)) on generated digits.
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

/// A GAN and its optimisers on one autodiff device.
pub struct GanTrainer {
    config: TrainConfig,
    device: Device,
    generator: Generator,
    discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    noise_rng: StdRng,
    sampler: BatchSampler,
    steps: u64,
    generator_sign: f32,
}

/// Standard-normal latent vectors `[n, dim]` drawn on the host (identical on every backend).
pub fn latent_noise(rng: &mut StdRng, n: usize, dim: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..n * dim).map(|_| StandardNormal.sample(rng)).collect();
    Tensor::<1>::from_data(TensorData::new(values, [n * dim]), device).reshape([n, dim])
}

impl GanTrainer {
    /// A fresh GAN on `device` (autodiff is enabled on it) for a data set of `data_len` digits.
    pub fn new(
        config: TrainConfig,
        data_len: usize,
        device: &Device,
    ) -> Result<Self, Vec<FieldError>> {
        config.validate()?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        let generator = config.architecture.init_generator(&device);
        let discriminator = config.architecture.init_discriminator(&device);
        Ok(Self {
            opt_g: adam(&config),
            opt_d: adam(&config),
            noise_rng: StdRng::seed_from_u64(config.seed ^ 0x9e37_79b9),
            sampler: BatchSampler::new(data_len, config.seed),
            config,
            device,
            generator,
            discriminator,
            steps: 0,
            generator_sign: 1.0,
        })
    }

    /// Replaces the networks (e.g. from a checkpoint), keeping fresh optimiser state.
    pub fn with_networks(
        mut self,
        generator: Generator,
        discriminator: Discriminator,
        steps: u64,
    ) -> Self {
        self.generator = generator.fork(&self.device);
        self.discriminator = discriminator.fork(&self.device);
        self.steps = steps;
        self
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

    /// Changes the settings that can change mid-run: learning rates, batch size, D steps and loss.
    pub fn update_live(
        &mut self,
        lr_g: f64,
        lr_d: f64,
        batch_size: usize,
        d_steps: usize,
        loss: GanLoss,
    ) -> Result<(), Vec<FieldError>> {
        let mut next = self.config.clone();
        next.lr_g = lr_g;
        next.lr_d = lr_d;
        next.batch_size = batch_size;
        next.d_steps = d_steps;
        next.loss = loss;
        next.validate()?;
        self.config = next;
        Ok(())
    }

    /// One training step: `d_steps` discriminator updates, then one generator update.
    ///
    /// Returns `[d_loss, g_loss, mean D(x), mean D(G(z))]` on the device, unread, so callers can
    /// read it back synchronously (native) or asynchronously (browser).
    pub fn step(&mut self, data: &MnistSet) -> Tensor<1> {
        let batch = self.config.batch_size;
        let latent = self.config.architecture.latent_dim;
        let mut d_stats = None;
        for _ in 0..self.config.d_steps {
            let (real, _) = data.batch(&self.sampler.next_batch(batch), &self.device);
            let z = latent_noise(&mut self.noise_rng, batch, latent, &self.device);
            let fake = self.generator.forward(z).detach();
            let real_logits = self.discriminator.forward(real);
            let fake_logits = self.discriminator.forward(fake);
            let d_real = sigmoid(real_logits.clone().detach()).mean();
            let d_fake = sigmoid(fake_logits.clone().detach()).mean();
            let loss = discriminator_loss(real_logits, fake_logits);
            let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
            self.discriminator =
                self.opt_d
                    .step(self.config.lr_d, self.discriminator.clone(), grads);
            d_stats = Some((loss.detach(), d_real, d_fake));
        }
        let (d_loss, d_real, d_fake) = d_stats.expect("d_steps is validated to be at least 1");

        let z = latent_noise(&mut self.noise_rng, batch, latent, &self.device);
        let fake_logits = self.discriminator.forward(self.generator.forward(z));
        let g_loss = self.config.loss.generator(fake_logits) * self.generator_sign;
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self
            .opt_g
            .step(self.config.lr_g, self.generator.clone(), grads);
        self.steps += 1;
        Tensor::cat(vec![d_loss, g_loss.detach(), d_real, d_fake], 0).inner()
    }

    /// Generates images `[n, 1, 28, 28]` from latent vectors in inference mode (no autodiff).
    pub fn generate(&self, z: Tensor<2>) -> Tensor<4> {
        self.generator.valid().forward(z)
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

fn adam(config: &TrainConfig) -> ModuleOptimizer {
    AdamConfig::new()
        .with_beta_1(config.beta1 as f32)
        .with_beta_2(config.beta2 as f32)
        .init()
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
            .generate(z.clone())
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let stats = trainer.step(&data).into_data().try_to_vec::<f32>().unwrap();
        let stats = StepStats::from_values(&stats).unwrap();
        assert!(stats.d_loss.is_finite() && stats.g_loss.is_finite());
        assert!((0.0..=1.0).contains(&stats.d_real) && (0.0..=1.0).contains(&stats.d_fake));
        let after = trainer.generate(z).into_data().try_to_vec::<f32>().unwrap();
        assert_ne!(before, after);
        assert_eq!(trainer.steps(), 1);
    }
}
