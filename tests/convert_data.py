"""Data and checks shared by the conversion tests: the tables, random rows in and out of range, agreement."""

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# FINF stores float32: probabilities agree to 1e-5, and a regressor's value to 1e-5 of its own size or of the
# target's typical size (the mean |y| of its training rows), whichever is larger: a prediction near 0 is a sum
# of terms as large as any other's, each rounded to float32.
TOLERANCE = 1e-5
PENGUIN_NUMBERS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
PENGUIN_CATEGORIES = ["island", "sex"]


def iris():
    """(X (150, 4) float, y class names, feature names)."""
    import pandas as pd

    frame = pd.read_csv(ROOT / "data" / "iris.csv")
    names = [c for c in frame.columns if c != "species"]
    return frame[names].to_numpy(dtype=np.float64), frame["species"].to_numpy(dtype=object), names


def penguins():
    """(DataFrame of the feature columns with NaN for NA, species): categories as text, year a number."""
    import pandas as pd

    frame = pd.read_csv(ROOT / "data" / "penguins.csv")
    X = frame.drop(columns="species").astype({c: object for c in PENGUIN_CATEGORIES})
    for c in PENGUIN_CATEGORIES:  # pandas reads NA as NaN: keep it as the one missing marker
        X[c] = [v if isinstance(v, str) else np.nan for v in X[c]]
    return X, frame["species"].to_numpy(dtype=object)


def diabetes():
    import pandas as pd

    frame = pd.read_csv(ROOT / "data" / "diabetes.csv")
    return frame.drop(columns="progression").to_numpy(dtype=np.float64), frame["progression"].to_numpy()


def random_numbers(X, n=300, seed=0, missing=0.0):
    """n rows (n, columns) uniform over twice each column's range, so a third lie outside it; some NaN."""
    rng = np.random.default_rng(seed)
    low, high = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    span = high - low
    rows = rng.uniform(low - span / 2, high + span / 2, size=(n, X.shape[1]))
    if missing:
        rows[rng.random(rows.shape) < missing] = np.nan
    return rows


def random_penguins(X, n=400, seed=0):
    """n random penguin rows: numbers in and out of range, every category, a fifth of the cells missing."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    numbers = random_numbers(X[PENGUIN_NUMBERS + ["year"]].to_numpy(dtype=np.float64), n, seed, 0.2)
    rows = pd.DataFrame(numbers, columns=PENGUIN_NUMBERS + ["year"])
    rows["year"] = rng.choice([2007, 2008, 2009], n)
    for c in PENGUIN_CATEGORIES:
        known = sorted(v for v in set(X[c]) if isinstance(v, str))
        values = [known[i % len(known)] for i in range(n)]  # every category, many times
        rows[c] = [np.nan if rng.random() < 0.2 else v for v in values]
        rows[c] = rows[c].astype(object)
    return rows[list(X.columns)]


def finf_rows(model, frame):
    """The rows of a DataFrame (or array) as the finf model takes them: by feature name, None for missing."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(np.asarray(frame), columns=[f.name for f in model.features])
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for feature in model.features:
            value = record[feature.name]
            if value is None or (isinstance(value, float) and value != value):
                row[feature.name] = None
            elif feature.kind == "categorical":
                row[feature.name] = value if isinstance(value, str) else str(int(value))
            else:
                row[feature.name] = float(value)
        rows.append(row)
    return rows


def assert_agrees(model, reference, finf_input, y_train=None):
    """finf's predictions for finf_input (rows) match reference: (n, K) probabilities or (n,) values.

    A regressor's tolerance scales with y_train's mean |y| (see TOLERANCE).
    """
    reference = np.asarray(reference, dtype=np.float64)
    if model.task == "classification":
        found = np.array(model.predict_proba_batch(finf_input))
        assert found.shape == reference.shape
        worst = np.max(np.abs(found - reference))
        assert worst <= TOLERANCE, f"max |Δp| = {worst:.3g}"
    else:
        found = np.array(model.predict_batch(finf_input))
        typical = max(1.0, float(np.mean(np.abs(y_train)))) if y_train is not None else 1.0
        worst = np.max(np.abs(found - reference.ravel()) / np.maximum(typical, np.abs(reference.ravel())))
        assert worst <= TOLERANCE, f"max relative |Δ| = {worst:.3g}"
    return worst
