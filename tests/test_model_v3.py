"""Models with named, categorical and fillable features, and regressors: the engine's side of FINF v3."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finf
from finf import format as fmt

ISLANDS = ("Biscoe", "Dream", "Torgersen")
SPECIES = ("Adelie", "Chinstrap", "Gentoo")


def penguin_features():
    return [
        finf.NumericFeature("bill_length_mm", 44.0, 5.5, fill=44.0),
        finf.CategoricalFeature("island", ISLANDS, fill="Biscoe"),
        finf.CategoricalFeature("sex", ("female", "male")),
        finf.NumericFeature("body_mass_g", 4200.0, 800.0),
    ]


def penguin_model():
    """4 features encoded as 1 + 3 + 2 + 1 = 7 columns -> 5 ReLU -> 3 Softmax, weights easy to tell apart."""
    first = [[0.1 * (j + 1) * (-1) ** k + 0.05 * k for k in range(7)] for j in range(5)]
    second = [[0.3 * (j - k) for k in range(5)] for j in range(3)]
    layers = [finf.Linear(7, 5, first, [0.1, -0.2, 0.3, 0.0, 0.05]), finf.ReLU(),
              finf.Linear(5, 3, second, [0.0, 0.1, -0.1]), finf.Softmax()]
    return finf.Model(penguin_features(), layers, finf.Classification("species", SPECIES))


def regression_model():
    layers = [finf.Linear(7, 1, [[0.5, 1.0, -1.0, 0.0, 0.25, -0.25, 2.0]], [0.125])]
    return finf.Model(penguin_features(), layers, finf.Regression("flipper_length_mm", 200.0, 14.0))


def by_hand(row):
    """The encoded, standardized row for [bill, island, sex, mass] with no missing values."""
    bill, island, sex, mass = row
    return ([(bill - 44.0) / 5.5] + [1.0 if island == name else 0.0 for name in ISLANDS]
            + [1.0 if sex == name else 0.0 for name in ("female", "male")] + [(mass - 4200.0) / 800.0])


def reference(model, standardized):
    x = standardized
    for layer in model.layers:
        x = layer(x)
    return x


ROW = [39.1, "Torgersen", "male", 3750.0]


def test_what_the_model_knows_about_itself():
    model = penguin_model()
    assert [f.name for f in model.features] == ["bill_length_mm", "island", "sex", "body_mass_g"]
    assert [f.kind for f in model.features] == ["numeric", "categorical", "categorical", "numeric"]
    assert model.features[1].categories == ISLANDS
    assert (model.task, model.classes, model.target.name) == ("classification", SPECIES, "species")
    assert (model.n_features, model.n_outputs, model.version) == (4, 3, 3)


def test_categories_are_one_hot_in_their_stored_order():
    model = penguin_model()
    assert model.encode(ROW) == [39.1, 0.0, 0.0, 1.0, 0.0, 1.0, 3750.0]
    assert model.predict_proba(ROW) == pytest.approx(reference(model, by_hand(ROW)), abs=1e-12)


def test_a_mapping_by_name_in_any_order_equals_the_sequence():
    model = penguin_model()
    mapping = {"sex": "male", "body_mass_g": 3750.0, "island": "Torgersen", "bill_length_mm": 39.1}
    assert model.predict_proba(mapping) == model.predict_proba(ROW)
    assert model.predict(mapping) == model.predict(ROW)


def test_missing_values_take_the_stored_fill():
    model = penguin_model()
    filled = [44.0, "Biscoe", "male", 3750.0]
    for missing in (None, math.nan, float("nan")):
        assert model.predict_proba([missing, missing, "male", 3750.0]) == model.predict_proba(filled)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([39.1, "Torgersen", None, 3750.0], "feature 'sex': missing value, and the model was not trained to fill it"),
        ([39.1, "Torgersen", "male", math.nan], "feature 'body_mass_g': missing value"),
        ([39.1, "Atlantis", "male", 3750.0],
         "feature 'island': unknown category 'Atlantis'; expected one of 'Biscoe', 'Dream', 'Torgersen'"),
        ([39.1, "torgersen", "male", 3750.0], "unknown category 'torgersen'"),
        ([39.1, 1, "male", 3750.0], "feature 'island': unknown category 1"),
        (["39.1", "Dream", "male", 3750.0], "feature 'bill_length_mm': expected a number, got '39.1'"),
        ([39.1, "Dream", "male"], "expected 4 features, got 3"),
        ({"bill_length_mm": 39.1, "island": "Dream", "sex": "male"}, "missing feature 'body_mass_g'"),
        ({"bill": 1.0}, "unknown feature 'bill'; the model's features are 'bill_length_mm', 'island'"),
        ("39.1,Dream,male,3750", "expected a sequence of 4 values, got str"),
    ],
)
def test_bad_rows_are_refused_naming_the_feature(row, message):
    for predict in (penguin_model().predict_proba, penguin_model().predict, regression_model().predict):
        with pytest.raises(ValueError) as info:
            predict(row)
        assert message in str(info.value)


def test_a_regressor_predicts_a_number_in_the_target_units():
    model = regression_model()
    assert (model.task, model.classes, model.n_outputs) == ("regression", None, 1)
    (out,) = reference(model, by_hand(ROW))
    assert model.predict(ROW) == pytest.approx(out * 14.0 + 200.0, abs=1e-12)
    assert isinstance(model.predict(ROW), float)
    assert model.predict_batch([ROW, ROW]) == [model.predict(ROW)] * 2


def test_predict_proba_on_a_regressor_is_a_type_error():
    with pytest.raises(TypeError, match="regressor"):
        regression_model().predict_proba(ROW)


@pytest.mark.parametrize("make", [penguin_model, regression_model])
def test_v3_round_trip_keeps_everything(make):
    model = make()
    data = finf.dumps(model)
    assert data[4:8] == b"\x03\x00\x00\x00"
    again = finf.load(data)
    assert again.features == model.features  # float32 already: every value chosen is exact in float32
    assert again.target == model.target
    assert finf.dumps(again) == data
    assert again.predict(ROW) == pytest.approx(model.predict(ROW), abs=1e-6)


def test_v2_is_written_when_asked_for_or_when_it_loses_nothing():
    numeric = finf.Model([finf.NumericFeature("a", 1.0, 2.0), finf.NumericFeature("b")],
                         [finf.Linear(2, 2, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), finf.Softmax()],
                         finf.Classification("label", ("no", "yes")))
    assert numeric.version == 3  # left to choose, the writer keeps the names v2 has no room for
    kept = finf.load(finf.dumps(numeric))
    assert [f.name for f in kept.features] == ["a", "b"] and kept.classes == ("no", "yes")
    as_v2 = finf.dumps(numeric, version=2)  # asked for, v2 holds the model and leaves the names out
    assert as_v2[4] == 2 and finf.load(as_v2).predict_proba([1.0, 2.0]) == numeric.predict_proba([1.0, 2.0])
    unnamed = finf.Model(finf.Normalizer([1.0, 0.0], [2.0, 1.0]), numeric.layers)
    assert unnamed.version == 2 and finf.dumps(unnamed)[4] == 2
    with pytest.raises(ValueError, match="FINF v2 holds only numeric features"):
        finf.dumps(penguin_model(), version=2)


def test_a_v3_file_must_name_its_target_and_classes():
    unnamed = finf.Model(penguin_features(), penguin_model().layers, finf.Classification())
    with pytest.raises(ValueError, match="names its target"):
        finf.dumps(unnamed)
    with pytest.raises(ValueError, match="names its classes"):
        finf.dumps(finf.Model(penguin_features(), penguin_model().layers, finf.Classification("species")))


def test_construction_checks():
    layers = penguin_model().layers
    with pytest.raises(ValueError, match="does not follow a layer of width 6"):
        finf.Model(penguin_features()[:3], layers)
    with pytest.raises(ValueError, match="the target has 2"):
        finf.Model(penguin_features(), layers, finf.Classification("species", ("a", "b")))
    with pytest.raises(ValueError, match="unique"):
        finf.Model([finf.NumericFeature("a"), finf.NumericFeature("a")], [finf.Linear(2, 1, [[1.0, 1.0]], [0.0])])
    with pytest.raises(ValueError, match="fill 'x' is not one of its categories"):
        finf.CategoricalFeature("c", ("a", "b"), fill="x")
    with pytest.raises(ValueError, match="categories must be unique"):
        finf.CategoricalFeature("c", ("a", "a"))


# --- random v3 models: write -> read -> write, and the fast path against the reference ----------------

f32 = st.floats(width=32, min_value=-1e3, max_value=1e3, allow_nan=False)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=8)


@st.composite
def v3_models(draw):
    n = draw(st.integers(1, 4))
    feature_names = draw(st.lists(names, min_size=n, max_size=n, unique=True))
    features = []
    for name in feature_names:
        fill = draw(st.booleans())
        if draw(st.booleans()):
            std = draw(st.floats(0.125, 100.0, width=32))
            features.append(finf.NumericFeature(name, draw(f32), std, draw(f32) if fill else None))
        else:
            categories = draw(st.lists(names, min_size=1, max_size=4, unique=True))
            features.append(finf.CategoricalFeature(name, categories, categories[0] if fill else None))
    width = sum(f.width for f in features)
    hidden = draw(st.integers(1, 6))
    regression = draw(st.booleans())
    n_out = 1 if regression else draw(st.integers(2, 4))
    weights = st.lists(f32.map(lambda w: w / 1e3), min_size=1, max_size=1)
    first = [[draw(weights)[0] for _ in range(width)] for _ in range(hidden)]
    second = [[draw(weights)[0] for _ in range(hidden)] for _ in range(n_out)]
    layers = [finf.Linear(width, hidden, first, [0.0] * hidden), draw(st.sampled_from([finf.ReLU(), finf.Tanh()])),
              finf.Linear(hidden, n_out, second, [0.0] * n_out)]
    if regression:
        target = finf.Regression(draw(names), draw(f32), draw(st.floats(0.5, 10.0, width=32)))
    else:
        target = finf.Classification(draw(names), draw(st.lists(names, min_size=n_out, max_size=n_out, unique=True)))
        layers.append(finf.Softmax())
    return finf.Model(features, layers, target)


def random_row(model, draw):
    row = []
    for feature in model.features:
        missing = feature.fill is not None and draw(st.booleans())
        if feature.kind == "numeric":
            row.append(None if missing else draw(f32))
        else:
            row.append(None if missing else draw(st.sampled_from(feature.categories)))
    return row


@settings(max_examples=100, deadline=None)
@given(v3_models(), st.data())
def test_random_v3_models_round_trip_and_the_fast_path_matches_the_reference(model, data):
    written = finf.dumps(model)
    again = finf.load(written)
    assert finf.dumps(again) == written
    assert fmt.decode(written).features == again.features
    row = random_row(again, data.draw)
    fast = again._run(row)
    slow = again.forward(again.encode(row))
    assert fast == pytest.approx(slow, rel=1e-9, abs=1e-9)


def test_each_category_combination_has_its_own_first_step_and_matches_the_reference():
    model = penguin_model()
    assert model._rows is not None and len(model._rows[1]) == 6  # 3 islands x 2 sexes
    for island in ISLANDS:
        for sex in ("female", "male"):
            row = [41.0, island, sex, 4000.0]
            assert model.predict_proba(row) == pytest.approx(reference(model, by_hand(row)), abs=1e-12)


@pytest.mark.parametrize("n_categories", [1, 65])
def test_categories_alone_and_too_many_combinations(n_categories):
    """A model of one categorical feature (no numbers), and one past the combination cap, which encodes rows."""
    categories = [f"c{k}" for k in range(n_categories)]
    features = [finf.CategoricalFeature("c", categories, fill=categories[-1])]
    layers = [finf.Linear(n_categories, 2, [[0.1 * k for k in range(n_categories)], [-0.2] * n_categories],
                          [0.5, -0.5]), finf.Softmax()]
    model = finf.Model(features, layers, finf.Classification("t", ("a", "b")))
    assert (model._rows is None) == (n_categories > 64)
    for value in (categories[0], categories[-1], None):
        onehot = [1.0 if c == (value or categories[-1]) else 0.0 for c in categories]
        assert model.predict_proba([value]) == pytest.approx(reference(model, onehot), abs=1e-12)
