"""MOME: multi-objective knock-out design (NSGA-II) on genome-scale models.

One concept per module: :mod:`~helpers.mome.gpr` (gene sets, knock-out cost, GPR evaluation),
:mod:`~helpers.mome.evaluation` (strain phenotypes on one LP), :mod:`~helpers.mome.problem`
(pymoo problem and operators), :mod:`~helpers.mome.search` (run loop, archive, front, HV),
:mod:`~helpers.mome.exact` (exact best strain per knock-out cost), :mod:`~helpers.mome.analysis`
(envelope, clusters, post-processing), :mod:`~helpers.mome.constraints` (essential genes, lethal
pairs), :mod:`~helpers.mome.study` (cross-organism fronts), :mod:`~helpers.mome.designs`
(constrained set-ups, media, Table 4 analogue), :mod:`~helpers.mome.redirector` (enzyme
regulation), :mod:`~helpers.mome.figures` (the chapters' figures).

Imports: :mod:`helpers.gem` and :mod:`helpers.data` only.

Introduced in chapter ``07_mome_ethanol``; implements Patané et al. (2018), Annals of Operations
Research 276, 211-227.
"""
