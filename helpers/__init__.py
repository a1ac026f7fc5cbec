"""The one tested package every chapter of the MINN + MOME book imports.

Subpackages, one concept each; imports point one way only (``tests/test_layout.py`` checks it)::

    book  ->  evaluation  ->  minn  ->  gem  ->  data
    book  ->  mome        ->  gem   ->  data
    book  ->  minn._engine          (private: imported only by minn and book)
    book  ->  mome._engine          (private: imported only by mome and book)
    minn  ->  minn._engine
    mome  ->  mome._engine

Nothing imports :mod:`helpers.book`: it is the top, the chapters' own code.

- :mod:`helpers.data` — data registry (URL + sha256, offline mirror), the Ishii loader, the on-disk
  cache for expensive GEM work, descriptive views of the dataset (chapters ``01_dataset`` to
  ``06_reservoir_pfba`` and ``10_beyond`` read the Ishii data through it).
- :mod:`helpers.gem` — GEM loading, media, splitting, FVA/FBA reduction, blocked reactions,
  matrices, other organisms (chapters ``01_dataset`` to ``06_reservoir_pfba``,
  ``09_mome_redirector``, ``10_beyond``; introduced in ``02_gem_preparation``).
- :mod:`helpers.minn` — the MINN model: network, mechanistic layer, losses and variants,
  training, the scikit-learn estimator, FBA-fit targets and the loss-conflict strategies
  (chapters ``00_toy_example``, ``04_conflicting_losses``, ``05_gem_choice``,
  ``06_reservoir_pfba``, ``10_beyond``).
- :mod:`helpers.evaluation` — the nested leave-one-out protocol for any model, metrics, paired
  tests, ML and pFBA baselines, published numbers and predictions, the GEM-choice comparison
  (chapters ``00_toy_example``, ``03_minn_vs_ml`` to ``06_reservoir_pfba``, ``10_beyond``).
- :mod:`helpers.mome` — multi-objective knock-out design (chapters ``07_mome_ethanol``,
  ``08_mome_organisms_and_constraints``, ``09_mome_redirector``; its GPR parser also in
  ``01_dataset``).
- :mod:`helpers.book` — chapter runner, run profiles, table writer, shared plots, the
  paper-protocol results store and the chapters' own studies (every chapter).
"""
