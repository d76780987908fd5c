// Browser test: the gallery of pretrained generators, on the CPU backend in headless Chromium.
//
// Time to the first grid (reported, not asserted), seeds that repeat across reloads,
// interpolation frames with the chosen ends, the latent pad's update rate and the main thread's
// long tasks while dragging, conditional digits on demand, an InfoGAN's categories, exports,
// and bad files.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { openWatched, ROOT, ARTIFACTS, useSite } from "./harness.mjs";

let base, browser, catalogue;

useSite(async (site) => {
  ({ base, browser } = site);
  catalogue = JSON.parse(await readFile(join(ROOT, "dist", "pretrained", "manifest.json"), "utf8"));
});

const open = (path) => openWatched(browser, base, path);

const gridTitle = (page) => page.locator("#gallery").getAttribute("data-grid-title");
const waitTitle = (page, re) =>
  page.waitForFunction((src) => new RegExp(src).test(document.querySelector("#gallery")?.dataset.gridTitle ?? ""), re.source, { timeout: 60_000 });
const canvasGrey = (page, id) =>
  page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    return { w: c.width, h: c.height, grey: Array.from(d.filter((_, i) => i % 4 === 0)) };
  }, id);
const cell = ({ w, grey }, i, columns) => {
  const out = [];
  const [cx, cy] = [(i % columns) * 28, Math.floor(i / columns) * 28];
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(grey[(cy + y) * w + cx + x]);
  return out;
};
const close = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1);

test("the home page opens on a grid of digits; seeds repeat; interpolation, pad, exports", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("#/");
  await page.waitForFunction(() => document.querySelector("#gallery")?.dataset.firstGridMs, null, { timeout: 60_000 });
  const firstGrid = Number(await page.locator("#gallery").getAttribute("data-first-grid-ms"));
  const grid = await canvasGrey(page, "gallery-grid");
  assert.ok(grid.grey.some((v) => v > 128) && grid.grey.some((v) => v < 64), "the grid is not blank");
  await page.screenshot({ path: join(ARTIFACTS, "gallery-home.png"), fullPage: true });

  // The gallery's own route, with a seed: the same grid on every load.
  await page.goto(`${base}/#/gallery?seed=77`);
  await page.reload();
  await waitTitle(page, /^Seed 77,/);
  const a = await canvasGrey(page, "gallery-grid");
  await page.reload();
  await waitTitle(page, /^Seed 77,/);
  assert.deepEqual((await canvasGrey(page, "gallery-grid")).grey, a.grey, "seed 77 draws the same grid after a reload");
  await page.locator("#gallery-new").click();
  await page.waitForFunction(() => !/^Seed 77,/.test(document.querySelector("#gallery").dataset.gridTitle));
  assert.match(page.url(), /seed=\d+/);
  assert.doesNotMatch(page.url(), /seed=77/, "the address follows the new seed");
  await page.locator("#gallery-seed").fill("77");
  await page.locator("#gallery-apply-seed").click();
  await waitTitle(page, /^Seed 77,/);

  // Interpolation: click two cells; 12 frames whose ends are those samples.
  const box = await page.locator("#gallery-grid").boundingBox();
  const [cols, rows] = [a.w / 28, a.h / 28];
  const at = (i) => ({ x: box.x + ((i % cols) + 0.5) * box.width / cols, y: box.y + (Math.floor(i / cols) + 0.5) * box.height / rows });
  await page.locator("#gallery-grid").click({ position: { x: at(2).x - box.x, y: at(2).y - box.y } });
  await page.locator("#gallery-grid").click({ position: { x: at(45).x - box.x, y: at(45).y - box.y } });
  await page.locator("#interpolation-strip").waitFor();
  await page.locator("#gallery-frames").fill("12");
  await page.locator("#gallery-frames").dispatchEvent("change");
  await page.waitForFunction(() => document.getElementById("interpolation-strip").width === 12 * 28);
  const strip = await canvasGrey(page, "interpolation-strip");
  assert.ok(close(cell(strip, 0, 12), cell(a, 2, cols)), "the first frame is the first sample");
  assert.ok(close(cell(strip, 11, 12), cell(a, 45, cols)), "the last frame is the second sample");
  await page.locator("#gallery-play").click();
  await page.waitForTimeout(500);
  await page.locator("#gallery-play").click();

  // The latent pad: drag for two seconds; count updates and long tasks.
  await page.locator("#gallery-grid").click({ position: { x: at(9).x - box.x, y: at(9).y - box.y } });
  const pad = await page.locator("#latent-pad").boundingBox();
  const before = await page.evaluate(() => window.__longtasks.length);
  await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height / 2);
  await page.mouse.down();
  const t0 = Date.now();
  for (let k = 0; Date.now() - t0 < 2000; k++) {
    const r = 0.4 * pad.width;
    await page.mouse.move(pad.x + pad.width / 2 + r * Math.cos(k / 10), pad.y + pad.height / 2 + r * Math.sin(k / 10));
    await page.waitForTimeout(8);
  }
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector("#gallery").dataset.padRate);
  const padRate = Number(await page.locator("#gallery").getAttribute("data-pad-rate"));
  const longTasks = await page.evaluate((n) => window.__longtasks.slice(n), before);
  assert.ok(padRate > 0, "the pad image follows the pointer");
  assert.deepEqual(longTasks.filter((t) => t.duration > 100), [], "no long task blocks the page while dragging");
  await page.screenshot({ path: join(ARTIFACTS, "gallery.png"), fullPage: true });

  // Exports: the grid as PNG and samples as .npy, named after model, seed and ψ.
  const [png] = await Promise.all([page.waitForEvent("download"), page.locator("#gallery-save-png").click()]);
  assert.match(png.suggestedFilename(), /^gan-cgan-seed77-psi2\.png$/);
  await page.locator("#gallery-export-count").fill("50");
  const [npy] = await Promise.all([page.waitForEvent("download"), page.locator("#gallery-export-npy").click()]);
  assert.match(npy.suggestedFilename(), /^gan-cgan-seed77-psi2-n50-samples\.npy$/);
  const bytes = await readFile(await npy.path());
  assert.equal(bytes.subarray(1, 6).toString(), "NUMPY");
  assert.equal(bytes.length, 128 + 50 * 784 * 4);

  const timing = { first_grid_ms: firstGrid, pad_updates_per_s: padRate, long_tasks_while_dragging: longTasks.length };
  await writeFile(join(ARTIFACTS, "gallery-timing.json"), JSON.stringify(timing, null, 2));
  console.log(`gallery: first grid ${firstGrid.toFixed(0)} ms after the page started; pad ${padRate.toFixed(1)} updates/s`);
  await page.close();
  assert.deepEqual(problems, []);
});

test("conditional models draw the digits asked for; truncation and its trade-off", { timeout: 300_000 }, async (t) => {
  const conditional = catalogue.models.find((m) => m.conditional);
  if (!conditional) return t.skip("no conditional model in the catalogue");
  const { page, problems } = await open(`#/gallery?model=${conditional.id}&digits=3`);
  await waitTitle(page, /^Seed 1,/);
  assert.deepEqual(await page.locator("#gallery-row-labels span").allInnerTexts(), ["3"]);
  // 13 grids of eight 3s: the classifier must read at least 90% of the 104 as 3.
  let threes = 0, total = 0;
  for (let seed = 1; seed <= 13; seed++) {
    await page.locator("#gallery-seed").fill(String(seed));
    await page.locator("#gallery-apply-seed").click();
    await waitTitle(page, new RegExp(`^Seed ${seed},`));
    // The first grid may come before the classifier, its verdict just after.
    await page.locator("#gallery[data-histogram]").waitFor();
    const h = JSON.parse(await page.locator("#gallery").getAttribute("data-histogram"));
    threes += h[3];
    total += h.reduce((x, y) => x + y, 0);
  }
  assert.equal(total, 104);
  assert.ok(threes / total >= 0.9, `${threes} of ${total} read as 3`);
  // ψ 0.5: the grid says so and the address keeps it.
  await page.locator("#gallery-psi").fill("1");
  await page.locator("#gallery-psi").dispatchEvent("change");
  await waitTitle(page, /ψ 0\.5/);
  assert.match(page.url(), /psi=0\.5/);
  await page.locator("#gallery-sweep").click();
  await page.locator("#truncation-sweep").waitFor({ timeout: 120_000 });
  assert.equal(await page.locator(".sweep-table tr").count(), 8);
  await page.screenshot({ path: join(ARTIFACTS, "gallery-conditional.png"), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});

test("the unconditional InfoGAN draws a row per category it found, each one kind of digit", { timeout: 300_000 }, async (t) => {
  const info = catalogue.models.find((m) => m.categories);
  if (!info) return t.skip("no InfoGAN in the catalogue");
  const { page, problems } = await open(`#/gallery?model=${info.id}&digits=3`);
  await waitTitle(page, /^Seed 1,/);
  assert.deepEqual(await page.locator("#gallery-row-labels span").allInnerTexts(), ["c3"]);
  assert.match(await page.locator("#gallery-digits legend").innerText(), /^Categories/);
  assert.equal(await page.locator("label:has(#gallery-digit-7)").innerText(), "c7");
  // Five grids of category 3: at least 90% of the 40 samples are one and the same digit.
  const all = new Array(10).fill(0);
  for (let seed = 1; seed <= 5; seed++) {
    await page.locator("#gallery-seed").fill(String(seed));
    await page.locator("#gallery-apply-seed").click();
    await waitTitle(page, new RegExp(`^Seed ${seed},`));
    await page.locator("#gallery[data-histogram]").waitFor();
    JSON.parse(await page.locator("#gallery").getAttribute("data-histogram")).forEach((n, d) => (all[d] += n));
  }
  const total = all.reduce((x, y) => x + y, 0);
  assert.equal(total, 40);
  assert.ok(Math.max(...all) / total >= 0.9, `category 3 drew ${JSON.stringify(all)}`);
  await page.locator("#gallery-digits input[type=checkbox]").nth(0).check();
  await page.locator("#gallery-row-labels span").nth(1).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "gallery-infogan.png"), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});

test("a corrupt weights file gets a clear message and the gallery keeps working; your own checkpoint opens", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("#/gallery?seed=5");
  await waitTitle(page, /^Seed 5,/);
  const before = await canvasGrey(page, "gallery-grid");
  const good = await readFile(join(ROOT, "dist", "pretrained", catalogue.models[0].file));
  const corrupt = Buffer.from(good.subarray(0, Math.floor(good.length / 2)));
  await page.locator("#gallery-open").setInputFiles({ name: "broken.bpk", mimeType: "application/octet-stream", buffer: corrupt });
  await page.locator("#gallery-error").waitFor();
  assert.match(await page.locator("#gallery-error").innerText(), /checkpoint|weights|format/i);
  await page.locator("#gallery-new").click();
  await page.waitForFunction(() => !/^Seed 5,/.test(document.querySelector("#gallery").dataset.gridTitle));
  assert.notDeepEqual((await canvasGrey(page, "gallery-grid")).grey, before.grey, "the loaded model still draws");
  const checkpoint = process.env.CHECKPOINT;
  if (checkpoint) {
    await page.locator("#gallery-open").setInputFiles(checkpoint);
    await page.waitForFunction(() => /your file/.test(document.querySelector("#gallery-model").selectedOptions[0]?.innerText ?? ""), null, { timeout: 60_000 });
  }
  await page.close();
  assert.deepEqual(problems, []);
});

test("Fine-tune sends the shipped generator to the train view, which trains on from its step", { timeout: 300_000 }, async () => {
  const { page, problems } = await open("#/gallery");
  await waitTitle(page, /^Seed 1,/);
  await page.locator("#gallery-fine-tune").click();
  await page.waitForFunction(() => location.hash.startsWith("#/train"));
  const steps = catalogue.models[0].steps;
  await page.waitForFunction((n) => Number(document.querySelector("#step-count")?.innerText) === n, steps, { timeout: 120_000 });
  assert.match(await page.locator("#train-notice").innerText(), /fresh discriminator/);
  assert.equal(await page.locator("#field-conditioning").inputValue(), "cgan");
  assert.equal(await page.locator("#field-preset").inputValue(), "custom", "a 64-channel cGAN is no preset");
  await page.locator("#step").click();
  await page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) === n + 1, steps, { timeout: 120_000 });
  await page.screenshot({ path: join(ARTIFACTS, "gallery-fine-tune.png"), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});
