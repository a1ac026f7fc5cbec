"""MOME: multi-objective knock-out design (NSGA-II) on genome-scale models ({cite}`patane2019mome`).

Modules:

* :mod:`helpers.mome.core` — the method as a chapter shows it: a strain's phenotype with plain
  cobra (``with model:``; a strain is the deletion of its genes), the check that a strain table
  is reproduced by cobra gene knock-outs, the exact knock-out cost and the NSGA-II operators.
* :mod:`helpers.mome.gpr` — gene sets, exact and paper knock-out costs, GPR evaluation.
* :mod:`helpers.mome.strains` — :class:`~helpers.mome.strains.StrainEvaluator` (phenotypes of many
  strains, cached, on the private engine), medium set-up and model reduction.
* :mod:`helpers.mome.problem` — the pymoo problem and MOME's operators.
* :mod:`helpers.mome.search` — the run loop, archive, observed front and hypervolume.
* :mod:`helpers.mome.exact` — the exact best strain per knock-out cost.
* :mod:`helpers.mome.milp` — the best guaranteed product per gene budget by a bilevel MILP
  (RobustKnock through StrainDesign and SCIP), for comparison with the search.
* :mod:`helpers.mome.analysis` — envelope, clusters, post-processing, strain tables.
* :mod:`helpers.mome.constraints` — essential genes and lethal pairs.
* :mod:`helpers.mome.redirector` — enzyme regulation as a MOME phenotype.
* :mod:`helpers.mome.origin` — where a strain's product comes from: producing reactions, one step
  upstream, and the carbon uptakes it cannot do without, at the guaranteed point.
* :mod:`helpers.mome.figures` — the chapters' figures (product axes named by the product).
* :mod:`helpers.mome.inputs` — a run's parameters checked and applied: model (registry id or
  file), product exchange and its name, medium (named or CSV) and oxygen, growth floor and
  search budgets; each wrong value raises an error naming the parameter and close matches.
* :mod:`helpers.mome._engine` — private: the warm-started GLPK engine behind
  :class:`~helpers.mome.strains.StrainEvaluator` (imported only here and by :mod:`helpers.book`).

The chapters' own studies (cross-organism fronts, constrained designs) live in
:mod:`helpers.book` (``mome_study``, ``mome_designs``); this package returns data, and the
chapters write the sentences.

Imports: :mod:`helpers.gem` and :mod:`helpers.data` only.

Introduced in chapter ``07_mome_ethanol``.
"""
