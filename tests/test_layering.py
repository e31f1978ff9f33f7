"""The engine is layered and self-contained: no numpy, no trainer, imports pointing one way."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine" / "finf"
# Each module may import only from modules before it; __init__ re-exports the public API.
ORDER = ["_errors", "_io", "_ops", "_random", "_activations", "_layers", "_sequence", "_features", "_tokens",
         "_registry", "_fast", "_text", "format", "_rows", "_model", "_step", "_lm", "_api", "__init__"]


def engine_imports(module):
    """Names of finf modules that module imports (from . import x, from ._x import y, import finf._x)."""
    tree = ast.parse((ENGINE / f"{module}.py").read_text(), filename=f"{module}.py")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("finf"):
            found.add(node.module.split(".")[1] if "." in node.module else "__init__")
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("finf."))
    return found


def external_imports(module):
    tree = ast.parse((ENGINE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_engine_module_has_a_place_in_the_order():
    modules = {path.stem for path in ENGINE.glob("*.py")}
    assert modules <= set(ORDER), f"place these in ORDER: {sorted(modules - set(ORDER))}"


def test_each_module_imports_only_from_modules_before_it():
    for module in (m for m in ORDER if (ENGINE / f"{m}.py").exists()):
        allowed = set(ORDER[: ORDER.index(module)])
        assert engine_imports(module) <= allowed, f"{module} imports {sorted(engine_imports(module) - allowed)}"


def test_the_import_parser_sees_relative_imports():
    assert engine_imports("_api") >= {"format", "_errors", "_model"}
    assert engine_imports("_errors") == set()


def test_the_engine_uses_only_the_standard_library():
    for module in ORDER:
        if (ENGINE / f"{module}.py").exists():
            external = external_imports(module)
            assert external <= set(sys.stdlib_module_names), f"{module} imports {sorted(external)}"
            assert not external & {"numpy", "finf_train"}


def test_import_and_predict_with_numpy_blocked():
    # sys.modules["numpy"] = None makes any "import numpy" raise ImportError, in the engine or below it.
    code = """
import sys
sys.modules["numpy"] = None
sys.modules["finf_train"] = None
import finf
model = finf.Model(finf.Normalizer([0.0, 1.0], [1.0, 2.0]),
                   [finf.Linear(2, 2, [[1.0, -1.0], [0.5, 0.5]], [0.0, 0.1]), finf.Softmax()])
model = finf.load(finf.dumps(model))
print(model.predict([1.0, 2.0]), round(sum(model.predict_proba([1.0, 2.0])), 6))
assert not any(name.startswith(("numpy", "finf_train")) for name, mod in sys.modules.items() if mod is not None)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1.0"]  # normalized (1, 0.5): logits (0.5, 0.85)


# --- hygiene: nothing turns data into code ------------------------------------------------------------

REPO = ENGINE.parent.parent
SCANNED = ("engine", "trainer", "scripts", "tests", "web")
SKIPPED = ("node_modules", ".venv", "build", "dist")
# Loading code or objects from data: deserializers that run code, and eval/exec in Python or JS.
FORBIDDEN = re.compile(
    r"\b(?:import|from)\s+(?:c?pickle|_pickle|marshal|shelve|dill|cloudpickle)\b"
    r"|\b(?:c?pickle|marshal|dill|cloudpickle|joblib|torch)\.loads?\s*\("
    r"|allow_pickle\s*=\s*True"
    r"|(?<![.\w])(?:eval|exec)\s*\("  # eval(...) and exec(...), but not regex.exec(...)
    r"|literal_eval|new\s+Function\s*\("
)


def scanned_files():
    for top in SCANNED:
        for path in (REPO / top).rglob("*"):
            # This file is skipped: it spells out the forbidden names to find them.
            if path.suffix in (".py", ".js", ".mjs", ".html") and not set(path.parts) & set(SKIPPED) \
                    and path != Path(__file__).resolve():
                yield path


# `finf convert` reads the pickled scikit-learn model a user names, after warning that loading it runs code.
PICKLE_ALLOWED = REPO / "trainer" / "finf_train" / "convert" / "unpickle.py"


def test_no_pickle_loading_eval_or_exec_in_the_code():
    hits = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in scanned_files() if path != PICKLE_ALLOWED
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_the_one_module_that_loads_a_pickle_loads_nothing_else():
    text = PICKLE_ALLOWED.read_text()
    assert [line.strip() for line in text.splitlines() if FORBIDDEN.search(line)] == ["import pickle as loader"]
    assert text.count(".load(") == 1  # one load, of the path its one function is given


def test_the_hygiene_pattern_catches_what_it_should():
    for line in ["import pickle", "from marshal import loads", "x = pickle.loads(b)", "joblib.load(path)",
                 "np.load(f, allow_pickle=True)", "torch.load(f)", "eval(text)", "exec(code)",
                 "ast.literal_eval(s)", "x = new Function('a')"]:
        assert FORBIDDEN.search(line), line
    for line in ["pattern.exec(text)", "evaluate(model)", "run_in_pyodide(code)", "executor(x)",
                 "# no pickle here", "joblib.dump(pipe, f)  # only to measure its size"]:
        assert not FORBIDDEN.search(line), line
    assert any(path.name == "format.py" for path in scanned_files())
