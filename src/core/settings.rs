//! The settings registry: one declarative entry per setting of a task's configuration.
//!
//! An entry names the setting (`id`, label, one-line help), says what values it takes (kind and
//! range), whether it can change mid-run, where the form shows it and which models or losses it
//! applies to, and reads and writes it on the configuration. The CLI flags, the settings form, the
//! page address, mid-run updates and the range checks are all driven by the registry, so a new
//! setting is one entry (see [`Settings`]).

use crate::core::train::{FieldError, FieldErrors};

/// Where the form shows a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// The model, its conditioning and the objective: the first things a newcomer picks.
    Model,
    /// Optimisation basics.
    Training,
    /// Settings only some losses use.
    Loss,
    /// Stabilisers and tricks.
    Tricks,
    /// Network shapes.
    Architecture,
}

/// One option of a [`Kind::Choice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Identifier written in URLs, CLI arguments and checkpoints.
    pub id: &'static str,
    /// Short label for lists.
    pub label: &'static str,
    /// One or two sentences shown under the list.
    pub description: &'static str,
}

/// The options of a choice, from an enum's variants and their names.
pub fn choices<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    description: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            id: id(v),
            label: label(v),
            description: description(v),
        })
        .collect()
}

/// A range bound: the value itself allowed or not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// The value may equal the bound.
    Closed(f64),
    /// The value must stay strictly inside.
    Open(f64),
}

impl Bound {
    /// The bound's number.
    pub fn value(self) -> f64 {
        match self {
            Bound::Closed(v) | Bound::Open(v) => v,
        }
    }
}

/// What values a setting takes, and how it is read from and written to a configuration `C`.
pub enum Kind<C> {
    /// A real number between two bounds.
    Number {
        /// Reads the value.
        get: fn(&C) -> f64,
        /// Writes a value that passed the range check.
        set: fn(&mut C, f64),
        /// Smallest allowed value.
        min: Bound,
        /// Largest allowed value.
        max: Bound,
    },
    /// A whole number in `min..=max`.
    Whole {
        /// Reads the value.
        get: fn(&C) -> u64,
        /// Writes a value that passed the range check.
        set: fn(&mut C, u64),
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// On or off (`true`/`false`; `1`/`0`, `on`/`off` and `yes`/`no` are read too).
    Toggle {
        /// Reads the value.
        get: fn(&C) -> bool,
        /// Writes the value.
        set: fn(&mut C, bool),
    },
    /// One of named options.
    Choice {
        /// The options, in display order.
        options: fn() -> Vec<Choice>,
        /// The chosen option's id.
        get: fn(&C) -> &'static str,
        /// Chooses the option with this id (one of `options`).
        set: fn(&mut C, &str),
    },
    /// A comma-separated list of layer widths, each in `1..=max`.
    Widths {
        /// Reads the widths.
        get: fn(&C) -> Vec<usize>,
        /// Writes widths that passed the check.
        set: fn(&mut C, Vec<usize>),
        /// Largest allowed width.
        max: usize,
    },
}

/// When a setting has an effect, for settings that only some models or losses use.
pub struct Applies<C> {
    /// Says when, e.g. "WGAN loss only".
    pub when: &'static str,
    /// Whether the setting has an effect under this configuration.
    pub test: fn(&C) -> bool,
}

/// One setting of a configuration `C`.
pub struct Setting<C> {
    /// Identifier in URLs, CLI flags (`_` becomes `-`), form element ids and error messages.
    pub id: &'static str,
    /// Short label.
    pub label: &'static str,
    /// One line: what it does and what a healthy value looks like.
    pub help: &'static str,
    /// Values and access.
    pub kind: Kind<C>,
    /// Whether it applies to a running session (otherwise it takes effect on Reset).
    pub live: bool,
    /// Where the form shows it.
    pub group: Group,
    /// When it has an effect (`None`: always).
    pub applies: Option<Applies<C>>,
}

/// A configuration whose every field is described by a registry of [`Setting`]s.
///
/// Adding a setting: add the field to the configuration and one entry to [`Settings::settings`];
/// the form, the CLI, the address and validation pick it up.
pub trait Settings: Clone + 'static {
    /// Every setting, in display order.
    fn settings() -> &'static [Setting<Self>];

    /// Rules that involve several settings (each entry's own range is checked already).
    fn cross_checks(&self) -> Vec<FieldError>;
}

fn parse_toggle(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Some(true),
        "false" | "0" | "off" | "no" => Some(false),
        _ => None,
    }
}

fn fmt_number(v: f64) -> String {
    // Rust prints the shortest text that parses back to the same f64.
    v.to_string()
}

impl<C: Settings> Setting<C> {
    /// The setting with this id.
    pub fn find(id: &str) -> Option<&'static Setting<C>> {
        C::settings().iter().find(|s| s.id == id)
    }

    /// The value's text, as the form, the address and CLI arguments write it.
    pub fn text(&self, config: &C) -> String {
        match &self.kind {
            Kind::Number { get, .. } => fmt_number(get(config)),
            Kind::Whole { get, .. } => get(config).to_string(),
            Kind::Toggle { get, .. } => get(config).to_string(),
            Kind::Choice { get, .. } => get(config).to_string(),
            Kind::Widths { get, .. } => get(config)
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The allowed values, in words ("above 0 and at most 1", "one of: adam, sgd", …).
    pub fn allowed(&self) -> String {
        match &self.kind {
            Kind::Number { min, max, .. } => {
                let low = match min {
                    Bound::Closed(v) => format!("at least {v}"),
                    Bound::Open(v) => format!("above {v}"),
                };
                let high = match max {
                    Bound::Closed(v) => format!("at most {v}"),
                    Bound::Open(v) => format!("below {v}"),
                };
                format!("{low} and {high}")
            }
            Kind::Whole { min, max, .. } => format!("a whole number from {min} to {max}"),
            Kind::Toggle { .. } => "true or false".into(),
            Kind::Choice { options, .. } => {
                let ids: Vec<_> = options().iter().map(|o| o.id).collect();
                format!("one of: {}", ids.join(", "))
            }
            Kind::Widths { max, .. } => {
                format!("comma-separated layer widths, each from 1 to {max}")
            }
        }
    }

    fn error(&self, message: String) -> FieldError {
        FieldError {
            field: self.id.into(),
            message,
        }
    }

    /// Whether the configuration's current value is allowed.
    pub fn check(&self, config: &C) -> Result<(), FieldError> {
        let refuse = |shown: String| {
            Err(self.error(format!(
                "{} must be {}; got {shown}",
                self.label,
                self.allowed()
            )))
        };
        match &self.kind {
            Kind::Number { get, min, max, .. } => {
                let v = get(config);
                let above = match min {
                    Bound::Closed(m) => v >= *m,
                    Bound::Open(m) => v > *m,
                };
                let below = match max {
                    Bound::Closed(m) => v <= *m,
                    Bound::Open(m) => v < *m,
                };
                if v.is_finite() && above && below {
                    Ok(())
                } else {
                    refuse(fmt_number(v))
                }
            }
            Kind::Whole { get, min, max, .. } => {
                let v = get(config);
                if (*min..=*max).contains(&v) {
                    Ok(())
                } else {
                    refuse(v.to_string())
                }
            }
            Kind::Toggle { .. } => Ok(()),
            Kind::Choice { options, get, .. } => {
                let id = get(config);
                if options().iter().any(|o| o.id == id) {
                    Ok(())
                } else {
                    refuse(id.into())
                }
            }
            Kind::Widths { get, max, .. } => {
                let widths = get(config);
                if !widths.is_empty() && widths.iter().all(|w| (1..=*max).contains(w)) {
                    Ok(())
                } else {
                    refuse(self.text(config))
                }
            }
        }
    }

    /// Reads `text` into `config`, refusing text of the wrong kind or a value out of range with
    /// a message naming this setting (`config` is left unchanged then).
    pub fn parse_into(&self, config: &mut C, text: &str) -> Result<(), FieldError> {
        let text = text.trim();
        let mut next = config.clone();
        match &self.kind {
            Kind::Number { set, .. } => match text.parse::<f64>() {
                Ok(v) => set(&mut next, v),
                Err(_) => {
                    return Err(self.error(format!(
                        "“{text}” is not a number ({} must be {})",
                        self.label,
                        self.allowed()
                    )));
                }
            },
            Kind::Whole { set, .. } => match text.parse::<u64>() {
                Ok(v) => set(&mut next, v),
                Err(_) => {
                    return Err(self.error(format!(
                        "“{text}” is not a whole number ≥ 0 ({} must be {})",
                        self.label,
                        self.allowed()
                    )));
                }
            },
            Kind::Toggle { set, .. } => match parse_toggle(text) {
                Some(v) => set(&mut next, v),
                None => return Err(self.error(format!("“{text}” is not true or false"))),
            },
            Kind::Choice { options, set, .. } => {
                if !options().iter().any(|o| o.id == text) {
                    return Err(self.error(format!(
                        "unknown {} “{text}” ({})",
                        self.label.to_lowercase(),
                        self.allowed()
                    )));
                }
                set(&mut next, text);
            }
            Kind::Widths { set, .. } => {
                let widths: Result<Vec<usize>, _> =
                    text.split(',').map(|w| w.trim().parse::<usize>()).collect();
                match widths {
                    Ok(w) => set(&mut next, w),
                    Err(_) => {
                        return Err(self.error(format!(
                            "“{text}” is not a list of widths ({})",
                            self.allowed()
                        )));
                    }
                }
            }
        }
        self.check(&next)?;
        *config = next;
        Ok(())
    }

    /// The options of a choice (empty for other kinds).
    pub fn options(&self) -> Vec<Choice> {
        match &self.kind {
            Kind::Choice { options, .. } => options(),
            _ => Vec::new(),
        }
    }

    /// Whether the setting has an effect under `config`.
    pub fn applies_to(&self, config: &C) -> bool {
        self.applies.as_ref().is_none_or(|a| (a.test)(config))
    }

    /// Copies this setting's value from `from` into `to`.
    pub fn copy(&self, from: &C, to: &mut C) {
        match &self.kind {
            Kind::Number { get, set, .. } => set(to, get(from)),
            Kind::Whole { get, set, .. } => set(to, get(from)),
            Kind::Toggle { get, set } => set(to, get(from)),
            Kind::Choice { get, set, .. } => set(to, get(from)),
            Kind::Widths { get, set, .. } => set(to, get(from)),
        }
    }
}

/// Every setting's range check, then the cross-setting rules, one message per field (a field
/// refused by its own range is not refused again by a rule).
pub fn validate<C: Settings>(config: &C) -> Result<(), FieldErrors> {
    let mut errors: Vec<FieldError> = C::settings()
        .iter()
        .filter_map(|s| s.check(config).err())
        .collect();
    for e in config.cross_checks() {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(FieldErrors(errors))
    }
}

/// Every setting's `(id, text)`, in registry order: what the address and CLI arguments carry.
pub fn to_pairs<C: Settings>(config: &C) -> Vec<(&'static str, String)> {
    C::settings()
        .iter()
        .map(|s| (s.id, s.text(config)))
        .collect()
}

/// Settings as `(id, text)` pairs: how messages carry a task's settings without knowing its
/// configuration type.
pub type SettingPairs = Vec<(String, String)>;

/// Every setting's `(id, text)`, owned (see [`SettingPairs`]).
pub fn to_setting_pairs<C: Settings>(config: &C) -> SettingPairs {
    to_pairs(config)
        .into_iter()
        .map(|(id, text)| (id.to_string(), text))
        .collect()
}

/// Reads `(id, text)` pairs over `base` and validates the result: every bad field gets one
/// message (a parse error beats the range or rule error it would cause).
pub fn parse_texts<'a, C: Settings>(
    base: &C,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<C, FieldErrors> {
    let (config, mut errors) = apply_pairs(base, pairs);
    if let Err(more) = validate(&config) {
        for e in more {
            if !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(FieldErrors(errors))
    }
}

/// [`parse_texts`] of owned pairs (as messages carry them).
pub fn parse_pairs<C: Settings>(base: &C, pairs: &[(String, String)]) -> Result<C, FieldErrors> {
    parse_texts(base, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The command-line flag of a setting: `lr_g` → `lr-g` (written `--lr-g`).
pub fn flag(id: &str) -> String {
    id.replace('_', "-")
}

/// Command-line arguments (`--lr-g 0.0002 …`) that reproduce `config` exactly.
pub fn to_args<C: Settings>(config: &C) -> Vec<String> {
    to_pairs(config)
        .into_iter()
        .flat_map(|(id, text)| [format!("--{}", flag(id)), text])
        .collect()
}

/// Reads `(id, text)` pairs over `base`: unknown ids and bad values each get a message naming the
/// field, and the rest still apply. The result is not validated across settings yet (see
/// [`validate`]).
pub fn apply_pairs<'a, C: Settings>(
    base: &C,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (C, Vec<FieldError>) {
    let mut config = base.clone();
    let mut errors = Vec::new();
    for (id, text) in pairs {
        match Setting::<C>::find(id) {
            Some(s) => {
                if let Err(e) = s.parse_into(&mut config, text) {
                    errors.push(e);
                }
            }
            None => errors.push(FieldError {
                field: id.into(),
                message: format!("unknown setting “{id}”"),
            }),
        }
    }
    (config, errors)
}

/// `current` with the live settings (those that may change mid-run) taken from `requested`.
pub fn with_live<C: Settings>(current: &C, requested: &C) -> C {
    let mut next = current.clone();
    for s in C::settings().iter().filter(|s| s.live) {
        s.copy(requested, &mut next);
    }
    next
}

/// A learning rate setting in (0, 1] that applies to a running session (the demos' `lr_g` and
/// `lr_d` entries).
pub const fn learning_rate<C>(
    id: &'static str,
    label: &'static str,
    help: &'static str,
    get: fn(&C) -> f64,
    set: fn(&mut C, f64),
) -> Setting<C> {
    Setting {
        id,
        label,
        help,
        kind: Kind::Number {
            get,
            set,
            min: Bound::Open(0.0),
            max: Bound::Closed(1.0),
        },
        live: true,
        group: Group::Training,
        applies: None,
    }
}

/// The `batch_size` setting, `1..=max`, applied on restart.
pub const fn batch_size<C>(
    help: &'static str,
    max: u64,
    get: fn(&C) -> u64,
    set: fn(&mut C, u64),
) -> Setting<C> {
    Setting {
        id: "batch_size",
        label: "Batch size",
        help,
        kind: Kind::Whole {
            get,
            set,
            min: 1,
            max,
        },
        live: false,
        group: Group::Training,
        applies: None,
    }
}

/// The `seed` setting (any 32-bit value), applied on restart.
pub const fn seed<C>(help: &'static str, get: fn(&C) -> u64, set: fn(&mut C, u64)) -> Setting<C> {
    Setting {
        id: "seed",
        label: "Seed",
        help,
        kind: Kind::Whole {
            get,
            set,
            min: 0,
            max: u32::MAX as u64,
        },
        live: false,
        group: Group::Training,
        applies: None,
    }
}

/// Test helpers shared by every registry's tests: a valid value different from the current one
/// and a value out of range, for each setting.
#[cfg(any(test, feature = "cli"))]
pub mod probe {
    use super::*;

    /// Text of an allowed value of `setting` that differs from its value in `config`.
    pub fn other_value<C: Settings>(setting: &Setting<C>, config: &C) -> String {
        let current = setting.text(config);
        let candidates: Vec<String> = match &setting.kind {
            Kind::Number { min, max, .. } => {
                let (lo, hi) = (min.value(), max.value());
                vec![
                    fmt_number(lo + (hi - lo) / 3.0),
                    fmt_number(lo + (hi - lo) / 4.0),
                ]
            }
            Kind::Whole { min, max, .. } => {
                vec![(min + (max - min) / 3).to_string(), (min + 1).to_string()]
            }
            Kind::Toggle { get, .. } => vec![(!get(config)).to_string()],
            Kind::Choice { options, .. } => options().iter().map(|o| o.id.to_string()).collect(),
            Kind::Widths { .. } => vec!["7,9".into(), "5".into()],
        };
        candidates
            .into_iter()
            .find(|c| *c != current)
            .unwrap_or(current)
    }

    /// Text of a value `setting` must refuse (`None` for toggles, which take any true/false).
    pub fn bad_value<C: Settings>(setting: &Setting<C>) -> Option<String> {
        match &setting.kind {
            Kind::Number { max, .. } => Some(fmt_number(max.value() * 2.0 + 1.0)),
            Kind::Whole { max, .. } => Some((u128::from(*max) + 1).to_string()),
            Kind::Toggle { .. } => Some("maybe".into()),
            Kind::Choice { .. } => Some("zzz".into()),
            Kind::Widths { max, .. } => Some(format!("{},0", max + 1)),
        }
    }
}
