"""Evaluation: how every model of the MINN chapters is scored, and against what.

- :mod:`~helpers.evaluation.splits` — the held-out splits of every harness: :class:`Split` with
  leave-one-out, K-fold, leave-group-out and label-scarcity constructors.
- :mod:`~helpers.evaluation.protocol` — nested leave-one-out (outer LOO, inner 5-fold search) for
  any scikit-learn pipeline; :class:`~helpers.evaluation.protocol.LooResult`.
- :mod:`~helpers.evaluation.minn_loo` — the same protocol for MINN variants, runs batched.
- :mod:`~helpers.evaluation.metrics` — per-sample R², MAE, RMSE, NE and the one summary-table
  builder (:func:`~helpers.evaluation.metrics.summarize`, mean ± population sd).
- :mod:`~helpers.evaluation.comparison` — ours beside a paper's table; paired Wilcoxon tests.
- :mod:`~helpers.evaluation.baselines` — random forest and plain NN (chapter ``03_minn_vs_ml``).
- :mod:`~helpers.evaluation.pfba` — the pFBA baseline (chapter ``03_minn_vs_ml``).
- :mod:`~helpers.evaluation.dataset_pfba` — the same pFBA control for a dataset in the book's format.
- :mod:`~helpers.evaluation.published` — published predictions (:cite:`goncalves2023`, MINN
  release).
- :mod:`~helpers.evaluation.paper_results` — the papers' numbers, in one place.
- :mod:`~helpers.evaluation.gem_choice` — the same MINN on four GEMs (chapter ``05_gem_choice``).
- :mod:`~helpers.evaluation.reservoir_pfba` — MINN-reservoir + pFBA, Table 4: block check,
  nested LOO of the omics network, pFBA with predicted bounds (chapter ``06_reservoir_pfba``).

The chapters' own studies (chapter 05's findings, chapter 06's block summary, chapter 10's
experiments) are in :mod:`helpers.book`.

Imports: :mod:`helpers.minn`, :mod:`helpers.gem`, :mod:`helpers.data`; never :mod:`helpers.book`.
"""
