//! The engine's error type, shared by the session and the evaluation code.

use burn::prelude::*;

use crate::core::checkpoint::CheckpointError;
use crate::core::train::StepError;
use crate::engine::protocol::{ErrorKind, WorkerError};

/// Why the engine could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Reading a tensor back from the device failed.
    #[error("reading results from the device failed: {0}")]
    Readback(String),
    /// A checkpoint could not be used.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A training step could not run.
    #[error(transparent)]
    Step(#[from] StepError),
    /// The device returned something of the wrong size.
    #[error("unexpected result from the device: {0}")]
    Shape(String),
    /// The engine's [`Compute`](super::task::Compute) returned without running the work it
    /// was handed (a training step, or the sample grid's forward passes).
    #[error("the thread pool returned without running the training step or the sample grid")]
    ComputeNotRun,
}

impl From<EngineError> for WorkerError {
    fn from(e: EngineError) -> Self {
        let kind = match e {
            EngineError::Checkpoint(_) => ErrorKind::Checkpoint,
            _ => ErrorKind::Training,
        };
        WorkerError::new(kind, e.to_string())
    }
}

/// Reads a float tensor back asynchronously (so it also works on browser WebGPU).
pub(crate) async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, EngineError> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| EngineError::Readback(format!("{e:?}")))?;
    data.try_into_vec_as::<f32>()
        .map_err(|e| EngineError::Readback(format!("{e:?}")))
}
