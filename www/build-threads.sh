#!/usr/bin/env bash
# Run by the Trunk post-build hook www/hash-assets.sh, first: builds the threaded CPU worker
# (`src/bin/worker_mt.rs`) into the staged site as worker_mt.js + worker_mt_bg.wasm (+ the
# snippet that starts its helper workers), and its relaxed-SIMD twin worker_mt_rs_bg.wasm.
# Trunk cannot build it: it needs the standard library rebuilt with atomics and shared memory,
# which the stable toolchain does with RUSTC_BOOTSTRAP=1 and the rust-src component (.ci/setup
# adds it), and flags that must not reach the other wasm.
# It builds into its own folder of the build cache, so the two builds never evict each other.
# GAN_THREADS=0 skips it (a faster edit loop): the page then runs the plain CPU worker.
set -euo pipefail
cd "${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
if [ "${GAN_THREADS:-1}" = 0 ]; then
  echo "build-threads: skipped (GAN_THREADS=0); the page will use the single-thread CPU worker"
  exit 0
fi
source_dir=${TRUNK_SOURCE_DIR:?}
target_dir="${CARGO_TARGET_DIR:-$source_dir/target}/threads"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then profile=wasm; out=wasm; else profile=dev; out=debug; fi
# The same flags as .cargo/config.toml's (RUSTFLAGS replaces them), plus the thread features;
# then, for the final link only (`cargo rustc` passes them to this bin alone, so they do not
# rebuild its dependencies), what wasm-bindgen's thread support needs and this rustc does not
# add: an imported shared memory of at most 2 GiB (browsers reserve a shared memory's maximum
# up front) and the thread-local storage symbols.
link=()
for arg in --shared-memory --import-memory --max-memory=2147483648 \
  --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base; do
  link+=(-C "link-arg=$arg")
done
# Two builds, the second with relaxed SIMD's fused multiply-adds in gemm's kernel (about 10%
# faster training; its module does not load in a browser without relaxed SIMD, whose loader
# takes the first: www/hash-assets.sh). Their features differ only in gemm-f32 and what builds
# on it, so they share the rest of the build folder. wasm-bindgen writes the same JavaScript for
# both (checked), so the second keeps only its wasm, as worker_mt_rs_bg.wasm.
relaxed_dir=$(mktemp -d)
trap 'rm -rf "$relaxed_dir"' EXIT
for variant in threads relaxed-simd; do
  RUSTC_BOOTSTRAP=1 \
    RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals' \
    cargo rustc --quiet --manifest-path "$source_dir/Cargo.toml" --target wasm32-unknown-unknown \
    -Z build-std=panic_abort,std --profile "$profile" --target-dir "$target_dir" \
    --bin worker_mt --no-default-features --features "$variant" -- "${link[@]}"
  dir=.
  [ "$variant" = threads ] || dir=$relaxed_dir
  wasm-bindgen --target web --no-typescript --out-dir "$dir" --out-name worker_mt \
    "$target_dir/wasm32-unknown-unknown/$out/worker_mt.wasm"
done
if ! cmp -s worker_mt.js "$relaxed_dir/worker_mt.js"; then
  echo "build-threads: the two threaded builds' JavaScript glue differs; one loader cannot start both" >&2
  exit 1
fi
mv "$relaxed_dir/worker_mt_bg.wasm" worker_mt_rs_bg.wasm
