//! `colorize`: trains (or continues, or only scores) the colourisation demo's generator on the
//! shipped photographs and reports PSNR and SSIM against the baselines on the held-out patches.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::colorize::{ColorConfig, Photos};
use crate::core::pretrained::ColorCard;
use crate::core::settings::to_setting_pairs;
use crate::core::superres::Fidelity;
use crate::engine::colorize::{Colorize, ID};
use crate::engine::demo::{Demo, DemoModel};

use super::common::now_ms;
use super::task_run::{
    TaskRun, command_line, file_name, print_fidelity, resume_and_train, write_networks,
    write_panels,
};

pub(crate) fn colorize(
    config: ColorConfig,
    run: TaskRun,
    device: &Device,
    photos: &Path,
) -> Result<()> {
    let bytes = fs::read(photos).with_context(|| format!("reading {}", photos.display()))?;
    let photos = Photos::decode(&bytes).with_context(|| format!("reading {}", photos.display()))?;
    let model = Colorize::new(device, photos, config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut task = Demo::new(ID, model, now_ms);
    let trained = resume_and_train(&mut task, &run)?;
    let table = pollster::block_on(task.model.scores())?;
    print_fidelity(
        &table,
        "the right quarter of each photograph, never trained on",
    );
    write_networks(&task, run.out.as_deref())?;
    if let Some(card_path) = &run.card {
        let Some(out) = &run.out else {
            bail!("--card describes the file --out writes; give both");
        };
        // A card describes a finished run only.
        trained.check()?;
        let mean = |i: usize| Fidelity {
            psnr: table.rows[i].1[0],
            ssim: table.rows[i].1[1],
        };
        let card = ColorCard {
            title: "Colouriser (pix2pix-style)".into(),
            file: file_name(out),
            bytes: fs::metadata(out)?.len(),
            settings: to_setting_pairs(task.model.trainer().config()),
            steps: task.model.steps(),
            train_seconds: trained.seconds,
            trained_on: run.trained_on.clone(),
            command: command_line(),
            held_out: task.model.held_out(),
            model: mean(0),
            mean_colour: mean(1),
            tinted: mean(2),
            grey: mean(3),
        };
        fs::write(card_path, serde_json::to_string_pretty(&card)? + "\n")
            .with_context(|| format!("writing {}", card_path.display()))?;
        println!("wrote {}", card_path.display());
    }
    if let Some(grid) = &run.grid {
        write_panels(grid, &[pollster::block_on(task.model.panel())?])?;
    }
    trained.check()
}
