"""The one tested package every chapter of the MINN + MOME book imports.

Subpackages, one concept each; imports point one way only::

    book  ->  evaluation  ->  minn  ->  gem  ->  data
    book  ->  mome        ->  gem   ->  data

- :mod:`helpers.data` — data registry (URL + sha256, offline mirror), the Ishii loader, the on-disk
  cache for expensive GEM work, descriptive views of the dataset (chapter ``01_dataset``).
- :mod:`helpers.gem` — GEM loading, media, splitting, FVA/FBA reduction, matrices
  (chapter ``02_gem_preparation``).
- :mod:`helpers.minn` — the MINN model: network, mechanistic layer, losses and variants, batched
  training, the scikit-learn estimator, FBA-fit targets and the loss-conflict strategies
  (chapters ``00_toy_example``, ``04_conflicting_losses``).
- :mod:`helpers.evaluation` — the nested leave-one-out protocol for any model, metrics, paired
  tests, ML and pFBA baselines, published numbers and predictions, the GEM-choice study
  (chapters ``03_minn_vs_ml``, ``04_conflicting_losses``, ``05_gem_choice``).
- :mod:`helpers.mome` — multi-objective knock-out design (chapter ``07_mome_ethanol``).
- :mod:`helpers.book` — chapter runner, run profiles, table writer, shared plots.
"""
