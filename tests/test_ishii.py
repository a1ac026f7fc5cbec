"""The Ishii loader: shapes, order, metadata, and malformed-CSV errors."""

from __future__ import annotations

import pytest

from helpers.data import ishii as ishii_module
from helpers.data.ishii import SAMPLE_ORDER, UPTAKES, DatasetError, load_ishii, read_sample_table
from helpers.data.registry import REGISTRY, fetch, sha256sum


def test_shapes(ishii):
    assert ishii.X.shape == (29, 141)
    assert ishii.transcripts.shape == (29, 79)
    assert ishii.proteins.shape == (29, 60)
    assert ishii.fluxes.shape == (29, 47)
    assert ishii.reference.shape == (29, 45)
    assert ishii.knockouts.shape == (29, 18)


def test_every_table_has_the_same_29_samples_in_order(ishii):
    for frame in (ishii.X, ishii.fluxes, ishii.knockouts, ishii.samples):
        assert list(frame.index) == SAMPLE_ORDER


def test_inputs_end_with_the_two_uptakes(ishii):
    assert list(ishii.X.columns[-2:]) == UPTAKES
    assert not set(UPTAKES) & set(ishii.reference.columns)


def test_metadata(ishii):
    meta = ishii.samples
    assert (meta["kind"] == "knock-out").sum() == 24
    assert meta.loc["WT_0.7h-1", "dilution_rate"] == 0.7
    assert meta.loc["pgi", "dilution_rate"] == 0.2
    assert meta.loc["pgi", "b_number"] == "b4025"


def test_knockout_table_marks_pgi(ishii):
    assert ishii.knockouts.loc["pgi", "R_PGI_rev"] == 0
    assert ishii.knockouts.loc["REF"].eq(1).all()


def _write(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


def test_missing_experiment_column(tmp_path):
    with pytest.raises(DatasetError, match="bad.csv: no 'experiment' column"):
        read_sample_table(_write(tmp_path, "sample,a\nREF,1\n"))


def test_non_numeric_cell_names_row_and_column(tmp_path):
    path = _write(tmp_path, "experiment,a,b\nREF,1,2\npgi,3,x\n")
    with pytest.raises(DatasetError, match=r"non-numeric cell 'x' at line 3 \(sample 'pgi'\), column 'b'"):
        read_sample_table(path)


def test_nan_names_row_and_column(tmp_path):
    path = _write(tmp_path, "experiment,a,b\nREF,1,2\npgi,NaN,1\n")
    with pytest.raises(DatasetError, match=r"missing value \(NaN\) at line 3 \(sample 'pgi'\), column 'a'"):
        read_sample_table(path)


def test_empty_cell_is_missing(tmp_path):
    with pytest.raises(DatasetError, match="missing value"):
        read_sample_table(_write(tmp_path, "experiment,a\nREF,\n"))


def test_duplicated_sample(tmp_path):
    path = _write(tmp_path, "experiment,a\nREF,1\nREF,2\n")
    with pytest.raises(DatasetError, match=r"duplicated sample 'REF' in column 'experiment' at line 3 \(first at line 2\)"):
        read_sample_table(path)


def test_sample_mismatch_says_which_differ(tmp_path, monkeypatch):
    good = ishii_module.fetch("ishii/KOs_Vin.csv").read_text().splitlines()
    bad = [line.replace("talB,", "talX,") for line in good]
    path = tmp_path / "KOs_Vin.csv"
    path.write_text("\n".join(bad) + "\n")
    real_fetch = ishii_module.fetch
    monkeypatch.setattr(ishii_module, "fetch",
                        lambda key: path if key == "ishii/KOs_Vin.csv" else real_fetch(key))
    with pytest.raises(DatasetError, match=r"ishii/KOs_Vin.csv: samples differ.*missing \['talB'\], unexpected \['talX'\]"):
        ishii_module.load_ishii()


def test_loader_does_not_modify_source(ishii):
    ishii.transcripts.iloc[0, 0] = -1.0  # a caller editing its copy...
    path = fetch("ishii/transcriptomics.csv")
    assert sha256sum(path) == REGISTRY["ishii/transcriptomics.csv"].sha256  # ...leaves the file alone
    assert load_ishii().transcripts.iloc[0, 0] != -1.0


# ----- issue 15, item 6: files named, line numbers, expected columns, 0/1 knock-outs -----------

def _patched_fetch(monkeypatch, tmp_path, key, edit):
    """Serve an edited copy of registry file ``key`` to the loader."""
    real_fetch = ishii_module.fetch
    path = tmp_path / key.replace("/", "_")
    path.write_text(edit(real_fetch(key).read_text()))
    monkeypatch.setattr(ishii_module, "fetch", lambda k: path if k == key else real_fetch(k))


def test_empty_or_undecodable_file_names_the_file(tmp_path):
    with pytest.raises(DatasetError, match=r"empty.csv: empty file \(no header row\)"):
        read_sample_table(_write(tmp_path, "").rename(tmp_path / "empty.csv"))
    binary = tmp_path / "table.xlsx.csv"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match=r"table.xlsx.csv: not UTF-8 text"):
        read_sample_table(binary)


def test_messages_use_file_line_numbers_past_blank_lines(tmp_path):
    path = _write(tmp_path, "experiment,a\n\nREF,1\n\n\npgi,x\n")
    with pytest.raises(DatasetError, match=r"non-numeric cell 'x' at line 6 \(sample 'pgi'\)"):
        read_sample_table(path)


def test_duplicated_column_is_an_error_not_a_renamed_copy(tmp_path):
    path = _write(tmp_path, "experiment,R_PGI_fwd,b,R_PGI_fwd\nREF,1,2,3\n")
    with pytest.raises(DatasetError, match=r"bad.csv: duplicated column\(s\) \['R_PGI_fwd'\] in the "
                                           r"header \(line 1\)"):
        read_sample_table(path)


def _drop_column(text, column):
    rows = [line.split(",") for line in text.splitlines()]
    k = rows[0].index(column)
    return "\n".join(",".join(r[:k] + r[k + 1:]) for r in rows) + "\n"


@pytest.mark.parametrize("key, column", [("ishii/fluxomics_iAF1260_reduced_split.csv", "R_PGI_fwd"),
                                         ("ishii/transcriptomics.csv", "p_b0008")])
def test_missing_flux_or_transcript_column_is_an_error(tmp_path, monkeypatch, key, column):
    _patched_fetch(monkeypatch, tmp_path, key, lambda text: _drop_column(text, column))
    with pytest.raises(DatasetError, match=rf"{key}: expected \d+ feature columns; missing "
                                           rf"\['{column}'\], unexpected \[\]"):
        ishii_module.load_ishii()


def test_knockout_values_other_than_0_or_1_are_errors(tmp_path, monkeypatch):
    def edit(text):
        lines = text.splitlines()
        cells = lines[3].split(",")
        cells[2] = "0.5"
        lines[3] = ",".join(cells)
        return "\n".join(lines) + "\n"

    _patched_fetch(monkeypatch, tmp_path, "ishii/KOs_Vin.csv", edit)
    with pytest.raises(DatasetError, match=r"ishii/KOs_Vin.csv: value '0.5' \(allowed: \[0.0, 1.0\]\) "
                                           r"at line 4 \(sample 'WT_0.4h-1'\), column 'R_FBP'"):
        ishii_module.load_ishii()


@pytest.mark.parametrize("cell", ["2_93", "1_000.5", "\u0661\u0662", "0x1A", "1e5_0"])
def test_digit_separators_and_non_ascii_digits_are_not_numbers(tmp_path, cell):
    # float() reads '2_93' as 293.0 and Arabic-Indic digits as 12.0: a cell must be a plain decimal
    path = _write(tmp_path, f"experiment,a,b\nREF,1,2\npgi,3,{cell}\n")
    with pytest.raises(DatasetError, match=rf"non-numeric cell '{cell}'.* at line 3 \(sample 'pgi'\), "
                                           r"column 'b'"):
        read_sample_table(path)


@pytest.mark.parametrize("cell, value", [("2.93", 2.93), ("-1e-05", -1e-05), ("+.5", 0.5),
                                         ("3.", 3.0), (" 7E2 ", 700.0)])
def test_plain_decimal_cells_still_read(tmp_path, cell, value):
    frame = read_sample_table(_write(tmp_path, f"experiment,a\nREF,{cell}\n"))
    assert frame.loc["REF", "a"] == value
