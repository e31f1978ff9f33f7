"""The one place finf loads a pickle: `finf convert` reading the scikit-learn model file a user names.

Loading a pickle runs any code it holds; run_convert warns before calling this, and the Python API
(from_sklearn) takes an estimator the user has already loaded. tests/test_layering.py allows this
module alone to load a pickle.
"""


def load(path):
    """The object pickled in the file at path (joblib's files too); ValueError naming the path if it fails."""
    try:
        import joblib as loader  # reads plain pickles too, and joblib's own files
    except ImportError:
        import pickle as loader
    try:
        with open(path, "rb") as f:
            return loader.load(f)  # noqa: S301 (the file the user named, after run_convert's warning)
    except ImportError as error:
        raise ValueError(f"{path}: loading it needs {error.name or 'a module'} installed: {error}") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror or error}") from None
    except Exception as error:  # a pickle can raise anything
        raise ValueError(f"{path}: not a FINF file, and not a pickle that loads: {type(error).__name__}: {error}") \
            from None
