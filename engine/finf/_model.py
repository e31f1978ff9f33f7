"""Model: input features, a sequence of layers and a target."""

from collections.abc import Mapping

from . import _fast, _ops, _registry, _rows, _text, format
from ._features import Classification, NumericFeature
from ._layers import Normalizer


class Model:
    """A trained network: a row of raw feature values in, class probabilities or a number out."""

    def __init__(self, features, layers, target=None, version=None):
        if isinstance(features, Normalizer):  # a v2-style model: unnamed numeric features
            pairs = zip(features.mean, features.std, strict=True)
            features = [NumericFeature(f"x{i}", m, s) for i, (m, s) in enumerate(pairs)]
        self.features = tuple(features)
        if not self.features:
            raise ValueError("a model needs at least one feature")
        self._index = {feature.name: i for i, feature in enumerate(self.features)}
        if len(self._index) != len(self.features):
            raise ValueError("feature names must be unique")
        self.target = Classification() if target is None else target
        self._regressor = self.target.task == "regression"
        self.layers = list(layers)
        self.n_features = len(self.features)
        texts = sum(f.kind == "text" for f in self.features)
        if texts and self.n_features > 1:
            raise ValueError("a text feature must be the model's only feature")
        width = sum(f.width for f in self.features)
        self.n_outputs = _registry.check_layers(self.layers, width, "tokens" if texts else "values")
        self._text = _text.TextPlan(self.features[0], self.layers) if texts else None
        if self.target.n_outputs() not in (None, self.n_outputs):
            raise ValueError(f"the layers give {self.n_outputs} outputs but the target has {self.target.n_outputs()}")
        # The version of the file the model was read from; for a model built in memory, the one dumps() writes.
        self.version = version or (2 if format.v2_loses_nothing(self) else 3)
        if self._text is not None:  # a string in: see _text.py
            self._plain, self._encoded, self._rows, self._steps = False, None, None, None
            return
        # Rows of finite floats in feature order go straight to the fast path when no feature needs encoding.
        self._plain = all(type(f) is NumericFeature and f.fill is None for f in self.features)
        columns = [column for feature in self.features for column in feature.columns()]
        self._encoded = Normalizer([m for m, _ in columns], [s for _, s in columns])
        # The layout is computed once here, so a Model is not meant to be changed after construction.
        self._rows = None if self._plain else _rows.plan(self.features, self.layers, self._encoded)
        self._steps = _fast.plan(self._encoded, self.layers) if self._rows is None else None

    @property
    def task(self):
        """'classification' or 'regression'."""
        return self.target.task

    @property
    def classes(self):
        """The class names of a classifier (None if its file does not name them, or for a regressor)."""
        return getattr(self.target, "classes", None)

    @property
    def normalizer(self):
        """The per-column (mean, std) that standardizes the encoded row (one-hot columns: 0, 1); None for text."""
        return self._encoded

    @property
    def text(self):
        """True for a model of one text feature, whose rows are strings."""
        return self._text is not None

    @property
    def explainable(self):
        """True for a text model without hidden layers: explain() gives each word's exact share of the logits."""
        return self._text is not None and self._text.folded

    def parameters(self):
        """All weights and biases, layer by layer, as flat lists."""
        return [p for layer in self.layers for p in layer.parameters()]

    def encode(self, row):
        """The raw values the network's first layer reads: numbers as they are (missing ones filled), one-hots;
        for a text model, its words' ids."""
        if self._text is not None:
            return self.features[0].vocabulary.ids(_text.text_of(self.features[0], row))
        values = self._values(row)
        return [v for feature, value in zip(self.features, values, strict=True) for v in feature.encode(value)]

    def forward(self, x):
        """The reference forward pass over an encoded row: standardize, then each layer in turn."""
        if self._encoded is not None:
            x = self._encoded(x)
        for layer in self.layers:
            x = layer(x)
        return x

    def predict_proba(self, row):
        """Class probabilities for one row: a sequence in feature order, or a mapping from feature name."""
        if self._regressor:
            raise TypeError("predict_proba: this model is a regressor; use predict for its value")
        return self._run(row)

    def predict(self, row):
        """The most probable class's index for a classifier; the predicted value (a float) for a regressor."""
        out = self._run(row)
        if self._regressor:
            return out[0] * self.target.std + self.target.mean
        return _ops.argmax(out)

    def predict_proba_batch(self, rows):
        """predict_proba for each row of an iterable of rows."""
        return [self.predict_proba(row) for row in rows]

    def predict_batch(self, rows):
        """predict for each row of an iterable of rows."""
        return [self.predict(row) for row in rows]

    def explain(self, text):
        """Each word of a text model's input and what it adds to each class's logit: [(token, [per class])].

        Only for a model without hidden layers, whose logits are the last Linear's bias plus these, exactly.
        """
        if self._text is None:
            raise TypeError("explain: this model does not take text")
        return self._text.explain(_text.text_of(self.features[0], text))

    def spans(self, text):
        """(start, end) in text of each word explain() lists, in order: for showing the words where they are."""
        if self._text is None:
            raise TypeError("spans: this model does not take text")
        return self._text.spans(_text.text_of(self.features[0], text))

    def _run(self, row):
        if self._text is not None:
            return self._text.run(_text.text_of(self.features[0], row))
        if self._rows is not None:  # categories or fill values: see _rows.py
            read, first_steps, steps = self._rows
            if type(row) not in (list, tuple) or len(row) != self.n_features:
                row = self._values(row)
            numbers, combination = read(row)
            x = first_steps[combination](numbers)
        else:
            x, steps = self._check_row(row), self._steps
        for step in steps:  # the fast path: forward() laid out for speed, see _fast.py
            x = step(x)
        return x

    def _check_row(self, row):
        # Fast path: a list or tuple of finite floats is used as it is (v - v is nan for nan and inf).
        if self._plain and type(row) in (list, tuple) and len(row) == self.n_features:
            for v in row:
                if type(v) is not float or v - v != 0.0:
                    break
            else:
                return row
        return self.encode(row)

    def _values(self, row):
        """row's values in feature order, from a sequence or a mapping by feature name."""
        if isinstance(row, Mapping):
            unknown = [key for key in row if key not in self._index]
            if unknown:
                raise ValueError(f"unknown feature {unknown[0]!r}; the model's features are {self._names()}")
            absent = [f.name for f in self.features if f.name not in row]
            if absent:
                raise ValueError(f"missing feature {absent[0]!r} (give None for a missing value)")
            return [row[f.name] for f in self.features]
        if isinstance(row, (str, bytes)):
            raise ValueError(f"expected a sequence of {self.n_features} values, got {type(row).__name__}")
        try:
            values = list(row)
        except TypeError:
            raise ValueError(f"expected a sequence of {self.n_features} values, got {type(row).__name__}") from None
        if len(values) != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {len(values)}")
        return values

    def _names(self):
        names = ", ".join(repr(f.name) for f in self.features[:10])
        return names + (f" and {self.n_features - 10} more" if self.n_features > 10 else "")

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Model({list(self.features)!r}, [{inner}], {self.target!r})"
