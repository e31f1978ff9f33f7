"""Hostile FINF v3 files: two small valid models built piece by piece from the spec, and named variants.

A file is a list of labelled pieces ("FEAT.2.fill", "LAYR.0.in", ...); assemble() joins them under
their section headers, computing each section's length unless a case overrides it, and reports where
every piece starts, so each Case's offset comes from the layout and not from the reader.
Stdlib only, like hostile.py, so the same module runs in Pyodide.
"""

import struct
from typing import NamedTuple

from hostile import Case, f32s, u32

MAGIC = b"FINF"
SECTIONS = ("FEAT", "TRGT", "LAYR")
NAN, INF = float("nan"), float("inf")


def u8(n):
    return bytes([n])


def f32(x):
    return struct.pack("<f", x)


def text(value):
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return u32(len(raw)) + raw


def numeric(i, name, mean, std, fill=None):
    pieces = [(f"FEAT.{i}.name", text(name)), (f"FEAT.{i}.kind", u8(0)), (f"FEAT.{i}.flags", u8(fill is not None)),
              (f"FEAT.{i}.mean", f32(mean)), (f"FEAT.{i}.std", f32(std))]
    return pieces + ([] if fill is None else [(f"FEAT.{i}.fill", f32(fill))])


def categorical(i, name, categories, fill=None):
    pieces = [(f"FEAT.{i}.name", text(name)), (f"FEAT.{i}.kind", u8(1)), (f"FEAT.{i}.flags", u8(fill is not None)),
              (f"FEAT.{i}.count", u32(len(categories)))]
    pieces += [(f"FEAT.{i}.category.{k}", text(c)) for k, c in enumerate(categories)]
    return pieces + ([] if fill is None else [(f"FEAT.{i}.fill", u32(fill))])


def linear(i, n_in, n_out):
    """A Linear layer with the weights hostile.linear gives (flat, row-major (out, in))."""
    weight = [0.25 * (k % 7 - 3) for k in range(n_in * n_out)]
    bias = [0.125 * (j - 1) for j in range(n_out)]
    return [(f"LAYR.{i}", u8(0)), (f"LAYR.{i}.in", u32(n_in)), (f"LAYR.{i}.out", u32(n_out)),
            (f"LAYR.{i}.weight", f32s(weight)), (f"LAYR.{i}.bias", f32s(bias))]


def activation(i, kind):
    return [(f"LAYR.{i}", u8(1)), (f"LAYR.{i}.kind", u8(kind))]


def classifier_pieces():
    """2 numeric features (one with a fill), 1 categorical with 3 categories and a fill; 3 named classes."""
    features = (numeric(0, "sepal length", 5.5, 0.75, fill=5.75) + numeric(1, "width", -1.0, 0.5)
                + categorical(2, "colour", ["red", "grün", "blue"], fill=2))
    target = [("TRGT.name", text("species")), ("TRGT.task", u8(0)), ("TRGT.count", u32(3))]
    target += [(f"TRGT.class.{k}", text(c)) for k, c in enumerate(["setosa", "versicolor", "virginica"])]
    layers = linear(0, 5, 4) + activation(1, 1) + linear(2, 4, 3) + activation(3, 4)  # 5 -> 4 ReLU -> 3 Softmax
    return [("FEAT.count", u32(3))] + features + target + [("LAYR.count", u32(4))] + layers


def regressor_pieces():
    """A numeric feature with a fill and one without; a regression target in its own units."""
    features = numeric(0, "rooms", 3.0, 1.5, fill=3.0) + numeric(1, "area m²", 80.0, 25.0)
    target = [("TRGT.name", text("price")), ("TRGT.task", u8(1)), ("TRGT.mean", f32(250.0)), ("TRGT.std", f32(80.0))]
    layers = linear(0, 2, 3) + activation(1, 3) + linear(2, 3, 1)  # 2 -> 3 Tanh -> 1
    return [("FEAT.count", u32(2))] + features + target + [("LAYR.count", u32(3))] + layers


VOCABULARY = ["<unk>", "win", "money", "now", "don't"]


def embedding(i, n_ids, dim):
    weight = [0.125 * (k % 9 - 4) for k in range(n_ids * dim)]
    return [(f"LAYR.{i}", u8(2)), (f"LAYR.{i}.in", u32(n_ids)), (f"LAYR.{i}.dim", u32(dim)),
            (f"LAYR.{i}.weight", f32s(weight))]


def mean_pool(i, features):
    return [(f"LAYR.{i}", u8(3)), (f"LAYR.{i}.features", u32(features))]


def text_pieces():
    """A text feature with a 5-entry "words" vocabulary (UNK first); classes ham, spam; Embedding 3, mean, 2."""
    feature = [("FEAT.0.name", text("message")), ("FEAT.0.kind", u8(2)), ("FEAT.0.flags", u8(0)),
               ("FEAT.0.tokenizer", text("words")), ("FEAT.0.version", u32(1)), ("FEAT.0.size", u32(5)),
               ("FEAT.0.unk", u32(0))]
    feature += [(f"FEAT.0.entry.{k}", text(word)) for k, word in enumerate(VOCABULARY)]
    target = [("TRGT.name", text("label")), ("TRGT.task", u8(0)), ("TRGT.count", u32(2)),
              ("TRGT.class.0", text("ham")), ("TRGT.class.1", text("spam"))]
    layers = embedding(0, 5, 3) + mean_pool(1, 3) + linear(2, 3, 2) + activation(3, 4)
    return [("FEAT.count", u32(1))] + feature + target + [("LAYR.count", u32(4))] + layers


class Built(NamedTuple):
    data: bytes
    at: dict  # label -> byte offset where that piece starts


def assemble(pieces, changes=None, order=SECTIONS, version=3, trailing=b""):
    """The file for pieces after changes ({label: new bytes}, b"" drops a piece), sections in order."""
    changes = changes or {}
    labels = {label for label, _ in pieces} | {f"{name} {part}" for name in SECTIONS for part in ("id", "length")}
    assert set(changes) <= labels, set(changes) - labels  # a typo in a case, not hostile input
    pieces = [(label, changes.get(label, data)) for label, data in pieces]
    laid_out = [("magic", MAGIC), ("version", u32(version))]
    for name in order:
        body = [(label, data) for label, data in pieces if label.startswith(name + ".")]
        length = u32(sum(len(data) for _, data in body))
        laid_out += [(f"{name} id", changes.get(f"{name} id", name.encode())),
                     (f"{name} length", changes.get(f"{name} length", length))] + body
    at, offset = {}, 0
    for label, data in laid_out:
        at.setdefault(label, offset)  # a section repeated by a case: the first one's offsets
        offset += len(data)
    at["end"] = offset
    return Built(b"".join(data for _, data in laid_out) + trailing, at)


CLASSIFIER = assemble(classifier_pieces())
REGRESSOR = assemble(regressor_pieces())
TEXT = assemble(text_pieces())
VALID_CLASSIFIER, VALID_REGRESSOR, VALID_TEXT = CLASSIFIER.data, REGRESSOR.data, TEXT.data


def case(name, field, label, changes=None, delta=0, pieces=classifier_pieces, **options):
    """A Case for pieces() after changes; its error is at the start of label (plus delta) in the changed file."""
    built = assemble(pieces(), changes, **options)
    return Case(name, built.data, field, built.at[label] + delta)


def cut(name, field, label, delta, built=CLASSIFIER):
    """The valid file cut delta bytes into the piece at label."""
    return Case(name, built.data[: built.at[label] + delta], field, built.at[label])


def _section_cases():
    flen, tlen, llen = (len(assemble(classifier_pieces(), order=(s,)).data) - 16 for s in SECTIONS)
    return [
        Case("v3_no_sections", MAGIC + u32(3), "section id", 8),
        case("v3_feat_id_wrong", "section id", "FEAT id", {"FEAT id": b"FEAX"}),
        case("v3_feat_id_lowercase", "section id", "FEAT id", {"FEAT id": b"feat"}),
        case("v3_trgt_id_wrong", "section id", "TRGT id", {"TRGT id": b"TRGX"}),
        case("v3_layr_id_wrong", "section id", "LAYR id", {"LAYR id": b"\x00\x00\x00\x00"}),
        case("v3_sections_out_of_order", "section id", "TRGT id", order=("TRGT", "FEAT", "LAYR")),
        case("v3_layr_before_trgt", "section id", "LAYR id", order=("FEAT", "LAYR", "TRGT")),
        case("v3_feat_missing", "section id", "TRGT id", order=("TRGT", "LAYR")),
        case("v3_trgt_missing", "section id", "LAYR id", order=("FEAT", "LAYR")),
        case("v3_layr_missing", "section id", "end", order=("FEAT", "TRGT")),
        case("v3_feat_twice", "section id", "TRGT id", order=("FEAT", "FEAT", "TRGT", "LAYR"), delta=-8 - flen),
        case("v3_v2_body_under_version_3", "section id", "FEAT id", {"FEAT id": u32(13)}),
        cut("v3_feat_id_truncated", "section id", "FEAT id", 2),
        cut("v3_trgt_id_truncated", "section id", "TRGT id", 3),
        cut("v3_layr_id_truncated", "section id", "LAYR id", 1),
        case("v3_extra_section_after_layr", "end of file", "end", trailing=b"META" + u32(0)),
        case("v3_trailing_byte", "end of file", "end", trailing=b"\x00"),
        cut("v3_feat_length_truncated", "FEAT length", "FEAT length", 2),
        cut("v3_layr_length_truncated", "LAYR length", "LAYR length", 3),
        case("v3_feat_length_past_eof", "FEAT length", "FEAT length", {"FEAT length": u32(10_000)}),
        case("v3_feat_length_max", "FEAT length", "FEAT length", {"FEAT length": u32(0xFFFFFFFF)}),
        case("v3_trgt_length_past_eof", "TRGT length", "TRGT length", {"TRGT length": u32(tlen + llen + 9)}),
        case("v3_layr_length_past_eof", "LAYR length", "LAYR length", {"LAYR length": u32(llen + 1)}),
        case("v3_feat_length_zero", "feature count", "FEAT.count", {"FEAT length": u32(0)}),
        case("v3_trgt_length_zero", "target name length", "TRGT.name", {"TRGT length": u32(0)}),
        case("v3_layr_length_zero", "layer count", "LAYR.count", {"LAYR length": u32(0)}),
        # One byte short: the last field of the section runs out of the section's bytes.
        case("v3_feat_length_too_short", "feature 2 ('colour') fill", "FEAT.2.fill", {"FEAT length": u32(flen - 1)}),
        case("v3_trgt_length_too_short", "class 2", "TRGT.class.2", {"TRGT length": u32(tlen - 1)}, delta=4),
        case("v3_layr_length_too_short", "layer 3 activation kind", "LAYR.3.kind", {"LAYR length": u32(llen - 1)}),
        # One byte long: the section's fields end one byte before the section does.
        case("v3_feat_length_too_long", "FEAT section", "TRGT id", {"FEAT length": u32(flen + 1)}),
        case("v3_trgt_length_too_long", "TRGT section", "LAYR id", {"TRGT length": u32(tlen + 1)}),
        case("v3_feat_bytes_left_over", "FEAT section", "TRGT id", {"FEAT.2.fill": u32(2) + b"\x00\x00\x00"},
             delta=-3),
        case("v3_trgt_bytes_left_over", "TRGT section", "LAYR id", {"TRGT.class.2": text("virginica") + b"\x00"},
             delta=-1),
        case("v3_layr_bytes_left_over", "LAYR section", "end", {"LAYR.3.kind": b"\x04\x01\x04"}, delta=-2),
    ]


def _feature_count_cases():
    return [
        case("v3_feature_count_truncated", "feature count", "FEAT.count", {"FEAT length": u32(2)}),
        case("v3_feature_count_0", "feature count", "FEAT.count", {"FEAT.count": u32(0)}),
        case("v3_feature_count_over_cap", "feature count", "FEAT.count", {"FEAT.count": u32(16385)}),
        case("v3_feature_count_max", "feature count", "FEAT.count", {"FEAT.count": u32(0xFFFFFFFF)}),
        case("v3_feature_count_beyond_bytes", "feature count", "FEAT.count", {"FEAT.count": u32(7)}),
        case("v3_feature_count_one_too_many", "feature 3 name length", "TRGT id", {"FEAT.count": u32(4)}),
        case("v3_feature_count_one_too_few", "FEAT section", "FEAT.2.name", {"FEAT.count": u32(2)}),
    ]


def _text_cases():
    def name0(name, raw, field="feature 0 name", delta=4):
        return case(name, field, "FEAT.0.name", {"FEAT.0.name": raw}, delta=delta)

    return [
        name0("v3_feature_name_length_0", u32(0), "feature 0 name length", 0),
        name0("v3_feature_name_over_cap", text("n" * 1025), "feature 0 name length", 0),
        name0("v3_feature_name_length_max", u32(0xFFFFFFFF) + b"sepal length", "feature 0 name length", 0),
        name0("v3_feature_name_past_section", u32(200) + b"sepal length"),
        name0("v3_feature_name_not_utf8", text(b"sepal\xfflength"), delta=4 + 5),
        name0("v3_feature_name_truncated_utf8", text(b"gr\xc3"), delta=4 + 2),
        name0("v3_feature_name_surrogate", text(b"x\xed\xa0\x80"), delta=4 + 1),
        name0("v3_feature_name_overlong_utf8", text(b"\xc0\xaf"), delta=4),
        name0("v3_feature_name_nul", text("a\x00b"), delta=4 + 1),
        name0("v3_feature_name_newline", text("sepal\nlength"), delta=4 + 5),
        name0("v3_feature_name_delete", text("\x7f"), delta=4),
        name0("v3_feature_name_c1_after_non_ascii", text("grün\x85"), delta=4 + 5),  # ü is 2 bytes
        case("v3_feature_name_duplicate", "feature 1 name", "FEAT.1.name", {"FEAT.1.name": text("sepal length")}),
        case("v3_category_empty", "feature 2 ('colour') category 1 length", "FEAT.2.category.1",
             {"FEAT.2.category.1": u32(0)}),
        case("v3_category_over_cap", "feature 2 ('colour') category 0 length", "FEAT.2.category.0",
             {"FEAT.2.category.0": text("c" * 1025)}),
        case("v3_category_not_utf8", "feature 2 ('colour') category 1", "FEAT.2.category.1",
             {"FEAT.2.category.1": text(b"gr\xfcn")}, delta=4 + 2),  # Latin-1 ü
        case("v3_category_tab", "feature 2 ('colour') category 0", "FEAT.2.category.0",
             {"FEAT.2.category.0": text("\tred")}, delta=4),
        case("v3_category_duplicate", "feature 2 ('colour') category 2", "FEAT.2.category.2",
             {"FEAT.2.category.2": text("red")}),
        case("v3_target_name_length_0", "target name length", "TRGT.name", {"TRGT.name": u32(0)}),
        case("v3_target_name_over_cap", "target name length", "TRGT.name", {"TRGT.name": text("t" * 1025)}),
        case("v3_target_name_past_section", "target name", "TRGT.name", {"TRGT.name": u32(1000) + b"species"},
             delta=4),
        case("v3_target_name_escape", "target name", "TRGT.name", {"TRGT.name": text("\x1b[31m")}, delta=4),
        case("v3_class_name_length_0", "class 1 length", "TRGT.class.1", {"TRGT.class.1": u32(0)}),
        case("v3_class_name_past_section", "class 2", "TRGT.class.2", {"TRGT.class.2": u32(50) + b"virginica"},
             delta=4),
        case("v3_class_name_not_utf8", "class 0", "TRGT.class.0", {"TRGT.class.0": text(b"\x80")}, delta=4),
        case("v3_class_name_c1", "class 0", "TRGT.class.0", {"TRGT.class.0": text("set\u009fosa")}, delta=4 + 3),
        case("v3_class_name_duplicate", "class 2", "TRGT.class.2", {"TRGT.class.2": text("setosa")}),
    ]


def _feature_cases():
    sepal, width, colour = "feature 0 ('sepal length')", "feature 1 ('width')", "feature 2 ('colour')"
    return [
        case("v3_feature_kind_2", f"{width} kind", "FEAT.1.kind", {"FEAT.1.kind": u8(2)}),
        case("v3_feature_kind_255", f"{width} kind", "FEAT.1.kind", {"FEAT.1.kind": u8(255)}),
        # A numeric feature read as categorical: the f32 mean 5.5 (0x40b00000) is read as a category count.
        case("v3_numeric_kind_as_categorical", f"{sepal} category count", "FEAT.0.mean", {"FEAT.0.kind": u8(1)}),
        case("v3_flags_bit_1", f"{sepal} flags", "FEAT.0.flags", {"FEAT.0.flags": u8(0x03)}),
        case("v3_flags_bit_7", f"{colour} flags", "FEAT.2.flags", {"FEAT.2.flags": u8(0x80)}),
        case("v3_flags_all", f"{width} flags", "FEAT.1.flags", {"FEAT.1.flags": u8(0xFF)}),
        # HAS_FILL without a fill: the next feature's name length becomes the fill, its first 4 bytes a length.
        case("v3_fill_flag_without_fill", "feature 2 name length", "FEAT.2.name", {"FEAT.1.flags": u8(1)}, delta=4),
        case("v3_fill_index_3_of_3", f"{colour} fill", "FEAT.2.fill", {"FEAT.2.fill": u32(3)}),
        case("v3_fill_index_max", f"{colour} fill", "FEAT.2.fill", {"FEAT.2.fill": u32(0xFFFFFFFF)}),
        case("v3_fill_nan", f"{sepal} fill", "FEAT.0.fill", {"FEAT.0.fill": f32(NAN)}),
        case("v3_fill_signalling_nan", f"{sepal} fill", "FEAT.0.fill", {"FEAT.0.fill": b"\x01\x00\x80\x7f"}),
        case("v3_fill_inf", f"{sepal} fill", "FEAT.0.fill", {"FEAT.0.fill": f32(INF)}),
        case("v3_fill_minus_inf", f"{sepal} fill", "FEAT.0.fill", {"FEAT.0.fill": f32(-INF)}),
        case("v3_mean_nan", f"{width} mean", "FEAT.1.mean", {"FEAT.1.mean": f32(NAN)}),
        case("v3_mean_inf", f"{width} mean", "FEAT.1.mean", {"FEAT.1.mean": f32(INF)}),
        case("v3_std_zero", f"{width} std", "FEAT.1.std", {"FEAT.1.std": f32(0.0)}),
        case("v3_std_negative_zero", f"{width} std", "FEAT.1.std", {"FEAT.1.std": f32(-0.0)}),
        case("v3_std_negative", f"{width} std", "FEAT.1.std", {"FEAT.1.std": f32(-0.5)}),
        case("v3_std_nan", f"{sepal} std", "FEAT.0.std", {"FEAT.0.std": f32(NAN)}),
        case("v3_std_inf", f"{sepal} std", "FEAT.0.std", {"FEAT.0.std": f32(INF)}),
        case("v3_category_count_0", f"{colour} category count", "FEAT.2.count", {"FEAT.2.count": u32(0)}),
        case("v3_category_count_over_cap", f"{colour} category count", "FEAT.2.count", {"FEAT.2.count": u32(4097)}),
        case("v3_category_count_max", f"{colour} category count", "FEAT.2.count",
             {"FEAT.2.count": u32(0xFFFFFFFF)}),
        case("v3_category_count_beyond_bytes", f"{colour} category count", "FEAT.2.count",
             {"FEAT.2.count": u32(6)}),
        # One category too many: the fill index 2 is read as category 3's length, and its 2 bytes are past the section.
        case("v3_category_count_one_too_many", f"{colour} category 3", "FEAT.2.fill", {"FEAT.2.count": u32(4)},
             delta=4),
    ]


def _target_cases():
    return [
        case("v3_task_2", "target task", "TRGT.task", {"TRGT.task": u8(2)}),
        case("v3_task_255", "target task", "TRGT.task", {"TRGT.task": u8(255)}),
        case("v3_class_count_0", "class count", "TRGT.count", {"TRGT.count": u32(0)}),
        case("v3_class_count_1", "class count", "TRGT.count", {"TRGT.count": u32(1)}),
        case("v3_class_count_over_cap", "class count", "TRGT.count", {"TRGT.count": u32(65537)}),
        case("v3_class_count_max", "class count", "TRGT.count", {"TRGT.count": u32(0xFFFFFFFF)}),
        case("v3_class_count_beyond_bytes", "class count", "TRGT.count", {"TRGT.count": u32(8)}),
        case("v3_class_count_one_too_many", "class 3 length", "LAYR id", {"TRGT.count": u32(4)}),
        # The classifier's task byte set to regression: its class count and first length read as mean and std.
        case("v3_classifier_read_as_regression", "TRGT section", "TRGT.class.0", {"TRGT.task": u8(1)}, delta=4),
        # The regressor's task byte set to classification: the f32 mean 250 (0x437a0000) read as a class count.
        case("v3_regressor_read_as_classifier", "class count", "TRGT.mean", {"TRGT.task": u8(0)},
             pieces=regressor_pieces),
        case("v3_regression_mean_nan", "target mean", "TRGT.mean", {"TRGT.mean": f32(NAN)}, pieces=regressor_pieces),
        case("v3_regression_mean_inf", "target mean", "TRGT.mean", {"TRGT.mean": f32(-INF)}, pieces=regressor_pieces),
        case("v3_regression_std_zero", "target std", "TRGT.std", {"TRGT.std": f32(0.0)}, pieces=regressor_pieces),
        case("v3_regression_std_negative", "target std", "TRGT.std", {"TRGT.std": f32(-80.0)},
             pieces=regressor_pieces),
        case("v3_regression_std_nan", "target std", "TRGT.std", {"TRGT.std": f32(NAN)}, pieces=regressor_pieces),
        case("v3_regression_std_inf", "target std", "TRGT.std", {"TRGT.std": f32(INF)}, pieces=regressor_pieces),
    ]


def _layer_cases():
    three_to_two = linear(2, 4, 2)
    regressor_two_outputs = dict(linear(2, 3, 2))
    return [
        case("v3_layer_count_0", "layer count", "LAYR.count", {"LAYR.count": u32(0)}),
        case("v3_layer_count_beyond_section", "layer count", "LAYR.count", {"LAYR.count": u32(1000)}),
        case("v3_no_linear_layer", "layers", "LAYR.count",
             {"LAYR.count": u32(2), "LAYR.0": b"", "LAYR.0.in": b"", "LAYR.0.out": b"", "LAYR.0.weight": b"",
              "LAYR.0.bias": b"", "LAYR.1": u8(1), "LAYR.2": b"", "LAYR.2.in": b"", "LAYR.2.out": b"",
              "LAYR.2.weight": b"", "LAYR.2.bias": b""}),
        # The first Linear reads the encoded row: 2 numbers + 3 one-hot columns = 5, not the 3 features.
        case("v3_encoded_width_is_not_the_feature_count", "layer 0 in_features", "LAYR.0.in",
             {"LAYR.0.in": u32(3)}),
        case("v3_encoded_width_one_short", "layer 0 in_features", "LAYR.0.in", {"LAYR.0.in": u32(4)}),
        case("v3_weight_nan", "layer 0 weight[7]", "LAYR.0.weight",
             {"LAYR.0.weight": f32s([0.0] * 7 + [NAN] + [0.0] * 12)}, delta=28),
        case("v3_output_width_not_class_count", "layer 2 out_features", "LAYR.2.out", dict(three_to_two)),
        case("v3_class_count_4_for_3_outputs", "layer 2 out_features", "LAYR.2.out",
             {"TRGT.count": u32(4), "TRGT.class.2": text("virginica") + text("other")}),
        case("v3_regression_output_width_2", "layer 2 out_features", "LAYR.2.out", regressor_two_outputs,
             pieces=regressor_pieces),
        # A Tanh after the last Linear passes its width through: the error names that Linear's out_features.
        case("v3_regression_output_width_3", "layer 0 out_features", "LAYR.0.out",
             {"LAYR.count": u32(2), **{label: b"" for label, _ in linear(2, 3, 1)}}, pieces=regressor_pieces),
    ]


def _vocabulary_cases():
    vocabulary = "feature 0 ('message') vocabulary"

    def entry(name, k, raw, field=None, delta=0):
        return case(name, field or f"{vocabulary} entry {k}", f"FEAT.0.entry.{k}", {f"FEAT.0.entry.{k}": raw},
                    delta=delta, pieces=text_pieces)

    def text_case(name, field, label, changes, delta=0):
        return case(name, field, label, changes, delta=delta, pieces=text_pieces)

    first = b"".join(data for _, data in numeric(0, "x", 0.0, 1.0))
    no_pool = {"LAYR.count": u32(3), "LAYR.1": b"", "LAYR.1.features": b""}
    return [
        text_case("text_flags_fill", "feature 0 ('message') flags", "FEAT.0.flags", {"FEAT.0.flags": u8(1)}),
        text_case("text_tokenizer_unknown", f"{vocabulary} tokenizer", "FEAT.0.tokenizer",
                  {"FEAT.0.tokenizer": text("chars")}),
        text_case("text_tokenizer_version_2", f"{vocabulary} tokenizer", "FEAT.0.tokenizer",
                  {"FEAT.0.version": u32(2)}),
        text_case("text_tokenizer_name_empty", f"{vocabulary} tokenizer length", "FEAT.0.tokenizer",
                  {"FEAT.0.tokenizer": u32(0)}),
        text_case("text_vocabulary_size_1", f"{vocabulary} size", "FEAT.0.size", {"FEAT.0.size": u32(1)}),
        text_case("text_vocabulary_size_over_cap", f"{vocabulary} size", "FEAT.0.size",
                  {"FEAT.0.size": u32(262145)}),
        text_case("text_vocabulary_size_max", f"{vocabulary} size", "FEAT.0.size", {"FEAT.0.size": u32(0xFFFFFFFF)}),
        text_case("text_vocabulary_size_beyond_bytes", f"{vocabulary} size", "FEAT.0.size",
                  {"FEAT.0.size": u32(1000)}),
        text_case("text_vocabulary_size_one_too_few", "FEAT section", "FEAT.0.entry.4", {"FEAT.0.size": u32(4)}),
        text_case("text_unk_id_out_of_range", f"{vocabulary} UNK id", "FEAT.0.unk", {"FEAT.0.unk": u32(5)}),
        text_case("text_unk_id_max", f"{vocabulary} UNK id", "FEAT.0.unk", {"FEAT.0.unk": u32(0xFFFFFFFF)}),
        text_case("text_unk_id_names_a_word", f"{vocabulary} entry 0", "FEAT.0.entry.0", {"FEAT.0.unk": u32(1)}),
        entry("text_entry_duplicate", 3, text("win")),
        entry("text_entry_upper_case", 2, text("Money")),
        entry("text_entry_two_words", 2, text("money now")),
        entry("text_entry_punctuation", 1, text("win!")),
        entry("text_entry_curly_apostrophe", 4, text("don’t")),
        entry("text_entry_decomposed_accent", 1, text("café")),
        entry("text_entry_emoji", 1, text("😀")),
        entry("text_unk_is_a_token", 0, text("unk")),
        entry("text_entry_not_utf8", 1, text(b"w\xffn"), delta=4 + 1),
        entry("text_entry_nul", 1, text("w\x00n"), delta=4 + 1),
        entry("text_entry_empty", 1, u32(0), field=f"{vocabulary} entry 1 length"),
        entry("text_entry_over_cap", 1, text("w" * 1025), field=f"{vocabulary} entry 1 length"),
        entry("text_entry_past_section", 4, u32(500) + b"don't", delta=4),
        text_case("text_after_a_numeric_feature", "feature 1 ('message') kind", "FEAT.0.name",
                  {"FEAT.count": u32(2), "FEAT.0.name": first + text("message")}, delta=len(first) + 11),
        text_case("text_embedding_size_not_vocabulary", "layer 0 num_embeddings", "LAYR.0.in", {"LAYR.0.in": u32(4)}),
        text_case("text_embedding_dim_0", "layer 0 embedding_dim", "LAYR.0.dim", {"LAYR.0.dim": u32(0)}),
        text_case("text_embedding_weight_nan", "layer 0 weight[14]", "LAYR.0.weight",
                  {"LAYR.0.weight": f32s([0.0] * 14 + [NAN])}, delta=56),
        text_case("text_embedding_huge", "layer 0 weight", "LAYR.0.dim", {"LAYR.0.dim": u32(0xFFFFFFFF)}, delta=4),
        text_case("text_first_layer_linear", "layer 0 tag", "LAYR.0", {"LAYR.0": u8(0)}),
        text_case("text_no_mean_pool", "layer 1 tag", "LAYR.2", no_pool),
        text_case("text_mean_pool_twice", "layer 2 tag", "LAYR.1.features",
                  {"LAYR.1.features": u32(3) + u8(3) + u32(3)}, delta=4),
        text_case("text_mean_pool_width", "layer 1 features", "LAYR.1.features", {"LAYR.1.features": u32(4)}),
        text_case("text_ends_in_a_sequence", "layers", "LAYR.count",
                  {"LAYR.count": u32(1), **{label: b"" for label, _ in mean_pool(1, 3) + linear(2, 3, 2)
                                            + activation(3, 4)}}),
        case("text_mean_pool_in_a_model_of_numbers", "layer 1 tag", "LAYR.1", {"LAYR.1": u8(3)}),
        case("text_embedding_in_a_model_of_numbers", "layer 0 tag", "LAYR.0", {"LAYR.0": u8(2)}),
    ]


def corpus():
    """Every named v3 case."""
    return _section_cases() + _feature_count_cases() + _text_cases() + _feature_cases() + _target_cases() \
        + _layer_cases() + _vocabulary_cases()
