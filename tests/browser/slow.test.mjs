// Browser test: a first visit on a slow link (10 Mbit/s, 40 ms, empty cache). The page's own
// wasm shows a progress bar before any Rust runs, and each view shows what its worker is
// downloading (its code, the digits, the classifier) with a bar until it is ready. The time to
// the home page's first grid of pretrained samples is reported (a figure, not an assertion).
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, coldPage, recordProblems, useSite } from "./harness.mjs";

let base, browser;
const MBIT = 10;

useSite((site) => ({ base, browser } = site));

/** A fresh page (empty cache) on a throttled link; records every progress text it shows. */
async function slowPage() {
  const { context, page } = await coldPage(browser, MBIT);
  await page.addInitScript(() => {
    window.__progress = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll("#boot, .download")) {
        const text = el.innerText.trim();
        if (text && window.__progress.at(-1) !== text) window.__progress.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const problems = recordProblems(page);
  return { context, page, problems };
}

test(`on a ${MBIT} Mbit/s link, progress bars show the page's and the workers' downloads`, { timeout: 240_000 }, async () => {
  const { context, page, problems } = await slowPage();
  try {
    const t0 = Date.now();
    await page.goto(`${base}/#/`);
    await page.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
    const firstGrid = (Date.now() - t0) / 1000;
    // The train view then downloads the digits and the classifier with its own worker.
    const t1 = Date.now();
    await page.locator("a[href='#/train']").first().click();
    await page.locator(".download progress").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, "slow-train-download.png") });
    await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
    const trainReady = (Date.now() - t1) / 1000;
    const seen = await page.evaluate(() => window.__progress);
    console.log(`time to the first pretrained grid at ${MBIT} Mbit/s, cold: ${firstGrid.toFixed(1)} s`);
    console.log(`then the train view ready (its worker, the digits, the classifier): ${trainReady.toFixed(1)} s`);
    console.log(seen.slice(0, 3).concat(["…"], seen.slice(-3)).join("\n"));
    assert.ok(seen.some((t) => /Loading GAN Playground/.test(t)), "the page's own bar");
    assert.ok(seen.some((t) => /Downloading the worker's code: [\d.]+ (of [\d.]+ )?MB/.test(t)), "the worker's code");
    assert.ok(seen.some((t) => /Downloading data\/mnist\.bin\.gz: [\d.]+ of [\d.]+ MB \(\d+%\)/.test(t)), "the digits, with a percentage");
    // Nothing is left showing once the view is ready.
    assert.equal(await page.locator("#boot, .download").count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("a browser without DecompressionStream fetches the plain digits and trains", { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = recordProblems(page);
    // The worker's loader first removes the class, as an older browser would lack it.
    await page.route(/\/worker(_mt)?_loader-/, async (route) => {
      // With the original's headers: the threaded worker must stay cross-origin isolated.
      const response = await route.fetch();
      await route.fulfill({ response, body: `delete self.DecompressionStream;\n${await response.text()}` });
    });
    const fetched = [];
    context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${base}/#/train?backend=cpu`);
    await page.locator("#step:not([disabled])").waitFor({ timeout: 60_000 });
    await page.locator("#step").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) === 1, null, { timeout: 60_000 });
    assert.ok(fetched.includes("/data/mnist.bin"), fetched.join("\n"));
    assert.ok(!fetched.includes("/data/mnist.bin.gz"));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
