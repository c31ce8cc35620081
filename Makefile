# zenwire — every entry point a developer or CI needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup test lint unit bench fuzz demo

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
