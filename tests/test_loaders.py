"""Loaders name the file they cannot read (issue 15, item 6): CSV tables and GEM files."""

from __future__ import annotations

import pytest

from helpers.data.files import FileFormatError, read_csv, read_text_records
from helpers.gem import GemFileError, load_gem, read_model_file


def test_empty_csv_names_the_file(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("")
    with pytest.raises(FileFormatError, match=r"results.csv: empty file \(no header row\)"):
        read_csv(path)
    with pytest.raises(FileFormatError, match=r"results.csv: empty file"):
        read_text_records(path)


def test_undecodable_csv_names_the_file(tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes("model,MAE\ncafé,1\n".encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"results.csv: not UTF-8 text \(invalid continuation"):
        read_csv(path)
    with pytest.raises(FileFormatError, match=r"results.csv: not UTF-8 text"):
        read_text_records(path)


def test_record_with_wrong_field_count_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n\n3\n")
    with pytest.raises(FileFormatError, match=r"t.csv: line 4 has 1 fields, the header has 2"):
        read_text_records(path)


def test_read_table_of_an_empty_file_names_the_table(tmp_tables):
    from helpers.book.tables import read_table

    tmp_tables.mkdir(parents=True)
    (tmp_tables / "demo.csv").write_text("")
    with pytest.raises(FileFormatError, match=r"table 'demo': empty file"):
        read_table("demo")


@pytest.mark.parametrize("name, text, kind", [
    ("broken.json", '{"reactions": [', "cobra JSON"),
    ("wrong.json", '{"hello": 1}', "cobra JSON"),
    ("model.xml", "this is not XML at all", "SBML"),
])
def test_broken_gem_file_names_the_file(tmp_path, name, text, kind):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(GemFileError, match=rf"{name}: not a readable {kind} model \("):
        read_model_file(path)


def test_load_gem_names_the_registry_file(tmp_path, monkeypatch):
    from helpers.gem import loading

    path = tmp_path / "iNF517.json"
    path.write_text("not json")
    monkeypatch.setattr(loading, "fetch", lambda key: path)
    with pytest.raises(GemFileError, match=r"gems/iNF517.json: not a readable cobra JSON model"):
        load_gem("iNF517")


def _swap_pgi_bounds_json(path):
    import json

    import cobra

    data = cobra.io.model_to_dict(cobra.io.load_model("textbook"))
    for reaction in data["reactions"]:
        if reaction["id"] == "PGI":
            reaction["lower_bound"], reaction["upper_bound"] = 5.0, 1.0
    path.write_text(json.dumps(data))


def _swap_pgi_bounds_sbml(path):
    import cobra

    cobra.io.write_sbml_model(cobra.io.load_model("textbook"), str(path))
    text = path.read_text()
    good = 'fbc:lowerFluxBound="cobra_default_lb" fbc:upperFluxBound="cobra_default_ub"'
    start = text.index('id="R_PGI"')
    end = text.index(">", start)
    assert good in text[start:end]
    swapped = 'fbc:lowerFluxBound="cobra_default_ub" fbc:upperFluxBound="cobra_default_lb"'
    path.write_text(text[:start] + text[start:end].replace(good, swapped) + text[end:])


@pytest.mark.parametrize("name, write, pattern", [
    ("bad.json", _swap_pgi_bounds_json, r"'PGI' \(5.0 > 1.0\)"),
    ("bad.xml", _swap_pgi_bounds_sbml, r"'R_PGI' \(1000.0 > -1000.0\)"),
])
def test_lower_bound_above_upper_bound_names_the_reaction(tmp_path, name, write, pattern):
    path = tmp_path / name
    write(path)
    with pytest.raises(GemFileError, match=rf"{name}: reaction\(s\) with lower bound > upper bound: "
                                           + pattern):
        read_model_file(path)
