"""FINF v3 language-model files against hostile input: named cases, truncations, bit flips and memory."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finf
import hostile_lm
from test_format_hostile import loads_or_format_error, peak_bytes_while_loading, rejected

ROOT = Path(__file__).resolve().parent.parent


def test_the_hand_built_files_load_and_write_back():
    bigram, gpt = finf.load(hostile_lm.VALID_BIGRAM), finf.load(hostile_lm.VALID_GPT)
    assert (bigram.kind, bigram.vocab, bigram.block_size) == ("bigram", "ab\n", 1)
    assert (gpt.kind, gpt.block_size, [layer.describe() for layer in gpt.layers]) == ("gpt", 2, [
        "Embedding(3, 4)", "PositionEmbedding(2, 4)", "TransformerBlock(n_embd=4, n_head=2, mlp_width=8)",
        "LayerNorm(4)", "Linear(4, 3)"])
    assert finf.dumps(bigram) == hostile_lm.VALID_BIGRAM and finf.dumps(gpt) == hostile_lm.VALID_GPT
    assert len("".join(gpt.generate("ab", 5, seed=1))) == 5


@pytest.mark.parametrize("case", hostile_lm.cases() + hostile_lm.row_model_cases(), ids=lambda c: c.name)
def test_named_case_is_refused_with_field_and_offset(case):
    message = rejected(case.data)
    assert case.field in message and message.startswith(f"byte {case.offset}:"), message


@pytest.mark.parametrize("data", [hostile_lm.VALID_BIGRAM, hostile_lm.VALID_GPT], ids=["bigram", "gpt"])
def test_every_truncation_and_bit_flip_loads_or_is_refused(data):
    for end in range(len(data)):
        loads_or_format_error(data[:end])
    for i in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[i] ^= 1 << bit
            loads_or_format_error(bytes(flipped))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64), st.integers(min_value=0, max_value=400))
def test_spliced_bytes_load_or_are_refused(junk, at):
    data = hostile_lm.VALID_GPT
    loads_or_format_error(data[:at] + junk + data[at + len(junk):])


def test_a_huge_declared_block_allocates_nothing():
    data, at = hostile_lm.assemble(hostile_lm.gpt_pieces(), {"LAYR.2.mlp": hostile_lm.u32(0x7FFFFFFF)})
    assert peak_bytes_while_loading(data) < 1_000_000


def test_the_golden_bigram_is_the_hand_built_one():
    assert (ROOT / "tests" / "golden" / "bigram-tiny.bin").read_bytes() == hostile_lm.VALID_BIGRAM
