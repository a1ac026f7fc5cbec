"""Chapter ``07_mome_ethanol``'s sentences built from :mod:`helpers.mome`'s results.

:mod:`helpers.mome` returns numbers and tables; the clauses the chapter glues into its text are
written here.
"""

from __future__ import annotations

__all__ = ["best_cluster_clause"]


def best_cluster_clause(best_cluster: str, top_cluster: str) -> str:
    """Where the front's highest-product strain lies, as a clause that reads right in every case.

    ``best_cluster`` is :func:`helpers.mome.analysis.cluster_of_best`'s answer, ``top_cluster``
    the cluster with the highest product maximum (``"none"`` when DBSCAN found no cluster). The
    clause follows "the front's best strain …" in chapter ``07_mome_ethanol``.
    """
    if best_cluster == "outliers":
        return ("is a DBSCAN outlier, in no cluster: the best trade-off is an isolated point, "
                "not the representative of a cluster")
    if best_cluster == top_cluster:
        return f"falls in cluster {best_cluster}, the cluster with the most ethanol"
    return (f"falls in cluster {best_cluster}, not in the cluster with the most ethanol "
            f"({top_cluster})")
