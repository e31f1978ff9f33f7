"""finf: tiny neural networks that run anywhere Python does, Pyodide included."""

from . import format
from ._activations import Identity, ReLU, Sigmoid, Softmax, Tanh
from ._api import dumps, load
from ._errors import FormatError
from ._features import CategoricalFeature, Classification, NumericFeature, Regression
from ._layers import Embedding, Linear, MeanPool, Normalizer
from ._lm import LanguageModel
from ._model import Model
from ._registry import LAYER_KINDS
from ._sequence import LayerNorm, PositionEmbedding, TransformerBlock
from ._text import TextFeature
from ._tokens import Vocabulary
from .format import SUPPORTED_VERSIONS

__version__ = "0.1.0"

__all__ = [
    "LAYER_KINDS",
    "SUPPORTED_VERSIONS",
    "CategoricalFeature",
    "Classification",
    "Embedding",
    "FormatError",
    "Identity",
    "LanguageModel",
    "LayerNorm",
    "Linear",
    "MeanPool",
    "Model",
    "Normalizer",
    "NumericFeature",
    "PositionEmbedding",
    "ReLU",
    "Regression",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TextFeature",
    "TransformerBlock",
    "Vocabulary",
    "dumps",
    "format",
    "load",
]
