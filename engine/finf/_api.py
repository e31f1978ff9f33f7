"""Reading and writing models: the functions most users call."""

import os

from . import format
from ._errors import FormatError
from ._lm import LanguageModel
from ._model import Model


def _model(record):
    return LanguageModel(*record) if isinstance(record, format.LanguageRecord) else Model(*record)


def load(source):
    """Load a Model (or a LanguageModel) from FINF bytes or from the path of a FINF file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _model(format.decode(source))
    path = os.fspath(source)  # a str or os.PathLike; never an open file descriptor
    try:
        with open(path, "rb") as f:
            # Check the size before reading, so an oversized file is never read in full.
            format.check_file_size(os.fstat(f.fileno()).st_size)
            data = f.read(format.MAX_FILE_BYTES + 1)  # bounded even where st_size says 0 (pipes, /dev)
        return _model(format.decode(data))
    except FormatError as error:
        raise FormatError(f"{os.fsdecode(path)}: {error}") from None


def dumps(model, version=None):
    """The FINF bytes of a Model: v3, or v2 where v2 holds it all; version=2 asks for v2 without the names."""
    if isinstance(model, LanguageModel):
        return format.encode(format.LanguageRecord(model.vocab, model.block_size, tuple(model.layers), 3), version)
    return format.encode(format.ModelRecord(model.features, tuple(model.layers), model.target, model.version),
                         version)
