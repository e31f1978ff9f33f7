"""from_sklearn: scikit-learn estimators and pipelines as finf Models that predict what scikit-learn does."""

import warnings

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, StandardScaler

import finf
from convert_data import (
    PENGUIN_CATEGORIES,
    PENGUIN_NUMBERS,
    assert_agrees,
    diabetes,
    finf_rows,
    iris,
    penguins,
    random_numbers,
    random_penguins,
)
from finf_train.convert import from_sklearn


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a short fit is as good a test as a long one
        return estimator.fit(X, y)


CLASSIFIERS = {
    "mlp relu": lambda: MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0),
    "mlp tanh, two layers": lambda: MLPClassifier(hidden_layer_sizes=(8, 6), activation="tanh", max_iter=300,
                                                  random_state=0),
    "mlp logistic": lambda: MLPClassifier(hidden_layer_sizes=(8,), activation="logistic", max_iter=300,
                                          random_state=0),
    "mlp identity": lambda: MLPClassifier(hidden_layer_sizes=(8,), activation="identity", max_iter=300,
                                          random_state=0),
    "logistic regression": lambda: LogisticRegression(max_iter=1000),
}


@pytest.mark.parametrize("scaled", [False, True], ids=["bare", "after StandardScaler"])
@pytest.mark.parametrize("make", CLASSIFIERS.values(), ids=CLASSIFIERS.keys())
def test_multiclass_iris_agrees_on_training_and_random_rows(make, scaled):
    X, y, names = iris()
    estimator = fitted(make_pipeline(StandardScaler(), make()) if scaled else make(), X, y)
    model = from_sklearn(estimator, names, "species")
    assert model.classes == ("setosa", "versicolor", "virginica") and model.target.name == "species"
    assert [f.name for f in model.features] == names
    assert_agrees(model, estimator.predict_proba(X), X.tolist())
    rows = random_numbers(X)  # a third of the values outside the training range
    assert_agrees(model, estimator.predict_proba(rows), rows.tolist())
    assert [model.classes[i] for i in model.predict_batch(rows.tolist())] == estimator.predict(rows).tolist()
    if scaled:  # the scaler's statistics are the features' own, as in a trained model
        scaler = estimator[0]
        assert [f.mean for f in model.features] == pytest.approx(scaler.mean_, rel=1e-6)
        assert [f.std for f in model.features] == pytest.approx(scaler.scale_, rel=1e-6)


@pytest.mark.parametrize("make", CLASSIFIERS.values(), ids=CLASSIFIERS.keys())
def test_two_classes_agree(make):
    X, y, _ = iris()
    estimator = fitted(make_pipeline(StandardScaler(), make()), X, y == "virginica")
    model = from_sklearn(estimator)
    assert model.classes == ("False", "True") and model.n_outputs == 2
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, estimator.predict_proba(rows), rows.tolist())


REGRESSORS = {
    "linear": LinearRegression,
    "ridge": lambda: Ridge(alpha=2.0),
    "mlp": lambda: MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0),
}


@pytest.mark.parametrize("scaled", [False, True], ids=["bare", "after StandardScaler"])
@pytest.mark.parametrize("make", REGRESSORS.values(), ids=REGRESSORS.keys())
def test_regressors_agree(make, scaled):
    X, y = diabetes()
    if make is REGRESSORS["mlp"] and not scaled:
        X = X / X.std(axis=0)  # an MLP on raw diabetes columns does not train; the conversion is the same
    estimator = fitted(make_pipeline(StandardScaler(), make()) if scaled else make(), X, y)
    model = from_sklearn(estimator, target="progression")
    assert model.task == "regression" and model.version == 3
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, estimator.predict(rows), rows.tolist(), y)


def test_a_standardized_target_is_the_file_s_target_scaling():
    from sklearn.compose import TransformedTargetRegressor

    X, y = diabetes()
    network = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0))
    estimator = fitted(TransformedTargetRegressor(network, transformer=StandardScaler()), X, y)
    model = from_sklearn(estimator, target="progression")
    assert (model.target.mean, model.target.std) == pytest.approx((y.mean(), y.std()), rel=1e-6)
    rows = np.vstack([X, random_numbers(X)])
    assert_agrees(model, estimator.predict(rows), rows.tolist(), y)
    logged = TransformedTargetRegressor(LinearRegression(), func=np.log, inverse_func=np.exp).fit(X, y)
    with pytest.raises(ValueError, match=r"step 'the model': TransformedTargetRegressor with FunctionTransformer is "
                                         r"not supported; supported: transformer=StandardScaler\(\) or none"):
        from_sklearn(logged)


def test_regressor_fitted_on_a_column_vector_target():
    X, y = diabetes()
    estimator = LinearRegression().fit(X, y[:, None])  # coef_ (1, 10), intercept_ (1,)
    assert_agrees(from_sklearn(estimator), estimator.predict(X), X.tolist(), y)


def test_imputer_and_scaler_on_numbers_alone_fill_missing_values():
    X, y, names = iris()
    holes = X.copy()
    holes[np.random.default_rng(1).random(X.shape) < 0.2] = np.nan
    for steps in ([SimpleImputer(strategy="median"), StandardScaler()], [StandardScaler(), SimpleImputer()]):
        estimator = fitted(make_pipeline(*steps, LogisticRegression(max_iter=1000)), holes, y)
        model = from_sklearn(estimator, names)
        assert all(f.fill is not None for f in model.features)
        rows = random_numbers(X, missing=0.3)
        assert_agrees(model, estimator.predict_proba(rows), [[None if v != v else v for v in r] for r in rows])
        assert_agrees(model, estimator.predict_proba(holes), holes.tolist())  # NaN is missing too


def penguin_pipeline(estimator, numbers=None, categories=None, **column_transformer):
    numbers = numbers or make_pipeline(SimpleImputer(), StandardScaler())
    categories = categories or make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder())
    columns = ColumnTransformer([("num", numbers, PENGUIN_NUMBERS + ["year"]), ("cat", categories, PENGUIN_CATEGORIES)],
                                **column_transformer)
    return make_pipeline(columns, estimator)


PENGUIN_PIPELINES = {
    "logistic": lambda: penguin_pipeline(LogisticRegression(max_iter=2000)),
    "mlp": lambda: penguin_pipeline(MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)),
    "median and constant fills, drop first, ignore unknown": lambda: penguin_pipeline(
        LogisticRegression(max_iter=2000), make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        make_pipeline(SimpleImputer(strategy="constant", fill_value="unknown"),
                      OneHotEncoder(drop="first", handle_unknown="ignore"))),
    "scaler before imputer, drop if binary": lambda: penguin_pipeline(
        LogisticRegression(max_iter=2000), make_pipeline(StandardScaler(), SimpleImputer(strategy="most_frequent")),
        make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(drop="if_binary"))),
    "unscaled numbers, scaler after the columns": lambda: make_pipeline(
        ColumnTransformer([("num", SimpleImputer(), PENGUIN_NUMBERS),
                           ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()),
                            PENGUIN_CATEGORIES)], remainder="passthrough"),
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)),
}


@pytest.mark.filterwarnings("ignore:Found unknown categories")  # scikit-learn's note on handle_unknown="ignore"
@pytest.mark.parametrize("make", PENGUIN_PIPELINES.values(), ids=PENGUIN_PIPELINES.keys())
def test_penguins_with_categories_and_missing_values_agree(make):
    X, species = penguins()
    estimator = fitted(make(), X, species)
    model = from_sklearn(estimator, target="species")
    assert [f.name for f in model.features] == list(X.columns)  # feature_names_in_, in the table's order
    kinds = {f.name: f.kind for f in model.features}
    assert [name for name, kind in kinds.items() if kind == "categorical"] == ["island", "sex"]
    # The constant fill 'unknown' is not one of island's categories: scikit-learn encodes it as none of them,
    # and so does FINF, with a category of its own that carries no weight.
    assert model.features[0].categories[:3] == ("Biscoe", "Dream", "Torgersen")
    assert model.features[0].categories[3:] in ((), ("unknown",)) and model.features[0].fill in ("Biscoe", "unknown")
    assert model.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert_agrees(model, estimator.predict_proba(X), finf_rows(model, X))
    rows = random_penguins(X)  # every category, a fifth of the cells missing, numbers in and out of range
    assert set(rows["island"].dropna()) == {"Biscoe", "Dream", "Torgersen"} and rows["sex"].isna().any()
    assert_agrees(model, estimator.predict_proba(rows), finf_rows(model, rows))


def test_a_column_the_column_transformer_drops_is_not_an_input():
    X, species = penguins()
    columns = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), PENGUIN_NUMBERS)])
    estimator = fitted(make_pipeline(columns, LogisticRegression(max_iter=1000)), X, species)
    model = from_sklearn(estimator)
    assert [f.name for f in model.features] == PENGUIN_NUMBERS
    assert_agrees(model, estimator.predict_proba(X), finf_rows(model, X))


def test_a_fill_that_is_no_category_is_refused_where_scikit_learn_refuses_it():
    X, species = penguins()  # island has no missing value in the data: 'unknown' never reaches the encoder
    categories = make_pipeline(SimpleImputer(strategy="constant", fill_value="unknown"), OneHotEncoder())
    estimator = fitted(penguin_pipeline(LogisticRegression(max_iter=1000), categories=categories), X, species)
    model = from_sklearn(estimator)
    assert model.features[0].fill is None and model.features[-2].fill == "unknown"
    row = finf_rows(model, X.iloc[:1])[0] | {"island": None}
    with pytest.raises(ValueError, match="Found unknown categories"):
        estimator.predict_proba(X.iloc[:1].assign(island=np.nan))
    with pytest.raises(ValueError, match="feature 'island': missing value, and the model was not trained to fill it"):
        model.predict_proba(row)


def test_nested_pipelines_name_their_steps():
    X, y, _ = iris()
    estimator = make_pipeline(make_pipeline(StandardScaler(), MinMaxScaler()), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match=r"^step 'pipeline/minmaxscaler': MinMaxScaler is not supported"):
        from_sklearn(estimator)


def test_numbers_as_categories_become_their_digits():
    X, species = penguins()
    columns = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), PENGUIN_NUMBERS),
                                 ("year", OneHotEncoder(), ["year"])])
    estimator = fitted(make_pipeline(columns, LogisticRegression(max_iter=1000)), X, species)
    model = from_sklearn(estimator)
    assert model.features[-1].categories == ("2007", "2008", "2009")
    assert_agrees(model, estimator.predict_proba(X), finf_rows(model, X))
    as_floats = X.astype({"year": float})  # a column of whole numbers read as floats (as one with NaN is)
    estimator = fitted(make_pipeline(columns, LogisticRegression(max_iter=1000)), as_floats, species)
    assert from_sklearn(estimator).features[-1].categories == ("2007", "2008", "2009")


def test_the_converted_model_is_its_file():
    X, y, names = iris()
    model = from_sklearn(fitted(make_pipeline(StandardScaler(), LogisticRegression()), X, y), names, "species")
    data = finf.dumps(model)
    assert finf.dumps(finf.load(data)) == data and finf.load(data).predict_proba(X[0].tolist()) == \
        model.predict_proba(X[0].tolist())


def test_feature_names_given_must_fit():
    X, y, _ = iris()
    estimator = fitted(LogisticRegression(), X, y)
    assert [f.name for f in from_sklearn(estimator).features] == ["x0", "x1", "x2", "x3"]
    with pytest.raises(ValueError, match=r"feature_names: expected 4 names \(the estimator's inputs\), found 3"):
        from_sklearn(estimator, ["a", "b", "c"])


def _unsupported_cases():
    X, y, _ = iris()
    P, species = penguins()
    yield "estimator", SGDClassifier().fit(X, y), (
        r"step 'the model': SGDClassifier is not supported; supported estimators: MLPClassifier, MLPRegressor, "
        r"LogisticRegression, LinearRegression, Ridge")
    yield "transformer", make_pipeline(MinMaxScaler(), LogisticRegression()).fit(X, y), (
        r"step 'minmaxscaler': MinMaxScaler is not supported; supported before the estimator: StandardScaler, "
        r"SimpleImputer, OneHotEncoder, ColumnTransformer, Pipeline")
    yield "custom transformer", make_pipeline(FunctionTransformer(np.log1p), LogisticRegression()).fit(X, y), (
        r"step 'functiontransformer': FunctionTransformer is not supported; supported before the estimator")
    twice = ColumnTransformer([("a", StandardScaler(), [0, 1]), ("b", StandardScaler(), [1, 2])])
    yield "column used twice", make_pipeline(twice, LogisticRegression()).fit(X, y), (
        r"step 'columntransformer': column 'x1' goes to both 'a' and 'b'; FINF encodes each input once")
    infrequent = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=60)
    yield "infrequent", fitted(penguin_pipeline(LogisticRegression(), categories=make_pipeline(
        SimpleImputer(strategy="most_frequent"), infrequent)), P, species), (
        r"step 'columntransformer/cat/onehotencoder': OneHotEncoder\(handle_unknown='infrequent_if_exist'\) is not "
        r"supported")
    yield "nan category", fitted(penguin_pipeline(LogisticRegression(), categories=OneHotEncoder()), P, species), (
        r"step 'columntransformer/cat': input 'sex' has missing values as a category of their own; put a "
        r"SimpleImputer before the OneHotEncoder")
    yield "indicator", fitted(make_pipeline(SimpleImputer(add_indicator=True), LogisticRegression()), X, y), (
        r"step 'simpleimputer': SimpleImputer\(add_indicator=True\) is not supported")
    yield "multilabel", fitted(MLPClassifier(hidden_layer_sizes=(4,), max_iter=20),
                               X, np.stack([y == "setosa", y == "virginica"], axis=1)), (
        r"MLPClassifier\(multilabel\) is not supported; supported: one label per row")
    yield "poisson", fitted(MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), max_iter=20), X, X[:, 0]), (
        r"MLPRegressor\(output activation 'exp'\) is not supported")
    yield "two targets", LinearRegression().fit(X, X[:, :2]), (
        r"step 'the model': LinearRegression predicts 2 targets; FINF predicts one")
    yield "not fitted", LogisticRegression(), r"LogisticRegression is not fitted"


@pytest.mark.parametrize("case", list(_unsupported_cases()), ids=lambda case: case[0])
def test_unsupported_steps_are_errors_naming_the_step_and_what_is_supported(case):
    _, estimator, message = case
    with pytest.raises(ValueError, match=message):
        from_sklearn(estimator)
