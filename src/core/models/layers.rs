//! Building blocks shared by the discriminators: layers with optional spectral normalisation
//! whose input gradient is written out explicitly, so that gradient penalties (WGAN-GP, R1) are
//! ordinary first-order differentiable functions of the weights.
//!
//! Burn's autodiff is first-order: `∇ₓD` from `backward()` cannot itself be differentiated.
//! Each layer here therefore offers `backward_input(g)`, the exact vector–Jacobian product
//! `g ↦ gᵀ ∂y/∂x` built from tensor operations (transposed weights, transposed convolutions),
//! and [`leaky_relu_mask`] gives the activation's derivative.

use burn::module::Param;
use burn::nn::conv::Conv2dConfig;
use burn::nn::{LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::module::{conv_transpose2d, conv2d, linear};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};

/// Power iterations run when a spectrally normalised layer is created.
const WARMUP_ITERATIONS: usize = 5;

/// The persistent vector `u` of the power iteration estimating a weight's largest singular value.
///
/// It is a parameter without gradient: saved in checkpoints, never touched by the optimiser.
#[derive(Module, Debug)]
pub struct PowerIteration {
    u: Param<Tensor<1>>,
}

fn normalize(x: Tensor<1>) -> Tensor<1> {
    let norm = x.clone().square().sum().sqrt().add_scalar(1e-12);
    x / norm
}

impl PowerIteration {
    fn new(rows: usize, device: &Device) -> Self {
        let u = normalize(Tensor::random(
            [rows],
            Distribution::Normal(0.0, 1.0),
            device,
        ));
        Self {
            u: Param::from_tensor(u.detach()).set_require_grad(false),
        }
    }

    /// The largest singular value of `matrix` `[m, n]` as a differentiable function of it
    /// (Miyato et al.: `σ = uᵀ W v` with `u`, `v` held constant).
    fn sigma(&self, matrix: Tensor<2>) -> Tensor<2> {
        let [m, n] = matrix.dims();
        let u = self.u.val().detach();
        let v = normalize(
            matrix
                .clone()
                .detach()
                .transpose()
                .matmul(u.clone().reshape([m, 1]))
                .reshape([n]),
        );
        u.reshape([1, m]).matmul(matrix).matmul(v.reshape([n, 1])) // [1, 1]
    }

    /// One power-iteration step: `u ← normalise(W normalise(Wᵀ u))`.
    fn refresh(self, matrix: Tensor<2>) -> Self {
        let [m, n] = matrix.dims();
        let matrix = matrix.detach();
        let u = self.u.val().detach();
        let v = normalize(
            matrix
                .clone()
                .transpose()
                .matmul(u.reshape([m, 1]))
                .reshape([n]),
        );
        let next = normalize(matrix.matmul(v.reshape([n, 1])).reshape([m])).detach();
        Self {
            u: self.u.map(|_| next),
        }
    }
}

/// A fully connected layer `[B, in] → [B, out]`, optionally spectrally normalised.
#[derive(Module, Debug)]
pub struct CriticLinear {
    weight: Param<Tensor<2>>,
    bias: Option<Param<Tensor<1>>>,
    spectral: Option<PowerIteration>,
}

impl CriticLinear {
    /// A layer initialised like Burn's `Linear`.
    pub fn new(d_input: usize, d_output: usize, spectral_norm: bool, device: &Device) -> Self {
        let linear = LinearConfig::new(d_input, d_output).init(device);
        let layer = Self {
            weight: linear.weight,
            bias: linear.bias,
            spectral: spectral_norm.then(|| PowerIteration::new(d_input, device)),
        };
        (0..WARMUP_ITERATIONS).fold(layer, |l, _| l.refresh())
    }

    /// The weight in use `[in, out]`: divided by its spectral norm when normalised.
    pub fn weight(&self) -> Tensor<2> {
        let w = self.weight.val();
        match &self.spectral {
            Some(p) => w.clone() / p.sigma(w),
            None => w,
        }
    }

    /// `[B, in] → [B, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        linear(x, self.weight(), self.bias.as_ref().map(|b| b.val()))
    }

    /// Vector–Jacobian product with respect to the input: `g [B, out] → g Wᵀ [B, in]`.
    pub fn backward_input(&self, g: Tensor<2>) -> Tensor<2> {
        g.matmul(self.weight().transpose())
    }

    /// Advances the power iteration (no-op without spectral normalisation).
    pub fn refresh(mut self) -> Self {
        if let Some(p) = self.spectral.take() {
            self.spectral = Some(p.refresh(self.weight.val()));
        }
        self
    }
}

/// A 4×4 convolution with stride 2 and padding 1 (halves the side), optionally spectrally
/// normalised.
#[derive(Module, Debug)]
pub struct CriticConv {
    weight: Param<Tensor<4>>,
    bias: Option<Param<Tensor<1>>>,
    spectral: Option<PowerIteration>,
}

const KERNEL: usize = 4;
const STRIDE: usize = 2;
const PADDING: usize = 1;

impl CriticConv {
    /// A layer initialised like Burn's `Conv2d`.
    pub fn new(
        channels_in: usize,
        channels_out: usize,
        spectral_norm: bool,
        device: &Device,
    ) -> Self {
        let conv = Conv2dConfig::new([channels_in, channels_out], [KERNEL, KERNEL])
            .with_stride([STRIDE, STRIDE])
            .with_padding(PaddingConfig2d::Explicit(
                PADDING, PADDING, PADDING, PADDING,
            ))
            .init(device);
        let layer = Self {
            weight: conv.weight,
            bias: conv.bias,
            spectral: spectral_norm.then(|| PowerIteration::new(channels_out, device)),
        };
        (0..WARMUP_ITERATIONS).fold(layer, |l, _| l.refresh())
    }

    fn matrix(weight: Tensor<4>) -> Tensor<2> {
        let [out, ..] = weight.dims();
        weight.reshape([out as i32, -1])
    }

    /// The kernel in use `[out, in, 4, 4]`: divided by the spectral norm of its `[out, in·16]`
    /// matrix when normalised.
    pub fn weight(&self) -> Tensor<4> {
        let w = self.weight.val();
        match &self.spectral {
            Some(p) => {
                let sigma = p.sigma(Self::matrix(w.clone())).reshape([1, 1, 1, 1]);
                w / sigma
            }
            None => w,
        }
    }

    /// `[B, in, 2s, 2s] → [B, out, s, s]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        conv2d(
            x,
            self.weight(),
            self.bias.as_ref().map(|b| b.val()),
            ConvOptions::new([STRIDE, STRIDE], [PADDING, PADDING], [1, 1], 1),
        )
    }

    /// Vector–Jacobian product with respect to the input: the transposed convolution with the
    /// same kernel, `g [B, out, s, s] → [B, in, 2s, 2s]`.
    pub fn backward_input(&self, g: Tensor<4>) -> Tensor<4> {
        conv_transpose2d(
            g,
            self.weight(),
            None,
            ConvTransposeOptions::new([STRIDE, STRIDE], [PADDING, PADDING], [0, 0], [1, 1], 1),
        )
    }

    /// Advances the power iteration (no-op without spectral normalisation).
    pub fn refresh(mut self) -> Self {
        if let Some(p) = self.spectral.take() {
            self.spectral = Some(p.refresh(Self::matrix(self.weight.val())));
        }
        self
    }
}

/// The derivative of LeakyReLU at the pre-activations `a`: 1 where `a > 0`, else `slope`.
///
/// Piecewise constant, so it carries no gradient of its own (exactly, almost everywhere).
pub fn leaky_relu_mask<const D: usize>(a: Tensor<D>, slope: f64) -> Tensor<D> {
    a.detach().greater_elem(0.0).float() * (1.0 - slope) + slope
}

/// The minibatch standard-deviation feature (ProGAN): the standard deviation of each feature
/// across the batch, averaged to one number and appended to every sample, `[B, F] → [B, F + 1]`.
///
/// It lets D see how varied a batch is, which penalises a collapsed generator.
pub fn append_minibatch_stddev(x: Tensor<2>) -> Tensor<2> {
    let [batch, _] = x.dims();
    let centred = x.clone() - x.clone().mean_dim(0);
    let std = (centred.square().mean_dim(0) + 1e-8).sqrt().mean(); // [1]
    Tensor::cat(vec![x, std.reshape([1, 1]).repeat_dim(0, batch)], 1)
}

/// Nearest-neighbour ×2 upsampling, `[B, C, H, W] → [B, C, 2H, 2W]`, by repeating each pixel.
pub fn upsample_nearest(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1])
        .repeat_dim(3, 2)
        .repeat_dim(5, 2)
        .reshape([b, c, 2 * h, 2 * w])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn conv_backward_input_is_the_adjoint_of_the_convolution() {
        // ⟨conv(x), g⟩ = ⟨x, convᵀ(g)⟩ for every x, g (bias off).
        let device = Device::flex();
        device.seed(3);
        let mut layer = CriticConv::new(2, 3, false, &device);
        layer.bias = None;
        let x = Tensor::<4>::random([2, 2, 8, 8], Distribution::Normal(0.0, 1.0), &device);
        let g = Tensor::<4>::random([2, 3, 4, 4], Distribution::Normal(0.0, 1.0), &device);
        let lhs = values((layer.forward(x.clone()) * g.clone()).sum())[0];
        let rhs = values((x * layer.backward_input(g)).sum())[0];
        assert!(
            (lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0),
            "{lhs} vs {rhs}"
        );
    }

    fn top_singular_value(matrix: Tensor<2>) -> f64 {
        let [m, n] = matrix.dims();
        let v = values(matrix);
        let a = nalgebra::DMatrix::from_row_iterator(m, n, v.iter().map(|&x| x as f64));
        a.singular_values().max()
    }

    #[test]
    fn spectral_norm_matches_the_svd() {
        let device = Device::flex();
        device.seed(7);
        let mut linear = CriticLinear::new(20, 12, true, &device);
        let mut conv = CriticConv::new(3, 5, true, &device);
        for _ in 0..50 {
            linear = linear.refresh();
            conv = conv.refresh();
        }
        let raw = linear.weight.val();
        let sigma = values(linear.spectral.as_ref().unwrap().sigma(raw.clone()))[0] as f64;
        let svd = top_singular_value(raw);
        assert!(
            (sigma - svd).abs() < 1e-3 * svd,
            "power iteration {sigma} vs SVD {svd}"
        );
        assert!((top_singular_value(linear.weight()) - 1.0).abs() < 1e-3);

        let raw = CriticConv::matrix(conv.weight.val());
        let sigma = values(conv.spectral.as_ref().unwrap().sigma(raw.clone()))[0] as f64;
        let svd = top_singular_value(raw);
        assert!(
            (sigma - svd).abs() < 1e-3 * svd,
            "power iteration {sigma} vs SVD {svd}"
        );
        assert!((top_singular_value(CriticConv::matrix(conv.weight())) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn minibatch_stddev_appends_the_mean_feature_deviation() {
        let device = Device::flex();
        // Feature 0: values 1, 3 (std 1); feature 1: 5, 5 (std 0) → mean 0.5.
        let x = Tensor::<2>::from_floats([[1.0, 5.0], [3.0, 5.0]], &device);
        let out = values(append_minibatch_stddev(x));
        assert_eq!(out.len(), 6);
        assert!(
            (out[2] - 0.5).abs() < 1e-3 && (out[5] - 0.5).abs() < 1e-3,
            "{out:?}"
        );
    }
}
