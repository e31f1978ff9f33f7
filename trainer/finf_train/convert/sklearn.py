"""scikit-learn models as finf Models: from_sklearn(estimator).

The estimator is one of ESTIMATORS (a regressor possibly inside a TransformedTargetRegressor that
standardizes its target), alone or the last step of a Pipeline whose earlier steps are
TRANSFORMERS: StandardScaler, SimpleImputer (its fill values), OneHotEncoder (its categories) and a
ColumnTransformer of those, mapped onto FINF's features (columns.py); the estimator's weights become Linear
layers. Anything else is a ValueError naming the step and what is supported, never a different model.
"""

import numpy as np

import finf

from .columns import Column, Inputs, build_model

ESTIMATORS = ("MLPClassifier", "MLPRegressor", "LogisticRegression", "LinearRegression", "Ridge")
TRANSFORMERS = ("StandardScaler", "SimpleImputer", "OneHotEncoder", "ColumnTransformer", "Pipeline", "'passthrough'")
_MLP_ACTIVATIONS = {"identity": finf.Identity, "logistic": finf.Sigmoid, "tanh": finf.Tanh, "relu": finf.ReLU}


def from_sklearn(estimator, feature_names=None, target="target"):
    """The finf Model computing what a fitted scikit-learn estimator or pipeline predicts, as its file holds it.

    feature_names default to the estimator's feature_names_in_ (a DataFrame's columns), else x0, x1, ...;
    target names what it predicts. Class names come from classes_.
    """
    steps = _steps(None, estimator)
    (name, final), transforms = steps[-1], steps[:-1]
    scaling = None
    if type(final).__name__ == "TransformedTargetRegressor":  # a regressor fitted to a standardized target
        scaling = _target_scaling(name, final)
        inner = _steps(name, final.regressor_)
        (name, final), transforms = inner[-1], transforms + inner[:-1]
    inputs = Inputs(_names(estimator, feature_names))
    for step_name, step in transforms:
        inputs.columns = _transform(step_name, step, inputs.columns, inputs)
    layers, output = _estimator_layers(name, final, target)
    if scaling is not None:
        output = finf.Regression(target, *scaling)
    return build_model(inputs, layers, output)


def _target_scaling(name, wrapper):
    """(mean, std) that turn the wrapped regressor's output into the target: prediction = output * std + mean."""
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    transformer = wrapper.transformer_
    if isinstance(transformer, FunctionTransformer) and transformer.func is None and transformer.inverse_func is None:
        return 0.0, 1.0
    if type(transformer) is not StandardScaler:
        raise ValueError(f"step {name!r}: TransformedTargetRegressor with {type(transformer).__name__} is not "
                         "supported; supported: transformer=StandardScaler() or none")
    mean = 0.0 if transformer.mean_ is None else float(transformer.mean_[0])
    std = 1.0 if transformer.scale_ is None else float(transformer.scale_[0])
    return mean, std


def _steps(name, estimator):
    """[(name, step), ...] of a Pipeline, nested ones flattened ('outer/inner'); [(name, estimator)] otherwise."""
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        return [s for inner, step in estimator.steps
                for s in _steps(inner if name is None else f"{name}/{inner}", step)]
    return [("the model" if name is None else name, estimator)]


def _names(estimator, feature_names):
    n = getattr(estimator, "n_features_in_", None)
    if n is None:
        raise ValueError(f"{type(estimator).__name__} is not fitted (it has no n_features_in_): fit it first")
    names = feature_names if feature_names is not None else getattr(estimator, "feature_names_in_", None)
    names = [f"x{i}" for i in range(n)] if names is None else [str(name) for name in names]
    if len(names) != n:
        raise ValueError(f"feature_names: expected {n} names (the estimator's inputs), found {len(names)}")
    if len(set(names)) != n:
        raise ValueError("feature_names: names must be unique")
    return names


def _unsupported(name, step, what):
    return ValueError(f"step {name!r}: {type(step).__name__}{what} is not supported; supported before the estimator: "
                      f"{', '.join(TRANSFORMERS)}")


def _transform(name, step, columns, inputs):
    """The columns step outputs for its input columns (recording fills and categories in inputs)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    if step is None or (isinstance(step, str) and step == "passthrough"):
        return columns
    if isinstance(step, FunctionTransformer) and step.func is None:  # the identity: how remainder passes through
        return columns
    if isinstance(step, Pipeline):
        for inner_name, inner in step.steps:
            columns = _transform(f"{name}/{inner_name}", inner, columns, inputs)
        return columns
    kind = {StandardScaler: _scaler, SimpleImputer: _imputer, OneHotEncoder: _one_hot,
            ColumnTransformer: _column_transformer}.get(type(step))
    if kind is None:
        raise _unsupported(name, step, "")
    n = getattr(step, "n_features_in_", None)
    if n is not None and n != len(columns):
        raise ValueError(f"step {name!r}: {type(step).__name__} takes {n} columns but gets {len(columns)}")
    return kind(name, step, columns, inputs)


def _scaler(name, scaler, columns, inputs):
    # y = (x - mean_) / scale_, with mean_ or scale_ None when with_mean or with_std is False
    n = len(columns)
    mean = np.zeros(n) if scaler.mean_ is None else np.asarray(scaler.mean_, dtype=np.float64)
    scale = np.ones(n) if scaler.scale_ is None else np.asarray(scaler.scale_, dtype=np.float64)
    return [c.then(1.0 / s, -m / s) for c, m, s in zip(columns, mean, scale, strict=True)]


def _imputer(name, imputer, columns, inputs):
    missing = imputer.missing_values
    if not (isinstance(missing, float) and missing != missing) and missing is not None:
        raise _unsupported(name, imputer, f"(missing_values={missing!r})")
    if imputer.add_indicator:
        raise _unsupported(name, imputer, "(add_indicator=True)")
    statistics = list(imputer.statistics_)
    if len(statistics) != len(columns):
        raise _unsupported(name, imputer, " dropping a column with no values (keep_empty_features=True keeps it)")
    for column, value in zip(columns, statistics, strict=True):
        j = column.source
        if j is None or column.category is not None or j in inputs.fills:
            continue  # nothing missing here any more: the imputer leaves it as it is
        if isinstance(value, str):
            if not column.raw:
                raise ValueError(f"step {name!r}: fills {inputs.name(column)} with text after it was transformed")
            inputs.fills[j] = value
            continue
        value = float(value)
        if value != value or column.scale == 0:
            raise ValueError(f"step {name!r}: no fill value for {inputs.name(column)} (it had no values in training)")
        inputs.fills[j] = (value - column.offset) / column.scale  # the fill in the raw column's units
    return columns


def _one_hot(name, encoder, columns, inputs):
    if encoder.handle_unknown not in ("error", "ignore") and encoder.handle_unknown != "warn":
        raise _unsupported(name, encoder, f"(handle_unknown={encoder.handle_unknown!r})")
    if any(c is not None for c in (getattr(encoder, "infrequent_categories_", None) or [])):
        raise _unsupported(name, encoder, " grouping infrequent categories (min_frequency, max_categories)")
    drops = getattr(encoder, "drop_idx_", None)
    out = []
    for i, (column, categories) in enumerate(zip(columns, encoder.categories_, strict=True)):
        if not column.raw:
            raise ValueError(f"step {name!r}: one-hot encodes {inputs.name(column)} after it was transformed; "
                             "FINF one-hot encodes a raw input")
        texts = [_category(name, inputs.names[column.source], value) for value in categories]
        dropped = None if drops is None or drops[i] is None else int(drops[i])
        out += [Column(column.source, text) for k, text in enumerate(texts) if k != dropped]
        if column.source in inputs.fills:
            fill = _category(name, inputs.names[column.source], inputs.fills[column.source])
            if fill in texts:
                inputs.fills[column.source] = fill
            elif encoder.handle_unknown == "error":  # scikit-learn refuses a missing value here, and so does FINF
                del inputs.fills[column.source]
            else:  # an unknown category, encoded as no category at all: one FINF has, with no weight
                texts.append(fill)
                inputs.fills[column.source] = fill
        inputs.categories[column.source] = texts
    return out


def _category(step, feature, value):
    """A category as FINF's text: text as it is, a whole number as its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():  # a column of whole numbers with NaN
        return str(int(value))
    if isinstance(value, float) and value != value:
        raise ValueError(f"step {step!r}: input {feature!r} has missing values as a category of their own; put a "
                         "SimpleImputer before the OneHotEncoder (FINF fills a missing value with a category)")
    raise ValueError(f"step {step!r}: input {feature!r} has the category {value!r}; FINF categories are text or "
                     "whole numbers")


def _column_transformer(name, transformer, columns, inputs):
    indices = getattr(transformer, "_transformer_to_input_indices", None)
    if indices is None:
        raise ValueError(f"step {name!r}: this scikit-learn's ColumnTransformer does not say which columns each "
                         "transformer took (scikit-learn 1.4 or newer does)")
    out = [None] * sum(s.stop - s.start for s in transformer.output_indices_.values())
    seen = {}
    for part, step, _ in transformer.transformers_:
        taken = [int(i) for i in indices.get(part, [])]
        for i in taken:
            if i in seen and step != "drop" and seen[i] != "drop":
                raise ValueError(f"step {name!r}: column {inputs.names[columns[i].source]!r} goes to both "
                                 f"{seen[i]!r} and {part!r}; FINF encodes each input once")
            seen.setdefault(i, part if step != "drop" else "drop")
        if step == "drop" or not taken:
            continue
        result = _transform(f"{name}/{part}", step, [columns[i] for i in taken], inputs)
        where = transformer.output_indices_[part]
        if len(result) != where.stop - where.start:
            raise ValueError(f"step {name}/{part}: gives {len(result)} columns, ColumnTransformer recorded "
                             f"{where.stop - where.start}")
        out[where] = result
    return out


def _estimator_layers(name, estimator, target):
    """([(weight (out, in), bias) or an engine activation, ...], the finf target) of the final estimator."""
    kind = type(estimator).__name__
    if kind not in ESTIMATORS:
        raise ValueError(f"step {name!r}: {kind} is not supported; supported estimators: {', '.join(ESTIMATORS)}")
    if kind.startswith("MLP"):
        return _mlp(name, estimator, target)
    weight = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
    bias = np.atleast_1d(np.asarray(estimator.intercept_, dtype=np.float64))
    if kind == "LogisticRegression":
        return _logistic(name, estimator, weight, bias, target)
    if weight.shape[0] != 1:
        raise ValueError(f"step {name!r}: {kind} predicts {weight.shape[0]} targets; FINF predicts one")
    return [(weight, np.broadcast_to(bias, (1,)).copy())], finf.Regression(target, 0.0, 1.0)


def _classes(name, estimator, target):
    classes = [_category(name, "its classes", c) if not isinstance(c, (bool, np.bool_)) else str(bool(c))
               for c in estimator.classes_]
    return finf.Classification(target, classes)


def _two_class(weight, bias):
    # sigmoid(z) is softmax([0, z])[1]: a first output fixed at 0 gives both classes' probabilities exactly
    return np.vstack([np.zeros_like(weight), weight]), np.concatenate([[0.0], bias])


def _logistic(name, estimator, weight, bias, target):
    n_classes = len(estimator.classes_)
    # scikit-learn before 1.8 could also fit one-vs-rest (normalized sigmoids) or a two-class softmax
    multi_class = getattr(estimator, "multi_class", "auto")
    ovr = multi_class == "ovr" or (multi_class in ("auto", "deprecated", "warn") and estimator.solver == "liblinear")
    if (n_classes > 2 and ovr) or (n_classes == 2 and multi_class == "multinomial"):
        raise _unsupported_estimator(name, estimator, f"multi_class={multi_class!r}, solver={estimator.solver!r}",
                                     "binary or multinomial (softmax) LogisticRegression")
    if n_classes == 2:
        weight, bias = _two_class(weight, bias)
    return [(weight, bias), finf.Softmax()], _classes(name, estimator, target)


def _unsupported_estimator(name, estimator, what, supported):
    return ValueError(f"step {name!r}: {type(estimator).__name__}({what}) is not supported; supported: {supported}")


def _mlp(name, mlp, target):
    if mlp.activation not in _MLP_ACTIVATIONS:
        raise _unsupported_estimator(name, mlp, f"activation={mlp.activation!r}",
                                     f"activation {', '.join(_MLP_ACTIVATIONS)}")
    layers = []
    for i, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
        if i:
            layers.append(_MLP_ACTIVATIONS[mlp.activation]())
        layers.append((np.asarray(w, dtype=np.float64).T, np.asarray(b, dtype=np.float64)))
    out = mlp.out_activation_
    if type(mlp).__name__ == "MLPRegressor":
        if mlp.n_outputs_ != 1:
            raise ValueError(f"step {name!r}: MLPRegressor predicts {mlp.n_outputs_} targets; FINF predicts one")
        if out != "identity":  # loss="poisson" predicts exp(output)
            raise _unsupported_estimator(name, mlp, f"output activation {out!r}", "an identity output (squared_error)")
        return layers, finf.Regression(target, 0.0, 1.0)
    if out == "logistic" and len(mlp.classes_) == 2 and mlp.n_outputs_ == 1:
        layers[-1] = _two_class(*layers[-1])
    elif out != "softmax":
        raise _unsupported_estimator(name, mlp, "multilabel", "one label per row, two or more classes")
    return layers + [finf.Softmax()], _classes(name, mlp, target)
