"""Data: every external file the book reads, and the on-disk cache of derived GEM work.

- :mod:`~helpers.data.registry` — the registry (canonical URL pinned to a commit + sha256),
  hashed download with pooch, the offline mirror (``MINNBOOK_DATA``), ``cache_dir``.
- :mod:`~helpers.data.ishii` — the Ishii et al. (2007) dataset: 29 chemostat samples.
- :mod:`~helpers.data.cache` — on-disk cache for expensive GEM work (reduced models, matrices).
- :mod:`~helpers.data.explore` — descriptive views of the Ishii data (chapter ``01_dataset``).

Imports: nothing else of :mod:`helpers` (the bottom of the arrows).
"""
