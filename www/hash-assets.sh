#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): gives the workers content-hashed names, as Trunk gives the
# page's own files, and writes into index.html the build's id and the workers' loaders:
#   <meta name="gan-playground-build" content="BUILD" data-worker="./worker_loader-HASH.js" …>
# The page starts the workers by those names and fetches data and models with `?v=BUILD`, so a
# cache can never serve a new page an old worker or an old file: only index.html must be
# revalidated (README, "Host it yourself").
set -euo pipefail
cd "${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
attrs=""
for w in worker worker_gpu; do
  [ -f "$w.js" ] && [ -f "${w}_loader.js" ] || continue
  h=$(cat "$w.js" "${w}_bg.wasm" | sha256sum | cut -c1-16)
  mv "$w.js" "$w-$h.js"
  mv "${w}_bg.wasm" "$w-${h}_bg.wasm"
  sed -e "s|\"\./$w\.js\"|\"./$w-$h.js\"|" -e "s|\"\./${w}_bg\.wasm\"|\"./$w-${h}_bg.wasm\"|" \
    "${w}_loader.js" > "${w}_loader-$h.js"
  grep -q "$w-${h}_bg.wasm" "${w}_loader-$h.js" || { echo "hash-assets: unexpected ${w}_loader.js" >&2; exit 1; }
  rm "${w}_loader.js"
  attrs="$attrs data-$w=\"./${w}_loader-$h.js\""
done
build=$(find . -type f ! -name index.html -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
sed -i "s|</head>|<meta name=\"gan-playground-build\" content=\"$build\"$attrs /></head>|" index.html
grep -q "gan-playground-build" index.html || { echo "hash-assets: no </head> in index.html" >&2; exit 1; }
