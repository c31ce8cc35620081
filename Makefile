# zenwire — every entry point a developer or CI needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup test lint unit bench fuzz demo pkg size check-size test-browser check-types www test-playground bench-playground relay-build relay test-relay bench-relay dev


# npm binaryen's wasm-opt (node_modules/.bin) and the cargo-installed
# wasm-bindgen/wasm-pack first on PATH: wasm-pack then never downloads, and
# Debian's broken binaryen 108 is never picked up.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

setup:
	@scripts/setup

## make demo: the main job, offline — builds everything, starts mock-zen and the
## relay (wrangler dev, real workerd, public mode) serving the playground on
## http://127.0.0.1:8787/; Ctrl-C stops it all.
demo: setup pkg www relay-build
	@scripts/demo

## make dev: the same against real Zen (ZEN_API_KEY in the environment or worker/.dev.vars).
dev: setup pkg www relay-build
	@scripts/demo --dev

## make test: every test the project has (CI runs exactly this).
test: setup lint unit check-size test-browser test-node test-ts test-relay test-playground

## make lint: rustfmt and clippy (native, wasm32, the relay), and ESLint over
## the JS (eslint.config.js: src/wasm/*.js, tests, bench, www).
lint: setup
	eslint .
	$(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --target wasm32-unknown-unknown --lib --test wasm_browser -- -D warnings
	@# The relay crate is its own workspace (built for wasm32 only).
	$(CARGO) fmt --check --manifest-path worker/Cargo.toml
	$(CARGO) clippy --manifest-path worker/Cargo.toml --target wasm32-unknown-unknown -- -D warnings

unit:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## make bench: criterion benchmarks, the JS decode table and the playground's
## main-thread load (numbers go in README).
bench: setup bench-js bench-playground
	$(CARGO) bench --bench decode

## make fuzz: run each fuzz target for a while (needs cargo-fuzz + nightly; not in CI).
FUZZ_SECONDS ?= 60
fuzz:
	cd fuzz && for t in $$($(CARGO) fuzz list); do $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; done

## make pkg: the wasm package, pkg/ (ES module for browsers and Workers,
## built for size) and pkg-node/ (CommonJS for Node, built for speed: the
## `speed` profile in Cargo.toml).
# --mode no-install: use the wasm-bindgen on PATH, never download one.
WASM_PACK := wasm-pack build --mode no-install
pkg: setup
	@# wasm-pack leaves snippet files of earlier builds behind.
	rm -rf pkg/snippets pkg-node/snippets
	$(WASM_PACK) --release --target web --out-dir pkg
	$(WASM_PACK) --profile speed --target nodejs --out-dir pkg-node
	@# A page downloads pkg/: its JS (wasm-bindgen's glue and our snippets,
	@# src/wasm/*.js, commented for reading) ships minified by esbuild. (The
	@# glue lists one snippet module once per import: duplicate keys, harmless.)
	for f in pkg/zenwire.js $$(find pkg/snippets -name '*.js'); do \
	  esbuild --minify --log-level=warning --log-override:duplicate-object-key=silent \
	    --allow-overwrite "$$f" --outfile="$$f" || exit 1; done
	@# The repo's package.json says "type":"module"; the Node build is CommonJS and
	@# its snippets are ES modules, so each folder says what it holds.
	echo '{"type":"commonjs"}' > pkg-node/package.json
	if [ -d pkg-node/snippets ]; then echo '{"type":"module"}' > pkg-node/snippets/package.json; fi

## make size: gzip -9 size of each file a page downloads (pkg/) and the total.
size: pkg
	@scripts/package-size

## make check-size: fails when the web package (pkg/: wasm + JS, gzip -9)
## grows past SIZE_CEILING_KB (1 KB = 1024 B); prints its size on every run.
SIZE_CEILING_KB ?= 120
check-size: pkg
	@scripts/package-size --ceiling $(SIZE_CEILING_KB)

## make test-browser: the wasm binding in headless Chromium against a
## mock-zen started on a free port (stopped again however the run ends).
test-browser: setup
	@scripts/test-browser

## make check-types: pkg/zenwire.d.ts type-checks against the documented
## usage of the JS API (tests/ts/api_usage.ts; strict TypeScript).
check-types: pkg
	tsc --noEmit --strict --target esnext --module esnext --moduleResolution bundler \
	  --lib esnext,dom,dom.iterable tests/ts/api_usage.ts

## make www: the playground's generated files — the wasm package (pkg/) and the
## Markdown libraries from node_modules — copied into www/ (git-ignored), so
## www/ is a complete static site (the relay serves it; no CDN).
PKG_DIR ?= pkg
www: pkg
	@test -f $(PKG_DIR)/zenwire.js -a -f $(PKG_DIR)/zenwire_bg.wasm || { echo "www: $(PKG_DIR)/zenwire.js missing — build the wasm package first (make pkg)" >&2; exit 1; }
	@test -f node_modules/marked/lib/marked.esm.js -a -f node_modules/dompurify/dist/purify.es.mjs || npm ci --no-audit --no-fund
	rm -rf www/pkg www/vendor
	mkdir -p www/pkg www/vendor
	cp $(PKG_DIR)/zenwire.js $(PKG_DIR)/zenwire_bg.wasm www/pkg/
	if [ -d $(PKG_DIR)/snippets ]; then cp -R $(PKG_DIR)/snippets www/pkg/; fi
	cp node_modules/marked/lib/marked.esm.js node_modules/dompurify/dist/purify.es.mjs www/vendor/

## make test-playground: the playground in headless Chromium (playwright-core,
## /usr/bin/chromium) against the `make demo` stack — scripts/demo on a free
## port (mock-zen behind the relay in wrangler dev), stopped afterwards;
## screenshots go to screenshots/.
test-playground: www relay-build
	node tests/playground/support/run.mjs node --test --test-concurrency=1 tests/playground/

## make bench-playground: main-thread busy share while a 20,000-token Markdown
## answer streams into the playground from mock-zen, at its `make demo` pace and
## with no pause (headless Chromium, Chrome's own counters), now and before #14.
bench-playground: www relay-build
	node bench/playground/render.mjs

## Relay (worker/): build the Worker bundle with worker-build (no downloads).
relay-build: setup
	source scripts/relay-env.sh && cd worker && worker-build --release

## make relay: wrangler dev on 127.0.0.1:8787 against ZEN_UPSTREAM (secrets in worker/.dev.vars).
ZEN_UPSTREAM ?= https://opencode.ai/zen/v1
relay: relay-build
	source scripts/relay-env.sh && cd worker && wrangler dev -c wrangler.test.toml --ip 127.0.0.1 --port 8787 --var ZEN_UPSTREAM:$(ZEN_UPSTREAM)

## make test-relay: Miniflare tests of the built Worker against mock-zen, and a deploy dry run.
## One node process (tests/relay/relay.test.mjs imports every suite) so the
## last test can scan everything the suite saw for the Zen key.
test-relay: relay-build
	$(CARGO) build -q -p mock-zen
	source scripts/relay-env.sh && node --test tests/relay/*.test.mjs
	source scripts/relay-env.sh && cd worker && wrangler deploy --dry-run --outdir /tmp/zenwire-relay-dry-run

## make bench-relay: what the relay adds over a bare JavaScript Worker pumping the same upstream
## body through an IdentityTransformStream, same Miniflare, interleaved: first-byte p50, workerd
## CPU per streamed request (both limiter calls), RSS growth per stream over 3,000 streams.
## BENCH_STAGES=1 adds the relay's CPU by where a request stops. Table in worker/README.md.
bench-relay: relay-build
	$(CARGO) build -q -p mock-zen
	source scripts/relay-env.sh && node tests/relay/bench.mjs

.PHONY: test-node test-ts bench-js

## make test-node: the JS API (pkg/, pkg-node/) under Node's test runner, ZenClient against mock-zen,
## the web build inside Miniflare. Needs `make pkg` first.
test-node: pkg
	$(CARGO) build -q -p mock-zen
	node --test tests/node/*.test.mjs

## make test-ts: the TypeScript examples must type-check against pkg/zenwire.d.ts.
test-ts: check-types
	tsc --noEmit -p tests/ts

## make bench-js: in Node, decode throughput (StreamDecoder vs the JS SDK
## pipelines) and end to end (ZenClient.stream vs the official SDK clients),
## one markdown table each.
bench-js:
	node bench/js/decode.mjs
	node bench/js/client.mjs
