#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): builds the threaded CPU worker (www/build-threads.sh),
# then gives the workers content-hashed names, as Trunk gives the page's own files, and writes
# into index.html the build's id and the workers' loaders:
#   <meta name="gan-playground-build" content="BUILD" data-worker="./worker_loader-HASH.js" …>
# The page starts the workers by those names and fetches data and models with `?v=BUILD`, so a
# cache can never serve a new page an old worker or an old file: only index.html must be
# revalidated (README, "Host it yourself").
set -euo pipefail
# First the threaded CPU worker, which Trunk cannot build.
bash "$(dirname "$0")/build-threads.sh"
cd "${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
# The digits compress to a fifth: ship them gzipped whatever the server does (the worker
# inflates them with the browser's DecompressionStream; a browser without one fetches the
# plain file). `-n`: the same bytes every build.
if [ -f data/mnist.bin ]; then
  gzip -9 -n -c data/mnist.bin > data/mnist.bin.gz
fi
# Drop the wasm files' symbol names (the `name` section: 0.7 MB raw, 0.13 MB gzipped in the CPU
# worker; panics still name their source line) with Binaryen's wasm-opt, stripping only: its
# optimising passes made the gzipped files larger here (BENCHMARKS.md). Any wasm-opt of
# Binaryen 116 or newer serves: $WASM_OPT, the one the browser tests install from npm, or one on
# PATH. GAN_KEEP_NAMES=1 keeps the names (readable stack traces).
wasm_opt=""
for candidate in "${WASM_OPT:-}" "${TRUNK_SOURCE_DIR:-.}/tests/browser/node_modules/.bin/wasm-opt" wasm-opt; do
  [ -n "$candidate" ] || continue
  version=$("$candidate" --version 2>/dev/null | grep -o 'version [0-9]*' | grep -o '[0-9]*' || true)
  if [ -n "$version" ] && [ "$version" -ge 116 ]; then wasm_opt=$candidate; break; fi
done
if [ "${GAN_KEEP_NAMES:-0}" = 1 ]; then
  echo "hash-assets: keeping the wasm names (GAN_KEEP_NAMES=1)"
elif [ -z "$wasm_opt" ]; then
  echo "hash-assets: no wasm-opt of Binaryen >= 116 (npm's binaryen: .ci/setup --browser); the wasm keeps its names" >&2
  # The deployment sets this, so a missing tool cannot ship the larger files unnoticed.
  [ "${GAN_REQUIRE_WASM_OPT:-0}" != 1 ] || exit 1
else
  sri() { openssl dgst -sha384 -binary "$1" | openssl base64 -A; }
  for f in *_bg.wasm; do
    before=$(sri "$f")
    "$wasm_opt" --strip-debug --strip-producers "$f" -o "$f.stripped"
    mv "$f.stripped" "$f"
    # Trunk's subresource-integrity hash of the page's wasm, and the size its loader shows
    # progress against, must follow the new bytes.
    sed -i -e "s|sha384-$before|sha384-$(sri "$f")|" \
      -e "s|'./$f', [0-9]*,|'./$f', $(stat -c%s "$f"),|" index.html
  done
fi
# The loaders (in place of Trunk's two-line ones) download the wasm themselves, telling the page
# how far they are with the engine's `Loading` event, then start wasm-bindgen on the bytes.
# `download` prints the part they share: it fetches the address the JavaScript expression $1
# gives and leaves the bytes in `bytes` (undefined where the body cannot be streamed:
# wasm-bindgen then fetches it again).
download() {
  cat <<JS
  const wasm = $1;
  const response = await fetch(wasm);
  if (!response.ok) throw new Error(\`\${wasm}: HTTP \${response.status}\`);
  let bytes;
  try {
    // A compressed response's length is not the body's.
    let total = response.headers.get("content-encoding") ? null : Number(response.headers.get("content-length")) || null;
    const reader = response.body.getReader();
    const chunks = [];
    let done = 0, last = 0;
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      chunks.push(value);
      done += value.length;
      if (total !== null && done > total) total = null; // compressed length: no percentage
      if (performance.now() - last > 100) {
        last = performance.now();
        postMessage(JSON.stringify({ Loading: { what: "the worker's code", done, total } }));
      }
    }
    bytes = new Uint8Array(done);
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    postMessage(JSON.stringify({ Loading: { what: "the worker's code", done, total: done } }));
  } catch (e) {
    bytes = undefined;
  }
JS
}
# A wasm module of one function, () -> v128: three v128.const zeros, f32x4.relaxed_madd
# (0xfd 0x105), end. It validates only where the browser has relaxed SIMD.
RELAXED_PROBE="0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,61,1,59,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,133,2,11"
attrs=""
for w in worker worker_gpu worker_mt; do
  [ -f "$w.js" ] && [ -f "${w}_bg.wasm" ] || continue
  h=$(cat "$w.js" "${w}_bg.wasm" $([ "$w" = worker_mt ] && echo worker_mt_rs_bg.wasm) | sha256sum | cut -c1-16)
  mv "$w.js" "$w-$h.js"
  mv "${w}_bg.wasm" "$w-${h}_bg.wasm"
  if [ "$w" = worker_mt ]; then
    mv worker_mt_rs_bg.wasm "worker_mt_rs-${h}_bg.wasm"
    # A module worker (wasm-bindgen's `web` output): it starts `?threads=N` helper workers on
    # its module and memory, then the engine (src/bin/worker_mt.rs). Where the browser validates
    # relaxed SIMD's f32x4.relaxed_madd (the bytes: a module whose one function returns
    # relaxed_madd of three zero vectors), it takes the relaxed-SIMD build.
    { echo "import init, { start } from \"./$w-$h.js\";"
      echo "const threads = Math.max(1, Number(new URL(import.meta.url).searchParams.get(\"threads\")) || navigator.hardwareConcurrency || 1);"
      echo "const relaxed = WebAssembly.validate(new Uint8Array([$RELAXED_PROBE]));"
      echo "(async () => {"
      download "relaxed ? \"./worker_mt_rs-${h}_bg.wasm\" : \"./$w-${h}_bg.wasm\""
      echo "  await init({ module_or_path: bytes ?? wasm });"
      echo "  await start(threads);"
      echo "})().catch((e) => setTimeout(() => { throw e; })); // an error event the page reports"
    } > "${w}_loader-$h.js"
  else
    { echo "(async () => {"
      download "\"./$w-${h}_bg.wasm\""
      echo "  importScripts(\"./$w-$h.js\");"
      echo "  await wasm_bindgen({ module_or_path: bytes ?? wasm });"
      echo "})().catch((e) => setTimeout(() => { throw e; })); // an error event the page reports"
    } > "${w}_loader-$h.js"
    rm -f "${w}_loader.js"
  fi
  attrs="$attrs data-$w=\"./${w}_loader-$h.js\""
done
build=$(find . -type f ! -name index.html -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
sed -i "s|</head>|<meta name=\"gan-playground-build\" content=\"$build\"$attrs /></head>|" index.html
grep -q "gan-playground-build" index.html || { echo "hash-assets: no </head> in index.html" >&2; exit 1; }
