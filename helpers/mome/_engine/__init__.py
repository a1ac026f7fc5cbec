"""MOME's private speed machinery: the warm-started GLPK engine behind the strain evaluator.

Chapters read :mod:`helpers.mome.core` (strain phenotypes with plain cobra); this engine gives
the same phenotypes (``tests/test_mome_engine.py`` checks it on a sample of strains) thousands of
times faster.

Modules:

* :mod:`helpers.mome._engine.lp` — :class:`~helpers.mome._engine.lp.StrainLP`, one GLPK problem
  kept alive between strains (knock out, maximize growth, minimize the product), and the joblib
  workers' bounded cache of rebuilt problems.
* :mod:`helpers.mome._engine.fast` — :class:`~helpers.mome._engine.fast.FastPhenotypes`, the
  evaluator's fast path: exact shortcuts (essential reactions, the wild type's flux support),
  pickling for workers, parallel evaluation.

Imported only by :mod:`helpers.mome` and :mod:`helpers.book`.

Imports: :mod:`helpers.gem` only.
"""
