// Browser test: the colourisation view on the CPU backend in headless Chromium.
//
// The pretrained colouriser's panel (in colour) and scores appear, equal to its card's and
// above the mean-colour baseline's; training a few steps in the tab moves the step count and
// redraws the panel; a wrong file gets a clear message and the view keeps working.
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
  card = JSON.parse(await readFile(join(ROOT, "dist", "pretrained", "colorize.json"), "utf8"));
});

const number = async (page, id) => Number(await page.locator(`#${id}`).innerText());
const scoreRows = (page) =>
  page.locator("#color-scores tbody tr").evaluateAll((rows) =>
    rows.map((r) => [r.querySelector("th").innerText, ...Array.from(r.querySelectorAll("td")).map((td) => Number(td.innerText))]),
  );

test("the pretrained colouriser shows its colours and scores; training works in the tab", { timeout: 300_000 }, async () => {
  const { page, problems } = await openWatched(browser, base, "#/colorize");
  await page.waitForFunction((s) => document.querySelector("#color-scores")?.closest("figure")?.innerText.includes(`step ${s}`), card.steps, { timeout: 90_000 });
  assert.equal(await number(page, "color-step"), card.steps);
  const rows = await scoreRows(page);
  assert.deepEqual(rows.map((r) => r[0]), ["GAN", "mean colour", "grey + mean tint", "grey"]);
  const close = (a, b, tol) => Math.abs(a - b) < tol;
  assert.ok(close(rows[0][1], card.model.psnr, 2e-2) && close(rows[0][2], card.model.ssim, 2e-3), `${rows[0]} vs card ${JSON.stringify(card.model)}`);
  assert.ok(close(rows[1][2], card.mean_colour.ssim, 2e-3), `${rows[1]} vs card ${JSON.stringify(card.mean_colour)}`);
  assert.ok(rows[0][1] > rows[1][1] && rows[0][2] > rows[1][2], `the colouriser beats the mean colour: ${rows}`);
  assert.deepEqual(await page.locator("#color-rows span").allInnerTexts(), ["grey in", "GAN", "grey + mean tint", "real"]);
  // The model's row has colour: somewhere red, green and blue differ.
  const coloured = await page.evaluate(() => {
    const c = document.getElementById("color-panel");
    const h = c.height / 4;
    const d = c.getContext("2d").getImageData(0, h, c.width, h).data;
    let spread = 0;
    for (let i = 0; i < d.length; i += 4) spread = Math.max(spread, Math.abs(d[i] - d[i + 1]), Math.abs(d[i + 1] - d[i + 2]));
    return spread;
  });
  assert.ok(coloured > 30, `the model's patches are coloured (largest channel spread ${coloured})`);
  await page.screenshot({ path: join(ARTIFACTS, "colorize.png"), fullPage: true });

  await page.locator("#color-train").click();
  await page.waitForFunction((s) => Number(document.getElementById("color-step").innerText) >= s + 10, card.steps, { timeout: 60_000 });
  await page.locator("#color-train").click();
  await page.waitForFunction(() => document.getElementById("color-train").innerText.trim() === "Train", null, { timeout: 30_000 });
  const trained = await number(page, "color-step");
  await page.waitForFunction((s) => (document.querySelector(".colorize-view figcaption .muted")?.innerText ?? "").includes(`step ${s}`), trained, { timeout: 30_000 });
  console.log(`colourisation view: ${(await page.locator(".colorize-view .status").innerText()).trim()}`);

  const gan = await readFile(join(ROOT, "dist", "pretrained", "superres.bpk"));
  await page.locator("#color-open").setInputFiles({ name: "superres.bpk", mimeType: "application/octet-stream", buffer: gan });
  await page.locator("#color-error").waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#color-error").innerText(), /colorize/);
  assert.equal(await number(page, "color-step"), trained);
  const longest = await page.evaluate(() => Math.max(0, ...window.__longtasks.map((t) => t.duration)));
  console.log(`colourisation view: longest main-thread task ${longest.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
});
