//! The GAN objectives, computed from raw discriminator outputs (numerically stable).
//!
//! For the BCE losses, with `D(x) = σ(l)`, `−log σ(l) = softplus(−l)` and
//! `−log(1 − σ(l)) = softplus(l)`, so no sigmoid is ever taken and saturated logits give finite
//! losses and gradients. The other losses use the raw score (the "critic" output) directly.

use burn::prelude::*;
use burn::tensor::activation::relu;
use serde::{Deserialize, Serialize};

/// The adversarial objective of a run (both players' losses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum GanLoss {
    /// BCE; G minimises `−log D(G(z))` (strong gradients early on).
    #[default]
    NonSaturating,
    /// BCE; G minimises `log(1 − D(G(z)))`, the original minimax value function.
    Minimax,
    /// Wasserstein GAN: critic maximises `E[D(x)] − E[D(G(z))]`, weights clipped to ±c.
    Wasserstein,
    /// WGAN-GP: the Wasserstein loss plus `λ(‖∇ₓD(x̂)‖₂ − 1)²` on random interpolates x̂.
    WassersteinGp,
    /// Least squares (LSGAN, a = 0, b = c = 1).
    LeastSquares,
    /// Hinge loss (as in SN-GAN and BigGAN).
    Hinge,
}

impl GanLoss {
    /// Every loss, in display order.
    pub const ALL: [GanLoss; 6] = [
        GanLoss::NonSaturating,
        GanLoss::Minimax,
        GanLoss::Wasserstein,
        GanLoss::WassersteinGp,
        GanLoss::LeastSquares,
        GanLoss::Hinge,
    ];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            GanLoss::NonSaturating => "non-saturating",
            GanLoss::Minimax => "minimax",
            GanLoss::Wasserstein => "wgan",
            GanLoss::WassersteinGp => "wgan-gp",
            GanLoss::LeastSquares => "lsgan",
            GanLoss::Hinge => "hinge",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            GanLoss::NonSaturating => "Non-saturating BCE (−log D(G(z)))",
            GanLoss::Minimax => "Minimax / saturating BCE (log(1 − D(G(z))))",
            GanLoss::Wasserstein => "WGAN (weight clipping)",
            GanLoss::WassersteinGp => "WGAN-GP (gradient penalty)",
            GanLoss::LeastSquares => "LSGAN (least squares)",
            GanLoss::Hinge => "Hinge",
        }
    }

    /// One or two sentences for newcomers: what is computed.
    pub fn description(self) -> &'static str {
        match self {
            GanLoss::NonSaturating => {
                "D minimises −log σ(D(x)) − log(1 − σ(D(G(z)))); G minimises −log σ(D(G(z))), which keeps G's gradients strong while D wins."
            }
            GanLoss::Minimax => {
                "The original game: G minimises log(1 − σ(D(G(z)))). Its gradient vanishes when D rejects the fakes confidently, so it often stalls early."
            }
            GanLoss::Wasserstein => {
                "The critic D (no sigmoid) maximises mean D(x) − mean D(G(z)), an estimate of the Wasserstein distance when D is 1-Lipschitz; every critic weight is clipped to ±c after each update. G minimises −mean D(G(z))."
            }
            GanLoss::WassersteinGp => {
                "The Wasserstein loss with λ·(‖∇ₓD(x̂)‖₂ − 1)² on x̂ = εx + (1−ε)G(z), ε ~ U(0,1) per sample. ∇ₓD is the exact input gradient of our critics, written out layer by layer (transposed weights times the LeakyReLU masks), so the penalty's own gradient is exact too."
            }
            GanLoss::LeastSquares => {
                "D minimises ½(D(x) − 1)² + ½D(G(z))²; G minimises ½(D(G(z)) − 1)². Penalises fakes by how far they are from the real side, not just which side they are on."
            }
            GanLoss::Hinge => {
                "D minimises mean max(0, 1 − D(x)) + mean max(0, 1 + D(G(z))); G minimises −mean D(G(z)). Pairs well with spectral normalisation."
            }
        }
    }

    /// Parses an identifier from [`GanLoss::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// Whether D's output is a logit of "real" (BCE losses), shown as a probability σ(D).
    pub fn is_probabilistic(self) -> bool {
        matches!(self, GanLoss::NonSaturating | GanLoss::Minimax)
    }

    /// Whether one-sided label smoothing has a meaning for this loss (BCE and least squares).
    pub fn has_targets(self) -> bool {
        matches!(
            self,
            GanLoss::NonSaturating | GanLoss::Minimax | GanLoss::LeastSquares
        )
    }

    /// The discriminator's loss for raw outputs `[B, 1]` on real and generated images.
    ///
    /// `real_target` is the target for real images: 1, or less with one-sided label smoothing
    /// (used by the BCE and least-squares losses only). Penalties are added by the trainer.
    pub fn discriminator(self, real: Tensor<2>, fake: Tensor<2>, real_target: f64) -> Tensor<1> {
        match self {
            GanLoss::NonSaturating | GanLoss::Minimax => {
                let t = real_target;
                (softplus(real.clone().neg()) * t + softplus(real) * (1.0 - t)).mean()
                    + softplus(fake).mean()
            }
            GanLoss::Wasserstein | GanLoss::WassersteinGp => fake.mean() - real.mean(),
            GanLoss::LeastSquares => {
                (real - real_target).square().mean() * 0.5 + fake.square().mean() * 0.5
            }
            GanLoss::Hinge => relu(real.neg() + 1.0).mean() + relu(fake + 1.0).mean(),
        }
    }

    /// The generator's loss for raw discriminator outputs on generated images `[B, 1]`.
    pub fn generator(self, fake: Tensor<2>) -> Tensor<1> {
        match self {
            GanLoss::NonSaturating => softplus(fake.neg()).mean(),
            GanLoss::Minimax => softplus(fake).mean().neg(),
            GanLoss::Wasserstein | GanLoss::WassersteinGp | GanLoss::Hinge => fake.mean().neg(),
            GanLoss::LeastSquares => (fake - 1.0).square().mean() * 0.5,
        }
    }
}

/// The BCE discriminator loss `−log D(x) − log(1 − D(G(z)))` (no smoothing), averaged over each batch.
pub fn discriminator_loss(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    GanLoss::NonSaturating.discriminator(real_logits, fake_logits, 1.0)
}

/// Per-sample squared L2 norms `[B]` of input gradients `[B, C, H, W]`.
pub fn squared_norms(gradients: Tensor<4>) -> Tensor<1> {
    let [batch, ..] = gradients.dims();
    gradients
        .square()
        .reshape([batch as i32, -1])
        .sum_dim(1)
        .reshape([batch])
}

/// The WGAN-GP penalty `mean_b (‖g_b‖₂ − 1)²` (before the weight λ).
pub fn gradient_penalty(gradients: Tensor<4>) -> Tensor<1> {
    // ε inside the root keeps the gradient finite where g = 0.
    (squared_norms(gradients).add_scalar(1e-12).sqrt() - 1.0)
        .square()
        .mean()
}

/// The R1 penalty `mean_b ‖g_b‖₂²` on real data (before the weight γ/2).
pub fn r1_penalty(gradients: Tensor<4>) -> Tensor<1> {
    squared_norms(gradients).mean()
}

/// `log(1 + eˣ)` without overflow: `max(x, 0) + log(1 + e^(−|x|))`.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.clone().clamp_min(0.0) + x.abs().neg().exp().log1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logits(values: &[f32]) -> Tensor<2> {
        let device = Device::flex();
        Tensor::<1>::from_floats(values, &device).reshape([values.len(), 1])
    }

    fn scalar(t: Tensor<1>) -> f32 {
        t.into_scalar::<f32>()
    }

    fn ln_sigmoid(x: f64) -> f64 {
        -(1.0 + (-x).exp()).ln()
    }

    #[test]
    fn softplus_is_stable_for_large_logits() {
        let device = Device::flex();
        let out = softplus(Tensor::<1>::from_floats([-100.0, 0.0, 100.0], &device));
        let v = out.into_data().try_to_vec::<f32>().unwrap();
        assert!(v[0] >= 0.0 && v[0] < 1e-30);
        assert!((v[1] - 2f32.ln()).abs() < 1e-6);
        assert!((v[2] - 100.0).abs() < 1e-4);
    }

    #[test]
    fn discriminator_loss_matches_hand_computed_values() {
        // real logits 2, -1; fake logits 0, 3.
        let expected = -(ln_sigmoid(2.0) + ln_sigmoid(-1.0)) / 2.0
            - ((1.0 - 0.5f64).ln() + (1.0 - 1.0 / (1.0 + (-3.0f64).exp())).ln()) / 2.0;
        let got = scalar(discriminator_loss(
            logits(&[2.0, -1.0]),
            logits(&[0.0, 3.0]),
        ));
        assert!((got as f64 - expected).abs() < 1e-5, "{got} vs {expected}");
    }

    #[test]
    fn generator_losses_match_hand_computed_values() {
        // D(G(z)) = σ(1) = 0.7311, σ(-2) = 0.1192.
        let ns = -(ln_sigmoid(1.0) + ln_sigmoid(-2.0)) / 2.0;
        let mm = ((1.0 - 1.0 / (1.0 + (-1.0f64).exp())).ln()
            + (1.0 - 1.0 / (1.0 + 2.0f64.exp())).ln())
            / 2.0;
        let got_ns = scalar(GanLoss::NonSaturating.generator(logits(&[1.0, -2.0])));
        let got_mm = scalar(GanLoss::Minimax.generator(logits(&[1.0, -2.0])));
        assert!((got_ns as f64 - ns).abs() < 1e-5, "{got_ns} vs {ns}");
        assert!((got_mm as f64 - mm).abs() < 1e-5, "{got_mm} vs {mm}");
    }

    #[test]
    fn losses_are_finite_for_saturated_logits() {
        let d = scalar(discriminator_loss(logits(&[-80.0]), logits(&[80.0])));
        assert!((d - 160.0).abs() < 1e-3);
        let g = scalar(GanLoss::NonSaturating.generator(logits(&[-80.0])));
        assert!((g - 80.0).abs() < 1e-3);
    }

    #[test]
    fn ids_round_trip() {
        for l in GanLoss::ALL {
            assert_eq!(GanLoss::from_id(l.id()), Some(l));
        }
        assert_eq!(GanLoss::from_id("hinge"), Some(GanLoss::Hinge));
        assert_eq!(GanLoss::from_id("relativistic"), None);
    }

    #[test]
    fn critic_losses_match_hand_computed_values() {
        // real scores 2, −1; fake scores 0.5, 3.
        let (r, f) = (|| logits(&[2.0, -1.0]), || logits(&[0.5, 3.0]));
        // WGAN: mean fake − mean real = 1.75 − 0.5.
        for l in [GanLoss::Wasserstein, GanLoss::WassersteinGp] {
            assert!((scalar(l.discriminator(r(), f(), 1.0)) - 1.25).abs() < 1e-6);
            assert!((scalar(l.generator(f())) + 1.75).abs() < 1e-6);
        }
        // LSGAN: ½·mean((2−1)², (−1−1)²) + ½·mean(0.25, 9) = 1.25 + 2.3125.
        let ls = GanLoss::LeastSquares;
        assert!((scalar(ls.discriminator(r(), f(), 1.0)) - 3.5625).abs() < 1e-5);
        // G: ½·mean((0.5−1)², (3−1)²) = ½·(0.25 + 4)/2.
        assert!((scalar(ls.generator(f())) - 1.0625).abs() < 1e-6);
        // Smoothed target 0.9: ½·mean(1.1², 1.9²) + 2.3125.
        let smoothed = 0.5 * (1.21 + 3.61) / 2.0 + 2.3125;
        assert!((scalar(ls.discriminator(r(), f(), 0.9)) - smoothed).abs() < 1e-5);
        // Hinge: mean(max(0, 1−2), max(0, 1+1)) + mean(max(0, 1.5), max(0, 4)) = 1 + 2.75.
        let h = GanLoss::Hinge;
        assert!((scalar(h.discriminator(r(), f(), 1.0)) - 3.75).abs() < 1e-6);
        assert!((scalar(h.generator(f())) + 1.75).abs() < 1e-6);
    }

    #[test]
    fn label_smoothing_moves_the_real_target_of_bce() {
        // Target 0.9 for a real logit 2: 0.9·softplus(−2) + 0.1·softplus(2); fake logit −50 adds ~0.
        let sp = |x: f64| (1.0 + x.exp()).ln();
        let expected = 0.9 * sp(-2.0) + 0.1 * sp(2.0);
        let got =
            scalar(GanLoss::NonSaturating.discriminator(logits(&[2.0]), logits(&[-50.0]), 0.9));
        assert!((got as f64 - expected).abs() < 1e-5, "{got} vs {expected}");
    }

    #[test]
    fn penalties_match_hand_computed_values() {
        let device = Device::flex();
        // Two samples with input gradients of norm 3 (3, 0, 0, 0) and 0.5 (0.3, 0.4, 0, 0).
        let g = Tensor::<1>::from_floats([3.0, 0.0, 0.0, 0.0, 0.3, 0.4, 0.0, 0.0], &device)
            .reshape([2, 1, 2, 2]);
        let gp = scalar(gradient_penalty(g.clone()));
        assert!((gp - (4.0 + 0.25) / 2.0).abs() < 1e-5, "{gp}");
        let r1 = scalar(r1_penalty(g));
        assert!((r1 - (9.0 + 0.25) / 2.0).abs() < 1e-5, "{r1}");
    }
}
