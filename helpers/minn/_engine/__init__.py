"""The private fast engine of MINN: the same maths as :mod:`helpers.minn.core`, made fast.

Imported only by :mod:`helpers.minn` itself (and :mod:`helpers.book`); chapters show the core.
Each piece has one equality test against the core (``tests/test_minn_fast_path.py``).

- :mod:`helpers.minn._engine.descent` — :class:`DescentWorkspace` (the unrolled descent in place,
  forward and hand-written backward) and its autograd node :class:`UnrolledDescent`;
- :mod:`helpers.minn._engine.projection` — the null-space projection with a hand-written backward;
- :mod:`helpers.minn._engine.adam` — :class:`EnsembleAdam` (one Adam per member over stacked weights);
- :mod:`helpers.minn._engine.batches` — each member's shuffled mini-batches and dropout masks,
  its rows, the torch thread count while training;
- :mod:`helpers.minn._engine.step` — one training step's loss and gradient by hand;
- :mod:`helpers.minn._engine.trainer` — the batched trainer behind :func:`helpers.minn.train_ensemble`.
"""
