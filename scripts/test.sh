#!/usr/bin/env bash
# Sets up what is missing and runs every check and test of Basecamp Doctor: formatting,
# lints, the UI type check and unit tests, the Rust tests, the Windows and macOS builds of
# the engine and CLI, and the end-to-end test of the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "UI: type check, unit tests, build"
npm run --silent ui:check
npm run --silent ui:test
npm run --silent ui:build >/dev/null

step "wire contract: the UI's types are generated from the Rust types and committed"
bash scripts/gen-types.sh
if [ -n "$(git status --porcelain -- ui/src/lib/generated)" ]; then
  git status --porcelain -- ui/src/lib/generated
  echo "ui/src/lib/generated is out of date: run scripts/gen-types.sh and commit the result" >&2
  exit 1
fi

step "UI: the wizard in headless Chromium with the IPC mocked, both languages"
node tests/browser/wizard.browser.mjs

step "clippy (Linux)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "the engine has no GUI or CLI dependency"
forbidden='^(tauri|tauri-[a-z-]+|wry|tao|gtk|webkit2gtk|clap|indicatif|anyhow) '
if cargo tree -p doctor-core -e normal --target all --prefix none | grep -E "$forbidden"; then
  echo "doctor-core must not depend on the crates above" >&2
  exit 1
fi
echo "ok"

step "Windows: clippy of the engine and CLI for x86_64-pc-windows-gnu"
cargo clippy --target x86_64-pc-windows-gnu -p doctor-core -p doctor-cli --all-targets --quiet -- -D warnings

step "macOS: check of the engine and CLI for aarch64-apple-darwin"
# ring's C code needs clang and a stand-in for one SDK header; nothing is linked.
CC_aarch64_apple_darwin=clang AR_aarch64_apple_darwin="$(command -v llvm-ar-14 || command -v llvm-ar)" \
  CFLAGS_aarch64_apple_darwin="-nostdlibinc -DRING_CORE_NOSTDLIBINC=1 -I$PWD/scripts/macos-check" \
  cargo check --target aarch64-apple-darwin -p doctor-core -p doctor-cli --quiet

step "Windows: release build of the app and the CLI, packaged as the portable zip"
bash scripts/package-windows.sh

step "Windows: the real probe under Wine (check and bundle of a laid-out endpoint)"
bash tests/windows/wine-smoke.sh

step "Rust tests"
cargo test --workspace --quiet

step "screenshots: a real capture of the Xvfb screen (a picture on it, so pixels differ)"
xvfb-run -a -s "-screen 0 1366x768x24" bash -c \
  'display -geometry +0+0 icons/128x128.png & sleep 1.5; cargo test -p basecamp-doctor-app --quiet -- --ignored capture; status=$?; kill %1; exit $status'

step "end-to-end: the real window under Xvfb, in English and Japanese"
bash scripts/e2e.sh
