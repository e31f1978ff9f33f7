"""Writing a model and its card so that a failure leaves nothing half-written and no old file changed."""

import os
import secrets
import shutil
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
    parent = os.path.dirname(os.path.abspath(out))
    while not os.path.exists(parent) and os.path.dirname(parent) != parent:  # missing ones are created
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise ValueError(f"{out}: cannot create the file: {parent} is not a directory")
    return out


def write_atomic(files):
    """Replace every {path: bytes} or none: each path keeps its old content or gets all of its new bytes."""
    # The new bytes are written and flushed under temporary names in the same directories, so each
    # os.replace() is an atomic rename. The old files stay reachable through backup links until every
    # rename has succeeded, so a failure halfway puts back what was there.
    temporary, backups, replaced = {}, {}, []
    try:
        for path, data in files.items():
            temporary[path] = _write_temporary(path, lambda f, data=data: f.write(data))
        for path in files:
            if os.path.exists(path):
                backups[path] = _backup(path)
        for path, temp in temporary.items():
            os.replace(temp, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            if path in backups:
                os.replace(backups[path], path)
            else:
                os.remove(path)
        raise
    finally:
        for leftover in (*temporary.values(), *backups.values()):
            if os.path.exists(leftover):
                os.remove(leftover)


def write_atomic_stream(path, write):
    """Call write(text_stream) on a temporary file beside path, then rename it to path; on failure path is as it was."""
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a directory, expected a file name")
    temp = _write_temporary(path, write, text=True)
    try:
        os.replace(temp, path)
    except BaseException:
        os.remove(temp)
        raise


def _write_temporary(path, write, text=False):
    """A new temporary file beside path, filled by write(file) (text or binary) and flushed to disk; its name."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o644)  # mkstemp makes files private; a model is meant to be shared
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.remove(temp)
        raise
    return temp


def _backup(path):
    """A second name for the current file at path (a hard link, or a copy where links are not supported)."""
    directory, name = os.path.split(os.path.abspath(path))
    backup = os.path.join(directory, f".{name}.{secrets.token_hex(8)}.old")
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
    return backup
