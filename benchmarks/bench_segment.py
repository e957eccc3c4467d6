"""Fit times of the cxstats segment models against calling scikit-learn or StepMix directly.

cxstats runs its random starts itself (to report every start's fit), so the
fair reference is the engine called directly with the same starts: the
overhead printed is the wrapper's own (validation, coding, standardizing,
tables), goal below 10%. For k-means the time of scikit-learn's internal
``n_init`` loop is printed too, for information. Latent classes are StepMix
fitted on the distinct answer patterns with their counts as sample_weight,
so cxstats is faster than StepMix on the rows; the ratio is printed.

Then ``select_segments`` with its defaults (k = 2..8, 10 starts of at most
1,000 EM iterations, 10 bootstrap refits of 3 starts of at most 100) on
10,000 respondents: goal under 60 s of wall-clock time (issue 18; it
extrapolated to about 18 minutes before). The CPU time is printed too: the
machine is shared, and a busy neighbour stretches the wall-clock time. Each
k's iterations and convergence follow.

Run: python benchmarks/bench_segment.py [sizes...]  (or `make bench`)
"""

import sys
import time
import warnings

from timing import best_of

import cxstats

N_INIT = 5
GOAL_SELECT_SECONDS = 60  # select_segments, k = 2..8, on 10,000 respondents (issue 18)


def verdict(ok):
    return "met" if ok else "NOT MET"


def main(sizes=(10_000, 100_000)):
    from sklearn.cluster import KMeans
    from stepmix.stepmix import StepMix

    warnings.simplefilter("ignore")
    for n in sizes:
        df = cxstats.simulate_respondents("accenture_2016", n=n, seed=0)
        X = df[list(df.attrs["item_probabilities"].index)]
        seeds = [int(s) for s in cxstats.KMeansSegments(n_segments=3, n_init=N_INIT)._seeds()]

        def direct_kmeans(X=X, seeds=seeds):
            values = X.to_numpy(dtype=float)  # what a user does by hand: standardize, then one fit per start
            Z = (values - values.mean(axis=0)) / values.std(axis=0)
            return [KMeans(3, n_init=1, random_state=s).fit(Z) for s in seeds]

        def direct_stepmix(X=X, seeds=seeds):
            coded = X.to_numpy(dtype=float)
            return [StepMix(3, measurement="categorical", n_init=1, random_state=s, verbose=0, progress_bar=0)
                    .fit(coded) for s in seeds]

        ours = best_of(lambda X=X: cxstats.KMeansSegments(n_segments=3, n_init=N_INIT).fit(X), 5)
        direct = best_of(direct_kmeans, 5)
        Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
        internal = best_of(lambda Z=Z: KMeans(3, n_init=N_INIT, random_state=0).fit(Z), 5)
        overhead = ours / direct - 1
        print(f"{n:>8,} respondents  k-means:      cxstats {ours:.3f}s | scikit-learn, same {N_INIT} starts "
              f"{direct:.3f}s | overhead {100 * overhead:+.0f}% (goal < 10%: {verdict(overhead < 0.1)}) | "
              f"scikit-learn's own n_init={N_INIT} {internal:.3f}s")
        ours = best_of(lambda X=X: cxstats.LatentClassSegments(n_segments=3, n_init=N_INIT).fit(X), 1)
        direct = best_of(direct_stepmix, 1)
        print(f"{n:>8,} respondents  latent class: cxstats {ours:.3f}s | StepMix, same {N_INIT} starts "
              f"{direct:.3f}s | cxstats {direct / ours:.1f}x faster (goal: not slower: {verdict(ours <= direct)})")


def selection(n=10_000):
    """select_segments with its defaults, k = 2..8, latent classes: time, and each k's kept start."""
    df = cxstats.simulate_respondents("accenture_2016", n=n, seed=0)
    X = df[list(df.attrs["item_probabilities"].index)]
    warnings.simplefilter("ignore")
    start, cpu = time.perf_counter(), time.process_time()
    table = cxstats.select_segments(cxstats.LatentClassSegments(), X)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    suggested = int(table.loc[table.suggested, "k"].iloc[0])
    print(f"{n:>8,} respondents  select_segments(LatentClassSegments(), k=2..8, n_bootstrap=10): {seconds:.1f}s "
          f"(CPU {cpu:.1f}s; goal < {GOAL_SELECT_SECONDS} s: {verdict(seconds < GOAL_SELECT_SECONDS)}); "
          f"suggested k = {suggested}")
    for k in (3, 4, 8):
        model = cxstats.LatentClassSegments(n_segments=k).fit(X)
        print(f"{'':>8}  k = {k}: iterations per start {model.start_iterations_.tolist()}, converged "
              f"{int(model.start_converged_.sum())} of {len(model.start_converged_)}")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000))
    selection()
