"""The chapter runner: parameters are checked, the toc gives the order."""

from __future__ import annotations

import pytest

from helpers.book.notebooks import (
    UnknownParameterError,
    chapters_in_toc,
    check_parameters,
    declared_parameters,
)


def main(argv: list[str]) -> int:
    """``python -m helpers.book chapter ARGV``."""
    from helpers.book.__main__ import main as book_main

    return book_main(["chapter", *argv])


def test_toc_lists_existing_chapter_sources():
    from helpers.book.notebooks import SOURCES

    names = chapters_in_toc()
    assert "01_dataset" in names
    for name in names:
        assert (SOURCES / f"{name}.ipynb").is_file(), name


def test_every_chapter_declares_profile_and_seed():
    for name in chapters_in_toc():
        assert {"profile", "seed"} <= set(declared_parameters(name)), name


def test_unknown_parameter_is_an_error():
    with pytest.raises(UnknownParameterError, match=r"Unknown parameter\(s\) \['sede'\] for chapter '01_dataset'"):
        check_parameters("01_dataset", {"sede": 7})


def test_cli_rejects_unknown_parameter(capsys):
    assert main(["01_dataset", "-p", "sede", "7"]) == 2
    assert "Unknown parameter(s) ['sede']" in capsys.readouterr().err


def test_unknown_chapter():
    with pytest.raises(FileNotFoundError, match="No chapter '99_nope'"):
        declared_parameters("99_nope")


# ----- issue 15, item 4: a failed run never replaces a good chapter; checks before any kernel --

def _chapter(folder, name, body):
    import nbformat

    params = nbformat.v4.new_code_cell('profile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture()
def fake_book(tmp_path, one_chapter_book):
    one_chapter_book("90_demo")
    _chapter(tmp_path / "notebooks", "90_demo", "assert seed != 13, 'unlucky seed'\nprint(seed)")
    return tmp_path / "executed"


def test_failed_run_keeps_the_good_chapter_and_the_failed_notebook_beside_it(fake_book, capsys):
    from helpers.book.notebooks import failed_path, run_chapter

    good = run_chapter("90_demo", {"seed": 1}, output_dir=fake_book)
    before = good.read_bytes()
    with pytest.raises(Exception, match="unlucky seed") as info:
        run_chapter("90_demo", {"seed": 13}, output_dir=fake_book)
    failed = failed_path("90_demo", fake_book)
    assert good.read_bytes() == before and failed.is_file()
    assert "unlucky seed" in failed.read_text()
    assert f"the failed notebook is kept at {failed}" in capsys.readouterr().err
    assert any(str(failed) in note for note in info.value.__notes__)
    shown = sorted(p.name for p in fake_book.iterdir() if not p.name.startswith("."))
    assert shown == ["90_demo.FAILED.ipynb", "90_demo.ipynb"]  # .cache: the execution cache
    run_chapter("90_demo", {"seed": 2}, output_dir=fake_book)  # a later success clears the failure
    assert not failed.exists()


@pytest.mark.parametrize("parameters, message", [
    ({"profile": "papr"}, r"Unknown profile 'papr' for chapter '01_dataset'; known profiles"),
    ({"seed": "seven"}, r"Parameter 'seed' of chapter '01_dataset' must be of type int \(default 0\); "
                        r"got 'seven' \(str\)"),
    ({"seed": True}, r"Parameter 'seed' .* must be of type int"),
])
def test_bad_profile_or_type_is_an_error_before_any_kernel(parameters, message, monkeypatch):
    import papermill

    from helpers.book.notebooks import BadParameterError, run_chapter

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("kernel started"))
    with pytest.raises(BadParameterError, match=message):
        run_chapter("01_dataset", parameters)


def test_cli_unknown_chapter_and_bad_profile_are_clean_error_lines(capsys):
    assert main(["99_nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No chapter '99_nope'") and "Traceback" not in err
    assert main(["01_dataset", "--profile", "fast"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown profile 'fast'")


# ----- names outside _toc.yml never run; ranges checked before any kernel ----------------------

@pytest.fixture()
def no_kernel(monkeypatch):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("kernel started"))


@pytest.mark.parametrize("name", ["../../x/evil", "../notebooks/01_dataset", "01_dataset/../01_dataset",
                                  "99_nope"])
def test_a_chapter_outside_the_toc_never_runs(name, no_kernel, capsys):
    from helpers.book.notebooks import UnknownChapterError, run_chapter

    with pytest.raises(UnknownChapterError, match=r"No chapter .* in _toc.yml"):
        run_chapter(name, {})
    assert main([name]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: No chapter {name!r}") and "Traceback" not in err


@pytest.mark.parametrize("chapter, parameters, message", [
    ("01_dataset", {"seed": -1}, r"Parameter 'seed' of chapter '01_dataset' must be int in "
                                 r"\[0, 4294967295\]; got -1"),
    ("02_gem_preparation", {"fba_samples": 10**9}, r"'fba_samples' .* must be int in \[1, 100000\]"),
    ("02_gem_preparation", {"fba_samples": "many"}, r"'fba_samples' .* must be int"),
    ("02_gem_preparation", {"fba_samples": 0}, r"'fba_samples' .* must be int in \[1, 100000\]"),
    ("10_beyond", {"projection_steps": -2}, r"'projection_steps' .* must be int in \[0, 1000\]"),
])
def test_out_of_range_parameters_are_refused_before_any_kernel(chapter, parameters, message,
                                                                no_kernel):
    from helpers.book.notebooks import BadParameterError, run_chapter

    with pytest.raises(BadParameterError, match=message):
        run_chapter(chapter, parameters)


def test_parameters_in_range_or_none_are_accepted():
    check_parameters("02_gem_preparation", {"fba_samples": 50, "seed": 7})
    check_parameters("02_gem_preparation", {"fba_samples": None})
    check_parameters("10_beyond", {"projection_steps": 3})


def test_cli_without_a_chapter_is_an_error_line(capsys):
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("error: name a chapter or pass --all")
