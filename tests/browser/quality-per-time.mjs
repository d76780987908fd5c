// In-tab quality per second (a benchmark, not a test): for each preset, the page is opened on the
// CPU (wasm) backend, Train is pressed, and after each budget of training time (30 s, 60 s, …,
// wall clock in the tab, evaluation not counted) the run is paused, Evaluate pressed and the
// metrics and the sample grid saved. What a user sees after pressing Train, measured.
//
// Run after `trunk build --release`:
//   node tests/browser/quality-per-time.mjs --seconds 30,60,300 --presets dcgan,mlp \
//        [--set upsampling=nearest] [--grids docs/quality-per-time] [--write BENCHMARKS.md [--append]]
// --write replaces the table between the markers; with --append the rows are added to it.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { serveDist, launchChromium } from "./harness.mjs";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "30,60" },
    presets: { type: "string", default: "dcgan,ttur,wgan,wgan-gp,lsgan,hinge-sn,cgan,acgan,mlp" },
    set: { type: "string", multiple: true, default: [] },
    grids: { type: "string" },
    write: { type: "string" },
    append: { type: "boolean", default: false },
  },
});
const budgets = args.seconds.split(",").map(Number);
if (budgets.some((s, i) => !(s > 0) || (i > 0 && s <= budgets[i - 1]))) {
  console.error("--seconds must be ascending positive numbers, e.g. 30,60,300");
  process.exit(2);
}
const extra = args.set.map((kv) => `&${kv}`).join("");
const variant = args.set.length ? ` (${args.set.join(", ")})` : "";
const suffix = args.set.map((kv) => `+${kv}`).join("");
if (args.grids) await mkdir(args.grids, { recursive: true });

const { server, base } = await serveDist();
const browser = await launchChromium();
const rows = [];
const text = (page, sel) => page.locator(sel).innerText().then((t) => t.trim());
try {
  for (const preset of args.presets.split(",")) {
    const page = await browser.newPage();
    await page.goto(`${base}/#/train?preset=${preset}&backend=cpu${extra}`);
    await page.locator("#train:not([disabled])").waitFor({ timeout: 600_000 });
    const backend = await text(page, "#backend .badge");
    let trained = 0; // ms of training so far
    for (const budget of budgets) {
      await page.locator("#train").click();
      const start = Date.now();
      await new Promise((ok) => setTimeout(ok, Math.max(0, budget * 1000 - trained)));
      await page.locator("#train").click(); // pause after the current step
      await page.waitForFunction(() => document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 600_000, polling: 5 });
      trained += Date.now() - start;
      const steps = Number(await text(page, "#step-count"));
      await page.locator("#evaluate").click();
      await page.waitForFunction((n) => document.querySelector("#metrics-step").innerText.includes(`step ${n})`), steps, { timeout: 600_000 });
      const m = {};
      for (const id of ["fid", "is", "classes", "kl", "confidence", "label-accuracy"]) m[id] = await text(page, `#metric-${id}`);
      const acc = m["label-accuracy"].startsWith("—") ? "—" : m["label-accuracy"];
      const row = `| ${preset}${variant} | ${budget} s | ${steps} | ${m.fid} | ${m.is} | ${m.classes} | ${m.kl} | ${m.confidence} | ${acc} | ${(trained / 1000).toFixed(0)} s |`;
      console.log(row);
      rows.push(row);
      if (args.grids) {
        const png = await page.locator("#sample-grid").evaluate((c) => c.toDataURL("image/png"));
        await writeFile(join(args.grids, `tab-${preset}${suffix}-${budget}s.png`), Buffer.from(png.split(",")[1], "base64"));
      }
    }
    console.log(`(${preset}: ${backend})`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

const HEADER = [
  "| preset | budget | steps | FID (classifier features) ↓ | IS analogue ↑ | classes | class KL ↓ | mean confidence ↑ | label acc. | trained |",
  "|---|---|---|---|---|---|---|---|---|---|",
];
if (args.write) {
  const START = "<!-- quality-per-time-tab:start -->";
  const END = "<!-- quality-per-time-tab:end -->";
  const doc = await readFile(args.write, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${args.write} has no ${START} … ${END} markers`);
  const kept = args.append ? doc.slice(a + START.length, b).split("\n").filter((l) => l.startsWith("| ") && !HEADER.includes(l)) : [];
  const table = [...HEADER, ...kept, ...rows].join("\n");
  await writeFile(args.write, `${doc.slice(0, a)}${START}\n${table}\n${doc.slice(b)}`);
  console.log(`updated ${args.write}`);
}
