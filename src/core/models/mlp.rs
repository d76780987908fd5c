//! The introductory guide's fully connected GAN.
//!
//! Generator 100→128→256→512→1024→784 (BatchNorm on all but the first hidden layer,
//! LeakyReLU 0.2, Tanh out); discriminator 784→512→256→128→1 (LeakyReLU 0.2, logits out).

use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, tanh};

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

/// Fully connected generator: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct MlpGenerator {
    blocks: Vec<GenBlock>,
    output: Linear,
}

/// Fully connected discriminator: images `[B, 1, 28, 28]` → logits `[B, 1]`.
#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden: Vec<Linear>,
    output: Linear,
}

impl MlpGanConfig {
    /// Builds the generator for latent vectors of `latent_dim` values.
    pub fn init_generator(&self, latent_dim: usize, device: &Device) -> MlpGenerator {
        let mut blocks = Vec::new();
        let mut width = latent_dim;
        for (i, &next) in self.generator_hidden.iter().enumerate() {
            blocks.push(GenBlock {
                linear: LinearConfig::new(width, next).init(device),
                norm: (self.batch_norm && i > 0).then(|| BatchNormConfig::new(next).init(device)),
            });
            width = next;
        }
        MlpGenerator {
            blocks,
            output: LinearConfig::new(width, IMAGE_PIXELS).init(device),
        }
    }

    /// Builds the discriminator.
    pub fn init_discriminator(&self, device: &Device) -> MlpDiscriminator {
        let mut hidden = Vec::new();
        let mut width = IMAGE_PIXELS;
        for &next in &self.discriminator_hidden {
            hidden.push(LinearConfig::new(width, next).init(device));
            width = next;
        }
        MlpDiscriminator {
            hidden,
            output: LinearConfig::new(width, 1).init(device),
        }
    }
}

impl MlpGenerator {
    /// z `[B, latent]` → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let mut x = z;
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
    /// images `[B, 1, 28, 28]` → logits `[B, 1]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let mut x: Tensor<2> = images.flatten(1, 3); // [B, 784]
        for layer in &self.hidden {
            x = leaky_relu(layer.forward(x), SLOPE);
        }
        self.output.forward(x) // [B, 1]
    }
}
