"""scripts/fuzz.py: its seeds, its per-input check and a one-second run of the mutation fuzzer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import finf
import hostile
import hostile_lm
import hostile_v3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import fuzz  # noqa: E402 - scripts/ is not a package


def test_seeds_hold_every_valid_file_and_the_named_cases():
    seeds = fuzz.seeds(hostile)
    for data in (hostile.VALID, hostile_v3.VALID_CLASSIFIER, hostile_v3.VALID_REGRESSOR, hostile_v3.VALID_TEXT,
                 hostile_lm.VALID_GPT):
        assert data in seeds
    assert sum(data.startswith(b"FINF\x03\x00\x00\x00") for data in seeds) > 100


@pytest.mark.parametrize("data", [hostile.VALID, hostile_v3.VALID_CLASSIFIER, hostile_v3.VALID_REGRESSOR,
                                  hostile_v3.VALID_TEXT, hostile_lm.VALID_BIGRAM, hostile_lm.VALID_GPT])
def test_check_loads_writes_and_predicts_a_valid_file(data):
    assert fuzz.check(finf, data) is None


def test_check_returns_the_message_of_a_refused_file():
    assert fuzz.check(finf, hostile_v3.VALID_CLASSIFIER[:10]).startswith("byte 8: section id: expected b'FEAT'")


def test_kinds_mask_numbers_and_quoted_names(tmp_path):
    stats = fuzz.Stats("mutate", tmp_path / "stats.json")
    for name in ("'sepal length'", "'a (b)'", '"it\'s"'):
        stats.record(b"", 0.0, f"byte 42: feature 3 ({name}) std: expected a number > 0, found -1.0")
    stats.record(b"", 0.0, "byte 9: class 0: expected 1 byte, found 0 bytes left in the TRGT section")
    stats.record(b"", 0.0, "byte 9: class 1: expected 2 bytes, found 1 byte left in the TRGT section")
    assert stats.kinds == {"byte N: feature N (NAME) std: expected a number > N": 3,
                           "byte N: class N: expected N bytes": 2}


def test_a_short_mutation_run_reports_v3_kinds(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fuzz.py"), "--seconds", "1", "--engine", "mutate",
         "--stats", str(tmp_path / "stats.json"), "--crashes", str(tmp_path / "crashes")],
        capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["executions"] >= 1000 and summary["loaded"] > 0
    assert any("section id" in kind for kind in summary["kinds"])
    assert not (tmp_path / "crashes").exists()
