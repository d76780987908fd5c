//! Settings overrides shared by the subcommands that train.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgMatches};

use crate::core::presets::Preset;
use crate::core::settings::{Kind, Settings, apply_pairs, flag};
use crate::core::train::{FieldErrors, TrainConfig};

/// Adds one flag per entry of `C`'s settings registry, with the entry's help and allowed values.
fn add_setting_flags<C: Settings>(mut cmd: clap::Command) -> clap::Command {
    for s in C::settings() {
        let help = match s.kind {
            // clap lists a choice's values itself.
            Kind::Choice { .. } => format!("{}: {}", s.label, s.help),
            _ => format!("{}: {} [{}]", s.label, s.help, s.allowed()),
        };
        let mut arg = Arg::new(s.id)
            .long(flag(s.id))
            .value_name(value_name(&s.kind))
            .allow_negative_numbers(true)
            .help(help);
        if let Kind::Choice { .. } = s.kind {
            let values: Vec<PossibleValue> = s
                .options()
                .into_iter()
                .map(|o| PossibleValue::new(o.id).help(o.label))
                .collect();
            arg = arg.value_parser(PossibleValuesParser::new(values));
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// The registry flags of `C` given on the command line, as `(id, text)`.
fn setting_flags<C: Settings>(matches: &ArgMatches) -> Vec<(&'static str, String)> {
    C::settings()
        .iter()
        .filter_map(|s| matches.get_one::<String>(s.id).map(|v| (s.id, v.clone())))
        .collect()
}

/// How a demo subcommand (`superres`, `cycle`) runs: what it continues, how long it trains and
/// what it writes.
#[derive(clap::Args)]
pub(crate) struct TaskRunArgs {
    /// Continue from a file of this demo (from this command or the page), with its settings.
    #[arg(long)]
    resume: Option<std::path::PathBuf>,
    /// Training steps (0: only score).
    #[arg(long, default_value_t = 2000)]
    steps: u64,
    /// Stop after this many seconds of training, if sooner.
    #[arg(long)]
    seconds: Option<f64>,
    /// Write the networks here (the page's "Open" and `--resume` read it).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Write the panels the page shows (held-out images and the model's outputs) as a PNG.
    #[arg(long)]
    grid: Option<std::path::PathBuf>,
    /// Write the card the page shows for the `--out` file (`www/pretrained/*.json`): the
    /// command, steps, training time and scores.
    #[arg(long)]
    card: Option<std::path::PathBuf>,
    /// Where it trains, for the card.
    #[arg(long, default_value = "this machine's CPU (Burn flex)")]
    trained_on: String,
    /// The compute backend.
    #[arg(long, value_enum, default_value_t = super::Backend::Flex)]
    pub backend: super::Backend,
}

impl TaskRunArgs {
    /// Refuses setting flags beside `--resume` (`no_settings`: none were given) and `--card`
    /// without `--out`, before any training.
    pub fn check(&self, no_settings: bool) -> anyhow::Result<()> {
        if self.resume.is_some() && !no_settings {
            anyhow::bail!(
                "--resume continues a run with its own settings; leave out the setting flags"
            );
        }
        if self.card.is_some() && self.out.is_none() {
            anyhow::bail!("--card describes the file --out writes; give both");
        }
        Ok(())
    }

    /// The run.
    pub fn task_run(&self) -> super::task_run::TaskRun {
        super::task_run::TaskRun {
            resume: self.resume.clone(),
            steps: self.steps,
            seconds: self.seconds,
            out: self.out.clone(),
            grid: self.grid.clone(),
            card: self.card.clone(),
            trained_on: self.trained_on.clone(),
        }
    }
}

/// Settings of a task other than GAN training (`C`: its configuration): the defaults with any
/// of the registry's flags applied.
pub(crate) struct TaskArgs<C> {
    overrides: Vec<(&'static str, String)>,
    _config: std::marker::PhantomData<C>,
}

impl<C: Settings> clap::Args for TaskArgs<C> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        add_setting_flags::<C>(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl<C: Settings> clap::FromArgMatches for TaskArgs<C> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Self {
            overrides: setting_flags::<C>(matches),
            _config: std::marker::PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<C: Settings> TaskArgs<C> {
    /// `base` with the flags applied, validated.
    pub(crate) fn config(&self, base: &C) -> Result<C> {
        let (config, errors) =
            apply_pairs(base, self.overrides.iter().map(|(k, v)| (*k, v.as_str())));
        if !errors.is_empty() {
            return Err(field_errors(FieldErrors(errors)));
        }
        crate::core::settings::validate(&config).map_err(field_errors)?;
        Ok(config)
    }

    /// Whether any setting was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.overrides.is_empty()
    }
}

/// Settings of a run: a preset, then any overrides, one flag per entry of the settings
/// registry ([`TrainConfig::settings`]), with the registry's help and allowed values.
pub(crate) struct RunArgs {
    preset: Option<String>,
    overrides: Vec<(&'static str, String)>,
}

fn value_name<C>(kind: &Kind<C>) -> &'static str {
    match kind {
        Kind::Number { .. } => "X",
        Kind::Whole { .. } => "N",
        Kind::Toggle { .. } => "true|false",
        Kind::Choice { .. } => "ID",
        Kind::Widths { .. } => "W,W,…",
    }
}

impl clap::Args for RunArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let presets: Vec<PossibleValue> = Preset::ALL
            .iter()
            .map(|p| PossibleValue::new(p.id()).help(p.label()))
            .collect();
        let cmd = cmd.arg(
            Arg::new("preset")
                .long("preset")
                .value_name("ID")
                .value_parser(PossibleValuesParser::new(presets))
                .help("Starting point: a complete configuration from a guide or paper; the flags below override single settings [default: dcgan]"),
        );
        add_setting_flags::<TrainConfig>(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for RunArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let preset = matches.get_one::<String>("preset").cloned();
        let overrides = setting_flags::<TrainConfig>(matches);
        Ok(Self { preset, overrides })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl RunArgs {
    /// The preset's configuration with the overrides applied, validated.
    pub(crate) fn config(&self) -> Result<TrainConfig> {
        let id = self
            .preset
            .as_deref()
            .unwrap_or(Preset::DcganNonSaturating.id());
        let preset = Preset::from_id(id).with_context(|| {
            format!(
                "unknown preset '{id}' (try: {})",
                Preset::ALL.map(|p| p.id()).join(", ")
            )
        })?;
        let (config, errors) = apply_pairs(
            &preset.config(),
            self.overrides.iter().map(|(k, v)| (*k, v.as_str())),
        );
        if !errors.is_empty() {
            return Err(field_errors(FieldErrors(errors)));
        }
        config.validate().map_err(field_errors)?;
        Ok(config)
    }
}

/// How a `train` run starts: fresh settings, or a checkpoint to continue.
pub(crate) enum Start {
    /// A fresh run.
    Fresh(TrainConfig),
    /// The checkpoint's bytes and where they came from.
    Resume(Vec<u8>, PathBuf),
}

impl RunArgs {
    /// A fresh run from these settings, or, with `resume`, that checkpoint's run (whose
    /// settings are its own: setting flags beside it are refused rather than ignored).
    pub(crate) fn start(&self, resume: Option<PathBuf>) -> Result<Start> {
        match resume {
            None => Ok(Start::Fresh(self.config()?)),
            Some(path) => {
                if self.preset.is_some() || !self.overrides.is_empty() {
                    let given: Vec<String> = self
                        .preset
                        .iter()
                        .map(|_| "--preset".to_string())
                        .chain(
                            self.overrides
                                .iter()
                                .map(|(id, _)| format!("--{}", flag(id))),
                        )
                        .collect();
                    bail!(
                        "--resume continues a run with its own settings; leave out {}",
                        given.join(", ")
                    );
                }
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                Ok(Start::Resume(bytes, path))
            }
        }
    }
}

/// Invalid settings as the command line names them (`--lr-g: …`), one per line.
pub(crate) fn field_errors(errors: FieldErrors) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("  --{}: {}", flag(&e.field), e.message))
        .collect();
    anyhow::anyhow!("invalid settings:\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use clap::{Args, FromArgMatches};

    use super::*;
    use crate::core::settings::probe::{bad_value, other_value};
    use crate::core::settings::to_args;

    fn parse(args: &[String]) -> Result<TrainConfig> {
        let cmd = RunArgs::augment_args(clap::Command::new("t"));
        let matches =
            cmd.try_get_matches_from(std::iter::once("t".to_string()).chain(args.iter().cloned()))?;
        RunArgs::from_arg_matches(&matches)?.config()
    }

    fn json(c: &TrainConfig) -> serde_json::Value {
        serde_json::to_value(c).unwrap_or_default()
    }

    #[test]
    fn every_setting_round_trips_through_cli_arguments() {
        let mut configs: Vec<TrainConfig> = Preset::ALL.iter().map(|p| p.config()).collect();
        // Each setting moved off its preset value in turn (where the result is still valid).
        for s in TrainConfig::settings() {
            let mut c = Preset::WganGp.config();
            let text = other_value(s, &c);
            if s.parse_into(&mut c, &text).is_ok() && c.validate().is_ok() {
                configs.push(c);
            }
        }
        assert!(configs.len() > TrainConfig::settings().len());
        for config in configs {
            let back = parse(&to_args(&config)).unwrap_or_else(|e| panic!("{e:#}"));
            assert_eq!(json(&back), json(&config));
        }
    }

    #[test]
    fn an_out_of_range_flag_is_refused_with_its_flag_named() {
        for s in TrainConfig::settings() {
            let Some(bad) = bad_value(s) else { continue };
            let message = format!(
                "{:#}",
                parse(&[format!("--{}", flag(s.id)), bad]).unwrap_err()
            );
            assert!(
                message.contains(&format!("--{}", flag(s.id))),
                "{}: {message}",
                s.id
            );
        }
    }

    #[test]
    fn help_names_every_setting_with_its_help() {
        let help = RunArgs::augment_args(clap::Command::new("t"))
            .render_help()
            .to_string();
        for s in TrainConfig::settings() {
            assert!(help.contains(&format!("--{}", flag(s.id))), "{}", s.id);
            assert!(help.contains(s.label), "{}", s.id);
        }
    }
}
