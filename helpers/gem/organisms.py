"""The other organisms of {cite}`patane2019mome`: one loader per genome-scale model and its set-up.

Each :class:`Organism` names the registry file (or ``cobra:<name>`` for a model bundled with
cobra), how to read it, the biomass reaction, the exchange of the paper's product (``product``:
ethanol for every model of {cite}`patane2019mome`'s Fig. 3), the glucose and oxygen
exchanges (``None`` where the model has none) and the counts recorded when the file was registered
(reactions, metabolites, genes), so that a test can check the file read is the one registered. :func:`load_organism` returns a fresh :class:`cobra.Model` with bounds clipped to
+-1000 (iRC1080: +-2000, its photon bounds).

Special readers:

* iPC815 comes as an OMEX (zip) archive; its SBML is the member ``iPC815.xml``.
* Yeast 7.6 is a COBRA-toolbox ``.mat`` that cobra's reader refuses (no compartment fields): the
  model is built from the struct's arrays, each metabolite's compartment taken from the
  ``[name]`` suffix of its name, its formula from ``metFormulas`` (plain formulas only; a
  polymer such as ``(C6H10O5)n`` gets none), gene rules with ``AND``/``OR`` lower-cased.

* iYL619_PCP is an invalid SBML (undeclared compartment ``C_m``, boundary pseudo-species
  ``*_b``): :func:`read_lenient_sbml` reads its XML directly, drops the ``_b`` species (making the
  exchanges open-ended), takes bounds and objective from each reaction's kinetic-law parameters
  and gene rules from the ``GENE_ASSOCIATION`` notes.

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cobra
import numpy as np

from helpers.data.registry import fetch
from helpers.gem.loading import normalize_bounds, read_model_file

__all__ = ["Organism", "ORGANISMS", "load_organism", "read_yeast_mat", "read_lenient_sbml"]


@dataclass(frozen=True)
class Organism:
    """A model of Fig. 3 of {cite}`patane2019mome` and its exchange reactions.

    ``product`` is the exchange of the product the paper designs for in that model (ethanol);
    any other exchange of the model can be a product too
    (:func:`helpers.mome.inputs.resolve_product`).
    """

    name: str
    species: str
    key: str
    biomass: str
    product: str
    glucose: str | None
    oxygen: str | None
    n_reactions: int
    n_metabolites: int | None
    n_genes: int
    eukaryote: bool
    max_bound: float = 1000.0


#: name -> organism (counts from PROVENANCE.md; metabolite counts where it gives them)
ORGANISMS: dict[str, Organism] = {o.name: o for o in [
    Organism("iJO1366", "E. coli K-12 MG1655", "cobra:iJO1366", "BIOMASS_Ec_iJO1366_core_53p95M",
             "EX_etoh_e", "EX_glc__D_e", "EX_o2_e", 2583, 1805, 1367, False),
    Organism("iZ_1308", "E. coli O157:H7 EDL933", "gems/iZ_1308.xml.gz",
             "BIOMASS_Ec_iJO1366_core_53p95M", "EX_etoh_e", "EX_glc__D_e", "EX_o2_e",
             2721, 1923, 1308, False),
    Organism("iCA1273", "E. coli W", "gems/iCA1273.xml", "Ec_biomass_iCA1273_core_59p81M",
             "EX_etoh_e_", "EX_glc_e_", "EX_o2_e_", 2477, None, 1273, False),
    Organism("iSB619", "S. aureus N315", "gems/iSB619.xml", "BIOMASS_SA_8a", "EX_etoh_e",
             "EX_glc__D_e", "EX_o2_e", 743, None, 619, False),
    Organism("STM_v1_0", "S. enterica Typhimurium LT2", "gems/STM_v1_0.xml",
             "biomass_iRR1083_metals", "EX_etoh_e", "EX_glc_D_e", "EX_o2_e", 2546, None, 1271,
             False),
    Organism("iPC815", "Y. pestis CO92", "gems/iPC815.omex", "BIOMASS_37C", "EX_etoh_e",
             "EX_glc__D_e", "EX_o2_e", 1961, None, 815, False),
    Organism("yeast_7.6", "S. cerevisiae", "gems/yeast_7.6_cobra.mat", "r_2111", "r_1761",
             "r_1714", "r_1992", 3493, 2220, 909, True),
    Organism("iMM904", "S. cerevisiae", "gems/iMM904.json", "BIOMASS_SC5_notrace", "EX_etoh_e",
             "EX_glc__D_e", "EX_o2_e", 1577, None, 905, True),
    Organism("iYL619_PCP", "Y. lipolytica", "gems/iYL619_PCP.xml", "R2000", "R1291", "R1294",
             "R1204", 1142, 843, 619, True),
    Organism("iRC1080", "C. reinhardtii", "gems/iRC1080.xml", "Biomass_Chlamy_auto", "EX_etoh_e",
             None, "EX_o2_e", 2191, None, 1086, True, max_bound=2000.0),
]}

_COMPARTMENT = re.compile(r"\[([^\]]+)\]\s*$")
_FORMULA = re.compile(r"(?:[A-Z][a-z]?\d*)+")


def _cell(value) -> str:
    """A MATLAB cell entry (nested object arrays) as a plain string ('' when empty)."""
    while isinstance(value, np.ndarray):
        if value.size == 0:
            return ""
        value = value.ravel()[0]
    return str(value)


def read_yeast_mat(path: str | Path) -> cobra.Model:
    """Build Yeast 7.6 from its COBRA-toolbox ``.mat`` struct (see the module docstring)."""
    from scipy.io import loadmat

    struct = loadmat(str(path))["model"][0, 0]
    field = {name: struct[name] for name in struct.dtype.names}
    rxns = [_cell(x) for x in field["rxns"].ravel()]
    mets = [_cell(x) for x in field["mets"].ravel()]
    names = [_cell(x) for x in field["metNames"].ravel()]
    rules = [_cell(x) for x in field["grRules"].ravel()]
    rxn_names = [_cell(x) for x in field["rxnNames"].ravel()]
    formulas = ([_cell(x) for x in field["metFormulas"].ravel()] if "metFormulas" in field
                else [""] * len(mets))
    S = field["S"].tocsc() if hasattr(field["S"], "tocsc") else np.asarray(field["S"])
    lb, ub = field["lb"].ravel().astype(float), field["ub"].ravel().astype(float)
    c = field["c"].ravel().astype(float)
    model = cobra.Model("yeast_7.6")
    metabolites = []
    for mid, name, formula in zip(mets, names, formulas, strict=True):
        match = _COMPARTMENT.search(name)
        comp = match.group(1) if match else "unknown"
        plain = formula if _FORMULA.fullmatch(formula) else None  # not '(C6H10O5)n'
        metabolites.append(cobra.Metabolite(mid, name=_COMPARTMENT.sub("", name).strip(),
                                            compartment=comp, formula=plain))
    model.add_metabolites(metabolites)
    reactions = []
    for j, rid in enumerate(rxns):
        r = cobra.Reaction(rid, name=rxn_names[j], lower_bound=lb[j], upper_bound=ub[j])
        col = S[:, j]
        rows, vals = (col.nonzero()[0], col.data) if hasattr(col, "nonzero") and hasattr(col, "data") \
            else (np.flatnonzero(col), col[np.flatnonzero(col)])
        r.add_metabolites({metabolites[i]: float(v) for i, v in zip(rows, vals, strict=True)})
        rule = re.sub(r"\bAND\b", "and", re.sub(r"\bOR\b", "or", rules[j]))
        r.gene_reaction_rule = rule
        reactions.append(r)
    model.add_reactions(reactions)
    model.objective = {model.reactions.get_by_id(rxns[j]): c[j] for j in np.flatnonzero(c)}
    return model


def read_lenient_sbml(path: str | Path, model_id: str = "iYL619_PCP") -> cobra.Model:
    """Read a COBRA-toolbox SBML level 2 file that libSBML rejects (see the module docstring)."""
    import xml.etree.ElementTree as ET

    sbml = "{http://www.sbml.org/sbml/level2}"
    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ET.parse(str(path)).getroot()
    model = cobra.Model(model_id)
    metabolites = {}
    for sp in root.iter(f"{sbml}species"):
        sid = sp.get("id")
        if sid.endswith("_b"):
            continue
        comp = (sp.get("compartment") or "C_c").removeprefix("C_")
        clean = re.sub(r"\s+", "", sid.removeprefix("M_"))  # ids with spaces: "am6sa _c"
        metabolites[sid] = cobra.Metabolite(clean, name=sp.get("name"),
                                            compartment=comp)
    model.add_metabolites(list(metabolites.values()))
    reactions, objective = [], {}
    for rx in root.iter(f"{sbml}reaction"):
        params = {p.get("id"): float(p.get("value").strip())
                  for p in rx.iter(f"{sbml}parameter")}
        r = cobra.Reaction(re.sub(r"\s+", "", rx.get("id")), name=rx.get("name"),
                           lower_bound=params.get("LOWER_BOUND", 0.0),
                           upper_bound=params.get("UPPER_BOUND", 1000.0))
        coefficients: dict[cobra.Metabolite, float] = {}
        for side, sign in (("listOfReactants", -1.0), ("listOfProducts", 1.0)):
            for block in rx.findall(f"{sbml}{side}"):
                for ref in block.findall(f"{sbml}speciesReference"):
                    met = metabolites.get(ref.get("species"))
                    if met is not None:
                        value = sign * float((ref.get("stoichiometry") or "1").strip())
                        coefficients[met] = coefficients.get(met, 0.0) + value
        r.add_metabolites(coefficients)
        for p in rx.iter(f"{xhtml}p"):
            if p.text and p.text.startswith("GENE_ASSOCIATION:"):
                rule = p.text.split(":", 1)[1].strip()
                r.gene_reaction_rule = re.sub(r"\bAND\b", "and", re.sub(r"\bOR\b", "or", rule))
        if params.get("OBJECTIVE_COEFFICIENT", 0.0):
            objective[r] = params["OBJECTIVE_COEFFICIENT"]
        reactions.append(r)
    model.add_reactions(reactions)
    model.objective = objective
    return model


def load_organism(name: str) -> cobra.Model:
    """A fresh copy of organism ``name``'s model (one of :data:`ORGANISMS`), bounds clipped to
    +-``max_bound`` (1000; 2000 for iRC1080, whose photon bounds are 2000), ``model.id`` set to
    ``name``.

    Its own file bounds are kept (the medium is set by the caller, e.g.
    :func:`helpers.mome.strains.configure`).
    """
    if name not in ORGANISMS:
        raise ValueError(f"The 'name' parameter must be one of {list(ORGANISMS)}. Got {name!r} instead.")
    org = ORGANISMS[name]
    if org.key.startswith("cobra:"):
        model = cobra.io.load_model(org.key.removeprefix("cobra:"))
        model.id = name
        return normalize_bounds(model, max_bound=org.max_bound)
    path = fetch(org.key)
    if org.key.endswith(".omex"):
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as archive:
            member = f"{name}.xml"
            archive.extract(member, tmp)
            model = read_model_file(Path(tmp) / member, label=f"{org.key}:{member}")
    elif org.key.endswith(".mat"):
        model = read_yeast_mat(path)
    elif name == "iYL619_PCP":
        model = read_lenient_sbml(path)
    else:
        model = read_model_file(path, label=org.key)
    model.id = name
    return normalize_bounds(model, max_bound=org.max_bound)
