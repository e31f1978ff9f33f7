"""FINF v3 against hostile input: the hand-built valid files, field-aware mutations and memory.

The named v3 cases, truncations and bit flips run with the v2 ones in test_format_hostile.py.
"""

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finf
import hostile_v3
from finf import format as fmt
from hostile_v3 import CLASSIFIER, REGRESSOR
from test_format_hostile import loads_or_format_error, peak_bytes_while_loading, rejected


def classifier_model():
    layers = finf.load(hostile_v3.VALID_CLASSIFIER).layers  # the weights; their bytes are checked below
    features = [finf.NumericFeature("sepal length", 5.5, 0.75, fill=5.75), finf.NumericFeature("width", -1.0, 0.5),
                finf.CategoricalFeature("colour", ["red", "grün", "blue"], fill="blue")]
    return finf.Model(features, layers, finf.Classification("species", ["setosa", "versicolor", "virginica"]))


def regressor_model():
    layers = finf.load(hostile_v3.VALID_REGRESSOR).layers
    features = [finf.NumericFeature("rooms", 3.0, 1.5, fill=3.0), finf.NumericFeature("area m²", 80.0, 25.0)]
    return finf.Model(features, layers, finf.Regression("price", 250.0, 80.0))


def test_the_writer_writes_the_hand_built_files():
    assert finf.dumps(classifier_model()) == hostile_v3.VALID_CLASSIFIER
    assert finf.dumps(regressor_model()) == hostile_v3.VALID_REGRESSOR


def test_the_hand_built_weights_are_the_ones_read():
    first = finf.load(hostile_v3.VALID_CLASSIFIER).layers[0]
    assert (first.in_features, first.out_features) == (5, 4)  # 2 numbers + 3 one-hot columns
    assert first.weight[0] == (-0.75, -0.5, -0.25, 0.0, 0.25) and first.bias == (-0.125, 0.0, 0.125, 0.25)


def test_the_valid_files_load_as_built():
    classifier, regressor = finf.load(hostile_v3.VALID_CLASSIFIER), finf.load(hostile_v3.VALID_REGRESSOR)
    assert (classifier.version, classifier.task, classifier.classes) == (
        3, "classification", ("setosa", "versicolor", "virginica"))
    assert [f.name for f in classifier.features] == ["sepal length", "width", "colour"]
    assert classifier.features[2].categories == ("red", "grün", "blue")
    assert (regressor.version, regressor.task, regressor.target.mean, regressor.target.std) == (
        3, "regression", 250.0, 80.0)
    # A missing value takes the feature's fill: the file's fills are 5.75 and "blue", 3.0.
    assert classifier.predict_proba([None, 0.25, None]) == classifier.predict_proba([5.75, 0.25, "blue"])
    assert regressor.predict([None, 95.5]) == regressor.predict([3.0, 95.5])


def test_the_sections_follow_each_other_as_the_spec_says():
    data, at = CLASSIFIER
    assert data[:8] == b"FINF" + struct.pack("<I", 3)
    offset = 8
    for name in fmt.SECTIONS:
        assert data[offset : offset + 4] == name and at[f"{name.decode()} id"] == offset
        (length,) = struct.unpack_from("<I", data, offset + 4)
        offset += 8 + length
    assert offset == len(data)


def test_every_piece_label_names_a_spec_field():
    # The labels the cases use exist in the valid files (a typo would make a case test the wrong byte).
    assert {"FEAT.2.fill", "FEAT.0.fill", "TRGT.class.2", "LAYR.2.out", "LAYR.3.kind"} <= CLASSIFIER.at.keys()
    assert {"TRGT.mean", "TRGT.std", "LAYR.2.out"} <= REGRESSOR.at.keys()


def test_a_v2_expressible_model_read_from_v3_stays_v3():
    # Numeric features without fills and a classifier: v2 could hold it, but the file said v3 (names, classes).
    pieces = hostile_v3.classifier_pieces()
    changes = {"FEAT.count": struct.pack("<I", 1), "LAYR.0.in": struct.pack("<I", 1),
               "FEAT.0.flags": b"\x00", "FEAT.0.fill": b"",
               **{label: b"" for label, _ in pieces if label.startswith(("FEAT.1.", "FEAT.2."))},
               "LAYR.0.weight": hostile_v3.f32s([0.5] * 4)}
    data = hostile_v3.assemble(pieces, changes).data
    model = finf.load(data)
    assert model.version == 3 and finf.dumps(model) == data


# --- messages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("built", [CLASSIFIER, REGRESSOR], ids=["classifier", "regressor"])
def test_a_file_cut_inside_a_section_is_refused_at_that_sections_length(built):
    data, at = built
    ends = [at["TRGT id"], at["LAYR id"], len(data)]
    for name, end in zip(["FEAT", "TRGT", "LAYR"], ends, strict=True):
        length_at = at[f"{name} length"]
        size = end - length_at - 4
        for cut in range(length_at + 4, end):
            left = cut - length_at - 4
            expected = f"byte {length_at}: {name} length: expected at most the {left} bytes left, found {size}"
            assert rejected(data[:cut]) == expected


def test_a_file_cut_inside_a_section_header_names_the_header():
    data, at = CLASSIFIER
    trgt, layr = at["TRGT id"], at["LAYR length"]
    expected = f"byte {trgt}: section id: expected b'TRGT', found b'TR' at the end of the file"
    assert rejected(data[: trgt + 2]) == expected
    assert rejected(data[:trgt]) == f"byte {trgt}: section id: expected b'TRGT', found the end of the file"
    assert rejected(data[: layr + 3]) == f"byte {layr}: LAYR length: expected 4 bytes, found 3 bytes left"


def test_a_long_duplicate_name_is_quoted_short():
    name = "n" * 1024
    data = hostile_v3.case("long", "", "FEAT.0.name", {"FEAT.0.name": hostile_v3.text(name),
                                                        "FEAT.1.name": hostile_v3.text(name)}).data
    message = rejected(data)
    assert message.startswith(f"byte {CLASSIFIER.at['FEAT.1.name'] + 1012}: feature 1 name: expected a name not")
    assert len(message) < 200 and message.endswith("...'")


def test_a_long_name_is_quoted_short_in_the_fields_of_its_feature():
    data = hostile_v3.assemble(hostile_v3.classifier_pieces(), {"FEAT.1.name": hostile_v3.text("w" * 1024),
                                                                 "FEAT.1.kind": b"\x07"}).data
    message = rejected(data)
    assert message.startswith("byte ") and f"feature 1 ('{'w' * 40}...') kind: expected 0 (numeric)" in message
    assert len(message) < 200


def test_names_that_reorder_text_are_escaped_in_messages():
    # U+202E (right-to-left override) is printable text to the spec, but repr() shows it as an escape.
    data = hostile_v3.assemble(hostile_v3.classifier_pieces(), {"FEAT.1.name": hostile_v3.text("a\u202eb"),
                                                                 "FEAT.1.kind": b"\x07"}).data
    assert "feature 1 ('a\\u202eb') kind" in rejected(data)


# --- properties -------------------------------------------------------------------------------------

LABELS = sorted(CLASSIFIER.at.keys() - {"end"})
INTERESTING = [b"\x00", b"\x01", b"\x02", b"\xff", struct.pack("<I", 0), struct.pack("<I", 1),
               struct.pack("<I", 2**31), struct.pack("<I", 2**32 - 1), struct.pack("<f", float("nan")),
               struct.pack("<f", float("-inf")), struct.pack("<f", -0.0), struct.pack("<f", 1e-45), b"FEAT", b"LAYR"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_field_aware_mutations_load_or_raise_format_error(data):
    # Overwrite, insert or delete at the start of spec fields, where lengths, counts and kinds live.
    built = data.draw(st.sampled_from([CLASSIFIER, REGRESSOR]))
    raw = bytearray(built.data)
    for _ in range(data.draw(st.integers(1, 3))):
        at = min(built.at[data.draw(st.sampled_from(sorted(built.at.keys() - {"end"})))], len(raw))
        value = data.draw(st.sampled_from(INTERESTING) | st.binary(min_size=1, max_size=4))
        op = data.draw(st.sampled_from(["set", "insert", "delete"]))
        if op == "set":
            raw[at : at + len(value)] = value
        elif op == "insert":
            raw[at:at] = value
        else:
            del raw[at : at + data.draw(st.integers(1, 16))]
    loads_or_format_error(bytes(raw))


# A random valid v3 model, described once and built twice: by the hand builder and by the engine's writer.
names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)
finite = st.floats(width=32, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.0, exclude_min=True, allow_infinity=False, width=32)


@st.composite
def descriptions(draw):
    feature_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    features = []
    for name in feature_names:
        if draw(st.booleans()):
            fill = draw(st.none() | finite)
            features.append(("numeric", name, draw(finite), draw(positive), fill))
        else:
            categories = draw(st.lists(names, min_size=1, max_size=4, unique=True))
            fill = draw(st.none() | st.integers(0, len(categories) - 1))
            features.append(("categorical", name, categories, fill))
    target = draw(st.one_of(
        st.tuples(st.just("classification"), names, st.lists(names, min_size=2, max_size=4, unique=True)),
        st.tuples(st.just("regression"), names, finite, positive)))
    return features, target


def hand_built(features, target):
    pieces = [("FEAT.count", struct.pack("<I", len(features)))]
    width = 0
    for i, (kind, name, *rest) in enumerate(features):
        if kind == "numeric":
            pieces += hostile_v3.numeric(i, name, *rest)
            width += 1
        else:
            pieces += hostile_v3.categorical(i, name, *rest)
            width += len(rest[0])
    if target[0] == "classification":
        pieces += [("TRGT.name", hostile_v3.text(target[1])), ("TRGT.task", b"\x00"),
                   ("TRGT.count", struct.pack("<I", len(target[2])))]
        pieces += [(f"TRGT.class.{k}", hostile_v3.text(c)) for k, c in enumerate(target[2])]
        n_out = len(target[2])
    else:
        pieces += [("TRGT.name", hostile_v3.text(target[1])), ("TRGT.task", b"\x01"),
                   ("TRGT.mean", hostile_v3.f32(target[2])), ("TRGT.std", hostile_v3.f32(target[3]))]
        n_out = 1
    pieces += [("LAYR.count", struct.pack("<I", 1))] + hostile_v3.linear(0, width, n_out)
    return hostile_v3.assemble(pieces).data


def engine_built(features, target, layers):
    made = [finf.NumericFeature(name, mean, std, fill) if kind == "numeric" else
            finf.CategoricalFeature(name, categories, None if fill is None else categories[fill])
            for kind, name, *rest in features for mean, std, fill in [rest if kind == "numeric" else (0, 1, None)]
            for categories, fill in [(None, fill) if kind == "numeric" else rest[:2]]]
    if target[0] == "classification":
        made_target = finf.Classification(target[1], target[2])
    else:
        made_target = finf.Regression(target[1], target[2], target[3])
    return finf.dumps(finf.Model(made, layers, made_target), version=3)


@settings(max_examples=80, deadline=None)
@given(descriptions())
def test_random_valid_models_are_written_as_the_spec_says_and_read_back(description):
    data = hand_built(*description)
    model = finf.load(data)
    assert engine_built(*description, model.layers) == data
    assert finf.dumps(model) == data and model.version == 3


# --- memory -----------------------------------------------------------------------------------------


def many_features(count, categories):
    """A v3 file of count features, each categorical over categories, then one Linear to 2 classes."""
    pieces = [("FEAT.count", struct.pack("<I", count))]
    for i in range(count):
        pieces += hostile_v3.categorical(i, f"f{i}", [f"c{k}" for k in range(categories)])
    pieces += [("TRGT.name", hostile_v3.text("y")), ("TRGT.task", b"\x00"), ("TRGT.count", struct.pack("<I", 2)),
               ("TRGT.class.0", hostile_v3.text("a")), ("TRGT.class.1", hostile_v3.text("b"))]
    return pieces + [("LAYR.count", struct.pack("<I", 1))] + hostile_v3.linear(0, count * categories, 2)


def test_features_at_the_cap_load_and_one_more_is_refused():
    pieces = many_features(fmt.MAX_FEATURES, 1)
    assert finf.load(hostile_v3.assemble(pieces).data).n_features == fmt.MAX_FEATURES
    over = hostile_v3.assemble(pieces, {"FEAT.count": struct.pack("<I", fmt.MAX_FEATURES + 1)}).data
    assert rejected(over) == f"byte 16: feature count: expected 1 to {fmt.MAX_FEATURES}, found {fmt.MAX_FEATURES + 1}"


def test_a_file_full_of_categories_costs_memory_in_proportion_to_its_bytes():
    data = hostile_v3.assemble(many_features(4, fmt.MAX_CATEGORIES)).data  # 16,384 one-hot columns
    finf.load(hostile_v3.VALID_CLASSIFIER)
    assert peak_bytes_while_loading(data) < 64 * len(data)


def test_the_last_category_refused_costs_memory_in_proportion_to_its_bytes():
    pieces = many_features(4, fmt.MAX_CATEGORIES)
    data = hostile_v3.assemble(pieces, {"FEAT.3.category.4095": hostile_v3.text("c0")}).data
    assert "feature 3 ('f3') category 4095: expected a category not seen before" in rejected(data)
    assert peak_bytes_while_loading(data) < 64 * len(data)
