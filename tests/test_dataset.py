"""Your own data: the dataset folder format, its checks, and MINN on a synthetic dataset."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.data.dataset import DatasetFormatError, load_dataset
from helpers.data.synthetic import UPTAKES, write_synthetic_dataset


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A small synthetic dataset (8 samples), written once per module."""
    return write_synthetic_dataset(tmp_path_factory.mktemp("synthetic"), n_samples=8, seed=1)


@pytest.fixture()
def copy(synthetic, tmp_path):
    """A private copy of the synthetic dataset, to break."""
    return shutil.copytree(synthetic, tmp_path / "data")


def test_synthetic_dataset_loads_with_inputs_and_targets(synthetic):
    data = load_dataset(synthetic)
    assert data.samples == [f"S{k:02d}" for k in range(1, 9)]
    assert set(data.omics) == {"transcripts", "proteins"} and data.uptake_ids == list(UPTAKES)
    assert list(data.X.columns[-2:]) == list(UPTAKES)
    assert data.X.shape[1] == sum(f.shape[1] for f in data.omics.values()) + 2
    assert not set(UPTAKES) & set(data.reference.columns)
    assert (data.uptakes["EX_glc__D_e"] < 0).all()  # the GEM's sign: uptake is negative
    assert data.units["fluxes"] == "mmol/gDW/h"


def test_same_arguments_same_files(synthetic, tmp_path):
    again = write_synthetic_dataset(tmp_path / "again", n_samples=8, seed=1)
    for name in ["fluxes.csv", "transcripts.csv", "proteins.csv", "dataset.toml"]:
        assert (again / name).read_bytes() == (synthetic / name).read_bytes(), name


def test_samples_are_aligned_by_label(copy):
    proteins = pd.read_csv(copy / "proteins.csv", index_col="sample")
    proteins.iloc[::-1].to_csv(copy / "proteins.csv")
    data = load_dataset(copy)
    assert list(data.omics["proteins"].index) == data.samples
    assert np.allclose(data.omics["proteins"].to_numpy(), proteins.to_numpy(), atol=1e-5)


def _edit_csv(path, line: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str)
    frame.loc[line - 2, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize("breakage, message", [
    (lambda d: _edit_csv(d / "transcripts.csv", 4, "b0008", "nan"),
     r"transcripts.csv: missing value \(NaN\) at line 4 \(sample 'S03'\), column 'b0008'"),
    (lambda d: _edit_csv(d / "fluxes.csv", 2, "PGI", "abc"),
     r"fluxes.csv: non-numeric cell 'abc' at line 2 \(sample 'S01'\), column 'PGI'"),
    (lambda d: (d / "proteins.csv").write_text(
        (d / "proteins.csv").read_text() + "S99,1\n"),
     r"proteins.csv: line 10 has 2 fields, the header has"),
    (lambda d: pd.read_csv(d / "transcripts.csv").iloc[1:].to_csv(d / "transcripts.csv",
                                                                  index=False),
     r"transcripts.csv: samples differ from those of fluxes.csv \(aligned by label\): "
     r"missing \['S01'\]"),
    (lambda d: pd.read_csv(d / "fluxes.csv").rename(columns={"PGI": "PGI_typo"}).to_csv(
        d / "fluxes.csv", index=False),
     r"fluxes.csv: column 'PGI_typo' is not a reaction id of the GEM 'e_coli_core'; "
     r"closest ids: \['PGI'"),
    (lambda d: (d / "dataset.toml").write_text(
        (d / "dataset.toml").read_text().replace("flux_units", "flux_unit")),
     r"dataset.toml: unknown key\(s\) \['flux_unit'\] in the top level"),
    (lambda d: (d / "dataset.toml").write_text(
        (d / "dataset.toml").read_text() + 'targets = ["PGI", "EX_o2_e"]\n'),
     r"dataset.toml: \['EX_o2_e'\] listed as both uptakes and targets"),
    (lambda d: (d / "dataset.toml").unlink(), r"dataset.toml: no manifest in"),
    (lambda d: (d / "e_coli_core.json").write_text("{not json"),
     r"e_coli_core.json: not a readable cobra JSON or SBML model"),
])
def test_bad_input_names_the_file_row_and_column(copy, breakage, message):
    breakage(copy)
    with pytest.raises(DatasetFormatError, match=message):
        load_dataset(copy)


def test_a_flux_against_an_irreversible_reaction_is_named(copy):
    from helpers.minn.dataset import minn_inputs

    fluxes = pd.read_csv(copy / "fluxes.csv", index_col="sample")
    assert "PFK" in fluxes.columns  # irreversible in e_coli_core
    fluxes.loc["S02", "PFK"] = -1.5
    fluxes.to_csv(copy / "fluxes.csv")
    with pytest.raises(DatasetFormatError, match=r"sample 'S02', column 'PFK': net flux -1.5 "
                                                 r"runs against the reaction"):
        minn_inputs(copy)


def test_minn_inputs_split_the_targets_and_the_layer_step_is_stable(synthetic):
    from helpers.minn.dataset import minn_inputs

    inputs = minn_inputs(synthetic)
    data = load_dataset(synthetic)
    assert inputs.problem.reference_ids == list(inputs.Y.columns)
    assert (inputs.Y.to_numpy() >= 0).all()
    net = data.reference["PGI"]  # reversible: R_PGI_fwd - R_PGI_rev is the net flux
    assert np.allclose(inputs.Y["R_PGI_fwd"] - inputs.Y["R_PGI_rev"], net)
    assert 0 < inputs.mech_lr < 0.01  # e_coli_core: the release's step would diverge


def test_minn_regressor_from_dataset_trains_and_the_pfba_control_runs(synthetic):
    from helpers.evaluation.dataset_pfba import dataset_pfba
    from helpers.minn import MINNRegressor

    minn, X, Y = MINNRegressor.from_dataset(synthetic, epochs=5, hidden=16, seed=0)
    assert minn.mech_lr < 0.01
    minn.fit(X.iloc[:6], Y.iloc[:6])
    predicted = minn.predict(X.iloc[6:])
    assert predicted.shape == (2, Y.shape[1]) and np.isfinite(predicted).all()
    pred, status = dataset_pfba(load_dataset(synthetic))
    assert (status["status"] == "optimal").all()
    assert list(pred.columns) == list(Y.columns) and (pred.to_numpy() >= -1e-9).all()


def test_synthetic_command_line(tmp_path, capsys):
    from helpers.data.synthetic import main

    assert main([str(tmp_path / "cli"), "--samples", "3", "--seed", "2"]) == 0
    assert load_dataset(tmp_path / "cli").samples == ["S01", "S02", "S03"]


def test_the_chapter_refuses_a_folder_without_a_manifest_before_any_kernel(tmp_path, synthetic):
    from helpers.book.notebooks import BadParameterError, check_parameters

    with pytest.raises(BadParameterError, match=r"Parameter 'dataset' of chapter '03_minn_vs_ml' "
                                                r"must be 'ishii' or a dataset folder"):
        check_parameters("03_minn_vs_ml", {"dataset": str(tmp_path / "nowhere")})
    check_parameters("03_minn_vs_ml", {"dataset": str(synthetic)})
