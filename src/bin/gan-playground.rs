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
use gan_playground::core::classifier::ClassifierConfig;
use gan_playground::core::data::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet};
use gan_playground::core::loss::GanLoss;
use gan_playground::core::metrics::{ClassStats, accuracy};
use gan_playground::core::models::{ArchitectureConfig, DcganConfig, MlpGanConfig, ModelKind};
use gan_playground::core::train::{ClassifierTrainer, GanTrainer, TrainConfig, latent_noise};
use gan_playground::engine::Engine;

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

#[derive(Subcommand)]
enum Cmd {
    /// Train a GAN and write samples, losses and a checkpoint the page can load.
    Train {
        /// Model: mlp or dcgan.
        #[arg(long, default_value = "dcgan")]
        model: String,
        /// Generator loss: non-saturating or minimax.
        #[arg(long, default_value = "non-saturating")]
        loss: String,
        #[arg(long, default_value_t = 2000)]
        steps: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        #[arg(long, default_value_t = 2e-4)]
        lr_g: f64,
        #[arg(long, default_value_t = 2e-4)]
        lr_d: f64,
        #[arg(long, default_value_t = 0.5)]
        beta1: f64,
        #[arg(long, default_value_t = 0.999)]
        beta2: f64,
        #[arg(long, default_value_t = 100)]
        latent_dim: usize,
        #[arg(long, default_value_t = 1)]
        d_steps: usize,
        /// DCGAN feature maps at 14×14 (doubled at 7×7).
        #[arg(long, default_value_t = 32)]
        channels: usize,
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
            model,
            loss,
            steps,
            seed,
            batch_size,
            lr_g,
            lr_d,
            beta1,
            beta2,
            latent_dim,
            d_steps,
            channels,
            samples,
            out,
            backend,
            data,
            classifier,
        } => {
            let kind = ModelKind::from_id(&model)
                .with_context(|| format!("unknown model '{model}' (try: mlp, dcgan)"))?;
            let loss = GanLoss::from_id(&loss)
                .with_context(|| format!("unknown loss '{loss}' (try: non-saturating, minimax)"))?;
            let config = TrainConfig::new()
                .with_architecture(
                    ArchitectureConfig::new()
                        .with_kind(kind)
                        .with_latent_dim(latent_dim)
                        .with_dcgan(DcganConfig::new().with_channels(channels)),
                )
                .with_loss(loss)
                .with_seed(seed)
                .with_batch_size(batch_size)
                .with_lr_g(lr_g)
                .with_lr_d(lr_d)
                .with_beta1(beta1)
                .with_beta2(beta2)
                .with_d_steps(d_steps);
            train(
                config,
                steps,
                samples,
                &out,
                &device(backend)?,
                &data,
                &classifier,
            )
        }
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
    let classifier_bytes =
        fs::read(classifier).with_context(|| format!("reading {}", classifier.display()))?;
    let classifier = checkpoint::load_classifier(&classifier_bytes, device)?;
    let seed = config.seed;
    let latent = config.architecture.latent_dim;
    let mut engine =
        Engine::new(device, data, classifier.clone(), config, now_ms).map_err(|errors| {
            anyhow::anyhow!(
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })?;
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

    // Samples for evaluation: fresh latents, generated in inference mode, in chunks.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed.wrapping_add(77));
    let mut pixels = Vec::with_capacity(samples * IMAGE_PIXELS);
    let mut probs = Vec::with_capacity(samples * 10);
    for start in (0..samples).step_by(250) {
        let n = (samples - start).min(250);
        let images = engine
            .trainer()
            .generate(latent_noise(&mut rng, n, latent, device));
        probs.extend(
            classifier
                .probabilities(images.clone())
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
        pixels.extend(
            images
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
    }
    let unit: Vec<f32> = pixels.iter().map(|v| (v + 1.0) / 2.0).collect();
    write_npy(&out.join("samples.npy"), &unit, samples)?;
    write_grid(&out.join("samples.png"), &unit, samples.min(64))?;
    let stats = ClassStats::from_probabilities(&probs);
    fs::write(
        out.join("metrics.json"),
        serde_json::to_string_pretty(&stats)?,
    )?;
    println!(
        "{} samples: classes covered {}/10, mean max-probability {:.3}, class KL from uniform {:.3}, histogram {:?}",
        samples, stats.classes_covered, stats.mean_max_prob, stats.kl_from_uniform, stats.histogram
    );
    println!(
        "wrote {}/{{losses.csv,checkpoint.bpk,samples.npy,samples.png,metrics.json}}",
        out.display()
    );
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

fn write_grid(path: &Path, unit: &[f32], n: usize) -> Result<()> {
    let cols = 8usize;
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
