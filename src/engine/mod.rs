//! The engine: a task's session driven by typed [`Command`]s, emitting typed [`Event`]s.
//!
//! The same code runs in the page's Web Worker and in the command line; only the device,
//! the clock and the transport differ.

pub mod backend;
pub mod colorize;
pub mod cyclegan;
pub mod demo;
#[cfg(feature = "web")]
pub mod download;
mod error;
pub mod evaluate;
pub mod gallery;
pub mod protocol;
mod session;
pub mod superres;
pub mod task;
#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod worker;

pub use error::EngineError;
pub use evaluate::{METRICS_SAMPLES, REAL_REFERENCE};
pub use protocol::{
    BackendChoice, BackendInfo, Command, ErrorKind, Event, StepRecord, ToWorker, WorkerError,
};
pub use session::{Engine, SAMPLE_EVERY, SAMPLE_GRID, gan_view};
