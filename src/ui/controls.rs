//! The settings form: text fields parsed and validated before anything reaches the engine.

use leptos::prelude::*;

use crate::core::loss::GanLoss;
use crate::core::models::{ArchitectureConfig, Conditioning, DcganConfig, MlpGanConfig, ModelKind};
use crate::core::train::{FieldError, OptimizerKind, TrainConfig};

/// Where a setting is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Optimisation basics.
    Training,
    /// Network shapes.
    Architecture,
    /// Loss-specific settings.
    Loss,
    /// Stabilisers and tricks.
    Tricks,
}

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
    /// Section of the form.
    pub group: Group,
}

/// Number of numeric settings.
pub const NUM_FIELDS: usize = 16;

/// The numeric settings, in display order within their groups.
pub const FIELDS: [FieldSpec; NUM_FIELDS] = [
    FieldSpec {
        id: "lr_g",
        label: "G learning rate",
        help: "Step size of the generator's optimiser. 2e-4 is the DCGAN default; above 1e-3 training usually diverges.",
        live: true,
        group: Group::Training,
    },
    FieldSpec {
        id: "lr_d",
        label: "D learning rate",
        help: "Step size of the discriminator's optimiser. Setting it apart from G's is the two-timescale update rule (TTUR preset: D 4e-4, G 1e-4).",
        live: true,
        group: Group::Training,
    },
    FieldSpec {
        id: "beta1",
        label: "Adam β₁",
        help: "Momentum of Adam's first moment. GANs use 0.5 (DCGAN) or 0 (WGAN-GP); 0.9 tends to oscillate.",
        live: false,
        group: Group::Training,
    },
    FieldSpec {
        id: "beta2",
        label: "Adam β₂",
        help: "Decay of Adam's second moment; 0.999 is standard, WGAN-GP uses 0.9.",
        live: false,
        group: Group::Training,
    },
    FieldSpec {
        id: "batch_size",
        label: "Batch size",
        help: "Real and generated images per step; 64 is the guides' choice. Bigger is smoother but slower per step.",
        live: true,
        group: Group::Training,
    },
    FieldSpec {
        id: "latent_dim",
        label: "Latent size",
        help: "Length of the noise vector z that G turns into a digit; 100 in the guides.",
        live: false,
        group: Group::Architecture,
    },
    FieldSpec {
        id: "d_steps",
        label: "D steps per G step",
        help: "Discriminator (critic) updates before each generator update: 1 for the standard GAN, n_critic = 5 for WGAN and WGAN-GP.",
        live: true,
        group: Group::Training,
    },
    FieldSpec {
        id: "channels",
        label: "DCGAN channels",
        help: "DCGAN feature maps at 14×14 (twice as many at 7×7). 32 trains quickly in a tab; 64 matches the 128/64 DCGAN.",
        live: false,
        group: Group::Architecture,
    },
    FieldSpec {
        id: "seed",
        label: "Seed",
        help: "Seeds weights, noise and data order: the same seed replays the same run.",
        live: false,
        group: Group::Training,
    },
    FieldSpec {
        id: "clip",
        label: "WGAN clip c",
        help: "WGAN only: after every critic update each critic weight is clipped to [−c, c], a crude way to keep D 1-Lipschitz. 0.01 in the paper.",
        live: false,
        group: Group::Loss,
    },
    FieldSpec {
        id: "gp_weight",
        label: "WGAN-GP λ",
        help: "WGAN-GP only: weight of the penalty (‖∇ₓD(x̂)‖₂ − 1)² on random interpolates between real and generated digits. 10 in the paper.",
        live: false,
        group: Group::Loss,
    },
    FieldSpec {
        id: "r1_gamma",
        label: "R1 γ (0 = off)",
        help: "Any loss: adds γ/2·‖∇ₓD(x)‖² on real digits to D's loss, the exact input gradient as for WGAN-GP. Needs D without BatchNorm or minibatch stddev. Try 1–10.",
        live: false,
        group: Group::Loss,
    },
    FieldSpec {
        id: "label_smoothing",
        label: "Label smoothing",
        help: "One-sided: D's target for real digits becomes 1 − this (e.g. 0.1 → 0.9), fakes stay at 0, which keeps D from growing over-confident. BCE and LSGAN only.",
        live: false,
        group: Group::Tricks,
    },
    FieldSpec {
        id: "instance_noise",
        label: "Instance noise σ",
        help: "Gaussian noise of this standard deviation is added to every image D sees (real and generated), fading linearly to 0; it makes the two distributions overlap early on. Try 0.1–0.5.",
        live: false,
        group: Group::Tricks,
    },
    FieldSpec {
        id: "instance_noise_steps",
        label: "Noise fades over",
        help: "Steps over which the instance noise fades from σ to 0.",
        live: false,
        group: Group::Tricks,
    },
    FieldSpec {
        id: "ema_decay",
        label: "G EMA decay (0 = off)",
        help: "Samples and metrics use an exponential moving average of G's weights (e.g. 0.999) instead of the latest G; it smooths away the step-to-step jitter of the game. Training itself is unchanged.",
        live: false,
        group: Group::Tricks,
    },
];

/// A choice among named options.
pub struct ChoiceSpec {
    /// Identifier, as in URL parameters.
    pub id: &'static str,
    /// Short label.
    pub label: &'static str,
    /// Tooltip.
    pub help: &'static str,
    /// Applies to a running session.
    pub live: bool,
}

/// Number of choices.
pub const NUM_CHOICES: usize = 5;

/// The choices, in display order.
pub const CHOICES: [ChoiceSpec; NUM_CHOICES] = [
    ChoiceSpec {
        id: "model",
        label: "Model",
        help: "Which networks play: the guide's fully connected GAN, or a small convolutional DCGAN.",
        live: false,
    },
    ChoiceSpec {
        id: "conditioning",
        label: "Conditioning",
        help: "Whether the networks see the digit's label: unconditional, cGAN (label to G and D) or ACGAN (D also classifies).",
        live: false,
    },
    ChoiceSpec {
        id: "loss",
        label: "Loss",
        help: "The adversarial objective of both players. The text below the list says exactly what is computed.",
        live: true,
    },
    ChoiceSpec {
        id: "optimizer_g",
        label: "G optimiser",
        help: "Optimiser of the generator: Adam (with β₁, β₂), RMSprop (the WGAN paper) or plain SGD.",
        live: false,
    },
    ChoiceSpec {
        id: "optimizer_d",
        label: "D optimiser",
        help: "Optimiser of the discriminator.",
        live: false,
    },
];

/// The options of choice `index` of [`CHOICES`]: `(id, label, description)`.
pub fn choice_options(index: usize) -> Vec<(&'static str, &'static str, &'static str)> {
    match index {
        0 => ModelKind::ALL
            .iter()
            .map(|m| (m.id(), m.label(), m.description()))
            .collect(),
        1 => Conditioning::ALL
            .iter()
            .map(|c| (c.id(), c.label(), c.description()))
            .collect(),
        2 => GanLoss::ALL
            .iter()
            .map(|l| (l.id(), l.label(), l.description()))
            .collect(),
        _ => OptimizerKind::ALL
            .iter()
            .map(|o| (o.id(), o.label(), ""))
            .collect(),
    }
}

/// Number of on/off settings.
pub const NUM_TOGGLES: usize = 3;

/// On/off settings: identifier, label, tooltip.
pub const TOGGLES: [(&str, &str, &str); NUM_TOGGLES] = [
    (
        "d_batch_norm",
        "BatchNorm in D (DCGAN)",
        "The DCGAN guideline puts BatchNorm in D. Turn it off for WGAN-GP, R1 and spectral norm: BatchNorm mixes a batch's samples, so a per-sample gradient penalty is undefined.",
    ),
    (
        "spectral_norm",
        "Spectral norm in D",
        "Every D weight is divided by its largest singular value, estimated by one power iteration per D step, which bounds D's Lipschitz constant (SN-GAN).",
    ),
    (
        "minibatch_stddev",
        "Minibatch stddev in D",
        "Appends the batch's mean feature standard deviation to D's last features, so D can spot a generator whose samples all look alike (mode collapse).",
    ),
];

/// The form's raw text and choices, keyed like [`FIELDS`], [`CHOICES`] and [`TOGGLES`].
#[derive(Clone, Copy)]
pub struct Form {
    /// Values of [`CHOICES`], in order.
    pub choices: [RwSignal<String>; NUM_CHOICES],
    /// Values of [`TOGGLES`], in order.
    pub toggles: [RwSignal<bool>; NUM_TOGGLES],
    /// Values of [`FIELDS`], in order.
    pub values: [RwSignal<String>; NUM_FIELDS],
    /// MLP widths (set from the URL only, e.g. for benchmarks).
    pub mlp: RwSignal<MlpGanConfig>,
    /// Messages of the last failed validation.
    pub errors: RwSignal<Vec<FieldError>>,
}

impl Form {
    /// A form holding `config`'s values.
    pub fn new(config: &TrainConfig) -> Self {
        Self {
            choices: choice_values(config).map(RwSignal::new),
            toggles: toggle_values(config).map(RwSignal::new),
            values: form_values(config).map(RwSignal::new),
            mlp: RwSignal::new(config.architecture.mlp.clone()),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// Shows `config`'s values (after a reset, a checkpoint or a preset).
    pub fn set(&self, config: &TrainConfig) {
        for (v, text) in self.values.iter().zip(form_values(config)) {
            v.set(text);
        }
        for (v, text) in self.choices.iter().zip(choice_values(config)) {
            v.set(text);
        }
        for (v, on) in self.toggles.iter().zip(toggle_values(config)) {
            v.set(on);
        }
        self.mlp.set(config.architecture.mlp.clone());
        self.errors.set(Vec::new());
    }

    /// Parses and validates the form; on failure records the messages and returns `None`.
    pub fn config(&self) -> Option<TrainConfig> {
        let raw: Vec<String> = self.values.iter().map(|v| v.get_untracked()).collect();
        let choices = self.choices.map(|c| c.get_untracked());
        let toggles = self.toggles.map(|t| t.get_untracked());
        match parse_form(&choices, toggles, &raw, self.mlp.get_untracked()) {
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
pub fn form_values(c: &TrainConfig) -> [String; NUM_FIELDS] {
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
        c.clip.to_string(),
        c.gp_weight.to_string(),
        c.r1_gamma.to_string(),
        c.label_smoothing.to_string(),
        c.instance_noise.to_string(),
        c.instance_noise_steps.to_string(),
        c.ema_decay.to_string(),
    ]
}

/// The option each choice shows for `config`.
pub fn choice_values(c: &TrainConfig) -> [String; NUM_CHOICES] {
    [
        c.architecture.kind.id().into(),
        c.architecture.conditioning.id().into(),
        c.loss.id().into(),
        c.optimizer_g.id().into(),
        c.optimizer_d.id().into(),
    ]
}

/// The state of each toggle for `config`.
pub fn toggle_values(c: &TrainConfig) -> [bool; NUM_TOGGLES] {
    [
        c.architecture.dcgan.d_batch_norm,
        c.architecture.spectral_norm,
        c.architecture.minibatch_stddev,
    ]
}

fn parse_choice<T>(
    errors: &mut Vec<FieldError>,
    index: usize,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let parsed = parse(value);
    if parsed.is_none() {
        errors.push(FieldError {
            field: CHOICES[index].id.into(),
            message: format!("unknown {} “{value}”", CHOICES[index].label.to_lowercase()),
        });
    }
    parsed
}

/// Builds a validated config from the form's text; every bad field gets its own message.
pub fn parse_form(
    choices: &[String; NUM_CHOICES],
    toggles: [bool; NUM_TOGGLES],
    raw: &[String],
    mlp: MlpGanConfig,
) -> Result<TrainConfig, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut floats = [0.0f64; NUM_FIELDS];
    let mut ints = [0u64; NUM_FIELDS];
    let integer = [4, 5, 6, 7, 8, 14];
    for (i, text) in raw.iter().enumerate().take(NUM_FIELDS) {
        let text = text.trim();
        if integer.contains(&i) {
            match text.parse::<u64>() {
                Ok(v) => ints[i] = v,
                Err(_) => errors.push(FieldError {
                    field: FIELDS[i].id.into(),
                    message: format!("“{text}” is not a whole number ≥ 0"),
                }),
            }
        } else {
            match text.parse::<f64>() {
                Ok(v) => floats[i] = v,
                Err(_) => {
                    floats[i] = f64::NAN;
                    errors.push(FieldError {
                        field: FIELDS[i].id.into(),
                        message: format!("“{text}” is not a number"),
                    });
                }
            }
        }
    }
    let kind = parse_choice(&mut errors, 0, &choices[0], ModelKind::from_id);
    let conditioning = parse_choice(&mut errors, 1, &choices[1], Conditioning::from_id);
    let loss = parse_choice(&mut errors, 2, &choices[2], GanLoss::from_id);
    let optimizer_g = parse_choice(&mut errors, 3, &choices[3], OptimizerKind::from_id);
    let optimizer_d = parse_choice(&mut errors, 4, &choices[4], OptimizerKind::from_id);
    // Unparsed whole numbers stay 0 (or 1 where 0 is invalid) so only their parse error shows.
    let size = |i: usize| (ints[i].min(usize::MAX as u64) as usize).max(1);
    let [d_batch_norm, spectral_norm, minibatch_stddev] = toggles;
    let config = TrainConfig::new()
        .with_architecture(
            ArchitectureConfig::new()
                .with_kind(kind.unwrap_or_default())
                .with_conditioning(conditioning.unwrap_or_default())
                .with_mlp(mlp)
                .with_latent_dim(size(5))
                .with_dcgan(
                    DcganConfig::new()
                        .with_channels(size(7))
                        .with_d_batch_norm(d_batch_norm),
                )
                .with_spectral_norm(spectral_norm)
                .with_minibatch_stddev(minibatch_stddev),
        )
        .with_loss(loss.unwrap_or_default())
        .with_optimizer_g(optimizer_g.unwrap_or_default())
        .with_optimizer_d(optimizer_d.unwrap_or_default())
        .with_lr_g(floats[0])
        .with_lr_d(floats[1])
        .with_beta1(floats[2])
        .with_beta2(floats[3])
        .with_batch_size(if raw.get(4).is_some_and(|t| t.trim() == "0") {
            0
        } else {
            size(4)
        })
        .with_d_steps(size(6))
        .with_seed(ints[8])
        .with_clip(floats[9])
        .with_gp_weight(floats[10])
        .with_r1_gamma(floats[11])
        .with_label_smoothing(floats[12])
        .with_instance_noise(floats[13])
        .with_instance_noise_steps(ints[14].max(1))
        .with_ema_decay(floats[15]);
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

fn error_for(form: Form, id: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || {
        form.errors.with(|errs| {
            errs.iter()
                .find(|e| e.field == id)
                .map(|e| e.message.clone())
        })
    }
}

fn numeric_fields(form: Form, group: Group) -> impl IntoView {
    FIELDS
        .iter()
        .zip(form.values)
        .filter(|(spec, _)| spec.group == group)
        .map(|(spec, value)| {
            let err = error_for(form, spec.id);
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
                    <small class="error" id=format!("error-{}", spec.id)>{err}</small>
                </label>
            }
        })
        .collect_view()
}

fn choice_field(form: Form, index: usize) -> impl IntoView {
    let spec = &CHOICES[index];
    let value = form.choices[index];
    let options = choice_options(index);
    let described = options.clone();
    let description = move || {
        value.with(|v| {
            described
                .iter()
                .find(|(id, ..)| id == v)
                .map(|(.., d)| d.to_string())
                .unwrap_or_default()
        })
    };
    view! {
        <label class="field choice" title=spec.help>
            <span>{spec.label}{spec.live.then_some(" ⚡")}</span>
            <select id=format!("field-{}", spec.id) prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(id, label, _)| view! { <option value=id>{label}</option> }).collect_view()}
            </select>
            <small class="describe">{description}</small>
            <small class="error" id=format!("error-{}", spec.id)>{error_for(form, spec.id)}</small>
        </label>
    }
}

fn toggle_fields(form: Form) -> impl IntoView {
    TOGGLES
        .iter()
        .zip(form.toggles)
        .map(|(&(id, label, help), on)| {
            view! {
                <label class="toggle" title=help>
                    <input type="checkbox" id=format!("field-{id}") prop:checked=move || on.get()
                        on:change=move |ev| on.set(event_target_checked(&ev)) />
                    <span>{label}</span>
                    <small class="error" id=format!("error-{id}")>{error_for(form, id)}</small>
                </label>
            }
        })
        .collect_view()
}

/// Ids of the settings shown in a collapsible section.
fn group_ids(group: Group, extra: &[&'static str]) -> Vec<&'static str> {
    FIELDS
        .iter()
        .filter(|f| f.group == group)
        .map(|f| f.id)
        .chain(extra.iter().copied())
        .collect()
}

/// Opens `section` whenever a setting inside it is refused, so its message is seen.
fn open_on_error(form: Form, section: NodeRef<leptos::html::Details>, ids: Vec<&'static str>) {
    Effect::new(move |_| {
        let refused = form
            .errors
            .with(|errs| errs.iter().any(|e| ids.contains(&e.field.as_str())));
        if let (true, Some(details)) = (refused, section.get()) {
            let _ = details.set_attribute("open", "");
        }
    });
}

/// The settings form, with each field's error shown beside it.
#[component]
pub fn SettingsForm(form: Form, running: Signal<bool>) -> impl IntoView {
    let loss_section = NodeRef::new();
    let tricks_section = NodeRef::new();
    let sizes_section = NodeRef::new();
    open_on_error(form, loss_section, group_ids(Group::Loss, &[]));
    open_on_error(
        form,
        tricks_section,
        group_ids(
            Group::Tricks,
            &[
                "d_batch_norm",
                "spectral_norm",
                "minibatch_stddev",
                "optimizer_g",
                "optimizer_d",
            ],
        ),
    );
    open_on_error(form, sizes_section, group_ids(Group::Architecture, &[]));
    view! {
        <div class="form">
            {choice_field(form, 0)}
            {choice_field(form, 1)}
            {choice_field(form, 2)}
            {numeric_fields(form, Group::Training)}
            <details class="group" node_ref=loss_section>
                <summary title="Settings that only some losses use.">"Loss settings: clipping, penalties"</summary>
                {numeric_fields(form, Group::Loss)}
            </details>
            <details class="group" node_ref=tricks_section>
                <summary title="Stabilisers from the guides, combinable.">"Stabilisers and tricks"</summary>
                {toggle_fields(form)}
                {numeric_fields(form, Group::Tricks)}
                {choice_field(form, 3)}
                {choice_field(form, 4)}
            </details>
            <details class="group" node_ref=sizes_section>
                <summary>"Network sizes"</summary>
                {numeric_fields(form, Group::Architecture)}
            </details>
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
    use crate::core::presets::Preset;

    fn strings<const N: usize>(values: [&str; N]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    fn parse(config: &TrainConfig) -> Result<TrainConfig, Vec<FieldError>> {
        parse_form(
            &choice_values(config),
            toggle_values(config),
            &form_values(config),
            config.architecture.mlp.clone(),
        )
    }

    #[test]
    fn every_preset_round_trips_through_the_form() {
        for preset in Preset::ALL {
            let config = preset.config();
            let parsed = parse(&config).unwrap_or_else(|e| panic!("{preset:?}: {e:?}"));
            assert_eq!(form_values(&parsed), form_values(&config), "{preset:?}");
            assert_eq!(choice_values(&parsed), choice_values(&config), "{preset:?}");
            assert_eq!(toggle_values(&parsed), toggle_values(&config), "{preset:?}");
        }
    }

    #[test]
    fn bad_text_gets_one_message_per_field() {
        let config = TrainConfig::new();
        let mut raw = form_values(&config).to_vec();
        raw[..9].clone_from_slice(&strings([
            "abc", "-1", "NaN", "0.999", "0", "100", "1", "32", "-3",
        ]));
        raw[12] = "0.7".into();
        let errors = parse_form(
            &choice_values(&config),
            toggle_values(&config),
            &raw,
            MlpGanConfig::new(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lr_g",
                "seed",
                "lr_d",
                "beta1",
                "batch_size",
                "label_smoothing"
            ]
        );
        assert!(errors[0].message.contains("not a number"));
        let mut choices = choice_values(&config);
        choices[0] = "gpt".into();
        choices[2] = "relativistic".into();
        let errors = parse_form(
            &choices,
            toggle_values(&config),
            &form_values(&config),
            MlpGanConfig::new(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["model", "loss"]);
        let mut raw = form_values(&config).to_vec();
        raw[4] = "99999999".into();
        assert!(
            parse_form(
                &choice_values(&config),
                toggle_values(&config),
                &raw,
                MlpGanConfig::new()
            )
            .is_err()
        );
    }

    #[test]
    fn a_penalty_with_batch_norm_in_d_points_at_the_toggle() {
        let mut config = Preset::WganGp.config();
        config.architecture.dcgan.d_batch_norm = true;
        let errors = parse(&config).unwrap_err();
        assert_eq!(errors[0].field, "d_batch_norm");
        assert!(errors[0].message.contains("BatchNorm"));
    }
}
