#!/usr/bin/env bash
# Benchmark of the support bundle against Info-ZIP on the same synthetic log tree.
#   bash scripts/bench-bundle.sh [SIZE_MIB]     (default 1024)
# Generates a tree of realistic log lines (a few thousand files), then times `zip -r -6`
# and `basecamp-doctor bundle` in the same run, and prints wall-time ratio, size ratio and
# peak RSS (from /usr/bin/time -v). Then it links the tree four times over (4x the input,
# no extra disk) and bundles that too, to show that memory does not grow with the input.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="${BENCH_DIR:-/tmp/basecamp-doctor-bench}"
command -v zip >/dev/null && [ -x /usr/bin/time ] || {
  echo "bench: needs zip and /usr/bin/time (apt-get install zip time)" >&2; exit 1; }
cargo build --release -p doctor-cli --quiet
bin="${CARGO_TARGET_DIR:-target}/release/basecamp-doctor"
rm -rf "$work"; mkdir -p "$work/out"
echo "bench: generating ${size_mib} MiB of logs in $work/tree"
python3 - "$work/tree" "$size_mib" <<'PY'
import os, random, sys, datetime
root, mib = sys.argv[1], int(sys.argv[2])
random.seed(7)
levels = ["INFO"] * 8 + ["DEBUG"] * 6 + ["WARN", "ERROR"]
msgs = ["connecting to https://api-ap2.xbc.trendmicro.com/apk/v1/{}",
        "heartbeat ok latency={}ms", "policy version {} applied",
        "module xES state=running pid={}", "retrying request id={} after 30s",
        "download component iau {} bytes", "proxy none, direct connection {}"]
target = mib * 1024 * 1024
written, n = 0, 0
t = datetime.datetime(2026, 11, 1)
while written < target:
    d = os.path.join(root, f"module{n % 12:02d}", f"2026-11-{1 + n % 26:02d}")
    os.makedirs(d, exist_ok=True)
    size = random.randint(50_000, 650_000)
    lines = []
    got = 0
    while got < size:
        t += datetime.timedelta(milliseconds=random.randint(5, 900))
        line = "{} [{}] [{:5}] {}\n".format(t.isoformat(timespec="milliseconds"), random.choice(levels),
            random.randint(1000, 9999), random.choice(msgs).format(random.randint(1, 10**9)))
        lines.append(line); got += len(line)
    data = "".join(lines).encode()
    with open(os.path.join(d, f"xbc_{n:05d}.log"), "wb") as f:
        f.write(data)
    written += len(data); n += 1
print(f"bench: {n} files, {written / 1048576:.0f} MiB")
PY

measure() { # label, then the command; prints "wall_s rss_kb"
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$work/$label.out" 2> "$work/$label.time"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$work/$label.time" | awk '{print $NF}')
  echo "$wall $rss"
}

sync
read -r zip_wall zip_rss < <(measure zip bash -c "cd '$work' && zip -q -r -6 out/infozip.zip tree")
zip_size=$(stat -c %s "$work/out/infozip.zip")
read -r b_wall b_rss < <(measure bundle "$bin" bundle --no-network --lang en --json --max-size 100G --logs "$work/tree" --out "$work/out")
b_path=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['path'])" "$work/bundle.out")
b_size=$(stat -c %s "$b_path")

echo
echo "input:            ${size_mib} MiB, $(find "$work/tree" -type f | wc -l) files, $(nproc) cores"
printf "zip -r -6:        %6.2f s  %8d KB peak RSS  %12d bytes\n" "$zip_wall" "$zip_rss" "$zip_size"
printf "bundle:           %6.2f s  %8d KB peak RSS  %12d bytes\n" "$b_wall" "$b_rss" "$b_size"
python3 - "$zip_wall" "$b_wall" "$zip_size" "$b_size" "$b_rss" <<'PY'
import sys
zw, bw, zs, bs, rss = map(float, sys.argv[1:])
print(f"wall-time ratio bundle/zip: {bw / zw:.2f}x   (target <= 0.5x)")
print(f"size ratio bundle/zip:      {bs / zs:.3f}x  (target <= 1.05x)")
print(f"peak RSS of the bundle:     {rss / 1024:.1f} MB (target <= 64 MB)")
PY

# Four times the input through hard links: same files, no extra disk.
mkdir -p "$work/tree4"
for i in 1 2 3 4; do cp -al "$work/tree" "$work/tree4/copy$i"; done
rm -f "$work"/out/basecamp-doctor_*.zip
read -r b4_wall b4_rss < <(measure bundle4 "$bin" bundle --no-network --lang en --json --max-size 100G --logs "$work/tree4" --out "$work/out")
printf "bundle of 4x input: %6.2f s  %8d KB peak RSS (1x: %d KB)\n" "$b4_wall" "$b4_rss" "$b_rss"
rm -rf "$work"
