//! DCGAN for 28×28 digits, following the DCGAN guidelines: fractional-strided convolutions
//! in G and strided convolutions in D (no pooling), BatchNorm everywhere except G's output
//! and D's input, ReLU in G, LeakyReLU 0.2 in D, Tanh out.
//!
//! G: z → Linear → `[2c, 7, 7]` → ConvT(4, s2) → `[c, 14, 14]` → ConvT(4, s2) → `[1, 28, 28]`.
//! D: `[1, 28, 28]` → Conv(4, s2) → `[c, 14, 14]` → Conv(4, s2) → `[2c, 7, 7]` → Linear → logit.
//!
//! Conditional forms: G takes `[z, embed(y)]`; a cGAN's D takes the label as a second input
//! channel (an embedding reshaped to 28×28); an ACGAN's D adds a 10-class head.

use burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Embedding, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};

use super::layers::{CriticConv, CriticLinear, append_minibatch_stddev, leaky_relu_mask};
use super::{
    DiscriminatorOptions, DiscriminatorOutput, embed_labels, label_embedding, lookup_labels,
};
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};

const SLOPE: f64 = 0.2;
const SEED_SIDE: usize = 7;

/// Width of the DCGAN: `channels` at 14×14, twice that at 7×7.
#[derive(Config, Debug)]
pub struct DcganConfig {
    /// Feature maps at 14×14 resolution (doubled at 7×7).
    #[config(default = 32)]
    pub channels: usize,
    /// BatchNorm in D (the DCGAN guideline). Critics with a gradient penalty must not use it:
    /// BatchNorm mixes the samples of a batch, so a per-sample input gradient is undefined.
    #[config(default = true)]
    pub d_batch_norm: bool,
}

/// Convolutional generator: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct DcganGenerator {
    label: Option<Embedding>,
    project: Linear,
    norm0: BatchNorm,
    up1: ConvTranspose2d,
    norm1: BatchNorm,
    up2: ConvTranspose2d,
    seed_channels: usize,
}

/// Convolutional discriminator: images `[B, 1, 28, 28]` (and a label) → score `[B, 1]`.
#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    label: Option<Embedding>,
    down1: CriticConv,
    down2: CriticConv,
    norm2: Option<BatchNorm>,
    output: CriticLinear,
    classes: Option<CriticLinear>,
    minibatch_stddev: bool,
}

fn up(channels_in: usize, channels_out: usize, device: &Device) -> ConvTranspose2d {
    // k4 s2 p1 doubles the side: (s − 1)·2 − 2 + 4 = 2s.
    ConvTranspose2dConfig::new([channels_in, channels_out], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

impl DcganConfig {
    /// Builds the generator for latent vectors of `latent_dim` values (plus a label embedding
    /// of `label_dim` values when conditional).
    pub fn init_generator(
        &self,
        latent_dim: usize,
        label_dim: Option<usize>,
        device: &Device,
    ) -> DcganGenerator {
        let c = self.channels;
        let input = latent_dim + label_dim.unwrap_or(0);
        DcganGenerator {
            label: label_dim.map(|d| label_embedding(d, device)),
            project: LinearConfig::new(input, 2 * c * SEED_SIDE * SEED_SIDE).init(device),
            norm0: BatchNormConfig::new(2 * c).init(device),
            up1: up(2 * c, c, device),
            norm1: BatchNormConfig::new(c).init(device),
            up2: up(c, 1, device),
            seed_channels: 2 * c,
        }
    }

    /// Builds the discriminator.
    pub fn init_discriminator(
        &self,
        options: &DiscriminatorOptions,
        device: &Device,
    ) -> DcganDiscriminator {
        let c = self.channels;
        let sn = options.spectral_norm;
        // A cGAN's label enters as a second 28×28 channel.
        let channels_in = 1 + usize::from(options.input_label_dim.is_some());
        let features = 2 * c * SEED_SIDE * SEED_SIDE + usize::from(options.minibatch_stddev);
        DcganDiscriminator {
            label: options
                .input_label_dim
                .map(|_| label_embedding(IMAGE_PIXELS, device)),
            down1: CriticConv::new(channels_in, c, sn, device),
            down2: CriticConv::new(c, 2 * c, sn, device),
            norm2: self
                .d_batch_norm
                .then(|| BatchNormConfig::new(2 * c).init(device)),
            output: CriticLinear::new(features, 1, sn, device),
            classes: options
                .class_head
                .then(|| CriticLinear::new(features, NUM_CLASSES, sn, device)),
            minibatch_stddev: options.minibatch_stddev,
        }
    }
}

impl DcganGenerator {
    /// z `[B, latent]` and labels `[B]` → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let [batch, _] = z.dims();
        let x = self
            .project
            .forward(embed_labels(z, self.label.as_ref(), labels)) // [B, 2c·7·7]
            .reshape([batch, self.seed_channels, SEED_SIDE, SEED_SIDE]); // [B, 2c, 7, 7]
        let x = relu(self.norm0.forward(x));
        let x = relu(self.norm1.forward(self.up1.forward(x))); // [B, c, 14, 14]
        tanh(self.up2.forward(x)) // [B, 1, 28, 28]
    }
}

impl DcganDiscriminator {
    fn input(&self, images: Tensor<4>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let [batch, ..] = images.dims();
        match &self.label {
            Some(embedding) => {
                let map = lookup_labels(embedding, labels, batch, &images.device()) // [B, 784]
                    .reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
                Tensor::cat(vec![images, map], 1) // [B, 2, 28, 28]
            }
            None => images,
        }
    }

    /// images `[B, 1, 28, 28]` and labels `[B]` → score `[B, 1]` (and class logits for ACGAN).
    pub fn forward(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> DiscriminatorOutput {
        let x = self.input(images, labels);
        let x = leaky_relu(self.down1.forward(x), SLOPE); // [B, c, 14, 14]
        let x = self.down2.forward(x); // [B, 2c, 7, 7]
        let x = match &self.norm2 {
            Some(norm) => norm.forward(x),
            None => x,
        };
        let mut x: Tensor<2> = leaky_relu(x, SLOPE).flatten(1, 3); // [B, 2c·49]
        if self.minibatch_stddev {
            x = append_minibatch_stddev(x); // [B, 2c·49 + 1]
        }
        DiscriminatorOutput {
            score: self.output.forward(x.clone()),                // [B, 1]
            classes: self.classes.as_ref().map(|c| c.forward(x)), // [B, 10]
        }
    }

    /// `∇ₓ Σ_b score_b`, each sample's input gradient `[B, 1, 28, 28]`, built from tensor
    /// operations (transposed convolutions) so that it can itself be differentiated.
    /// `None` with BatchNorm or minibatch stddev, which mix the samples of a batch.
    pub fn input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<1, Int>>,
    ) -> Option<Tensor<4>> {
        if self.norm2.is_some() || self.minibatch_stddev {
            return None;
        }
        let [batch, ..] = images.dims();
        let device = images.device();
        let a1 = self.down1.forward(self.input(images, labels)); // [B, c, 14, 14]
        let a2 = self.down2.forward(leaky_relu(a1.clone(), SLOPE)); // [B, 2c, 7, 7]
        let dims = a2.dims();
        let g = self
            .output
            .backward_input(Tensor::ones([batch, 1], &device)) // [B, 2c·49]
            .reshape(dims);
        let g = self.down2.backward_input(g * leaky_relu_mask(a2, SLOPE)); // [B, c, 14, 14]
        let g = self.down1.backward_input(g * leaky_relu_mask(a1, SLOPE)); // [B, 1|2, 28, 28]
        Some(g.narrow(1, 0, 1)) // [B, 1, 28, 28]
    }

    /// Advances the spectral-norm power iterations of every layer.
    pub fn refresh_spectral_norm(self) -> Self {
        Self {
            down1: self.down1.refresh(),
            down2: self.down2.refresh(),
            output: self.output.refresh(),
            classes: self.classes.map(CriticLinear::refresh),
            ..self
        }
    }
}
