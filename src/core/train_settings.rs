//! The GAN training task's settings registry: one entry per field of [`TrainConfig`].

use crate::core::loss::GanLoss;
use crate::core::models::{Conditioning, ModelKind, Upsampling};
use crate::core::settings::{Applies, Bound, Choice, Group, Kind, Setting, Settings, choices};
use crate::core::train::{FieldError, OptimizerKind, TrainConfig};

fn models() -> Vec<Choice> {
    choices(
        &ModelKind::ALL,
        ModelKind::id,
        ModelKind::label,
        ModelKind::description,
    )
}

fn conditionings() -> Vec<Choice> {
    choices(
        &Conditioning::ALL,
        Conditioning::id,
        Conditioning::label,
        Conditioning::description,
    )
}

fn upsamplings() -> Vec<Choice> {
    choices(
        &Upsampling::ALL,
        Upsampling::id,
        Upsampling::label,
        Upsampling::description,
    )
}

fn losses() -> Vec<Choice> {
    choices(
        &GanLoss::ALL,
        GanLoss::id,
        GanLoss::label,
        GanLoss::description,
    )
}

fn optimizers() -> Vec<Choice> {
    choices(
        &OptimizerKind::ALL,
        OptimizerKind::id,
        OptimizerKind::label,
        |_| "",
    )
}

fn adam(c: &TrainConfig) -> bool {
    c.optimizer_g == OptimizerKind::Adam || c.optimizer_d == OptimizerKind::Adam
}

const DCGAN_ONLY: Option<Applies<TrainConfig>> = Some(Applies {
    when: "DCGAN only",
    test: |c| c.architecture.kind == ModelKind::Dcgan,
});
const MLP_ONLY: Option<Applies<TrainConfig>> = Some(Applies {
    when: "MLP GAN only",
    test: |c| c.architecture.kind == ModelKind::Mlp,
});
const ADAM_ONLY: Option<Applies<TrainConfig>> = Some(Applies {
    when: "Adam only",
    test: adam,
});

const LR_MAX: Bound = Bound::Closed(1.0);
const ZERO_OPEN: Bound = Bound::Open(0.0);
const ZERO: Bound = Bound::Closed(0.0);

static SETTINGS: &[Setting<TrainConfig>] = &[
    Setting {
        id: "model",
        label: "Model",
        help: "Which networks play: the guide's fully connected GAN, or a small convolutional DCGAN.",
        kind: Kind::Choice {
            options: models,
            get: |c| c.architecture.kind.id(),
            set: |c, v| c.architecture.kind = ModelKind::from_id(v).unwrap_or_default(),
        },
        live: false,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "conditioning",
        label: "Conditioning",
        help: "Whether the networks see the digit's label: unconditional, cGAN (label to G and D), ACGAN (D also classifies) or InfoGAN (no labels: G takes a category of its own that D must recover).",
        kind: Kind::Choice {
            options: conditionings,
            get: |c| c.architecture.conditioning.id(),
            set: |c, v| c.architecture.conditioning = Conditioning::from_id(v).unwrap_or_default(),
        },
        live: false,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "loss",
        label: "Loss",
        help: "The adversarial objective of both players; each option's description says exactly what is computed.",
        kind: Kind::Choice {
            options: losses,
            get: |c| c.loss.id(),
            set: |c, v| c.loss = GanLoss::from_id(v).unwrap_or_default(),
        },
        live: true,
        group: Group::Model,
        applies: None,
    },
    Setting {
        id: "lr_g",
        label: "G learning rate",
        help: "Step size of the generator's optimiser. 2e-4 is the DCGAN default; above 1e-3 training usually diverges.",
        kind: Kind::Number {
            get: |c| c.lr_g,
            set: |c, v| c.lr_g = v,
            min: ZERO_OPEN,
            max: LR_MAX,
        },
        live: true,
        group: Group::Training,
        applies: None,
    },
    Setting {
        id: "lr_d",
        label: "D learning rate",
        help: "Step size of the discriminator's optimiser. Setting it apart from G's is the two-timescale update rule (TTUR preset: D 4e-4, G 1e-4).",
        kind: Kind::Number {
            get: |c| c.lr_d,
            set: |c, v| c.lr_d = v,
            min: ZERO_OPEN,
            max: LR_MAX,
        },
        live: true,
        group: Group::Training,
        applies: None,
    },
    Setting {
        id: "beta1",
        label: "Adam β₁",
        help: "Momentum of Adam's first moment. GANs use 0.5 (DCGAN) or 0 (WGAN-GP); 0.9 tends to oscillate.",
        kind: Kind::Number {
            get: |c| c.beta1,
            set: |c, v| c.beta1 = v,
            min: ZERO,
            max: Bound::Open(1.0),
        },
        live: false,
        group: Group::Training,
        applies: ADAM_ONLY,
    },
    Setting {
        id: "beta2",
        label: "Adam β₂",
        help: "Decay of Adam's second moment; 0.999 is standard, WGAN-GP uses 0.9.",
        kind: Kind::Number {
            get: |c| c.beta2,
            set: |c, v| c.beta2 = v,
            min: ZERO,
            max: Bound::Open(1.0),
        },
        live: false,
        group: Group::Training,
        applies: ADAM_ONLY,
    },
    Setting {
        id: "batch_size",
        label: "Batch size",
        help: "Real and generated images per step; 64 is the guides' choice. Bigger is smoother but slower per step.",
        kind: Kind::Whole {
            get: |c| c.batch_size as u64,
            set: |c, v| c.batch_size = v as usize,
            min: 1,
            max: 1024,
        },
        live: true,
        group: Group::Training,
        applies: None,
    },
    Setting {
        id: "d_steps",
        label: "D steps per G step",
        help: "Discriminator (critic) updates before each generator update: 1 for the standard GAN, n_critic = 5 for WGAN and WGAN-GP.",
        kind: Kind::Whole {
            get: |c| c.d_steps as u64,
            set: |c, v| c.d_steps = v as usize,
            min: 1,
            max: 20,
        },
        live: true,
        group: Group::Training,
        applies: None,
    },
    Setting {
        id: "seed",
        label: "Seed",
        help: "Seeds weights, noise and data order: the same seed replays the same run.",
        kind: Kind::Whole {
            get: |c| c.seed,
            set: |c, v| c.seed = v,
            min: 0,
            max: u64::MAX,
        },
        live: false,
        group: Group::Training,
        applies: None,
    },
    Setting {
        id: "clip",
        label: "WGAN clip c",
        help: "WGAN only: after every critic update each critic weight is clipped to [−c, c], a crude way to keep D 1-Lipschitz. 0.01 in the paper.",
        kind: Kind::Number {
            get: |c| c.clip,
            set: |c, v| c.clip = v,
            min: ZERO_OPEN,
            max: Bound::Closed(1.0),
        },
        live: false,
        group: Group::Loss,
        applies: Some(Applies {
            when: "WGAN (weight clipping) only",
            test: |c| c.loss == GanLoss::Wasserstein,
        }),
    },
    Setting {
        id: "gp_weight",
        label: "WGAN-GP λ",
        help: "WGAN-GP only: weight of the penalty (‖∇ₓD(x̂)‖₂ − 1)² on random interpolates between real and generated digits. 10 in the paper.",
        kind: Kind::Number {
            get: |c| c.gp_weight,
            set: |c, v| c.gp_weight = v,
            min: ZERO,
            max: Bound::Closed(1000.0),
        },
        live: false,
        group: Group::Loss,
        applies: Some(Applies {
            when: "WGAN-GP only",
            test: |c| c.loss == GanLoss::WassersteinGp,
        }),
    },
    Setting {
        id: "info_weight",
        label: "InfoGAN λ",
        help: "InfoGAN only: weight of the mutual-information term, the cross-entropy of D's category head on generated digits, which G and D both minimise. 1 in the paper for categories; 0 leaves the categories meaningless.",
        kind: Kind::Number {
            get: |c| c.info_weight,
            set: |c, v| c.info_weight = v,
            min: ZERO,
            max: Bound::Closed(100.0),
        },
        live: false,
        group: Group::Loss,
        applies: Some(Applies {
            when: "InfoGAN only",
            test: |c| c.architecture.conditioning == Conditioning::Infogan,
        }),
    },
    Setting {
        id: "r1_gamma",
        label: "R1 γ (0 = off)",
        help: "Any loss: adds γ/2·‖∇ₓD(x)‖² on real digits to D's loss, the exact input gradient as for WGAN-GP. Needs D without BatchNorm or minibatch stddev. Try 1–10.",
        kind: Kind::Number {
            get: |c| c.r1_gamma,
            set: |c, v| c.r1_gamma = v,
            min: ZERO,
            max: Bound::Closed(1000.0),
        },
        live: false,
        group: Group::Loss,
        applies: None,
    },
    Setting {
        id: "d_batch_norm",
        label: "BatchNorm in D (DCGAN)",
        help: "The DCGAN guideline puts BatchNorm in D. Turn it off for WGAN-GP, R1 and spectral norm: BatchNorm mixes a batch's samples, so a per-sample gradient penalty is undefined.",
        kind: Kind::Toggle {
            get: |c| c.architecture.dcgan.d_batch_norm,
            set: |c, v| c.architecture.dcgan.d_batch_norm = v,
        },
        live: false,
        group: Group::Tricks,
        applies: DCGAN_ONLY,
    },
    Setting {
        id: "spectral_norm",
        label: "Spectral norm in D",
        help: "Every D weight is divided by its largest singular value, estimated by one power iteration per D step, which bounds D's Lipschitz constant (SN-GAN).",
        kind: Kind::Toggle {
            get: |c| c.architecture.spectral_norm,
            set: |c, v| c.architecture.spectral_norm = v,
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "minibatch_stddev",
        label: "Minibatch stddev in D",
        help: "Appends the batch's mean feature standard deviation to D's last features, so D can spot a generator whose samples all look alike (mode collapse).",
        kind: Kind::Toggle {
            get: |c| c.architecture.minibatch_stddev,
            set: |c, v| c.architecture.minibatch_stddev = v,
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "label_smoothing",
        label: "Label smoothing",
        help: "One-sided: D's target for real digits becomes 1 − this (e.g. 0.1 → 0.9), fakes stay at 0, which keeps D from growing over-confident. BCE and LSGAN only.",
        kind: Kind::Number {
            get: |c| c.label_smoothing,
            set: |c, v| c.label_smoothing = v,
            min: ZERO,
            max: Bound::Closed(0.5),
        },
        live: false,
        group: Group::Tricks,
        applies: Some(Applies {
            when: "BCE and least-squares losses only",
            test: |c| c.loss.has_targets(),
        }),
    },
    Setting {
        id: "instance_noise",
        label: "Instance noise σ",
        help: "Gaussian noise of this standard deviation is added to every image D sees (real and generated), fading linearly to 0; it makes the two distributions overlap early on. Try 0.1–0.5.",
        kind: Kind::Number {
            get: |c| c.instance_noise,
            set: |c, v| c.instance_noise = v,
            min: ZERO,
            max: Bound::Closed(2.0),
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "instance_noise_steps",
        label: "Noise fades over",
        help: "Steps over which the instance noise fades from σ to 0.",
        kind: Kind::Whole {
            get: |c| c.instance_noise_steps,
            set: |c, v| c.instance_noise_steps = v,
            min: 1,
            max: 10_000_000,
        },
        live: false,
        group: Group::Tricks,
        applies: Some(Applies {
            when: "instance noise σ above 0 only",
            test: |c| c.instance_noise > 0.0,
        }),
    },
    Setting {
        id: "ema_decay",
        label: "G EMA decay (0 = off)",
        help: "Samples and metrics use an exponential moving average of G's weights (e.g. 0.999) instead of the latest G; it smooths away the step-to-step jitter of the game. Training itself is unchanged.",
        kind: Kind::Number {
            get: |c| c.ema_decay,
            set: |c, v| c.ema_decay = v,
            min: ZERO,
            max: Bound::Open(1.0),
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "optimizer_g",
        label: "G optimiser",
        help: "Optimiser of the generator: Adam (with β₁, β₂), RMSprop (the WGAN paper) or plain SGD.",
        kind: Kind::Choice {
            options: optimizers,
            get: |c| c.optimizer_g.id(),
            set: |c, v| c.optimizer_g = OptimizerKind::from_id(v).unwrap_or_default(),
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "optimizer_d",
        label: "D optimiser",
        help: "Optimiser of the discriminator: Adam (with β₁, β₂), RMSprop (the WGAN paper) or plain SGD.",
        kind: Kind::Choice {
            options: optimizers,
            get: |c| c.optimizer_d.id(),
            set: |c, v| c.optimizer_d = OptimizerKind::from_id(v).unwrap_or_default(),
        },
        live: false,
        group: Group::Tricks,
        applies: None,
    },
    Setting {
        id: "latent_dim",
        label: "Latent size",
        help: "Length of the noise vector z that G turns into a digit; 100 in the guides.",
        kind: Kind::Whole {
            get: |c| c.architecture.latent_dim as u64,
            set: |c, v| c.architecture.latent_dim = v as usize,
            min: 1,
            max: 1024,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
    Setting {
        id: "channels",
        label: "DCGAN channels",
        help: "DCGAN feature maps at 14×14 (twice as many at 7×7). 32 trains quickly in a tab; 64 matches the 128/64 DCGAN.",
        kind: Kind::Whole {
            get: |c| c.architecture.dcgan.channels as u64,
            set: |c, v| c.architecture.dcgan.channels = v as usize,
            min: 1,
            max: 256,
        },
        live: false,
        group: Group::Architecture,
        applies: DCGAN_ONLY,
    },
    Setting {
        id: "normal_init",
        label: "DCGAN initialisation",
        help: "Draw every convolution and linear weight from N(0, 0.02) and BatchNorm scales from N(1, 0.02), as the DCGAN paper does; off: each layer's own (Kaiming-uniform) initialisation.",
        kind: Kind::Toggle {
            get: |c| c.architecture.normal_init,
            set: |c, v| c.architecture.normal_init = v,
        },
        live: false,
        group: Group::Architecture,
        applies: None,
    },
    Setting {
        id: "upsampling",
        label: "G upsampling",
        help: "How the DCGAN generator doubles its feature maps 7→14→28: transposed convolutions (the DCGAN paper) or nearest-neighbour upsampling followed by a 3×3 convolution.",
        kind: Kind::Choice {
            options: upsamplings,
            get: |c| c.architecture.dcgan.upsampling.id(),
            set: |c, v| {
                c.architecture.dcgan.upsampling = Upsampling::from_id(v).unwrap_or_default()
            },
        },
        live: false,
        group: Group::Architecture,
        applies: DCGAN_ONLY,
    },
    Setting {
        id: "label_dim",
        label: "Label embedding size",
        help: "Conditional models: length of the learned label embedding given to G (and to D in a cGAN); 10 by default.",
        kind: Kind::Whole {
            get: |c| c.architecture.label_dim as u64,
            set: |c, v| c.architecture.label_dim = v as usize,
            min: 1,
            max: 256,
        },
        live: false,
        group: Group::Architecture,
        applies: Some(Applies {
            when: "cGAN, ACGAN and InfoGAN only",
            test: |c| c.architecture.conditioning.is_conditional(),
        }),
    },
    Setting {
        id: "g_hidden",
        label: "MLP G widths",
        help: "Hidden layer widths of the MLP generator, input to output (the guide: 128,256,512,1024).",
        kind: Kind::Widths {
            get: |c| c.architecture.mlp.generator_hidden.clone(),
            set: |c, v| c.architecture.mlp.generator_hidden = v,
            max: 4096,
        },
        live: false,
        group: Group::Architecture,
        applies: MLP_ONLY,
    },
    Setting {
        id: "d_hidden",
        label: "MLP D widths",
        help: "Hidden layer widths of the MLP discriminator, input to output (the guide: 512,256,128).",
        kind: Kind::Widths {
            get: |c| c.architecture.mlp.discriminator_hidden.clone(),
            set: |c, v| c.architecture.mlp.discriminator_hidden = v,
            max: 4096,
        },
        live: false,
        group: Group::Architecture,
        applies: MLP_ONLY,
    },
    Setting {
        id: "batch_norm",
        label: "BatchNorm in G (MLP)",
        help: "BatchNorm after every MLP generator hidden layer but the first, as in the guide.",
        kind: Kind::Toggle {
            get: |c| c.architecture.mlp.batch_norm,
            set: |c, v| c.architecture.mlp.batch_norm = v,
        },
        live: false,
        group: Group::Architecture,
        applies: MLP_ONLY,
    },
];

impl Settings for TrainConfig {
    fn settings() -> &'static [Setting<Self>] {
        SETTINGS
    }

    fn cross_checks(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.label_smoothing > 0.0 && !self.loss.has_targets() {
            e.push(FieldError {
                field: "label_smoothing".into(),
                message: format!(
                    "label smoothing changes the real target of the BCE and least-squares losses; {} has no targets, set it to 0",
                    self.loss.label()
                ),
            });
        }
        let penalty = self.loss == GanLoss::WassersteinGp || self.r1_gamma > 0.0;
        if penalty && !self.architecture.has_per_sample_discriminator() {
            e.push(FieldError {
                field: "d_batch_norm".into(),
                message: "WGAN-GP and R1 penalise each sample's input gradient ∇ₓD(x); BatchNorm and minibatch stddev in D mix the samples of a batch. Turn off D BatchNorm and minibatch stddev.".into(),
            });
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::presets::Preset;
    use crate::core::settings::probe::{bad_value, other_value};
    use crate::core::settings::{apply_pairs, to_pairs, validate, with_live};

    fn json(c: &TrainConfig) -> serde_json::Value {
        serde_json::to_value(c).unwrap_or_default()
    }

    /// A valid configuration whose every setting differs from the default where it can.
    fn everything_changed() -> TrainConfig {
        let mut c = TrainConfig::new();
        for s in TrainConfig::settings() {
            let text = other_value(s, &c);
            if let Err(e) = s.parse_into(&mut c, &text) {
                panic!("{}: {e}", s.id);
            }
        }
        c
    }

    #[test]
    fn the_registry_covers_every_field() {
        // Writing every setting of a configuration over the defaults rebuilds it exactly, so no
        // field of TrainConfig is missing from the registry.
        let mut configs: Vec<TrainConfig> = Preset::ALL.iter().map(|p| p.config()).collect();
        configs.push(everything_changed());
        for config in configs {
            let pairs = to_pairs(&config);
            let (back, errors) = apply_pairs(
                &TrainConfig::new(),
                pairs.iter().map(|(k, v)| (*k, v.as_str())),
            );
            assert_eq!(errors, []);
            assert_eq!(json(&back), json(&config));
        }
        let changed = everything_changed();
        let defaults = TrainConfig::new();
        for s in TrainConfig::settings() {
            assert_ne!(s.text(&changed), s.text(&defaults), "{}", s.id);
        }
    }

    #[test]
    fn ids_are_unique_and_every_entry_has_help() {
        let settings = TrainConfig::settings();
        for (i, s) in settings.iter().enumerate() {
            assert!(settings[..i].iter().all(|o| o.id != s.id), "{}", s.id);
            assert!(!s.help.is_empty() && !s.label.is_empty(), "{}", s.id);
        }
    }

    #[test]
    fn an_out_of_range_value_of_each_setting_is_refused_with_its_field_named() {
        for s in TrainConfig::settings() {
            let Some(bad) = bad_value(s) else { continue };
            let mut config = TrainConfig::new();
            let before = json(&config);
            let e = s.parse_into(&mut config, &bad).unwrap_err();
            assert_eq!(e.field, s.id);
            assert!(
                e.message.contains(&bad) || e.message.contains("must be"),
                "{e}"
            );
            assert_eq!(
                json(&config),
                before,
                "{}: a refused value changes nothing",
                s.id
            );
        }
        let (_, errors) = apply_pairs(&TrainConfig::new(), [("lr_g", "abc"), ("zzz", "1")]);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lr_g", "zzz"]);
        assert!(errors[0].message.contains("not a number"));
    }

    #[test]
    fn validation_names_every_bad_field_once() {
        let mut c = TrainConfig::new();
        c.lr_g = -1.0;
        c.batch_size = 0;
        c.beta1 = f64::NAN;
        c.label_smoothing = 0.7;
        let errors = validate(&c).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lr_g", "beta1", "batch_size", "label_smoothing"]);
        assert!(
            errors[0].message.contains("above 0 and at most 1"),
            "{}",
            errors[0]
        );
        let mut gp = Preset::WganGp.config();
        gp.architecture.dcgan.d_batch_norm = true;
        let errors = validate(&gp).unwrap_err();
        assert_eq!(errors[0].field, "d_batch_norm");
        for p in Preset::ALL {
            assert_eq!(validate(&p.config()), Ok(()), "{p:?}");
        }
    }

    #[test]
    fn only_live_settings_change_mid_run() {
        let current = TrainConfig::new();
        let requested = everything_changed();
        let next = with_live(&current, &requested);
        for s in TrainConfig::settings() {
            let expected = if s.live { &requested } else { &current };
            assert_eq!(s.text(&next), s.text(expected), "{}", s.id);
        }
    }
}
