"""The chapter runner: parameters are checked, the toc gives the order."""

from __future__ import annotations

import pytest

from helpers.book.notebooks import (
    UnknownParameterError,
    chapters_in_toc,
    check_parameters,
    declared_parameters,
    main,
)


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
