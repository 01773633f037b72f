"""The input of aggregation: :class:`Reviews`, the validated reviews of one rubric criterion.

Who reviewed which submission, and the score given, on a known scale ``[lo, hi]``; when scores are
rubric levels, also the step between levels. Also here: the array aliases and the per-index sum
that the other modules share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from peerkit.core.errors import ValidationError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


def _readonly_copy(values: NDArray[np.generic]) -> NDArray[np.generic]:
    out = np.array(values, copy=True)
    out.flags.writeable = False
    return out


def _sum_by(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64, copy=False)


@dataclass(frozen=True, slots=True, eq=False)
class Reviews:
    """The reviews of one rubric criterion, validated. Arrays are read-only copies.

    Build with :meth:`from_arrays` (which infers the counts) or directly; both validate.

    Attributes
    ----------
    submission, reviewer : ndarray of intp
        Per review: index of the reviewed submission (``0 <= i < n_submissions``) and of the
        reviewer (``0 <= j < n_reviewers``). A (submission, reviewer) pair occurs at most once.
    score : ndarray of float64
        Per review: the score given, finite and within ``[lo, hi]``.
    n_submissions, n_reviewers : int
        Sizes of the cohort; indices without reviews are allowed (they get NaN estimates).
    lo, hi : float
        The score scale, ``lo < hi``.
    step : float or None
        Distance between rubric levels when scores are levels (``lo, lo + step, ..., hi``); every
        score must then be a level. The calibrated model uses it to read a level as "within half a
        step" on anchors. ``None`` for continuous scores.
    """

    submission: IntArray
    reviewer: IntArray
    score: FloatArray
    n_submissions: int
    n_reviewers: int
    lo: float
    hi: float
    step: float | None = None

    def __post_init__(self) -> None:
        sub = _indices(self.submission, "submission")
        rev = _indices(self.reviewer, "reviewer")
        try:
            score = np.asarray(self.score, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError("scores must be numbers", field="score") from None
        if score.ndim != 1:
            raise ValidationError("score must be a one-dimensional array", field="score")
        if not (len(sub) == len(rev) == len(score)):
            raise ValidationError(
                f"submission, reviewer and score differ in length ({len(sub)}, {len(rev)}, {len(score)})",
                field="score",
            )
        if len(score) == 0:
            raise ValidationError("no reviews: submission, reviewer and score are empty", field="score")
        lo, hi = float(self.lo), float(self.hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValidationError(f"the scale [{lo}, {hi}] must be finite with lo < hi", field="scale")
        for name, idx, size in (("submission", sub, self.n_submissions), ("reviewer", rev, self.n_reviewers)):
            if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
                raise ValidationError(f"n_{name}s must be a positive integer, got {size!r}", field=f"n_{name}s")
            bad = np.flatnonzero((idx < 0) | (idx >= size))
            if len(bad):
                raise ValidationError(
                    f"review {bad[0]}: {name} index {idx[bad[0]]} is outside 0..{size - 1}", field=name
                )
        bad = np.flatnonzero(~np.isfinite(score))
        if len(bad):
            raise ValidationError(f"review {bad[0]}: score is {score[bad[0]]} (NaN or infinite)", field="score")
        bad = np.flatnonzero((score < lo) | (score > hi))
        if len(bad):
            raise ValidationError(
                f"review {bad[0]}: score {score[bad[0]]:g} is outside the scale [{lo:g}, {hi:g}]", field="score"
            )
        if self.step is not None:
            step = float(self.step)
            levels = (hi - lo) / step if step > 0 else math.nan
            if not (math.isfinite(levels) and abs(levels - round(levels)) <= 1e-9 * max(levels, 1.0)):
                raise ValidationError(f"step {self.step!r} must divide the scale [{lo:g}, {hi:g}]", field="step")
            off = np.abs((score - lo) / step - np.rint((score - lo) / step))
            bad = np.flatnonzero(off > 1e-6)
            if len(bad):
                raise ValidationError(
                    f"review {bad[0]}: score {score[bad[0]]:g} is not a rubric level (step {step:g} from {lo:g})",
                    field="score",
                )
            object.__setattr__(self, "step", step)
        # One sort of a packed (submission, reviewer) key finds duplicate pairs without a Python loop.
        if int(self.n_submissions) * int(self.n_reviewers) < 2**62:
            key = np.sort(sub.astype(np.int64) * int(self.n_reviewers) + rev)
            dup = np.flatnonzero(key[1:] == key[:-1])
            first = divmod(int(key[dup[0]]), int(self.n_reviewers)) if len(dup) else None
        else:  # pragma: no cover - the packed key would overflow
            order = np.lexsort((rev, sub))
            dup = np.flatnonzero((sub[order][1:] == sub[order][:-1]) & (rev[order][1:] == rev[order][:-1]))
            first = (int(sub[order][dup[0]]), int(rev[order][dup[0]])) if len(dup) else None
        if first is not None:
            who, what = first[1], first[0]
            raise ValidationError(f"reviewer {who} reviewed submission {what} more than once", field="reviewer")
        object.__setattr__(self, "submission", _readonly_copy(sub))
        object.__setattr__(self, "reviewer", _readonly_copy(rev))
        object.__setattr__(self, "score", _readonly_copy(score))
        object.__setattr__(self, "n_submissions", int(self.n_submissions))
        object.__setattr__(self, "n_reviewers", int(self.n_reviewers))
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    @classmethod
    def from_arrays(
        cls,
        submission: ArrayLike,
        reviewer: ArrayLike,
        score: ArrayLike,
        *,
        scale: tuple[float, float],
        n_submissions: int | None = None,
        n_reviewers: int | None = None,
        step: float | None = None,
    ) -> Reviews:
        """Validate per-review arrays into a :class:`Reviews` record.

        Parameters
        ----------
        submission, reviewer : array_like of int
            Per review: submission index and reviewer index (zero-based).
        score : array_like of float
            Per review: the score given.
        scale : (float, float)
            ``(lo, hi)``, the lowest and highest possible score.
        n_submissions, n_reviewers : int, optional
            Cohort sizes; by default one more than the largest index seen.
        step : float, optional
            Distance between rubric levels, if scores are levels.

        Returns
        -------
        Reviews

        Raises
        ------
        ValidationError
            Empty or mismatched arrays, non-integer or out-of-range indices, NaN or out-of-scale
            scores, scores off the rubric levels, a reviewer reviewing the same submission twice, a
            bad scale or step.
        """
        sub = _indices(submission, "submission")
        rev = _indices(reviewer, "reviewer")
        if len(scale) != 2:
            raise ValidationError(f"scale must be (lo, hi), got {scale!r}", field="scale")
        n_sub = n_submissions if n_submissions is not None else (int(sub.max()) + 1 if len(sub) else 1)
        n_rev = n_reviewers if n_reviewers is not None else (int(rev.max()) + 1 if len(rev) else 1)
        return cls(sub, rev, np.asarray(score), n_sub, n_rev, scale[0], scale[1], step)

    @property
    def width(self) -> float:
        """``hi - lo``."""
        return self.hi - self.lo

    def __len__(self) -> int:
        return len(self.score)


def _indices(values: ArrayLike, name: str) -> IntArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be a one-dimensional array of indices", field=name)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if arr.dtype.kind not in "iu":
        raise ValidationError(f"{name} indices must be integers, got {arr.dtype}", field=name)
    return arr.astype(np.intp, copy=False)
