"""Hostile FINF files: each is rejected with one FormatError naming the field and the byte offset."""

import struct
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finf
import hostile
from finf import format as fmt

CASES = {case.name: case for case in hostile.corpus()}


def rejected(data):
    """The FormatError message for data; fails the test if anything else happens."""
    with pytest.raises(finf.FormatError) as info:
        finf.load(data)
    return str(info.value)


def message_for(name):
    """The FormatError message for the named case, after checking its offset and field."""
    case = CASES[name]
    message = rejected(case.data)
    assert message.startswith(f"byte {case.offset}: {case.field}: expected "), message
    assert "\n" not in message
    return message


def test_the_valid_model_loads():
    model = finf.load(hostile.VALID)
    assert (model.n_features, model.n_outputs) == (2, 2)
    assert finf.dumps(model) == hostile.VALID


def test_every_case_is_named_once():
    assert len(CASES) == len(hostile.corpus())


# One test per named case (test_hostile_file[version_0], ...), so a regression says which file broke.
@pytest.mark.parametrize("name", CASES)
def test_hostile_file(name):
    message_for(name)


def test_version_byte_swapped_hints_at_endianness():
    assert "little-endian" in message_for("version_byte_swapped")


def test_version_other_values_give_no_endianness_hint():
    for name in ("version_0", "version_1", "version_4", "version_max"):
        assert "endian" not in message_for(name)


def test_messages_quote_at_most_a_short_piece_of_the_file():
    message = rejected(hostile.model(text=b"1" * 100_000 + b",1"))
    assert "normalizer mean 0: expected a number in the float32 range" in message
    assert len(message) < 200


def test_pair_messages_quote_at_most_a_short_piece_of_the_file():
    message = rejected(hostile.model(text=b"1" * 100_000))
    assert len(message) < 200


def test_a_huge_layer_is_rejected_before_allocating():
    # 0xFFFFFFFF outputs would be 64 GiB of floats; the check comes before any list is built.
    text = b";".join([b"0,1"] * 3)
    data = hostile.model(text=text, layers=(bytes([0]) + hostile.u32(3) + hostile.u32(0xFFFFFFFF),))
    assert f"layer 0 parameters: expected {(3 + 1) * 0xFFFFFFFF * 4} bytes for 4294967295x3" in rejected(data)


@pytest.mark.parametrize("name, data", [item for prefix, data in hostile.valid_files().items()
                                        for item in hostile.truncations(data, prefix)])
def test_truncated_at_every_offset(name, data):
    message = rejected(data)
    offset = int(message.split(":")[0].removeprefix("byte "))
    assert offset <= len(data), message
    assert "expected" in message and "found" in message


def test_truncation_messages_name_what_was_being_read():
    assert rejected(hostile.VALID[:3]).startswith("byte 0: magic:")
    assert rejected(hostile.VALID[:7]).startswith("byte 4: version:")
    assert rejected(hostile.VALID[:11]).startswith("byte 8: normalizer length:")
    assert rejected(hostile.VALID[:-1]).startswith(f"byte {len(hostile.VALID) - 1}: layer 3 activation kind:")


def test_decode_accepts_any_bytes_like_without_copying_an_oversized_one():
    big = memoryview(bytearray(fmt.MAX_FILE_BYTES + 1))
    with pytest.raises(finf.FormatError, match="file size"):
        fmt.decode(big)
    assert fmt.decode(bytearray(hostile.VALID)) == fmt.decode(memoryview(hostile.VALID))


def test_decode_rejects_an_int_instead_of_allocating_it():
    with pytest.raises(TypeError):
        fmt.decode(10**12)


def test_a_file_at_the_size_cap_is_judged_by_its_content():
    data = hostile.VALID + bytes(fmt.MAX_FILE_BYTES - len(hostile.VALID))
    assert "end of file" in rejected(data)


def test_layer_count_at_the_cap_is_accepted():
    layers = hostile.LAYERS + (hostile.activation(0),) * (fmt.MAX_LAYERS - len(hostile.LAYERS))
    assert len(finf.load(hostile.model(layers=layers)).layers) == fmt.MAX_LAYERS


# --- properties -------------------------------------------------------------------------------------


def loads_or_format_error(data):
    """True if data loads, False if it raises FormatError; any other exception fails the test."""
    try:
        model = finf.load(data)
    except finf.FormatError:
        return False
    written = finf.dumps(model)
    assert finf.dumps(finf.load(written)) == written
    return True


@pytest.mark.parametrize("prefix", hostile.valid_files())
def test_every_single_bit_flip_loads_or_raises_format_error(prefix):
    outcomes = [loads_or_format_error(data) for _, data in hostile.bit_flips(hostile.valid_files()[prefix])]
    # Flips in weights load; flips in the header do not: both paths were exercised.
    assert any(outcomes) and not all(outcomes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_mutations_load_or_raise_format_error(data):
    seeds = [*hostile.valid_files().values()] + [case.data for case in CASES.values() if len(case.data) < 4096]
    raw = bytearray(data.draw(st.sampled_from(seeds)))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["set", "insert", "delete", "u32"]))
        if op == "set" and at < len(raw):
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del raw[at : at + data.draw(st.integers(1, 8))]
        else:
            raw[at : at + 4] = struct.pack("<I", data.draw(st.sampled_from([0, 1, 2, 255, 2**31, 2**32 - 1])))
    loads_or_format_error(bytes(raw))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_after_a_valid_header_raise_format_error(tail):
    assert not loads_or_format_error(b"FINF" + hostile.u32(2) + tail) or len(tail) > 8


def test_a_normalizer_at_the_cap_of_tiny_pairs_is_refused_at_its_last_pair():
    # The pairs are walked one at a time: no list of 65,536 pieces is built before the error.
    text = b"0,1;" * (fmt.MAX_NORMALIZER_BYTES // 4)
    message = rejected(hostile.model(text=text))
    assert message.startswith(f"byte {12 + len(text)}: normalizer pair {len(text) // 4}: expected 'mean,std'")


def test_a_pair_with_many_commas_quotes_only_its_start():
    message = rejected(hostile.model(text=b"," * 10_000))
    assert message.startswith("byte 12: normalizer pair 0: expected 'mean,std', found ',,,,")
    assert message.endswith("...'")


def test_reliability_doc_lists_every_named_case():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "RELIABILITY.md").read_text()
    assert [name for name in CASES if f"`{name}`" not in doc] == []


def peak_bytes_while_loading(data):
    """Peak memory Python allocated while finf.load(data) ran (tracemalloc: exact, not timing)."""
    tracemalloc.start()
    try:
        finf.load(data)
    except finf.FormatError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_no_named_case_makes_the_reader_allocate_more_than_a_little():
    # Includes the 16 MiB over_size_cap file (never copied) and 0xFFFFFFFF counts and lengths.
    finf.load(hostile.VALID)  # first use compiles and caches what later loads share
    peaks = {name: peak_bytes_while_loading(case.data) for name, case in CASES.items()}
    assert max(peaks.values()) < 64 * 1024, max(peaks.items(), key=lambda item: item[1])


def test_a_full_normalizer_costs_memory_in_proportion_to_its_bytes():
    data = hostile.model(text=b"0,1;" * (fmt.MAX_NORMALIZER_BYTES // 4))
    assert peak_bytes_while_loading(data) < 32 * len(data)
