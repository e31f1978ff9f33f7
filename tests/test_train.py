"""Training end to end: the split, determinism, the Iris targets, other data sets, and the engine agreeing."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import finf
import finf_train
from finf_train import Dataset, fit, from_finf, predict_proba, read_csv, stratified_split, train

IRIS = Path(__file__).parent.parent / "data" / "iris.csv"


@pytest.fixture(scope="module")
def iris():
    return read_csv(IRIS, "species")


@pytest.fixture(scope="module")
def iris_result(iris):
    return train(iris)


def dataset(X, y):
    """A Dataset of numeric features and class indices y, built in memory as if read from a CSV."""
    X = np.asarray(X, dtype=np.float64)
    names = [f"x{j}" for j in range(X.shape[1])]
    classes = [str(c) for c in range(int(y.max()) + 1)]
    return Dataset(X, np.asarray(y), names, classes, "label", [None] * X.shape[1], np.arange(2, len(y) + 2), "mem")


def test_iris_file_is_the_150_row_data_set(iris):
    assert IRIS.read_text().splitlines()[0] == (
        "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species"
    )
    assert iris.X.shape == (150, 4)
    assert iris.classes == ["setosa", "versicolor", "virginica"]
    assert np.bincount(iris.y).tolist() == [50, 50, 50]
    assert iris.X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert "5.1,3.5,1.4,0.2,setosa" in IRIS.read_text()  # the source's decimals, not 5.09999...


def test_iris_matches_scikit_learns_copy(iris):
    datasets = pytest.importorskip("sklearn.datasets")
    source = datasets.load_iris()
    np.testing.assert_array_equal(iris.X, source.data)
    np.testing.assert_array_equal(iris.y, source.target)
    assert iris.feature_names == list(source.feature_names)


def test_stratified_split_keeps_class_proportions(iris):
    train_index, val_index = stratified_split(iris.y, 0.2, seed=0)
    assert len(train_index) == 120 and len(val_index) == 30
    assert np.bincount(iris.y[val_index]).tolist() == [10, 10, 10]
    assert sorted(np.concatenate([train_index, val_index]).tolist()) == list(range(150))


def test_stratified_split_depends_on_the_seed_only(iris):
    a = stratified_split(iris.y, 0.2, seed=1)
    b = stratified_split(iris.y, 0.2, seed=1)
    c = stratified_split(iris.y, 0.2, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_puts_a_row_of_each_class_on_each_side():
    y = np.array([0] * 3 + [1] * 40)
    train_index, val_index = stratified_split(y, 0.1, seed=0)
    assert set(y[val_index]) == {0, 1} and set(y[train_index]) == {0, 1}


def test_stratified_split_without_validation():
    train_index, val_index = stratified_split(np.array([0, 1, 1, 0]), 0.0)
    assert train_index.tolist() == [0, 1, 2, 3] and val_index.tolist() == []


def test_default_iris_training_meets_the_targets(iris_result):
    metrics = iris_result.metrics
    assert metrics["val_accuracy"] >= 0.96
    assert metrics["accuracy"] >= 0.98
    assert len(iris_result.model_bytes) <= 1200
    model = finf.load(iris_result.model_bytes)
    classes = iris_result.card["classes"]
    assert classes[model.predict([5.1, 3.5, 1.4, 0.2])] == "setosa"
    assert classes[model.predict([6.3, 3.3, 6.0, 2.5])] == "virginica"


def test_metrics_are_those_of_the_written_float32_model(iris, iris_result):
    model = finf.load(iris_result.model_bytes)
    predicted = np.array(model.predict_batch(iris.X.tolist()))
    correct = predicted == iris.y
    assert iris_result.metrics["accuracy"] == correct.mean()
    assert iris_result.metrics["val_accuracy"] == correct[iris_result.val_index].mean()
    assert iris_result.metrics["train_accuracy"] == correct[iris_result.train_index].mean()
    matrix = np.array(iris_result.metrics["confusion_matrix"])
    assert matrix.sum() == 30 and matrix.sum(axis=1).tolist() == [10, 10, 10]
    assert np.trace(matrix) == round(30 * iris_result.metrics["val_accuracy"])


def test_engine_matches_numpy_forward_pass_on_every_iris_row(iris, iris_result):
    model = finf.load(iris_result.model_bytes)
    expected = predict_proba(model, iris.X)  # (150, 3)
    got = np.array(model.predict_proba_batch(iris.X.tolist()))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    assert np.abs(got - expected).max() < 1e-9  # in practice they agree far more closely


def test_normalizer_is_fitted_on_the_training_split_only(iris, iris_result):
    _, mean, std = from_finf(finf.load(iris_result.model_bytes))
    train_rows = iris.X[iris_result.train_index]
    np.testing.assert_allclose(mean, train_rows.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(std, train_rows.std(axis=0), rtol=1e-6)
    assert not np.allclose(mean, iris.X.mean(axis=0), rtol=1e-6)


def test_same_data_and_seed_give_a_byte_identical_model(iris):
    assert train(iris, seed=5).model_bytes == train(iris, seed=5).model_bytes
    assert train(iris, seed=5).model_bytes != train(iris, seed=6).model_bytes


def test_minibatch_sgd_is_deterministic_and_learns(iris):
    a = train(iris, optimizer="sgd", batch_size=16, epochs=60, seed=3)
    b = train(iris, optimizer="sgd", batch_size=16, epochs=60, seed=3)
    assert a.model_bytes == b.model_bytes
    assert a.metrics["accuracy"] >= 0.95
    assert a.card["training"]["lr"] == 0.1 and a.card["training"]["batch_size"] == 16


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_other_activations_train_iris(iris, activation):
    result = train(iris, activation=activation, hidden=[16, 8])
    assert result.metrics["accuracy"] >= 0.95
    assert result.card["architecture"]["layers"][1] == activation.capitalize()


def test_no_hidden_layer_is_logistic_regression(iris):
    result = train(iris, hidden=[])
    assert result.card["architecture"]["layers"] == ["Linear(4, 3)", "Softmax"]
    assert result.card["training"]["epochs"] == finf_train.MODEL_DEFAULTS["linear"]["epochs"]
    assert result.metrics["val_accuracy"] >= 0.9


def test_xor_trains_to_100_percent(tmp_path):
    path = tmp_path / "xor.csv"
    path.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    for seed in range(5):
        result = train(path, "y", hidden=[3], activation="sigmoid", val_fraction=0, seed=seed)
        assert result.metrics["accuracy"] == 1.0, seed
        assert result.card["architecture"]["layers"] == ["Linear(2, 3)", "Sigmoid", "Linear(3, 2)", "Softmax"]
        assert result.metrics["val_accuracy"] is None
        assert np.trace(result.metrics["confusion_matrix"]) == 4


def test_two_classes_many_features_thousands_of_rows():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 12))
    y = (X[:, 0] * X[:, 1] + 0.5 * X[:, 2] > 0).astype(np.int64)  # a non-linear boundary
    X = X * np.geomspace(1e-3, 1e4, 12) + 50.0  # wildly different scales and offsets
    result = train(dataset(X, y))
    assert result.metrics["val_accuracy"] >= 0.93
    assert result.card["architecture"]["layers"][0] == "Linear(12, 32)"


def test_many_classes_in_many_dimensions():
    rng = np.random.default_rng(8)
    centres = rng.normal(scale=2.0, size=(6, 20))
    y = rng.integers(0, 6, size=1200)
    X = centres[y] + rng.normal(size=(1200, 20))
    result = train(dataset(X, y), batch_size=64, epochs=40)
    assert result.metrics["val_accuracy"] >= 0.95


def test_concentric_circles_need_the_hidden_layer():
    rng = np.random.default_rng(9)
    radius = np.where(rng.random(1000) < 0.5, 1.0, 2.0)
    angle = rng.uniform(0, 2 * np.pi, 1000)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)] + rng.normal(scale=0.1, size=(1000, 2))
    y = (radius > 1.5).astype(np.int64)
    assert train(dataset(X, y)).metrics["val_accuracy"] >= 0.98


def test_fit_is_usable_on_its_own(iris):
    train_index, val_index = stratified_split(iris.y, 0.2, seed=0)
    mean, std = finf_train.fit_normalizer(iris.X[train_index])
    X = finf_train.apply_normalizer(iris.X, mean, std)
    network = fit(X[train_index], iris.y[train_index], hidden=(8,), epochs=200, lr=0.05)
    assert (network.predict_proba(X[val_index]).argmax(axis=1) == iris.y[val_index]).mean() >= 0.9


@pytest.mark.parametrize(("settings", "message"), [
    ({"hidden": [0]}, "layer sizes must be at least 1"),
    ({"hidden": [100000, 100000]}, "a model file holds at most"),
    ({"epochs": 0}, "epochs must be at least 1"),
    ({"batch_size": 0}, "batch_size must be at least 1"),
    ({"lr": -1.0}, "lr must be a positive finite number"),
    ({"lr": float("nan")}, "lr must be a positive finite number"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of"),
    ({"activation": "gelu"}, "activation must be one of"),
    ({"val_fraction": 1.0}, r"val_fraction must be in \[0, 1\)"),
])
def test_bad_settings_are_rejected(iris, settings, message):
    with pytest.raises(ValueError, match=message):
        train(iris, **settings)


def test_a_csv_path_needs_a_target():
    with pytest.raises(ValueError, match="the name of the target column is needed"):
        train(IRIS)


def test_diverging_training_is_reported_not_written(iris):
    with pytest.raises(ValueError, match="training diverged"):
        train(iris, optimizer="sgd", lr=1e30, epochs=5)


def test_class_with_one_row_cannot_be_split(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("a,b,label\n" + "1,2,x\n2,3,x\n3,4,x\n" + "5,6,y\n")
    with pytest.raises(finf_train.CSVError, match=r"small.csv:5: column 'label': class 'y' has only 1 row"):
        train(path, "label")
    assert train(path, "label", val_fraction=0).metrics["accuracy"] > 0  # fine without a validation split


def test_card_describes_data_model_and_training(iris_result):
    card = iris_result.card
    assert card["format"] == "FINF" and card["version"] == 2 and card["target"] == "species"
    assert card["task"] == "classification"
    feature = card["features"][0]
    assert feature == {"name": "sepal length (cm)", "label": "sepal length", "unit": "cm", "kind": "numeric",
                       "min": 4.3, "max": 7.9, "mean": 5.84333, "std": 0.825301, "step": 0.025, "fill": None}
    assert card["architecture"] == {"layers": ["Linear(4, 32)", "ReLU", "Linear(32, 3)", "Softmax"], "parameters": 259}
    training = card["training"]
    assert training == {"task": "classification", "missing": "error", "optimizer": "adam", "lr": 0.01, "epochs": 300,
                        "batch_size": None, "hidden": [32], "activation": "relu", "seed": 0, "val_fraction": 0.2,
                        "train_rows": 120, "val_rows": 30}
    assert set(card["metrics"]) == {"train_accuracy", "val_accuracy", "accuracy", "baseline_accuracy", "baseline_class",
                                    "confusion_matrix", "train_seconds"}
    assert card["metrics"]["baseline_accuracy"] == pytest.approx(1 / 3)  # 10 of each class in the validation rows


def test_package_import_does_not_import_numpy():
    code = "import sys, finf_train, finf_train.cli; assert 'numpy' not in sys.modules, 'numpy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names_resolve_to_functions_and_classes_not_modules():
    for name in finf_train.__all__:
        assert not isinstance(getattr(finf_train, name), type(finf_train)), name
        assert getattr(finf_train, name).__doc__ or name == "DEFAULTS", name
