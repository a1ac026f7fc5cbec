"""MINN as a scikit-learn regressor: ``fit(X, Y)`` on reference fluxes, ``predict(X)``.

:class:`MINNRegressor` wraps :func:`helpers.minn.training.train_ensemble` with one member, so
``clone``, ``get_params`` / ``set_params``, ``cross_val_score`` and pipelines work. Inputs are
min-max scaled on the training data only (``x_scaler_``). Beyond ``predict`` (reference fluxes),
:meth:`MINNRegressor.predict_fluxes` returns the whole flux distribution and
:meth:`MINNRegressor.mechanistic_residual` the paper's ``L2 = ||S V||^2 / m`` per sample.

For many runs at once (hyper-parameter search, nested CV) use :func:`train_ensemble` directly:
it trains all of them in one program. Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from .config import MinnConfig, get_variant
from .mechanistic import mechanistic_terms
from .problem import MechanisticProblem
from .training import Member, check_v_in, train_ensemble

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _labels(data, axis: int) -> list | None:
    """Row (axis 0) or column (axis 1) labels of a DataFrame, None for other inputs."""
    if isinstance(data, pd.DataFrame):
        return list(data.index if axis == 0 else data.columns)
    return None


def check_finite_cells(values: np.ndarray, what: str, rows: list | None = None,
                       columns: list | None = None) -> None:
    """Raise ``ValueError`` naming the first NaN/inf cell of a 2-D array (row, column, count).

    ``rows`` / ``columns`` are the labels of a DataFrame (None: positions only).
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    i, j = (int(k) for k in np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(values[i, j]) else "inf"
    row = f"row {i}" + (f" (index {rows[i]!r})" if rows is not None else "")
    column = f"column {j}" + (f" ({columns[j]!r})" if columns is not None else "")
    more = int(bad.sum()) - 1
    raise ValueError(f"{what} contains {kind} at {row}, {column}"
                     + (f" (and {more} more non-finite cell(s))" if more else "")
                     + "; MINNRegressor needs finite inputs and targets.")


_SEED_MAX = 2**32 - 1  # scikit-learn's random_state range


def _check_number(name: str, value, low: float, high: float | None = None, *,
                  low_open: bool = False, high_open: bool = False) -> None:
    """A real number between ``low`` and ``high`` (bools, text and NaN rejected), or a
    parameter error; ``low_open`` / ``high_open`` exclude the bound itself."""
    ok = (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
          and bool(np.isfinite(value)) and (value > low if low_open else value >= low)
          and (high is None or (value < high if high_open else value <= high)))
    if not ok:
        if high is None:
            span = f"{'>' if low_open else '>='} {low:g}"
        else:
            span = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"The {name!r} parameter of MINNRegressor must be a number {span}. "
                         f"Got {value!r} instead.")


def _check_int(name: str, value, low: int, high: int | None = None) -> None:
    """An int (Python or numpy, not a bool) in ``[low, high]``, or a parameter error."""
    ok = (isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
          and value >= low and (high is None or value <= high))
    if not ok:
        span = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"The {name!r} parameter of MINNRegressor must be an int {span}. "
                         f"Got {value!r} instead.")


def _cell_name(what: str, i: int, j: int, rows: list | None, columns: list | None) -> str:
    """``"X row 3 (index 'S03'), column 5 ('p_R3')"``: a cell by position and, if any, label."""
    row = f"row {i}" + (f" (index {rows[i]!r})" if rows is not None else "")
    column = f"column {j}" + (f" ({columns[j]!r})" if columns is not None else "")
    return f"{what} {row}, {column}"


def check_numeric_cells(data, what: str, error: Exception) -> None:
    """Re-raise a failed float conversion of ``data`` naming its first non-numeric cell.

    scikit-learn's message (``could not convert string to float: 'abc'``) names no column;
    this finds the first cell that is neither a number nor text holding one and raises
    ``type(error)`` (``ValueError`` for text, ``TypeError`` for other objects, as numpy does)
    naming its row and column (labels of a DataFrame included). Returns when no such cell
    exists (the caller then re-raises ``error``).
    """
    rows, columns = _labels(data, 0), _labels(data, 1)
    cells = data.to_numpy(dtype=object) if isinstance(data, pd.DataFrame) else data
    cells = np.asarray(cells, dtype=object)
    if cells.ndim == 1:
        cells = cells[:, None]
    if cells.ndim != 2:
        return
    for j in range(cells.shape[1]):
        for i in range(cells.shape[0]):
            value = cells[i, j]
            if isinstance(value, numbers.Number):
                continue
            try:
                float(value)
            except (TypeError, ValueError) as cell_error:
                kind = type(cell_error) if isinstance(error, type(cell_error)) else type(error)
                raise kind(f"{_cell_name(what, i, j, rows, columns)} holds {value!r}, which is "
                           f"not a number ({cell_error}); MINNRegressor needs numeric "
                           "inputs and targets.") from error


def check_representable(scaled: np.ndarray, raw: np.ndarray, dtype: torch.dtype,
                        rows: list | None = None, columns: list | None = None) -> None:
    """Raise ``ValueError`` naming the first input whose min-max scaled value overflows ``dtype``.

    An input far outside the training range (``1e40`` when training saw values near 1) is
    finite in float64 but scales to ``inf`` in float32, and the network then predicts NaN.
    """
    limit = torch.finfo(dtype).max
    bad = ~(np.abs(scaled) <= limit)
    if not bad.any():
        return
    i, j = (int(k) for k in np.argwhere(bad)[0])
    more = int(bad.sum()) - 1
    raise ValueError(f"{_cell_name('X', i, j, rows, columns)} is {float(raw[i, j])!r}, "
                     f"{scaled[i, j]:.3g} after min-max scaling on the training range: beyond "
                     f"the largest {str(dtype).removeprefix('torch.')} ({limit:.3g})"
                     + (f" (and {more} more such cell(s))" if more else "")
                     + "; MINNRegressor would predict NaN. Check the units of that input "
                     "(or fit with dtype='float64').")


def check_same_rows(X, Y) -> None:
    """Raise ``ValueError`` unless pandas ``X`` and ``Y`` carry the same row labels in order.

    ``fit`` pairs the rows of inputs and targets by position; when both are pandas objects,
    a target frame in another order (or with other samples) would silently train each input
    on another sample's fluxes. The message names the first position that differs. Arrays
    (no labels) are paired by position as in scikit-learn.
    """
    if not (isinstance(X, (pd.DataFrame, pd.Series)) and isinstance(Y, (pd.DataFrame, pd.Series))):
        return
    a, b = list(X.index), list(Y.index)
    if a == b or len(a) != len(b):  # a count mismatch is named by the shape check
        return
    i = next(k for k, (p, q) in enumerate(zip(a, b, strict=True)) if p != q)
    hint = ("same samples in another order: reorder Y with Y.loc[X.index]"
            if sorted(map(str, a)) == sorted(map(str, b)) else
            "different labels: align them, or pass arrays to pair the rows by position")
    raise ValueError(f"MINNRegressor pairs the rows of X and Y by position, but row {i} is "
                     f"sample {a[i]!r} in X and {b[i]!r} in Y ({hint}).")


def check_finite_predictions(V: np.ndarray, rows: list | None = None) -> None:
    """Raise ``ValueError`` naming the first sample whose predicted fluxes are not finite."""
    bad = ~np.isfinite(V).all(axis=1)
    if not bad.any():
        return
    i = int(np.argmax(bad))
    row = f"row {i}" + (f" (index {rows[i]!r})" if rows is not None else "")
    raise ValueError(f"The predicted fluxes of X {row} are not finite ({int(bad.sum())} "
                     "sample(s) in all): its inputs lie too far outside the training range for "
                     "the network's float type. Check the units of that sample's inputs.")


class MINNRegressor(RegressorMixin, BaseEstimator):
    """Metabolic-Informed Neural Network (:cite:`tazza2025minn`) as a scikit-learn regressor.

    Parameters
    ----------
    problem : MechanisticProblem
        Sparse ``S``, reference / bounded flux indices and ``V_in`` of the split GEM.
    variant : str or MinnConfig
        A name in :data:`helpers.minn.config.VARIANTS` (default ``'c-balanced'``).
    hidden, dropout : int, float
        Hidden layer size and dropout rate.
    lr, weight_decay : float
        Adam learning rate and L2 weight decay.
    c : float or None
        Weight of the data loss (None: the variant's default).
    data_weight : float or None
        Final data weight of the scheduler variants (None: the variant's default).
    epochs : int or None
        Training epochs (None: the variant's: 100, or 150 with the scheduler).
    batch_size : int
        Mini-batch size (5 in the paper). A batch never holds more rows than the training set:
        any ``batch_size`` >= n_samples is one full batch (the same model as ``n_samples``),
        and the training buffers are sized by ``min(batch_size, n_samples)``.
    seed : int in [0, 2**32 - 1]
        Seeds initialisation, shuffling and dropout; same seed -> same model.
    mech_lr, mech_steps, mech_decay : float, int, float
        Mechanistic layer (release defaults 0.01, 8, 0.9).
    dtype : {'float32', 'float64'}
    progress : bool
        tqdm bar during ``fit``.
    device : str
        Where to train: 'cpu' (default) or a GPU ('cuda', 'cuda:1').

    Attributes
    ----------
    net_ : EnsembleMLP
        The trained network (one member).
    fit_ : EnsembleFit
    history_ : pandas.DataFrame
        Per epoch: the training loss and each term (data, mechanistic, its three parts).
    x_scaler_ : sklearn.preprocessing.MinMaxScaler
        Fitted on the training inputs only.
    n_features_in_ : int

    Notes
    -----
    ``score`` is scikit-learn's R² over samples, averaged over the reference fluxes; the paper's
    R² is computed per sample across its fluxes (the evaluation helpers compute that one).
    """

    def __init__(self, problem: MechanisticProblem | None = None,
                 variant: str | MinnConfig = "c-balanced",
                 hidden: int = 250, dropout: float = 0.25, lr: float = 5e-4,
                 weight_decay: float = 0.0, c: float | None = None,
                 data_weight: float | None = None, epochs: int | None = None,
                 batch_size: int = 5, seed: int = 0, mech_lr: float = 0.01,
                 mech_steps: int = 8, mech_decay: float = 0.9, dtype: str = "float32",
                 progress: bool = False, device: str = "cpu") -> None:
        self.problem = problem
        self.variant = variant
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.c = c
        self.data_weight = data_weight
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.mech_lr = mech_lr
        self.mech_steps = mech_steps
        self.mech_decay = mech_decay
        self.dtype = dtype
        self.progress = progress
        self.device = device

    @classmethod
    def from_dataset(cls, dataset, **params) -> tuple[MINNRegressor, pd.DataFrame, pd.DataFrame]:
        """An estimator for a dataset in the book's format, with its inputs and targets.

        ``dataset`` is a folder (``book/dataset_format.md``) or a loaded
        :class:`helpers.data.dataset.Dataset`. Returns ``(estimator, X, Y)``: the estimator's
        ``problem`` is the dataset's split GEM with its targets as reference fluxes, ``mech_lr``
        a step that is stable on that GEM (:func:`helpers.minn.dataset.stable_layer_lr`; override
        it in ``params``), ``X`` the inputs and ``Y`` the split target fluxes::

            minn, X, Y = MINNRegressor.from_dataset("path/to/folder", epochs=50)
            minn.fit(X.iloc[:-4], Y.iloc[:-4]).predict(X.iloc[-4:])
        """
        from .dataset import minn_inputs

        inputs = minn_inputs(dataset)
        params = {"mech_lr": inputs.mech_lr, **params}
        return cls(inputs.problem, **params), inputs.X, inputs.Y

    # ----- validation ---------------------------------------------------------------------
    def _check_params(self) -> None:
        """Every parameter's type and range, checked at ``fit`` (scikit-learn's convention)."""
        if not isinstance(self.problem, MechanisticProblem):
            raise ValueError("The 'problem' parameter of MINNRegressor must be a "
                             f"MechanisticProblem. Got {type(self.problem).__name__} instead.")
        get_variant(self.variant)  # raises with the allowed names
        _check_int("hidden", self.hidden, 1)
        _check_int("batch_size", self.batch_size, 1)
        _check_int("mech_steps", self.mech_steps, 0)
        _check_int("seed", self.seed, 0, _SEED_MAX)
        if self.epochs is not None:
            _check_int("epochs", self.epochs, 1)
        _check_number("dropout", self.dropout, 0.0, 1.0, high_open=True)
        _check_number("lr", self.lr, 0.0, low_open=True)
        _check_number("weight_decay", self.weight_decay, 0.0)
        _check_number("mech_lr", self.mech_lr, 0.0)
        _check_number("mech_decay", self.mech_decay, 0.0, 1.0)
        if self.c is not None:
            _check_number("c", self.c, 0.0, low_open=True)
        if self.data_weight is not None:
            _check_number("data_weight", self.data_weight, 0.0, 1.0)
        if not isinstance(self.dtype, str) or self.dtype not in _DTYPES:
            raise ValueError(f"The 'dtype' parameter of MINNRegressor must be one of "
                             f"{list(_DTYPES)}. Got {self.dtype!r} instead.")
        try:
            torch.device(self.device)
        except (RuntimeError, TypeError, ValueError) as error:
            raise ValueError("The 'device' parameter of MINNRegressor must be 'cpu' or a GPU "
                             f"('cuda', 'cuda:1'). Got {self.device!r} instead.") from error

    def _check_X(self, X, reset: bool) -> np.ndarray:
        """2-D float array; feature names and count checked as scikit-learn does; numeric and
        finite cells (the first bad one named by row and column)."""
        rows = _labels(X, 0)
        try:
            values = validate_data(self, X, reset=reset, dtype=np.float64,
                                   ensure_all_finite=False)
        except (TypeError, ValueError) as error:
            check_numeric_cells(X, "X", error)
            raise
        check_finite_cells(values, "X", rows, self._feature_names())
        return values

    def _check_Y(self, Y, n_samples: int) -> np.ndarray:
        """Targets as a float array (N, n_ref), columns aligned by name, every cell numeric and
        finite."""
        if Y is None:
            raise ValueError("MINNRegressor requires y to be passed, but the target y is None.")
        rows = _labels(Y, 0)
        if isinstance(Y, pd.DataFrame):
            Y = self._align_targets(Y)
        try:
            values = np.ascontiguousarray(Y, dtype=np.float64)
        except (TypeError, ValueError) as error:
            check_numeric_cells(Y, "Y", error)
            raise
        self._y_ndim = values.ndim  # a 1-D y gives 1-D predictions, as in scikit-learn
        if values.ndim == 1:
            values = values[:, None]
        if values.shape != (n_samples, self.problem.n_ref):
            raise ValueError(f"Y must have shape (n_samples={n_samples}, n_ref="
                             f"{self.problem.n_ref}) (columns: {self.problem.reference_ids}); "
                             f"got {values.shape}.")
        check_finite_cells(values, "Y", rows, self.problem.reference_ids)
        return values

    def __sklearn_tags__(self):
        """scikit-learn tags: a regressor whose score on arbitrary data may be poor."""
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags

    # ----- fit / predict ------------------------------------------------------------------
    def fit(self, X: ArrayLike, Y: ArrayLike, v_in: ArrayLike | None = None) -> MINNRegressor:
        """Train on inputs ``X`` (N, d) and reference fluxes ``Y`` (N, n_ref).

        ``v_in`` (optional, (n_in,) or (N, n_in)) gives upper bounds of the bounded fluxes,
        shared or per sample (knock-outs); ``+inf`` = no bound. A wrong number of rows or
        columns, or a NaN / ``-inf`` cell, is a ``ValueError`` naming it
        (:func:`helpers.minn.training.check_v_in`).

        Raises
        ------
        ValueError
            Naming the parameter (type or range, checked here as in scikit-learn), or the first
            bad cell of ``X`` / ``Y`` by row and column (labels of a DataFrame included): not a
            number, NaN / inf, or beyond the float type after scaling; or, when ``X`` and ``Y``
            are both pandas objects, the first row whose sample labels differ (rows are paired
            by position).
        """
        self._check_params()
        check_same_rows(X, Y)
        rows = _labels(X, 0)
        X = self._check_X(X, reset=True)
        Y = self._check_Y(Y, X.shape[0])
        if v_in is not None:
            v_in = check_v_in(v_in, X.shape[0], self.problem, "MINNRegressor.fit")
        self.x_scaler_ = MinMaxScaler().fit(X)
        Xs = self.x_scaler_.transform(X)
        check_representable(Xs, X, _DTYPES[self.dtype], rows, self._feature_names())
        member = Member(config=self.variant, hidden=int(self.hidden), dropout=float(self.dropout),
                        lr=float(self.lr), weight_decay=float(self.weight_decay), c=self.c,
                        data_weight=self.data_weight, epochs=self.epochs, seed=int(self.seed))
        self.fit_ = train_ensemble(
            self.problem, Xs, Y, [member], v_in=v_in,
            batch_size=int(self.batch_size), mech_lr=self.mech_lr, mech_steps=int(self.mech_steps),
            mech_decay=self.mech_decay, dtype=_DTYPES[self.dtype], progress=self.progress,
            desc="MINN fit", device=self.device)
        self.net_ = self.fit_.net
        self.history_ = self.fit_.member_history(0)
        return self

    def _align_targets(self, Y: pd.DataFrame) -> pd.DataFrame:
        """Order the columns of a target frame as ``problem.reference_ids`` (error if they differ)."""
        expected = self.problem.reference_ids
        if list(Y.columns) == expected:
            return Y
        missing = [c for c in expected if c not in Y.columns]
        extra = [c for c in Y.columns if c not in expected]
        if missing or extra:
            raise ValueError(f"The columns of Y must be the problem's reference fluxes; missing "
                             f"{missing[:5]}, unexpected {extra[:5]}.")
        return Y[expected]

    def _feature_names(self) -> list | None:
        """The column names seen at ``fit`` (None when ``X`` had none)."""
        names = getattr(self, "feature_names_in_", None)
        return None if names is None else list(names)

    def _scaled(self, X: ArrayLike) -> np.ndarray:
        """``X`` checked and min-max scaled, every scaled cell finite in the network's dtype."""
        check_is_fitted(self, "fit_")
        rows = _labels(X, 0)
        X = self._check_X(X, reset=False)
        scaled = self.x_scaler_.transform(X)
        check_representable(scaled, X, self.fit_.dtype, rows, self._feature_names())
        return scaled

    def _v_in(self, v_in: ArrayLike | None, n_samples: int, owner: str) -> np.ndarray | None:
        return None if v_in is None else check_v_in(v_in, n_samples, self.problem,
                                                    f"MINNRegressor.{owner}")

    def predict_fluxes(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """Full flux distribution ``V`` (N, n) of the split GEM (``v_in`` as in :meth:`fit`).

        An input beyond the network's float type after scaling, or a sample whose fluxes come
        out NaN / inf, is a ``ValueError`` naming its row (never a silent NaN)."""
        rows = _labels(X, 0)
        X = self._scaled(X)
        V = self.fit_.predict_fluxes(X, self._v_in(v_in, X.shape[0], "predict_fluxes"))[0]
        check_finite_predictions(V, rows)
        return V

    def predict(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """Reference fluxes ``P_ref V`` (N, n_ref); (N,) when fitted on a 1-D ``y``."""
        out = self.predict_fluxes(X, v_in)[:, self.problem.reference_idx]
        return out[:, 0] if getattr(self, "_y_ndim", 2) == 1 else out

    def mechanistic_residual(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """``||S V||^2 / m`` per sample (N,): the paper's "L2" (``v_in`` as in :meth:`fit`)."""
        X = self._scaled(X)
        return self.fit_.mechanistic_residual(
            X, self._v_in(v_in, X.shape[0], "mechanistic_residual"))[0]

    def mechanistic_terms(self, X: ArrayLike, v_in: ArrayLike | None = None) -> pd.DataFrame:
        """The three terms of ``L_mech`` (and their sum) per sample (``v_in`` as in :meth:`fit`)."""
        V = torch.as_tensor(self.predict_fluxes(X, v_in))
        vin = None if v_in is None else torch.as_tensor(np.asarray(v_in), dtype=V.dtype)
        t = mechanistic_terms(V, self.problem, vin)
        return pd.DataFrame({"steady_state": t.steady_state.numpy(),
                             "upper_bound": t.upper_bound.numpy(),
                             "positivity": t.positivity.numpy(), "total": t.total.numpy()})
