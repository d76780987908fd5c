//! The command line (`cli` feature): argument parsing and the subcommands, as library code so
//! that the binary only calls [`main`].

mod args;
mod bench;
mod classifier;
mod colorize;
mod common;
mod cycle;
mod domains;
mod eval;
mod export;
mod files;
mod superres;
mod task_run;
mod train;
mod zoo;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::METRICS_SAMPLES;

use args::{RunArgs, TaskArgs, TaskRunArgs};
use bench::{BenchArgs, bench};
use classifier::train_classifier;
use colorize::colorize;
use common::device;
use cycle::{CycleAssets, cycle};
use domains::domains;
use eval::eval;
use export::{CardInfo, PrecisionArg, Weights, export};
use superres::superres;
use train::train;
use zoo::{Checkpoints, zoo};

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
pub(crate) enum Backend {
    /// Burn's pure-Rust CPU backend (always available).
    Flex,
    /// wgpu on any graphics API (build with `--features native-gpu`).
    Wgpu,
    /// wgpu pinned to Vulkan (build with `--features native-gpu`).
    Vulkan,
}

/// The shipped files every judging subcommand reads.
#[derive(clap::Args)]
struct Assets {
    /// The digits (the page's `data/mnist.bin`).
    #[arg(long, default_value = "www/data/mnist.bin")]
    data: PathBuf,
    /// The playground's MNIST classifier, which judges samples.
    #[arg(long, default_value = "www/weights/classifier.bpk")]
    classifier: PathBuf,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once
enum Cmd {
    /// Train a GAN and write samples, losses, metrics and a checkpoint the page can load.
    Train {
        #[command(flatten)]
        run: RunArgs,
        /// Continue the run of a checkpoint (from `train` or the page's "Download checkpoint")
        /// exactly where it stopped, with its settings, optimiser states and random streams.
        #[arg(long, value_name = "FILE")]
        resume: Option<PathBuf>,
        /// Training steps to take (after the checkpoint's, with --resume).
        #[arg(long, default_value_t = 2000)]
        steps: u64,
        /// Stop earlier, after this many seconds of training.
        #[arg(long)]
        seconds: Option<f64>,
        /// Generated samples written to samples.npy and judged by the classifier.
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        #[arg(long, default_value = "runs/gan")]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
        #[command(flatten)]
        assets: Assets,
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
        /// With --checkpoint: judge samples of each of these latent seeds instead of the
        /// metrics seed, and summarise FID over them (how much of a difference is noise).
        #[arg(long, value_delimiter = ',', requires = "checkpoint")]
        seeds: Vec<u64>,
        #[command(flatten)]
        assets: Assets,
    },
    /// Write a compact generator file for the gallery from a checkpoint (or a generator file),
    /// judged by the classifier in f32, f16 and 8-bit; with --manifest, record its card there.
    Export {
        /// A checkpoint.bpk from `train` or the page, or a generator file.
        #[arg(long)]
        from: PathBuf,
        /// The generator file to write.
        #[arg(long)]
        out: PathBuf,
        /// Which generator of a run: its moving average (EMA), G as trained, or the better.
        #[arg(long, value_enum, default_value = "best")]
        weights: Weights,
        /// Store the weights in f32, f16 or 8-bit (q8), or the smallest that costs no quality.
        #[arg(long, value_enum, default_value = "best")]
        precision: PrecisionArg,
        /// The gallery's catalogue (JSON) to record the model's card in.
        #[arg(long, requires = "id")]
        manifest: Option<PathBuf>,
        /// The card's id (replaces a card with the same id).
        #[arg(long)]
        id: Option<String>,
        /// The card's title.
        #[arg(long)]
        title: Option<String>,
        /// The preset the run was trained from.
        #[arg(long)]
        preset: Option<String>,
        /// Seconds the training took.
        #[arg(long)]
        train_seconds: Option<f64>,
        /// Where it was trained.
        #[arg(long)]
        trained_on: Option<String>,
        /// The command that trained it.
        #[arg(long)]
        command: Option<String>,
        /// Judge samples at this truncation ψ (latent values beyond ±ψ drawn again), the
        /// gallery's default for the model.
        #[arg(long)]
        psi: Option<f32>,
        #[command(flatten)]
        assets: Assets,
    },
    /// Train every preset with fixed seeds and tabulate the metrics at several step counts, or
    /// after several budgets of training time (`--seconds`: quality per second).
    Zoo {
        /// Step counts at which to evaluate, ascending.
        #[arg(long, value_delimiter = ',', default_value = "500,1000,2000")]
        steps: Vec<u64>,
        /// Instead of --steps: seconds of training (evaluation not counted) after which to
        /// evaluate, ascending, e.g. 30,60,300; `--write` fills the quality-per-time table.
        #[arg(long, value_delimiter = ',')]
        seconds: Vec<f64>,
        /// Write each preset's 80-sample grid at each evaluation here, as PRESET-step500.png
        /// or PRESET-60s.png.
        #[arg(long, value_name = "DIR")]
        grids: Option<PathBuf>,
        /// Presets to train (default: all).
        #[arg(long, value_delimiter = ',')]
        presets: Vec<String>,
        /// Change a setting of every preset trained, e.g. `--set upsampling=nearest --set
        /// lr_g=0.001` (setting ids as in `train --help`, with underscores): compares variants.
        #[arg(long = "set", value_name = "SETTING=VALUE")]
        set: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replace the table between the zoo markers of this Markdown file.
        #[arg(long)]
        write: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
        #[command(flatten)]
        assets: Assets,
    },
    /// Train the MNIST classifier on the first 8,000 digits and test it on the other 2,000
    /// (with `--typeset N`, also on N typeset digits, tested on N/4 others).
    TrainClassifier {
        #[arg(long, default_value_t = 1500)]
        steps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        out: PathBuf,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        /// Typeset digits to train on beside MNIST's (a classifier for both domains).
        #[arg(long, default_value_t = 0)]
        typeset: usize,
        /// The fonts of the typeset digits.
        #[arg(long, default_value = "www/data/fonts")]
        fonts: PathBuf,
    },
    /// Train (or continue, or only score) the super-resolution demo's upscaler: digits averaged
    /// to 7×7 (or 14×14) back to 28×28, scored by PSNR and SSIM against bicubic upsampling on
    /// the held-out digits.
    Superres {
        #[command(flatten)]
        settings: TaskArgs<crate::core::superres::SrConfig>,
        #[command(flatten)]
        run: TaskRunArgs,
        /// The digits (the page's `data/mnist.bin`).
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
    },
    /// Train (or continue, or only score) the colourisation demo's generator on the shipped
    /// photographs and report PSNR and SSIM against the mean-colour and grey baselines.
    Colorize {
        #[command(flatten)]
        settings: TaskArgs<crate::core::colorize::ColorConfig>,
        #[command(flatten)]
        run: TaskRunArgs,
        /// The photographs (the page's `data/photos.bin`).
        #[arg(long, default_value = "www/data/photos.bin")]
        photos: PathBuf,
    },
    /// Train (or continue, or only score) the CycleGAN demo between handwritten and typeset
    /// digits, optionally beside a λ = 0 twin, and report how well each keeps the digit.
    Cycle {
        #[command(flatten)]
        settings: TaskArgs<crate::core::cyclegan::CycleConfig>,
        /// Train a twin with λ = 0 (no cycle or identity loss) beside the run, both from
        /// scratch with the same seed; the file keeps both.
        #[arg(long)]
        twin: bool,
        #[command(flatten)]
        run: TaskRunArgs,
        /// The digits (the page's `data/mnist.bin`).
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        /// The typeset digits' fonts (the page's `data/fonts`).
        #[arg(long, default_value = "www/data/fonts")]
        fonts: PathBuf,
        /// The classifier that reads handwritten and typeset digits.
        #[arg(long, default_value = "www/weights/content-classifier.bpk")]
        classifier: PathBuf,
    },
    /// Render the typeset-digit domain (digits 0–9 of the fonts in a folder, each with its own
    /// size, slant, weight and offset), save a grid, and report how well the MNIST classifier
    /// reads them.
    Domains {
        /// The fonts (the page's `data/fonts`: DejaVu subsets).
        #[arg(long, default_value = "www/data/fonts")]
        fonts: PathBuf,
        /// Digits to render and judge.
        #[arg(long, default_value_t = 2000)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the first 80 as a PNG grid here.
        #[arg(long)]
        grid: Option<PathBuf>,
        /// The playground's MNIST classifier.
        #[arg(long, default_value = "www/weights/classifier.bpk")]
        classifier: PathBuf,
        /// Also write 80 colour digits (the MNIST digits of `--data` in random colours over
        /// random backgrounds, seed `--seed`) as a PNG grid here.
        #[arg(long)]
        colour_grid: Option<PathBuf>,
        /// The digits the colour digits are drawn from.
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
    },
    /// Milliseconds per training step (one D step + one G step) per model, batch size and backend.
    Bench {
        /// Timed steps per measurement (after 2 warm-up steps).
        #[arg(long, default_value_t = 10)]
        steps: usize,
        #[arg(long, default_value = "www/data/mnist.bin")]
        data: PathBuf,
        /// Only these models (ids: mlp-3layer, mlp, dcgan-16, dcgan-32, dcgan-64); all by default.
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
        /// Batch sizes to time.
        #[arg(long, value_delimiter = ',', default_value = "64")]
        batches: Vec<usize>,
        /// Also write the figures as JSON here (read by `tests/browser/bench.mjs`).
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

/// Parses the command line and runs the subcommand.
pub fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Train {
            run,
            resume,
            steps,
            seconds,
            samples,
            out,
            backend,
            assets,
        } => train(
            run.start(resume)?,
            steps,
            seconds,
            samples,
            &out,
            &device(backend)?,
            &assets.data,
            &assets.classifier,
        ),
        Cmd::Eval {
            checkpoint,
            samples,
            labels,
            count,
            seeds,
            assets,
        } => eval(
            checkpoint,
            samples,
            labels,
            count,
            &seeds,
            &assets.data,
            &assets.classifier,
        ),
        Cmd::Export {
            from,
            out,
            weights,
            precision,
            manifest,
            id,
            title,
            preset,
            train_seconds,
            trained_on,
            command,
            psi,
            assets,
        } => export(
            &from,
            &out,
            weights,
            precision,
            CardInfo {
                manifest,
                preset,
                id,
                title,
                train_seconds,
                trained_on,
                command,
                psi,
            },
            &assets.data,
            &assets.classifier,
        ),
        Cmd::Zoo {
            steps,
            seconds,
            grids,
            presets,
            set,
            seed,
            write,
            backend,
            assets,
        } => zoo(
            &if seconds.is_empty() {
                Checkpoints::Steps(steps)
            } else {
                Checkpoints::Seconds(seconds)
            },
            &presets,
            &set,
            seed,
            write.as_deref(),
            grids.as_deref(),
            &device(backend)?,
            &assets.data,
            &assets.classifier,
        ),
        Cmd::TrainClassifier {
            steps,
            seed,
            out,
            data,
            typeset,
            fonts,
        } => train_classifier(
            steps,
            seed,
            &out,
            &data,
            Some(classifier::Typeset {
                count: typeset,
                fonts: &fonts,
            }),
        ),
        Cmd::Superres {
            settings,
            run,
            data,
        } => {
            let config = settings.config(&crate::core::superres::SrConfig::new())?;
            run.check(settings.is_empty())?;
            superres(config, run.task_run(), &device(run.backend)?, &data)
        }
        Cmd::Colorize {
            settings,
            run,
            photos,
        } => {
            let config = settings.config(&crate::core::colorize::ColorConfig::new())?;
            run.check(settings.is_empty())?;
            colorize(config, run.task_run(), &device(run.backend)?, &photos)
        }
        Cmd::Cycle {
            settings,
            twin,
            run,
            data,
            fonts,
            classifier,
        } => {
            let config = settings.config(&crate::core::cyclegan::CycleConfig::new())?;
            run.check(settings.is_empty())?;
            cycle(
                config,
                twin,
                run.task_run(),
                &device(run.backend)?,
                CycleAssets {
                    data: &data,
                    fonts: &fonts,
                    classifier: &classifier,
                },
            )
        }
        Cmd::Domains {
            fonts,
            count,
            seed,
            grid,
            classifier,
            colour_grid,
            data,
        } => {
            if let Some(path) = &colour_grid {
                domains::colour_grid(&data, seed, path)?;
            }
            domains(&fonts, count, seed, grid.as_deref(), &classifier)
        }
        Cmd::Bench {
            steps,
            data,
            models,
            batches,
            json,
        } => bench(&BenchArgs {
            steps,
            data: &data,
            models: &models,
            batches: &batches,
            json: json.as_deref(),
        }),
    }
}
