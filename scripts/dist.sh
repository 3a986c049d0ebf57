#!/usr/bin/env bash
# The release archive of one target: orgctl-v<version>-<target>.tar.gz (a folder of the same
# name holding the binary, README.md and LICENSE) and its checksum file <archive>.sha256 in
# `sha256sum` format, so `sha256sum -c` verifies a download. The release workflow
# (.github/workflows/release.yml) runs this per target; `make dist` runs it for this machine.
#
#   scripts/dist.sh [--bin PATH] [--target TRIPLE] [--out DIR]
#
# --bin defaults to target/<target>/release/orgctl (or target/release/orgctl without
# --target); --target to this machine's host triple (rustc -vV); --out to dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="" target="" out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "dist.sh: unknown argument $1 (--bin PATH, --target TRIPLE, --out DIR)" >&2; exit 1 ;;
  esac
done
if [ -z "$bin" ]; then
  if [ -n "$target" ]; then bin=target/$target/release/orgctl; else bin=target/release/orgctl; fi
fi
if [ -z "$target" ]; then target=$(rustc -vV | sed -n 's/^host: //p'); fi
[ -x "$bin" ] || { echo "dist.sh: no binary at $bin (build it: cargo build --release --locked)" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
name=orgctl-v$version-$target
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$bin" "$stage/$name/orgctl"
cp README.md LICENSE "$stage/$name/"
# Reproducible with GNU tar (fixed order, owner and time); macOS's bsdtar lacks the flags.
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -C "$stage" -czf "$out/$name.tar.gz" "$name"
else
  tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
fi
# The same format either way: "<hex>  <file>", which `sha256sum -c` and `shasum -a 256 -c` read.
if command -v sha256sum >/dev/null; then sum="sha256sum"; else sum="shasum -a 256"; fi
(cd "$out" && $sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
