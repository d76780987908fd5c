//! Checkpoints in Burn's burnpack format, as bytes (the caller does the I/O).
//!
//! A GAN checkpoint is one burnpack holding `generator.*` and `discriminator.*` tensors (and
//! `ema_generator.*` when the run keeps a moving average of G), with the run's [`TrainConfig`]
//! (JSON), step count and EMA update count in the burnpack metadata.

use burn::prelude::*;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Bytes;

use crate::core::classifier::{Classifier, ClassifierConfig};
use crate::core::models::{Discriminator, Generator};
use crate::core::train::TrainConfig;

const CONFIG_KEY: &str = "gan_playground.train_config";
const STEPS_KEY: &str = "gan_playground.steps";
const KIND_KEY: &str = "gan_playground.kind";
const EMA_KEY: &str = "gan_playground.ema_updates";

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
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec())));
    let result = module
        .load_from(&mut store)
        .map_err(|e| CheckpointError::Format(e.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        return Err(CheckpointError::Format(format!(
            "{} tensors missing, {} mismatched",
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

/// Loads a GAN checkpoint onto `device`.
pub fn load_gan(bytes: &[u8], device: &Device) -> Result<GanCheckpoint, CheckpointError> {
    let meta = metadata(bytes)?;
    check_kind(&meta, "gan")?;
    let json = meta
        .get(CONFIG_KEY)
        .ok_or_else(|| CheckpointError::Config("no settings stored".into()))?;
    let config: TrainConfig =
        serde_json::from_str(json).map_err(|e| CheckpointError::Config(e.to_string()))?;
    config
        .validate()
        .map_err(|errors| CheckpointError::Config(errors.to_string()))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::models::{ArchitectureConfig, ModelKind};

    #[test]
    fn gan_round_trip_keeps_outputs_and_settings() {
        let device = Device::flex();
        let config = TrainConfig::new().with_seed(7).with_architecture(
            ArchitectureConfig::new()
                .with_kind(ModelKind::Dcgan)
                .with_latent_dim(12),
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
}
