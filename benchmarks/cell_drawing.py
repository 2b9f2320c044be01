"""Server-side drawing time per cell: Graphviz ``dot`` through pygraphviz, as the dashboard draws.

    python benchmarks/cell_drawing.py [--cells 200]

Draws distinct data-set architectures (no cache hits) as SVG (left to right and top to bottom),
PNG and PDF and prints the first call (loads Graphviz's plugins) and the median and 95th
percentile per cell, then the cached answer.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from ngae.spaces.registry import load_dataset
from ngae.ui.cells import cell_file, cell_svg


def cpu_name() -> str:
    """The CPU's model name (Linux), else the platform's machine type."""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cells", type=int, default=200)
    args = p.parse_args()
    archs = list(dict.fromkeys(load_dataset().strings))[: args.cells * 4 + 1]
    start = time.perf_counter()
    cell_svg(archs[0])
    print(f"machine: {cpu_name()}, {args.cells} distinct cells")
    print(f"first drawing (loads Graphviz): {1e3 * (time.perf_counter() - start):.1f} ms")
    jobs = [("svg", False, "svg (map panel, top to bottom)"), ("svg", True, "svg left to right")]
    jobs += [("png", False, "png"), ("pdf", False, "pdf")]
    for k, (fmt, wide, label) in enumerate(jobs):
        chunk = archs[1 + k * args.cells : 1 + (k + 1) * args.cells]
        times = []
        for arch in chunk:
            t = time.perf_counter()
            if fmt == "svg":
                cell_svg(arch, vertical=not wide)
            else:
                cell_file(arch, fmt)
            times.append(time.perf_counter() - t)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{label:<32} median {1e3 * statistics.median(times):5.2f} ms  p95 {1e3 * p95:5.2f} ms"
        )
    t = time.perf_counter()
    cell_svg(archs[1], vertical=True)
    print(f"cached answer: {1e6 * (time.perf_counter() - t):.0f} us")


if __name__ == "__main__":
    main()
