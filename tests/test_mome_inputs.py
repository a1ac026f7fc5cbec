"""A MOME run's parameters (helpers.mome.inputs): every wrong value gets an error that names the
parameter and the closest valid values; another product runs chapter 07's core pipeline."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.book.profiles import get_profile  # noqa: E402
from helpers.mome import analysis, exact, figures, inputs, search, strains  # noqa: E402


@pytest.fixture(scope="module")
def core():
    """e_coli_core (cobra's textbook) as chapter 07 loads a registry model, and its biomass."""
    return inputs.load_model("e_coli_core")


# --- model ------------------------------------------------------------------------------------

def test_registry_ids_include_the_chapters_models():
    ids = inputs.model_ids()
    assert {"iJO1366", "iML1515", "iMM904", "e_coli_core", "yeast_7.6"} <= set(ids)


def test_unknown_model_id_names_the_parameter_and_close_ids():
    with pytest.raises(inputs.ParameterError, match=r"'model' parameter 'iJO1636'.*iJO1366"):
        inputs.load_model("iJO1636")


def test_missing_model_file_names_the_parameter(tmp_path):
    with pytest.raises(inputs.ParameterError, match=r"'model' parameter names the file"):
        inputs.load_model(tmp_path / "absent.xml")


def test_model_file_without_single_objective_is_refused(tmp_path, core):
    import cobra

    model = core[0].copy()
    model.objective = {model.reactions.PFK: 1, model.reactions.Biomass_Ecoli_core: 1}
    path = tmp_path / "two.json"
    cobra.io.save_json_model(model, str(path))
    with pytest.raises(inputs.ParameterError, match=r"'model'.*2 objective reactions"):
        inputs.load_model(str(path))


def test_model_file_biomass_is_its_objective(tmp_path, core):
    import cobra

    path = tmp_path / "core.json"
    cobra.io.save_json_model(core[0], str(path))
    model, biomass = inputs.load_model(str(path))
    assert biomass == "Biomass_Ecoli_core" and len(model.reactions) == len(core[0].reactions)


# --- product ----------------------------------------------------------------------------------

def test_unknown_product_lists_the_nearest_exchange_ids(core):
    with pytest.raises(inputs.ParameterError, match=r"'product'.*EX_succ_e") as err:
        inputs.resolve_product(core[0], "EX_succ")
    assert "Nearest exchange ids" in str(err.value)


def test_product_by_metabolite_name_suggests_its_exchange(core):
    with pytest.raises(inputs.ParameterError, match=r"EX_lac__D_e"):
        inputs.resolve_product(core[0], "D-lactate")


def test_a_reaction_that_is_no_exchange_is_not_a_product(core):
    with pytest.raises(inputs.ParameterError, match=r"'product' parameter 'PFK'"):
        inputs.resolve_product(core[0], "PFK")


def test_product_name_comes_from_the_models_metabolite(core):
    model = core[0]
    assert inputs.resolve_product(model, "EX_succ_e") == "EX_succ_e"
    assert inputs.product_name(model, "EX_succ_e") == "succinate"
    assert inputs.product_name(model, "EX_etoh_e") == "ethanol"
    assert inputs.product_name(model, "EX_lac__D_e") == "D-lactate"  # prefix case kept


# --- medium and oxygen ------------------------------------------------------------------------

def test_unknown_medium_lists_named_media(core):
    with pytest.raises(inputs.ParameterError, match=r"'medium'.*glucose_minimal_aerobic"):
        inputs.apply_medium(core[0], "glucose_minimal_aerobc")


def test_model_medium_keeps_the_file_bounds_and_sets_oxygen(core):
    model = core[0]
    out = inputs.apply_medium(model, "model", 0.0)
    assert out.reactions.EX_o2_e.lower_bound == 0.0
    assert out.reactions.EX_glc__D_e.bounds == model.reactions.EX_glc__D_e.bounds
    assert model.reactions.EX_o2_e.lower_bound < 0  # the input is not changed
    assert inputs.apply_medium(model, "model", None).reactions.EX_o2_e.lower_bound < 0


def test_named_medium_is_applied(core):
    out = inputs.apply_medium(core[0], "glucose_minimal_anaerobic", None)
    assert out.reactions.EX_glc__D_e.lower_bound == -8.0
    assert out.reactions.EX_o2_e.lower_bound == 0.0


@pytest.mark.parametrize("oxygen", [-1.0, float("nan"), "a lot", True])
def test_bad_oxygen_names_the_parameter(core, oxygen):
    with pytest.raises(inputs.ParameterError, match=r"'oxygen' parameter"):
        inputs.apply_medium(core[0], "model", oxygen)


def _csv(tmp_path, text):
    path = tmp_path / "medium.csv"
    path.write_text(text)
    return str(path)


def test_csv_medium_sets_the_listed_bounds(tmp_path, core):
    path = _csv(tmp_path, "reaction,lower_bound,upper_bound\nEX_glc__D_e,-5,\nEX_o2_e,-2,0\n")
    out = inputs.apply_medium(core[0], path, None)
    assert out.reactions.EX_glc__D_e.lower_bound == -5.0
    assert out.reactions.EX_o2_e.bounds == (-2.0, 0.0)
    assert inputs.apply_medium(core[0], path, 0).reactions.EX_o2_e.lower_bound == 0.0


@pytest.mark.parametrize("text, pattern", [
    ("reaction,upper\nEX_glc__D_e,-5\n", r"lacks column\(s\) \['lower_bound'\]"),
    ("reaction,lower_bound\nEX_glc__D_e,-5\nEX_o2_e,lots\n",
     r"row 3, column 'lower_bound': 'lots' is not a number"),
    ("reaction,lower_bound\nEX_glc_e,-5\n", r"row 2, column 'reaction': 'EX_glc_e'.*EX_glc__D_e"),
    ("reaction,lower_bound\nEX_glc__D_e,-5\nEX_glc__D_e,-4\n", r"row 3.*listed twice"),
    ("reaction,lower_bound,upper_bound\nEX_o2_e,5,1\n", r"row 2: lower_bound 5 > upper_bound 1"),
])
def test_bad_csv_medium_names_file_row_and_column(tmp_path, core, text, pattern):
    path = _csv(tmp_path, text)
    with pytest.raises(inputs.ParameterError, match=pattern) as err:
        inputs.apply_medium(core[0], path, None)
    assert "'medium' parameter" in str(err.value) and "medium.csv" in str(err.value)


def test_missing_csv_names_the_file(tmp_path, core):
    with pytest.raises(inputs.ParameterError, match=r"'medium'.*does not exist"):
        inputs.apply_medium(core[0], str(tmp_path / "none.csv"))


# --- constraints and budgets ------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 0.0, -0.5, 1.5, "half", True])
def test_min_growth_outside_zero_one_is_refused(value):
    with pytest.raises(inputs.ParameterError, match=r"'min_growth' parameter"):
        inputs.check_budget(min_growth=value)


def test_min_growth_in_range_passes():
    inputs.check_budget(min_growth=1.0)
    inputs.check_budget(min_growth=0.1)
    inputs.check_budget()


@pytest.mark.parametrize("name, value", [("max_cost", 0), ("ukc", -1), ("pop_size", 0),
                                         ("n_gen", 0), ("n_gen", 2.5), ("pop_size", 2)])
def test_non_positive_budgets_name_the_parameter(name, value):
    with pytest.raises(inputs.ParameterError, match=rf"'{name}' parameter"):
        inputs.check_budget(**{name: value})


def test_max_cost_caps_the_report_never_the_search():
    quick = get_profile("quick", "mome")
    out = inputs.search_settings(quick, max_cost=5)
    assert out["ukc"] == quick["ukc"] == 50  # the search still explores beyond the cap
    assert out["best_cost_table"] == 5 and out["elite_cost"] == 5
    assert inputs.search_settings(quick) == quick  # defaults: the profile, unchanged
    small = inputs.search_settings(quick, ukc=8, pop_size=10, n_gen=3)
    assert (small["ukc"], small["pop_size"], small["n_gen"]) == (8, 10, 3)
    with pytest.raises(inputs.ParameterError, match="'max_cost'"):
        inputs.search_settings(quick, max_cost=-2)


# --- chapter 07's pipeline for another product -------------------------------------------------

@pytest.mark.parametrize("product, label", [("EX_succ_e", "succinate"),
                                            ("EX_lac__D_e", "D-lactate")])
def test_chapter_pipeline_runs_for_another_product(core, product, label):
    full, biomass = core
    exchange = inputs.resolve_product(full, product)
    name = inputs.product_name(full, exchange)
    model = strains.reduce_model(inputs.apply_medium(full, "model", 0.0), use_cache=False)
    evaluator = strains.StrainEvaluator(model, biomass=biomass, product=exchange)
    settings = inputs.search_settings(get_profile("quick", "mome"), max_cost=3, pop_size=8,
                                      n_gen=3)
    result = search.run_mome(evaluator, pop_size=settings["pop_size"], n_gen=settings["n_gen"],
                             dup=2, ukc=settings["ukc"], seed=0,
                             elite_cost=settings["elite_cost"],
                             min_biomass=0.1 * evaluator.reference[0])
    assert (result.archive.biomass >= 0.1 * evaluator.reference[0]).all()
    comparison = exact.compare_with_exact(evaluator, result.archive, result.front,
                                          table_max_cost=settings["best_cost_table"],
                                          exact_max_cost=2)
    per_cost = comparison.per_cost
    assert {"search_product", "exact_product"} <= set(per_cost.columns)
    assert not any("ethanol" in c for c in per_cost.columns)
    # the search never beats the exact optimum; the enumeration finds a coupled design
    checked = per_cost.dropna(subset=["exact_product"])
    assert (checked.search_product <= checked.exact_product + 1e-6).all()
    assert checked.exact_product.max() > 0
    table = analysis.strain_table(evaluator, [g for g in result.front.genotype[:2]], {})
    assert {"product_guaranteed", "product_lp", "product_change_pct"} <= set(table.columns)
    fig = figures.best_per_cost_figure(analysis.envelope(model, biomass=biomass, product=exchange,
                                                         points=5),
                                       result.front, comparison.search_best, per_cost,
                                       comparison.exact_best, product=name)
    assert fig.axes[1].get_ylabel() == f"guaranteed {label} (mmol/gDW/h)"


def test_d_lactate_wild_type_guarantees_none_and_the_enumeration_finds_a_coupled_pair(core):
    """The D-lactate case: the wild type guarantees no D-lactate, so almost every strain ties at
    zero and the search has no gradient; the exact enumeration finds the two-gene design."""
    full, biomass = core
    model = strains.reduce_model(inputs.apply_medium(full, "model", 0.0), use_cache=False)
    evaluator = strains.StrainEvaluator(model, biomass=biomass, product="EX_lac__D_e")
    assert evaluator.reference[2] == 0.0
    table, _ = exact.exact_best_per_cost(evaluator, 2)
    assert table.product_min[1] == 0.0 and table.product_min[2] > 15.0


def test_oxygen_uses_the_organisms_own_o2_exchange():
    import cobra

    model = cobra.Model("yeast_7.6")  # the registry's yeast names its O2 exchange r_1992
    o2 = cobra.Metabolite("s_1275", compartment="e")
    exchange = cobra.Reaction("r_1992", lower_bound=-1000, upper_bound=1000)
    exchange.add_metabolites({o2: -1})
    model.add_reactions([exchange])
    assert inputs.oxygen_exchange(model) == "r_1992"
    assert inputs.apply_medium(model, "model", 2.0).reactions.r_1992.lower_bound == -2.0
    with pytest.raises(inputs.ParameterError, match="'oxygen'.*no O2 exchange"):
        inputs.apply_medium(cobra.Model("bare"), "model", 1.0)
