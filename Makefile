# Knot. `make run` and `make test` work on a fresh Debian 12 machine with a Rust toolchain.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: setup ui build run test screenshots bench bench-app bench-serve bench-grpc bench-federation lint demo schema package package-test bindings fuzz-smoke deny

setup:
	@bash scripts/setup.sh

## The UI bundle the app embeds at compile time (ui/dist). Until the UI's packages are
## installed, a placeholder page keeps the app buildable.
ui: setup
	@if [ -f ui/package.json ] && [ -d ui/node_modules ]; then \
	  (cd ui && npm run build); \
	elif [ ! -f ui/dist/index.html ]; then \
	  mkdir -p ui/dist && \
	  echo '<!doctype html><meta charset="utf-8"><title>Knot</title><h1>Knot</h1><p>The UI is not built yet (make ui).</p>' > ui/dist/index.html; \
	fi

build: setup ui
	$(CARGO) build -p knot-cli -p knot-app

## With a display: the desktop app. Without one: how to start it under Xvfb, then the demo
## services and the examples working in the terminal.
run: build
	@if [ -n "$${DISPLAY:-}" ]; then \
	  target/debug/knot-app; \
	else \
	  echo "No display: start the desktop app under a virtual display with"; \
	  echo "  xvfb-run -a target/debug/knot-app"; \
	  echo "Meanwhile, the demo services and the examples in the terminal:"; \
	  bash scripts/run-demo.sh; \
	fi

## Install what is missing, build, and run every test. KNOT_KEYRING=off: the tests' throwaway
## stores keep their secrets key in a file, never in the keyring of the session they run in
## (the keyring test starts a Secret Service of its own).
test: setup ui
	cd ui && npm test
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  KNOT_KEYRING=off $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  KNOT_KEYRING=off $(CARGO) test --workspace --no-fail-fast; \
	fi

## Every screen of the desktop app on the demo workspace (query before and after a run, services,
## send, schema, designer, topology, envs, history) in both themes at 1440x900 and 1024x700, as
## PNGs in target/screenshots/ (under Xvfb, through the window tests' WebDriver set-up). About a
## minute once built; not part of `make test` (an ignored test of the e2e binary).
screenshots: setup ui
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  KNOT_KEYRING=off $(CARGO) nextest run -p knot-app --test e2e --run-ignored only -E 'test(every_screen_in_both_themes_and_sizes)'; \
	else \
	  KNOT_KEYRING=off $(CARGO) test -p knot-app --test e2e every_screen_in_both_themes_and_sizes -- --ignored; \
	fi

## The orchestration benchmark (numbers printed for people).
bench: setup
	$(CARGO) bench -p knot-tests --bench shop

## The gateway benchmark: knot serve vs the Orders service directly, with hey.
bench-serve: setup
	@bash scripts/bench-serve.sh

## The desktop app's numbers in the real window under Xvfb, optimised build: launch to the first
## drawn workspace, memory idle and after 100 runs beside an empty Tauri window, a 500-node plan
## drawn, the designer at 50 types (scripts/bench-app.sh).
bench-app: setup ui
	@bash scripts/bench-app.sh

## OrderDetails over gRPC (knot serve --grpc-port) beside its REST endpoint, 32 concurrent.
bench-grpc: setup
	@bash scripts/bench-grpc.sh

## Federation: knot serve against Hive Router (Rust; installed with cargo +nightly when missing),
## Apollo Gateway and Hive Gateway (npm) on the same subgraphs, same load, answers checked, three
## interleaved rounds, medians and the ratio to Hive Router (federation/bench-peers/compare.sh).
bench-federation: setup
	@GATEWAYS="$${GATEWAYS:-knot hive-router apollo hive}" bash federation/bench-peers/compare.sh

## rustfmt and clippy come with the toolchain (rustup's default profile); where a toolchain
## lacks them they cannot be fetched here, so lint says so and is skipped. Library and binary
## code (not tests) may not unwrap or expect: data from files, users and the network gets an
## error instead. The fuzz/ workspace is format-checked only (its clippy would need nightly
## libfuzzer-sys).
lint: setup ui
	@if $(CARGO) fmt --version >/dev/null 2>&1 && $(CARGO) clippy --version >/dev/null 2>&1; then \
	  $(CARGO) fmt --all --check && \
	  $(CARGO) fmt --manifest-path fuzz/Cargo.toml --check && \
	  $(CARGO) clippy --workspace --all-targets -- -D warnings && \
	  $(CARGO) clippy --workspace --exclude knot-tests --lib --bins -- -D warnings -D clippy::unwrap_used -D clippy::expect_used; \
	else \
	  echo "lint skipped: this Rust toolchain has no rustfmt/clippy component"; \
	fi

## Licenses, banned crates and sources of the dependency tree (deny.toml) with cargo-deny,
## installed when missing; advisories are skipped with a message (no database here).
deny:
	@bash scripts/deny.sh

## The fuzz targets (fuzz/, cargo-fuzz on the nightly toolchain): replay the committed corpus
## and fuzz each target briefly (3 minutes in all); skipped with a message without nightly.
fuzz-smoke:
	@bash scripts/fuzz-smoke.sh

demo: build
	target/debug/knot demo

## Regenerate the committed JSON Schema of the workspace format.
schema:
	KNOT_BLESS=1 $(CARGO) test -p knot-model --test files committed_json_schema_matches_the_types

## The .deb package (target/dist/bundle/deb/) with the Tauri CLI (npm @tauri-apps/cli@2):
## knot-app and knot built with the dist profile (release, stripped), completions, man pages,
## the systemd unit knot@.service and the *.knot.json MIME type (scripts/package.sh).
package: setup ui
	@bash scripts/package.sh

## The package checked unpacked (dpkg-deb -x): metadata, desktop entry, MIME type, man pages,
## completions, systemd unit, knot check on the examples, knot-app under Xvfb, and three
## knot serve behind nginx on loopback through a SIGTERM restart (scripts/package-test.sh).
package-test: package
	@bash scripts/package-test.sh

## Regenerate the UI's TypeScript types (ui/src/bindings) from crates/knot-app-api.
bindings:
	KNOT_BLESS=1 $(CARGO) test -p knot-app-api --test bindings
