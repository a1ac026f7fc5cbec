"""Run profiles: one place, clear errors."""

from __future__ import annotations

import pytest

from helpers.book.profiles import PROFILE_NAMES, get_profile, sections


def test_every_section_has_both_profiles_with_the_same_keys():
    for section in sections():
        quick, paper = (get_profile(name, section) for name in PROFILE_NAMES)
        assert set(quick) == set(paper), section


def test_unknown_profile_names_allowed_values():
    with pytest.raises(ValueError, match=r"must be one of \['quick', 'paper'\]. Got 'fast' instead"):
        get_profile("fast", "dataset")


def test_unknown_section():
    with pytest.raises(ValueError, match="Unknown profile section 'nope'"):
        get_profile("quick", "nope")


def test_returns_a_copy():
    get_profile("quick", "dataset")["x"] = 1
    assert "x" not in get_profile("quick", "dataset")
