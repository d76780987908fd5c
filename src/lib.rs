//! GAN Playground: train GANs on MNIST in the browser tab or from the command line.
pub mod core;
pub mod engine;
#[cfg(feature = "web")]
pub mod ui;
