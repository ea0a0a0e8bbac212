"""Sandbox benchmark (not a test): warm Sandbox.run against a cold `python -c`, and
sustained runs per second with 8 concurrent clients.

    .venv/bin/python -m bench.bench_sandbox [--runs 60] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sandbox import Limits, Sandbox  # noqa: E402
from tests.snippets import SEED_OPTIMIZER_STEP as SNIPPET  # noqa: E402


def cold_python(runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", SNIPPET], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def warm_latency(sandbox: Sandbox, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await sandbox.run(SNIPPET)
        times.append(time.perf_counter() - started)
        assert result.status == "ok", result
    return statistics.median(times)


async def throughput(sandbox: Sandbox, clients: int, seconds: float) -> float:
    done = 0
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            result = await sandbox.run(SNIPPET)
            assert result.status == "ok", result
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    # workers=2 (the default) on 2 cores; the queue must hold the other clients.
    sandbox = Sandbox(Limits(queue=args.clients))
    started = time.perf_counter()
    await sandbox.start()
    print(
        f"zygote warm in {time.perf_counter() - started:.2f} s; layers {sandbox.health()['layers']}"
    )
    for _ in range(5):
        await sandbox.run(SNIPPET)
    warm = await warm_latency(sandbox, args.runs)
    cold = cold_python(args.cold_runs)
    rate = await throughput(sandbox, args.clients, args.seconds)
    await sandbox.close()
    print(f"warm Sandbox.run median: {warm * 1000:.1f} ms ({args.runs} runs)")
    print(f"cold python -c median:   {cold * 1000:.0f} ms ({args.cold_runs} runs)")
    print(f"ratio cold/warm:         {cold / warm:.0f}x (target >= 25x)")
    print(f"throughput, {args.clients} clients:  {rate:.1f} runs/s (target >= 40/s)")


if __name__ == "__main__":
    asyncio.run(main())
