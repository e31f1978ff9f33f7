"""Reading and writing models: the functions most users call."""

import os

from . import _format
from ._activations import ACTIVATIONS
from ._errors import FormatError
from ._layers import Linear, Normalizer
from ._model import Model


def load(source):
    """Load a Model from FINF bytes or from the path of a FINF file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return from_record(_format.decode(source))
    path = os.fspath(source)  # a str or os.PathLike; never an open file descriptor
    try:
        with open(path, "rb") as f:
            # Check the size before reading, so an oversized file is never read in full.
            _format.check_file_size(os.fstat(f.fileno()).st_size)
            data = f.read(_format.MAX_FILE_BYTES + 1)  # bounded even where st_size says 0 (pipes, /dev)
        return from_record(_format.decode(data))
    except FormatError as error:
        raise FormatError(f"{os.fsdecode(path)}: {error}") from None


def dumps(model):
    """The FINF v2 bytes of a Model."""
    return _format.encode(to_record(model))


def from_record(record):
    layers = [
        ACTIVATIONS[layer.kind]() if isinstance(layer, _format.Activation)
        else Linear(layer.in_features, layer.out_features, layer.weight, layer.bias)
        for layer in record.layers
    ]
    return Model(Normalizer(record.mean, record.std), layers, record.version)


def to_record(model):
    layers = tuple(
        _format.Linear(layer.in_features, layer.out_features, layer.weight, layer.bias) if isinstance(layer, Linear)
        else _format.Activation(layer.kind)
        for layer in model.layers
    )
    return _format.ModelRecord(model.normalizer.mean, model.normalizer.std, layers)
