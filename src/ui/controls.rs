//! The settings form, drawn from the settings registry ([`TrainConfig::settings`]): text is
//! parsed and validated before anything reaches the engine.

use leptos::prelude::*;

use super::options::Layout;
use crate::core::settings::{self, Group, Kind, Setting, Settings, apply_pairs};
use crate::core::train::{FieldError, TrainConfig};

/// One setting's entry and the text the form shows for it (`true`/`false` for toggles).
#[derive(Clone, Copy)]
struct Field {
    setting: &'static Setting<TrainConfig>,
    value: RwSignal<String>,
}

/// The form's raw text, one signal per registry entry, and the last validation's messages.
#[derive(Clone, Copy)]
pub struct Form {
    fields: StoredValue<Vec<Field>>,
    /// Messages of the last failed validation.
    pub errors: RwSignal<Vec<FieldError>>,
}

/// Parses `(id, text)` pairs over the defaults and validates the result: every bad field gets
/// one message (see [`settings::parse_texts`]).
pub fn parse_texts<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<TrainConfig, Vec<FieldError>> {
    settings::parse_texts(&TrainConfig::new(), pairs).map_err(|e| e.0)
}

impl Form {
    /// A form holding `config`'s values.
    pub fn new(config: &TrainConfig) -> Self {
        let fields = TrainConfig::settings()
            .iter()
            .map(|setting| Field {
                setting,
                value: RwSignal::new(setting.text(config)),
            })
            .collect();
        Self {
            fields: StoredValue::new(fields),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// Shows `config`'s values (after a reset, a checkpoint or a preset).
    pub fn set(&self, config: &TrainConfig) {
        self.fields.with_value(|fields| {
            for f in fields {
                f.value.set(f.setting.text(config));
            }
        });
        self.errors.set(Vec::new());
    }

    /// One setting's text as the form shows it (`None`: no such setting).
    pub fn text(&self, id: &str) -> Option<String> {
        self.fields.with_value(|fields| {
            fields
                .iter()
                .find(|f| f.setting.id == id)
                .map(|f| f.value.get_untracked())
        })
    }

    /// Sets one setting's text (as the address gives it); unknown ids return false.
    pub fn set_text(&self, id: &str, text: &str) -> bool {
        self.fields.with_value(|fields| {
            fields
                .iter()
                .find(|f| f.setting.id == id)
                .map(|f| f.value.set(text.to_string()))
                .is_some()
        })
    }

    fn texts(&self, track: bool) -> Vec<(&'static str, String)> {
        self.fields.with_value(|fields| {
            fields
                .iter()
                .map(|f| {
                    let text = if track {
                        f.value.get()
                    } else {
                        f.value.get_untracked()
                    };
                    (f.setting.id, text)
                })
                .collect()
        })
    }

    /// Parses and validates the form; on failure records the messages and returns `None`.
    pub fn config(&self) -> Option<TrainConfig> {
        let texts = self.texts(false);
        match parse_texts(texts.iter().map(|(k, v)| (*k, v.as_str()))) {
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

    /// What the form says now, with unreadable fields left at their defaults (for showing
    /// which settings apply; never sent to the engine).
    fn draft(&self) -> TrainConfig {
        let texts = self.texts(true);
        apply_pairs(
            &TrainConfig::new(),
            texts.iter().map(|(k, v)| (*k, v.as_str())),
        )
        .0
    }

    fn group(&self, group: Group) -> Vec<Field> {
        self.fields.with_value(|fields| {
            fields
                .iter()
                .filter(|f| f.setting.group == group)
                .copied()
                .collect()
        })
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

/// One setting, drawn by its kind (nothing when the address hides it; read-only when it
/// locks it).
fn field_view(form: Form, field: Field, layout: &Layout) -> AnyView {
    let Field { setting, value } = field;
    let id = setting.id;
    if layout.hides(id) {
        return ().into_any();
    }
    let locked = layout.locks(id);
    let fixed = locked.then_some(" (fixed by this page)");
    let err = error_for(form, id);
    let live = setting.live.then_some(" ⚡");
    let idle = move || {
        setting
            .applies
            .as_ref()
            .filter(|a| !(a.test)(&form.draft()))
            .map(|a| format!("no effect now: {}", a.when))
    };
    let error = move || view! { <small class="error" id=format!("error-{id}")>{err}</small> };
    let note = move || view! { <small class="applies">{idle}</small> };
    match &setting.kind {
        Kind::Toggle { .. } => view! {
            <label class="toggle" class:idle=move || idle().is_some() title=setting.help>
                <input type="checkbox" id=format!("field-{id}") disabled=locked prop:checked=move || value.get() == "true"
                    on:change=move |ev| value.set(event_target_checked(&ev).to_string()) />
                <span>{setting.label}{live}{fixed}</span>
                {note()}
                {error()}
            </label>
        }
        .into_any(),
        Kind::Choice { .. } => {
            let options = setting.options();
            let described = options.clone();
            let description = move || {
                value.with(|v| {
                    described
                        .iter()
                        .find(|o| o.id == v)
                        .map(|o| o.description)
                        .unwrap_or_default()
                })
            };
            view! {
                <label class="field choice" class:idle=move || idle().is_some() title=setting.help>
                    <span>{setting.label}{live}{fixed}</span>
                    <select id=format!("field-{id}") disabled=locked prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                        {options.into_iter().map(|o| view! { <option value=o.id>{o.label}</option> }).collect_view()}
                    </select>
                    <small class="describe">{description}</small>
                    {note()}
                    {error()}
                </label>
            }
            .into_any()
        }
        _ => view! {
            <label class="field" class:idle=move || idle().is_some() title=format!("{} Allowed: {}.", setting.help, setting.allowed())>
                <span>{setting.label}{live}{fixed}</span>
                <input
                    id=format!("field-{id}")
                    type="text"
                    readonly=locked
                    inputmode="decimal"
                    class:invalid=move || err().is_some()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                {note()}
                {error()}
            </label>
        }
        .into_any(),
    }
}

fn group_view(form: Form, group: Group) -> impl IntoView {
    let layout = Layout::current();
    form.group(group)
        .into_iter()
        .map(|f| field_view(form, f, &layout))
        .collect_view()
}

/// Whether the address hides every setting of `group`.
fn all_hidden(form: Form, group: Group) -> bool {
    let layout = Layout::current();
    form.group(group).iter().all(|f| layout.hides(f.setting.id))
}

/// Opens `section` whenever a setting inside it is refused, so its message is seen.
fn open_on_error(form: Form, section: NodeRef<leptos::html::Details>, group: Group) {
    let ids: Vec<&'static str> = form.group(group).iter().map(|f| f.setting.id).collect();
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
    open_on_error(form, loss_section, Group::Loss);
    open_on_error(form, tricks_section, Group::Tricks);
    open_on_error(form, sizes_section, Group::Architecture);
    view! {
        <div class="form">
            {group_view(form, Group::Model)}
            {group_view(form, Group::Training)}
            <details class="group" node_ref=loss_section hidden=all_hidden(form, Group::Loss)>
                <summary title="Settings that only some losses use.">"Loss settings: clipping, penalties"</summary>
                {group_view(form, Group::Loss)}
            </details>
            <details class="group" node_ref=tricks_section hidden=all_hidden(form, Group::Tricks)>
                <summary title="Stabilisers from the guides, combinable.">"Stabilisers and tricks"</summary>
                {group_view(form, Group::Tricks)}
            </details>
            <details class="group" node_ref=sizes_section hidden=all_hidden(form, Group::Architecture)>
                <summary title="Widths, latent size, how G upsamples and how weights start.">"Network architecture"</summary>
                {group_view(form, Group::Architecture)}
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
    use crate::core::settings::to_pairs;

    fn texts(config: &TrainConfig) -> Vec<(&'static str, String)> {
        to_pairs(config)
    }

    fn parse(pairs: &[(&'static str, String)]) -> Result<TrainConfig, Vec<FieldError>> {
        parse_texts(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    }

    fn with(config: &TrainConfig, changes: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let mut t = texts(config);
        for (id, text) in changes {
            if let Some(slot) = t.iter_mut().find(|(k, _)| k == id) {
                slot.1 = text.to_string();
            }
        }
        t
    }

    #[test]
    fn every_preset_round_trips_through_the_form() {
        for preset in Preset::ALL {
            let config = preset.config();
            let parsed = parse(&texts(&config)).unwrap_or_else(|e| panic!("{preset:?}: {e:?}"));
            assert_eq!(texts(&parsed), texts(&config), "{preset:?}");
        }
    }

    #[test]
    fn bad_text_gets_one_message_per_field() {
        let config = TrainConfig::new();
        let t = with(
            &config,
            &[
                ("lr_g", "abc"),
                ("lr_d", "-1"),
                ("beta1", "NaN"),
                ("batch_size", "0"),
                ("seed", "-3"),
                ("label_smoothing", "0.7"),
            ],
        );
        let errors = parse(&t).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lr_g",
                "lr_d",
                "beta1",
                "batch_size",
                "seed",
                "label_smoothing"
            ]
        );
        assert!(errors[0].message.contains("not a number"));
        let errors = parse(&with(
            &config,
            &[("model", "gpt"), ("loss", "relativistic")],
        ))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["model", "loss"]);
        assert!(parse(&with(&config, &[("batch_size", "99999999")])).is_err());
    }

    #[test]
    fn a_penalty_with_batch_norm_in_d_points_at_the_toggle() {
        let mut config = Preset::WganGp.config();
        config.architecture.dcgan.d_batch_norm = true;
        let errors = parse(&texts(&config)).unwrap_err();
        assert_eq!(errors[0].field, "d_batch_norm");
        assert!(errors[0].message.contains("BatchNorm"));
    }
}
