#!/usr/bin/env bash
# The portable release binary: runs on any x86_64 Linux with glibc 2.17 or later (RHEL 7+,
# Ubuntu 14.04+), stripped, no OpenSSL, version and git commit in `--version`.
#
#   pip install ziglang && cargo install cargo-zigbuild --locked   # once
#   scripts/portable-build.sh        # → target/x86_64-unknown-linux-gnu/dist/bmby-ghl (or under $CARGO_TARGET_DIR)
#
# `cargo zigbuild` links against glibc 2.17's symbol versions with zig's linker; the `dist`
# profile (Cargo.toml) is `release` without debug info, stripped, with thin LTO. Then
# scripts/portable-check.sh checks the result (highest GLIBC_ symbol ≤ 2.17, no libssl, it
# starts). Exit 3 when the toolchain is missing, 1 when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-gnu
GLIBC=2.17

if ! command -v cargo-zigbuild >/dev/null 2>&1; then
  echo "portable-build: cargo-zigbuild is missing: cargo install cargo-zigbuild --locked" >&2
  exit 3
fi
if ! command -v zig >/dev/null 2>&1 && ! python3 -c 'import ziglang' >/dev/null 2>&1; then
  echo "portable-build: zig is missing: pip install ziglang" >&2
  exit 3
fi

# No OpenSSL anywhere in the dependency tree (reqwest and oauth2 use rustls).
if cargo tree --locked -e normal -i openssl-sys >/dev/null 2>&1; then
  echo "portable-build: openssl-sys is in the dependency tree:" >&2
  cargo tree --locked -e normal -i openssl-sys >&2
  exit 1
fi

cargo zigbuild --locked --profile dist --bin bmby-ghl --target "$TARGET.$GLIBC"
BIN="${CARGO_TARGET_DIR:-target}/$TARGET/dist/bmby-ghl"
exec scripts/portable-check.sh "$BIN" "$GLIBC"
