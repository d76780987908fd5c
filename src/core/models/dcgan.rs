//! DCGAN for 28×28 digits, following the DCGAN guidelines: fractional-strided convolutions
//! in G and strided convolutions in D (no pooling), BatchNorm everywhere except G's output
//! and D's input, ReLU in G, LeakyReLU 0.2 in D, Tanh out.
//!
//! G: z → Linear → `[2c, 7, 7]` → ConvT(4, s2) → `[c, 14, 14]` → ConvT(4, s2) → `[1, 28, 28]`.
//! D: `[1, 28, 28]` → Conv(4, s2) → `[c, 14, 14]` → Conv(4, s2) → `[2c, 7, 7]` → Linear → logit.

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};

const SLOPE: f64 = 0.2;
const SEED_SIDE: usize = 7;

/// Width of the DCGAN: `channels` at 14×14, twice that at 7×7.
#[derive(Config, Debug)]
pub struct DcganConfig {
    /// Feature maps at 14×14 resolution (doubled at 7×7).
    #[config(default = 32)]
    pub channels: usize,
}

/// Convolutional generator: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct DcganGenerator {
    project: Linear,
    norm0: BatchNorm,
    up1: ConvTranspose2d,
    norm1: BatchNorm,
    up2: ConvTranspose2d,
    seed_channels: usize,
}

/// Convolutional discriminator: images `[B, 1, 28, 28]` → logits `[B, 1]`.
#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    down1: Conv2d,
    down2: Conv2d,
    norm2: BatchNorm,
    output: Linear,
}

fn up(channels_in: usize, channels_out: usize, device: &Device) -> ConvTranspose2d {
    // k4 s2 p1 doubles the side: (s − 1)·2 − 2 + 4 = 2s.
    ConvTranspose2dConfig::new([channels_in, channels_out], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

fn down(channels_in: usize, channels_out: usize, device: &Device) -> Conv2d {
    // k4 s2 p1 halves the side.
    Conv2dConfig::new([channels_in, channels_out], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

impl DcganConfig {
    /// Builds the generator for latent vectors of `latent_dim` values.
    pub fn init_generator(&self, latent_dim: usize, device: &Device) -> DcganGenerator {
        let c = self.channels;
        DcganGenerator {
            project: LinearConfig::new(latent_dim, 2 * c * SEED_SIDE * SEED_SIDE).init(device),
            norm0: BatchNormConfig::new(2 * c).init(device),
            up1: up(2 * c, c, device),
            norm1: BatchNormConfig::new(c).init(device),
            up2: up(c, 1, device),
            seed_channels: 2 * c,
        }
    }

    /// Builds the discriminator.
    pub fn init_discriminator(&self, device: &Device) -> DcganDiscriminator {
        let c = self.channels;
        DcganDiscriminator {
            down1: down(1, c, device),
            down2: down(c, 2 * c, device),
            norm2: BatchNormConfig::new(2 * c).init(device),
            output: LinearConfig::new(2 * c * SEED_SIDE * SEED_SIDE, 1).init(device),
        }
    }
}

impl DcganGenerator {
    /// z `[B, latent]` → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let [batch, _] = z.dims();
        let x = self
            .project
            .forward(z) // [B, 2c·7·7]
            .reshape([batch, self.seed_channels, SEED_SIDE, SEED_SIDE]); // [B, 2c, 7, 7]
        let x = relu(self.norm0.forward(x));
        let x = relu(self.norm1.forward(self.up1.forward(x))); // [B, c, 14, 14]
        tanh(self.up2.forward(x)) // [B, 1, 28, 28]
    }
}

impl DcganDiscriminator {
    /// images `[B, 1, 28, 28]` → logits `[B, 1]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = leaky_relu(self.down1.forward(images), SLOPE); // [B, c, 14, 14]
        let x = leaky_relu(self.norm2.forward(self.down2.forward(x)), SLOPE); // [B, 2c, 7, 7]
        self.output.forward(x.flatten(1, 3)) // [B, 1]
    }
}
