# zenwire — every entry point a developer or CI needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup test lint unit bench fuzz demo www test-playground relay-build relay test-relay

setup:
	@scripts/setup

## make test: every test the project has (CI runs exactly this).
test: setup lint unit

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## make bench: criterion benchmarks (numbers go in README).
bench: setup
	$(CARGO) bench --bench decode

## make fuzz: run each fuzz target for a while (needs cargo-fuzz + nightly; not in CI).
FUZZ_SECONDS ?= 60
fuzz:
	cd fuzz && for t in $$($(CARGO) fuzz list); do $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; done

## make www: the playground's generated files — the wasm package (pkg/) and the
## Markdown libraries from node_modules — copied into www/ (git-ignored), so
## www/ is a complete static site (the relay serves it; no CDN).
PKG_DIR ?= pkg
www:
	@test -f $(PKG_DIR)/zenwire.js -a -f $(PKG_DIR)/zenwire_bg.wasm || { echo "www: $(PKG_DIR)/zenwire.js missing — build the wasm package first (make pkg)" >&2; exit 1; }
	@test -f node_modules/marked/lib/marked.esm.js -a -f node_modules/dompurify/dist/purify.es.mjs || npm ci --no-audit --no-fund
	rm -rf www/pkg www/vendor
	mkdir -p www/pkg www/vendor
	cp $(PKG_DIR)/zenwire.js $(PKG_DIR)/zenwire_bg.wasm www/pkg/
	if [ -d $(PKG_DIR)/snippets ]; then cp -R $(PKG_DIR)/snippets www/pkg/; fi
	cp node_modules/marked/lib/marked.esm.js node_modules/dompurify/dist/purify.es.mjs www/vendor/

## make test-playground: the playground in headless Chromium (playwright-core,
## /usr/bin/chromium) against mock-zen; screenshots go to screenshots/.
test-playground: www
	$(CARGO) build -p mock-zen
	node --test --test-concurrency=1 tests/playground/

## Relay (worker/): build the Worker bundle with worker-build (no downloads).
relay-build: setup
	source scripts/relay-env.sh && cd worker && worker-build --release

## make relay: wrangler dev on 127.0.0.1:8787 against ZEN_UPSTREAM (secrets in worker/.dev.vars).
ZEN_UPSTREAM ?= https://opencode.ai/zen/v1
relay: relay-build
	source scripts/relay-env.sh && cd worker && wrangler dev -c wrangler.test.toml --ip 127.0.0.1 --port 8787 --var ZEN_UPSTREAM:$(ZEN_UPSTREAM)

## make test-relay: Miniflare tests of the built Worker against mock-zen, and a deploy dry run.
test-relay: relay-build
	$(CARGO) build -q -p mock-zen
	source scripts/relay-env.sh && node --test tests/relay/*.test.mjs
	source scripts/relay-env.sh && cd worker && wrangler deploy --dry-run --outdir /tmp/zenwire-relay-dry-run
