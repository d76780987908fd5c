// Browser test: the CycleGAN view on the CPU backend in headless Chromium.
//
// The pretrained networks' triplets and content-preservation scores appear (with their λ = 0
// twin's, as on the card), drawing a digit on the pad translates it both ways, a wrong-sized or
// non-image upload gets a clear message and keeps the drawing, training a few steps in the tab
// moves the step count and redraws the triplets, the twin can be dropped and raced again from
// scratch, and a wrong file gets a clear message.
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
  card = JSON.parse(await readFile(join(ROOT, "dist", "pretrained", "cyclegan.json"), "utf8"));
});

const number = async (page, id) => Number(await page.locator(`#${id}`).innerText());
const scoreRows = (page) =>
  page.locator("#cycle-scores tbody tr").evaluateAll((rows) =>
    rows.map((r) => Array.from(r.querySelectorAll("td")).map((td) => Number(td.innerText))),
  );
const dark = (page, id) =>
  page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    return d.filter((_, i) => i % 4 === 0).every((v) => v < 16);
  }, id);

test("pretrained triplets and content scores, drawing, uploads, training and the twin in the tab", { timeout: 400_000 }, async () => {
  const { page, problems } = await openWatched(browser, base, "#/cycle");
  // The pretrained networks (with their twin) replace the first ones, then are scored.
  await page.waitForFunction((s) => document.querySelector("#cycle-scores")?.closest("figure")?.innerText.includes(`step ${s}`), card.steps, { timeout: 120_000 });
  assert.equal(await number(page, "cycle-step"), card.steps, "the pretrained networks' steps");
  const rows = await scoreRows(page);
  assert.equal(rows.length, 2, "the run and its twin");
  // The tab scores what the card says (same held-out digits, same code).
  const close = (a, b) => Math.abs(a - b) < 0.15;
  assert.ok(close(rows[0][0], card.model.kept_xy * 100) && close(rows[0][1], card.model.kept_yx * 100), `${rows[0]} vs card ${JSON.stringify(card.model)}`);
  assert.ok(close(rows[1][0], card.twin.kept_xy * 100) && close(rows[1][1], card.twin.kept_yx * 100), `${rows[1]} vs card ${JSON.stringify(card.twin)}`);
  assert.ok(rows[0][0] > 90 && rows[1][0] < 40, `the cycle loss keeps the digit, the twin does not: ${rows}`);
  assert.deepEqual(await page.locator("#cycle-x-rows span").allInnerTexts(), ["x (handwritten)", "G(x)", "F(G(x))"]);
  assert.deepEqual(await page.locator("#twin-y-rows span").allInnerTexts(), ["y (typeset)", "F(y)", "G(F(y))"]);
  const captions = await page.locator(".cycle-view .visuals .captions").first().locator("span").allInnerTexts();
  assert.equal(captions.length, 8, "one round-trip error per column");
  assert.ok(captions.every((c) => Number(c) >= 0 && Number(c) < 2), captions.join(" "));
  assert.equal(await dark(page, "cycle-x"), false, "the triplets are drawn");
  await page.screenshot({ path: join(ARTIFACTS, "cycle.png"), fullPage: true });

  // Draw a "1": one vertical stroke. It is translated both ways by the run and the twin.
  const pad = page.locator("#cycle-pad");
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await page.locator("#drawn").waitFor({ timeout: 30_000 });
  await page.locator("#drawn-twin").waitFor({ timeout: 30_000 });
  const drawn = await page.locator(".draw .samples").first().locator(".captions span").allInnerTexts();
  assert.deepEqual(drawn.map((c) => c.split(":")[0]), ["yours", "G", "F∘G", "F", "G∘F"]);
  assert.equal(drawn[0], "yours: 1", `the classifier reads the stroke as a 1: ${drawn}`);
  assert.equal(drawn[1], "G: 1", `G keeps the digit: ${drawn}`);
  await page.screenshot({ path: join(ARTIFACTS, "cycle-drawn.png"), fullPage: true });

  // A picture too small for a digit, then a file that is no picture: clear messages, the
  // drawing stays.
  const tiny = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 4;
    c.height = 4;
    return c.toDataURL("image/png").split(",")[1];
  });
  await page.locator("#cycle-pad-upload").setInputFiles({ name: "tiny.png", mimeType: "image/png", buffer: Buffer.from(tiny, "base64") });
  await page.locator("#cycle-pad-error").waitFor({ timeout: 30_000 });
  const tooSmall = await page.locator("#cycle-pad-error").innerText();
  assert.match(tooSmall, /tiny\.png.*4×4.*8×8/);
  assert.match(tooSmall, /drawing is kept/);
  assert.equal(await dark(page, "cycle-pad"), false, "the drawing is kept");
  await page.locator("#cycle-pad-upload").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
  await page.waitForFunction(() => document.getElementById("cycle-pad-error")?.innerText.includes("notes.txt is not an image"), null, { timeout: 30_000 });
  // A real picture (dark ink on white paper, any size) is fitted and translated.
  const photo = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 120;
    c.height = 90;
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 120, 90);
    ctx.fillStyle = "#111";
    ctx.fillRect(55, 10, 10, 70);
    return c.toDataURL("image/png").split(",")[1];
  });
  const before = await page.locator("#drawn").evaluate((c) => c.toDataURL());
  await page.locator("#cycle-pad-upload").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from(photo, "base64") });
  await page.waitForFunction(() => !document.getElementById("cycle-pad-error"), null, { timeout: 30_000 });
  await page.waitForFunction((b) => document.getElementById("drawn").toDataURL() !== b, before, { timeout: 30_000 });
  assert.equal((await page.locator(".draw .samples").first().locator(".captions span").first().innerText()), "yours: 1");

  // Train a little: the step count moves and the triplets are redrawn at the new step.
  await page.locator("#cycle-train").click();
  await page.waitForFunction((s) => Number(document.getElementById("cycle-step").innerText) >= s + 5, card.steps, { timeout: 90_000 });
  await page.locator("#cycle-train").click();
  await page.waitForFunction(() => document.getElementById("cycle-train").innerText.trim() === "Train", null, { timeout: 30_000 });
  const trained = await number(page, "cycle-step");
  console.log(`CycleGAN view: ${(await page.locator(".cycle-view .status").innerText()).trim()}`);
  await page.waitForFunction((s) => (document.querySelector(".cycle-view .visuals figcaption .muted")?.innerText ?? "").includes(`step ${s}`), trained, { timeout: 30_000 });

  // Drop the twin, then race a fresh one: both restart from step 0.
  await page.locator("#cycle-twin").click();
  await page.waitForFunction(() => document.querySelector(".cycle-view").dataset.twin === "false", null, { timeout: 60_000 });
  assert.equal(await number(page, "cycle-step"), trained, "dropping the twin keeps the run");
  assert.equal((await scoreRows(page)).length, 1);
  await page.locator("#cycle-twin").click();
  await page.waitForFunction(() => document.querySelector(".cycle-view").dataset.twin === "true" && document.getElementById("cycle-step").innerText.trim() === "0", null, { timeout: 60_000 });
  assert.equal(await page.locator("#cycle-card").count(), 0, "the pretrained card does not describe fresh networks");
  await page.locator("#cycle-step-once").click();
  await page.waitForFunction(() => document.getElementById("cycle-step").innerText.trim() === "1", null, { timeout: 30_000 });

  // A bad setting is refused under its field; the runs are kept.
  await page.locator("#cycle-batch_size").fill("0");
  await page.locator("#cycle-reset").click();
  await page.locator(".field-error").first().waitFor({ timeout: 30_000 });
  assert.match(await page.locator(".controls .field-error").first().innerText(), /Batch size/);
  assert.equal(await number(page, "cycle-step"), 1);
  await page.locator("#cycle-batch_size").fill("16");

  // A file that is not a CycleGAN: a clear message, and the view keeps working.
  const sr = await readFile(join(ROOT, "dist", "pretrained", "superres.bpk"));
  await page.locator("#cycle-open").setInputFiles({ name: "superres.bpk", mimeType: "application/octet-stream", buffer: sr });
  await page.locator("#cycle-error").waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#cycle-error").innerText(), /cyclegan/);
  await page.locator("#cycle-step-once").click();
  await page.waitForFunction(() => document.getElementById("cycle-step").innerText.trim() === "2", null, { timeout: 30_000 });
  const longest = await page.evaluate(() => Math.max(0, ...window.__longtasks.map((t) => t.duration)));
  console.log(`CycleGAN view: longest main-thread task ${longest.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
});

test("handwritten ↔ colour digits: the pretrained pair opens from the picker, in RGB, and translates a drawing", { timeout: 300_000 }, async () => {
  const colourCard = JSON.parse(await readFile(join(ROOT, "dist", "pretrained", "cyclegan-colour.json"), "utf8"));
  const { page, problems } = await openWatched(browser, base, "#/cycle");
  await page.waitForFunction((s) => document.querySelector("#cycle-scores")?.closest("figure")?.innerText.includes(`step ${s}`), card.steps, { timeout: 120_000 });
  await page.locator("#cycle-domain-colour").click();
  await page.waitForFunction(
    (s) => document.querySelector("#cycle-domain-colour")?.getAttribute("aria-pressed") === "true" && document.querySelector("#cycle-scores")?.closest("figure")?.innerText.includes(`step ${s}`),
    colourCard.steps,
    { timeout: 120_000 },
  );
  assert.match(await page.locator(".cycle-view h2").innerText(), /handwritten ↔ colour digits/);
  assert.deepEqual(await page.locator("#cycle-y-rows span").allInnerTexts(), ["y (colour)", "F(y)", "G(F(y))"]);
  const rows = await scoreRows(page);
  assert.equal(rows.length, 2, "the run and its twin");
  const close = (a, b) => Math.abs(a - b) < 0.15;
  assert.ok(close(rows[0][0], colourCard.model.kept_xy * 100) && close(rows[0][1], colourCard.model.kept_yx * 100), `${rows[0]} vs card ${JSON.stringify(colourCard.model)}`);
  assert.ok(close(rows[1][0], colourCard.twin.kept_xy * 100) && close(rows[1][1], colourCard.twin.kept_yx * 100), `${rows[1]} vs card ${JSON.stringify(colourCard.twin)}`);
  assert.match(await page.locator("#cycle-card").innerText(), /handwritten → colour/);
  // The y panel's first row is in colour: some pixel's red and green differ.
  const coloured = await page.evaluate(() => {
    const c = document.getElementById("cycle-y");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height / 3).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[i + 1]) > 40) n++;
    return n;
  });
  assert.ok(coloured > 100, `colour pixels in the y row: ${coloured}`);
  await page.screenshot({ path: join(ARTIFACTS, "cycle-colour.png"), fullPage: true });

  // Draw a "1": G colours it and the classifier still reads a 1 through its strokes.
  const pad = page.locator("#cycle-pad");
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await page.locator("#drawn").waitFor({ timeout: 30_000 });
  const drawn = await page.locator(".draw .samples").first().locator(".captions span").allInnerTexts();
  assert.equal(drawn[0], "yours: 1", `${drawn}`);
  assert.equal(drawn[1], "G: 1", `G keeps the digit in colour: ${drawn}`);
  await page.screenshot({ path: join(ARTIFACTS, "cycle-colour-drawn.png"), fullPage: true });

  // Back to typeset: its pretrained pair returns.
  await page.locator("#cycle-domain-typeset").click();
  await page.waitForFunction(() => document.querySelector("#cycle-domain-typeset")?.getAttribute("aria-pressed") === "true", null, { timeout: 120_000 });
  await page.waitForFunction(() => (document.querySelector("#cycle-y-rows")?.innerText ?? "").includes("typeset"), null, { timeout: 60_000 });
  assert.deepEqual(problems, []);
});
