//! The GAN value function, computed from discriminator logits (numerically stable).
//!
//! With `D(x) = σ(l)`, `−log σ(l) = softplus(−l)` and `−log(1 − σ(l)) = softplus(l)`, so no
//! sigmoid is ever taken and saturated logits give finite losses and gradients.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Which generator objective to minimise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum GanLoss {
    /// Non-saturating: G minimises `−log D(G(z))` (strong gradients early on).
    #[default]
    NonSaturating,
    /// Minimax (saturating): G minimises `log(1 − D(G(z)))`, the original value function.
    Minimax,
}

impl GanLoss {
    /// Every loss, in display order.
    pub const ALL: [GanLoss; 2] = [GanLoss::NonSaturating, GanLoss::Minimax];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            GanLoss::NonSaturating => "non-saturating",
            GanLoss::Minimax => "minimax",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            GanLoss::NonSaturating => "Non-saturating (−log D(G(z)))",
            GanLoss::Minimax => "Minimax / saturating (log(1 − D(G(z))))",
        }
    }

    /// Parses an identifier from [`GanLoss::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The generator's loss for discriminator logits on generated images `[B, 1]`.
    pub fn generator(self, fake_logits: Tensor<2>) -> Tensor<1> {
        match self {
            GanLoss::NonSaturating => softplus(fake_logits.neg()).mean(),
            GanLoss::Minimax => softplus(fake_logits).mean().neg(),
        }
    }
}

/// The discriminator's loss `−log D(x) − log(1 − D(G(z)))`, averaged over each batch.
pub fn discriminator_loss(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    softplus(real_logits.neg()).mean() + softplus(fake_logits).mean()
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
        assert_eq!(GanLoss::from_id("hinge"), None);
    }
}
