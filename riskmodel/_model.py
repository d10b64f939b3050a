"""The fitted risk model as one artifact: booster, calibrator, feature contract and lineage.

A :class:`RiskModel` is what training produces and what scoring loads. It is not an
estimator (it is never refitted); it bundles

- the LightGBM booster, whose raw output is the log-odds that tree SHAP decomposes;
- a calibrator mapping those log-odds to a probability of the label;
- the feature contract (names and dtypes seen at training), checked at every use;
- the feature registry and label definition, so every score can be read in plain English;
- the reference distribution of probabilities behind the 1-20 position, and the band
  thresholds the governance panel set;
- metadata: run id, split dates, data fingerprint, seeds, library and code versions;
- documents: further JSON files kept in the folder (the monitoring reference of
  ``training_reference.json``), signed with the rest.

On disk a model is a folder with the booster text, LightGBM's dump of its trees (JSON), one
JSON file and the reference distribution (``.npy``, no pickle), signed as a whole
(:mod:`riskmodel._signing`: HMAC-SHA256 under the signing key over a manifest of every file's
SHA-256). :meth:`RiskModel.load` verifies the signature before it parses anything, so LightGBM
only ever reads a booster the key holder wrote. Scoring and explaining read the dumped trees
(:class:`riskmodel._treeshap.Forest`), so they never import LightGBM, which brings
scikit-learn and SciPy (over a second); the booster is built from its text when something
first asks for it (:meth:`RiskModel.predict_logodds`, training, saving a folder without a dump).
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from features import FeatureRegistry, LabelDefinition

from ._signing import SIGNATURE_FILE, ModelIntegrityError, load_signing_key, sign_model_folder, verify_model_folder
from ._treeshap import Forest, lightgbm_decomposition

FORMAT_VERSION = 1
KEY_COLUMNS = ("person_id", "as_of", "label")
POSITIONS = 20
_MODEL_FILE = "model.txt"
_TREES_FILE = "trees.json"
_METADATA_FILE = "metadata.json"
_REFERENCE_FILE = "training_probabilities.npy"
_PROBABILITY_FLOOR = 1e-6
_RESERVED_JSON = (_METADATA_FILE, _TREES_FILE, SIGNATURE_FILE)


def _lightgbm():
    """LightGBM, imported when a booster is first built or saved: it brings scikit-learn and
    SciPy, over a second that scoring and explaining, which read the dumped trees, do not pay."""
    import lightgbm

    return lightgbm


class FeatureMismatchError(ValueError):
    """The columns offered to a model differ from the columns it was trained on."""


class ModelVersionWarning(UserWarning):
    """A model was saved with different library versions from the ones loading it."""


# --- calibrators: log-odds -> probability --------------------------------------------


@dataclass(frozen=True)
class IsotonicCalibrator:
    """Centred isotonic map from log-odds to probability, strictly increasing.

    ``x_thresholds`` are the centres of the isotonic fit's blocks and ``y_thresholds`` their
    (strictly increasing) outcome rates. Between centres the probability is interpolated
    linearly; beyond the outermost centres it follows the model's own log-odds with slope 1.
    So the calibrator never ties two different scores, and ranking by probability is
    ranking by the model's output.
    """

    x_thresholds: tuple[float, ...]
    y_thresholds: tuple[float, ...]
    method: str = field(default="isotonic", init=False)

    def predict(self, logodds: np.ndarray) -> np.ndarray:
        z = np.asarray(logodds, dtype=float)
        x, y = np.asarray(self.x_thresholds), np.asarray(self.y_thresholds)
        p = np.interp(z, x, y)
        ends = np.clip(y[[0, -1]], _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)
        below, above = z < x[0], z > x[-1]
        p[below] = sigmoid(np.log(ends[0] / (1 - ends[0])) + z[below] - x[0])
        p[above] = sigmoid(np.log(ends[1] / (1 - ends[1])) + z[above] - x[-1])
        return np.clip(p, _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)

    def to_dict(self) -> dict:
        return {"method": "isotonic", "x_thresholds": list(self.x_thresholds),
                "y_thresholds": list(self.y_thresholds)}


@dataclass(frozen=True)
class SigmoidCalibrator:
    """Platt scaling: ``p = 1 / (1 + exp(-(slope * logodds + intercept)))``."""

    slope: float
    intercept: float
    method: str = field(default="sigmoid", init=False)

    def predict(self, logodds: np.ndarray) -> np.ndarray:
        z = self.slope * np.asarray(logodds, dtype=float) + self.intercept
        return np.clip(sigmoid(z), _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)

    def to_dict(self) -> dict:
        return {"method": "sigmoid", "slope": self.slope, "intercept": self.intercept}


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, computed stably through tanh."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def calibrator_from_dict(record: dict) -> IsotonicCalibrator | SigmoidCalibrator:
    """Rebuild a calibrator from :meth:`to_dict` output."""
    if record.get("method") == "isotonic":
        return IsotonicCalibrator(tuple(record["x_thresholds"]), tuple(record["y_thresholds"]))
    if record.get("method") == "sigmoid":
        return SigmoidCalibrator(float(record["slope"]), float(record["intercept"]))
    raise ModelIntegrityError(
        f"The model's calibrator method is {record.get('method')!r}; only 'isotonic' and "
        "'sigmoid' are known. Retrain the model or load it with the library version that saved it."
    )


# --- the artifact ----------------------------------------------------------------------


class RiskModel:
    """A trained, calibrated knife-crime risk model with its feature contract.

    Scores support a professional's judgement; they never decide anything.

    Parameters
    ----------
    booster : lightgbm.Booster
        The trained gradient-boosted trees; raw output is log-odds.
    calibrator : IsotonicCalibrator or SigmoidCalibrator
        Maps raw log-odds to a calibrated probability of the label.
    feature_names : list of str
        Input columns, in the booster's order.
    feature_dtypes : dict
        Column name to the dtype seen at training (as a string).
    registry : features.FeatureRegistry
        Declarations of the inputs (plain-English descriptions, sources, directions).
    label_definition : features.LabelDefinition or dict
        The versioned label definition the model was trained to predict (a dict is read
        with ``LabelDefinition.from_dict``); kept as a ``LabelDefinition``.
    training_probabilities : array-like
        Calibrated probabilities of the reference population (sorted on construction),
        from which :meth:`position` reads ventiles.
    band_thresholds : dict
        Band name to the minimum probability for the band, e.g.
        ``{"high": 0.05, "raised": 0.01, "low": 0.0}``; must include a band at 0.
    metadata : dict, optional
        Name, version, run id, split dates, data fingerprint, seeds, library and code versions.
    documents : dict, optional
        File name (``*.json``) to a JSON-ready dict saved in the model folder beside the
        model, e.g. the monitoring reference ``training_reference.json``.
    """

    def __init__(self, booster, calibrator, feature_names, feature_dtypes, registry,
                 label_definition, training_probabilities, band_thresholds, metadata=None,
                 documents=None):
        self._booster = booster
        self._booster_text: str | None = None  # a loaded folder's booster, built on first use
        self._trees_text: bytes | None = None  # the dump of the trees (_trees_json)
        self._forest: Forest | None = None
        self.calibrator = calibrator
        self.feature_names = list(feature_names)
        self.feature_dtypes = {k: str(v) for k, v in dict(feature_dtypes).items()}
        self.registry = registry
        self.label_definition = _label_definition(label_definition)
        self.training_probabilities = np.sort(np.asarray(training_probabilities, dtype=float))
        self.band_thresholds = _checked_bands(band_thresholds)
        self.metadata = dict(metadata or {})
        self.signature = None
        self.documents = dict(documents or {})

    def __repr__(self) -> str:
        name = self.metadata.get("name", "unnamed")
        version = self.metadata.get("version", "unregistered")
        return f"RiskModel(name={name!r}, version={version!r}, features={len(self.feature_names)})"

    # -- scoring ------------------------------------------------------------------------

    def check_features(self, X: pd.DataFrame) -> None:
        """Refuse ``X`` unless it has exactly the training columns with compatible dtypes.

        The key columns ``person_id``, ``as_of`` and ``label`` are ignored if present.

        Raises
        ------
        FeatureMismatchError
            With a diff of missing and extra columns and dtype changes.
        """
        if not isinstance(X, pd.DataFrame):
            raise FeatureMismatchError(
                f"The model needs a pandas DataFrame of features; got {type(X).__name__}."
            )
        offered = [c for c in X.columns if c not in KEY_COLUMNS]
        missing = [c for c in self.feature_names if c not in set(offered)]
        extra = [c for c in offered if c not in set(self.feature_names)]
        changed = [
            f"{c}: {self.feature_dtypes.get(c, '?')} -> {X[c].dtype}"
            for c in self.feature_names
            if c in X.columns and _dtype_family(X[c].dtype) != _family_of(self.feature_dtypes.get(c))
        ]
        if missing or extra or changed:
            raise FeatureMismatchError(_mismatch_message(missing, extra, changed))

    @property
    def booster(self):
        """The trained ``lightgbm.Booster`` (built from the folder's text on first use after :meth:`load`)."""
        if self._booster is None:
            self._booster = _lightgbm().Booster(model_str=self._booster_text)
        return self._booster

    @property
    def forest(self) -> Forest:
        """The trees the booster predicts with, parsed from their dump (:meth:`_trees_json`)."""
        if self._forest is None:
            self._forest = Forest.from_dump(json.loads(self._trees_json()))
        return self._forest

    def _trees_json(self) -> bytes:
        """LightGBM's dump of the trees as ``trees.json`` holds it: a loaded folder's, read without
        LightGBM, or the booster's ``dump_model()`` (0.3 s for 300 trees), taken once for both
        :attr:`forest` and :meth:`save`."""
        if self._trees_text is None:
            self._trees_text = json.dumps(self.booster.dump_model()).encode("utf-8")
        return self._trees_text

    def predict_logodds(self, X: pd.DataFrame) -> np.ndarray:
        """Raw model output (log-odds), the quantity the contributions decompose."""
        return self.booster.predict(self._matrix(X), raw_score=True)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the label for each row of ``X``."""
        return self.calibrator.predict(self.predict_logodds(X))

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Exact tree SHAP values in log-odds, one column per feature plus ``base``.

        Each row sums to :meth:`predict_logodds` for that row. The values are exact tree
        SHAP, LightGBM's ``pred_contrib``, computed from its formula once per distinct
        pattern of each leaf's path conditions (:mod:`riskmodel._treeshap`). The index is
        ``X``'s index.
        """
        return self.contributions_and_logodds(X)[0]

    def contributions_and_logodds(self, X: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """:meth:`contributions` and :meth:`predict_logodds` from one pass over the trees.

        The log-odds are the values of the leaves each row reaches, added tree by tree as
        LightGBM adds them, so they equal :meth:`predict_logodds` exactly. The pass reads
        :attr:`forest`, for any number of rows, so the values never depend on whether
        LightGBM is loaded; only trees the per-pattern pass cannot take
        (:attr:`Forest.by_pattern`) go to LightGBM's ``pred_contrib``.
        """
        matrix = self._matrix(X)
        columns = [*self.feature_names, "base"]
        if len(matrix) == 0:
            return pd.DataFrame(np.empty((0, len(columns))), columns=columns, index=X.index), np.zeros(0)
        forest = self.forest
        values, logodds = forest.decompose(matrix) if forest.by_pattern else lightgbm_decomposition(self.booster, matrix)
        return pd.DataFrame(values, columns=columns, index=X.index), logodds

    def position(self, probability) -> np.ndarray:
        """Position 1-20 of each probability in the reference distribution.

        Position ``k`` means that at least ``5 * (k - 1)`` percent of the reference
        population scored strictly lower; the lowest score is always position 1.
        """
        p = np.asarray(probability, dtype=float)
        below = np.searchsorted(self.training_probabilities, p, side="left")
        share = below / max(len(self.training_probabilities), 1)
        return np.clip(1 + np.floor(share * POSITIONS).astype(int), 1, POSITIONS)

    def band(self, probability) -> np.ndarray:
        """The band name of each probability: the band with the highest threshold it reaches."""
        p = np.asarray(probability, dtype=float)
        ordered = sorted(self.band_thresholds.items(), key=lambda item: item[1])
        names = np.array([name for name, _ in ordered], dtype=object)
        cuts = np.array([cut for _, cut in ordered])
        return names[np.searchsorted(cuts, p, side="right") - 1]

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        self.check_features(X)
        return X[self.feature_names].to_numpy(dtype="float64", na_value=np.nan)

    # -- persistence --------------------------------------------------------------------

    def save(self, path, *, signing_key: bytes | None = None) -> Path:
        """Write the model folder (booster, its dumped trees, metadata, reference distribution) and sign it.

        The signature covers every file in the folder when it is signed, including any
        already there; a file written into the folder afterwards makes :meth:`load` refuse it
        until the folder is signed again (:func:`riskmodel.sign_model_folder`).

        Parameters
        ----------
        path : path-like
            The folder to write (created if absent).
        signing_key : bytes, optional
            The model signing key; by default read from ``RISKMODEL_SIGNING_KEY``.

        Returns
        -------
        Path
            The folder. The signature (hex) is kept in :attr:`signature`.

        Raises
        ------
        riskmodel.SigningKeyError
            If no signing key is given or configured, or it is weak.
        """
        key = load_signing_key() if signing_key is None else signing_key
        documents = {_document_name(name): document for name, document in self.documents.items()}
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        text = self.booster.model_to_string() if self._booster_text is None else self._booster_text
        (folder / _MODEL_FILE).write_text(text, encoding="utf-8")
        (folder / _TREES_FILE).write_bytes(self._trees_json())
        (folder / _METADATA_FILE).write_text(
            json.dumps(self._manifest(), indent=2, sort_keys=True, default=str), encoding="utf-8"
        )
        np.save(folder / _REFERENCE_FILE, self.training_probabilities, allow_pickle=False)
        for name, document in documents.items():
            (folder / name).write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        self.signature = sign_model_folder(folder, key)
        return folder

    @classmethod
    def load(cls, path, *, signing_key: bytes | None = None, description: str | None = None) -> RiskModel:
        """Load a model folder written by :meth:`save`, after verifying its signature.

        Nothing in the folder is parsed until the signature over every file holds; each file
        is then read once and checked again against the signed manifest.

        Parameters
        ----------
        path : path-like
        signing_key : bytes, optional
            The model signing key; by default read from ``RISKMODEL_SIGNING_KEY``.
        description : str, optional
            How messages name the model (by default, by its folder).

        Raises
        ------
        ModelIntegrityError
            If the folder is unsigned, its signature manifest is malformed, it was signed with
            another key, any file was changed, added or removed, or it is in another format.
        riskmodel.SigningKeyError
            If no signing key is given or configured, or it is weak.
        """
        key = load_signing_key() if signing_key is None else signing_key
        signed = verify_model_folder(path, key, description=description)
        manifest = json.loads(signed.read(_METADATA_FILE).decode("utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelIntegrityError(
                f"{signed.label} is in format {manifest.get('format_version')!r}; this "
                f"library reads format {FORMAT_VERSION}. Load it with the library version that saved "
                "it, or retrain."
            )
        _warn_on_versions(manifest.get("metadata", {}).get("library_versions", {}))
        model = cls(
            booster=None,
            calibrator=calibrator_from_dict(manifest["calibrator"]),
            feature_names=manifest["feature_names"],
            feature_dtypes=manifest["feature_dtypes"],
            registry=FeatureRegistry.from_dict(manifest["registry"]),
            label_definition=_stored_label(manifest["label_definition"], signed.label),
            training_probabilities=np.load(io.BytesIO(signed.read(_REFERENCE_FILE)), allow_pickle=False),
            band_thresholds=manifest["band_thresholds"],
            metadata=manifest.get("metadata", {}),
            documents=_read_documents(signed),
        )
        model._booster_text = signed.read(_MODEL_FILE).decode("utf-8")
        if _TREES_FILE in signed.files:  # folders saved before the dump was kept have none
            model._trees_text = signed.read(_TREES_FILE)
        model.signature = signed.signature
        return model

    def _manifest(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "feature_names": self.feature_names,
            "feature_dtypes": self.feature_dtypes,
            "registry": self.registry.to_dict(),
            "label_definition": self.label_definition.to_dict(),
            "calibrator": self.calibrator.to_dict(),
            "band_thresholds": self.band_thresholds,
            "metadata": self.metadata,
        }


# --- helpers ---------------------------------------------------------------------------


def _stored_label(data: dict, where: str) -> LabelDefinition:
    try:
        return LabelDefinition.from_dict(data)
    except (TypeError, ValueError) as error:
        raise ModelIntegrityError(
            f"{where} stores a label definition this library cannot read: {error} Retrain the model, "
            "or load it with the library version that saved it."
        ) from None


def _label_definition(label) -> LabelDefinition:
    return label if isinstance(label, LabelDefinition) else LabelDefinition.from_dict(dict(label))


def library_versions() -> dict:
    """Versions of the libraries a saved model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("lightgbm", "numpy", "pandas", "riskmodel"):  # from the installed metadata, without importing
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def _checked_bands(band_thresholds) -> dict:
    bands = {str(k): float(v) for k, v in dict(band_thresholds).items()}
    if not bands or min(bands.values()) > 0 or any(not 0 <= v <= 1 for v in bands.values()):
        raise ValueError(
            "The band thresholds must map band names to minimum probabilities between 0 and 1, "
            "with one band starting at 0 (for example {'high': 0.05, 'raised': 0.01, 'low': 0}); "
            f"got bands {sorted(bands)} with thresholds {sorted(bands.values())}."
        )
    return bands


def _dtype_family(dtype) -> str:
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    return "text"


def _family_of(dtype_name: str | None) -> str:
    if dtype_name is None:
        return "missing"
    try:
        return _dtype_family(pd.api.types.pandas_dtype(dtype_name))
    except TypeError:
        return "text"


def _mismatch_message(missing: list[str], extra: list[str], changed: list[str]) -> str:
    parts = ["The feature columns differ from the ones the model was trained on."]
    if missing:
        parts.append(f"Missing ({len(missing)}): {', '.join(missing)}.")
    if extra:
        parts.append(f"Extra ({len(extra)}): {', '.join(extra)}.")
    if changed:
        parts.append(f"Changed type ({len(changed)}): {'; '.join(changed)}.")
    parts.append(
        "Build the features with the same registry and library version as the model, "
        "or retrain the model on the new features."
    )
    return " ".join(parts)


def _document_name(name: str) -> str:
    if Path(name).name != name or not name.endswith(".json") or name in _RESERVED_JSON:
        raise ValueError(
            f"A model document must be a plain '.json' file name other than {', '.join(_RESERVED_JSON)}; "
            f"got {name!r}."
        )
    return name


def _read_documents(signed) -> dict:
    """The extra JSON documents of a verified folder (every signed top-level ``.json`` but the metadata and trees)."""
    extra = [n for n in signed.files if Path(n).name == n and n.endswith(".json") and n not in _RESERVED_JSON]
    return {name: json.loads(signed.read(name).decode("utf-8")) for name in extra}


def _warn_on_versions(saved: dict) -> None:
    current = library_versions()
    differing = [
        f"{lib} {saved[lib]} (now {current[lib]})"
        for lib in sorted(saved)
        if lib in current and saved[lib] != current[lib]
    ]
    if differing:
        warnings.warn(
            "The model was saved with different library versions: " + ", ".join(differing)
            + ". Scores may differ slightly; retrain with the current versions to be sure.",
            ModelVersionWarning,
            stacklevel=3,
        )
