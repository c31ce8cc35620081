# Source from the repo root: points worker-build at local tools so it
# downloads nothing (see docs on the toolchain), and quiets wrangler.
export PATH="$PWD/node_modules/.bin:${CARGO_INSTALL_ROOT:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/@esbuild/linux-x64/bin/esbuild"
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# Refuse to build rather than let worker-build fetch a tool from GitHub.
for tool in "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  if [ ! -x "$tool" ]; then
    echo "relay-env: missing local tool (${tool:-wasm-bindgen}); run scripts/setup" >&2
    return 1 2>/dev/null || exit 1
  fi
done
