//! The playground's own MNIST classifier: judges generated digits (class histogram,
//! confidence) and supplies the features for later metrics.
//!
//! Conv(3, 16) → pool → Conv(3, 32) → pool → Linear(1568→64) → Linear(64→10).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, softmax};

use crate::core::data::NUM_CLASSES;

/// Widths of the classifier.
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Channels of the first convolution (doubled in the second).
    #[config(default = 16)]
    pub channels: usize,
    /// Width of the feature layer.
    #[config(default = 64)]
    pub features: usize,
}

/// A small CNN over images `[B, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    hidden: Linear,
    output: Linear,
}

impl ClassifierConfig {
    /// Builds an untrained classifier.
    pub fn init(&self, device: &Device) -> Classifier {
        let c = self.channels;
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        Classifier {
            conv1: conv(1, c),
            conv2: conv(c, 2 * c),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            hidden: LinearConfig::new(2 * c * 7 * 7, self.features).init(device),
            output: LinearConfig::new(self.features, NUM_CLASSES).init(device),
        }
    }
}

impl Classifier {
    /// Penultimate-layer features `[B, features]`.
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(relu(self.conv1.forward(images))); // [B, c, 14, 14]
        let x = self.pool.forward(relu(self.conv2.forward(x))); // [B, 2c, 7, 7]
        relu(self.hidden.forward(x.flatten(1, 3))) // [B, features]
    }

    /// Class logits `[B, 10]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.output_layer(self.features(images))
    }

    /// Class logits `[B, 10]` from features of [`Classifier::features`].
    pub fn output_layer(&self, features: Tensor<2>) -> Tensor<2> {
        self.output.forward(features)
    }

    /// Class probabilities `[B, 10]`.
    pub fn probabilities(&self, images: Tensor<4>) -> Tensor<2> {
        softmax(self.forward(images), 1)
    }
}
