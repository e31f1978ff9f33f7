"""Hostile FINF v3 language-model files: a small valid bigram and GPT built piece by piece from the spec.

As in hostile_v3.py, a file is a list of labelled pieces; assemble() lays them out under the LANG and LAYR
headers and reports where each piece starts, so every Case's offset comes from the layout. Stdlib only.
"""

from hostile import Case, f32s, u32
from hostile_v3 import INF, MAGIC, NAN, u8

SECTIONS = ("LANG", "LAYR")
VOCAB = "ab\n"


def _weights(n, scale=0.25):
    return [scale * (k % 5 - 2) for k in range(n)]


def header(vocab=VOCAB, block=2):
    pieces = [("LANG.kind", u8(0)), ("LANG.block", u32(block)), ("LANG.count", u32(len(vocab)))]
    return pieces + [(f"LANG.char.{k}", u32(ord(c))) for k, c in enumerate(vocab)]


def embedding(i, rows, dim):
    return [(f"LAYR.{i}", u8(2)), (f"LAYR.{i}.rows", u32(rows)), (f"LAYR.{i}.dim", u32(dim)),
            (f"LAYR.{i}.weight", f32s(_weights(rows * dim)))]


def position(i, positions, dim):
    return [(f"LAYR.{i}", u8(4)), (f"LAYR.{i}.positions", u32(positions)), (f"LAYR.{i}.dim", u32(dim)),
            (f"LAYR.{i}.weight", f32s(_weights(positions * dim, 0.125)))]


def block(i, d, heads, mlp):
    sizes = [d, d, 3 * d * d, 3 * d, d * d, d, d, d, mlp * d, mlp, d * mlp, d]
    return [(f"LAYR.{i}", u8(6)), (f"LAYR.{i}.d", u32(d)), (f"LAYR.{i}.heads", u32(heads)),
            (f"LAYR.{i}.mlp", u32(mlp))] + [(f"LAYR.{i}.p{k}", f32s(_weights(n, 0.5))) for k, n in enumerate(sizes)]


def layer_norm(i, d):
    return [(f"LAYR.{i}", u8(5)), (f"LAYR.{i}.d", u32(d)), (f"LAYR.{i}.weight", f32s([1.0] * d)),
            (f"LAYR.{i}.bias", f32s([0.0] * d))]


def linear(i, n_in, n_out):
    return [(f"LAYR.{i}", u8(0)), (f"LAYR.{i}.in", u32(n_in)), (f"LAYR.{i}.out", u32(n_out)),
            (f"LAYR.{i}.weight", f32s(_weights(n_in * n_out))), (f"LAYR.{i}.bias", f32s([0.0] * n_out))]


def bigram_pieces():
    return header(block=1) + [("LAYR.count", u32(1))] + embedding(0, 3, 3)


def gpt_pieces():
    """Vocabulary "ab\\n", block 2: Embedding(3, 4), PositionEmbedding(2, 4), a block of 2 heads, LayerNorm, Linear."""
    layers = embedding(0, 3, 4) + position(1, 2, 4) + block(2, 4, 2, 8) + layer_norm(3, 4) + linear(4, 4, 3)
    return header() + [("LAYR.count", u32(5))] + layers


def assemble(pieces, changes=None, order=SECTIONS, trailing=b""):
    """(data, {label: offset}) for pieces after changes ({label: new bytes}, b"" drops a piece)."""
    changes = changes or {}
    labels = {label for label, _ in pieces} | {f"{name} {part}" for name in SECTIONS for part in ("id", "length")}
    assert set(changes) <= labels, set(changes) - labels
    pieces = [(label, changes.get(label, data)) for label, data in pieces]
    laid_out = [("magic", MAGIC), ("version", u32(3))]
    for name in order:
        body = [(label, data) for label, data in pieces if label.startswith(name + ".")]
        laid_out += [(f"{name} id", changes.get(f"{name} id", name.encode())),
                     (f"{name} length", changes.get(f"{name} length", u32(sum(len(d) for _, d in body))))] + body
    at, offset = {}, 0
    for label, data in laid_out:
        at.setdefault(label, offset)
        offset += len(data)
    at["end"] = offset
    return b"".join(data for _, data in laid_out) + trailing, at


VALID_BIGRAM = assemble(bigram_pieces())[0]
VALID_GPT = assemble(gpt_pieces())[0]


def case(name, field, label, changes=None, delta=0, pieces=gpt_pieces, **options):
    data, at = assemble(pieces(), changes, **options)
    return Case(name, data, field, at[label] + delta)


def cases():
    """The named language-model cases: each must be refused with its field and offset."""
    lang_length = len(assemble(gpt_pieces(), order=("LANG",))[0]) - 16
    return [
        case("lm_kind_1", "vocabulary kind", "LANG.kind", {"LANG.kind": u8(1)}),
        case("lm_block_size_0", "block size", "LANG.block", {"LANG.block": u32(0)}),
        case("lm_block_size_over_cap", "block size", "LANG.block", {"LANG.block": u32(4097)}),
        case("lm_vocab_size_0", "vocabulary size", "LANG.count", {"LANG.count": u32(0)}),
        case("lm_vocab_size_over_cap", "vocabulary size", "LANG.count", {"LANG.count": u32(65537)}),
        case("lm_vocab_size_max", "vocabulary size", "LANG.count", {"LANG.count": u32(0xFFFFFFFF)}),
        case("lm_vocab_size_beyond_section", "vocabulary size", "LANG.count", {"LANG.count": u32(4)}),
        case("lm_character_surrogate", "character 1", "LANG.char.1", {"LANG.char.1": u32(0xD800)}),
        case("lm_character_past_unicode", "character 0", "LANG.char.0", {"LANG.char.0": u32(0x110000)}),
        case("lm_character_max", "character 2", "LANG.char.2", {"LANG.char.2": u32(0xFFFFFFFF)}),
        case("lm_character_repeated", "character 2", "LANG.char.2", {"LANG.char.2": u32(ord("a"))}),
        case("lm_lang_length_too_long", "LANG section", "LAYR id", {"LANG length": u32(lang_length + 1)}),
        case("lm_lang_length_past_eof", "LANG length", "LANG length", {"LANG length": u32(100_000)}),
        case("lm_lang_without_layr", "section id", "end", order=("LANG",)),
        case("lm_layr_id_wrong", "section id", "LAYR id", {"LAYR id": b"FEAT"}),
        case("lm_trailing_byte", "end of file", "end", trailing=b"\x00"),
        case("lm_first_layer_linear", "layer 0 tag", "LAYR.0", {"LAYR.0": u8(0)}),
        case("lm_first_layer_position", "layer 0 tag", "LAYR.0", {"LAYR.0": u8(4)}),
        case("lm_embedding_rows_not_vocab", "layer 0 num_embeddings", "LAYR.0.rows", {"LAYR.0.rows": u32(4)}),
        case("lm_embedding_dim_0", "layer 0 embedding_dim", "LAYR.0.dim", {"LAYR.0.dim": u32(0)}),
        case("lm_embedding_huge", "layer 0 weight", "LAYR.0.weight", {"LAYR.0.dim": u32(0x40000000)}),
        case("lm_embedding_nan", "layer 0 weight[5]", "LAYR.0.weight",
             {"LAYR.0.weight": f32s([0.0] * 5 + [NAN] + [0.0] * 6)}, delta=20),
        case("lm_position_not_block_size", "layer 1 num_positions", "LAYR.1.positions",
             {"LAYR.1.positions": u32(1), "LAYR.1.weight": f32s([0.0] * 4)}),
        case("lm_position_over_cap", "layer 1 num_positions", "LAYR.1.positions", {"LAYR.1.positions": u32(4097)}),
        case("lm_position_dim_wrong", "layer 1 embedding_dim", "LAYR.1.dim", {"LAYR.1.dim": u32(3)}),
        case("lm_position_inf", "layer 1 weight[0]", "LAYR.1.weight", {"LAYR.1.weight": f32s([INF] * 8)}),
        case("lm_position_after_block", "layer 2 tag", "LAYR.2", {"LAYR.2": u8(4)}),
        case("lm_activation_in_a_language_model", "layer 3 tag", "LAYR.3",
             {"LAYR.3": u8(1), "LAYR.3.d": u8(1), "LAYR.3.weight": b"", "LAYR.3.bias": b""}),
        case("lm_second_embedding", "layer 3 tag", "LAYR.3", {"LAYR.3": u8(2)}),
        case("lm_unknown_tag", "layer 3 tag", "LAYR.3", {"LAYR.3": u8(7)}),
        case("lm_block_width_wrong", "layer 2 n_embd", "LAYR.2.d", {"LAYR.2.d": u32(5)}),
        case("lm_block_heads_0", "layer 2 n_head", "LAYR.2.heads", {"LAYR.2.heads": u32(0)}),
        case("lm_block_heads_not_a_divisor", "layer 2 n_head", "LAYR.2.heads", {"LAYR.2.heads": u32(3)}),
        case("lm_block_mlp_0", "layer 2 mlp_width", "LAYR.2.mlp", {"LAYR.2.mlp": u32(0)}),
        case("lm_block_mlp_huge", "layer 2 parameters", "LAYR.2.p0", {"LAYR.2.mlp": u32(0xFFFFFFFF)}),
        case("lm_block_nan", "layer 2 attn.c_proj.weight[3]", "LAYR.2.p4",
             {"LAYR.2.p4": f32s([0.0] * 3 + [NAN] + [0.0] * 12)}, delta=12),
        case("lm_block_cut_short", "layer 2 parameters", "LAYR.2.p0",
             {"LAYR.count": u32(3), "LAYR.2.p11": f32s([0.0] * 3),
              **{label: b"" for label, _ in layer_norm(3, 4) + linear(4, 4, 3)}}),
        case("lm_layer_norm_width_wrong", "layer 3 normalized_shape", "LAYR.3.d", {"LAYR.3.d": u32(3)}),
        case("lm_head_not_vocab", "layer 4 out_features", "LAYR.4.out",
             {"LAYR.4.out": u32(2), "LAYR.4.weight": f32s([0.0] * 8), "LAYR.4.bias": f32s([0.0] * 2)}),
        case("lm_bigram_not_square", "layer 0 out_features", "LAYR.0.dim",
             {"LAYR.0.dim": u32(2), "LAYR.0.weight": f32s([0.0] * 6)}, pieces=bigram_pieces),
        case("lm_bigram_layer_count_2", "layer 1 tag", "end", {"LAYR.count": u32(2)}, pieces=bigram_pieces),
    ]


def row_model_cases():
    """Layers of a language model in a model of features: refused by tag."""
    import hostile_v3

    return [
        hostile_v3.case("v3_embedding_in_a_model_of_features", "layer 1 tag", "LAYR.1", {"LAYR.1": u8(2)}),
        hostile_v3.case("v3_transformer_in_a_model_of_features", "layer 1 tag", "LAYR.1", {"LAYR.1": u8(6)}),
        hostile_v3.case("v3_position_in_a_model_of_features", "layer 3 tag", "LAYR.3", {"LAYR.3": u8(4)}),
    ]
