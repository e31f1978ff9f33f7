"""What a model takes and what it predicts: its input features and its target.

A NumericFeature is one number, standardized with the training mean and std; a
CategoricalFeature is one of a fixed list of categories, one-hot encoded in that order.
Either may carry a fill value that stands in for a missing one (None or NaN).
The target is a Classification (class names) or a Regression (the mean and std that
turn the network's standardized output back into the target's units).
"""

import math
import numbers

from . import _io

NUMERIC, CATEGORICAL = 0, 1  # the kind byte of a feature in a v3 file
CLASSIFICATION, REGRESSION = 0, 1  # the task byte of a v3 target
HAS_FILL = 0x01  # feature flags bit: a fill value follows
MAX_CATEGORIES = 4096


def is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


class NumericFeature:
    """A number, standardized as (x - mean) / std; fill (if not None) replaces a missing value."""

    kind = "numeric"
    width = 1

    def __init__(self, name, mean=0.0, std=1.0, fill=None):
        self.name = str(name)
        self.mean, self.std = float(mean), float(std)
        self.fill = None if fill is None else float(fill)
        if not (math.isfinite(self.mean) and math.isfinite(self.std) and self.std > 0):
            raise ValueError(f"feature {self.name!r}: mean must be finite and std finite and > 0")
        if self.fill is not None and not math.isfinite(self.fill):
            raise ValueError(f"feature {self.name!r}: fill must be a finite number")

    @classmethod
    def read(cls, cursor, name, field, flags):
        mean = cursor.f32(f"{field} mean")
        at = cursor.offset
        std = cursor.f32(f"{field} std")
        if not std > 0:
            cursor.fail(f"{field} std", "a number > 0", std, at)
        fill = cursor.f32(f"{field} fill") if flags & HAS_FILL else None
        return cls(name, mean, std, fill)

    def write(self):
        values = [self.mean, self.std] + ([] if self.fill is None else [self.fill])
        return _io.pack_f32s(values, f"feature {self.name!r}")

    def columns(self):
        """(mean, std) of each column this feature takes in the encoded row."""
        return [(self.mean, self.std)]

    def encode(self, value):
        """The raw number for value, checked; the fill for a missing value."""
        if is_missing(value):
            if self.fill is None:
                raise ValueError(f"feature {self.name!r}: missing value, and the model was not trained to fill it")
            return [self.fill]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"feature {self.name!r}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"feature {self.name!r}: expected a finite number, got {value!r}")
        return [float(value)]

    def __eq__(self, other):
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self):
        fill = "" if self.fill is None else f", fill={self.fill}"
        return f"NumericFeature({self.name!r}, mean={self.mean}, std={self.std}{fill})"


class CategoricalFeature:
    """One of categories (text), one-hot encoded in their order; fill (a category) replaces a missing value."""

    kind = "categorical"

    def __init__(self, name, categories, fill=None):
        self.name = str(name)
        self.categories = tuple(str(c) for c in categories)
        self.fill = fill
        if not self.categories:
            raise ValueError(f"feature {self.name!r}: needs at least one category")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError(f"feature {self.name!r}: categories must be unique")
        if fill is not None and fill not in self.categories:
            raise ValueError(f"feature {self.name!r}: fill {fill!r} is not one of its categories")
        self._index = {c: k for k, c in enumerate(self.categories)}

    @property
    def width(self):
        return len(self.categories)

    @classmethod
    def read(cls, cursor, name, field, flags):
        count = cursor.count(f"{field} category count", 1, MAX_CATEGORIES, 5)
        categories = cursor.unique_texts(count, lambda k: f"{field} category {k}", "a category not seen before")
        fill = None
        if flags & HAS_FILL:
            at = cursor.offset
            index = cursor.u32(f"{field} fill")
            if index >= count:
                cursor.fail(f"{field} fill", f"a category index 0 to {count - 1}", index, at)
            fill = categories[index]
        return cls(name, categories, fill)

    def write(self):
        parts = [_io.pack_u32(len(self.categories))]
        parts += [_io.pack_text(c, f"feature {self.name!r} category") for c in self.categories]
        if self.fill is not None:
            parts.append(_io.pack_u32(self._index[self.fill]))
        return b"".join(parts)

    def columns(self):
        return [(0.0, 1.0)] * len(self.categories)

    def encode(self, value):
        """The one-hot columns for value; the fill's for a missing value."""
        if is_missing(value):
            if self.fill is None:
                raise ValueError(f"feature {self.name!r}: missing value, and the model was not trained to fill it")
            value = self.fill
        index = self._index.get(value) if isinstance(value, str) else None
        if index is None:
            known = ", ".join(repr(c) for c in self.categories[:20])
            more = f" and {len(self.categories) - 20} more" if len(self.categories) > 20 else ""
            raise ValueError(f"feature {self.name!r}: unknown category {value!r}; expected one of {known}{more}")
        onehot = [0.0] * len(self.categories)
        onehot[index] = 1.0
        return onehot

    def index(self, value):
        return self._index[value]

    def __eq__(self, other):
        return (type(other) is type(self) and (self.name, self.categories, self.fill)
                == (other.name, other.categories, other.fill))

    def __repr__(self):
        fill = "" if self.fill is None else f", fill={self.fill!r}"
        return f"CategoricalFeature({self.name!r}, {list(self.categories)!r}{fill})"


FEATURE_KINDS = {NUMERIC: NumericFeature, CATEGORICAL: CategoricalFeature}


class Classification:
    """The target of a classifier: its name and class names (either None when the file does not say)."""

    task = "classification"

    def __init__(self, name=None, classes=None):
        self.name = name
        self.classes = None if classes is None else tuple(str(c) for c in classes)
        if self.classes is not None and len(set(self.classes)) != len(self.classes):
            raise ValueError("class names must be unique")

    def n_outputs(self):
        return None if self.classes is None else len(self.classes)

    def __eq__(self, other):
        return type(other) is type(self) and (self.name, self.classes) == (other.name, other.classes)

    def __repr__(self):
        return f"Classification({self.name!r}, {None if self.classes is None else list(self.classes)!r})"


class Regression:
    """The target of a regressor: prediction = network output * std + mean, in the target's units."""

    task = "regression"

    def __init__(self, name, mean=0.0, std=1.0):
        self.name = name
        self.mean, self.std = float(mean), float(std)
        if not (math.isfinite(self.mean) and math.isfinite(self.std) and self.std > 0):
            raise ValueError("target mean must be finite and std finite and > 0")

    def n_outputs(self):
        return 1

    def __eq__(self, other):
        return type(other) is type(self) and (self.name, self.mean, self.std) == (other.name, other.mean, other.std)

    def __repr__(self):
        return f"Regression({self.name!r}, mean={self.mean}, std={self.std})"
