"""Data: every external file the book reads, and the on-disk cache of derived GEM work.

- :mod:`helpers.data.registry` — the registry (canonical URL pinned to a commit + sha256, a table
  in ``registry.json`` beside the module), hashed download with pooch, the offline mirror
  (``MINNBOOK_DATA``), ``cache_dir``.
- :mod:`helpers.data.files` — CSV / text readers whose errors name the file and the line.
- :mod:`helpers.data.ishii` — the {cite}`ishii2007` dataset: 29 chemostat samples.
- :mod:`helpers.data.ishii_columns` — the expected columns of each Ishii table.
- :mod:`helpers.data.cache` — on-disk cache for expensive GEM work (reduced models, matrices).
- :mod:`helpers.data.model_files` — a cobra model on disk without pickle (exact cobra JSON plus
  GLPK's LP file), as the cache stores it.
- :mod:`helpers.data.explore` — descriptive views of the Ishii data (chapter ``01_dataset``).
- :mod:`helpers.data.dataset` — your own data: the dataset folder format (manifest, omics, fluxes,
  GEM), loaded and checked (chapter ``03_minn_vs_ml``, ``book/dataset_format.md``).
- :mod:`helpers.data.synthetic` — a synthetic dataset in that format with a known truth.

Imports: nothing else of :mod:`helpers` (the bottom of the arrows).
"""
