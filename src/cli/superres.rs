//! `superres`: trains (or continues, or only scores) the super-resolution demo's upscaler and
//! reports PSNR and SSIM against bicubic upsampling on the held-out digits.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::pretrained::SrCard;
use crate::core::settings::to_setting_pairs;
use crate::core::superres::{Fidelity, SrConfig};
use crate::engine::demo::Demo;
use crate::engine::superres::{HELD_OUT, ID, SuperRes};

use super::common::{load_data, now_ms};
use super::task_run::{
    TaskRun, command_line, file_name, print_fidelity, resume_and_train, write_networks,
    write_panels,
};

pub(crate) fn superres(config: SrConfig, run: TaskRun, device: &Device, data: &Path) -> Result<()> {
    let digits = load_data(data)?;
    let model = SuperRes::new(device, &digits, config).map_err(anyhow::Error::msg)?;
    let mut task = Demo::new(ID, model, now_ms);
    let trained = resume_and_train(&mut task, &run)?;
    let train_seconds = trained.seconds;
    let table = pollster::block_on(task.model.scores())?;
    print_fidelity(
        &table,
        &format!("the last {HELD_OUT} digits of the data file, never trained on"),
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
        let config = task.model.trainer().config();
        let card = SrCard {
            title: format!("SRGAN-style upscaler ×{}", config.factor),
            file: file_name(out),
            bytes: fs::metadata(out)?.len(),
            settings: to_setting_pairs(config),
            steps: task.model.trainer().steps(),
            train_seconds,
            trained_on: run.trained_on.clone(),
            command: command_line(),
            held_out: HELD_OUT,
            model: mean(0),
            bicubic: mean(1),
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
