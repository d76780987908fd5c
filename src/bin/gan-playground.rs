//! Command-line trainer: trains the playground's models natively and writes the files the
//! page ships (classifier weights, checkpoints) plus samples for outside evaluation.

use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use npyz::WriterBuilder;

use gan_playground::core::checkpoint;
use gan_playground::core::classifier::{Classifier, ClassifierConfig};
use gan_playground::core::data::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet};
use gan_playground::core::loss::GanLoss;
use gan_playground::core::metrics::{FeatureStats, QualityMetrics, accuracy};
use gan_playground::core::models::{
    ArchitectureConfig, Conditioning, DcganConfig, MlpGanConfig, ModelKind,
};
use gan_playground::core::presets::Preset;
use gan_playground::core::train::{
    ClassifierTrainer, FieldError, GanTrainer, OptimizerKind, TrainConfig,
};
use gan_playground::engine::evaluate::{
    METRICS_SEED, evaluate_checkpoint, evaluate_generator, evaluate_images, generate_samples,
    real_feature_stats,
};
use gan_playground::engine::{Engine, METRICS_SAMPLES, REAL_REFERENCE};

#[derive(Parser)]
#[command(
    name = "gan-playground",
    version,
    about = "Train MNIST GANs natively with the playground's own model code"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    /// Burn's pure-Rust CPU backend (always available).
    Flex,
    /// wgpu on any graphics API (build with `--features native-gpu`).
    Wgpu,
    /// wgpu pinned to Vulkan (build with `--features native-gpu`).
    Vulkan,
}

/// Settings of a run: a preset, then any overrides.
#[derive(clap::Args)]
struct RunArgs {
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

fn parse_id<T>(
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
    fn config(&self) -> Result<TrainConfig> {
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

fn field_errors(errors: Vec<FieldError>) -> anyhow::Error {
    anyhow::anyhow!(
        "invalid settings:\n{}",
        errors
            .iter()
            .map(|e| format!("  --{}: {}", e.field.replace('_', "-"), e.message))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once
enum Cmd {
    /// Train a GAN and write samples, losses, metrics and a checkpoint the page can load.
    Train {
        #[command(flatten)]
        run: RunArgs,
        #[arg(long, default_value_t = 2000)]
        steps: u64,
        /// Generated samples written to samples.npy and judged by the classifier.
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        #[arg(long, default_value = "runs/gan")]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        classifier: PathBuf,
    },
    /// Quality metrics (FID and IS analogues with our classifier, classes, label accuracy) of a
    /// checkpoint's generator or of a .npy of samples (N×28×28 in [0, 1]).
    Eval {
        /// A checkpoint.bpk written by `train` or the page.
        #[arg(long, conflicts_with = "samples")]
        checkpoint: Option<PathBuf>,
        /// A samples.npy (N×28×28, values in [0, 1]).
        #[arg(long)]
        samples: Option<PathBuf>,
        /// With --samples: labels.npy (N u8) of the digits the samples were asked to show.
        #[arg(long, requires = "samples")]
        labels: Option<PathBuf>,
        /// With --checkpoint: samples to generate (the page and `train` judge 1,000).
        #[arg(long, default_value_t = METRICS_SAMPLES)]
        count: usize,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        classifier: PathBuf,
    },
    /// Train every preset with fixed seeds and tabulate the metrics at several step counts.
    Zoo {
        /// Step counts at which to evaluate, ascending.
        #[arg(long, value_delimiter = ',', default_value = "500,1000,2000")]
        steps: Vec<u64>,
        /// Presets to train (default: all).
        #[arg(long, value_delimiter = ',')]
        presets: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replace the table between the zoo markers of this Markdown file.
        #[arg(long)]
        write: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        classifier: PathBuf,
    },
    /// Train the MNIST classifier on the first 8,000 digits and test it on the other 2,000.
    TrainClassifier {
        #[arg(long, default_value_t = 1500)]
        steps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        out: PathBuf,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
    },
    /// Milliseconds per training step (one D step + one G step, batch 64) per model and backend.
    Bench {
        #[arg(long, default_value_t = 10)]
        steps: usize,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Train {
            run,
            steps,
            samples,
            out,
            backend,
            data,
            classifier,
        } => train(
            run.config()?,
            steps,
            samples,
            &out,
            &device(backend)?,
            &data,
            &classifier,
        ),
        Cmd::Eval {
            checkpoint,
            samples,
            labels,
            count,
            data,
            classifier,
        } => eval(checkpoint, samples, labels, count, &data, &classifier),
        Cmd::Zoo {
            steps,
            presets,
            seed,
            write,
            backend,
            data,
            classifier,
        } => zoo(
            &steps,
            &presets,
            seed,
            write.as_deref(),
            &device(backend)?,
            &data,
            &classifier,
        ),
        Cmd::TrainClassifier {
            steps,
            seed,
            out,
            data,
        } => train_classifier(steps, seed, &out, &data),
        Cmd::Bench { steps, data } => bench(steps, &data),
    }
}

fn device(backend: Backend) -> Result<Device> {
    match backend {
        Backend::Flex => Ok(Device::flex()),
        #[cfg(feature = "native-gpu")]
        Backend::Wgpu => Ok(Device::wgpu(DeviceKind::DefaultDevice)),
        #[cfg(feature = "native-gpu")]
        Backend::Vulkan => Ok(Device::vulkan(DeviceKind::DefaultDevice)),
        #[cfg(not(feature = "native-gpu"))]
        Backend::Wgpu | Backend::Vulkan => {
            bail!("this build has no GPU backends; rebuild with `--features native-gpu`")
        }
    }
}

fn load_data(path: &Path) -> Result<MnistSet> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    MnistSet::decode(&bytes).with_context(|| format!("decoding {}", path.display()))
}

fn now_ms() -> f64 {
    thread_local!(static START: Instant = Instant::now());
    START.with(|s| s.elapsed().as_secs_f64() * 1000.0)
}

fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {per_sec} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar
}

fn load_classifier(path: &Path, device: &Device) -> Result<Classifier> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(checkpoint::load_classifier(&bytes, device)?)
}

fn read_back<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| anyhow::anyhow!("reading results back: {e:?}"))
}

/// `n` samples of the trainer's sampling generator from the metrics seed: the first `n` of
/// the samples every metrics evaluation judges (see [`generate_samples`]).
fn generate(trainer: &GanTrainer, n: usize, device: &Device) -> (Vec<Tensor<4>>, Option<Vec<u8>>) {
    let architecture = &trainer.config().architecture;
    generate_samples(
        &trainer.sampling_generator(),
        architecture.latent_dim,
        architecture.conditioning.is_conditional(),
        n,
        METRICS_SEED,
        device,
    )
}

/// The metrics of the trainer's sampling generator, exactly as the page's Evaluate computes
/// them.
fn judge(
    trainer: &GanTrainer,
    classifier: &Classifier,
    real: &FeatureStats,
    device: &Device,
) -> Result<QualityMetrics> {
    let architecture = &trainer.config().architecture;
    Ok(pollster::block_on(evaluate_generator(
        &trainer.sampling_generator(),
        classifier,
        real,
        architecture.latent_dim,
        architecture.conditioning.is_conditional(),
        METRICS_SAMPLES,
        device,
    ))?)
}

fn real_stats(classifier: &Classifier, data: &MnistSet, device: &Device) -> Result<FeatureStats> {
    let (first, count) = REAL_REFERENCE;
    Ok(pollster::block_on(real_feature_stats(
        classifier, data, first, count, device,
    ))?)
}

fn train(
    config: TrainConfig,
    steps: u64,
    samples: usize,
    out: &Path,
    device: &Device,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let data = Rc::new(load_data(data)?);
    let classifier = load_classifier(classifier, device)?;
    let real = real_stats(&classifier, &data, device)?;
    let mut engine =
        Engine::new(device, data, classifier.clone(), config, now_ms).map_err(field_errors)?;
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut csv = String::from("step,d_loss,g_loss,d_real,d_fake\n");
    let bar = progress(steps);
    for _ in 0..steps {
        let r = pollster::block_on(engine.step_once())?;
        let s = r.stats;
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            r.step, s.d_loss, s.g_loss, s.d_real, s.d_fake
        ));
        bar.set_message(format!(
            "D {:.3} G {:.3} D(x) {:.2} D(G(z)) {:.2}",
            s.d_loss, s.g_loss, s.d_real, s.d_fake
        ));
        bar.inc(1);
    }
    bar.finish();
    fs::write(out.join("losses.csv"), csv)?;
    fs::write(out.join("checkpoint.bpk"), engine.checkpoint()?)?;

    let (chunks, labels) = generate(engine.trainer(), samples, device);
    let mut pixels = Vec::with_capacity(samples * IMAGE_PIXELS);
    for images in chunks {
        pixels.extend(read_back(images)?);
    }
    let metrics = judge(engine.trainer(), &classifier, &real, device)?;
    let unit: Vec<f32> = pixels.iter().map(|v| (v + 1.0) / 2.0).collect();
    write_npy(&out.join("samples.npy"), &unit, samples)?;
    if let Some(labels) = &labels {
        write_labels(&out.join("labels.npy"), labels)?;
    }
    write_grid(
        &out.join("samples.png"),
        &unit,
        samples.min(80),
        if labels.is_some() { 10 } else { 8 },
    )?;
    fs::write(
        out.join("metrics.json"),
        serde_json::to_string_pretty(&metrics)?,
    )?;
    print_metrics(&metrics);
    println!(
        "wrote {}/{{losses.csv,checkpoint.bpk,samples.npy,samples.png,metrics.json}}",
        out.display()
    );
    Ok(())
}

fn print_metrics(m: &QualityMetrics) {
    let s = &m.classes;
    println!(
        "{} samples: FID (MNIST-classifier features) {:.2}, IS analogue {:.2}, classes covered {}/10, mean max-probability {:.3}, class KL from uniform {:.3}{}, histogram {:?}",
        m.samples,
        m.fid,
        m.inception_score,
        s.classes_covered,
        s.mean_max_prob,
        s.kl_from_uniform,
        m.label_accuracy
            .map(|a| format!(", label accuracy {:.1}%", a * 100.0))
            .unwrap_or_default(),
        s.histogram
    );
}

fn eval(
    checkpoint_path: Option<PathBuf>,
    samples: Option<PathBuf>,
    labels: Option<PathBuf>,
    count: usize,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let device = Device::flex();
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, &device)?;
    let real = real_stats(&classifier, &data, &device)?;
    let metrics = match (checkpoint_path, samples) {
        (Some(path), _) => {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            pollster::block_on(evaluate_checkpoint(
                &bytes,
                &classifier,
                &real,
                count,
                &device,
            ))
            .with_context(|| format!("evaluating {}", path.display()))?
        }
        (None, Some(path)) => {
            let images = read_samples(&path)?;
            let labels = labels.as_deref().map(read_labels).transpose()?;
            if let Some(l) = labels
                .as_ref()
                .filter(|l| l.len() != images.len() / IMAGE_PIXELS)
            {
                bail!(
                    "{} labels for {} samples",
                    l.len(),
                    images.len() / IMAGE_PIXELS
                );
            }
            let chunks = images
                .chunks(250 * IMAGE_PIXELS)
                .map(|c| {
                    let n = c.len() / IMAGE_PIXELS;
                    let scaled: Vec<f32> = c.iter().map(|v| v * 2.0 - 1.0).collect();
                    Tensor::<1>::from_data(TensorData::new(scaled, [c.len()]), &device)
                        .reshape([n, 1, IMAGE_SIDE, IMAGE_SIDE])
                })
                .collect();
            pollster::block_on(evaluate_images(
                &classifier,
                chunks,
                labels.as_deref(),
                &real,
            ))?
        }
        (None, None) => bail!("give --checkpoint FILE or --samples FILE"),
    };
    print_metrics(&metrics);
    println!("{}", serde_json::to_string_pretty(&metrics)?);
    Ok(())
}

fn read_samples(path: &Path) -> Result<Vec<f32>> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{} is not a .npy file", path.display()))?;
    let shape = npy.shape().to_vec();
    let per_image: u64 = shape.iter().skip(1).product();
    if shape.is_empty() || per_image != IMAGE_PIXELS as u64 {
        bail!(
            "{}: expected N×28×28 (or N×784) samples, got shape {shape:?}",
            path.display()
        );
    }
    let values: Vec<f32> = npy
        .into_vec::<f32>()
        .with_context(|| format!("{}: expected float32 values", path.display()))?;
    if values
        .iter()
        .any(|v| !v.is_finite() || *v < -0.01 || *v > 1.01)
    {
        bail!("{}: values must be in [0, 1]", path.display());
    }
    Ok(values)
}

fn read_labels(path: &Path) -> Result<Vec<u8>> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{} is not a .npy file", path.display()))?;
    let labels: Vec<u8> = npy
        .into_vec::<u8>()
        .with_context(|| format!("{}: expected uint8 labels", path.display()))?;
    if labels.iter().any(|&l| l > 9) {
        bail!("{}: labels must be digits 0–9", path.display());
    }
    Ok(labels)
}

fn write_labels(path: &Path, labels: &[u8]) -> Result<()> {
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&[labels.len() as u64])
        .writer(std::io::BufWriter::new(file))
        .begin_nd()?;
    writer.extend(labels.iter().copied())?;
    writer.finish()?;
    Ok(())
}

const ZOO_START: &str = "<!-- zoo-table:start -->";
const ZOO_END: &str = "<!-- zoo-table:end -->";

fn zoo(
    steps: &[u64],
    presets: &[String],
    seed: u64,
    write: Option<&Path>,
    device: &Device,
    data: &Path,
    classifier: &Path,
) -> Result<()> {
    let chosen: Vec<Preset> = if presets.is_empty() {
        Preset::ALL.to_vec()
    } else {
        presets
            .iter()
            .map(|p| Preset::from_id(p).with_context(|| format!("unknown preset '{p}'")))
            .collect::<Result<_>>()?
    };
    if steps.is_empty() || steps.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--steps must be ascending, e.g. 500,1000,2000");
    }
    let data = load_data(data)?;
    let classifier = load_classifier(classifier, device)?;
    let real = real_stats(&classifier, &data, device)?;
    let mut table = String::from(
        "| preset | steps | FID (classifier features) ↓ | IS analogue ↑ | classes | class KL ↓ | mean max-prob ↑ | label acc. | train time |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    // The yardstick: 1,000 real training digits scored like the samples.
    let real_images = (0..1000usize)
        .collect::<Vec<_>>()
        .chunks(250)
        .map(|c| data.batch(c, device).0)
        .collect();
    let labels: Vec<u8> = data.labels()[..1000].to_vec();
    let m = pollster::block_on(evaluate_images(
        &classifier,
        real_images,
        Some(&labels),
        &real,
    ))?;
    table.push_str(&format!(
        "| real digits (1,000 training images) | — | {:.2} | {:.2} | {}/10 | {:.3} | {:.3} | {:.1}% | — |\n",
        m.fid,
        m.inception_score,
        m.classes.classes_covered,
        m.classes.kl_from_uniform,
        m.classes.mean_max_prob,
        m.label_accuracy.unwrap_or(0.0) * 100.0
    ));
    println!("{}", table.trim_end());
    for preset in chosen {
        let config = preset.config().with_seed(seed);
        let mut trainer = GanTrainer::new(config, data.len(), device).map_err(field_errors)?;
        let bar = progress(*steps.last().unwrap_or(&0));
        bar.set_message(preset.id());
        let mut train_secs = 0.0;
        for &target in steps {
            let start = Instant::now();
            while trainer.steps() < target {
                trainer.step(&data).into_data();
                bar.inc(1);
            }
            train_secs += start.elapsed().as_secs_f64();
            let m = judge(&trainer, &classifier, &real, device)?;
            let row = format!(
                "| {} | {} | {:.2} | {:.2} | {}/10 | {:.3} | {:.3} | {} | {:.0} s |\n",
                preset.label(),
                target,
                m.fid,
                m.inception_score,
                m.classes.classes_covered,
                m.classes.kl_from_uniform,
                m.classes.mean_max_prob,
                m.label_accuracy
                    .map(|a| format!("{:.1}%", a * 100.0))
                    .unwrap_or_else(|| "—".into()),
                train_secs
            );
            bar.suspend(|| println!("{}", row.trim_end()));
            table.push_str(&row);
        }
        bar.finish_and_clear();
    }
    println!("{table}");
    if let Some(path) = write {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let (Some(a), Some(b)) = (text.find(ZOO_START), text.find(ZOO_END)) else {
            bail!("{} has no {ZOO_START} … {ZOO_END} markers", path.display());
        };
        let updated = format!("{}{ZOO_START}\n{table}{}", &text[..a], &text[b..]);
        fs::write(path, updated).with_context(|| format!("writing {}", path.display()))?;
        println!("updated {}", path.display());
    }
    Ok(())
}

fn write_npy(path: &Path, values: &[f32], n: usize) -> Result<()> {
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&[n as u64, IMAGE_SIDE as u64, IMAGE_SIDE as u64])
        .writer(std::io::BufWriter::new(file))
        .begin_nd()?;
    writer.extend(values.iter().copied())?;
    writer.finish()?;
    Ok(())
}

fn write_grid(path: &Path, unit: &[f32], n: usize, cols: usize) -> Result<()> {
    let rows = n.div_ceil(cols);
    let mut img = image::GrayImage::new((cols * IMAGE_SIDE) as u32, (rows * IMAGE_SIDE) as u32);
    for i in 0..n {
        let (gx, gy) = ((i % cols) * IMAGE_SIDE, (i / cols) * IMAGE_SIDE);
        for p in 0..IMAGE_PIXELS {
            let v = (unit[i * IMAGE_PIXELS + p].clamp(0.0, 1.0) * 255.0).round() as u8;
            img.put_pixel(
                (gx + p % IMAGE_SIDE) as u32,
                (gy + p / IMAGE_SIDE) as u32,
                image::Luma([v]),
            );
        }
    }
    img.save(path)
        .with_context(|| format!("writing {}", path.display()))
}

fn train_classifier(steps: usize, seed: u64, out: &Path, data: &Path) -> Result<()> {
    let (train_set, test_set) = load_data(data)?.split(8000)?;
    let device = Device::flex();
    let mut trainer = ClassifierTrainer::new(
        &ClassifierConfig::new(),
        train_set.len(),
        1e-3,
        seed,
        &device,
    );
    let bar = progress(steps as u64);
    for i in 0..steps {
        let loss = trainer.step(&train_set, 64);
        if i % 50 == 0 {
            bar.set_message(format!("loss {:.4}", loss.into_scalar::<f32>()));
        }
        bar.inc(1);
    }
    bar.finish();
    let model = trainer.model();
    let mut scores = Vec::new();
    let indices: Vec<usize> = (0..test_set.len()).collect();
    for chunk in indices.chunks(500) {
        let (images, _) = test_set.batch(chunk, &device);
        scores.extend(
            model
                .forward(images)
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
    }
    let acc = accuracy(&scores, test_set.labels());
    println!(
        "held-out accuracy on {} digits: {:.2}%",
        test_set.len(),
        acc * 100.0
    );
    if acc < 0.97 {
        bail!(
            "accuracy {:.2}% is below the 97% the playground needs; weights not written",
            acc * 100.0
        );
    }
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(out, checkpoint::save_classifier(&model)?)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn bench(steps: usize, data: &Path) -> Result<()> {
    let data = load_data(data)?;
    let tfjs_mlp = MlpGanConfig::new()
        .with_generator_hidden(vec![256, 512])
        .with_discriminator_hidden(vec![512, 256])
        .with_batch_norm(false);
    let models = [
        ("mlp (guide)", ArchitectureConfig::new()),
        (
            "mlp-3layer (TF.js comparison)",
            ArchitectureConfig::new().with_mlp(tfjs_mlp),
        ),
        (
            "dcgan c=32 (tab default)",
            ArchitectureConfig::new().with_kind(ModelKind::Dcgan),
        ),
        (
            "dcgan c=64 (128/64 maps)",
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_dcgan(DcganConfig::new().with_channels(64)),
        ),
    ];
    #[cfg_attr(not(feature = "native-gpu"), allow(unused_mut))]
    let mut backends = vec![("flex (native CPU)", Device::flex())];
    #[cfg(feature = "native-gpu")]
    backends.push(("wgpu (native)", Device::wgpu(DeviceKind::DefaultDevice)));
    println!("| model | backend | ms/step (batch 64, 1 D + 1 G step, stats read back) |");
    println!("|---|---|---|");
    for (name, arch) in &models {
        for (backend, device) in &backends {
            let config = TrainConfig::new().with_architecture(arch.clone());
            let mut trainer = GanTrainer::new(config, data.len(), device)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            for _ in 0..2 {
                trainer.step(&data).into_data();
            }
            let start = Instant::now();
            for _ in 0..steps {
                trainer.step(&data).into_data();
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / steps as f64;
            println!("| {name} | {backend} | {ms:.1} |");
        }
    }
    Ok(())
}
