//! A PatchGAN discriminator for 28×28 images (Isola et al., 2017): two strided 4×4
//! convolutions (28 → 14 → 7) and a 3×3 convolution to one logit per cell of the 7×7 grid, so
//! it judges each patch (an 18×18-pixel receptive field, the 49 overlapping) rather than the whole image.
//! The super-resolution and CycleGAN demos share it.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::activation::leaky_relu;

/// Patch logits per image.
pub const PATCHES: usize = 49;

/// PatchGAN discriminator: `[B, C, 28, 28]` → one score per 7×7 grid cell, `[B, 49]`.
#[derive(Module, Debug)]
pub struct PatchDiscriminator {
    c1: Conv2d,
    c2: Conv2d,
    out: Conv2d,
}

impl PatchDiscriminator {
    /// A fresh discriminator of images with `image_channels` channels, `channels` feature maps
    /// in its first layer and twice as many in its second.
    pub fn new(image_channels: usize, channels: usize, device: &Device) -> Self {
        let strided = |i, o| {
            Conv2dConfig::new([i, o], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        Self {
            c1: strided(image_channels, channels),
            c2: strided(channels, 2 * channels),
            out: Conv2dConfig::new([2 * channels, 1], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
        }
    }

    /// Images `[B, C, 28, 28]` → patch scores `[B, 49]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let [batch, ..] = images.dims();
        let x = leaky_relu(self.c1.forward(images), 0.2); // [B, c, 14, 14]
        let x = leaky_relu(self.c2.forward(x), 0.2); // [B, 2c, 7, 7]
        self.out.forward(x).reshape([batch, PATCHES])
    }
}
