//! The introductory guide's fully connected GAN.
//!
//! Generator 100→128→256→512→1024→784 (BatchNorm on all but the first hidden layer,
//! LeakyReLU 0.2, Tanh out); discriminator 784→512→256→128→1 (LeakyReLU 0.2, logits out).

use burn::nn::{BatchNorm, BatchNormConfig, Embedding, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, tanh};

use super::layers::{CriticLinear, append_minibatch_stddev, leaky_relu_mask};
use super::{
    DiscriminatorOptions, DiscriminatorOutput, LabelInput, embed_input, embed_labels,
    label_embedding,
};
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};

const SLOPE: f64 = 0.2;

/// Widths of the MLP GAN.
#[derive(Config, Debug)]
pub struct MlpGanConfig {
    /// Generator hidden widths; BatchNorm follows every one but the first.
    #[config(default = "vec![128, 256, 512, 1024]")]
    pub generator_hidden: Vec<usize>,
    /// Discriminator hidden widths.
    #[config(default = "vec![512, 256, 128]")]
    pub discriminator_hidden: Vec<usize>,
    /// BatchNorm after every generator hidden layer but the first (the guide's choice).
    #[config(default = true)]
    pub batch_norm: bool,
}

/// One hidden layer of the generator: Linear, optional BatchNorm, LeakyReLU.
#[derive(Module, Debug)]
pub struct GenBlock {
    linear: Linear,
    norm: Option<BatchNorm>,
}

/// Fully connected generator: z `[B, latent]` (and a label) → images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct MlpGenerator {
    label: Option<Embedding>,
    blocks: Vec<GenBlock>,
    output: Linear,
}

/// Fully connected discriminator: images `[B, 1, 28, 28]` (and a label) → score `[B, 1]`.
#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    label: Option<Embedding>,
    hidden: Vec<CriticLinear>,
    output: CriticLinear,
    classes: Option<CriticLinear>,
    minibatch_stddev: bool,
}

impl MlpGanConfig {
    /// Builds the generator for latent vectors of `latent_dim` values (plus a label embedding
    /// of `label_dim` values when conditional).
    pub fn init_generator(
        &self,
        latent_dim: usize,
        label_dim: Option<usize>,
        device: &Device,
    ) -> MlpGenerator {
        let mut blocks = Vec::new();
        let mut width = latent_dim + label_dim.unwrap_or(0);
        for (i, &next) in self.generator_hidden.iter().enumerate() {
            blocks.push(GenBlock {
                linear: LinearConfig::new(width, next).init(device),
                norm: (self.batch_norm && i > 0).then(|| BatchNormConfig::new(next).init(device)),
            });
            width = next;
        }
        MlpGenerator {
            label: label_dim.map(|d| label_embedding(d, device)),
            blocks,
            output: LinearConfig::new(width, IMAGE_PIXELS).init(device),
        }
    }

    /// Builds the discriminator.
    pub fn init_discriminator(
        &self,
        options: &DiscriminatorOptions,
        device: &Device,
    ) -> MlpDiscriminator {
        let sn = options.spectral_norm;
        let mut hidden = Vec::new();
        let mut width = IMAGE_PIXELS + options.input_label_dim.unwrap_or(0);
        for &next in &self.discriminator_hidden {
            hidden.push(CriticLinear::new(width, next, sn, device));
            width = next;
        }
        let features = width + usize::from(options.minibatch_stddev);
        MlpDiscriminator {
            label: options.input_label_dim.map(|d| label_embedding(d, device)),
            hidden,
            output: CriticLinear::new(features, 1, sn, device),
            classes: options
                .class_head
                .then(|| CriticLinear::new(features, crate::core::data::NUM_CLASSES, sn, device)),
            minibatch_stddev: options.minibatch_stddev,
        }
    }
}

impl MlpGenerator {
    /// z `[B, latent]` and labels `[B]` → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        self.forward_input(z, labels.map(LabelInput::Digits))
    }

    /// z `[B, latent]` and what to draw → images `[B, 1, 28, 28]`.
    pub fn forward_input(&self, z: Tensor<2>, labels: Option<LabelInput>) -> Tensor<4> {
        let mut x = embed_input(z, self.label.as_ref(), labels); // [B, latent (+ label)]
        for block in &self.blocks {
            x = block.linear.forward(x); // [B, width]
            if let Some(norm) = &block.norm {
                x = norm.forward(x);
            }
            x = leaky_relu(x, SLOPE);
        }
        let [batch, _] = x.dims();
        tanh(self.output.forward(x)) // [B, 784]
            .reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE])
    }
}

impl MlpDiscriminator {
    fn input(&self, images: Tensor<4>, labels: Option<Tensor<1, Int>>) -> Tensor<2> {
        embed_labels(images.flatten(1, 3), self.label.as_ref(), labels) // [B, 784 (+ label)]
    }

    /// images `[B, 1, 28, 28]` and labels `[B]` → score `[B, 1]` (and class logits for ACGAN).
    pub fn forward(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> DiscriminatorOutput {
        let mut x = self.input(images, labels);
        for layer in &self.hidden {
            x = leaky_relu(layer.forward(x), SLOPE); // [B, width]
        }
        if self.minibatch_stddev {
            x = append_minibatch_stddev(x); // [B, width + 1]
        }
        DiscriminatorOutput {
            score: self.output.forward(x.clone()),                // [B, 1]
            classes: self.classes.as_ref().map(|c| c.forward(x)), // [B, 10]
        }
    }

    /// `∇ₓ Σ_b score_b`, i.e. each sample's input gradient `[B, 1, 28, 28]`, built from tensor
    /// operations so that it can itself be differentiated. `None` with minibatch stddev (then a
    /// sample's score depends on the whole batch).
    pub fn input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> Option<Tensor<4>> {
        if self.minibatch_stddev {
            return None;
        }
        let [batch, ..] = images.dims();
        let device = images.device();
        let mut x = self.input(images, labels);
        let mut pre = Vec::with_capacity(self.hidden.len());
        for layer in &self.hidden {
            let a = layer.forward(x);
            x = leaky_relu(a.clone(), SLOPE);
            pre.push(a);
        }
        let mut g = self
            .output
            .backward_input(Tensor::ones([batch, 1], &device)); // [B, width]
        for (layer, a) in self.hidden.iter().zip(pre).rev() {
            g = layer.backward_input(g * leaky_relu_mask(a, SLOPE));
        }
        Some(
            g.slice([0..batch, 0..IMAGE_PIXELS]) // [B, 784]
                .reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]),
        )
    }

    /// Advances the spectral-norm power iterations of every layer.
    pub fn refresh_spectral_norm(self) -> Self {
        Self {
            hidden: self.hidden.into_iter().map(CriticLinear::refresh).collect(),
            output: self.output.refresh(),
            classes: self.classes.map(CriticLinear::refresh),
            ..self
        }
    }
}
