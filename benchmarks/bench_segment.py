"""Fit times of the cxstats segment models against calling scikit-learn or StepMix directly.

cxstats runs its random starts itself (to report every start's fit), so the
fair reference is the engine called directly with the same starts: the
overhead printed is the wrapper's own (validation, coding, standardizing,
tables), target below 10%. For k-means the time of scikit-learn's internal
``n_init`` loop is printed too, for information.

Run: python benchmarks/bench_segment.py  (or `make bench`)
"""

import sys
import warnings

from timing import best_of

import cxstats

N_INIT = 5


def main(sizes=(10_000, 100_000)):
    from sklearn.cluster import KMeans
    from stepmix.stepmix import StepMix

    warnings.simplefilter("ignore")
    for n in sizes:
        df = cxstats.simulate_respondents("accenture_2016", n=n, seed=0)
        X = df[list(df.attrs["item_probabilities"].index)]
        seeds = [int(s) for s in cxstats.KMeansSegments(3, n_init=N_INIT)._seeds()]

        def direct_kmeans(X=X, seeds=seeds):
            values = X.to_numpy(dtype=float)  # what a user does by hand: standardize, then one fit per start
            Z = (values - values.mean(axis=0)) / values.std(axis=0)
            return [KMeans(3, n_init=1, random_state=s).fit(Z) for s in seeds]

        def direct_stepmix(X=X, seeds=seeds):
            coded = X.to_numpy(dtype=float)
            return [StepMix(3, measurement="categorical", n_init=1, random_state=s, verbose=0, progress_bar=0)
                    .fit(coded) for s in seeds]

        ours = best_of(lambda X=X: cxstats.KMeansSegments(3, n_init=N_INIT).fit(X), 5)
        direct = best_of(direct_kmeans, 5)
        Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
        internal = best_of(lambda Z=Z: KMeans(3, n_init=N_INIT, random_state=0).fit(Z), 5)
        print(f"{n:>8,} respondents  k-means:      cxstats {ours:.3f}s | scikit-learn, same {N_INIT} starts "
              f"{direct:.3f}s | overhead {100 * (ours / direct - 1):+.0f}% (target < 10%) | "
              f"scikit-learn's own n_init={N_INIT} {internal:.3f}s")
        ours = best_of(lambda X=X: cxstats.LatentClassSegments(3, n_init=N_INIT).fit(X), 1)
        direct = best_of(direct_stepmix, 1)
        print(f"{n:>8,} respondents  latent class: cxstats {ours:.3f}s | StepMix, same {N_INIT} starts "
              f"{direct:.3f}s | overhead {100 * (ours / direct - 1):+.0f}% (target < 10%)")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000))
