"""Data registry: every external file the book reads, by canonical URL and sha256.

Files are fetched with :mod:`pooch` into a per-user cache and verified against their hash.
Set ``MINNBOOK_DATA`` to a local mirror folder (same layout as the registry keys, e.g.
``ishii/fluxomics.csv``) to run offline: the mirror copy is verified and used in place,
never modified. cobra's bundled models (``textbook`` = e_coli_core, ``iJO1366``) are not here:
load those with :func:`cobra.io.load_model`.

Introduced in chapter ``01_dataset``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which warns "IProgress not found" (with a machine path) in a kernel
    # without ipywidgets; the book shows no download progress bars, so the warning is noise.
    warnings.filterwarnings("ignore", message="IProgress not found")
    import pooch

__all__ = [
    "REGISTRY",
    "DataFile",
    "DataError",
    "ChecksumError",
    "DataMissingError",
    "fetch",
    "sha256sum",
    "cache_dir",
    "offline",
]

ENV_MIRROR = "MINNBOOK_DATA"
ENV_CACHE = "MINNBOOK_CACHE"
ENV_OFFLINE = "MINNBOOK_OFFLINE"

_MINN = "https://raw.githubusercontent.com/gabrieletaz/MINN/c2fc1098313827529b8e3cc3679649f255f16f88"
_MACHADO = (
    "https://raw.githubusercontent.com/cdanielmachado/transcript2flux/"
    "1d02afc6d8919d9727fafa61f30537e8540c3229/datasets/ishii"
)
_CY3 = "https://raw.githubusercontent.com/matthiaskoenig/cy3sbml"


@dataclass(frozen=True)
class DataFile:
    """One registered file: where it comes from, its hash and what it is."""

    key: str
    url: str
    sha256: str
    description: str


class DataError(RuntimeError):
    """Base class of the data registry's errors."""


class ChecksumError(DataError):
    """A file's sha256 differs from the registry's."""


class DataMissingError(DataError):
    """A file is neither in the mirror nor in the cache, and cannot be downloaded."""


def _entries() -> list[DataFile]:
    ishii = f"{_MINN}/data/ishii_data"
    rows = [
        ("ishii/transcriptomics.csv", f"{ishii}/transcriptomics.csv",
         "78450bec77ab167ff0b3bdbd84023757360ca80848c4b03a50e2c4a499084cc5",
         "Ishii et al. 2007 transcriptomics, 79 genes x 29 samples"),
        ("ishii/proteomics.csv", f"{ishii}/proteomics.csv",
         "1e186ad16499d2556cb3b9826980ddb3d1696b29c61c51503631380545347d9e",
         "Ishii et al. 2007 proteomics, 60 proteins x 29 samples"),
        ("ishii/fluxomics.csv", f"{ishii}/fluxomics.csv",
         "cc1b58ebd2ecc4e85201371bc31a3c70e22c39675fca6b5cb5d284fb49317b3c",
         "MFA fluxes with the MFA model's reaction names"),
        ("ishii/fluxomics_iAF1260_reduced_split.csv", f"{ishii}/fluxomics_iAF1260_reduced_split.csv",
         "b37ee5cf09156b34188e6e08f249155ad6192f1fcebd353101dddb27b3efc671",
         "fluxes mapped to split-iAF1260 IDs (45 reference + 2 uptakes)"),
        ("ishii/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv",
         f"{ishii}/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv",
         "41e5cd27b0339de01923090748c5252147aa6790da88f942a674ca2582761945",
         "the 36 fluxes shared with iNF517"),
        ("ishii/fluxomics_iAF1260_reduced_split_fit.csv",
         f"{ishii}/fluxomics_iAF1260_reduced_split_fit.csv",
         "fbdd62504669e3f5c05178c788798973efde9985e75761a052136d7ac836e728",
         "FBA-fit fluxes released by the MINN authors"),
        ("ishii/fluxomics_iNF517_reduced_split.csv", f"{ishii}/fluxomics_iNF517_reduced_split.csv",
         "8965d12599cd2a2be1fd6fbecdd2f355a5fe8b49f0937e7cc6bb20625bf4f221",
         "fluxes mapped to split-iNF517 IDs"),
        ("ishii/fluxomics_ecore.csv", f"{ishii}/fluxomics_ecore.csv",
         "1d02e01ffd75b5b8475b996d067bad3bf95bc8f201add7194962ef83fa34e4df",
         "fluxes mapped to split e_coli_core IDs"),
        ("ishii/fluxomics_ecore_correct.csv", f"{ishii}/fluxomics_ecore_correct.csv",
         "14dea22a09a238e0bdc71029179ff8f0b84288049acd83958293528039ad9646",
         "fluxes mapped to split e_coli_core IDs (corrected)"),
        ("ishii/KOs_Vin.csv", f"{ishii}/KOs_Vin.csv",
         "c8fd6e332746034aba5b4fa64a4bb317bbd2d22d1626e429ca840a89c0de4fc9",
         "knock-out constraints per sample: 0 = knocked out, 1 = free"),
        ("ishii/pFBA_ishii.csv", f"{ishii}/pFBA_ishii.csv",
         "529ca084c65dc94368370d5698f90f5dc43a06afa682f04249977c1365d0ff5f",
         "Goncalves et al. 2023 pFBA predictions"),
        ("ishii/best_rf_ishii.csv", f"{ishii}/best_rf_ishii.csv",
         "ddeca2d7d6c253cfde0b46705b8d18f954bd1f3b63795902670eb8c6ca06d047",
         "Goncalves et al. 2023 random-forest LOO predictions"),
        ("ishii/ishii_NN.csv", f"{ishii}/ishii_NN.csv",
         "3be779996032855481f91ff2dad3fa97734a223b059c5a55f4cb6c1b915cf161",
         "Goncalves et al. 2023 neural-network LOO predictions"),
        ("ishii/minn_pred_c_balanced.csv", f"{ishii}/minn_results/df_pred_minn_balanced.csv",
         "289db1353449140a1b4406d71ef48899bda1a0489f4535291a13709f976077e4",
         "MINN-c-balanced LOO predictions released by the MINN authors"),
        ("gems/iAF1260.json",
         "https://raw.githubusercontent.com/jeremiebourdon/TPECN/5dcc6b16baaaa3529ac089ac9f2475597113baaf/iAF1260.json",
         "f915b05cc9136b17f4d651ea81081b8b83afdf6aa1e26059a7392d3392667008",
         "BiGG iAF1260 (Feist et al. 2007), cobra JSON"),
        ("gems/iNF517.json",
         "https://raw.githubusercontent.com/Tjmoutinho/Lactobacillus/617bebfbc49c0e4da1030e45e4ba46dc098cb77d/iNF517.json",
         "80e3f79b8bacb6ebecc7259500cb3a650ff3a1a18bd8e63c5a008dfe9a4fec88",
         "BiGG iNF517 (Lactococcus lactis MG1363)"),
        ("gems/iMM904.json",
         "https://raw.githubusercontent.com/brsynth/straindesign/9d128a7c7a256675658cf677d29c3842e04d6508/src/cameobrs/models/json/iMM904.json",
         "3b646758552f0e2fafd41b2db293c0844dd1788a4cec58d69ec8482ce1657e6b",
         "BiGG iMM904 (S. cerevisiae)"),
        ("gems/e_coli_core.xml", f"{_MINN}/GEMs/e_coli_core.xml",
         "b4db506aeed0e434c1f5f1fdd35feda0dfe5d82badcfda0e9d1342335ab31116",
         "BiGG e_coli_core SBML (as released with MINN)"),
        ("gems/iNF517_reducedFVA_splitted.xml", f"{_MINN}/GEMs/iNF517_reducedFVA_splitted.xml",
         "1eb19421f4e65616e1c678680e6d54b1acbbb987bcb1e010d6c4dc63319a8f05",
         "the MINN authors' FVA-reduced, split iNF517"),
        ("gems/Toy_AMN.xml", f"{_MINN}/GEMs/Toy_AMN",
         "4a0adf7ff72c13b99733afc308fb61c14ad762bb58cc800afc325f3018cdcfaf",
         "toy network from the AMN/MINN release"),
        ("gems/iML1515.json",
         "https://raw.githubusercontent.com/yseif/AuxoFind/419830c5568488592e3b080c4341d5b2ac5f97de/iML1515.json",
         "bcfe824a98219b62a3bb4c1408fd6e2165145e62f30d567643f07a8b431a3c68",
         "BiGG iML1515 (E. coli K-12)"),
        ("gems/iSB619.xml",
         f"{_CY3}/e30cde391b98ba44a1863ea98310ae6f0a0a8749/src/test/resources/models/bigg_models-v1.5/iSB619.xml",
         "711fd6cb5f6bdf5a7c0ede8685618d10fa759f7b4d7a7c2f754a3aa025fb3b31",
         "BiGG iSB619 (S. aureus N315)"),
        ("gems/STM_v1_0.xml",
         f"{_CY3}/9b14f9ea6ce35f90551d4d45693970c90557a83b/src/test/resources/models/m_model_collection/sbml3/STM_v1_0.xml",
         "f16b354cf5a1ab50264081bbc04ef51a20dedf2ea7a401a23b9e0a6e19d3564e",
         "STM_v1_0 (S. enterica Typhimurium LT2)"),
        ("gems/iRC1080.xml",
         f"{_CY3}/9b14f9ea6ce35f90551d4d45693970c90557a83b/src/test/resources/models/m_model_collection/sbml3/iRC1080.xml",
         "d9afee5645e4218fe61ed2505906f9f928b7d6cfaad454761d15828443b77e44",
         "iRC1080 (C. reinhardtii)"),
        ("gems/iCA1273.xml",
         f"{_CY3}/9b14f9ea6ce35f90551d4d45693970c90557a83b/src/test/resources/models/m_model_collection/sbml3/iCA1273.xml",
         "cb83537bdfe4c71607dbde4bb70b07249b3ed0f2ee1db17f082369fb33da6d14",
         "iCA1273 (E. coli W)"),
        ("gems/iPC815.omex",
         "https://raw.githubusercontent.com/Biosimulant/models-metabolism/3245f821cacea40913856cd19d25f3207dcd5a1c/models/metabolism-sbml-charusanti2011-y-pestis-ipc815-biomd0000001082-model/data/BIOMD0000001082.xml",
         "0c8fee627273a499fa198c6a0512e5a633b3135888273c35f8ca45f2afe1be3b",
         "iPC815 (Y. pestis CO92); an OMEX zip holding iPC815.xml"),
        # chapter 08_mome_organisms_and_constraints (MOME's other organisms and constraints)
        ("gems/iZ_1308.xml.gz",
         "https://raw.githubusercontent.com/wupeng1998/BIGG_model/22e5255fc440e007371ab1b0d12923a679f11694/iZ_1308.xml.gz",
         "8e504f31be175bf092665da5edabda8ca80f44ba828c81d69a8a278170f523cf",
         "BiGG iZ_1308 (E. coli O157:H7 EDL933), gzipped SBML"),
        ("gems/yeast_7.6_cobra.mat",
         "https://raw.githubusercontent.com/biosustain/trp-scores/babe712acd25e4a9c2b2879ee08f8bfea4b82505/model/yeast_7.6_cobra.mat",
         "804253e5c1eaa0bbdb6c3318ff818c4afba5eac5683b3a07aca32db43ff468f1",
         "consensus Yeast 7.6 (Aung et al. 2013), COBRA-toolbox .mat"),
        ("gems/yeast_7.6_cobra.txt",
         "https://raw.githubusercontent.com/SysBioChalmers/yeast-GEM/96055cad126192200766f77c146fa316ef351d99/yeast_7.6_cobra.txt",
         "4314e0ca9fe98362dfc35fa092ed51f3bd1d232e2c059ac7a5d38efbcf50a21f",
         "yeast-GEM v7.6.0 text export of Yeast 7.6 (cross-check of the .mat)"),
        ("gems/iYL619_PCP.xml",
         "https://raw.githubusercontent.com/SysBioChalmers/YeastsModels/7a00fecddfb40aa85245bc29af8f1c1e277e24c0/models/iYL619_PCP.xml",
         "9d48aff7ceb07d21b68882ec6f1285cb47eddc8063d8f3f9d42adf433a412a3c",
         "iYL619_PCP (Yarrowia lipolytica), invalid SBML as published"),
        ("essentiality/yeast_essential_genes_heavner.xls",
         "https://raw.githubusercontent.com/bheavner/yeast_models/aaa122f4ebc8f2602ec2e48a6937576bc9ae6412/Yeastnet/yeast%20essential%20genes.xls",
         "49592ff5af994dab866ba53a94530397af7d1fbd441833b1c4285ea9db6ea7b0",
         "yeast essential ORFs (deletion project, Aug 2011)"),
        ("essentiality/yeast_sgd_synthetic_lethals_heavner2013.mat",
         "https://raw.githubusercontent.com/bheavner/comparative/572ac8383035ccb17809078039215b13e3c772af/results/SGD%20synthetic%20lethals.mat",
         "86ffc351394c3d304026d8f00c147c79b8feaa6611836181dd95b29249baf598",
         "SGD synthetic-lethal gene pairs (Aug 2013)"),
        ("essentiality/ecoli_keio_baba2006_essential_names.txt",
         "https://raw.githubusercontent.com/scovit/nust-helico/452f1dd17a42ac3e7b99e14b84b9a35c160833b3/data/lists/common/PeH2aQOf/list.txt",
         "193429db50c2eb723615491cfe13b1ff620ef4c3d79f5dcacf15745aa7620790",
         "300 Keio (Baba et al. 2006) essential gene names"),
        ("media/carveme_media_db.tsv",
         "https://raw.githubusercontent.com/cdanielmachado/carveme/227f1c029a5bd946a4ea9a6fd2cc5147ea6494db/carveme/data/input/media_db.tsv",
         "8b5aca7b3e087e022851ff82dc169594c14785d8821d29eb0e6565ea60ed8f2f",
         "CarveMe media compositions (BiGG compound ids, no bounds)"),
        ("essentiality/gess-ecol_iML1515paper_M9glc.csv",
         "https://raw.githubusercontent.com/Waschina/gapseqEval/8558e953d6af39143970b4c00f84a42a3c4b63ce/GeneEssentiality/essentiality.data/gess-ecol.csv",
         "87e05d613aad56dd1c7c772cf462ae5a9db5cf249225ab0aa9ad3f0066623099",
         "E. coli gene essentiality on M9 glucose (Keio)"),
        ("ishii_machado2014/fluxomics_mmol_per_gDW_per_h.csv",
         f"{_MACHADO}/fluxomics_mmol_per_gDW_per_h.csv",
         "79fed71fd2b48cfa168e1f7be0338e36f9bdac972682cb2782fa8738ec5b836c",
         "upstream curation of the Ishii fluxes (Machado & Herrgard 2014)"),
        ("ishii_machado2014/transcriptomics_nmol_per_gDW.csv",
         f"{_MACHADO}/transcriptomics_nmol_per_gDW.csv",
         "6cd8e92c08f610f538efbf90d531e90655593559bb411befbeed8cf06b56ca15",
         "Ishii transcripts (upstream)"),
        ("ishii_machado2014/transcriptomics_std_nmol_per_gDW.csv",
         f"{_MACHADO}/transcriptomics_std_nmol_per_gDW.csv",
         "6a71b87d587fe6075701935747f6712faf21627c1a69da70454080d692cea04c",
         "standard deviations of the transcripts"),
        ("ishii_machado2014/protein_nmol_per_gDW.csv", f"{_MACHADO}/protein_nmol_per_gDW.csv",
         "18ad1e68b8d32c440f7dacf214936aa5a3e261a907aca921002adc43e5eb70dc",
         "Ishii proteins (upstream)"),
        ("ishii_machado2014/protein_std_nmol_per_gDW.csv", f"{_MACHADO}/protein_std_nmol_per_gDW.csv",
         "fcf0ac8cce198e62226d92ea98512b3c6094c8fb01de194a5d910cd6eb911540",
         "standard deviations of the proteins"),
        ("goncalves2023/overall_results.csv",
         "https://raw.githubusercontent.com/dmgoncal/omics2flux/5366d6955f0bbb51eb9fed06ce5d616bda1b4042/results/overall_results.csv",
         "b5af35da8972206d9712d610a1ce9b7df7d9b371c3ed0ae96312c573b1add71d",
         "Goncalves et al. 2023 summary metrics (Table 2's pFBA / NN / RF rows)"),
        # chapter 06_reservoir_pfba: the MINN authors' reservoir block and data notebook
        ("minn_release/pretrained_block_reservoir_state_dict.pth",
         f"{_MINN}/pretrained_block_reservoir_state_dict.pth",
         "8f9aefe78c4c0ec1b3a3c59b07e4f55a85b883036f583db3bec2ff31029c5a1d",
         "the MINN authors' pretrained reservoir block (state dict: Linear(5, 500), Linear(500, 587))"),
        ("minn_release/ishii_data.ipynb",
         "https://raw.githubusercontent.com/gabrieletaz/MINN/334031df7bebd7e871f3dbe5d30487faab6c204c/ishii_data.ipynb",
         "283ab9833e2999e493b04de90d17ebece058cf827a9fc37ef1f3eee31ff72ca5",
         "the MINN authors' data notebook (cell 54: the 587 reaction ids of their FBA-reduced iAF1260)"),
    ]
    return [DataFile(*row) for row in rows]


REGISTRY: dict[str, DataFile] = {entry.key: entry for entry in _entries()}


def sha256sum(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file (:func:`pooch.file_hash`, the hash pooch verifies)."""
    return pooch.file_hash(os.fspath(path), alg="sha256")


def cache_dir() -> Path:
    """The download cache: ``$MINNBOOK_CACHE`` or the OS user cache (``pooch.os_cache``)."""
    override = os.environ.get(ENV_CACHE)
    return Path(override) if override else Path(pooch.os_cache("minnbook"))


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def offline() -> bool:
    """Whether ``MINNBOOK_OFFLINE`` forbids downloads (1/true/yes/on; 0/false/no/off or unset: no).

    Any other value is a :class:`DataError` naming the variable and the value.
    """
    value = os.environ.get(ENV_OFFLINE, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DataError(f"{ENV_OFFLINE}={os.environ[ENV_OFFLINE]!r} is not understood: use 1/true/yes/on "
                    f"to forbid downloads, or 0/false/no/off (or unset it) to allow them.")


def _entry(key: str, registry: dict[str, DataFile]) -> DataFile:
    try:
        return registry[key]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise KeyError(f"Unknown data file {key!r}. Registered files: {known}") from None


def _verify(path: Path, entry: DataFile) -> Path:
    actual = sha256sum(path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"Checksum mismatch for {entry.key!r} at {path}: expected sha256 {entry.sha256}, "
            f"got {actual}. The file is corrupt or a different version; delete it (or fix the "
            f"mirror) and fetch it again from {entry.url}."
        )
    return path


def fetch(key: str, *, registry: dict[str, DataFile] | None = None) -> Path:
    """Return a verified local path for the registered file ``key``.

    Looks in ``$MINNBOOK_DATA`` first (a read-only mirror), then in the cache, then downloads
    with pooch unless ``MINNBOOK_OFFLINE=1``. Raises :class:`ChecksumError` if the hash differs
    and :class:`DataMissingError` if the file cannot be had offline.
    """
    entry = _entry(key, registry if registry is not None else REGISTRY)
    mirror = os.environ.get(ENV_MIRROR)
    if mirror:
        candidate = Path(mirror) / entry.key
        if candidate.is_file():
            return _verify(candidate, entry)
        raise DataMissingError(
            f"{entry.key!r} is not in the mirror {ENV_MIRROR}={mirror} (looked for {candidate}). "
            f"Copy it there from {entry.url}, or unset {ENV_MIRROR} to download it into the cache."
        )
    target = cache_dir() / entry.key
    if target.is_file():
        return _verify(target, entry)
    if offline():
        raise DataMissingError(
            f"{entry.key!r} is not cached at {target} and {ENV_OFFLINE} is set. Set {ENV_MIRROR} "
            f"to a folder holding a copy (e.g. ../shared/data), or go online to download {entry.url}."
        )
    try:
        downloaded = pooch.retrieve(
            url=entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=Path(entry.key).name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch reports a hash mismatch as ValueError
        raise ChecksumError(f"Checksum mismatch downloading {entry.key!r} from {entry.url}: {exc}") from exc
    except Exception as exc:  # network failure: say what to do offline
        raise DataMissingError(
            f"Could not download {entry.key!r} from {entry.url} ({exc.__class__.__name__}: {exc}). "
            f"Offline? Set {ENV_MIRROR} to a folder holding a copy of the data (e.g. ../shared/data)."
        ) from exc
    return Path(downloaded)
