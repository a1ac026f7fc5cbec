"""The RobustKnock MILP designs of chapter 07, computed once and kept in the repository.

``python -m helpers.book mome-milp [--product EX_succ_e ...] [--max-cost 5]
[--time-limit 900] [--min-growth 0.05] [--searches [--search-max-cost 5]]`` solves, for each product and each budget
``1 .. --max-cost``, the gene-level RobustKnock MILP (:func:`helpers.mome.milp.robust_knockout`)
on chapter 07's set-up (iJO1366, anaerobic, glucose 10 mmol/gDW/h, reduced model) and writes
each answer atomically to ``results/mome_milp/<product>_c<K>.json`` with its provenance: git
commit, StrainDesign / SCIP versions, time limit, wall time, the reduced model's hash and the
candidate list's hash. With ``--searches`` it then runs chapter 07's quick search per product,
default and improved (seeded with the kept MILP designs, polished), into
``results/mome_milp/search/`` (:func:`run_searches`). MILPs on iJO1366 take minutes each on 2 cores (more with the budget), so
they do not run in CI: the chapter reads the kept files (:func:`load_designs`), and a test
re-solves the cheapest entry.

**Resume.** An entry whose file has the current set-up (model hash, candidates hash, minimal
growth) and is optimal, or timed out at a limit no smaller than asked, is skipped; killing a run
loses only the entry in progress.

Here, not in :mod:`helpers.mome`, because it reads and writes the book's results folder.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "mome_milp"
PRODUCTS = ("EX_etoh_e", "EX_lac__D_e", "EX_succ_e")
PRODUCT_LABELS = {"EX_etoh_e": "ethanol", "EX_lac__D_e": "D-lactate", "EX_succ_e": "succinate"}
BIOMASS = "BIOMASS_Ec_iJO1366_core_53p95M"
MEDIUM = {"EX_glc__D_e": -10.0, "EX_o2_e": 0.0}
#: Growth a design must keep, as a fraction of the wild type's (the search's archive is filtered
#: by the same floor in the comparison).
MIN_GROWTH_FRACTION = 0.05


@lru_cache(maxsize=4)
def setup(product: str):
    """``(model, evaluator, candidates)`` of chapter 07's set-up for ``product`` (cached)."""
    import cobra

    from helpers.mome import milp, strains

    full = cobra.io.load_model("iJO1366")
    model = strains.reduce_model(strains.configure(full, MEDIUM))
    evaluator = strains.StrainEvaluator(model, biomass=BIOMASS, product=product)
    return model, evaluator, milp.candidate_genes(model, evaluator)


def setup_key(product: str, min_growth_fraction: float = MIN_GROWTH_FRACTION) -> dict:
    """What decides an entry's answer: model hash, candidates hash, growth floor."""
    from helpers.mome import milp, strains

    model, evaluator, candidates = setup(product)
    return {"product": product, "model": strains.model_fingerprint(model),
            "candidates": milp.candidates_hash(candidates), "n_candidates": len(candidates),
            "min_growth_fraction": float(min_growth_fraction),
            "min_growth": float(min_growth_fraction * evaluator.reference[0])}


def entry_path(product: str, max_cost: int, folder: Path = RESULTS) -> Path:
    """The file of one entry."""
    return Path(folder) / f"{product}_c{int(max_cost)}.json"


def _is_current(path: Path, key: dict, time_limit_s: float) -> bool:
    if not path.exists():
        return False
    entry = json.loads(path.read_text())
    if entry.get("setup") != key:
        return False
    return entry["design"]["status"] == "optimal" or entry["time_limit_s"] >= time_limit_s


def solve_entry(product: str, max_cost: int, *, time_limit_s: float,
                min_growth_fraction: float = MIN_GROWTH_FRACTION) -> dict:
    """Solve one (product, budget) MILP and return its file content (not written)."""
    from helpers.book.paper.units import _git_commit
    from helpers.mome import milp

    model, evaluator, candidates = setup(product)
    key = setup_key(product, min_growth_fraction)
    design = milp.robust_knockout(model, evaluator, max_cost=max_cost,
                                  min_growth=key["min_growth"], candidates=candidates,
                                  time_limit_s=time_limit_s)
    return {"setup": key, "time_limit_s": float(time_limit_s), "design": design.as_row(),
            "provenance": {"git_commit": _git_commit(), **milp.solver_versions(),
                           "cores": os.cpu_count()}}


def _write(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(content, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def run(products=PRODUCTS, max_cost: int = 5, *, time_limit_s: float = 900.0,
        min_growth_fraction: float = MIN_GROWTH_FRACTION, folder: Path = RESULTS,
        verbose: bool = True) -> list[Path]:
    """Solve every missing or outdated entry, cheapest budgets first; the files written."""
    written = []
    for k in range(1, int(max_cost) + 1):
        for product in products:
            path = entry_path(product, k, folder)
            if _is_current(path, setup_key(product, min_growth_fraction), time_limit_s):
                continue
            content = solve_entry(product, k, time_limit_s=time_limit_s,
                                  min_growth_fraction=min_growth_fraction)
            _write(path, content)
            written.append(path)
            if verbose:
                d = content["design"]
                print(f"{product} cost <= {k}: {d['status']}, {d['genes'] or '-'}, "
                      f"product_min {d['product_min']:.3f}, {d['wall_s']:.0f} s", flush=True)
    return written


def load_designs(folder: Path = RESULTS) -> pd.DataFrame:
    """Every kept entry as one row: the design's columns plus ``time_limit_s``,
    ``git_commit``, ``model`` and ``candidates`` hashes, sorted by product and budget.
    ``ValueError`` naming the file when one lacks a field."""
    rows = []
    for path in sorted(Path(folder).glob("*.json")):
        entry = json.loads(path.read_text())
        try:
            rows.append({**entry["design"], "time_limit_s": entry["time_limit_s"],
                         "min_growth": entry["setup"]["min_growth"],
                         "model": entry["setup"]["model"],
                         "candidates": entry["setup"]["candidates"],
                         "n_candidates": entry["setup"]["n_candidates"],
                         "git_commit": entry["provenance"]["git_commit"]})
        except KeyError as err:
            raise ValueError(f"MILP results file {path} lacks the field {err}.") from err
    frame = pd.DataFrame(rows)
    return frame.sort_values(["product", "max_cost"]).reset_index(drop=True) if rows else frame


#: The search variants compared with the MILP: chapter 07's default search, and the same search
#: seeded with the kept MILP designs of the product and polished along the flux support.
VARIANTS = ("default", "improved")


def search_path(product: str, variant: str, folder: Path = RESULTS) -> Path:
    """The file of one kept search run."""
    return Path(folder) / "search" / f"{product}_{variant}.json"


def _milp_seeds(product: str, folder: Path) -> list[tuple[str, ...]]:
    designs = load_designs(folder)
    if designs.empty:
        return []
    part = designs[(designs["product"] == product) & (designs["genes"] != "")]
    return sorted({tuple(g.split()) for g in part["genes"]})


def search_entry(product: str, variant: str, *, max_cost: int, profile: str = "quick",
                 seed: int = 0, folder: Path = RESULTS,
                 min_growth_fraction: float = MIN_GROWTH_FRACTION) -> dict:
    """Run chapter 07's search (profile ``profile``) for ``product``: ``"default"`` as the chapter
    does, ``"improved"`` seeded with the kept MILP designs and polished up to ``max_cost``
    (:func:`helpers.mome.search.support_polish`). Returns the file content: the best strain per
    budget ``0 .. max_cost`` growing at least the floor, among the archive and the post-processed
    front (as chapter 07's best-per-cost table), with settings and provenance."""
    from helpers.book.paper.units import _git_commit
    from helpers.book.profiles import get_profile
    from helpers.mome import analysis, exact, search

    if variant not in VARIANTS:
        raise ValueError(f"The 'variant' parameter must be one of {list(VARIANTS)}. "
                         f"Got {variant!r} instead.")
    _, evaluator, _ = setup(product)
    key = setup_key(product, min_growth_fraction)
    st = get_profile(profile, "mome")
    seeds = _milp_seeds(product, folder) if variant == "improved" else []
    extra = ({"seeds": [evaluator.gene_strain(g) for g in seeds] or None,
              "polish_cost": int(max_cost)} if variant == "improved" else {})
    result = search.run_mome(
        evaluator, pop_size=st["pop_size"], n_gen=st["n_gen"], dup=st["dup"], ukc=st["ukc"],
        seed=seed, max_initial_mutations=st["max_initial_mutations"],
        skip_lethal_units=st["skip_lethal_units"], prefer_support=st["prefer_support"],
        elite_cost=st["elite_cost"], **extra)
    post = analysis.postprocess_front(evaluator, result.front)  # as chapter 07's table does
    pool = pd.concat([result.archive, post.drop(columns="raw_cost")], ignore_index=True)
    best = exact.best_per_cost(pool[pool.biomass >= key["min_growth"]], int(max_cost))
    best["genes"] = [" ".join(sorted(evaluator.cut(g))) if isinstance(g, tuple) else ""
                     for g in best.genotype]
    return {"setup": {**key, "variant": variant, "profile": profile, "seed": int(seed),
                      "max_cost": int(max_cost), "seeds": [" ".join(g) for g in seeds]},
            "wall_s": result.wall_s, "n_strains": len(result.archive),
            "best": best.drop(columns="genotype").to_dict(orient="list"),
            "provenance": {"git_commit": _git_commit(), "cores": os.cpu_count()}}


def run_searches(products=PRODUCTS, max_cost: int = 5, *, profile: str = "quick",
                 seed: int = 0, folder: Path = RESULTS, verbose: bool = True) -> list[Path]:
    """Run and keep both search variants per product (always recomputed: a seeded run depends
    on the MILP designs kept at the time)."""
    written = []
    for product in products:
        for variant in VARIANTS:
            content = search_entry(product, variant, max_cost=max_cost, profile=profile,
                                   seed=seed, folder=folder)
            path = search_path(product, variant, folder)
            _write(path, content)
            written.append(path)
            if verbose:
                print(f"{product} {variant}: {content['wall_s']:.0f} s, best per cost "
                      f"{[round(x, 3) for x in content['best']['product_min']]}", flush=True)
    return written


def load_searches(folder: Path = RESULTS) -> pd.DataFrame:
    """Every kept search run, one row per (product, variant, budget): ``max_cost``, ``cost``,
    ``biomass``, ``product_min``, ``genes``, ``wall_s``, ``seeds`` (MILP designs it started
    from)."""
    frames = []
    for path in sorted((Path(folder) / "search").glob("*.json")):
        entry = json.loads(path.read_text())
        setup_ = entry["setup"]
        frames.append(pd.DataFrame(entry["best"]).assign(
            product=setup_["product"], variant=setup_["variant"], wall_s=entry["wall_s"],
            seeds=len(setup_["seeds"])))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def comparison_table(folder: Path = RESULTS, max_cost: int | None = None) -> pd.DataFrame:
    """Best guaranteed product per budget: ``search_default``, ``search_improved`` and
    ``milp`` (with its ``milp_status`` and ``milp_genes``), one row per (product, budget
    ``1 ..``); NaN where a method has no answer."""
    searches, designs = load_searches(folder), load_designs(folder)
    wide = searches.pivot_table(index=["product", "max_cost"], columns="variant",
                                values="product_min").add_prefix("search_")
    milp = designs.set_index(["product", "max_cost"])[["product_min", "status", "genes"]]
    milp.columns = ["milp", "milp_status", "milp_genes"]
    table = wide.join(milp, how="outer").reset_index()
    table = table[table.max_cost >= 1]
    if max_cost is not None:
        table = table[table.max_cost <= max_cost]
    return table.reset_index(drop=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mome-milp`` subcommand's arguments."""
    parser.add_argument("--product", nargs="+", default=list(PRODUCTS))
    parser.add_argument("--max-cost", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=900.0,
                        help="solver seconds per entry")
    parser.add_argument("--min-growth", type=float, default=MIN_GROWTH_FRACTION,
                        help="growth floor as a fraction of the wild type's")
    parser.add_argument("--searches", action="store_true",
                        help="also run and keep the default and improved searches")
    parser.add_argument("--search-max-cost", type=int, default=5,
                        help="budgets 0..K of the kept searches' best-per-cost tables")


def command(args: argparse.Namespace) -> int:
    """Run ``mome-milp`` with parsed ``args`` and print the kept table; returns 0."""
    run(args.product, args.max_cost, time_limit_s=args.time_limit,
        min_growth_fraction=args.min_growth)
    if args.searches:
        run_searches(args.product, args.search_max_cost)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(load_designs().drop(columns=["model", "candidates"]).to_string(index=False))
    return 0


def comparison_figure(table: pd.DataFrame, labels: dict[str, str] | None = None):
    """One panel per product: best guaranteed product per budget for the default search
    (line), the improved search (dashed) and the MILP (stars, at the budgets it solved to
    optimality). ``labels`` names the products."""
    import matplotlib.pyplot as plt

    products = list(dict.fromkeys(table["product"]))
    fig, axes = plt.subplots(1, len(products), figsize=(3 * len(products), 3.2), squeeze=False)
    for ax, product in zip(axes[0], products, strict=True):
        part = table[table["product"] == product].sort_values("max_cost")
        for column, style, label in [("search_default", "-o", "search (default)"),
                                     ("search_improved", "--s", "search (seeded, polished)")]:
            if column in part:
                ax.plot(part.max_cost, part[column], style, ms=4, label=label)
        solved = part[part.milp_status == "optimal"]
        ax.plot(solved.max_cost, solved.milp, "*", ms=11, color="k", label="MILP (optimal)")
        ax.set_title((labels or {}).get(product, product), fontsize=10)
        ax.set_xlabel("knock-out budget (genes)")
        ax.set_xticks(sorted(part.max_cost.unique()))
    axes[0][0].set_ylabel("guaranteed product (mmol/gDW/h)")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    return fig
