# Knot. `make run` and `make test` work on a fresh Debian 12 machine with a Rust toolchain.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup build run test bench bench-serve lint demo schema

setup:
	@bash scripts/setup.sh

build: setup
	$(CARGO) build -p knot-cli

## Start the demo services and show the examples working (the desktop app comes later).
run: build
	@bash scripts/run-demo.sh

## Install what is missing, build, and run every test.
test: setup
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

## The orchestration benchmark (numbers printed for people).
bench: setup
	$(CARGO) bench -p knot-tests --bench shop

## The gateway benchmark: knot serve vs the Orders service directly, with hey.
bench-serve: setup
	@bash scripts/bench-serve.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

demo: build
	target/debug/knot demo

## Regenerate the committed JSON Schema of the workspace format.
schema:
	KNOT_BLESS=1 $(CARGO) test -p knot-model --test files committed_json_schema_matches_the_types
