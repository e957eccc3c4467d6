"""The timing helpers the benchmarks share."""

import time


def best_of(func, repeat=3):
    """Fastest of ``repeat`` wall-clock runs of ``func()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved_best(funcs, repeat):
    """Best time of each function, run in turn, so a busy spell of the shared machine slows all of them alike."""
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for k, func in enumerate(funcs):
            best[k] = min(best[k], best_of(func, 1))
    return best
