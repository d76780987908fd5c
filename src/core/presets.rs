//! Named starting points for newcomers: each preset is a complete [`TrainConfig`] that follows
//! the guide or paper it is named after, sized to train in a browser tab.

use crate::core::loss::GanLoss;
use crate::core::models::{ArchitectureConfig, Conditioning, DcganConfig, ModelKind};
use crate::core::train::{OptimizerKind, TrainConfig};

/// A named configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The DCGAN tuned for digits soonest in a tab: batch 32, Adam 2e-3.
    DcganFast,
    /// DCGAN with the non-saturating loss (Radford et al. settings).
    DcganNonSaturating,
    /// DCGAN with two learning rates (TTUR: D 4e-4, G 1e-4).
    Ttur,
    /// WGAN with weight clipping, n_critic 5, RMSprop 5e-5.
    Wgan,
    /// WGAN-GP, λ 10, n_critic 5, Adam 1e-4 (β 0, 0.9), critic without BatchNorm.
    WganGp,
    /// Least-squares GAN.
    Lsgan,
    /// Hinge loss with spectral normalisation in D.
    HingeSpectral,
    /// Conditional DCGAN (label embedding to G and D).
    Cgan,
    /// Auxiliary-classifier DCGAN.
    Acgan,
    /// InfoGAN DCGAN: unsupervised categories.
    Infogan,
    /// The introductory guide's MLP GAN.
    GuideMlp,
}

impl Preset {
    /// Every preset, in display order.
    pub const ALL: [Preset; 11] = [
        Preset::DcganFast,
        Preset::DcganNonSaturating,
        Preset::Ttur,
        Preset::Wgan,
        Preset::WganGp,
        Preset::Lsgan,
        Preset::HingeSpectral,
        Preset::Cgan,
        Preset::Acgan,
        Preset::Infogan,
        Preset::GuideMlp,
    ];

    /// The page's preset when the address names none.
    pub const DEFAULT: Preset = Preset::DcganFast;

    /// Stable identifier used in URLs and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            Preset::DcganFast => "dcgan-fast",
            Preset::DcganNonSaturating => "dcgan",
            Preset::Ttur => "ttur",
            Preset::Wgan => "wgan",
            Preset::WganGp => "wgan-gp",
            Preset::Lsgan => "lsgan",
            Preset::HingeSpectral => "hinge-sn",
            Preset::Cgan => "cgan",
            Preset::Acgan => "acgan",
            Preset::Infogan => "infogan",
            Preset::GuideMlp => "mlp",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            Preset::DcganFast => "DCGAN, fast start",
            Preset::DcganNonSaturating => "DCGAN + non-saturating",
            Preset::Ttur => "DCGAN + TTUR",
            Preset::Wgan => "WGAN",
            Preset::WganGp => "WGAN-GP",
            Preset::Lsgan => "LSGAN",
            Preset::HingeSpectral => "hinge + spectral norm",
            Preset::Cgan => "cGAN",
            Preset::Acgan => "ACGAN",
            Preset::Infogan => "InfoGAN",
            Preset::GuideMlp => "the guide's MLP GAN",
        }
    }

    /// One or two sentences on what the preset sets and why.
    pub fn description(self) -> &'static str {
        match self {
            Preset::DcganFast => {
                "The “DCGAN + non-saturating” preset with batch 32 and Adam 2e-3: twice the steps per second, and bigger ones. In a tab on a 2-core CPU: all ten digits within 30 s, clear and evenly spread after a minute, sharp after five; after that it can wobble, so switch to the DCGAN preset for long runs."
            }
            Preset::DcganNonSaturating => {
                "The DCGAN recipe: strided convolutions, BatchNorm, the paper's N(0, 0.02) initialisation, Adam with β₁ 0.5 at 1e-3 (the paper's 2e-4 is slow on 10,000 digits), non-saturating G loss. Steady: rough digits after a minute in a tab, clean and evenly spread after five."
            }
            Preset::Ttur => {
                "Two-timescale update rule: D learns faster (4e-4) than G (1e-4), so D stays near its optimum for the current G without extra D steps. G's slow rate shows: in a tab, faint digits after a minute, and after five still uneven ones (some digits much rarer than others)."
            }
            Preset::Wgan => {
                "Wasserstein critic with weights clipped to ±0.01, 5 critic steps per G step, RMSprop 5e-5, as in the WGAN paper. Slow but steady; the critic loss tracks quality. About 100 G steps a minute in a tab: shapes after a minute, and after five still noisy, half-formed digits."
            }
            Preset::WganGp => {
                "Wasserstein critic with the exact gradient penalty (λ 10) instead of clipping, 5 critic steps, Adam 1e-4 with β (0, 0.9), no BatchNorm in the critic. The slowest start (about 70 G steps a minute in a tab: blobs after a minute, noisy half-formed digits after five), but among the steadiest over thousands of steps."
            }
            Preset::Lsgan => {
                "Least-squares losses (a 0, b = c 1) on the DCGAN, Adam 1e-3 with the paper's initialisation. Rough digits after a minute in a tab, a little behind the DCGAN preset; clean and evenly spread after five, as good as it."
            }
            Preset::HingeSpectral => {
                "Hinge loss with every D weight divided by its spectral norm (power iteration), no BatchNorm in D, Adam 2e-4, as in SN-GAN. Slow to start in a tab: shapes after a minute, digits after five, some classes still rarer than others."
            }
            Preset::Cgan => {
                "Conditional DCGAN: G and D both see a learned embedding of the digit's label, so you choose which digit to draw. Adam 1e-3, the paper's initialisation: in a tab, every digit after a minute, about two in three of them the one asked for; after five, clean digits, more than nine in ten the one asked for."
            }
            Preset::Acgan => {
                "Auxiliary-classifier DCGAN: G takes the label; D also classifies the digit, and both learn from that head. Adam 1e-3, the paper's initialisation: in a tab, every digit after a minute, about two in three of them the one asked for; after five, nearly nine in ten."
            }
            Preset::Infogan => {
                "Unconditional like the DCGAN, no labels read: G also takes a random category (one of ten) that D's second head must recover (InfoGAN's mutual-information term, λ 1), so each category becomes one kind of digit and G stops drawing digits half-way between two. The fast start's batch 32 and Adam 2e-3."
            }
            Preset::GuideMlp => {
                "The introductory guide's fully connected GAN (G 100→…→784 with BatchNorm, D 784→…→1), non-saturating loss, Adam 2e-4. Fastest per step but slow to learn: noisy blobs after a minute in a tab, recognisable digits after about five."
            }
        }
    }

    /// Parses an identifier from [`Preset::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The preset's complete settings (seed 1).
    pub fn config(self) -> TrainConfig {
        // The DCGAN recipe, with the paper's N(0, 0.02) initialisation where D has BatchNorm.
        // On these 10,000 digits that initialisation and Adam at 1e-3 instead of the paper's
        // 2e-4 took the DCGAN from FID 567 / class KL 0.31 to 150 / 0.03 after 1,000 steps
        // (BENCHMARKS.md, "Against a PyTorch DCGAN").
        let dcgan = |d_batch_norm| {
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_dcgan(DcganConfig::new().with_d_batch_norm(d_batch_norm))
                .with_normal_init(d_batch_norm)
        };
        let base = TrainConfig::new().with_architecture(dcgan(true));
        let fast = base.clone().with_lr_g(1e-3).with_lr_d(1e-3);
        match self {
            Preset::DcganFast => fast.with_batch_size(32).with_lr_g(2e-3).with_lr_d(2e-3),
            Preset::DcganNonSaturating => fast,
            Preset::Ttur => base.with_lr_d(4e-4).with_lr_g(1e-4),
            Preset::Wgan => base
                .with_loss(GanLoss::Wasserstein)
                .with_architecture(dcgan(false))
                .with_optimizer_g(OptimizerKind::RmsProp)
                .with_optimizer_d(OptimizerKind::RmsProp)
                .with_lr_g(5e-5)
                .with_lr_d(5e-5)
                .with_d_steps(5),
            Preset::WganGp => base
                .with_loss(GanLoss::WassersteinGp)
                .with_architecture(dcgan(false))
                .with_lr_g(1e-4)
                .with_lr_d(1e-4)
                .with_beta1(0.0)
                .with_beta2(0.9)
                .with_d_steps(5),
            Preset::Lsgan => fast.with_loss(GanLoss::LeastSquares),
            Preset::HingeSpectral => base
                .with_loss(GanLoss::Hinge)
                .with_architecture(dcgan(false).with_spectral_norm(true)),
            Preset::Cgan => {
                fast.with_architecture(dcgan(true).with_conditioning(Conditioning::Cgan))
            }
            Preset::Acgan => {
                fast.with_architecture(dcgan(true).with_conditioning(Conditioning::Acgan))
            }
            Preset::Infogan => fast
                .with_batch_size(32)
                .with_lr_g(2e-3)
                .with_lr_d(2e-3)
                .with_architecture(dcgan(true).with_conditioning(Conditioning::Infogan)),
            Preset::GuideMlp => TrainConfig::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_round_trips() {
        for p in Preset::ALL {
            assert!(p.config().validate().is_ok(), "{p:?}");
            assert_eq!(Preset::from_id(p.id()), Some(p));
        }
        assert_eq!(Preset::GuideMlp.config().architecture.kind, ModelKind::Mlp);
        assert_eq!(Preset::from_id("biggan"), None);
    }
}
