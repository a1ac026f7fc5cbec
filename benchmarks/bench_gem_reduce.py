"""FVA-reduction of iAF1260: cold (empty cache, fresh process) vs from the disk cache.

Each measurement runs in a fresh Python process so that nothing is memoised in memory. Also
times cobra's own FVA (``algorithm="cobra"``) as the naive baseline of the default algorithm.

    .venv/bin/python benchmarks/bench_gem_reduce.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

SNIPPET = """
import time
from helpers.gem import fva_reduce, load_gem
model = load_gem("iAF1260")
start = time.perf_counter()
reduction = fva_reduce(model, algorithm={algorithm!r})
n = reduction.n_reactions
print(f"{{time.perf_counter() - start:.2f}} {{n}} {{reduction.info['from_cache']}}")
"""


def _run(algorithm: str, cache: str) -> tuple[float, int, str]:
    env = {**os.environ, "MINNBOOK_CACHE": cache}
    out = subprocess.run([sys.executable, "-c", SNIPPET.format(algorithm=algorithm)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), out[2]


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold, n, _ = _run("harvest", cache)
        warm, n_warm, hit = _run("harvest", cache)
    with tempfile.TemporaryDirectory() as cache:
        naive, n_naive, _ = _run("cobra", cache)
    print(f"FVA-reduced iAF1260: {n} reactions (cobra FVA: {n_naive}, cache: {n_warm})")
    print(f"cold, default algorithm: {cold:.1f} s; cobra FVA baseline: {naive:.1f} s "
          f"({naive / cold:.1f}x); from the disk cache (hit={hit}): {warm:.2f} s")


if __name__ == "__main__":
    main()
