#!/usr/bin/env python3
"""Synthetic log trees for scripts/bench-bundle.sh.

    bench-logs.py large DIR MIB      a few thousand files of 50-650 KB, MIB MiB in total
    bench-logs.py small DIR COUNT    COUNT files of about 2 KB each (100,000 -> ~200 MB)

Lines look like the agent's (timestamps, levels, hosts, ids) so deflate has realistic work.
Deterministic (fixed seed). Lines are drawn from a pre-built pool so that 100,000 files are
written in seconds, not minutes.
"""
import datetime
import os
import random
import sys

LEVELS = ["INFO"] * 8 + ["DEBUG"] * 6 + ["WARN", "ERROR"]
MSGS = [
    "connecting to https://api-ap2.xbc.trendmicro.com/apk/v1/{}",
    "heartbeat ok latency={}ms",
    "policy version {} applied",
    "module xES state=running pid={}",
    "retrying request id={} after 30s",
    "download component iau {} bytes",
    "proxy none, direct connection {}",
]


def line_pool(rng, count):
    t = datetime.datetime(2026, 11, 1)
    pool = []
    for _ in range(count):
        t += datetime.timedelta(milliseconds=rng.randint(5, 900))
        pool.append(
            "{} [{}] [{:5}] {}\n".format(
                t.isoformat(timespec="milliseconds"),
                rng.choice(LEVELS),
                rng.randint(1000, 9999),
                rng.choice(MSGS).format(rng.randint(1, 10**9)),
            ).encode()
        )
    return pool


def lines_of_size(rng, pool, size):
    out, got = [], 0
    start = rng.randrange(len(pool))
    i = start
    while got < size:
        line = pool[i % len(pool)]
        out.append(line)
        got += len(line)
        i += rng.randint(1, 7)
    return b"".join(out)


def large(root, mib):
    rng = random.Random(7)
    pool = line_pool(rng, 200_000)
    target = mib * 1024 * 1024
    written = n = 0
    while written < target:
        d = os.path.join(root, f"module{n % 12:02d}", f"2026-11-{1 + n % 26:02d}")
        os.makedirs(d, exist_ok=True)
        data = lines_of_size(rng, pool, rng.randint(50_000, 650_000))
        with open(os.path.join(d, f"xbc_{n:05d}.log"), "wb") as f:
            f.write(data)
        written += len(data)
        n += 1
    return n, written


def small(root, count):
    rng = random.Random(11)
    pool = line_pool(rng, 100_000)
    written = 0
    for n in range(count):
        d = os.path.join(root, f"module{n % 40:02d}", f"day{(n // 40) % 50:02d}")
        if n < 2000:
            os.makedirs(d, exist_ok=True)
        data = lines_of_size(rng, pool, rng.randint(1_000, 3_000))
        with open(os.path.join(d, f"xbc_{n:06d}.log"), "wb") as f:
            f.write(data)
        written += len(data)
    return count, written


def main():
    kind, root, amount = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(root, exist_ok=True)
    n, written = (large if kind == "large" else small)(root, amount)
    print(f"bench: {n} files, {written / 1048576:.0f} MiB in {root}")


if __name__ == "__main__":
    main()
