//! GAN Playground: train GANs on MNIST in the browser tab or from the command line.
#[cfg(feature = "cli")]
pub mod cli;
pub mod core;
pub mod engine;
#[cfg(feature = "web")]
pub mod ui;
