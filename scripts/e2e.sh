#!/usr/bin/env bash
# End-to-end test of the real app (npm run test:e2e): builds the UI and the app, then
# drives the window under Xvfb through tauri-driver and WebKitWebDriver, in English and
# in Japanese. Screenshots go to tests/e2e/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npm run --silent ui:build >/dev/null
cargo build -p basecamp-doctor-app --quiet
app="${CARGO_TARGET_DIR:-target}/debug/basecamp-doctor-app"
for lang in en ja; do
  echo "== end-to-end ($lang)"
  E2E_LANG=$lang xvfb-run -a -s "-screen 0 1366x768x24" node tests/e2e/app.e2e.mjs "$app"
done
