//! The DCGAN learns MNIST: after a fixed number of CPU steps its samples are digits that the
//! playground's classifier recognises, and with the generator's loss sign flipped they are not.

use gan_playground::core::checkpoint::load_classifier;
use gan_playground::core::classifier::Classifier;
use gan_playground::core::data::MnistSet;
use gan_playground::core::metrics::ClassStats;
use gan_playground::core::models::{ArchitectureConfig, DcganConfig, ModelKind};
use gan_playground::core::train::{GanTrainer, TrainConfig, latent_noise};

use burn::prelude::*;
use rand::SeedableRng;

/// Steps of batch 64 on the CPU (see BENCHMARKS.md for the time this takes).
const STEPS: usize = 600;
const SAMPLES: usize = 500;

fn setup() -> (MnistSet, Classifier, Device) {
    let device = Device::flex();
    let data =
        MnistSet::decode(include_bytes!("../www/data/mnist.bin")).expect("shipped data decodes");
    let classifier = load_classifier(include_bytes!("../www/weights/classifier.bpk"), &device)
        .expect("shipped classifier loads");
    (data, classifier, device)
}

fn train_and_judge(sign: f32) -> ClassStats {
    let (data, classifier, device) = setup();
    let config = TrainConfig::new().with_seed(1).with_architecture(
        ArchitectureConfig::new()
            .with_kind(ModelKind::Dcgan)
            .with_dcgan(DcganConfig::new().with_channels(32)),
    );
    let latent = config.architecture.latent_dim;
    let mut trainer = GanTrainer::new(config, data.len(), &device)
        .expect("valid config")
        .with_generator_sign(sign);
    for _ in 0..STEPS {
        trainer.step(&data).into_data();
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let images = trainer.generate(latent_noise(&mut rng, SAMPLES, latent, &device), None);
    let probs = classifier
        .probabilities(images)
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32 probabilities");
    let stats = ClassStats::from_probabilities(&probs);
    eprintln!("sign {sign}: {stats:?}");
    stats
}

#[test]
fn dcgan_learns_recognisable_digits_of_most_classes() {
    let stats = train_and_judge(1.0);
    assert!(
        stats.classes_covered >= 8,
        "only {} classes: {:?}",
        stats.classes_covered,
        stats.histogram
    );
    assert!(
        stats.mean_max_prob >= 0.8,
        "mean max-probability {:.3} < 0.8",
        stats.mean_max_prob
    );
}

#[test]
fn the_bound_fails_when_the_generator_loss_sign_is_flipped() {
    let stats = train_and_judge(-1.0);
    assert!(
        stats.classes_covered < 8 || stats.mean_max_prob < 0.8,
        "a generator that helps D still passed the learning bound: {stats:?}"
    );
}
