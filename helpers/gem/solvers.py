"""Quiet LP/QP solvers: HiGHS prints a licence banner on the first ``Highs()`` of a process.

cvxpy (``solver="HIGHS"``) and scipy create HiGHS instances whose first construction writes the
banner straight to file descriptor 1, so it lands in the chapter's output whatever ``verbose``
says. :func:`silence_highs_banner` constructs that first instance with descriptor 1 pointed at
``/dev/null``; later instances print nothing. It runs once when :mod:`helpers.gem` is imported.
"""

from __future__ import annotations

import os
import sys

_done = False


def silence_highs_banner() -> None:
    """Consume HiGHS's one-per-process banner quietly (no-op without ``highspy`` or when done)."""
    global _done
    if _done:
        return
    _done = True
    try:
        import highspy
    except ImportError:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
