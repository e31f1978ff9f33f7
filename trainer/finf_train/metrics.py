"""How good a model is, beside what a model that learned nothing would score.

Classification: accuracy, with the majority class (of the training rows) as the baseline, and the
confusion matrix. Regression: R², MAE and RMSE, with the training rows' mean as the baseline prediction.
"""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts (n_classes, n_classes): rows are the true class, columns the predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def accuracy(y_true, y_pred):
    return float(np.mean(y_true == y_pred)) if len(y_true) else None


def regression_scores(y_true, y_pred):
    """{"r2", "mae", "rmse"} of predictions y_pred for y_true (None where there are no rows)."""
    if not len(y_true):
        return {"r2": None, "mae": None, "rmse": None}
    error = y_pred - y_true
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    r2 = 1.0 - float(np.sum(error**2)) / total if total > 0 else (1.0 if not error.any() else 0.0)
    return {"r2": r2, "mae": float(np.mean(np.abs(error))), "rmse": float(np.sqrt(np.mean(error**2)))}


def classification_metrics(y, predicted, train_index, val_index, n_classes):
    """The card's metrics for a classifier: accuracies, the majority-class baseline and the confusion matrix.

    Shown rows are the validation rows, or every row when there is no validation split.
    """
    shown = val_index if len(val_index) else np.arange(len(y))
    majority = int(np.bincount(y[train_index], minlength=n_classes).argmax())
    return {
        "train_accuracy": accuracy(y[train_index], predicted[train_index]),
        "val_accuracy": accuracy(y[val_index], predicted[val_index]),
        "accuracy": accuracy(y, predicted),
        "baseline_accuracy": accuracy(y[shown], np.full(len(shown), majority)),
        "baseline_class": majority,
        "confusion_matrix": confusion_matrix(y[shown], predicted[shown], n_classes).tolist(),
    }


def regression_metrics(y, predicted, train_index, val_index):
    """The card's metrics for a regressor: R², MAE and RMSE on each split, and the predict-the-mean baseline."""
    shown = val_index if len(val_index) else np.arange(len(y))
    mean = float(y[train_index].mean())
    return {
        "train": regression_scores(y[train_index], predicted[train_index]),
        "validation": regression_scores(y[val_index], predicted[val_index]),
        "all_rows": regression_scores(y, predicted),
        "baseline": regression_scores(y[shown], np.full(len(shown), mean)),
    }


def evaluate(task, y, predicted, n_classes=None):
    """Metrics on one labelled set of rows (`finf evaluate`): the same measures, the baseline from these rows."""
    if task == "classification":
        majority = int(np.bincount(y, minlength=n_classes).argmax())
        return {"rows": len(y), "accuracy": accuracy(y, predicted),
                "baseline_accuracy": accuracy(y, np.full(len(y), majority)), "baseline_class": majority,
                "confusion_matrix": confusion_matrix(y, predicted, n_classes).tolist()}
    scores = regression_scores(y, predicted)
    return {"rows": len(y), **scores, "baseline": regression_scores(y, np.full(len(y), float(y.mean())))}
