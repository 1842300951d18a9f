#!/usr/bin/env bash
# Benchmark of the support bundle against Info-ZIP's `zip -r -6` on the same synthetic log
# trees, in the same run:
#   bash scripts/bench-bundle.sh [LARGE_MIB] [SMALL_FILES]     (defaults 256 and 100000)
# Two cases: "large" (LARGE_MIB MiB of 50-650 KB files: the cost per byte) and "small"
# (SMALL_FILES files of about 2 KB, ~200 MB at 100,000: the cost per file). For each it prints
# wall time, CPU (user + sys), peak RSS (all from /usr/bin/time -v) and output size, and the
# ratios bundle / zip. BENCH_BIN=path benchmarks a given binary instead of building one (to
# compare two builds); BENCH_CASES="small" runs one case; BENCH_DIR moves the scratch folder;
# BENCH_KEEP=1 keeps the generated trees for the next run.
#
# Why deflate level 4 with zlib-rs (2026-11, this 2-core machine, the "large" tree of 256 MiB,
# deflate alone, CPU seconds / output bytes; Info-ZIP -6 writes 56,351,256 bytes in 7.2 s):
#   zlib-rs  level 3: 2.21 s / 58,817,784   level 4: 2.68 s / 57,988,392
#            level 5: 3.27 s / 57,378,652   level 6: 4.53 s / 56,807,312
#   zlib-ng  level 3: 1.90 s   level 4: 2.35 s   level 5: 2.89 s   level 6: 4.00 s (same bytes)
# zlib-ng saves about 12 % CPU but needs cmake and a C build for every target; level 4 keeps
# the whole bundle (masking, SHA-256, verification included) at <= 0.6x zip's CPU and the
# size within 5 %, level 6 does not reach the CPU target.
set -euo pipefail
cd "$(dirname "$0")/.."
large_mib="${1:-256}"
small_files="${2:-100000}"
cases="${BENCH_CASES:-large small}"
work="${BENCH_DIR:-/tmp/basecamp-doctor-bench}"
command -v zip >/dev/null && [ -x /usr/bin/time ] || {
  echo "bench: needs zip and /usr/bin/time (apt-get install zip time)" >&2; exit 1; }
if [ -n "${BENCH_BIN:-}" ]; then
  bin="$BENCH_BIN"
else
  cargo build --release -p doctor-cli --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/basecamp-doctor"
fi
[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
mkdir -p "$work"

measure() { # label, then the command; prints "wall_s cpu_s rss_kb"
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$work/$label.out" 2> "$work/$label.time"
  local wall user sys rss
  wall=$(grep "Elapsed (wall clock)" "$work/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user=$(grep "User time (seconds)" "$work/$label.time" | awk '{print $NF}')
  sys=$(grep "System time (seconds)" "$work/$label.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/$label.time" | awk '{print $NF}')
  echo "$wall $(python3 -c "print($user + $sys)") $rss"
}

results=()
for case in $cases; do
  tree="$work/$case"
  out="$work/out-$case"
  rm -rf "$out"; mkdir -p "$out"
  want="$case-$large_mib-$small_files"
  if [ ! -d "$tree" ] || [ "$(cat "$tree.kind" 2>/dev/null)" != "$want" ]; then
    rm -rf "$tree"
    if [ "$case" = large ]; then
      python3 scripts/bench-logs.py large "$tree" "$large_mib"
    else
      python3 scripts/bench-logs.py small "$tree" "$small_files"
    fi
    echo "$want" > "$tree.kind"
  fi
  files=$(find "$tree" -type f | wc -l)
  sync
  read -r zw zc zr < <(measure "zip-$case" bash -c "cd '$work' && zip -q -r -6 '$out/infozip.zip' '$case'")
  zs=$(stat -c %s "$out/infozip.zip")
  read -r bw bc br < <(measure "bundle-$case" "$bin" bundle --no-network --lang en --json --max-size 100G --logs "$tree" --out "$out")
  bpath=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['path'])" "$work/bundle-$case.out")
  bs=$(stat -c %s "$bpath")
  results+=("$case $files $zw $zc $zr $zs $bw $bc $br $bs")
  rm -rf "$out"
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tree" "$tree.kind"
done

python3 - "$(nproc)" "${results[@]}" <<'PY'
import sys
cores = sys.argv[1]
print(f"\nbundle vs Info-ZIP zip -r -6, same run, {cores} cores")
print(f"{'case':6} {'files':>7} {'tool':7} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12} {'bytes':>12}")
for row in sys.argv[2:]:
    case, files, zw, zc, zr, zs, bw, bc, br, bs = row.split()
    zw, zc, zr, zs, bw, bc, br, bs = map(float, (zw, zc, zr, zs, bw, bc, br, bs))
    print(f"{case:6} {files:>7} {'zip':7} {zw:8.2f} {zc:8.2f} {zr / 1024:12.1f} {zs:12.0f}")
    print(f"{case:6} {files:>7} {'bundle':7} {bw:8.2f} {bc:8.2f} {br / 1024:12.1f} {bs:12.0f}")
    print(f"{case:6} {files:>7} {'ratio':7} {bw / zw:7.2f}x {bc / zc:7.2f}x {br / zr:11.2f}x {bs / zs:11.3f}x")
print("\ntargets: small: peak RSS <= 64 MB, wall <= 1.00x zip; large: CPU <= 0.60x zip;"
      " both: size <= 1.05x zip")
PY
