// Browser test: the built page (trunk build --release → dist/) in Debian's headless Chromium.
//
// Trains on the CPU backend for N steps and checks the charts, the sample grid, the main
// thread's long tasks and the console; then a short WebGPU (SwiftShader) smoke run, and auto
// mode's refusal of the software adapter. Saves screenshots under target/browser-artifacts/.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openWatched, ARTIFACTS, useSite } from "./harness.mjs";

const STEPS = Number(process.env.BROWSER_TEST_STEPS ?? 30);

let base, browser;

useSite((site) => ({ base, browser } = site));

// Opens the page with a long-task observer and console capture installed before any script runs.
const open = (query) => openWatched(browser, base, query);

const stepCount = (page) => page.locator("#step-count").innerText().then(Number);
const gridPixels = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("sample-grid");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  });
const legendValues = (page) =>
  page.locator("#loss-charts .legend .key").allInnerTexts().then((t) => t.map((s) => Number(s.trim().split(" ").pop())));

test(`trains ${STEPS} steps on the CPU backend with a responsive page`, { timeout: 600_000 }, async () => {
  const { page, problems } = await open(`?backend=cpu&pause_at=${STEPS}`);
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector("#sample-grid") && document.querySelector(".histogram .axis").innerText.includes("digits"));
  assert.match(await page.locator("#backend").innerText(), /CPU/);
  const before = await gridPixels(page);
  const loadedAt = await page.evaluate(() => performance.now());

  await page.locator("#train").click();
  await page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) >= n
      && document.querySelector("#train").innerText.trim() === "Train", STEPS, { timeout: 500_000 });
  assert.equal(await stepCount(page), STEPS, "pause_at stops exactly at N");
  await page.waitForFunction((n) => document.querySelector(".samples .muted").innerText.includes(`step ${n}`), STEPS);

  const points = await page.locator(".chart").first().getAttribute("data-points");
  assert.equal(Number(points), STEPS, "the loss chart holds one point per step");
  for (const v of await legendValues(page)) assert.ok(Number.isFinite(v), `finite chart value, got ${v}`);

  const afterPixels = await gridPixels(page);
  const mean = afterPixels.reduce((a, b) => a + b, 0) / afterPixels.length;
  const variance = afterPixels.reduce((a, b) => a + (b - mean) ** 2, 0) / afterPixels.length;
  assert.ok(variance > 100, `sample grid is not blank (pixel variance ${variance.toFixed(1)})`);
  const changed = afterPixels.filter((v, i) => Math.abs(v - before[i]) > 8).length;
  assert.ok(changed > afterPixels.length / 20, `the grid changed between refreshes (${changed} pixels)`);

  const long = await page.evaluate((t) => window.__longtasks.filter((e) => e.start > t), loadedAt);
  assert.deepEqual(long, [], "no main-thread task over 50 ms while training");

  // Bad input gets a message and the run survives.
  await page.locator("#field-lr_g").fill("-5");
  await page.locator("#apply").click();
  assert.match(await page.locator("#error-lr_g").innerText(), /between|above 0/);
  assert.equal(await stepCount(page), STEPS, "the run is untouched by invalid settings");

  await page.screenshot({ path: join(ARTIFACTS, "trained-cpu.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("loads a CLI checkpoint and refuses a file that is not one", { timeout: 300_000 }, async (t) => {
  const checkpoint = process.env.CHECKPOINT;
  if (!checkpoint) return t.skip("set CHECKPOINT to a checkpoint.bpk from `gan-playground train` (.ci/test does)");
  const { page, problems } = await open("?backend=cpu");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  await page.locator("#load-checkpoint").setInputFiles({ name: "junk.bpk", mimeType: "application/octet-stream", buffer: Buffer.from("not a checkpoint") });
  await page.locator("#error").waitFor();
  assert.match(await page.locator("#error").innerText(), /checkpoint/);
  assert.equal(await stepCount(page), 0, "a bad file leaves the run as it was");
  await page.locator("#load-checkpoint").setInputFiles(checkpoint);
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) === 5, null, { timeout: 120_000 });
  assert.equal(await page.locator("#field-model").inputValue(), "mlp");
  await page.close();
  assert.deepEqual(problems, []);
});

test("the grid is redrawn every “Samples every” steps, and a bad value is refused", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("?backend=cpu&model=mlp&pause_at=110&sample_every=25&metrics_every=0");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("#field-sample_every").inputValue(), "25");
  // The steps of every grid drawn while training (the grid caption's "(step N)").
  await page.evaluate(() => {
    window.__gridSteps = [];
    const caption = document.querySelector("#sample-grid").closest("figure").querySelector("figcaption .muted");
    new MutationObserver(() => {
      const step = Number(caption.innerText.match(/step (\d+)/)?.[1]);
      if (Number.isFinite(step) && window.__gridSteps.at(-1) !== step) window.__gridSteps.push(step);
    }).observe(caption, { subtree: true, childList: true, characterData: true });
  });
  await page.locator("#train").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) >= 110
      && document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 240_000 });
  const steps = await page.evaluate(() => window.__gridSteps);
  // Every grid but the one drawn at the pause comes 25 or more steps after the one before;
  // at the default (every 10 steps) some would come sooner.
  const whileRunning = steps.slice(0, -1);
  // 110 steps: grids are drawn at the first report past each 25 steps, and a report may cover
  // many steps, so 60 (once) left room for only one grid before the pause.
  assert.equal(steps.at(-1), 110, `the pause draws a grid: ${steps}`);
  assert.ok(whileRunning.length >= 2, `grids while training: ${steps}`);
  for (let i = 1; i < whileRunning.length; i++) assert.ok(whileRunning[i] - whileRunning[i - 1] >= 25, `grids at steps ${steps}`);

  // A bad value is refused with a message and the run goes on untouched.
  await page.locator("#field-sample_every").fill("0");
  await page.locator("#apply").click();
  assert.match(await page.locator("#error").innerText(), /Samples every.*1 or more.*“0”/);
  assert.equal(await stepCount(page), 110);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a newcomer picks the cGAN preset, chooses digits, trains and evaluates", { timeout: 600_000 }, async () => {
  const { page, problems } = await open("?backend=cpu&pause_at=3&metrics_every=0");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  await page.locator("#field-preset").selectOption("cgan");
  await page.locator("#row-labels").waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("#field-model").inputValue(), "dcgan");
  assert.equal(await page.locator("#field-conditioning").inputValue(), "cgan");
  assert.match(await page.locator(".notice").innerText(), /cGAN/);
  // One grid row per digit; unticking two digits leaves eight rows.
  assert.equal(await page.locator("#row-labels span").count(), 10);
  await page.locator("#digit-3").uncheck();
  await page.locator("#digit-7").uncheck();
  await page.waitForFunction(() => document.querySelectorAll("#row-labels span").length === 8);
  assert.equal(await page.evaluate(() => document.getElementById("sample-grid").height), 8 * 28);
  assert.deepEqual(await page.locator("#row-labels span").allInnerTexts(), ["0", "1", "2", "4", "5", "6", "8", "9"]);

  await page.locator("#train").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) >= 3
      && document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 300_000 });
  assert.equal(await stepCount(page), 3);
  for (const v of await legendValues(page)) assert.ok(Number.isFinite(v), `finite chart value, got ${v}`);

  await page.locator("#evaluate").click();
  await page.waitForFunction(() => document.querySelector("#metrics-step").innerText.includes("step 3"), null, { timeout: 300_000 });
  const fid = Number(await page.locator("#metric-fid").innerText());
  assert.ok(Number.isFinite(fid) && fid > 0, `FID is a positive number, got ${fid}`);
  assert.match(await page.locator("#metric-label-accuracy").innerText(), /^\d+(\.\d)?%$/);
  assert.match(await page.locator("#metric-classes").innerText(), /^\d+\/10$/);

  // An impossible combination is refused with the reason, and the run is kept.
  await page.locator("#field-loss").selectOption("wgan-gp");
  await page.locator("#apply").click();
  assert.match(await page.locator("#error-d_batch_norm").innerText(), /BatchNorm/);
  assert.equal(await stepCount(page), 3);

  await page.screenshot({ path: join(ARTIFACTS, "preset-cgan.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the InfoGAN preset trains with its own categories as the grid's rows", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("?backend=cpu&pause_at=2&metrics_every=0");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  await page.locator("#field-preset").selectOption("infogan");
  await page.locator("#row-labels span").first().waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("#field-conditioning").inputValue(), "infogan");
  assert.equal(await page.locator("#field-info_weight").inputValue(), "1");
  assert.deepEqual(await page.locator("#row-labels span").allInnerTexts(), ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"]);
  assert.equal(await page.locator("label:has(#digit-4)").innerText(), "c4");
  await page.locator("#train").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) >= 2
      && document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 300_000 });
  for (const v of await legendValues(page)) assert.ok(Number.isFinite(v), `finite chart value, got ${v}`);
  await page.screenshot({ path: join(ARTIFACTS, "preset-infogan.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("auto mode keeps the CPU on a software WebGPU adapter and says why", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("#/train");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  const text = await page.locator("#backend").innerText();
  assert.match(text, /CPU/);
  assert.match(text, /software fallback|no WebGPU|offers no adapter/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("WebGPU smoke run: forced GPU backend trains two steps with finite losses", { timeout: 600_000 }, async () => {
  const { page, problems } = await open("?preset=mlp&backend=gpu&pause_at=2&batch_size=16");
  await page.locator("#train:not([disabled])").waitFor({ timeout: 300_000 });
  assert.match(await page.locator("#backend").innerText(), /WebGPU/);
  await page.locator("#train").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) >= 2
      && document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 500_000 });
  const values = await legendValues(page);
  assert.equal(values.length, 4);
  for (const v of values) assert.ok(Number.isFinite(v), `finite loss, got ${v}`);
  await page.screenshot({ path: join(ARTIFACTS, "webgpu-smoke.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
