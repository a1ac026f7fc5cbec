"""The data registry: verified fetches, clear errors for corrupt or missing files."""

from __future__ import annotations

import hashlib

import pytest

from helpers.data import registry as data
from helpers.data.registry import ChecksumError, DataFile, DataMissingError, fetch


def _registry(tmp_path, content: bytes = b"a,b\n1,2\n") -> dict[str, DataFile]:
    digest = hashlib.sha256(content).hexdigest()
    return {"demo/table.csv": DataFile("demo/table.csv", "https://example.invalid/table.csv",
                                       digest, "demo")}


def test_every_registered_file_is_in_the_mirror_with_its_hash():
    for key in data.REGISTRY:
        path = fetch(key)
        assert path.is_file(), key


def test_mirror_file_is_verified_and_returned(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "table.csv").write_bytes(b"a,b\n1,2\n")
    monkeypatch.setenv("MINNBOOK_DATA", str(tmp_path))
    assert fetch("demo/table.csv", registry=_registry(tmp_path)) == tmp_path / "demo" / "table.csv"


def test_checksum_mismatch_names_file_and_both_hashes(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "table.csv").write_bytes(b"tampered\n")
    monkeypatch.setenv("MINNBOOK_DATA", str(tmp_path))
    registry = _registry(tmp_path)
    expected = registry["demo/table.csv"].sha256
    actual = hashlib.sha256(b"tampered\n").hexdigest()
    with pytest.raises(ChecksumError, match=f"'demo/table.csv'.*expected sha256 {expected}, got {actual}"):
        fetch("demo/table.csv", registry=registry)


def test_checksum_error_says_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "table.csv").write_bytes(b"tampered\n")
    monkeypatch.setenv("MINNBOOK_DATA", str(tmp_path))
    with pytest.raises(ChecksumError, match="fetch it again from https://example.invalid/table.csv"):
        fetch("demo/table.csv", registry=_registry(tmp_path))


def test_file_missing_from_mirror_names_variable_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MINNBOOK_DATA", str(tmp_path))
    with pytest.raises(DataMissingError, match=r"'demo/table.csv' is not in the mirror MINNBOOK_DATA="):
        fetch("demo/table.csv", registry=_registry(tmp_path))


def test_file_missing_offline_names_variable_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("MINNBOOK_DATA", raising=False)
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MINNBOOK_OFFLINE", "1")
    with pytest.raises(DataMissingError, match="Set MINNBOOK_DATA to a folder holding a copy"):
        fetch("demo/table.csv", registry=_registry(tmp_path))


def test_failed_download_names_url_and_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("MINNBOOK_DATA", raising=False)
    monkeypatch.delenv("MINNBOOK_OFFLINE", raising=False)
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path / "cache"))

    def no_network(**kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(data.pooch, "retrieve", no_network)
    with pytest.raises(DataMissingError, match=r"Could not download 'demo/table.csv' from https://example"):
        fetch("demo/table.csv", registry=_registry(tmp_path))


def test_cached_file_is_reused_after_verification(tmp_path, monkeypatch):
    monkeypatch.delenv("MINNBOOK_DATA", raising=False)
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "cache" / "demo" / "table.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"a,b\n1,2\n")
    monkeypatch.setattr(data.pooch, "retrieve", lambda **kw: pytest.fail("should not download"))
    assert fetch("demo/table.csv", registry=_registry(tmp_path)) == target


def test_unknown_key_lists_registered_files():
    with pytest.raises(KeyError, match="Unknown data file 'nope.csv'. Registered files: essentiality"):
        fetch("nope.csv")


def test_fetch_never_modifies_the_mirror():
    path = fetch("ishii/KOs_Vin.csv")
    before = path.stat().st_mtime_ns
    fetch("ishii/KOs_Vin.csv")
    assert path.stat().st_mtime_ns == before


# ----- issue 15, item 7: MINNBOOK_OFFLINE=false/no means online; nonsense is rejected ----------

@pytest.mark.parametrize("value", ["false", "no", "False", "off", "0", ""])
def test_offline_false_or_no_means_online(tmp_path, monkeypatch, value):
    monkeypatch.delenv("MINNBOOK_DATA", raising=False)
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MINNBOOK_OFFLINE", value)
    calls = []
    monkeypatch.setattr(data.pooch, "retrieve", lambda **kw: calls.append(kw) or "downloaded")
    assert str(fetch("demo/table.csv", registry=_registry(tmp_path))) == "downloaded"
    assert len(calls) == 1  # it tried to download


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_offline_true_forbids_downloads(monkeypatch, value):
    monkeypatch.setenv("MINNBOOK_OFFLINE", value)
    assert data.offline()


def test_offline_nonsense_is_rejected_naming_the_variable(monkeypatch):
    monkeypatch.setenv("MINNBOOK_OFFLINE", "maybe")
    with pytest.raises(data.DataError, match=r"MINNBOOK_OFFLINE='maybe' is not understood"):
        data.offline()


def test_sha256sum_is_the_hex_sha256_of_the_file(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"x" * 200_000)  # more than pooch's 64 KiB chunk
    assert data.sha256sum(path) == hashlib.sha256(b"x" * 200_000).hexdigest()
    assert data.sha256sum(str(path)) == data.sha256sum(path)


# --- the registry table (a data file beside the module, read once) -------------------------------

#: sha256 of every entry's fields, in order, as the registry built them when its entries were
#: Python code (the table moved to ``registry.json`` unchanged).
_REGISTRY_FINGERPRINT = "9a74d6c3b11dcc9dfcd7722151a2be2c8b5fbff146559561e84425d89ee86a19"


def test_registry_is_the_same_table():
    import dataclasses
    import hashlib
    import json

    fields = [[getattr(e, f.name) for f in dataclasses.fields(e)] for e in data.REGISTRY.values()]
    assert len(data.REGISTRY) == 43
    assert all(key == entry.key for key, entry in data.REGISTRY.items())
    digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()
    assert digest == _REGISTRY_FINGERPRINT
    minn = "https://raw.githubusercontent.com/gabrieletaz/MINN/c2fc1098313827529b8e3cc3679649f255f16f88"
    assert data.REGISTRY["ishii/fluxomics.csv"] == DataFile(
        "ishii/fluxomics.csv", f"{minn}/data/ishii_data/fluxomics.csv",
        "cc1b58ebd2ecc4e85201371bc31a3c70e22c39675fca6b5cb5d284fb49317b3c",
        "MFA fluxes with the MFA model's reaction names")
    assert data.REGISTRY["ishii/minn_pred_c_balanced.csv"].url == (
        f"{minn}/data/ishii_data/minn_results/df_pred_minn_balanced.csv")
    assert data.REGISTRY["gems/Toy_AMN.xml"].url == f"{minn}/GEMs/Toy_AMN"
    assert data.REGISTRY["gems/iAF1260.json"].sha256 == (
        "f915b05cc9136b17f4d651ea81081b8b83afdf6aa1e26059a7392d3392667008")
    assert list(data.REGISTRY)[-1] == "minn_release/ishii_data.ipynb"
    assert data._entries() is data._entries()  # the table is read once


def test_registry_table_ships_with_the_package():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    assert (root / "helpers" / "data" / "registry.json").is_file()
    config = tomllib.loads((root / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    assert "registry.json" in package_data["helpers.data"]
