# orgctl — the two commands: `make demo` and `make test`. Everything they need is set up
# here from a clean clone (Rust toolchain + Python 3 with pip are the only prerequisites).
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench schema venv build lint clean dist man sandbox

$(STAMP): emulator/requirements.txt
	@# The CI recipe test runs the recipes' shell lines as written: they use curl, jq, sha256sum.
	@command -v jq >/dev/null || (apt-get install -y -qq jq >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq jq)) || echo "warning: jq is missing; the CI recipe test needs it"
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r emulator/requirements.txt
	touch $(STAMP)

venv: $(STAMP)

build:
	cargo build --bin orgctl

## The main job: emulator up, brownfield org, plan, apply, plan again (no changes).
demo: $(STAMP) build
	scripts/demo.sh

## Try it: the emulator keeps running with the example organization; prints what to export
## so the README's "Use" commands run as written (Ctrl-C stops it).
sandbox: $(STAMP) build
	scripts/sandbox.sh

## Every test: formatting, lints, unit, snapshot and end-to-end tests (each test run
## starts its own emulator on a free 127.0.0.1 port).
test: $(STAMP)
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	$(VPY) emulator/selftest.py --quiet
	ORGCTL_EMULATOR_PYTHON=$(CURDIR)/$(VPY) cargo test --all-targets

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

## Benchmarks (not tests; about 35 minutes): 1,000 accounts / 100 OUs / 8 delegations, API calls
## vs. the lower bound; Identity Center (2,000 assignments; 10,000 at 20 requests/s); wall time vs.
## a reference reader and vs. the quota floor, without and with tags; applying 200 accounts
## (bench/README.md).
bench: $(STAMP)
	cargo build --release --bin orgctl
	$(VPY) bench/plan_bench.py --orgctl target/release/orgctl
	$(VPY) bench/ic_bench.py --orgctl target/release/orgctl
	$(VPY) bench/ic_bench.py --orgctl target/release/orgctl --assignments 10000 --pairs 2000 --delay-ms 50 --rate 20
	$(VPY) bench/floor_bench.py --orgctl target/release/orgctl
	$(VPY) bench/floor_bench.py --orgctl target/release/orgctl --tags 2
	$(VPY) bench/apply_bench.py --orgctl target/release/orgctl

## Regenerate schemas/ (org.yaml, the plan file, the apply report) from the Rust types.
schema:
	cargo run --quiet --bin orgctl -- schema > schemas/org.schema.json
	cargo run --quiet --bin orgctl -- schema --for plan > schemas/plan.schema.json
	cargo run --quiet --bin orgctl -- schema --for report > schemas/apply-report.schema.json

## The release archive for this machine (dist/orgctl-v<version>-<target>.tar.gz and its .sha256),
## as the release workflow makes it for each target.
dist:
	cargo build --release --locked --bin orgctl
	scripts/dist.sh

## The man pages (man/orgctl.1 and one per command).
man:
	cargo run --quiet --bin orgctl -- man --out-dir man

clean:
	rm -rf $(VENV) target
