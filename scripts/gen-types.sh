#!/usr/bin/env bash
# Regenerates ui/src/lib/generated/ — the TypeScript types of everything that crosses the
# app's IPC — from the Rust types (ts-rs, behind the `ts` features). The UI imports only
# these for wire data; CI runs this and fails when the committed files differ. The files
# are written to a fresh folder first, so a failed run leaves the committed ones in place.
set -euo pipefail
cd "$(dirname "$0")/.."
out=ui/src/lib/generated
work="$(mktemp -d "${TMPDIR:-/tmp}/gen-types.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export TS_EXPORT_DIR="$work"
cargo test -p doctor-core --features ts --test ts_types --quiet >/dev/null
cargo test -p basecamp-doctor-app --features ts --lib ts_export --quiet >/dev/null
rm -rf "$out"
mkdir -p "$out"
cp "$work"/*.ts "$out"/
echo "gen-types: $(find "$out" -name '*.ts' | wc -l) files in $out"
