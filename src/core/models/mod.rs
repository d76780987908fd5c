//! The model registry: every GAN architecture the playground offers, one file each.
//!
//! UI and CLI code list [`ModelKind::ALL`] and never branch on a model themselves.

pub mod dcgan;
pub mod mlp;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use dcgan::{DcganConfig, DcganDiscriminator, DcganGenerator};
pub use mlp::{MlpDiscriminator, MlpGanConfig, MlpGenerator};

/// A GAN architecture offered by the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ModelKind {
    /// The introductory guide's fully connected GAN.
    #[default]
    Mlp,
    /// A small DCGAN for 28×28 digits.
    Dcgan,
}

impl ModelKind {
    /// Every model, in display order.
    pub const ALL: [ModelKind; 2] = [ModelKind::Mlp, ModelKind::Dcgan];

    /// Stable identifier used in URLs, the CLI and checkpoints.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::Mlp => "mlp",
            ModelKind::Dcgan => "dcgan",
        }
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::Mlp => "MLP GAN (the guide's)",
            ModelKind::Dcgan => "DCGAN (convolutional)",
        }
    }

    /// One-sentence description for newcomers.
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::Mlp => {
                "Fully connected G 100→128→256→512→1024→784 and D 784→512→256→128→1: fast per step, blurrier digits."
            }
            ModelKind::Dcgan => {
                "Convolutional G (transposed convs 7→14→28) and D (strided convs 28→14→7) with BatchNorm: sharper digits, more compute per step."
            }
        }
    }

    /// Parses an identifier from [`ModelKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == id)
    }
}

/// Architecture settings for every model kind (only the chosen kind's are used).
#[derive(Config, Debug)]
pub struct ArchitectureConfig {
    /// Which architecture to build.
    #[config(default = "ModelKind::Mlp")]
    pub kind: ModelKind,
    /// Latent vector size.
    #[config(default = 100)]
    pub latent_dim: usize,
    /// MLP widths.
    #[config(default = "MlpGanConfig::new()")]
    pub mlp: MlpGanConfig,
    /// DCGAN widths.
    #[config(default = "DcganConfig::new()")]
    pub dcgan: DcganConfig,
}

/// Any generator of the registry: z `[B, latent]` → images `[B, 1, 28, 28]` in [-1, 1].
// One instance per run: the size difference between variants costs nothing worth boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    /// See [`MlpGenerator`].
    Mlp(MlpGenerator),
    /// See [`DcganGenerator`].
    Dcgan(DcganGenerator),
}

/// Any discriminator of the registry: images `[B, 1, 28, 28]` → logits `[B, 1]`.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Discriminator {
    /// See [`MlpDiscriminator`].
    Mlp(MlpDiscriminator),
    /// See [`DcganDiscriminator`].
    Dcgan(DcganDiscriminator),
}

impl ArchitectureConfig {
    /// Builds the generator of the chosen kind.
    pub fn init_generator(&self, device: &Device) -> Generator {
        match self.kind {
            ModelKind::Mlp => Generator::Mlp(self.mlp.init_generator(self.latent_dim, device)),
            ModelKind::Dcgan => {
                Generator::Dcgan(self.dcgan.init_generator(self.latent_dim, device))
            }
        }
    }

    /// Builds the discriminator of the chosen kind.
    pub fn init_discriminator(&self, device: &Device) -> Discriminator {
        match self.kind {
            ModelKind::Mlp => Discriminator::Mlp(self.mlp.init_discriminator(device)),
            ModelKind::Dcgan => Discriminator::Dcgan(self.dcgan.init_discriminator(device)),
        }
    }
}

impl Generator {
    /// z `[B, latent]` → images `[B, 1, 28, 28]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.forward(z),
        }
    }
}

impl Discriminator {
    /// images `[B, 1, 28, 28]` → logits `[B, 1]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Discriminator::Mlp(d) => d.forward(images),
            Discriminator::Dcgan(d) => d.forward(images),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_has_the_right_shapes() {
        let device = Device::flex();
        for kind in ModelKind::ALL {
            let config = ArchitectureConfig::new()
                .with_kind(kind)
                .with_latent_dim(16);
            let g = config.init_generator(&device);
            let d = config.init_discriminator(&device);
            let z = Tensor::<2>::zeros([3, 16], &device);
            let images = g.forward(z);
            assert_eq!(images.dims(), [3, 1, 28, 28], "{kind:?}");
            assert_eq!(d.forward(images).dims(), [3, 1], "{kind:?}");
            assert_eq!(ModelKind::from_id(kind.id()), Some(kind));
        }
    }

    #[test]
    fn mlp_matches_the_guide() {
        let device = Device::flex();
        let config = ArchitectureConfig::new();
        let g = config.init_generator(&device);
        let d = config.init_discriminator(&device);
        // G: 100·128+128 + 128·256+256 + 512·(256+1) + 1024·(512+1) + 784·(1024+1) + BatchNorm γ, β, running mean and variance of 256, 512, 1024.
        let g_params = 100 * 128
            + 128
            + 128 * 256
            + 256
            + 256 * 512
            + 512
            + 512 * 1024
            + 1024
            + 1024 * 784
            + 784
            + 4 * (256 + 512 + 1024);
        let d_params = 784 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 + 1;
        assert_eq!(g.num_params(), g_params);
        assert_eq!(d.num_params(), d_params);
    }
}
