"""What every batched MINN trainer shares: members' rows, their mini-batches, the thread count.

Used by the ensemble trainer (:mod:`helpers.minn._engine.trainer`) and by the reservoir's omics
trainer (:mod:`helpers.minn.reservoir`). Each member draws its shuffling and dropout masks from
its own ``torch.Generator`` seeded by :func:`helpers.minn.core.train_seed`, as a run alone would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["epoch_batches", "member_rows", "torch_threads"]


@contextmanager
def torch_threads(num_threads: int | None) -> Iterator[None]:
    """Run the block with ``num_threads`` torch intra-op threads (None: unchanged), then restore.

    MINN trainers default to 1: the many small kernels of a step run slower with more threads on
    a busy 2-core machine, and parallelism comes from running units side by side.
    """
    previous = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(int(num_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def member_rows(rows: Sequence[Sequence[int] | None], N: int) -> list[torch.Tensor]:
    """Each member's training rows as a tensor (None = all ``N`` rows), or a ``ValueError``
    naming the first member whose rows are empty or out of ``[0, N)``."""
    out = []
    for e, r in enumerate(rows):
        r = np.arange(N) if r is None else np.asarray(r, dtype=np.int64)
        if r.size == 0 or r.min() < 0 or r.max() >= N:
            raise ValueError(f"Member {e}: 'rows' must be non-empty indices in [0, {N}); "
                             f"got {r.tolist()[:10]}.")
        out.append(torch.as_tensor(r))
    return out


def epoch_batches(rows, gens, in_epoch, steps_per_epoch, S_max, batch_size, net):
    """Shuffled mini-batch indices, validity and dropout keep-masks of one epoch (on the CPU).

    Member ``e`` (if ``in_epoch[e]``) draws a permutation of ``rows[e]`` and then its dropout
    masks ``(steps, min(batch_size, rows), hidden_e)`` from ``gens[e]`` (a batch never holds
    more rows than the member has, so a ``batch_size`` beyond that gives the same draws as
    ``batch_size = rows``); returns ``idx`` and ``valid`` ``(S_max, E, batch_size)`` and
    ``keep`` ``(S_max, E, batch_size, max hidden)``.
    """
    E, H = len(rows), max(net.hidden_sizes)
    idx = torch.zeros(S_max, E, batch_size, dtype=torch.long)
    valid = torch.zeros(S_max, E, batch_size, dtype=torch.bool)
    keep = torch.zeros(S_max, E, batch_size, H, dtype=torch.bool)
    for e in range(E):
        if not in_epoch[e]:
            continue
        order = rows[e][torch.randperm(len(rows[e]), generator=gens[e])]
        steps = int(steps_per_epoch[e])
        padded = torch.zeros(steps * batch_size, dtype=torch.long)
        padded[: len(order)] = order
        idx[:steps, e] = padded.view(steps, batch_size)
        valid[:steps, e] = (torch.arange(steps * batch_size) < len(order)).view(steps, batch_size)
        h, width = net.hidden_sizes[e], min(batch_size, len(order))
        keep[:steps, e, :width, :h] = (
            torch.rand(steps, width, h, generator=gens[e]) < 1.0 - net.dropout_rates[e]
        )
    return idx, valid, keep
