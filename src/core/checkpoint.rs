//! Checkpoints in Burn's burnpack format, as bytes (the caller does the I/O).
//!
//! The networks of a GAN are one burnpack holding `generator.*` and `discriminator.*` tensors
//! (and `ema_generator.*` when the run keeps a moving average of G), with the run's
//! [`TrainConfig`] (JSON), step count and EMA update count in the burnpack metadata.
//!
//! A *run* checkpoint ([`save_run`], what the page and `train` write) adds what resuming needs:
//! a small header, then three burnpacks one after another.
//!
//! ```text
//! "GANPLAY" 0x00 · u32 LE header length · header (JSON: format, task, settings, steps,
//! trainer state, section names and lengths) · networks · G optimiser · D optimiser
//! ```
//!
//! [`load_gan`] reads both a run checkpoint and a bare networks burnpack (older checkpoints).
//!
//! A *generator file* ([`save_generator`], what the gallery ships) is a burnpack of one
//! generator (`generator.*`), in f32 or with its weights in f16, with its format version, the
//! run's settings, steps and which weights it holds (raw or moving average) in the metadata.
//! [`load_sampler`] reads it and every other GAN checkpoint, for drawing samples.

use burn::prelude::*;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Bytes;

use crate::core::classifier::{Classifier, ClassifierConfig};
use serde::{Deserialize, Serialize};

use crate::core::colorize::{ColorConfig, ColorGenerator};
use crate::core::cyclegan::{CycleConfig, CycleDiscriminators, CycleGenerators};
use crate::core::models::patchgan::PatchDiscriminator;
use crate::core::models::{Discriminator, Generator};
use crate::core::superres::{SrConfig, SrDiscriminator, SrGenerator};
use crate::core::train::{GanTrainer, TrainConfig, TrainerState};

const CONFIG_KEY: &str = "gan_playground.train_config";
const STEPS_KEY: &str = "gan_playground.steps";
const KIND_KEY: &str = "gan_playground.kind";
const EMA_KEY: &str = "gan_playground.ema_updates";
const FORMAT_KEY: &str = "gan_playground.format";
const PRECISION_KEY: &str = "gan_playground.precision";
const WEIGHTS_KEY: &str = "gan_playground.weights";
const GENERATOR_KIND: &str = "generator";
/// The generator-file layout this code writes (and the newest it reads). Format 2 added 8-bit
/// weights ([`Precision::Q8`]); format-1 files (f32 / f16) still load.
pub const GENERATOR_FORMAT: u32 = 2;

const RUN_MAGIC: &[u8; 8] = b"GANPLAY\0";
/// The run-checkpoint layout this code writes.
pub const RUN_FORMAT: u32 = 1;
/// The task id of GAN training runs in checkpoint headers.
pub const GAN_TASK: &str = "gan";

/// The JSON header of a run checkpoint.
#[derive(Debug, Serialize, Deserialize)]
struct RunHeader {
    format: u32,
    task: String,
    #[serde(deserialize_with = "train_config_with_defaults")]
    settings: TrainConfig,
    state: TrainerState,
    /// Names of the series in the `history` section (none: no history saved).
    #[serde(default)]
    history_series: Vec<String>,
    /// `(name, length in bytes)` of each section, in file order.
    sections: Vec<(String, u64)>,
}

/// The values a run reported at each step so far (its charts), saved with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunHistory {
    /// Series names.
    pub series: Vec<String>,
    /// One value per series per step, step after step (`series.len()` values per step).
    pub values: Vec<f32>,
}

/// What a run checkpoint holds beyond the networks, to continue training exactly.
#[derive(Debug)]
pub struct ResumeState {
    /// Random streams and step count.
    pub state: TrainerState,
    /// G's optimiser record (a burnpack).
    pub optimizer_g: Vec<u8>,
    /// D's optimiser record (a burnpack).
    pub optimizer_d: Vec<u8>,
    /// The run's step values so far, when saved.
    pub history: Option<RunHistory>,
}

/// Why a checkpoint could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The bytes are not a burnpack, or its tensors do not fit the model.
    #[error("not a usable checkpoint: {0}")]
    Format(String),
    /// The burnpack is valid but is not the kind of checkpoint asked for.
    #[error("this file is a {found} checkpoint, not a {expected} checkpoint")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    /// The stored settings are unreadable or invalid.
    #[error("checkpoint settings are invalid: {0}")]
    Config(String),
    /// The tensors do not fit the architecture the stored settings describe.
    #[error("the weights do not fit {0}")]
    Architecture(String),
    /// Written by a newer playground, in a layout this one cannot read.
    #[error(
        "written by a newer playground (format {found}; this one reads up to {supported}): reload the page or update the command line"
    )]
    NewerFormat {
        /// The file's format version.
        found: u32,
        /// The newest this code reads.
        supported: u32,
    },
}

/// Generator and discriminator saved together.
#[derive(Module, Debug)]
pub struct GanPair {
    /// The generator.
    pub generator: Generator,
    /// The discriminator.
    pub discriminator: Discriminator,
    /// The moving average of the generator's weights, when the run keeps one.
    pub ema_generator: Option<Generator>,
}

/// A decoded GAN checkpoint.
#[derive(Debug)]
pub struct GanCheckpoint {
    /// The run's settings.
    pub config: TrainConfig,
    /// Generator steps taken.
    pub steps: u64,
    /// Updates averaged into `networks.ema_generator` (0 without one).
    pub ema_updates: u64,
    /// The networks, on the device they were loaded to.
    pub networks: GanPair,
    /// Optimiser states and random streams (run checkpoints only; `None` for a bare networks
    /// burnpack, which resumes with fresh optimisers).
    pub resume: Option<ResumeState>,
}

fn save<M: Module>(module: &M, store: BurnpackStore) -> Result<Vec<u8>, CheckpointError> {
    let mut store = store;
    module
        .valid()
        .save_into(&mut store)
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    let bytes = store
        .get_bytes()
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    Ok(bytes.to_vec())
}

fn load<M: Module>(module: &mut M, bytes: &[u8]) -> Result<(), CheckpointError> {
    load_as(module, bytes, false, "the model")
}

/// Loads `bytes` into `module` (`half`: the file's weights are f16), naming `what` the module
/// is when the tensors do not fit it.
fn load_as<M: Module>(
    module: &mut M,
    bytes: &[u8],
    half: bool,
    what: &str,
) -> Result<(), CheckpointError> {
    // Partial loads report missing tensors in the result (checked below) instead of failing.
    let mut store =
        BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec()))).allow_partial(true);
    if half {
        store = store.with_from_adapter(burn::store::HalfPrecisionAdapter::new());
    }
    let result = module
        .load_from(&mut store)
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        let example = result
            .missing
            .first()
            .map(|m| format!(" (no `{}`)", m.0))
            .unwrap_or_default();
        return Err(CheckpointError::Architecture(format!(
            "{what}: {} tensors missing, {} mismatched{example}",
            result.missing.len(),
            result.errors.len()
        )));
    }
    Ok(())
}

fn metadata(bytes: &[u8]) -> Result<std::collections::BTreeMap<String, String>, CheckpointError> {
    let reader = burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    Ok(reader.metadata().clone())
}

fn check_kind(
    meta: &std::collections::BTreeMap<String, String>,
    expected: &'static str,
) -> Result<(), CheckpointError> {
    match meta.get(KIND_KEY) {
        Some(kind) if kind == expected => Ok(()),
        Some(kind) => Err(CheckpointError::WrongKind {
            expected,
            found: kind.clone(),
        }),
        None => Err(CheckpointError::WrongKind {
            expected,
            found: "non-playground".into(),
        }),
    }
}

/// Saves a GAN with its settings and step count, and its moving-average generator with the
/// number of updates it averaged, if any.
pub fn save_gan(
    generator: &Generator,
    discriminator: &Discriminator,
    ema: Option<(Generator, u64)>,
    config: &TrainConfig,
    steps: u64,
) -> Result<Vec<u8>, CheckpointError> {
    let json = serde_json::to_string(config).map_err(|e| CheckpointError::Config(e.to_string()))?;
    let mut store = BurnpackStore::from_bytes(None)
        .metadata(KIND_KEY, "gan")
        .metadata(CONFIG_KEY, json)
        .metadata(STEPS_KEY, steps.to_string());
    if let Some((_, updates)) = &ema {
        store = store.metadata(EMA_KEY, updates.to_string());
    }
    let pair = GanPair {
        generator: generator.clone(),
        discriminator: discriminator.clone(),
        ema_generator: ema.map(|(g, _)| g),
    };
    save(&pair, store)
}

/// Saves everything needed to continue `trainer`'s run exactly: the networks (with the EMA
/// generator), both optimiser states, the random streams and the step count, with a header
/// naming the format, the task and the settings, and the run's `history` (its charts).
pub fn save_run(trainer: &GanTrainer, history: &RunHistory) -> Result<Vec<u8>, CheckpointError> {
    let networks = save_gan(
        trainer.generator(),
        trainer.discriminator(),
        trainer.ema_generator(),
        trainer.config(),
        trainer.steps(),
    )?;
    let (optimizer_g, optimizer_d) = trainer
        .optimizer_records()
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    let history_bytes: Vec<u8> = history
        .values
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let sections = [
        ("networks", networks),
        ("optimizer_g", optimizer_g),
        ("optimizer_d", optimizer_d),
        ("history", history_bytes),
    ];
    let header = RunHeader {
        format: RUN_FORMAT,
        task: GAN_TASK.into(),
        settings: trainer.config().clone(),
        state: trainer.state(),
        history_series: history.series.clone(),
        sections: sections
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.len() as u64))
            .collect(),
    };
    let json = serde_json::to_vec(&header).map_err(|e| CheckpointError::Config(e.to_string()))?;
    let total = 12 + json.len() + sections.iter().map(|(_, b)| b.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(RUN_MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for (_, bytes) in &sections {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// A run checkpoint's header and its named sections.
type RunParts<'a> = (RunHeader, Vec<(String, &'a [u8])>);

/// Splits a run checkpoint into its header and named sections (`None`: not a run checkpoint).
fn split_run(bytes: &[u8]) -> Option<Result<RunParts<'_>, CheckpointError>> {
    let rest = bytes.strip_prefix(RUN_MAGIC)?;
    let bad = |what: &str| CheckpointError::Format(format!("truncated run checkpoint ({what})"));
    Some((|| {
        let (len, rest) = rest
            .split_at_checked(4)
            .ok_or_else(|| bad("header length"))?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let (json, mut rest) = rest.split_at_checked(len).ok_or_else(|| bad("header"))?;
        let header: RunHeader = serde_json::from_slice(json)
            .map_err(|e| CheckpointError::Config(format!("header: {e}")))?;
        if header.format > RUN_FORMAT {
            return Err(CheckpointError::NewerFormat {
                found: header.format,
                supported: RUN_FORMAT,
            });
        }
        if header.task != GAN_TASK {
            return Err(CheckpointError::WrongKind {
                expected: GAN_TASK,
                found: header.task.clone(),
            });
        }
        let mut sections = Vec::new();
        for (name, len) in &header.sections {
            let (body, tail) = rest
                .split_at_checked(*len as usize)
                .ok_or_else(|| bad(name))?;
            sections.push((name.clone(), body));
            rest = tail;
        }
        Ok((header, sections))
    })())
}

/// Loads a GAN checkpoint onto `device`: a run checkpoint ([`save_run`]) or a bare networks
/// burnpack ([`save_gan`]).
pub fn load_gan(bytes: &[u8], device: &Device) -> Result<GanCheckpoint, CheckpointError> {
    let Some(run) = split_run(bytes) else {
        return load_networks(bytes, device);
    };
    let (header, sections) = run?;
    let section = |name: &str| {
        sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| CheckpointError::Format(format!("no {name} section")))
    };
    let mut checkpoint = load_networks(section("networks")?, device)?;
    let history = match section("history") {
        Ok(bytes) if !header.history_series.is_empty() => {
            let per_step = header.history_series.len();
            if bytes.len() % (4 * per_step) != 0 {
                return Err(CheckpointError::Format(
                    "the history section does not hold whole steps".into(),
                ));
            }
            let values = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            Some(RunHistory {
                series: header.history_series.clone(),
                values,
            })
        }
        _ => None,
    };
    checkpoint.resume = Some(ResumeState {
        state: header.state,
        optimizer_g: section("optimizer_g")?.to_vec(),
        optimizer_d: section("optimizer_d")?.to_vec(),
        history,
    });
    Ok(checkpoint)
}

/// Whether resuming restores the optimisers' states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizers {
    /// Restore them: the run continues exactly.
    Restore,
    /// Start them afresh (moments and bias correction restart). Burn 0.22.1 materialises an
    /// optimiser record on `Device::default()`, which in a browser worker is an uninitialised
    /// WebGPU device, so the page cannot restore them.
    Fresh,
}

/// A trainer that continues a checkpoint's run on `device` for a data set of `data_len`
/// digits: exactly, for a run checkpoint with [`Optimizers::Restore`]; with fresh optimisers
/// for a bare networks burnpack or [`Optimizers::Fresh`] (networks, moving average, step count
/// and random streams are restored either way).
pub fn resume_trainer(
    bytes: &[u8],
    data_len: usize,
    device: &Device,
    optimizers: Optimizers,
) -> Result<(GanTrainer, Option<RunHistory>), CheckpointError> {
    // Loaded straight onto the training (autodiff) device, so the parameters stay tracked.
    let training = device.clone().autodiff();
    if !bytes.starts_with(RUN_MAGIC)
        && let Ok(meta) = metadata(bytes)
        && meta.get(KIND_KEY).map(String::as_str) == Some(GENERATOR_KIND)
    {
        // A generator file: fine-tune it against a fresh discriminator.
        let file = load_generator_file(bytes, &meta, &training)?;
        let trainer = GanTrainer::new(file.config.clone(), data_len, device)
            .map_err(|e| CheckpointError::Config(e.to_string()))?;
        let discriminator = file.config.architecture.init_discriminator(&training);
        let ema = (file.config.ema_decay > 0.0).then(|| (file.generator.clone(), 1));
        return Ok((
            trainer.with_networks(file.generator, discriminator, ema, file.steps),
            None,
        ));
    }
    let checkpoint = load_gan(bytes, &training)?;
    let GanCheckpoint {
        config,
        steps,
        ema_updates,
        networks,
        resume,
    } = checkpoint;
    let trainer = GanTrainer::new(config, data_len, device)
        .map_err(|e| CheckpointError::Config(e.to_string()))?
        .with_networks(
            networks.generator,
            networks.discriminator,
            networks.ema_generator.map(|g| (g, ema_updates)),
            steps,
        );
    match resume {
        Some(r) => {
            let records = match optimizers {
                Optimizers::Restore => Some((&r.optimizer_g[..], &r.optimizer_d[..])),
                Optimizers::Fresh => None,
            };
            let trainer = trainer
                .resume(&r.state, records)
                .map_err(|e| CheckpointError::Format(e.to_string()))?;
            Ok((trainer, r.history))
        }
        None => Ok((trainer, None)),
    }
}

fn load_networks(bytes: &[u8], device: &Device) -> Result<GanCheckpoint, CheckpointError> {
    let meta = metadata(bytes)?;
    check_kind(&meta, "gan")?;
    let config = stored_config(&meta)?;
    let steps = meta
        .get(STEPS_KEY)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // Checkpoints from before the EMA was saved have no key and no `ema_generator.*` tensors.
    let ema_updates = match meta.get(EMA_KEY) {
        Some(s) => s
            .parse()
            .map_err(|_| CheckpointError::Config(format!("EMA update count '{s}'")))?,
        None => 0,
    };
    let mut networks = GanPair {
        generator: config.architecture.init_generator(device),
        discriminator: config.architecture.init_discriminator(device),
        ema_generator: meta
            .contains_key(EMA_KEY)
            .then(|| config.architecture.init_generator(device)),
    };
    load(&mut networks, bytes)?;
    Ok(GanCheckpoint {
        config,
        steps,
        ema_updates,
        networks,
        resume: None,
    })
}

/// How a generator file stores its weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats throughout.
    F32,
    /// Linear, embedding and convolution weights in 16-bit floats (half the size);
    /// normalisation statistics stay f32 (BatchNorm's running variance underflows in f16).
    F16,
    /// Linear, embedding and convolution weights as 8-bit integers with one f32 scale per
    /// tensor (symmetric, min–max calibrated: a quarter of f32); biases and normalisation stay
    /// f32. Turned back into f32 on load.
    Q8,
}

impl Precision {
    /// `f32`, `f16` or `q8`.
    pub fn id(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F16 => "f16",
            Precision::Q8 => "q8",
        }
    }

    /// How a reader is told, e.g. on a model's card.
    pub fn label(self) -> &'static str {
        match self {
            Precision::F32 => "32-bit float weights",
            Precision::F16 => "16-bit float weights",
            Precision::Q8 => "8-bit integer weights (q8)",
        }
    }
}

/// The parameters [`Precision::Q8`] quantises: every `weight` (Linear, Conv, ConvTranspose,
/// Embedding), never a bias or a normalisation parameter.
fn quantised_weights() -> Result<burn::module::ParamGroup, CheckpointError> {
    burn::module::ParamGroup::from_regex(r"(^|\.)weight$")
        .map_err(|e| CheckpointError::Format(format!("weight pattern: {e:?}")))
}

/// Turns every quantised float parameter of a module back into a trainable f32 one (others are
/// unchanged): on an autodiff device a dequantised tensor is a new leaf that tracks no gradient,
/// so a fine-tuned q8 generator would otherwise train only its biases and BatchNorm.
struct Dequantise;

impl burn::module::ModuleMapper for Dequantise {
    fn map_float<const D: usize>(
        &mut self,
        param: burn::module::Param<Tensor<D>>,
    ) -> burn::module::Param<Tensor<D>> {
        if matches!(param.val().dtype(), burn::tensor::DType::QFloat(_)) {
            param.map(|t| t.dequantize()).set_require_grad(true)
        } else {
            param
        }
    }
}

/// A generator to draw samples from, with the settings of the run that trained it.
#[derive(Debug)]
pub struct SamplerFile {
    /// The run's settings (architecture, conditioning, latent size…).
    pub config: TrainConfig,
    /// Generator steps the run took.
    pub steps: u64,
    /// The weights are the run's moving average of G.
    pub ema: bool,
    /// How the file stored them.
    pub precision: Precision,
    /// The generator, in inference mode.
    pub generator: Generator,
}

/// Saves one generator (`ema`: it is the run's moving average) for drawing samples.
pub fn save_generator(
    generator: &Generator,
    config: &TrainConfig,
    steps: u64,
    ema: bool,
    precision: Precision,
) -> Result<Vec<u8>, CheckpointError> {
    // Only 8-bit files need format 2; f32 and f16 files stay readable by older playgrounds.
    let format = if precision == Precision::Q8 {
        GENERATOR_FORMAT
    } else {
        1
    };
    save_generator_as(generator, config, steps, ema, precision, format)
}

fn save_generator_as(
    generator: &Generator,
    config: &TrainConfig,
    steps: u64,
    ema: bool,
    precision: Precision,
    format: u32,
) -> Result<Vec<u8>, CheckpointError> {
    let json = serde_json::to_string(config).map_err(|e| CheckpointError::Config(e.to_string()))?;
    let mut store = BurnpackStore::from_bytes(None)
        .metadata(KIND_KEY, GENERATOR_KIND)
        .metadata(FORMAT_KEY, format.to_string())
        .metadata(CONFIG_KEY, json)
        .metadata(STEPS_KEY, steps.to_string())
        .metadata(WEIGHTS_KEY, if ema { "ema" } else { "raw" })
        .metadata(PRECISION_KEY, precision.id());
    let mut module = GeneratorOnly {
        generator: generator.clone(),
    };
    match precision {
        Precision::F32 => {}
        Precision::F16 => store = store.with_to_adapter(burn::store::HalfPrecisionAdapter::new()),
        Precision::Q8 => {
            use burn::tensor::quantization::{Calibration, QuantScheme, QuantStore, QuantValue};
            let scheme = QuantScheme::default()
                .with_value(QuantValue::Q8S)
                .with_store(QuantStore::Native);
            let mut quantizer = burn::module::Quantizer::new(Calibration::MinMax, scheme);
            module = module.quantize_weights_group(&mut quantizer, quantised_weights()?);
        }
    }
    save(&module, store)
}

/// The module a generator file holds (so its tensors are named `generator.*`, as in a GAN
/// checkpoint).
#[derive(Module, Debug)]
struct GeneratorOnly {
    generator: Generator,
}

fn stored_config(
    meta: &std::collections::BTreeMap<String, String>,
) -> Result<TrainConfig, CheckpointError> {
    stored_settings(meta, CONFIG_KEY, &TrainConfig::new())
}

/// A run header's settings, with the settings added since it was written at their defaults.
fn train_config_with_defaults<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<TrainConfig, D::Error> {
    let stored = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    with_defaults(stored, &TrainConfig::new()).map_err(serde::de::Error::custom)
}

/// `stored` settings over `defaults` (nested objects merged key by key, so a setting added
/// since a file was written takes its default), validated.
fn with_defaults<C>(stored: serde_json::Value, defaults: &C) -> Result<C, CheckpointError>
where
    C: crate::core::settings::Settings + serde::Serialize + serde::de::DeserializeOwned,
{
    fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
        match (into, from) {
            (serde_json::Value::Object(into), serde_json::Value::Object(from)) => {
                for (key, value) in from {
                    match into.get_mut(&key) {
                        Some(slot) => merge(slot, value),
                        None => {
                            into.insert(key, value);
                        }
                    }
                }
            }
            (slot, value) => *slot = value,
        }
    }
    let bad = |e: serde_json::Error| CheckpointError::Config(e.to_string());
    if !stored.is_object() {
        return Err(CheckpointError::Config(
            "the stored settings are no object".into(),
        ));
    }
    let mut merged = serde_json::to_value(defaults).map_err(bad)?;
    merge(&mut merged, stored);
    let config: C = serde_json::from_value(merged).map_err(bad)?;
    crate::core::settings::validate(&config)
        .map_err(|errors| CheckpointError::Config(errors.to_string()))?;
    Ok(config)
}

/// A generator file's contents, with the generator on `device` as stored (trainable on an
/// autodiff device).
fn load_generator_file(
    bytes: &[u8],
    meta: &std::collections::BTreeMap<String, String>,
    device: &Device,
) -> Result<SamplerFile, CheckpointError> {
    check_kind(meta, GENERATOR_KIND)?;
    let format: u32 = meta
        .get(FORMAT_KEY)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| CheckpointError::Format("no format version".into()))?;
    if format > GENERATOR_FORMAT {
        return Err(CheckpointError::NewerFormat {
            found: format,
            supported: GENERATOR_FORMAT,
        });
    }
    let config = stored_config(meta)?;
    let precision = match meta.get(PRECISION_KEY).map(String::as_str) {
        Some("f16") => Precision::F16,
        Some("q8") => Precision::Q8,
        Some("f32") | None => Precision::F32,
        Some(other) => return Err(CheckpointError::Format(format!("precision '{other}'"))),
    };
    let mut module = GeneratorOnly {
        generator: config.architecture.init_generator(device),
    };
    let what = format!("a {} generator", config.architecture.kind.label());
    load_as(&mut module, bytes, precision == Precision::F16, &what)?;
    if precision == Precision::Q8 {
        module = module.map(&mut Dequantise);
    }
    Ok(SamplerFile {
        steps: meta
            .get(STEPS_KEY)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        ema: meta.get(WEIGHTS_KEY).map(String::as_str) == Some("ema"),
        precision,
        generator: module.generator,
        config,
    })
}

/// Loads a generator to sample from: a generator file ([`save_generator`]), or the sampling
/// generator (the moving average where the run kept one) of any GAN checkpoint.
pub fn load_sampler(bytes: &[u8], device: &Device) -> Result<SamplerFile, CheckpointError> {
    if bytes.starts_with(RUN_MAGIC) {
        return from_gan(load_gan(bytes, device)?);
    }
    let meta = metadata(bytes)?;
    if meta.get(KIND_KEY).map(String::as_str) == Some("gan") {
        return from_gan(load_networks(bytes, device)?);
    }
    let mut file = load_generator_file(bytes, &meta, device)?;
    file.generator = file.generator.valid();
    Ok(file)
}

fn from_gan(checkpoint: GanCheckpoint) -> Result<SamplerFile, CheckpointError> {
    let networks = checkpoint.networks;
    let ema = networks.ema_generator.is_some();
    Ok(SamplerFile {
        config: checkpoint.config,
        steps: checkpoint.steps,
        ema,
        precision: Precision::F32,
        generator: networks.ema_generator.unwrap_or(networks.generator).valid(),
    })
}

/// Saves the MNIST classifier (default architecture).
pub fn save_classifier(classifier: &Classifier) -> Result<Vec<u8>, CheckpointError> {
    save(
        classifier,
        BurnpackStore::from_bytes(None).metadata(KIND_KEY, "classifier"),
    )
}

/// Loads the MNIST classifier onto `device`.
pub fn load_classifier(bytes: &[u8], device: &Device) -> Result<Classifier, CheckpointError> {
    check_kind(&metadata(bytes)?, "classifier")?;
    let mut classifier = ClassifierConfig::new().init(device);
    load(&mut classifier, bytes)?;
    Ok(classifier)
}

/// Settings stored in a file that the trainer refuses.
impl From<crate::core::train::FieldErrors> for CheckpointError {
    fn from(errors: crate::core::train::FieldErrors) -> Self {
        CheckpointError::Config(errors.to_string())
    }
}

/// The `kind` of a super-resolution file.
pub const SUPERRES_KIND: &str = "superres";
/// The super-resolution file layout this code writes (and the newest it reads).
pub const SUPERRES_FORMAT: u32 = 1;
const SR_CONFIG_KEY: &str = "gan_playground.superres_config";

/// A super-resolution generator, and its discriminator when saved to continue training.
#[derive(Module, Debug)]
pub struct SrPair {
    /// The generator.
    pub generator: SrGenerator,
    /// The discriminator (absent in a file made only to upscale).
    pub discriminator: Option<SrDiscriminator>,
}

/// A decoded super-resolution file.
#[derive(Debug)]
pub struct SrFile {
    /// The run's settings.
    pub config: SrConfig,
    /// Generator steps taken.
    pub steps: u64,
    /// The networks, on the device they were loaded to (trainable on an autodiff device).
    pub networks: SrPair,
}

/// Saves a super-resolution run's networks (burnpack, f32) with its settings and steps.
pub fn save_superres(
    generator: &SrGenerator,
    discriminator: Option<&SrDiscriminator>,
    config: &SrConfig,
    steps: u64,
) -> Result<Vec<u8>, CheckpointError> {
    let json = serde_json::to_string(config).map_err(|e| CheckpointError::Config(e.to_string()))?;
    let store = BurnpackStore::from_bytes(None)
        .metadata(KIND_KEY, SUPERRES_KIND)
        .metadata(FORMAT_KEY, SUPERRES_FORMAT.to_string())
        .metadata(SR_CONFIG_KEY, json)
        .metadata(STEPS_KEY, steps.to_string());
    let pair = SrPair {
        generator: generator.clone(),
        discriminator: discriminator.cloned(),
    };
    save(&pair, store)
}

/// Loads a super-resolution file ([`save_superres`]) onto `device`; any other file gets a
/// [`CheckpointError::WrongKind`] (or [`CheckpointError::Format`] when it is no burnpack).
pub fn load_superres(bytes: &[u8], device: &Device) -> Result<SrFile, CheckpointError> {
    let meta = task_metadata(bytes, SUPERRES_KIND, SUPERRES_FORMAT)?;
    let config: SrConfig = stored_settings(&meta, SR_CONFIG_KEY, &SrConfig::new())?;
    let names = tensor_names(bytes)?;
    let has_discriminator = names.iter().any(|name| name.starts_with("discriminator."));
    let mut networks = SrPair {
        generator: config.init_generator(device),
        discriminator: has_discriminator.then(|| config.init_discriminator(device)),
    };
    load_as(&mut networks, bytes, false, "the super-resolution networks")?;
    Ok(SrFile {
        steps: stored_steps(&meta, STEPS_KEY),
        config,
        networks,
    })
}

/// The metadata of a task's file of `kind`, checked: its kind and a format no newer than
/// `format`.
fn task_metadata(
    bytes: &[u8],
    kind: &'static str,
    format: u32,
) -> Result<std::collections::BTreeMap<String, String>, CheckpointError> {
    if bytes.starts_with(RUN_MAGIC) {
        return Err(CheckpointError::WrongKind {
            expected: kind,
            found: "GAN training run".into(),
        });
    }
    let meta = metadata(bytes)?;
    check_kind(&meta, kind)?;
    let found: u32 = meta
        .get(FORMAT_KEY)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| CheckpointError::Format("no format version".into()))?;
    if found > format {
        return Err(CheckpointError::NewerFormat {
            found,
            supported: format,
        });
    }
    Ok(meta)
}

/// The valid settings stored under `key`; settings added since the file was written take
/// their value in `defaults`.
fn stored_settings<C>(
    meta: &std::collections::BTreeMap<String, String>,
    key: &str,
    defaults: &C,
) -> Result<C, CheckpointError>
where
    C: crate::core::settings::Settings + serde::Serialize + serde::de::DeserializeOwned,
{
    let json = meta
        .get(key)
        .ok_or_else(|| CheckpointError::Config("no settings stored".into()))?;
    let stored = serde_json::from_str(json).map_err(|e| CheckpointError::Config(e.to_string()))?;
    with_defaults(stored, defaults)
}

fn stored_steps(meta: &std::collections::BTreeMap<String, String>, key: &str) -> u64 {
    meta.get(key).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn tensor_names(bytes: &[u8]) -> Result<Vec<String>, CheckpointError> {
    Ok(
        burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| CheckpointError::Format(e.to_string()))?
            .tensor_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
    )
}

/// The `kind` of a colourisation file.
pub const COLOR_KIND: &str = "colorize";
/// The colourisation file layout this code writes (and the newest it reads).
pub const COLOR_FORMAT: u32 = 1;
const COLOR_CONFIG_KEY: &str = "gan_playground.color_config";

/// A colourising generator, and its discriminator when saved to continue training.
#[derive(Module, Debug)]
pub struct ColorPair {
    /// The generator.
    pub generator: ColorGenerator,
    /// The discriminator (absent in a file made only to colourise).
    pub discriminator: Option<PatchDiscriminator>,
}

/// A decoded colourisation file.
#[derive(Debug)]
pub struct ColorFile {
    /// The run's settings.
    pub config: ColorConfig,
    /// Generator steps taken.
    pub steps: u64,
    /// The networks, on the device they were loaded to (trainable on an autodiff device).
    pub networks: ColorPair,
}

/// Saves a colourisation run's networks (burnpack, f32) with its settings and steps.
pub fn save_color(
    generator: &ColorGenerator,
    discriminator: Option<&PatchDiscriminator>,
    config: &ColorConfig,
    steps: u64,
) -> Result<Vec<u8>, CheckpointError> {
    let json = serde_json::to_string(config).map_err(|e| CheckpointError::Config(e.to_string()))?;
    let store = BurnpackStore::from_bytes(None)
        .metadata(KIND_KEY, COLOR_KIND)
        .metadata(FORMAT_KEY, COLOR_FORMAT.to_string())
        .metadata(COLOR_CONFIG_KEY, json)
        .metadata(STEPS_KEY, steps.to_string());
    let pair = ColorPair {
        generator: generator.clone(),
        discriminator: discriminator.cloned(),
    };
    save(&pair, store)
}

/// Loads a colourisation file ([`save_color`]) onto `device`; any other file gets a
/// [`CheckpointError::WrongKind`] (or [`CheckpointError::Format`] when it is no burnpack).
pub fn load_color(bytes: &[u8], device: &Device) -> Result<ColorFile, CheckpointError> {
    let meta = task_metadata(bytes, COLOR_KIND, COLOR_FORMAT)?;
    let config: ColorConfig = stored_settings(&meta, COLOR_CONFIG_KEY, &ColorConfig::new())?;
    let names = tensor_names(bytes)?;
    let has_discriminator = names.iter().any(|name| name.starts_with("discriminator."));
    let mut networks = ColorPair {
        generator: config.init_generator(device),
        discriminator: has_discriminator.then(|| config.init_discriminator(device)),
    };
    load_as(&mut networks, bytes, false, "the colourisation networks")?;
    Ok(ColorFile {
        steps: stored_steps(&meta, STEPS_KEY),
        config,
        networks,
    })
}

/// The `kind` of a CycleGAN file.
pub const CYCLE_KIND: &str = "cyclegan";
/// The CycleGAN file layout this code writes (and the newest it reads).
pub const CYCLE_FORMAT: u32 = 1;
const CYCLE_CONFIG_KEY: &str = "gan_playground.cycle_config";
const TWIN_CONFIG_KEY: &str = "gan_playground.twin_config";
const TWIN_STEPS_KEY: &str = "gan_playground.twin_steps";

/// One CycleGAN's networks: the generators, and the discriminators when saved to continue
/// training.
#[derive(Module, Debug)]
pub struct CycleNets {
    /// G and F.
    pub generators: CycleGenerators,
    /// D_X and D_Y (absent in a file made only to translate).
    pub discriminators: Option<CycleDiscriminators>,
}

/// The networks of a CycleGAN file: the run and, when saved with one, its λ = 0 twin.
#[derive(Module, Debug)]
pub struct CycleRuns {
    /// The run.
    pub main: CycleNets,
    /// The twin trained beside it.
    pub twin: Option<CycleNets>,
}

/// One saved CycleGAN: settings, steps and networks.
#[derive(Debug)]
pub struct CycleRun {
    /// Its settings.
    pub config: CycleConfig,
    /// Steps taken.
    pub steps: u64,
    /// Its networks, on the device they were loaded to (trainable on an autodiff device).
    pub nets: CycleNets,
}

/// A decoded CycleGAN file.
#[derive(Debug)]
pub struct CycleFile {
    /// The run.
    pub main: CycleRun,
    /// Its twin, when the file holds one.
    pub twin: Option<CycleRun>,
}

/// A CycleGAN run to save: settings, steps, generators and (optionally) discriminators.
pub type CycleSave<'a> = (
    &'a CycleConfig,
    u64,
    &'a CycleGenerators,
    Option<&'a CycleDiscriminators>,
);

/// Saves a CycleGAN run and, optionally, its twin (burnpack, f32) with settings and steps.
pub fn save_cycle(
    main: CycleSave<'_>,
    twin: Option<CycleSave<'_>>,
) -> Result<Vec<u8>, CheckpointError> {
    let json = |c: &CycleConfig| {
        serde_json::to_string(c).map_err(|e| CheckpointError::Config(e.to_string()))
    };
    let mut store = BurnpackStore::from_bytes(None)
        .metadata(KIND_KEY, CYCLE_KIND)
        .metadata(FORMAT_KEY, CYCLE_FORMAT.to_string())
        .metadata(CYCLE_CONFIG_KEY, json(main.0)?)
        .metadata(STEPS_KEY, main.1.to_string());
    if let Some(t) = &twin {
        store = store
            .metadata(TWIN_CONFIG_KEY, json(t.0)?)
            .metadata(TWIN_STEPS_KEY, t.1.to_string());
    }
    let nets = |(_, _, g, d): CycleSave<'_>| CycleNets {
        generators: g.clone(),
        discriminators: d.cloned(),
    };
    let runs = CycleRuns {
        main: nets(main),
        twin: twin.map(nets),
    };
    save(&runs, store)
}

/// Loads a CycleGAN file ([`save_cycle`]) onto `device`; any other file gets a
/// [`CheckpointError::WrongKind`] (or [`CheckpointError::Format`] when it is no burnpack).
pub fn load_cycle(bytes: &[u8], device: &Device) -> Result<CycleFile, CheckpointError> {
    let meta = task_metadata(bytes, CYCLE_KIND, CYCLE_FORMAT)?;
    let main: CycleConfig = stored_settings(&meta, CYCLE_CONFIG_KEY, &CycleConfig::new())?;
    let twin: Option<CycleConfig> = meta
        .contains_key(TWIN_CONFIG_KEY)
        .then(|| stored_settings(&meta, TWIN_CONFIG_KEY, &CycleConfig::new()))
        .transpose()?;
    let names = tensor_names(bytes)?;
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    let nets = |config: &CycleConfig, prefix: &str| CycleNets {
        generators: config.init_generators(device),
        discriminators: has(&format!("{prefix}.discriminators."))
            .then(|| config.init_discriminators(device)),
    };
    let mut runs = CycleRuns {
        main: nets(&main, "main"),
        twin: twin.as_ref().map(|t| nets(t, "twin")),
    };
    load_as(&mut runs, bytes, false, "the CycleGAN networks")?;
    Ok(CycleFile {
        main: CycleRun {
            steps: stored_steps(&meta, STEPS_KEY),
            config: main,
            nets: runs.main,
        },
        twin: twin.zip(runs.twin).map(|(config, nets)| CycleRun {
            steps: stored_steps(&meta, TWIN_STEPS_KEY),
            config,
            nets,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_added_after_a_file_was_written_take_their_defaults() {
        use crate::core::cyclegan::Domain;
        // A CycleGAN file from before the domain setting existed: typeset digits.
        let mut stored = serde_json::to_value(CycleConfig::new().with_seed(5)).unwrap();
        stored.as_object_mut().unwrap().remove("domain");
        let meta = std::collections::BTreeMap::from([("k".to_string(), stored.to_string())]);
        let config: CycleConfig = stored_settings(&meta, "k", &CycleConfig::new()).unwrap();
        assert_eq!((config.domain, config.seed), (Domain::Typeset, 5));
        // What is stored wins over the defaults; what is invalid is refused.
        let colour = CycleConfig::new().with_domain(Domain::Colour);
        let meta = std::collections::BTreeMap::from([
            ("k".to_string(), serde_json::to_string(&colour).unwrap()),
            ("list".to_string(), "[1, 2]".to_string()),
            ("bad".to_string(), r#"{"batch_size": 0}"#.to_string()),
        ]);
        let config: CycleConfig = stored_settings(&meta, "k", &CycleConfig::new()).unwrap();
        assert_eq!(config.domain, Domain::Colour);
        for key in ["list", "bad", "missing"] {
            let e = stored_settings(&meta, key, &CycleConfig::new()).unwrap_err();
            assert!(matches!(e, CheckpointError::Config(_)), "{key}: {e}");
        }
    }
    use crate::core::models::{ArchitectureConfig, DcganConfig, ModelKind, Upsampling};

    #[test]
    fn gan_round_trip_keeps_outputs_and_settings() {
        for upsampling in Upsampling::ALL {
            round_trip(upsampling);
        }
    }

    fn round_trip(upsampling: Upsampling) {
        let device = Device::flex();
        let config = TrainConfig::new().with_seed(7).with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(12)
                .with_dcgan(
                    DcganConfig::new()
                        .with_channels(8)
                        .with_upsampling(upsampling),
                )
                .with_normal_init(true),
        );
        let g = config.architecture.init_generator(&device);
        let d = config.architecture.init_discriminator(&device);
        let bytes = save_gan(&g, &d, None, &config, 42).unwrap();
        let loaded = load_gan(&bytes, &device).unwrap();
        assert_eq!(loaded.steps, 42);
        assert!(loaded.networks.ema_generator.is_none());
        assert_eq!(loaded.ema_updates, 0);
        assert_eq!(loaded.config.seed, 7);
        assert_eq!(loaded.config.architecture.kind, ModelKind::Dcgan);
        assert_eq!(loaded.config.architecture.dcgan.upsampling, upsampling);
        assert!(loaded.config.architecture.normal_init);
        let z = Tensor::<2>::ones([2, 12], &device);
        let a = g
            .valid()
            .forward(z.clone(), None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let b = loaded
            .networks
            .generator
            .valid()
            .forward(z, None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_moving_average_generator_is_saved_beside_g() {
        let device = Device::flex();
        let config = TrainConfig::new()
            .with_ema_decay(0.99)
            .with_architecture(ArchitectureConfig::new().with_latent_dim(8));
        let g = config.architecture.init_generator(&device);
        let d = config.architecture.init_discriminator(&device);
        let average = config.architecture.init_generator(&device);
        let bytes = save_gan(&g, &d, Some((average.clone(), 17)), &config, 20).unwrap();
        let loaded = load_gan(&bytes, &device).unwrap();
        assert_eq!(loaded.ema_updates, 17);
        let z = Tensor::<2>::ones([2, 8], &device);
        let outputs = |g: &Generator| {
            g.valid()
                .forward(z.clone(), None)
                .into_data()
                .try_to_vec::<f32>()
                .unwrap()
        };
        let restored = loaded.networks.ema_generator.expect("saved EMA generator");
        assert_eq!(outputs(&restored), outputs(&average));
        assert_ne!(outputs(&restored), outputs(&loaded.networks.generator));
    }

    fn stats(trainer: &mut GanTrainer, data: &crate::core::data::MnistSet, n: usize) -> Vec<f32> {
        (0..n)
            .flat_map(|_| {
                trainer
                    .step(data)
                    .unwrap()
                    .into_data()
                    .try_to_vec::<f32>()
                    .unwrap()
            })
            .collect()
    }

    /// Resuming a saved run reproduces the uninterrupted run's losses exactly on the CPU
    /// backend (flex is deterministic): same weights, optimiser moments, data order, latent
    /// vectors, labels, penalty interpolation weights and instance noise.
    #[test]
    fn a_resumed_run_continues_exactly_like_the_uninterrupted_one() {
        use crate::core::loss::GanLoss;
        use crate::core::models::{Conditioning, DcganConfig, MlpGanConfig};
        use crate::core::train::OptimizerKind;
        let device = Device::flex();
        let data = crate::core::data::MnistSet::from_parts(
            (0..6).collect(),
            (0..6 * 784).map(|i| (i % 251) as u8).collect(),
        )
        .unwrap();
        let arch = |kind| {
            ArchitectureConfig::new()
                .with_kind(kind)
                .with_latent_dim(8)
                .with_mlp(
                    MlpGanConfig::new()
                        .with_generator_hidden(vec![16, 32])
                        .with_discriminator_hidden(vec![32, 16]),
                )
                .with_dcgan(DcganConfig::new().with_channels(4).with_d_batch_norm(false))
        };
        let configs = [
            TrainConfig::new()
                .with_architecture(arch(ModelKind::Dcgan).with_conditioning(Conditioning::Acgan))
                .with_batch_size(4)
                .with_d_steps(2)
                .with_instance_noise(0.1)
                .with_ema_decay(0.9),
            TrainConfig::new()
                .with_architecture(arch(ModelKind::Mlp).with_conditioning(Conditioning::Cgan))
                .with_loss(GanLoss::WassersteinGp)
                .with_optimizer_d(OptimizerKind::RmsProp)
                .with_batch_size(4)
                .with_seed(3),
        ];
        for config in configs {
            let mut whole = GanTrainer::new(config.clone(), data.len(), &device).unwrap();
            let expected = stats(&mut whole, &data, 6);
            let mut first = GanTrainer::new(config, data.len(), &device).unwrap();
            let before = stats(&mut first, &data, 3);
            assert_eq!(before, expected[..12]);
            let history = RunHistory {
                series: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                values: before.clone(),
            };
            let bytes = save_run(&first, &history).unwrap();
            drop(first);
            assert!(load_gan(&bytes, &device).unwrap().resume.is_some());
            let (mut resumed, saved) =
                resume_trainer(&bytes, data.len(), &device, Optimizers::Restore).unwrap();
            assert_eq!(saved, Some(history), "the charts come back");
            assert_eq!(resumed.steps(), 3);
            assert_eq!(stats(&mut resumed, &data, 3), expected[12..]);
        }
    }

    #[test]
    fn run_checkpoints_are_refused_when_truncated_or_from_another_task() {
        let device = Device::flex();
        let data = crate::core::data::MnistSet::from_parts(vec![1; 4], vec![9; 4 * 784]).unwrap();
        let config = TrainConfig::new()
            .with_batch_size(2)
            .with_architecture(ArchitectureConfig::new().with_latent_dim(4));
        let trainer = GanTrainer::new(config, data.len(), &device).unwrap();
        let bytes = save_run(&trainer, &RunHistory::default()).unwrap();
        assert!(load_gan(&bytes, &device).is_ok());
        let cut = &bytes[..bytes.len() - 10];
        assert!(
            matches!(load_gan(cut, &device), Err(CheckpointError::Format(m)) if m.contains("truncated"))
        );
        let text = String::from_utf8_lossy(&bytes).replace("\"task\":\"gan\"", "\"task\":\"cyc\"");
        let other = text.into_bytes();
        if other.len() == bytes.len() {
            assert!(matches!(
                load_gan(&other, &device),
                Err(CheckpointError::WrongKind { .. })
            ));
        }
    }

    #[test]
    fn a_run_saved_before_a_setting_existed_loads_with_its_default() {
        let device = Device::flex();
        let data = crate::core::data::MnistSet::from_parts(vec![1; 4], vec![9; 4 * 784]).unwrap();
        let config = TrainConfig::new()
            .with_batch_size(2)
            .with_info_weight(3.0)
            .with_architecture(
                ArchitectureConfig::new()
                    .with_latent_dim(4)
                    .with_label_dim(7),
            );
        let trainer = GanTrainer::new(config, data.len(), &device).unwrap();
        let bytes = save_run(&trainer, &RunHistory::default()).unwrap();
        // The header as an older build wrote it: no `info_weight`, no `label_dim` (nested).
        let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let mut header: serde_json::Value = serde_json::from_slice(&bytes[12..12 + len]).unwrap();
        let settings = header["settings"].as_object_mut().unwrap();
        assert!(settings.remove("info_weight").is_some());
        let architecture = settings["architecture"].as_object_mut().unwrap();
        assert!(architecture.remove("label_dim").is_some());
        let json = serde_json::to_vec(&header).unwrap();
        let mut old = RUN_MAGIC.to_vec();
        old.extend_from_slice(&(json.len() as u32).to_le_bytes());
        old.extend_from_slice(&json);
        old.extend_from_slice(&bytes[12 + len..]);
        assert!(load_gan(&old, &device).is_ok());
        // The same merge reads generator files' and networks' stored settings.
        let config: TrainConfig =
            with_defaults(header["settings"].take(), &TrainConfig::new()).unwrap();
        assert_eq!(config.info_weight, TrainConfig::new().info_weight);
        assert_eq!(config.architecture.label_dim, 10);
        assert_eq!(config.architecture.latent_dim, 4);
        assert_eq!(config.batch_size, 2);
        assert_eq!(load_gan(&bytes, &device).unwrap().config.info_weight, 3.0);
    }

    #[test]
    fn bad_bytes_and_wrong_kinds_are_refused() {
        let device = Device::flex();
        assert!(matches!(
            load_gan(b"not a checkpoint", &device),
            Err(CheckpointError::Format(_))
        ));
        let classifier = ClassifierConfig::new().init(&device);
        let bytes = save_classifier(&classifier).unwrap();
        assert!(matches!(
            load_gan(&bytes, &device),
            Err(CheckpointError::WrongKind { .. })
        ));
        assert!(load_classifier(&bytes, &device).is_ok());
    }

    fn outputs(g: &Generator, latent: usize, device: &Device) -> Vec<f32> {
        let z = Tensor::<2>::ones([2, latent], device) * 0.3;
        g.valid()
            .forward(z, None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default()
    }

    fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn generator_files_round_trip_in_every_precision_at_a_fraction_of_the_size() {
        let device = Device::flex();
        let config = TrainConfig::new().with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(12)
                .with_dcgan(DcganConfig::new().with_channels(8))
                .with_normal_init(true),
        );
        let g = config.architecture.init_generator(&device);
        let want = outputs(&g, 12, &device);
        let full = save_generator(&g, &config, 9, true, Precision::F32).unwrap();
        let half = save_generator(&g, &config, 9, true, Precision::F16).unwrap();
        assert!(
            half.len() * 10 < full.len() * 6,
            "{} vs {}",
            half.len(),
            full.len()
        );
        let loaded = load_sampler(&full, &device).unwrap();
        assert_eq!(
            (loaded.steps, loaded.ema, loaded.precision),
            (9, true, Precision::F32)
        );
        assert_eq!(outputs(&loaded.generator, 12, &device), want);
        let loaded = load_sampler(&half, &device).unwrap();
        assert_eq!(loaded.precision, Precision::F16);
        let worst = largest_difference(&outputs(&loaded.generator, 12, &device), &want);
        assert!(
            worst > 0.0 && worst < 0.01,
            "f16 changed outputs by {worst}"
        );
        // 8-bit weights: about a quarter of f32 plus the f32 biases and BatchNorm, loaded as
        // f32 tensors that compute close to the originals.
        let q8 = save_generator(&g, &config, 9, true, Precision::Q8).unwrap();
        assert!(
            q8.len() * 10 < half.len() * 7,
            "{} vs {}",
            q8.len(),
            half.len()
        );
        let loaded = load_sampler(&q8, &device).unwrap();
        assert_eq!(loaded.precision, Precision::Q8);
        let worst = largest_difference(&outputs(&loaded.generator, 12, &device), &want);
        assert!(worst > 0.0 && worst < 0.05, "q8 changed outputs by {worst}");
        // Any GAN checkpoint serves too, with its moving average when it has one.
        let d = config.architecture.init_discriminator(&device);
        let gan = save_gan(&g, &d, None, &config, 3).unwrap();
        let loaded = load_sampler(&gan, &device).unwrap();
        assert_eq!((loaded.steps, loaded.ema), (3, false));
        assert_eq!(outputs(&loaded.generator, 12, &device), want);
    }

    #[test]
    fn corrupt_foreign_newer_and_misfitting_generator_files_get_their_own_errors() {
        let device = Device::flex();
        let dcgan = TrainConfig::new().with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(12)
                .with_dcgan(DcganConfig::new().with_channels(8)),
        );
        let mlp =
            TrainConfig::new().with_architecture(ArchitectureConfig::new().with_latent_dim(12));
        let g = dcgan.architecture.init_generator(&device);
        let good = save_generator(&g, &dcgan, 1, false, Precision::F16).unwrap();
        let cut = &good[..good.len() / 2];
        assert!(matches!(
            load_sampler(cut, &device),
            Err(CheckpointError::Format(_))
        ));
        let mut flipped = good.clone();
        flipped[..8].copy_from_slice(b"garbage!");
        assert!(matches!(
            load_sampler(&flipped, &device),
            Err(CheckpointError::Format(_))
        ));
        let classifier = save_classifier(&ClassifierConfig::new().init(&device)).unwrap();
        assert!(matches!(
            load_sampler(&classifier, &device),
            Err(CheckpointError::WrongKind { .. })
        ));
        let newer =
            save_generator_as(&g, &dcgan, 1, false, Precision::F32, GENERATOR_FORMAT + 1).unwrap();
        let e = load_sampler(&newer, &device).unwrap_err();
        assert!(matches!(
            e,
            CheckpointError::NewerFormat {
                found: 3,
                supported: 2
            }
        ));
        assert!(e.to_string().contains("newer playground"), "{e}");
        // A DCGAN's weights under an MLP's settings: the tensors do not fit.
        let misfit = save_generator(&g, &mlp, 1, false, Precision::F32).unwrap();
        let e = load_sampler(&misfit, &device).unwrap_err();
        assert!(matches!(e, CheckpointError::Architecture(_)), "{e}");
        assert!(e.to_string().contains("MLP"), "{e}");
    }

    #[test]
    fn a_generator_file_fine_tunes_from_its_weights_against_a_fresh_discriminator() {
        let device = Device::flex();
        let config = TrainConfig::new().with_batch_size(4).with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(12)
                .with_dcgan(DcganConfig::new().with_channels(8)),
        );
        let g = config.architecture.init_generator(&device);
        let file = save_generator(&g, &config, 700, true, Precision::F32).unwrap();
        let data = crate::core::data::MnistSet::decode(include_bytes!("../../www/data/mnist.bin"))
            .unwrap();
        let (mut trainer, history) =
            resume_trainer(&file, data.len(), &device, Optimizers::Restore).unwrap();
        assert!(history.is_none());
        assert_eq!(trainer.steps(), 700);
        assert_eq!(
            outputs(trainer.generator(), 12, &device),
            outputs(&g, 12, &device)
        );
        trainer.step(&data).unwrap();
        assert_eq!(trainer.steps(), 701);
        assert_ne!(
            outputs(trainer.generator(), 12, &device),
            outputs(&g, 12, &device)
        );
        // An 8-bit file fine-tunes every weight, not only its biases and BatchNorm.
        let q8 = save_generator(&g, &config, 700, true, Precision::Q8).unwrap();
        let (mut trainer, _) =
            resume_trainer(&q8, data.len(), &device, Optimizers::Restore).unwrap();
        let before = weights(trainer.generator());
        trainer.step(&data).unwrap();
        let after = weights(trainer.generator());
        assert!(!before.is_empty() && before.len() == after.len());
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert_ne!(b, a, "weight tensor {i} of the q8 generator did not train");
        }
    }

    /// The values of every parameter of two or more dimensions: the weights of Linear, Conv,
    /// ConvTranspose and Embedding layers (biases and BatchNorm are one-dimensional).
    fn weights(g: &Generator) -> Vec<Vec<f32>> {
        struct Weights(Vec<Vec<f32>>);
        impl burn::module::ModuleVisitor for Weights {
            fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
                if D >= 2 {
                    let values = param
                        .val()
                        .into_data()
                        .try_to_vec::<f32>()
                        .unwrap_or_default();
                    self.0.push(values);
                }
            }
        }
        let mut visitor = Weights(Vec::new());
        g.visit(&mut visitor);
        visitor.0
    }

    #[test]
    fn cycle_files_keep_both_runs_and_refuse_other_kinds() {
        use crate::core::cyclegan::CycleConfig;
        let device = Device::flex();
        device.seed(3);
        let config = CycleConfig::new().with_channels(2).with_blocks(1);
        let twin_config = config.clone().with_cycle_weight(0.0);
        let (g, d) = (
            config.init_generators(&device),
            config.init_discriminators(&device),
        );
        let g0 = twin_config.init_generators(&device);
        let bytes = save_cycle(
            (&config, 12, &g, Some(&d)),
            Some((&twin_config, 12, &g0, None)),
        )
        .unwrap();
        let file = load_cycle(&bytes, &device).unwrap();
        assert_eq!(file.main.steps, 12);
        assert!(file.main.nets.discriminators.is_some());
        let twin = file.twin.as_ref().unwrap();
        assert_eq!(twin.config.cycle_weight, 0.0);
        assert!(twin.nets.discriminators.is_none());
        let x = Tensor::<4>::ones([1, 1, 28, 28], &device).mul_scalar(0.3);
        let same = |a: &CycleGenerators, b: &CycleGenerators| {
            let (a, b) = (a.f.forward(x.clone()), b.f.forward(x.clone()));
            a.into_data().assert_eq(&b.into_data(), true);
        };
        same(&file.main.nets.generators, &g);
        same(&twin.nets.generators, &g0);
        // Without a twin, none comes back.
        let alone =
            load_cycle(&save_cycle((&config, 1, &g, None), None).unwrap(), &device).unwrap();
        assert!(alone.twin.is_none() && alone.main.nets.discriminators.is_none());
        // Another kind of file is refused by name.
        let sr = crate::core::superres::SrConfig::new().with_channels(4);
        let sr_bytes = save_superres(&sr.init_generator(&device), None, &sr, 1).unwrap();
        assert!(matches!(
            load_cycle(&sr_bytes, &device),
            Err(CheckpointError::WrongKind {
                expected: CYCLE_KIND,
                ..
            })
        ));
        assert!(load_cycle(&[1, 2, 3], &device).is_err());
    }
}
