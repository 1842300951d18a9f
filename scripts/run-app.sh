#!/usr/bin/env bash
# Sets up what is missing, builds the UI and the app, and opens Basecamp Doctor.
# Extra arguments go to the app, e.g. --scenario tests/fixtures/scenarios/linux-healthy.json
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
npm run --silent ui:build >/dev/null
cargo build -p basecamp-doctor-app
exec "${CARGO_TARGET_DIR:-target}/debug/basecamp-doctor-app" "$@"
