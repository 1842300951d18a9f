#!/usr/bin/env bash
# Regenerates ui/src/lib/generated/ — the TypeScript types of everything that crosses the
# app's IPC — from the Rust types (ts-rs, behind the `ts` features). The UI imports only
# these for wire data; CI runs this and fails when the committed files differ.
set -euo pipefail
cd "$(dirname "$0")/.."
out=ui/src/lib/generated
rm -rf "$out"
cargo test -p doctor-core --features ts --test ts_types --quiet >/dev/null
cargo test -p basecamp-doctor-app --features ts --lib ts_export --quiet >/dev/null
echo "gen-types: $(ls "$out" | wc -l) files in $out"
