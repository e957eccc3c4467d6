"""The one timing helper the benchmarks share."""

import time


def best_of(func, repeat=3):
    """Fastest of ``repeat`` wall-clock runs of ``func()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)
