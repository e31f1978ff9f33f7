"""from_torch: nn.Sequential modules as finf Models that give the module's outputs."""

import numpy as np
import pytest
import torch

import finf
from convert_data import assert_agrees, diabetes, iris, random_numbers
from finf_train.convert import from_torch

nn = torch.nn
torch.set_num_threads(1)  # these networks are tiny; threads only fight over the shared cores


def trained(module, X, y, loss, steps=100):
    """module after a few Adam steps on (X, y): weights a real model would have, quickly."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(module.parameters(), lr=0.02)
    inputs = torch.tensor(X, dtype=torch.float32)
    for _ in range(steps):
        optimizer.zero_grad()
        loss(module(inputs), y).backward()
        optimizer.step()
    return module.eval()


def outputs(module, X):
    with torch.no_grad():
        return module(torch.tensor(np.asarray(X), dtype=torch.float32)).double().numpy()


@pytest.fixture(scope="module")
def iris_data():
    X, species, names = iris()
    classes = sorted(set(species))
    y = torch.tensor([classes.index(s) for s in species])
    mean, std = X.mean(axis=0), X.std(axis=0)
    return X, y, names, classes, mean, std


def test_softmax_classifier_with_a_normalizer_agrees(iris_data):
    X, y, names, classes, mean, std = iris_data
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3), nn.Softmax(dim=-1))
    trained(module, (X - mean) / std, y, lambda p, y: nn.functional.nll_loss(torch.log(p), y))
    model = from_torch(module, (mean, std), classes, names, target="species")
    assert model.classes == tuple(classes) and [f.name for f in model.features] == names
    assert [f.mean for f in model.features] == pytest.approx(mean, rel=1e-6)  # the normalizer is the file's own
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, outputs(module, (rows - mean) / std), rows.tolist())
    assert [layer.describe() for layer in model.layers] == ["Linear(4, 16)", "ReLU", "Linear(16, 3)", "Softmax"]


@pytest.mark.parametrize("activation", [nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity])
def test_logits_read_as_a_classifier_when_classes_are_given(iris_data, activation):
    X, y, names, classes, mean, std = iris_data
    torch.manual_seed(1)
    module = nn.Sequential(nn.Linear(4, 8), activation(), nn.Sequential(nn.Linear(8, 8), activation()),
                           nn.Linear(8, 3))
    trained(module, (X - mean) / std, y, nn.functional.cross_entropy)
    model = from_torch(module, finf.Normalizer(mean.tolist(), std.tolist()), classes)
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, torch.softmax(torch.tensor(outputs(module, (rows - mean) / std)), -1).numpy(), rows.tolist())
    assert model.layers[-1] == finf.Softmax()


@pytest.mark.parametrize("last", [None, nn.Sigmoid], ids=["one logit", "sigmoid"])
def test_one_output_of_two_classes_is_the_second_class(iris_data, last):
    X, y, _, _, mean, std = iris_data
    torch.manual_seed(2)
    module = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1), *([last()] if last else []))
    target = (y == 2).float()[:, None]
    loss = nn.functional.binary_cross_entropy if last else nn.functional.binary_cross_entropy_with_logits
    trained(module, (X - mean) / std, target, loss)
    model = from_torch(module, (mean, std), ["other", "virginica"])
    rows = np.vstack([X, random_numbers(X)])
    p = outputs(module, (rows - mean) / std)[:, 0]
    p = p if last else 1 / (1 + np.exp(-p))
    assert_agrees(model, np.stack([1 - p, p], axis=1), rows.tolist())


def test_one_output_without_classes_is_a_regressor():
    X, y = diabetes()
    mean, std = X.mean(axis=0), X.std(axis=0)
    torch.manual_seed(3)
    module = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 1))
    trained(module, (X - mean) / std, torch.tensor(y, dtype=torch.float32)[:, None], nn.functional.mse_loss, 300)
    model = from_torch(module, (mean, std), target="progression")
    assert model.task == "regression"
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, outputs(module, (rows - mean) / std)[:, 0], rows.tolist(), y)


def test_finf_features_as_the_normalizer_take_categories_and_missing_values():
    features = [finf.CategoricalFeature("island", ["Biscoe", "Dream", "Torgersen"], fill="Biscoe"),
                finf.NumericFeature("bill_length_mm", 43.9, 5.4, fill=43.9)]
    torch.manual_seed(4)
    module = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(-1))
    model = from_torch(module, features, ["Adelie", "Chinstrap", "Gentoo"])
    rows = [[island, bill] for island in ("Biscoe", "Dream", "Torgersen", None) for bill in (30.0, 45.5, 70.0, None)]
    encoded = []
    for island, bill in rows:
        onehot = [float(island == c) for c in ("Biscoe", "Dream", "Torgersen")] if island else [1.0, 0.0, 0.0]
        encoded.append(onehot + [((43.9 if bill is None else bill) - 43.9) / 5.4])
    assert_agrees(model, outputs(module, encoded), rows)


def test_without_a_normalizer_the_module_reads_raw_numbers(iris_data):
    X, *_ = iris_data
    torch.manual_seed(5)
    module = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Softmax(dim=1))
    model = from_torch(module)
    assert [f.name for f in model.features] == ["x0", "x1", "x2", "x3"] and model.classes == ("0", "1", "2")
    assert_agrees(model, outputs(module, X), X.tolist())


@pytest.mark.parametrize("module, kwargs, message", [
    (nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 3)), {"classes": "abc"},
     r"module\[1\]: GELU is not supported; supported: Linear, ReLU, Sigmoid, Tanh, Softmax \(over the last "
     r"dimension\), Identity, Dropout, nn.Sequential"),
    (nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(-1)), {}, r"module\[1\]: LogSoftmax is not supported"),
    (nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=0)), {}, r"module\[1\]: Softmax\(dim=0\) is not supported"),
    (nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 3)), {}, r"BatchNorm1d is not supported"),
    (nn.Conv1d(1, 1, 3), {}, r"module: Conv1d is not supported"),
    (nn.Sequential(nn.ReLU()), {}, r"module: no Linear layer"),
    (nn.Sequential(nn.Linear(4, 3)), {}, r"3 outputs and no Softmax; give classes to read them as a classifier's "
                                         r"logits \(a regressor has one output\)"),
    (nn.Sequential(nn.Linear(4, 1), nn.ReLU()), {}, r"a regressor's output after ReLU"),
    (nn.Sequential(nn.Linear(4, 3)), {"classes": ["a", "b"]}, r"classes: expected 3 names \(the module's outputs\)"),
    (nn.Sequential(nn.Linear(4, 3)), {"normalizer": ([0, 0, 0], [1, 1, 1]), "classes": "abc"},
     r"normalizer: expected 4 means and stds \(the first Linear's in_features\), found 3 and 3"),
    (nn.Sequential(nn.Linear(4, 3)), {"normalizer": ([0] * 4, [1, 1, 0, 1]), "classes": "abc"},
     r"normalizer: expected finite means and finite stds > 0"),
    (nn.Sequential(nn.Linear(4, 3)), {"feature_names": ["a"], "classes": "abc"}, r"feature_names: expected 4 names"),
], ids=["gelu", "log-softmax", "softmax dim 0", "batchnorm", "conv", "no linear", "outputs", "relu output",
        "classes", "normalizer width", "zero std", "names"])
def test_unsupported_modules_are_errors_naming_the_layer_and_what_is_supported(module, kwargs, message):
    with pytest.raises(ValueError, match=message):
        from_torch(module, **kwargs)
