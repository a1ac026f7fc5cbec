"""The book itself: running chapters, their settings, their tables and shared figures.

- :mod:`~helpers.book.notebooks` — execute chapters with papermill (``make notebook``).
- :mod:`~helpers.book.profiles` — the ``quick`` and ``paper`` run profiles, in one place.
- :mod:`~helpers.book.tables` — one writer and one reader for every table the book shows.
- :mod:`~helpers.book.plots` — figures shared by the MINN chapters.

Imports: anything below it (:mod:`helpers.evaluation`, :mod:`helpers.mome`, ...); nothing imports
it except chapters, tests and benchmarks.
"""
