"""finf: tiny neural networks that run anywhere Python does, Pyodide included."""

from ._activations import Identity, ReLU, Sigmoid, Softmax, Tanh
from ._api import dumps, load
from ._errors import FormatError
from ._format import SUPPORTED_VERSIONS
from ._layers import Linear, Normalizer
from ._model import Model

__version__ = "0.1.0"

__all__ = [
    "FormatError",
    "Identity",
    "Linear",
    "Model",
    "Normalizer",
    "ReLU",
    "SUPPORTED_VERSIONS",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "dumps",
    "load",
]
