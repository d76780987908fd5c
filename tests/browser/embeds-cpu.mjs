// Benchmark: what five embedded train views cost a reader's machine. A tutorial page embeds the
// train view (MLP GAN, autostart) one to five times; the CPU time of every Chromium process is
// measured over 10 s once the first demo trains, with the other four below the fold (they must
// stay idle) and, for contrast, with all five on screen.
//
// Run: node tests/browser/embeds-cpu.mjs   (after `trunk build --release`)
import { createServer } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { serveDist, launchChromium } from "./harness.mjs";

const SECONDS = 10;
const { server, base } = await serveDist();
let html = "";
const host = createServer((req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
await new Promise((ok) => host.listen(0, "127.0.0.1", ok));
const hostBase = `http://127.0.0.1:${host.address().port}`;

/** A page with `n` train embeds, stacked far apart (`spread`) or in one screenful. */
function page(n, spread) {
  const src = `${base}/#/train?embed&preset=mlp&autostart&panels=stats`;
  const frames = Array.from({ length: n }, (_, i) =>
    `<iframe id="f${i}" src="${src}" style="width:300px;height:150px;border:0;display:block;margin-bottom:${spread ? 3000 : 4}px"></iframe>`).join("\n");
  return `<!DOCTYPE html><body style="margin:0">${frames}</body>`;
}

/** CPU seconds (user + system) used so far by `pid` and all its descendants. */
function cpuSeconds(root) {
  const tick = 100; // USER_HZ on Linux
  const procs = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { pid: Number(pid), ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick };
    } catch {
      return null;
    }
  }).filter(Boolean);
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.add(p.pid); grew = true; }
  }
  return procs.filter((p) => tree.has(p.pid)).reduce((s, p) => s + p.cpu, 0);
}

const browser = await launchChromium();
// Playwright does not expose the browser's pid for a launched executable: find the newest
// chromium process whose parent is this node process.
const pid = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
  try {
    const stat = readFileSync(`/proc/${p}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid && /chrom/.test(stat);
  } catch {
    return false;
  }
}).at(-1);

const results = [];
for (const [n, spread, label] of [[1, true, "1 embed"], [5, true, "5 embeds, 1 on screen"], [5, false, "5 embeds, all on screen"]]) {
  html = page(n, spread);
  const tab = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await tab.goto(`${hostBase}/`);
  const first = tab.frameLocator("#f0");
  await first.locator("#step-count").filter({ hasText: /^([5-9]|\d\d+)/ }).waitFor({ timeout: 180_000 });
  const steps0 = Number(await first.locator("#step-count").innerText());
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await tab.waitForTimeout(SECONDS * 1000);
  const cpu = cpuSeconds(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const steps = Number(await first.locator("#step-count").innerText()) - steps0;
  const waiting = await Promise.all(Array.from({ length: n }, (_, i) => tab.frameLocator(`#f${i}`).locator("#embed-waiting").count()));
  results.push({ label, cores: cpu / wall, stepsPerSec: steps / wall, idle: waiting.filter((w) => w).length });
  console.log(`${label}: ${(cpu / wall).toFixed(2)} cores busy, first demo ${(steps / wall).toFixed(1)} steps/s, ${waiting.filter((w) => w).length} of ${n} still waiting`);
  await tab.close();
}
await browser.close();
server.close();
host.close();
console.log("\n| page | CPU cores busy | visible demo's steps/s | demos not started |\n|---|---|---|---|");
for (const r of results) console.log(`| ${r.label} | ${r.cores.toFixed(2)} | ${r.stepsPerSec.toFixed(1)} | ${r.idle} |`);
