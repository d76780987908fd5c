//! The settings form: text fields parsed and validated before anything reaches the engine.

use leptos::prelude::*;

use crate::core::loss::GanLoss;
use crate::core::models::{ArchitectureConfig, DcganConfig, MlpGanConfig, ModelKind};
use crate::core::train::{FieldError, TrainConfig};

/// One numeric setting: identifier, label, tooltip and whether it applies mid-run.
pub struct FieldSpec {
    /// Identifier, as in [`FieldError::field`] and URL parameters.
    pub id: &'static str,
    /// Short label.
    pub label: &'static str,
    /// Tooltip: what it is and what a healthy value looks like.
    pub help: &'static str,
    /// Applies to a running session (otherwise on Reset).
    pub live: bool,
}

/// The numeric settings, in display order.
pub const FIELDS: [FieldSpec; 9] = [
    FieldSpec {
        id: "lr_g",
        label: "G learning rate",
        help: "Adam step size of the generator. 2e-4 is the DCGAN default; above 1e-3 training usually diverges.",
        live: true,
    },
    FieldSpec {
        id: "lr_d",
        label: "D learning rate",
        help: "Adam step size of the discriminator. Setting it apart from G's is the two-timescale rule (TTUR).",
        live: true,
    },
    FieldSpec {
        id: "beta1",
        label: "Adam β₁",
        help: "Momentum of Adam's first moment. GANs use 0.5 (the DCGAN paper); 0.9 tends to oscillate.",
        live: false,
    },
    FieldSpec {
        id: "beta2",
        label: "Adam β₂",
        help: "Decay of Adam's second moment; 0.999 is standard.",
        live: false,
    },
    FieldSpec {
        id: "batch_size",
        label: "Batch size",
        help: "Real and generated images per step; 64 is the guides' choice. Bigger is smoother but slower per step.",
        live: true,
    },
    FieldSpec {
        id: "latent_dim",
        label: "Latent size",
        help: "Length of the noise vector z that G turns into a digit; 100 in the guides.",
        live: false,
    },
    FieldSpec {
        id: "d_steps",
        label: "D steps per G step",
        help: "Discriminator updates before each generator update; 1 for the standard GAN.",
        live: true,
    },
    FieldSpec {
        id: "channels",
        label: "DCGAN channels",
        help: "DCGAN feature maps at 14×14 (twice as many at 7×7). 32 trains quickly in a tab; 64 matches the 128/64 DCGAN.",
        live: false,
    },
    FieldSpec {
        id: "seed",
        label: "Seed",
        help: "Seeds weights, noise and data order: the same seed replays the same run.",
        live: false,
    },
];

/// The form's raw text, keyed like [`FIELDS`], plus the two choices.
#[derive(Clone, Copy)]
pub struct Form {
    /// Model identifier.
    pub model: RwSignal<String>,
    /// Loss identifier.
    pub loss: RwSignal<String>,
    /// Values of [`FIELDS`], in order.
    pub values: [RwSignal<String>; 9],
    /// MLP widths (set from the URL only, e.g. for benchmarks).
    pub mlp: RwSignal<MlpGanConfig>,
    /// Messages of the last failed validation.
    pub errors: RwSignal<Vec<FieldError>>,
}

impl Form {
    /// A form holding `config`'s values.
    pub fn new(config: &TrainConfig) -> Self {
        let values = form_values(config).map(RwSignal::new);
        Self {
            model: RwSignal::new(config.architecture.kind.id().to_string()),
            loss: RwSignal::new(config.loss.id().to_string()),
            values,
            mlp: RwSignal::new(config.architecture.mlp.clone()),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// Parses and validates the form; on failure records the messages and returns `None`.
    pub fn config(&self) -> Option<TrainConfig> {
        let raw: Vec<String> = self.values.iter().map(|v| v.get_untracked()).collect();
        match parse_form(
            &self.model.get_untracked(),
            &self.loss.get_untracked(),
            &raw,
            self.mlp.get_untracked(),
        ) {
            Ok(config) => {
                self.errors.set(Vec::new());
                Some(config)
            }
            Err(errors) => {
                self.errors.set(errors);
                None
            }
        }
    }
}

/// The text each field shows for `config`.
pub fn form_values(c: &TrainConfig) -> [String; 9] {
    [
        c.lr_g.to_string(),
        c.lr_d.to_string(),
        c.beta1.to_string(),
        c.beta2.to_string(),
        c.batch_size.to_string(),
        c.architecture.latent_dim.to_string(),
        c.d_steps.to_string(),
        c.architecture.dcgan.channels.to_string(),
        c.seed.to_string(),
    ]
}

/// Builds a validated config from the form's text; every bad field gets its own message.
pub fn parse_form(
    model: &str,
    loss: &str,
    raw: &[String],
    mlp: MlpGanConfig,
) -> Result<TrainConfig, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut float = |i: usize| -> f64 {
        match raw[i].trim().parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                errors.push(FieldError {
                    field: FIELDS[i].id.into(),
                    message: format!("“{}” is not a number", raw[i].trim()),
                });
                f64::NAN
            }
        }
    };
    let lr_g = float(0);
    let lr_d = float(1);
    let beta1 = float(2);
    let beta2 = float(3);
    let mut whole = |i: usize| -> Option<u64> {
        match raw[i].trim().parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(FieldError {
                    field: FIELDS[i].id.into(),
                    message: format!("“{}” is not a whole number ≥ 0", raw[i].trim()),
                });
                None
            }
        }
    };
    let ints: Vec<Option<u64>> = (4..9).map(&mut whole).collect();
    let kind = ModelKind::from_id(model);
    if kind.is_none() {
        errors.push(FieldError {
            field: "model".into(),
            message: format!("unknown model “{model}”"),
        });
    }
    let loss_kind = GanLoss::from_id(loss);
    if loss_kind.is_none() {
        errors.push(FieldError {
            field: "loss".into(),
            message: format!("unknown loss “{loss}”"),
        });
    }
    let size = |v: Option<u64>| v.map(|v| v.min(usize::MAX as u64) as usize).unwrap_or(1);
    let config = TrainConfig::new()
        .with_architecture(
            ArchitectureConfig::new()
                .with_kind(kind.unwrap_or_default())
                .with_mlp(mlp)
                .with_latent_dim(size(ints[1]))
                .with_dcgan(DcganConfig::new().with_channels(size(ints[3]))),
        )
        .with_loss(loss_kind.unwrap_or_default())
        .with_lr_g(lr_g)
        .with_lr_d(lr_d)
        .with_beta1(beta1)
        .with_beta2(beta2)
        .with_batch_size(size(ints[0]))
        .with_d_steps(size(ints[2]))
        .with_seed(ints[4].unwrap_or(0));
    if let Err(more) = config.validate() {
        // Keep one message per field: a parse error beats the range error it causes.
        for e in more {
            if !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// The settings form, with each field's error shown beside it.
#[component]
pub fn SettingsForm(form: Form, running: Signal<bool>) -> impl IntoView {
    let error_for = move |id: &'static str| {
        move || {
            form.errors.with(|errs| {
                errs.iter()
                    .find(|e| e.field == id)
                    .map(|e| e.message.clone())
            })
        }
    };
    let fields = FIELDS
        .iter()
        .zip(form.values)
        .map(|(spec, value)| {
            let err = error_for(spec.id);
            let err2 = error_for(spec.id);
            view! {
                <label class="field" title=spec.help>
                    <span>{spec.label}{spec.live.then_some(" ⚡")}</span>
                    <input
                        id=format!("field-{}", spec.id)
                        type="text"
                        inputmode="decimal"
                        class:invalid=move || err().is_some()
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                    <small class="error" id=format!("error-{}", spec.id)>{err2}</small>
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="form">
            <label class="field" title="Which networks play: the guide's fully connected GAN, or a small convolutional DCGAN.">
                <span>"Model"</span>
                <select id="field-model" prop:value=move || form.model.get() on:change=move |ev| form.model.set(event_target_value(&ev))>
                    {ModelKind::ALL.iter().map(|m| view! { <option value=m.id() title=m.description()>{m.label()}</option> }).collect_view()}
                </select>
                <small class="error">{error_for("model")}</small>
            </label>
            <label class="field" title="The generator's objective. Non-saturating (−log D(G(z))) gives G strong gradients early; minimax (log(1 − D(G(z)))) is the original game and often stalls at the start. ⚡ applies live.">
                <span>"Generator loss ⚡"</span>
                <select id="field-loss" prop:value=move || form.loss.get() on:change=move |ev| form.loss.set(event_target_value(&ev))>
                    {GanLoss::ALL.iter().map(|l| view! { <option value=l.id()>{l.label()}</option> }).collect_view()}
                </select>
            </label>
            {fields}
            <p class="hint">
                "⚡ settings apply to the running session with " <b>"Apply"</b> "; the others take effect on " <b>"Reset"</b> "."
                {move || running.get().then_some(" Training keeps running while you edit.")}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(values: [&str; 9]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_round_trip_through_the_form() {
        let config = TrainConfig::new();
        let text: Vec<String> = form_values(&config).to_vec();
        let parsed = parse_form("mlp", "non-saturating", &text, MlpGanConfig::new()).unwrap();
        assert_eq!(form_values(&parsed), form_values(&config));
    }

    #[test]
    fn bad_text_gets_one_message_per_field() {
        let errors = parse_form(
            "dcgan",
            "minimax",
            &raw(["abc", "-1", "NaN", "0.999", "0", "100", "1", "32", "-3"]),
            MlpGanConfig::new(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lr_g", "seed", "lr_d", "beta1", "batch_size"]);
        assert!(errors[0].message.contains("not a number"));
        assert!(
            parse_form(
                "gpt",
                "minimax",
                &raw(["1e-4", "1e-4", "0.5", "0.9", "64", "100", "1", "32", "1"]),
                MlpGanConfig::new()
            )
            .is_err()
        );
        assert!(
            parse_form(
                "mlp",
                "minimax",
                &raw([
                    "1e-4", "1e-4", "0.5", "0.9", "99999999", "100", "1", "32", "1"
                ]),
                MlpGanConfig::new()
            )
            .is_err()
        );
    }
}
