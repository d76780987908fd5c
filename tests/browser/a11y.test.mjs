// Browser test: an automated accessibility check (axe-core, WCAG 2.1 A/AA rules) of every
// view, in the light and the dark colour scheme, once each view has drawn its first content.
// Serious and critical violations fail the test; the others are printed.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { useSite } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let base, browser;

useSite((site) => ({ base, browser } = site));

// Each view's address and an element that is there once it has drawn its content.
const VIEWS = [
  ["home", "#/", "#gallery[data-first-grid-ms]"],
  ["gallery", "#/gallery", "#gallery[data-first-grid-ms]"],
  ["train", "#/train?backend=cpu", "#step-count"],
  ["cycle", "#/cycle", "#cycle-scores tbody tr"],
  ["colorize", "#/colorize", "#color-scores tbody tr"],
  ["superres", "#/superres", "#sr-scores tbody tr"],
  ["embedding guide", "#/embedding", "#embedding-docs h1"],
];

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}: ${n.failureSummary.split("\n").slice(1, 2).join(" ")}`), count: v.nodes.length }));
  });
}

for (const scheme of ["light", "dark"]) {
  test(`every view passes the accessibility checker (${scheme} scheme)`, { timeout: 400_000 }, async () => {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 1000 } });
    const found = [];
    try {
      for (const [name, path, ready] of VIEWS) {
        const page = await context.newPage();
        await page.goto(`${base}/${path}`);
        await page.locator(ready).first().waitFor({ timeout: 120_000 });
        for (const v of await violations(page)) {
          const line = `${name} (${scheme}): ${v.impact} ${v.id} ×${v.count}: ${v.help}\n    ${v.nodes.join("\n    ")}`;
          console.log(line);
          if (v.impact === "serious" || v.impact === "critical") found.push(line);
        }
        await page.close();
      }
    } finally {
      await context.close();
    }
    assert.deepEqual(found, []);
  });
}

test("the gallery's sample picking and latent pad work from the keyboard", { timeout: 200_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/#/gallery`);
    await page.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
    // Pick sample 1 then sample 12 with the number box and the Pick button, keys only.
    await page.locator("#gallery-pick-number").focus();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("1");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("gallery-selected").innerText.startsWith("Sample 1 picked"), null, { timeout: 30_000 });
    // The pad moves with the arrow keys and reports where it is.
    const pad = page.locator("#latent-pad");
    await pad.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowUp");
    assert.equal(await pad.getAttribute("aria-valuetext"), "x 0.30, y 1.50");
    await page.locator("#pad-image").waitFor({ timeout: 30_000 });
    await page.locator("#gallery-pick-number").focus();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("12");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator("#interpolation-strip").waitFor({ timeout: 60_000 });
    assert.match(await page.locator("#gallery-selected").innerText(), /Interpolating sample 1 → 12/);
    // A number past the grid, or no number, gets a message; a good pick clears it.
    await page.locator("#gallery-pick-number").fill("9999");
    await page.locator("#gallery-pick-number").dispatchEvent("change");
    await page.locator("#gallery-pick").press("Enter");
    await page.locator("#gallery-error").waitFor({ timeout: 30_000 });
    assert.match(await page.locator("#gallery-error").innerText(), /no sample 9999/);
    await page.locator("#gallery-pick-number").fill("2");
    await page.locator("#gallery-pick-number").dispatchEvent("change");
    await page.locator("#gallery-pick").press("Enter");
    await page.locator("#gallery-error").waitFor({ state: "detached", timeout: 30_000 });
    // Picking again centres the pad: its point is back in the middle.
    assert.equal(await pad.getAttribute("aria-valuetext"), "x 0.00, y 0.00");
  } finally {
    await page.close();
  }
});
