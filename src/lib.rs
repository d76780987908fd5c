//! GAN Playground: train GANs on MNIST in the browser tab or from the command line.
pub mod core;
