//! The core: data, models, losses, training steps, metrics and checkpoints.
//!
//! Pure Burn: every function takes a `&Device` and none creates one; no web or file I/O.

pub mod checkpoint;
pub mod classifier;
pub mod colorize;
pub mod colour_digits;
pub mod cyclegan;
pub mod data;
pub mod digit_input;
pub mod domains;
pub mod image_metrics;
pub mod latent;
pub mod loss;
pub mod metrics;
pub mod models;
pub mod presets;
pub mod pretrained;
pub mod rng;
pub mod settings;
pub mod superres;
pub mod train;
pub mod train_settings;
