// Browser test: the super-resolution view on the CPU backend in headless Chromium.
//
// The pretrained upscaler's panel and scores appear (and beat bicubic's SSIM), training a few
// steps in the tab moves the step count and redraws the panel, a pixel-loss-only restart
// starts from step 0, a wrong file gets a clear message and the view keeps working.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openWatched, ROOT, ARTIFACTS, useSite } from "./harness.mjs";

let base, browser, card;

useSite(async (site) => {
  ({ base, browser } = site);
  card = JSON.parse(await readFile(join(ROOT, "dist", "pretrained", "superres.json"), "utf8"));
});

const number = async (page, id) => Number(await page.locator(`#${id}`).innerText());
const panelPixels = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("sr-panel");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  });

test("the pretrained upscaler shows its digits and scores; training and restarting work in the tab", { timeout: 300_000 }, async () => {
  const { page, problems } = await openWatched(browser, base, "#/superres");
  // The pretrained upscaler replaces the worker's first (untrained) networks, then is scored.
  await page.waitForFunction((s) => document.querySelector("#sr-scores")?.closest("figure")?.innerText.includes(`step ${s}`), card.steps, { timeout: 60_000 });
  const step = await number(page, "sr-step");
  assert.equal(step, card.steps, "the pretrained model's steps");
  // The scores the tab computes are the card's (same held-out digits, same code).
  const ssim = await number(page, "score-gan-ssim");
  const cubic = await number(page, "score-bicubic-ssim");
  assert.ok(Math.abs(ssim - card.model.ssim) < 2e-3, `SSIM ${ssim} vs card ${card.model.ssim}`);
  assert.ok(Math.abs(cubic - card.bicubic.ssim) < 2e-3, `bicubic ${cubic} vs card ${card.bicubic.ssim}`);
  assert.ok(ssim > cubic, `the upscaler beats bicubic: ${ssim} > ${cubic}`);
  const rows = await page.locator("#sr-rows span").allInnerTexts();
  assert.deepEqual(rows, ["input 7×7", "bicubic", "GAN", "real"]);
  const before = await panelPixels(page);
  assert.ok(before.some((v) => v > 128) && before.some((v) => v < 64), "the panel is not blank");
  await page.screenshot({ path: join(ARTIFACTS, "superres.png"), fullPage: true });

  // Train a little: the step count moves and the panel is redrawn at the new step.
  await page.locator("#sr-train").click();
  await page.waitForFunction((s) => Number(document.getElementById("sr-step").innerText) >= s + 20, step, { timeout: 60_000 });
  await page.locator("#sr-train").click();
  await page.waitForFunction(() => document.getElementById("sr-train").innerText.trim() === "Train", null, { timeout: 30_000 });
  const trained = await number(page, "sr-step");
  await page.waitForFunction((s) => (document.querySelector(".superres-view figcaption .muted")?.innerText ?? "").includes(`step ${s}`), trained, { timeout: 30_000 });
  await page.locator("#sr-evaluate").click();
  await page.waitForFunction((s) => document.querySelector("#sr-scores")?.closest("figure")?.innerText.includes(`step ${s}`), trained, { timeout: 60_000 });
  await page.screenshot({ path: join(ARTIFACTS, "superres-trained.png"), fullPage: true });

  // A bad setting is refused under its field; the run is kept.
  await page.locator("#sr-batch_size").fill("0");
  await page.locator("#sr-reset").click();
  await page.locator(".field-error").waitFor({ timeout: 30_000 });
  assert.match(await page.locator(".field-error").innerText(), /Batch size/);
  assert.equal(await number(page, "sr-step"), trained);

  // The pixel-loss-only baseline from scratch: step 0, the model row renamed.
  await page.locator("#sr-batch_size").fill("32");
  await page.locator("#sr-adv_weight").fill("0");
  await page.locator("#sr-reset").click();
  await page.waitForFunction(() => document.getElementById("sr-step").innerText.trim() === "0", null, { timeout: 30_000 });
  await page.locator("#score-pixelloss-ssim").waitFor({ timeout: 60_000 });

  // A file that is not an upscaler: a clear message, and the view keeps working.
  const gan = await readFile(join(ROOT, "dist", "pretrained", "acgan.bpk"));
  await page.locator("#sr-open").setInputFiles({ name: "acgan.bpk", mimeType: "application/octet-stream", buffer: gan });
  await page.locator("#sr-error").waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#sr-error").innerText(), /superres/);
  await page.locator("#sr-step-once").click();
  await page.waitForFunction(() => document.getElementById("sr-step").innerText.trim() === "1", null, { timeout: 30_000 });
  const longest = await page.evaluate(() => Math.max(0, ...window.__longtasks.map((t) => t.duration)));
  console.log(`super-resolution view: longest main-thread task ${longest.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
});
