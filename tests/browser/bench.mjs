// In-browser benchmark (not a test): ms per training step for our models on the page's CPU
// (wasm) and WebGPU backends, the page's time to first interactive, and the wasm sizes.
// Run after `trunk build --release`:  node tests/browser/bench.mjs
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, serveDist, launchChromium } from "./harness.mjs";

const DIST = join(ROOT, "dist");
const { server, base } = await serveDist();
const browser = await launchChromium();

for (const f of (await readdir(DIST)).filter((f) => f.endsWith(".wasm"))) {
  const bytes = await readFile(join(DIST, f));
  console.log(`| ${f} | ${(bytes.length / 2 ** 20).toFixed(1)} MiB raw | ${(gzipSync(bytes).length / 2 ** 20).toFixed(1)} MiB gzip |`);
}

const step = (page) => page.locator("#step-count").innerText().then(Number);
async function measure(name, query, warmup, steps) {
  const page = await browser.newPage();
  await page.goto(`${base}/?${query}&pause_at=${warmup + steps}`);
  await page.locator("#train:not([disabled])").waitFor({ timeout: 600_000 });
  const interactive = await page.evaluate(() => performance.now());
  const backend = (await page.locator("#backend .badge").innerText()).trim();
  await page.locator("#train").click();
  await page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) >= n, warmup, { timeout: 600_000, polling: 5 });
  const t0 = await page.evaluate(() => performance.now());
  const s0 = await step(page);
  await page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) >= n, warmup + steps, { timeout: 900_000, polling: 5 });
  const t1 = await page.evaluate(() => performance.now());
  const s1 = await step(page);
  console.log(`| ${name} | ${backend} | ${((t1 - t0) / (s1 - s0)).toFixed(1)} ms/step | first interactive ${interactive.toFixed(0)} ms |`);
  await page.close();
}

const tfjsMlp = "model=mlp&g_hidden=256,512&d_hidden=512,256&batch_norm=0";
const runs = [
  ["mlp-3layer (TF.js comparison)", `backend=cpu&${tfjsMlp}`, 5, 30],
  ["mlp (guide)", "backend=cpu&model=mlp", 5, 20],
  ["dcgan c=32 (tab default)", "backend=cpu&model=dcgan", 3, 10],
  ["mlp-3layer (TF.js comparison)", `backend=gpu&${tfjsMlp}`, 2, 3],
  ["mlp (guide)", "backend=gpu&model=mlp", 2, 3],
];
const only = process.argv[2];
for (const [name, query, warmup, steps] of runs) {
  if (!only || query.includes(only)) await measure(name, query, warmup, steps);
}
await browser.close();
server.close();
