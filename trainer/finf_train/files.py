"""Writing a model and its card so that a failure leaves nothing half-written and no old file changed."""

import os
import tempfile

from . import card as model_card


def save(result, out):
    """Write result.model_bytes to out and its card beside it (out.bin -> out.json), atomically; return the card."""
    out = check_out(out)
    card_file = model_card.card_path(out)
    card = dict(result.card, model_file=os.path.basename(out))
    write_atomic({out: result.model_bytes, card_file: model_card.dumps(card).encode("utf-8")})
    return card


def check_out(out):
    """Raise ValueError if out cannot name a model file (checked before training, and again when saving)."""
    out = os.fspath(out)
    if os.path.abspath(model_card.card_path(out)) == os.path.abspath(out):
        raise ValueError(f"{out}: a model file name cannot end in .json: its card is written to that name")
    for path in (out, model_card.card_path(out)):
        if os.path.isdir(path):
            raise ValueError(f"{path}: is a directory, expected a file name")
    return out


def write_atomic(files):
    """Write {path: bytes} so each path holds either its old content or the new bytes, never a partial file."""
    # Every file goes to a temporary name in its own directory first, so os.replace() is a rename within
    # one file system; nothing is renamed until all of them are written and flushed to disk.
    temporary = {}
    try:
        for path, data in files.items():
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
            temporary[path] = temp
            os.chmod(temp, 0o644)  # mkstemp makes files private; a model is meant to be served and shared
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for path, temp in temporary.items():
            os.replace(temp, path)
    finally:
        for temp in temporary.values():
            if os.path.exists(temp):
                os.remove(temp)
