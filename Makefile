# zenwire — every entry point a developer or CI needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup test lint unit bench fuzz demo relay-build relay test-relay bench-relay

setup:
	@scripts/setup

## make test: every test the project has (CI runs exactly this).
test: setup lint unit test-relay

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

## make bench-relay: p50/p99 first byte and total, relay vs direct to mock-zen
## (same run), workerd CPU per request (/proc), 200 concurrent streams + RSS.
bench-relay: relay-build
	$(CARGO) build -q -p mock-zen
	source scripts/relay-env.sh && node tests/relay/bench.mjs
