"""Accuracy and speed of peer-grade aggregation on simulated cohorts with known true scores.

    .venv/bin/python -m bench.aggregation [--quick] [--reps 8] [--seed 2013] [--allocation random|ring]
                                          [--no-speed | --speed-only] [--runs 5]

Grid (the issue's): n learners ∈ {30, 100, 500}, k reviews per submission ∈ {2..6}, reviewer bias
b ~ N(μ, σ) with μ ∈ {0, 0.05, 0.1} and σ ∈ {0, 0.05, 0.1} of the scale, a fraction p ∈ {0, 0.1,
0.2, 0.3} of careless reviewers; ``--reps`` cohorts per cell, all from one seeded generator.

Simulation, on a 0-4 rubric (five levels 0, 1, 2, 3, 4; fractions below are of the scale width):

* true score s ~ N(0.6, 0.15), clipped to [0, 1] (the anchors file's suggested truth);
* allocation: k rounds, each a random permutation of the learners (who reviews whose submission),
  repaired by random swaps until nobody reviews themself or the same submission twice: every
  submission gets k distinct reviewers and every learner reviews exactly k (a random k-regular
  graph, as a random allocator makes). ``--allocation ring`` instead seats learners in a random
  circle and has each review the k authors that follow: also balanced, but a bias that drifts
  slowly round the circle looks like a drift in quality, so the calibrated model converges more
  slowly and its posterior standard deviations are less honest (RMSE barely changes);
* a careful reviewer v reports s + b_v + e, rounded to the nearest level and clipped to the scale.
  Noise e is heavy-tailed twice over: per reviewer, a scale 0.08 · g_v² with g_v ~ Gamma(2, 1/√6)
  (mean scale 0.08, long right tail: the Vancouver harness's "gamma" mode), and per review a Student-t
  with 3 degrees of freedom rescaled to unit variance;
* a careless reviewer either gives one level to everything (half of them, level uniform at random)
  or a uniformly random level per review; they review anchors the same way;
* anchors: three facilitator-graded examples with true scores at levels 1, 2 and 3, reviewed by
  every learner before the real reviews (as in Calibrated Peer Review and Moodle's examples). Only
  "calibrated" is given the facilitator's scores; every method sees the same reviews. The row
  "calibrated-noanchor" is the same model on the same cohort without the examples (their reviews
  dropped): a course that has no calibration examples.

Metrics, on the learners' submissions only: RMSE and MAE (% of the scale), share of estimates
within ±5 % and ±10 % of the scale, Kendall τ-b against the true scores, and "±2u": the share of
true scores within two reported uncertainties of the estimate (about 95 % if the uncertainty is
honest; the simple methods' standard errors ignore reviewer bias, so expect less there). "Biased" cells have μ > 0 or
σ > 0, "unbiased" cells μ = σ = 0. Targets: calibrated RMSE ≤ 0.75 × median's averaged over biased
cells; calibrated RMSE never above 1.05 × median's in any unbiased cell (n, k, p); 1,000,000 reviews
(250,000 submissions × 4) aggregated by "calibrated" in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau

from peerkit.core.aggregation import Grades, Reviews, aggregate

LEVELS = 4  # a 0-4 rubric: five levels
ANCHOR_LEVELS = (1, 2, 3)
METHOD_ROWS = ("mean", "median", "trimmed", "calibrated", "calibrated-noanchor")
RATIO_BIASED = 0.75
RATIO_UNBIASED = 1.05
SPEED_TARGET = 2.0
SPEED_SUBMISSIONS, SPEED_K = 250_000, 4


@dataclass(frozen=True)
class Cell:
    n: int
    k: int
    mu: float
    sigma: float
    p: float

    @property
    def biased(self) -> bool:
        return self.mu > 0 or self.sigma > 0


@dataclass(frozen=True)
class Cohort:
    reviews: Reviews
    truth: np.ndarray  # true scores of the learners' submissions, on the 0-4 scale
    anchors: dict[int, float]
    without_anchors: Reviews  # the same reviews minus those of the examples


def allocate(n: int, k: int, rng: np.random.Generator, *, ring: bool = False) -> np.ndarray:
    """``(n, k)`` reviewers of each learner's submission: distinct, never the author, k reviews each."""
    if ring:
        cycle = rng.permutation(n)
        position = np.empty(n, dtype=np.intp)
        position[cycle] = np.arange(n)
        return cycle[(position[:, None] + np.arange(1, k + 1)[None, :]) % n]
    reviewers = np.empty((n, k), dtype=np.intp)
    authors = np.arange(n)
    for j in range(k):
        p = rng.permutation(n)
        while True:
            bad = np.flatnonzero((p == authors) | (reviewers[:, :j] == p[:, None]).any(axis=1))
            if not len(bad):
                break
            for a in bad:  # a handful per round: swap each conflict with a random other slot
                b = rng.integers(n)
                p[a], p[b] = p[b], p[a]
        reviewers[:, j] = p
    return reviewers


def simulate(cell: Cell, rng: np.random.Generator, *, with_anchors: bool = True, ring: bool = False) -> Cohort:
    """One cohort of ``cell.n`` learners; submissions ``n..n+2`` are the anchors when present."""
    n, k = cell.n, cell.k
    truth = np.clip(rng.normal(0.6, 0.15, n), 0.0, 1.0)
    sub = np.repeat(np.arange(n), k)
    rev = allocate(n, k, rng, ring=ring).ravel()
    true_of_review = truth[sub]
    n_anchor = len(ANCHOR_LEVELS) if with_anchors else 0
    if n_anchor:
        anchor_truth = np.asarray(ANCHOR_LEVELS, dtype=float) / LEVELS
        sub = np.concatenate([np.repeat(n + np.arange(n_anchor), n), sub])
        rev = np.concatenate([np.tile(np.arange(n), n_anchor), rev])
        true_of_review = np.concatenate([np.repeat(anchor_truth, n), true_of_review])
    bias = rng.normal(cell.mu, cell.sigma, n) if cell.sigma > 0 else np.full(n, cell.mu)
    noise_scale = 0.08 * rng.gamma(2.0, 1.0 / np.sqrt(6.0), n) ** 2
    t_noise = rng.standard_t(3, len(sub)) / np.sqrt(3.0)
    level = np.clip(np.rint((true_of_review + bias[rev] + noise_scale[rev] * t_noise) * LEVELS), 0, LEVELS)
    careless = rng.permutation(n)[: round(cell.p * n)]
    constant, random = careless[: len(careless) // 2], careless[len(careless) // 2 :]
    constant_level = np.full(n, -1)
    constant_level[constant] = rng.integers(0, LEVELS + 1, len(constant))
    is_constant = constant_level[rev] >= 0
    level = np.where(is_constant, constant_level[rev], level)
    is_random = np.isin(rev, random)
    level = np.where(is_random, rng.integers(0, LEVELS + 1, len(sub)), level)
    reviews = Reviews.from_arrays(
        sub, rev, level.astype(float), scale=(0, LEVELS), n_submissions=n + n_anchor, n_reviewers=n, step=1.0
    )
    anchors = {n + i: float(a) for i, a in enumerate(ANCHOR_LEVELS)} if n_anchor else {}
    own = sub < n
    plain = Reviews.from_arrays(sub[own], rev[own], reviews.score[own], scale=(0, LEVELS), n_submissions=n, step=1.0)
    return Cohort(reviews, truth * LEVELS, anchors, plain if n_anchor else reviews)


def run_method(cohort: Cohort, row: str) -> Grades:
    if row == "calibrated-noanchor":
        return aggregate(cohort.without_anchors, "calibrated")
    return aggregate(cohort.reviews, row, anchors=cohort.anchors)  # type: ignore[arg-type]


def metrics(estimate: np.ndarray, uncertainty: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    err = (estimate - truth) / LEVELS
    tau = kendalltau(truth, estimate).statistic
    return {
        "rmse": 100 * float(np.sqrt(np.mean(err**2))),
        "mae": 100 * float(np.mean(np.abs(err))),
        "w5": 100 * float(np.mean(np.abs(err) <= 0.05)),
        "w10": 100 * float(np.mean(np.abs(err) <= 0.10)),
        "tau": float(tau) if np.isfinite(tau) else float("nan"),
        "cover": 100 * float(np.mean(np.abs(estimate - truth) <= 2 * uncertainty)),
    }


def grid(quick: bool) -> list[Cell]:
    if quick:
        axes = ([30, 100], [3, 5], [0.0, 0.1], [0.0, 0.1], [0.0, 0.2])
    else:
        axes = ([30, 100, 500], [2, 3, 4, 5, 6], [0.0, 0.05, 0.1], [0.0, 0.05, 0.1], [0.0, 0.1, 0.2, 0.3])
    return [Cell(*values) for values in itertools.product(*axes)]


def mean_of(rows: list[dict[str, float]], key: str) -> float:
    values = [r[key] for r in rows if np.isfinite(r[key])]
    return statistics.fmean(values) if values else float("nan")


def table(title: str, groups: dict[str, dict[str, list[dict[str, float]]]]) -> None:
    print(title)
    print(f"  {'':<10} {'method':<20} {'RMSE %':>7} {'MAE %':>7} {'±5 %':>6} {'±10 %':>6} {'τ':>6} {'±2u %':>6}")
    for label, by_method in groups.items():
        for row in METHOD_ROWS:
            rs = by_method[row]
            print(
                f"  {label:<10} {row:<20} {mean_of(rs, 'rmse'):7.2f} {mean_of(rs, 'mae'):7.2f}"
                f" {mean_of(rs, 'w5'):6.1f} {mean_of(rs, 'w10'):6.1f} {mean_of(rs, 'tau'):6.3f}"
                f" {mean_of(rs, 'cover'):6.1f}"
            )


def accuracy(cells: list[Cell], reps: int, seed: int, ring: bool) -> dict[Cell, dict[str, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    results: dict[Cell, dict[str, dict[str, float]]] = {}
    for cell in cells:
        per_rep: dict[str, list[dict[str, float]]] = defaultdict(list)
        for _ in range(reps):
            cohort = simulate(cell, rng, ring=ring)
            for row in METHOD_ROWS:
                grades = run_method(cohort, row)
                per_rep[row].append(metrics(grades.estimate[: cell.n], grades.uncertainty[: cell.n], cohort.truth))
        results[cell] = {row: {key: mean_of(rs, key) for key in rs[0]} for row, rs in per_rep.items()}
    return results


def speed(seed: int, runs: int) -> None:
    cell = Cell(SPEED_SUBMISSIONS, SPEED_K, 0.05, 0.05, 0.1)
    cohort = simulate(cell, np.random.default_rng(seed), with_anchors=False)
    r = cohort.reviews
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    Reviews.from_arrays(r.submission, r.reviewer, r.score, scale=(r.lo, r.hi), step=r.step)
    build = time.perf_counter() - t0
    print(
        f"Speed: {len(r):,} reviews ({SPEED_SUBMISSIONS:,} submissions × {SPEED_K}, μ=σ=0.05, p=0.1, no anchors), "
        f"median of {runs} runs; {os.cpu_count()} CPUs, load average {load:.1f} at the start"
    )
    print(f"  building and validating Reviews: {build:.3f} s (once, shared by every method)")
    print(f"  {'method':<11} {'wall s':>7} {'CPU s':>7}   RMSE %")
    for method in ("mean", "median", "trimmed", "calibrated"):
        walls, cpus = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            grades = aggregate(r, method)  # type: ignore[arg-type]
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        took = statistics.median(walls)
        extra = ""
        if grades.fit is not None:
            verdict = "PASS" if took <= SPEED_TARGET else "FAIL"
            extra = f"   {grades.fit.iterations} sweeps; wall time target ≤ {SPEED_TARGET} s {verdict}"
        rmse = 100 * float(np.sqrt(np.mean((grades.estimate - cohort.truth) ** 2))) / LEVELS
        print(f"  {method:<11} {took:7.3f} {statistics.median(cpus):7.3f}   {rmse:6.2f}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced grid, smoke run")
    parser.add_argument("--reps", type=int, default=None, help="cohorts per cell (default 8, quick 2)")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--no-speed", action="store_true", help="skip the 1,000,000-review timing")
    parser.add_argument("--speed-only", action="store_true", help="only the 1,000,000-review timing")
    parser.add_argument("--runs", type=int, default=5, help="timing runs per method")
    parser.add_argument("--allocation", choices=["random", "ring"], default="random")
    args = parser.parse_args()
    if args.speed_only:
        speed(args.seed, args.runs)
        return
    reps = args.reps or (2 if args.quick else 8)
    cells = grid(args.quick)
    started = time.perf_counter()
    results = accuracy(cells, reps, args.seed, args.allocation == "ring")
    print(
        f"Accuracy: {len(cells)} cells × {reps} cohorts, {args.allocation} allocation, seed {args.seed}, "
        f"{time.perf_counter() - started:.0f} s. Errors in % of the scale (0-4 rubric)."
    )
    print("Anchors (3 facilitator-graded examples, reviewed by every learner): used by 'calibrated' only.")
    print("mean/median/trimmed cannot use them; 'calibrated-noanchor' is the same model on a cohort without them.")

    def group(select: dict[str, object]) -> dict[str, list[dict[str, float]]]:
        chosen = [c for c in cells if all(getattr(c, key) == value for key, value in select.items())]
        return {row: [results[c][row] for c in chosen] for row in METHOD_ROWS}

    def split(pred: object) -> dict[str, list[dict[str, float]]]:
        chosen = [c for c in cells if pred(c)]  # type: ignore[operator]
        return {row: [results[c][row] for c in chosen] for row in METHOD_ROWS}

    table(
        "\nSummary (mean over cells)",
        {"all": split(lambda c: True), "biased": split(lambda c: c.biased), "unbiased": split(lambda c: not c.biased)},
    )
    table("\nBy k (reviews per submission)", {f"k={k}": group({"k": k}) for k in sorted({c.k for c in cells})})
    table("\nBy p (careless share)", {f"p={p:g}": group({"p": p}) for p in sorted({c.p for c in cells})})
    table("\nBy n (learners)", {f"n={n}": group({"n": n}) for n in sorted({c.n for c in cells})})
    table(
        "\nBy bias (μ, σ)",
        {
            f"{m:g},{s:g}": group({"mu": m, "sigma": s})
            for m in sorted({c.mu for c in cells})
            for s in sorted({c.sigma for c in cells})
        },
    )

    print("\nTargets")
    for row in ("calibrated", "calibrated-noanchor"):
        biased = [c for c in cells if c.biased]
        ratio = statistics.fmean(results[c][row]["rmse"] for c in biased) / statistics.fmean(
            results[c]["median"]["rmse"] for c in biased
        )
        cell_ratios = {c: results[c][row]["rmse"] / results[c]["median"]["rmse"] for c in cells if not c.biased}
        worst = max(cell_ratios, key=cell_ratios.__getitem__)
        mean_unbiased = statistics.fmean(cell_ratios.values())
        role = "target" if row == "calibrated" else "for information"
        v1 = "PASS" if ratio <= RATIO_BIASED else "FAIL"
        v2 = "PASS" if cell_ratios[worst] <= RATIO_UNBIASED else "FAIL"
        print(f"  {row} ({role}):")
        print(f"    biased cells, mean RMSE / median's: {ratio:.3f} (target ≤ {RATIO_BIASED}) {v1}")
        print(
            f"    unbiased cells, worst RMSE / median's: {cell_ratios[worst]:.3f} at n={worst.n} k={worst.k} "
            f"p={worst.p:g} (target ≤ {RATIO_UNBIASED} in every cell) {v2}; mean over those cells {mean_unbiased:.3f}"
        )
    if not args.no_speed:
        print()
        speed(args.seed, args.runs)


if __name__ == "__main__":
    main()
