"""The FINF v2 writer and reader: layout, constants, round trips and format_number."""

import importlib.util
import math
import re
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finf
import hostile
import hostile_v3
from finf import format as fmt
from finf._activations import ACTIVATIONS, KINDS

F32_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def small_record():
    return fmt.decode(hostile.VALID)


def test_constants():
    assert fmt.MAGIC == b"FINF"
    assert fmt.SUPPORTED_VERSIONS == finf.SUPPORTED_VERSIONS == (2, 3)
    assert fmt.SECTIONS == (b"FEAT", b"TRGT", b"LAYR")
    assert (fmt.TAG_LINEAR, fmt.TAG_ACTIVATION) == (0, 1)
    assert sorted(finf.LAYER_KINDS) == [0, 1, 2, 3, 4, 5, 6]
    assert KINDS == ("identity", "relu", "sigmoid", "tanh", "softmax")
    assert fmt.MAX_FILE_BYTES == 16 * 1024 * 1024
    assert fmt.MAX_NORMALIZER_BYTES == 256 * 1024
    assert fmt.MAX_LAYERS == 1024


def test_the_module_docstring_is_the_spec():
    spec = fmt.__doc__
    for name in ("MAGIC", "SUPPORTED_VERSIONS", "MAX_NORMALIZER_BYTES", "MAX_LAYERS", "MAX_FILE_BYTES",
                 "NUMBER_PATTERN", "Linear", "Identity", "ReLU", "Sigmoid", "Tanh", "Softmax", "little-endian"):
        assert name in spec


def test_activation_kinds_match_the_engine_classes():
    for kind, cls in zip(KINDS, (finf.Identity, finf.ReLU, finf.Sigmoid, finf.Tanh, finf.Softmax),
                         strict=True):
        assert cls.kind == kind


def test_layout_of_the_small_model_byte_by_byte():
    data = fmt.encode(small_record())
    assert data == hostile.VALID  # the writer agrees with the independent builder in tests/hostile.py
    assert data[:4] == b"FINF"
    assert struct.unpack_from("<II", data, 4) == (2, len(hostile.TEXT))
    assert data[12 : 12 + len(hostile.TEXT)] == b"0.5,2;-1,0.25"
    assert struct.unpack_from("<I", data, 12 + len(hostile.TEXT)) == (4,)
    first = hostile.layer_offset(0)
    assert struct.unpack_from("<BII", data, first) == (0, 2, 3)
    assert struct.unpack_from("<6f", data, first + 9) == (-0.75, -0.5, -0.25, 0.0, 0.25, 0.5)
    assert data[hostile.layer_offset(1) : hostile.layer_offset(2)] == b"\x01\x01"  # ReLU
    assert data[-2:] == b"\x01\x04"  # Softmax, the last bytes of the file


def test_decode_gives_weight_rows_in_the_pytorch_layout():
    linear = small_record().layers[0]
    assert linear.weight == ((-0.75, -0.5), (-0.25, 0.0), (0.25, 0.5))  # (out_features, in_features)
    assert linear.bias == (-0.125, 0.0, 0.125)


def test_round_trip_through_the_public_api():
    model = finf.load(hostile.VALID)
    again = finf.load(finf.dumps(model))
    assert again.normalizer.mean == model.normalizer.mean == (0.5, -1.0)
    assert again.normalizer.std == (2.0, 0.25)
    assert [repr(layer) for layer in again.layers] == [repr(layer) for layer in model.layers]
    assert again.predict_proba([1.0, 2.0]) == model.predict_proba([1.0, 2.0])


def test_encode_refuses_what_decode_would_refuse():
    record = small_record()
    linear = record.layers[0]
    nan_weight = finf.Linear(2, 3, ((math.nan, 0.0),) + linear.weight[1:], linear.bias)
    with pytest.raises(finf.FormatError, match="layer 0 weight"):
        fmt.encode(record._replace(layers=(nan_weight,) + record.layers[1:]))


def test_encode_refuses_numbers_float32_cannot_hold():
    record = small_record()
    linear = record.layers[0]
    huge_bias = finf.Linear(2, 3, linear.weight, (1e39, 0.0, 0.0))
    with pytest.raises(ValueError, match="layer 0 bias: cannot be stored as float32"):
        fmt.encode(record._replace(layers=(huge_bias,) + record.layers[1:]))
    with pytest.raises(ValueError, match="float32 range"):
        fmt.encode(record._replace(features=(finf.NumericFeature("x0", 1e39, 1.0),) + record.features[1:]))


# --- random valid models ----------------------------------------------------------------------------

finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
positive_f32 = st.floats(min_value=0.0, exclude_min=True, allow_infinity=False, width=32)


@st.composite
def records(draw):
    """A random valid ModelRecord: 1-3 Linear layers with activations anywhere."""
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    n = widths[0]
    mean = tuple(draw(st.lists(finite_f32, min_size=n, max_size=n)))
    std = tuple(draw(st.lists(positive_f32, min_size=n, max_size=n)))
    kinds = st.sampled_from(KINDS).map(lambda kind: ACTIVATIONS[kind]())
    layers = draw(st.lists(kinds, max_size=2))
    for n_in, n_out in zip(widths, widths[1:], strict=False):
        weight = tuple(tuple(draw(st.lists(finite_f32, min_size=n_in, max_size=n_in))) for _ in range(n_out))
        bias = tuple(draw(st.lists(finite_f32, min_size=n_out, max_size=n_out)))
        layers.append(finf.Linear(n_in, n_out, weight, bias))
        layers.extend(draw(st.lists(kinds, max_size=2)))
    features = tuple(finf.NumericFeature(f"x{i}", m, s) for i, (m, s) in enumerate(zip(mean, std, strict=True)))
    return fmt.ModelRecord(features, tuple(layers), finf.Classification(), 2)


@settings(max_examples=150, deadline=None)
@given(records())
def test_write_read_write_is_byte_identical(record):
    written = fmt.encode(record)
    read = fmt.decode(written)
    assert fmt.encode(read) == written
    assert read.layers == record.layers  # weights are float32 already, so they come back exactly
    assert [f32(f.mean) for f in read.features] == [f32(f.mean) for f in record.features]


@settings(max_examples=50, deadline=None)
@given(records())
def test_write_read_write_is_byte_identical_through_the_model(record):
    written = fmt.encode(record)
    assert finf.dumps(finf.load(written)) == written


# --- format_number ----------------------------------------------------------------------------------


@settings(max_examples=500)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-F32_MAX, max_value=F32_MAX))
def test_format_number_reads_back_as_the_same_float32(x):
    text = fmt.format_number(x)
    assert struct.pack("<f", float(text)) == struct.pack("<f", x)
    assert fmt.NUMBER_PATTERN.fullmatch(text.encode())
    assert fmt.format_number(float(text)) == text  # stable: write -> read -> write
    digits = re.sub(r"e.*|[-.]", "", text).lstrip("0")
    assert len(digits) <= 9


@pytest.mark.parametrize(
    "x, text",
    [(0.0, "0"), (-0.0, "-0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"), (5.843333333, "5.8433332"),
     (1e-5, "1e-5"), (1e20, "1e20"), (123456789.0, "1.2345679e8"), (F32_MAX, "3.4028235e38"),
     (1.401298464324817e-45, "1e-45")],
)
def test_format_number_examples(x, text):
    assert fmt.format_number(x) == text


@pytest.mark.parametrize("x", [6.949597651580191e-07, -9.691763401412562, -11159845966526.682])
def test_format_number_near_a_float32_rounding_boundary(x):
    # Formatting the float64 instead of its float32 once gave an AssertionError or an unstable text here.
    text = fmt.format_number(x)
    assert f32(float(text)) == f32(x)
    assert fmt.format_number(float(text)) == text


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf, 1e39, -1e39])
def test_format_number_refuses_what_the_reader_would_refuse(x):
    with pytest.raises(ValueError, match="not a finite number in the float32 range"):
        fmt.format_number(x)


def test_number_pattern_is_strict_ascii():
    accepted = [b"0", b"-0", b"1", b"12.5", b"-0.25", b"1e5", b"1E-5", b"1.5e+20"]
    refused = [b"", b"+1", b"01", b".5", b"5.", b"1e", b"1_0", b" 1", b"1 ", b"nan", b"inf", "\u0661".encode()]
    assert all(fmt.NUMBER_PATTERN.fullmatch(text) for text in accepted)
    assert not any(fmt.NUMBER_PATTERN.fullmatch(text) for text in refused)


# --- docs/FORMAT.md stays true ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FORMAT_DOC = ROOT / "docs" / "FORMAT.md"
GOLDEN_MODELS = [ROOT / "tests" / "golden" / name
                 for name in ("iris.bin", "penguins-small.bin", "spam-small.bin", "bigram-tiny.bin")]


def load_format_dump():
    spec = importlib.util.spec_from_file_location("format_dump", ROOT / "scripts" / "format_dump.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("model", GOLDEN_MODELS, ids=lambda path: path.name)
def test_format_doc_dumps_match_the_golden_models(model):
    format_dump = load_format_dump()
    expected = format_dump.doc_block(model.read_bytes(), model.name)
    refresh = f".venv/bin/python scripts/format_dump.py tests/golden/{model.name} --write"
    assert expected in FORMAT_DOC.read_text(), f"the dump in docs/FORMAT.md is stale; run {refresh}"


def test_format_dump_covers_every_byte_of_a_v3_file_once():
    data = GOLDEN_MODELS[1].read_bytes()
    lines = load_format_dump().annotated_dump(data).splitlines()[1:]
    assert bytes.fromhex("".join(line[8:56].replace(" ", "") for line in lines)) == data


def test_format_dump_covers_every_byte_once():
    dump = load_format_dump().annotated_dump(hostile.VALID)
    lines = dump.splitlines()[1:]
    shown = "".join(line[8:56].replace(" ", "") for line in lines)
    assert bytes.fromhex(shown) == hostile.VALID
    assert [int(line[:6]) for line in lines][:4] == [0, 4, 8, 12]
    assert "layer 1: tag 1 Activation, kind 1 ReLU" in dump


def test_format_doc_error_examples_are_what_the_reader_says():
    messages = set()
    for case in hostile.corpus() + hostile_v3.corpus():
        with pytest.raises(finf.FormatError) as info:
            finf.load(case.data)
        messages.add(str(info.value))
    examples = [line.strip() for line in FORMAT_DOC.read_text().splitlines() if re.match(r"\s+byte \d+: ", line)]
    assert len(examples) >= 10
    assert [line for line in examples if line not in messages] == []


def test_format_doc_states_the_caps():
    doc = FORMAT_DOC.read_text()
    for name, value in [("MAX_NORMALIZER_BYTES", "262,144"), ("MAX_LAYERS", "1,024"), ("MAX_FILE_BYTES", "16 MiB")]:
        assert name in doc and value in doc
    assert fmt.MAX_FILE_BYTES == 16 * 2**20 and fmt.MAX_NORMALIZER_BYTES == 262_144
