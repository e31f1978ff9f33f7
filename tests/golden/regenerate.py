"""Rewrite the golden case: `.venv/bin/python tests/golden/regenerate.py` from the repository root.

iris.bin and iris.json are `finf train data/iris.csv --target species` with default settings (a v2 file);
penguins-small.bin and .json a small v3 file (docs/FORMAT.md dumps it, the Pyodide tests run it); expected.json
holds a dozen rows and the probabilities the trainer's numpy forward pass computes from iris.bin's weights.
The engine must reproduce them (CPython, Pyodide and the page), and retraining must reproduce iris.bin.
"""

import json
from pathlib import Path

import finf
import finf_train

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parent.parent
ROWS = [
    [5.1, 3.5, 1.4, 0.2],  # the textbook setosa (row 1 of the data)
    [6.3, 3.3, 6.0, 2.5],  # the textbook virginica (row 101)
    [7.0, 3.2, 4.7, 1.4],  # first versicolor (row 51)
    [4.9, 3.0, 1.4, 0.2],
    [5.7, 2.8, 4.1, 1.3],
    [5.9, 3.0, 5.1, 1.8],  # last row of the data
    [6.0, 2.2, 5.0, 1.5],  # versicolor and virginica overlap here
    [4.9, 2.5, 4.5, 1.7],
    [6.3, 2.8, 5.1, 1.5],
    [5.8, 4.0, 1.2, 0.2],
    [0.0, 0.0, 0.0, 0.0],  # far outside the data: the network extrapolates
    [10.0, 5.0, 8.0, 3.0],
]


def main():
    result = finf_train.train(ROOT / "data" / "iris.csv", "species")
    finf_train.save(result, GOLDEN / "iris.bin")
    model = finf.load((GOLDEN / "iris.bin").read_bytes())
    probabilities = finf_train.predict_proba(model, ROWS).tolist()
    expected = {"model_file": "iris.bin", "classes": result.card["classes"], "rows": ROWS,
                "probabilities": probabilities}
    (GOLDEN / "expected.json").write_text(_dumps(expected))
    print(f"wrote {GOLDEN / 'iris.bin'} ({len(result.model_bytes)} bytes), iris.json and expected.json")
    small = finf_train.train(ROOT / "data" / "penguins.csv", "species", missing="impute", hidden=(),
                             ignore=["bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"])
    finf_train.save(small, GOLDEN / "penguins-small.bin")
    print(f"wrote {GOLDEN / 'penguins-small.bin'} ({len(small.model_bytes)} bytes) and penguins-small.json")


def _dumps(expected):
    """JSON with one row per line, so a diff shows which row changed."""
    lines = []
    for key, value in expected.items():
        if key in ("rows", "probabilities"):
            inner = ",\n".join(f"    {json.dumps(row)}" for row in value)
            lines.append(f'  "{key}": [\n{inner}\n  ]')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    main()
