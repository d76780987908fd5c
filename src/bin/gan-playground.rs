//! Command-line trainer: trains the playground's models natively and writes the files the
//! page ships (classifier weights, checkpoints) plus samples for outside evaluation.

fn main() -> anyhow::Result<()> {
    gan_playground::cli::main()
}
