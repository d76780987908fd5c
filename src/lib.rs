//! GAN Playground: train GANs on MNIST in the browser tab or from the command line.
//!
//! Imports go one way, `bin → ui / cli → engine → core`:
//!
//! | module | what | built for |
//! |---|---|---|
//! | [`core`] | Burn only: data, models (one file each, `models/mod.rs` the registry), losses, the training step, presets, classifier, metrics, run checkpoints, resumable random streams, the settings registry (`settings`, with the GAN task's entries in `train_settings`), the super-resolution networks and trainer (`superres`), PSNR and SSIM (`image_metrics`). Takes a `&Device`, never creates one; no web or file I/O. | everywhere |
//! | [`engine`] | Tasks (`task`: the registry, named series, image panels and score tables; `gallery`, `superres`) and the session the page's worker and the CLI drive: typed `Command`s in, `Event`s out (`protocol`, `session`), metrics with one sampling path and seed (`evaluate`), its error type (`error`), where the compute runs (`backend`: the WebGPU probe, CPU or GPU worker), and the Web Worker host (`worker`, wasm only: device, shared assets). | everywhere |
//! | `ui` | Leptos views (`home`, `train`, `gallery`, `superres`) routed by the address (`options`: parsed once), a session in context per task, generic charts and image panels, the registry-driven forms (`controls` for the GAN, `task_form` for any task), a worker running one task (`task_worker`). | `web` feature |
//! | `cli` | The command line: arguments and one module per subcommand, `.npy` and PNG files. | `cli` feature |
//!
//! The binaries in `src/bin` only wire these up: `page` mounts the UI's `App`, `worker`
//! and `worker_gpu` (built with the `webgpu` feature) start the engine's worker host, `gan-playground` calls `cli::main`.

#[cfg(feature = "cli")]
pub mod cli;
pub mod core;
pub mod engine;
#[cfg(feature = "web")]
pub mod ui;
