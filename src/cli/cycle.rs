//! `cycle`: trains (or continues, or only scores) the CycleGAN demo's networks between
//! handwritten and typeset or colour digits, optionally beside a λ = 0 twin, and reports how well each
//! keeps the digit on the held-out images.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::cyclegan::CycleConfig;
use crate::core::domains::FONT_FILES;
use crate::core::pretrained::{ContentScores, CycleCard};
use crate::core::settings::to_setting_pairs;
use crate::engine::cyclegan::{CycleData, CycleGan, HELD_OUT, ID};
use crate::engine::demo::Demo;

use super::common::{load_classifier, load_data, now_ms};
use super::task_run::{
    TaskRun, command_line, file_name, resume_and_train, write_networks, write_panels,
};

/// The shipped files the CycleGAN reads.
pub(crate) struct CycleAssets<'a> {
    /// The handwritten digits.
    pub data: &'a Path,
    /// The folder of [`FONT_FILES`].
    pub fonts: &'a Path,
    /// The content classifier.
    pub classifier: &'a Path,
}

pub(crate) fn cycle(
    config: CycleConfig,
    twin: bool,
    run: TaskRun,
    device: &Device,
    assets: CycleAssets<'_>,
) -> Result<()> {
    let digits = load_data(assets.data)?;
    let fonts = FONT_FILES
        .iter()
        .map(|f| {
            let path = assets.fonts.join(f);
            fs::read(&path).with_context(|| format!("reading {}", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let typeset = CycleData::typeset(&fonts).map_err(anyhow::Error::msg)?;
    let data = CycleData::new(&digits, &typeset).map_err(anyhow::Error::msg)?;
    let classifier = load_classifier(assets.classifier, device)?;
    let model =
        CycleGan::new(device, data, classifier, config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut task = Demo::new(ID, model, now_ms);
    if twin {
        if run.resume.is_some() {
            bail!(
                "--twin starts both runs from scratch; leave out --resume (a file keeps its twin)"
            );
        }
        task.model
            .restart(task.model.main().config().clone(), true)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let trained = resume_and_train(&mut task, &run)?;
    let train_seconds = trained.seconds;
    let model = pollster::block_on(task.model.content(task.model.main()))?;
    let twin_scores = match task.model.twin() {
        Some(t) => Some(pollster::block_on(task.model.content(t))?),
        None => None,
    };
    println!("Held-out digits ({HELD_OUT} per domain), never trained on:");
    println!(
        "  {:<14} {:>14} {:>14} {:>11} {:>11}",
        "", "kept x→y (%)", "kept y→x (%)", "cycle L1 x", "cycle L1 y"
    );
    let line = |name: &str, s: &ContentScores| {
        println!(
            "  {name:<14} {:>14.1} {:>14.1} {:>11.4} {:>11.4}",
            s.kept_xy * 100.0,
            s.kept_yx * 100.0,
            s.cycle_x,
            s.cycle_y
        )
    };
    line(
        &format!("λ = {}", task.model.main().config().cycle_weight),
        &model,
    );
    if let Some(t) = &twin_scores {
        line("λ = 0 twin", t);
    }
    write_networks(&task, run.out.as_deref())?;
    if let Some(card_path) = &run.card {
        let Some(out) = &run.out else {
            bail!("--card describes the file --out writes; give both");
        };
        // A card describes a finished run only.
        trained.check()?;
        let card = CycleCard {
            title: format!(
                "CycleGAN: handwritten ↔ {} digits",
                task.model.domain().noun()
            ),
            file: file_name(out),
            bytes: fs::metadata(out)?.len(),
            settings: to_setting_pairs(task.model.main().config()),
            steps: task.model.main().steps(),
            train_seconds,
            trained_on: run.trained_on.clone(),
            command: command_line(),
            held_out: HELD_OUT,
            model,
            twin: twin_scores,
        };
        fs::write(card_path, serde_json::to_string_pretty(&card)? + "\n")
            .with_context(|| format!("writing {}", card_path.display()))?;
        println!("wrote {}", card_path.display());
    }
    if let Some(grid) = &run.grid {
        write_panels(grid, &pollster::block_on(task.model.panels())?)?;
    }
    trained.check()
}
