//! Settings overrides shared by the subcommands that train.

use anyhow::{Context, Result};

use crate::core::loss::GanLoss;
use crate::core::models::{Conditioning, ModelKind};
use crate::core::presets::Preset;
use crate::core::train::{FieldErrors, OptimizerKind, TrainConfig};

/// Settings of a run: a preset, then any overrides.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Starting point: dcgan, ttur, wgan, wgan-gp, lsgan, hinge-sn, cgan, acgan, mlp.
    #[arg(long, default_value = "dcgan")]
    preset: String,
    /// Model: mlp or dcgan.
    #[arg(long)]
    model: Option<String>,
    /// Loss: non-saturating, minimax, wgan, wgan-gp, lsgan, hinge.
    #[arg(long)]
    loss: Option<String>,
    /// Conditioning: none, cgan, acgan.
    #[arg(long)]
    conditioning: Option<String>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    batch_size: Option<usize>,
    #[arg(long)]
    lr_g: Option<f64>,
    #[arg(long)]
    lr_d: Option<f64>,
    /// Generator optimiser: adam, rmsprop, sgd.
    #[arg(long)]
    optimizer_g: Option<String>,
    /// Discriminator optimiser: adam, rmsprop, sgd.
    #[arg(long)]
    optimizer_d: Option<String>,
    #[arg(long)]
    beta1: Option<f64>,
    #[arg(long)]
    beta2: Option<f64>,
    #[arg(long)]
    latent_dim: Option<usize>,
    /// D steps per G step (n_critic).
    #[arg(long)]
    d_steps: Option<usize>,
    /// DCGAN feature maps at 14×14 (doubled at 7×7).
    #[arg(long)]
    channels: Option<usize>,
    /// BatchNorm in the DCGAN's D (true/false).
    #[arg(long)]
    d_batch_norm: Option<bool>,
    /// Spectral normalisation of D's weights (true/false).
    #[arg(long)]
    spectral_norm: Option<bool>,
    /// Minibatch-stddev feature in D (true/false).
    #[arg(long)]
    minibatch_stddev: Option<bool>,
    /// WGAN clipping bound c.
    #[arg(long)]
    clip: Option<f64>,
    /// WGAN-GP weight λ.
    #[arg(long)]
    gp_weight: Option<f64>,
    /// R1 weight γ (0 = off).
    #[arg(long)]
    r1_gamma: Option<f64>,
    /// One-sided label smoothing (0 = off; 0.1 makes real targets 0.9).
    #[arg(long)]
    label_smoothing: Option<f64>,
    /// Instance-noise σ at step 0 (0 = off).
    #[arg(long)]
    instance_noise: Option<f64>,
    /// Steps over which instance noise decays to 0.
    #[arg(long)]
    instance_noise_steps: Option<u64>,
    /// EMA decay of G's weights for samples (0 = off, e.g. 0.999).
    #[arg(long)]
    ema_decay: Option<f64>,
}

pub(crate) fn parse_id<T>(
    value: &Option<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<T>> {
    value
        .as_deref()
        .map(|v| {
            parse(v).with_context(|| format!("unknown {what} '{v}' (try: {})", all.join(", ")))
        })
        .transpose()
}

impl RunArgs {
    pub(crate) fn config(&self) -> Result<TrainConfig> {
        let ids = |v: Vec<&'static str>| v;
        let preset = Preset::from_id(&self.preset).with_context(|| {
            format!(
                "unknown preset '{}' (try: {})",
                self.preset,
                Preset::ALL.map(|p| p.id()).join(", ")
            )
        })?;
        let mut c = preset.config();
        let a = &mut c.architecture;
        if let Some(k) = parse_id(
            &self.model,
            "model",
            ModelKind::from_id,
            &ids(ModelKind::ALL.map(|m| m.id()).to_vec()),
        )? {
            a.kind = k;
        }
        if let Some(k) = parse_id(
            &self.conditioning,
            "conditioning",
            Conditioning::from_id,
            &Conditioning::ALL.map(|m| m.id()),
        )? {
            a.conditioning = k;
        }
        if let Some(v) = self.latent_dim {
            a.latent_dim = v;
        }
        if let Some(v) = self.channels {
            a.dcgan.channels = v;
        }
        if let Some(v) = self.d_batch_norm {
            a.dcgan.d_batch_norm = v;
        }
        if let Some(v) = self.spectral_norm {
            a.spectral_norm = v;
        }
        if let Some(v) = self.minibatch_stddev {
            a.minibatch_stddev = v;
        }
        if let Some(l) = parse_id(
            &self.loss,
            "loss",
            GanLoss::from_id,
            &GanLoss::ALL.map(|m| m.id()),
        )? {
            c.loss = l;
        }
        let optimizers = OptimizerKind::ALL.map(|m| m.id());
        if let Some(o) = parse_id(
            &self.optimizer_g,
            "optimizer",
            OptimizerKind::from_id,
            &optimizers,
        )? {
            c.optimizer_g = o;
        }
        if let Some(o) = parse_id(
            &self.optimizer_d,
            "optimizer",
            OptimizerKind::from_id,
            &optimizers,
        )? {
            c.optimizer_d = o;
        }
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.batch_size {
            c.batch_size = v;
        }
        if let Some(v) = self.lr_g {
            c.lr_g = v;
        }
        if let Some(v) = self.lr_d {
            c.lr_d = v;
        }
        if let Some(v) = self.beta1 {
            c.beta1 = v;
        }
        if let Some(v) = self.beta2 {
            c.beta2 = v;
        }
        if let Some(v) = self.d_steps {
            c.d_steps = v;
        }
        if let Some(v) = self.clip {
            c.clip = v;
        }
        if let Some(v) = self.gp_weight {
            c.gp_weight = v;
        }
        if let Some(v) = self.r1_gamma {
            c.r1_gamma = v;
        }
        if let Some(v) = self.label_smoothing {
            c.label_smoothing = v;
        }
        if let Some(v) = self.instance_noise {
            c.instance_noise = v;
        }
        if let Some(v) = self.instance_noise_steps {
            c.instance_noise_steps = v;
        }
        if let Some(v) = self.ema_decay {
            c.ema_decay = v;
        }
        c.validate().map_err(field_errors)?;
        Ok(c)
    }
}

/// Invalid settings as the command line names them (`--lr-g: …`), one per line.
pub(crate) fn field_errors(errors: FieldErrors) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("  --{}: {}", e.field.replace('_', "-"), e.message))
        .collect();
    anyhow::anyhow!("invalid settings:\n{}", lines.join("\n"))
}
