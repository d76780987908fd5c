//! DCGAN for 28×28 digits, following the DCGAN guidelines: fractional-strided convolutions
//! in G and strided convolutions in D (no pooling), BatchNorm everywhere except G's output
//! and D's input, ReLU in G, LeakyReLU 0.2 in D, Tanh out.
//!
//! G: z → Linear → `[2c, 7, 7]` → ConvT(4, s2) → `[c, 14, 14]` → ConvT(4, s2) → `[1, 28, 28]`,
//! or with [`Upsampling::Nearest`] (the form of most PyTorch DCGANs for MNIST):
//! `[2c, 7, 7]` → ×2 → Conv3 → `[2c, 14, 14]` → ×2 → Conv3 → `[c, 28, 28]` → Conv3 → `[1, 28, 28]`.
//! D: `[1, 28, 28]` → Conv(4, s2) → `[c, 14, 14]` → Conv(4, s2) → `[2c, 7, 7]` → Linear → logit.
//!
//! Conditional forms: G takes `[z, embed(y)]`; a cGAN's D takes the label as a second input
//! channel (an embedding reshaped to 28×28); an ACGAN's D adds a 10-class head.

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Embedding, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};

use super::layers::{
    CriticConv, CriticLinear, append_minibatch_stddev, leaky_relu_mask, upsample_nearest,
};
use super::{
    DiscriminatorOptions, DiscriminatorOutput, LabelInput, embed_input, label_embedding,
    lookup_labels,
};
use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use serde::{Deserialize, Serialize};

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
    /// How G doubles the side of its feature maps.
    #[config(default = "Upsampling::Transposed")]
    pub upsampling: Upsampling,
}

/// How the DCGAN generator doubles the side of its feature maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Upsampling {
    /// A 4×4 transposed convolution with stride 2 (the DCGAN paper).
    #[default]
    Transposed,
    /// Nearest-neighbour ×2 upsampling, then a 3×3 convolution (Odena et al., 2016).
    Nearest,
}

impl Upsampling {
    /// Every option, in display order.
    pub const ALL: [Upsampling; 2] = [Upsampling::Transposed, Upsampling::Nearest];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            Upsampling::Transposed => "transposed",
            Upsampling::Nearest => "nearest",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            Upsampling::Transposed => "Transposed convolution",
            Upsampling::Nearest => "Nearest upsample + 3×3 conv",
        }
    }

    /// One sentence for newcomers.
    pub fn description(self) -> &'static str {
        match self {
            Upsampling::Transposed => {
                "A 4×4 transposed convolution with stride 2, as in the DCGAN paper; its kernels overlap unevenly, which can leave a checkerboard pattern."
            }
            Upsampling::Nearest => {
                "Each pixel is repeated 2×2 and 3×3 convolutions follow, with one more at full size (the usual PyTorch DCGAN for MNIST): no checkerboard pattern, smoother strokes, several times the compute."
            }
        }
    }

    /// Parses an identifier from [`Upsampling::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.id() == id)
    }
}

fn transposed(channels_in: usize, channels_out: usize, device: &Device) -> ConvTranspose2d {
    // k4 s2 p1 doubles the side: (s − 1)·2 − 2 + 4 = 2s.
    ConvTranspose2dConfig::new([channels_in, channels_out], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

fn conv3(channels_in: usize, channels_out: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([channels_in, channels_out], [3, 3])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// A convolution that the generator's form includes (the identity otherwise).
fn apply(conv: &Option<Conv2d>, x: Tensor<4>) -> Tensor<4> {
    match conv {
        Some(c) => c.forward(x),
        None => x,
    }
}

/// Convolutional generator: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct DcganGenerator {
    label: Option<Embedding>,
    project: Linear,
    norm0: BatchNorm,
    // Transposed form (field names as in checkpoints saved before upsampling was a setting):
    // up1 → norm1 → up2.
    up1: Option<ConvTranspose2d>,
    norm1: BatchNorm,
    up2: Option<ConvTranspose2d>,
    // Nearest form: ×2 → conv1 → norm1 → ×2 → conv2 → norm2 → conv3.
    conv1: Option<Conv2d>,
    conv2: Option<Conv2d>,
    norm2: Option<BatchNorm>,
    conv3: Option<Conv2d>,
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
        let nearest = self.upsampling == Upsampling::Nearest;
        DcganGenerator {
            label: label_dim.map(|d| label_embedding(d, device)),
            project: LinearConfig::new(input, 2 * c * SEED_SIDE * SEED_SIDE).init(device),
            norm0: BatchNormConfig::new(2 * c).init(device),
            up1: (!nearest).then(|| transposed(2 * c, c, device)),
            norm1: BatchNormConfig::new(if nearest { 2 * c } else { c }).init(device),
            up2: (!nearest).then(|| transposed(c, 1, device)),
            conv1: nearest.then(|| conv3(2 * c, 2 * c, device)),
            conv2: nearest.then(|| conv3(2 * c, c, device)),
            norm2: nearest.then(|| BatchNormConfig::new(c).init(device)),
            conv3: nearest.then(|| conv3(c, 1, device)),
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
        self.forward_input(z, labels.map(LabelInput::Digits))
    }

    /// z `[B, latent]` and what to draw → images `[B, 1, 28, 28]`.
    pub fn forward_input(&self, z: Tensor<2>, labels: Option<LabelInput>) -> Tensor<4> {
        let [batch, _] = z.dims();
        let x = self
            .project
            .forward(embed_input(z, self.label.as_ref(), labels)) // [B, 2c·7·7]
            .reshape([batch, self.seed_channels, SEED_SIDE, SEED_SIDE]); // [B, 2c, 7, 7]
        let x = relu(self.norm0.forward(x));
        let out = match (&self.up1, &self.up2) {
            (Some(up1), Some(up2)) => {
                let x = relu(self.norm1.forward(up1.forward(x))); // [B, c, 14, 14]
                up2.forward(x) // [B, 1, 28, 28]
            }
            _ => {
                let x = upsample_nearest(x); // [B, 2c, 14, 14]
                let x = relu(self.norm1.forward(apply(&self.conv1, x))); // [B, 2c, 14, 14]
                let x = apply(&self.conv2, upsample_nearest(x)); // [B, c, 28, 28]
                let x = match &self.norm2 {
                    Some(norm) => relu(norm.forward(x)),
                    None => relu(x),
                };
                apply(&self.conv3, x) // [B, 1, 28, 28]
            }
        };
        tanh(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_upsampling_repeats_each_pixel_two_by_two() {
        let device = Device::flex();
        let x = Tensor::<1>::from_floats([1.0, 2.0, 3.0, 4.0], &device).reshape([1, 1, 2, 2]);
        let up = upsample_nearest(x)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        #[rustfmt::skip]
        let expected = [
            1.0, 1.0, 2.0, 2.0,
            1.0, 1.0, 2.0, 2.0,
            3.0, 3.0, 4.0, 4.0,
            3.0, 3.0, 4.0, 4.0,
        ];
        assert_eq!(up, expected);
    }
}
