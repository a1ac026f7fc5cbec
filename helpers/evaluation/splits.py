"""Held-out splits: which rows train and which are held out, for every harness of the book.

A :class:`Split` names the training rows and the held-out rows (positions in the data) of one
evaluation. Every harness that holds samples out builds its splits here:

- :func:`loo_splits` — leave-one-out, one split per sample: the outer folds of the nested protocol
  (:func:`helpers.evaluation.protocol.evaluate_loo`, :mod:`helpers.evaluation.minn_loo`,
  :func:`helpers.evaluation.reservoir_pfba.omics_block_loo`);
- :func:`kfold_splits` — shuffled K-fold (scikit-learn's ``KFold``): the inner folds of the same
  harnesses, and chapter ``10_beyond``'s K-fold;
- :func:`group_splits` — leave-group-out, a whole group held out (chapter ``10_beyond``);
- :func:`scarcity_splits` — learning-curve draws of ``k`` training samples (chapter
  ``10_beyond``).

The order of the splits and the random draws are those the harnesses always used (scikit-learn's
``LeaveOneOut`` / ``KFold`` order, one NumPy generator per learning curve), so their results do
not depend on which harness builds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold

__all__ = ["Split", "loo_splits", "kfold_splits", "group_splits", "scarcity_splits"]


@dataclass(frozen=True)
class Split:
    """Training and held-out rows (positions in the data) of one evaluation split."""

    name: str
    train: tuple[int, ...]
    test: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.train or not self.test:
            raise ValueError(f"Split {self.name!r} needs training and held-out rows.")
        if set(self.train) & set(self.test):
            raise ValueError(f"Split {self.name!r} has rows both in training and held out: "
                             f"{sorted(set(self.train) & set(self.test))[:5]}.")

    @property
    def train_rows(self) -> np.ndarray:
        """The training positions as an integer array (for NumPy indexing)."""
        return np.asarray(self.train, dtype=np.intp)

    @property
    def test_rows(self) -> np.ndarray:
        """The held-out positions as an integer array (for NumPy indexing)."""
        return np.asarray(self.test, dtype=np.intp)


def loo_splits(samples: Sequence) -> list[Split]:
    """Leave-one-out: one split per sample (named after it), in the samples' order."""
    n = len(samples)
    return [Split(str(s), tuple(j for j in range(n) if j != i), (i,)) for i, s in enumerate(samples)]


def kfold_splits(samples: Sequence, n_splits: int, seed: int) -> list[Split]:
    """Shuffled K-fold (scikit-learn's ``KFold``): every sample held out exactly once.

    Only the number of ``samples`` matters (an inner search passes the outer fold's training
    rows); the positions are ``0 .. len(samples) - 1``, named ``"fold <k>"``.
    """
    folds = KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.arange(len(samples)))
    return [Split(f"fold {k}", tuple(int(i) for i in train), tuple(int(i) for i in test))
            for k, (train, test) in enumerate(folds)]


def group_splits(samples: Sequence[str], groups: Mapping[str, Sequence[str]]) -> list[Split]:
    """Leave-group-out: each group held out together, every other sample trains."""
    position = {str(s): i for i, s in enumerate(samples)}
    splits = []
    for name, members in groups.items():
        unknown = [m for m in members if m not in position]
        if unknown:
            raise ValueError(f"Group {name!r} names unknown sample(s) {unknown}; "
                             f"known: {list(position)[:6]}...")
        test = tuple(sorted(position[m] for m in members))
        splits.append(Split(name, tuple(i for i in range(len(samples)) if i not in test), test))
    return splits


def scarcity_splits(n_samples: int, sizes: Sequence[int], repeats: int, seed: int) -> list[Split]:
    """Learning-curve splits: ``repeats`` random draws of ``k`` training samples per size ``k``;
    the other ``n_samples - k`` are held out. Named ``"k=<k>/draw=<r>"``."""
    rng = np.random.default_rng(seed)
    splits = []
    for k in sizes:
        if not 1 <= k < n_samples:
            raise ValueError(f"Training size {k} must be in [1, {n_samples}).")
        for r in range(repeats):
            train = tuple(sorted(int(i) for i in rng.choice(n_samples, size=k, replace=False)))
            test = tuple(i for i in range(n_samples) if i not in train)
            splits.append(Split(f"k={k}/draw={r}", train, test))
    return splits
