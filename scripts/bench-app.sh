#!/usr/bin/env bash
# The app's cold start and the release binaries' sizes (issue 11's goals: ≤ 1 s, ≤ 15 MB).
#   bash scripts/bench-app.sh
# Builds the release app and CLI for Linux, prints their sizes (and the Windows ones when
# scripts/package-windows.sh has built them), then measures process start → first screen
# interactive under Xvfb against a bare WebKitGTK browser showing the same UI.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
npm run --silent ui:build >/dev/null
cargo build --release -p basecamp-doctor-app -p doctor-cli --quiet
size() { [ -f "$1" ] && awk -v f="$1" -v b="$(stat -c %s "$1")" 'BEGIN { printf "%-58s %6.1f MB\n", f, b / 1048576 }'; return 0; }
echo "== release binaries"
size "$target/release/basecamp-doctor-app"
size "$target/release/basecamp-doctor"
size "$target/x86_64-pc-windows-gnu/release/basecamp-doctor-app.exe"
size "$target/x86_64-pc-windows-gnu/release/basecamp-doctor.exe"
echo "== cold start (5 runs each, under Xvfb)"
node node_modules/vite/bin/vite.js preview --config ui/vite.config.ts --port 4173 --strictPort >/dev/null 2>&1 &
vite=$!
trap 'kill $vite 2>/dev/null || true' EXIT
sleep 2
xvfb-run -a -s "-screen 0 1366x768x24" node tests/e2e/startup.bench.mjs "$(realpath "$target/release/basecamp-doctor-app")" http://127.0.0.1:4173/
