"""scripts/setup.sh: the demo installs only what it runs; scripts/test adds the test and benchmark tools."""

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "hypothesis", "playwright", "ruff", "build", "scikit-learn"}


def setup_arguments(script):
    """The arguments of each scripts/setup.sh call in script (a path under the repository)."""
    text = (ROOT / script).read_text(encoding="utf-8")
    return [line.split() for line in re.findall(r"^\s*(?:- run: )?scripts/setup\.sh\b(.*)$", text, re.MULTILINE)]


def installed_extras(arguments):
    """The extras scripts/setup.sh installs into a fresh .venv for these arguments, as its --dry-run says."""
    result = subprocess.run([str(ROOT / "scripts" / "setup.sh"), "--dry-run", *arguments], cwd=ROOT,
                            capture_output=True, text=True, check=True, timeout=60)
    found = re.findall(r"^setup: pip install -e \.\[([\w,-]+)\]$", result.stdout, re.MULTILINE)
    assert len(found) == 1, result.stdout
    return found[0].split(",")


def requirements(extras):
    """Distribution names the extras pull in, as pyproject.toml lists them."""
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return {re.match(r"[A-Za-z0-9_.-]+", spec).group(0).lower() for extra in extras for spec in optional[extra]}


def test_the_demo_and_the_pages_build_install_the_train_extra_alone():
    for script in ("scripts/demo", ".github/workflows/pages.yml"):
        calls = setup_arguments(script)
        assert len(calls) == 1, script
        extras = installed_extras(calls[0])
        assert extras == ["train"], script
        names = requirements(extras)
        assert "numpy" in names
        assert not names & TEST_TOOLS, (script, names & TEST_TOOLS)


def test_the_test_script_installs_the_test_tools_too():
    calls = setup_arguments("scripts/test")
    assert len(calls) == 1
    extras = installed_extras(calls[0])
    assert {"train", "dev", "bench"} <= set(extras)
    assert TEST_TOOLS <= requirements(extras)


def test_dry_run_changes_nothing():
    stamp = ROOT / ".venv" / ".finf-installed"
    before = stamp.read_bytes() if stamp.exists() else None
    installed_extras(["fuzz"])
    assert (stamp.read_bytes() if stamp.exists() else None) == before


def test_the_benchmarks_setup_line_installs_what_the_benchmarks_import():
    # README and scripts/bench.py say `scripts/setup.sh bench`; section 6 drives Chromium with Playwright.
    names = requirements(installed_extras(["bench"]))
    assert {"numpy", "scikit-learn", "onnxruntime", "torch", "playwright"} <= names
