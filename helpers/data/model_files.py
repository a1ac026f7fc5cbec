"""A cobra model on disk without pickle: exact cobra JSON plus the solver's own LP file.

The GEM cache (:mod:`helpers.data.cache`) must hand back the very model a pickle would have given
(the same order of reactions, metabolites, genes and of each reaction's metabolites, the same
bound values and types, the same solver problem), yet load nothing that can run code. Two files
do it:

* ``model.json`` — cobra's JSON (:func:`cobra.io.model_to_dict`) with what cobra's writer
  normalises put back as it was: each reaction's metabolites, the compartments and every
  annotation in their original order, bounds as written (``0`` stays an ``int``), the groups
  (cobra's JSON drops them) and the model's tolerance;
* ``solver.lp`` + ``solver.json`` — for GLPK, the problem in GLPK's own text format
  (``glp_write_prob``), its status and its configuration: exactly what optlang pickles, read back
  the way optlang unpickles it. For another solver the model gets a fresh problem of the same
  interface (the LP is the same; solver state such as a basis is not kept).

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import json
from pathlib import Path

import cobra
from cobra.core.group import Group

__all__ = ["MODEL_FILES", "write_model", "read_model"]

#: The files of one stored model (``solver.lp`` only for a GLPK model).
MODEL_FILES = ("model.json", "solver.json", "solver.lp")


def _exact(model: cobra.Model) -> dict:
    """What cobra's JSON writer sorts, converts or drops, as the model holds it."""
    return {
        "tolerance": model._tolerance,
        "compartments": dict(model.compartments),
        "reactions": [[r._lower_bound, r._upper_bound, [[m.id, c] for m, c in r._metabolites.items()],
                       dict(r.annotation), dict(r.notes)] for r in model.reactions],
        "metabolites": [[dict(m.annotation), dict(m.notes)] for m in model.metabolites],
        "genes": [[dict(g.annotation), dict(g.notes)] for g in model.genes],
        "annotation": dict(model.annotation),
        "notes": dict(model.notes),
        "groups": [{"id": g.id, "name": g.name, "kind": g.kind, "members": [
            [type(x).__name__, x.id] for x in g.members]} for g in model.groups],
    }


def write_model(model: cobra.Model, folder: Path) -> None:
    """Write ``model`` into ``folder`` as :data:`MODEL_FILES` (no pickle)."""
    data = cobra.io.model_to_dict(model, sort=False)
    exact = _exact(model)
    for row, (_lb, _ub, metabolites, _a, _n) in zip(data["reactions"], exact["reactions"],
                                                    strict=True):
        row["metabolites"] = dict(metabolites)
    data["compartments"] = exact["compartments"]
    data["minnbook_exact"] = exact
    (folder / "model.json").write_text(json.dumps(data, allow_nan=True))
    solver = model.solver
    state = {"interface": solver.interface.__name__, "status": solver.status}
    if solver.interface.__name__ == "optlang.glpk_interface":
        (folder / "solver.lp").write_text(solver._glpk_representation())
        state["config"] = solver.configuration.__getstate__()
    (folder / "solver.json").write_text(json.dumps(state))


def read_model(folder: Path) -> cobra.Model:
    """The model :func:`write_model` wrote into ``folder`` (errors of cobra, optlang or JSON)."""
    data = json.loads((folder / "model.json").read_text())
    exact = data.pop("minnbook_exact")
    model = cobra.io.model_from_dict(data)
    _restore(model, exact)
    state = json.loads((folder / "solver.json").read_text())
    if state["interface"] == "optlang.glpk_interface":
        model._solver = _glpk_solver((folder / "solver.lp").read_text(), state)
    elif model.solver.interface.__name__ != state["interface"]:  # e.g. hybrid: the same interface
        model.solver = state["interface"].rpartition(".")[2].removesuffix("_interface")
    model._tolerance = exact["tolerance"]
    return model


def _restore(model: cobra.Model, exact: dict) -> None:
    """Put back, on a model read by cobra, what cobra's JSON changed (see :func:`_exact`)."""
    model._compartments = exact["compartments"]
    model.annotation, model.notes = exact["annotation"], exact["notes"]
    for reaction, (lb, ub, _m, annotation, notes) in zip(model.reactions, exact["reactions"],
                                                         strict=True):
        reaction._lower_bound, reaction._upper_bound = lb, ub
        reaction.annotation, reaction.notes = annotation, notes
    for objects, rows in ((model.metabolites, exact["metabolites"]), (model.genes, exact["genes"])):
        for item, (annotation, notes) in zip(objects, rows, strict=True):
            item.annotation, item.notes = annotation, notes
    kinds = {"Reaction": model.reactions, "Metabolite": model.metabolites, "Gene": model.genes}
    groups = [Group(g["id"], g["name"], [kinds[kind].get_by_id(i) for kind, i in g["members"]],
                    g["kind"]) for g in exact["groups"]]
    if groups:
        model.add_groups(groups)


def _glpk_solver(text: str, state: dict):
    """An optlang GLPK model from GLPK's text format, as optlang's ``__setstate__`` builds it."""
    from optlang import glpk_interface

    solver = glpk_interface.Model.__new__(glpk_interface.Model)
    solver.__setstate__({"glpk_repr": text, "glpk_status": state["status"],
                         "config": _config(glpk_interface, state["config"])})
    return solver


def _config(glpk_interface, settings: dict):
    """A GLPK configuration holding ``settings`` (optlang clones it onto the problem)."""
    config = glpk_interface.Configuration.__new__(glpk_interface.Configuration)
    config.__setstate__(settings)
    return config
