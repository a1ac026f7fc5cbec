"""The one splits module (helpers.evaluation.splits): every harness holds samples out with it.

The harnesses used to build their folds themselves (scikit-learn's ``LeaveOneOut`` / ``KFold``,
``np.setdiff1d``, a NumPy generator per learning curve); the splits must give the same rows in the
same order, so that every result computed before stays the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold, LeaveOneOut

from helpers.evaluation import splits as sp

SAMPLES = [f"S{i:02d}" for i in range(29)]


def test_loo_and_scarcity_splits():
    loo = sp.loo_splits(SAMPLES)
    assert len(loo) == 29 and all(len(s.train) == 28 for s in loo)
    curve = sp.scarcity_splits(29, [7, 14], repeats=3, seed=0)
    assert [len(s.train) for s in curve] == [7, 7, 7, 14, 14, 14]
    assert all(len(s.train) + len(s.test) == 29 for s in curve)
    assert len({s.train for s in curve}) == 6  # different draws
    assert curve == sp.scarcity_splits(29, [7, 14], repeats=3, seed=0)  # same seed, same draws
    with pytest.raises(ValueError, match="must be in"):
        sp.scarcity_splits(29, [29], repeats=1, seed=0)
    with pytest.raises(ValueError, match="both in training and held out"):
        sp.Split("bad", (0, 1), (1,))
    with pytest.raises(ValueError, match="needs training and held-out rows"):
        sp.Split("empty", (), (0,))


def test_loo_splits_are_sklearns_leave_one_out_and_the_old_setdiff():
    """Outer folds of evaluate_loo (LeaveOneOut), minn_loo and omics_block_loo (setdiff1d)."""
    loo = sp.loo_splits(SAMPLES)
    reference = list(LeaveOneOut().split(np.zeros((len(SAMPLES), 1))))
    assert len(loo) == len(reference)
    for i, (split, (train, test)) in enumerate(zip(loo, reference, strict=True)):
        assert split.name == SAMPLES[i]
        for ours, theirs in ((split.train_rows, train), (split.test_rows, test),
                             (split.train_rows, np.setdiff1d(np.arange(len(SAMPLES)), [i]))):
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


@pytest.mark.parametrize("n_splits, seed", [(5, 0), (3, 7), (2, 105)])
def test_kfold_splits_are_sklearns_shuffled_kfold(n_splits, seed):
    """Inner folds (tune, outer_fold_members, omics_block_loo) and chapter 10's K-fold: the same
    folds, in the same order, for a list of labels or an outer fold's training rows."""
    train = np.setdiff1d(np.arange(29), [4])
    for samples in (SAMPLES, train):
        folds = sp.kfold_splits(samples, n_splits, seed)
        reference = list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(samples))
        assert [f.name for f in folds] == [f"fold {k}" for k in range(n_splits)]
        for fold, (fit, val) in zip(folds, reference, strict=True):
            assert np.array_equal(fold.train_rows, fit) and np.array_equal(fold.test_rows, val)
            assert fold.train_rows.dtype == fit.dtype
    assert sorted(i for f in sp.kfold_splits(SAMPLES, 4, 1) for i in f.test) == list(range(29))


def test_scarcity_splits_draw_as_before():
    """One generator per curve, one draw of ``k`` per repeat, sizes in the order given."""
    rng = np.random.default_rng(3)
    expected = []
    for k in (5, 12):
        for _ in range(2):
            expected.append(tuple(sorted(int(i) for i in rng.choice(29, size=k, replace=False))))
    assert [s.train for s in sp.scarcity_splits(29, [5, 12], repeats=2, seed=3)] == expected


def test_group_splits_hold_each_group_out_together():
    groups = {"b": ["S03", "S01"], "a": ["S10"]}
    splits = sp.group_splits(SAMPLES, groups)
    assert [s.name for s in splits] == ["b", "a"]
    assert splits[0].test == (1, 3) and 1 not in splits[0].train and len(splits[0].train) == 27
    with pytest.raises(ValueError, match="unknown sample"):
        sp.group_splits(SAMPLES, {"typo": ["S99"]})


def test_the_harnesses_take_their_folds_from_the_splits():
    """The inner folds of the MINN harness are kfold_splits of the outer fold's training rows."""
    from helpers.evaluation.minn_loo import outer_fold_members

    train = np.array([0, 1, 2, 4, 5, 6, 7])
    members, validation = outer_fold_members("c-balanced", train, [{"hidden": 4}, {"hidden": 5}],
                                             inner_folds=3, seed=11)
    folds = list(KFold(n_splits=3, shuffle=True, random_state=11).split(train))
    assert [m.rows for m in members] == [tuple(int(r) for r in train[fit])
                                         for _ in range(2) for fit, _ in folds]
    assert [(k, list(rows)) for k, rows in validation] == [(k, list(train[val]))
                                                          for k in range(2) for _, val in folds]
