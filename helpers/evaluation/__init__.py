"""Evaluation: how every model of the MINN chapters is scored, and against what.

- :mod:`~helpers.evaluation.protocol` — nested leave-one-out (outer LOO, inner 5-fold search) for
  any scikit-learn pipeline; :class:`~helpers.evaluation.protocol.LooResult`.
- :mod:`~helpers.evaluation.minn_loo` — the same protocol for MINN variants, runs batched.
- :mod:`~helpers.evaluation.metrics` — per-sample R², MAE, RMSE, NE and the residual L2.
- :mod:`~helpers.evaluation.comparison` — comparison tables and paired Wilcoxon tests.
- :mod:`~helpers.evaluation.baselines` — random forest and plain NN (chapter ``03_minn_vs_ml``).
- :mod:`~helpers.evaluation.pfba` — the pFBA baseline (chapter ``03_minn_vs_ml``).
- :mod:`~helpers.evaluation.published` — published predictions (Gonçalves et al., MINN release).
- :mod:`~helpers.evaluation.paper_results` — the papers' numbers, in one place.
- :mod:`~helpers.evaluation.gem_choice` — the same MINN on four GEMs (chapter ``05_gem_choice``).
- :mod:`~helpers.evaluation.gem_choice_study` — chapter 05's sizes, runs and findings.
- :mod:`~helpers.evaluation.block_summary` — reservoir blocks side by side (chapter
  ``06_reservoir_pfba``).

Imports: :mod:`helpers.minn`, :mod:`helpers.gem`, :mod:`helpers.data`; never :mod:`helpers.book`.
"""
