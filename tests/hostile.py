"""Hostile FINF files built in memory: a small valid model and named malformed variants.

Stdlib only, so the same module runs in CPython and, copied into the file system, in Pyodide.
Each Case names the field and the byte offset the reader's FormatError must report.
This module builds v2 files; hostile_v3.py builds v3 files from these helpers, and corpus() and
outcomes() here cover both.
"""

import struct
from typing import NamedTuple

from finf import format as fmt

V2 = 2  # the version the small valid model is written in
TEXT = b"0.5,2;-1,0.25"  # normalizer of the small valid model: 2 features


class Case(NamedTuple):
    name: str
    data: bytes
    field: str  # must appear in the error message
    offset: int  # the message must say "byte {offset}:"


def u32(n):
    return struct.pack("<I", n)


def f32s(values):
    return struct.pack(f"<{len(values)}f", *values)


def header(magic=fmt.MAGIC, version=V2):
    return magic + u32(version)


def normalizer(text=TEXT, length=None):
    return u32(len(text) if length is None else length) + text


def linear(n_in, n_out, weight=None, bias=None, tag=fmt.TAG_LINEAR):
    """A Linear layer's bytes; weight is flat, row-major (out, in)."""
    if weight is None:
        weight = [0.25 * (k % 7 - 3) for k in range(n_in * n_out)]
    if bias is None:
        bias = [0.125 * (j - 1) for j in range(n_out)]
    return bytes([tag]) + u32(n_in) + u32(n_out) + f32s(weight) + f32s(bias)


def activation(kind):
    return bytes([fmt.TAG_ACTIVATION, kind])


LAYERS = (linear(2, 3), activation(1), linear(3, 2), activation(4))  # 2 -> 3 ReLU -> 2 Softmax


def model(text=TEXT, layers=LAYERS, count=None, magic=fmt.MAGIC, version=V2, trailing=b""):
    """FINF bytes from parts; every argument can be made hostile."""
    count = len(layers) if count is None else count
    return header(magic, version) + normalizer(text) + u32(count) + b"".join(layers) + trailing


def layer_offset(i, text=TEXT, layers=LAYERS):
    """Byte offset of layer i's tag."""
    return 12 + len(text) + 4 + sum(len(layer) for layer in layers[:i])


VALID = model()


def _header_cases():
    swapped = int.from_bytes(u32(V2), "big")
    return [
        Case("empty", b"", "magic", 0),
        Case("magic_truncated", b"FI", "magic", 0),
        Case("magic_wrong", model(magic=b"GGUF"), "magic", 0),
        Case("magic_lowercase", model(magic=b"finf"), "magic", 0),
        Case("version_0", model(version=0), "version", 4),
        Case("version_1", model(version=1), "version", 4),
        Case("version_4", model(version=4), "version", 4),
        Case("version_max", model(version=0xFFFFFFFF), "version", 4),
        Case("version_byte_swapped", model(version=swapped), "version", 4),
        Case("version_truncated", b"FINF\x02\x00", "version", 4),
        Case("over_size_cap", VALID + bytes(fmt.MAX_FILE_BYTES + 1 - len(VALID)), "file size", 0),
    ]


def _normalizer_length_cases():
    head = header()
    return [
        Case("normalizer_length_truncated", head + b"\x05\x00", "normalizer length", 8),
        Case("normalizer_length_zero", head + normalizer(b"") + u32(1) + linear(2, 2), "normalizer length", 8),
        Case("normalizer_length_past_eof", head + normalizer(TEXT, length=1000) + u32(1), "normalizer length", 8),
        Case("normalizer_length_max", head + normalizer(TEXT, length=0xFFFFFFFF), "normalizer length", 8),
        Case("normalizer_length_over_cap", head + normalizer(TEXT, length=fmt.MAX_NORMALIZER_BYTES + 1),
             "normalizer length", 8),
        Case("normalizer_not_utf8", model(text=b"0.5,2;\xff,1"), "normalizer", 12 + 6),
        Case("normalizer_truncated_utf8", model(text=b"0.5,2;1,\xd9"), "normalizer", 12 + 8),
    ]


def _normalizer_syntax_cases():
    # Offsets are 12 (start of the text) plus the position inside the text.
    return [
        Case("normalizer_double_semicolon", model(text=b"0.5,2;;-1,0.25"), "normalizer pair 1", 12 + 6),
        Case("normalizer_trailing_semicolon", model(text=TEXT + b";"), "normalizer pair 2", 12 + 14),
        Case("normalizer_leading_semicolon", model(text=b";" + TEXT), "normalizer pair 0", 12),
        Case("normalizer_one_value", model(text=b"0.5;-1,0.25"), "normalizer pair 0", 12),
        Case("normalizer_three_values", model(text=b"0.5,2,3;-1,0.25"), "normalizer pair 0", 12),
        Case("normalizer_only_comma", model(text=b","), "normalizer mean 0", 12),
        Case("normalizer_missing_std", model(text=b"0.5,;-1,0.25"), "normalizer std 0", 12 + 4),
    ]


def _number_cases():
    def mean0(name, number):
        return Case(name, model(text=number + b",2;-1,0.25"), "normalizer mean 0", 12)

    def std1(name, number):
        return Case(name, model(text=b"0.5,2;-1," + number), "normalizer std 1", 12 + 9)

    return [
        mean0("number_nan", b"nan"),
        mean0("number_nan_upper", b"NaN"),
        mean0("number_inf", b"inf"),
        mean0("number_minus_infinity", b"-Infinity"),
        mean0("number_1e400", b"1e400"),
        mean0("number_beyond_float32", b"1e39"),
        mean0("number_underscore", b"1_000"),
        mean0("number_arabic_indic_digit", "\u0661".encode()),
        mean0("number_fullwidth_digit", "\uff11".encode()),
        mean0("number_superscript_two", "\u00b2".encode()),
        mean0("number_leading_space", b" 1"),
        mean0("number_trailing_space", b"1 "),
        mean0("number_newline", b"1\n"),
        mean0("number_tab", b"\t1"),
        mean0("number_plus_sign", b"+1"),
        mean0("number_leading_zero", b"01"),
        mean0("number_hex", b"0x1"),
        mean0("number_bare_dot", b".5"),
        mean0("number_trailing_dot", b"5."),
        mean0("number_empty_exponent", b"1e"),
        mean0("number_nul", b"1\x00"),
        std1("std_inf", b"inf"),
        std1("std_zero", b"0"),
        std1("std_negative_zero", b"-0"),
        std1("std_negative", b"-0.25"),
        std1("std_float32_underflow", b"1e-50"),
    ]


def _layer_count_cases():
    at = layer_offset(0) - 4
    return [
        Case("layer_count_truncated", model(layers=())[:-2], "layer count", at),
        Case("layer_count_0", model(count=0), "layer count", at),
        Case("layer_count_over_cap", model(count=fmt.MAX_LAYERS + 1), "layer count", at),
        Case("layer_count_max", model(count=0xFFFFFFFF), "layer count", at),
        Case("layer_count_beyond_bytes", model(count=100), "layer count", at),
        Case("layer_count_one_too_many", model(count=5), "layer 4 tag", layer_offset(4)),
    ]


def _layer_cases():
    nan, inf = float("nan"), float("inf")
    weights_at = layer_offset(0) + 9  # tag, in_features, out_features
    bias_at = weights_at + 6 * 4
    first = layer_offset(0)
    return [
        Case("tag_2_embedding_takes_tokens", model(layers=(linear(2, 3, tag=2),) + LAYERS[1:]), "layer 0 tag", first),
        Case("tag_unknown_255", model(layers=LAYERS[:1] + (bytes([255, 1]),) + LAYERS[2:]), "layer 1 tag",
             layer_offset(1)),
        Case("activation_kind_5", model(layers=LAYERS[:3] + (activation(5),)), "layer 3 activation kind",
             layer_offset(3) + 1),
        Case("activation_kind_255", model(layers=LAYERS[:1] + (activation(255),) + LAYERS[2:]),
             "layer 1 activation kind", layer_offset(1) + 1),
        Case("activation_kind_truncated", model(layers=LAYERS[:3] + (bytes([1]),)), "layer 3 activation kind",
             layer_offset(3) + 1),
        Case("no_linear_layer", model(layers=(activation(1), activation(4))), "layers", first - 4),
        Case("linear_in_features_0", model(layers=(linear(0, 3),)), "layer 0 in_features", first + 1),
        Case("linear_out_features_0", model(layers=(linear(2, 0),)), "layer 0 out_features", first + 5),
        Case("linear_out_features_huge", model(layers=(linear(2, 0, tag=0)[:5] + u32(0xFFFFFFFF),)),
             "layer 0 parameters", first + 9),
        Case("linear_parameters_past_eof", model(layers=(linear(2, 3)[:-1],)), "layer 0 parameters", first + 9),
        Case("linear_weights_one_short", model(layers=(linear(2, 3)[:20],)), "layer 0 parameters", first + 9),
        Case("weight_nan", model(layers=(linear(2, 3, weight=[0, 0, 0, nan, 0, 0]),) + LAYERS[1:]),
             "layer 0 weight[3]", weights_at + 12),
        Case("weight_inf", model(layers=(linear(2, 3, weight=[inf, 0, 0, 0, 0, 0]),) + LAYERS[1:]),
             "layer 0 weight[0]", weights_at),
        Case("weight_minus_inf", model(layers=(linear(2, 3, weight=[0, 0, 0, 0, 0, -inf]),) + LAYERS[1:]),
             "layer 0 weight[5]", weights_at + 20),
        Case("bias_nan", model(layers=(linear(2, 3, bias=[0, nan, 0]),) + LAYERS[1:]), "layer 0 bias[1]",
             bias_at + 4),
        Case("bias_inf", model(layers=(linear(2, 3, bias=[0, 0, inf]),) + LAYERS[1:]), "layer 0 bias[2]",
             bias_at + 8),
        Case("width_mismatch", model(layers=(linear(3, 3),) + LAYERS[1:]), "layer 0 in_features", first + 1),
        Case("shapes_do_not_chain", model(layers=LAYERS[:2] + (linear(4, 2),) + LAYERS[3:]), "layer 2 in_features",
             layer_offset(2) + 1),
        Case("trailing_byte", model(trailing=b"\x00"), "end of file", len(VALID)),
        Case("trailing_model", model(trailing=VALID), "end of file", len(VALID)),
    ]


def corpus():
    """Every named hostile case, v2 and v3."""
    import hostile_v3  # imported here: it builds on this module's helpers

    return (_header_cases() + _normalizer_length_cases() + _normalizer_syntax_cases() + _number_cases()
            + _layer_count_cases() + _layer_cases() + hostile_v3.corpus())


def valid_files():
    """{prefix: bytes} of every small valid file, the prefix naming its truncations and bit flips."""
    import hostile_v3

    return {"": VALID, "v3_classifier_": hostile_v3.VALID_CLASSIFIER, "v3_regressor_": hostile_v3.VALID_REGRESSOR,
            "v3_text_": hostile_v3.VALID_TEXT}


def truncations(data=VALID, prefix=""):
    """data cut short at every byte offset: (name, bytes)."""
    return [(f"{prefix}truncated_at_{n}", data[:n]) for n in range(len(data))]


def bit_flips(data=VALID, prefix=""):
    """data with each single bit flipped in turn: (name, bytes)."""
    flips = []
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        flips.append((f"{prefix}bit_flip_{bit}", bytes(flipped)))
    return flips


def damaged():
    """Every truncation and bit flip of every valid file: (name, bytes)."""
    return [item for prefix, data in valid_files().items()
            for item in truncations(data, prefix) + bit_flips(data, prefix)]


def outcome(source):
    """What finf.load makes of source: "loaded", "FormatError: <message>", or another exception's type."""
    import finf

    try:
        finf.load(source)
    except finf.FormatError as error:
        return f"FormatError: {error}"
    except OSError as error:  # errno numbers and texts differ between Linux and Emscripten
        return type(error).__name__
    except Exception as error:  # noqa: BLE001 - any other exception is a finding to report, not to hide
        return f"{type(error).__name__}: {error}"
    return "loaded"


PATH_FILES = ("version_4", "valid", "v3_classifier", "v3_section_id")  # written to hostile-<name>.bin, "_" as "-"


def outcomes():
    """{name: outcome} for every named case, truncation and bit flip, and for paths relative to the cwd.

    Also what the valid v3 models predict from a row with every fill used, as repr() of the floats.
    """
    import finf
    import hostile_v3

    results = {case.name: outcome(case.data) for case in corpus()}
    results.update((name, outcome(data)) for name, data in damaged())
    files = [model(version=4), VALID, hostile_v3.VALID_CLASSIFIER, hostile_v3.VALID_CLASSIFIER[:8] + b"FEAX"]
    for name, data in zip(PATH_FILES, files, strict=True):
        path = f"hostile-{name.replace('_', '-')}.bin"
        with open(path, "wb") as f:
            f.write(data)
        results[f"path_{name}"] = outcome(path)
    results["path_missing"] = outcome("hostile-missing.bin")
    results["path_directory"] = outcome(".")
    classifier, regressor = finf.load(hostile_v3.VALID_CLASSIFIER), finf.load(hostile_v3.VALID_REGRESSOR)
    results["v3_classifier_filled"] = repr(classifier.predict_proba([None, 0.25, None]))
    results["v3_regressor_filled"] = repr(regressor.predict([None, 95.5]))
    text = finf.load(hostile_v3.VALID_TEXT)
    results["v3_text_predicted"] = repr(text.predict_proba("WIN money NOW, don’t wait! Café 😀 ١٢٣"))
    results["v3_text_explained"] = repr(text.explain("Don't win money now?"))
    return results
