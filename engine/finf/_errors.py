"""The one exception type for files that are not valid FINF."""


class FormatError(ValueError):
    """A model file is malformed; the message names the field and byte offset."""
