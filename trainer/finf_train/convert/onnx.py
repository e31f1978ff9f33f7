"""finf Models as ONNX graphs: to_onnx(model) -> bytes, preprocessing included.

The graph takes the raw row, as finf does:

    x           float32 (rows, N): the numeric features in the model's order; NaN is a missing value
    categories  string (rows, C): the categorical features in the model's order, as their category names;
                the empty string is a missing value

(a model without categorical features has x alone; one without numeric features, categories alone) and
returns `probabilities` float32 (rows, K) for a classifier or `value` float32 (rows, 1) for a regressor, in
the target's units. A missing value takes the feature's fill; where finf refuses a row, the graph does not
check: a missing value without a fill gives NaN, and an unknown category encodes as none of the categories.
The model's feature names, categories and class names are in the graph's metadata (metadata_props).
"""

import json

import numpy as np

import finf

OPSET = 17
ML_OPSET = 3  # ai.onnx.ml, for LabelEncoder (category name -> index)
IR_VERSION = 9  # the newest onnx writes IR versions onnxruntime may not read yet
_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "identity": "Identity"}


class _Graph:
    """Nodes and initializers under construction; names are made unique by a counter."""

    def __init__(self):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, hint, array):
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, hint, domain="", **attributes):
        out = self.name(hint)
        self.nodes.append(self.helper.make_node(op, inputs, [out], domain=domain, **attributes))
        return out


def to_onnx(model):
    """The ONNX model (bytes) computing model's predictions from raw rows; see this module's docstring."""
    from onnx import TensorProto, checker, helper

    graph = _Graph()
    numeric = [j for j, f in enumerate(model.features) if f.kind == "numeric"]
    categorical = [j for j, f in enumerate(model.features) if f.kind == "categorical"]
    inputs, blocks, order = [], [], []
    if numeric:
        inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, len(numeric)]))
        blocks.append(_numbers(graph, [model.features[j] for j in numeric]))
        order += [j for j in numeric]
    if categorical:
        inputs.append(helper.make_tensor_value_info("categories", TensorProto.STRING, [None, len(categorical)]))
        for k, j in enumerate(categorical):
            blocks.append(_one_hot(graph, model.features[j], k))
            order.append(j)
    x = blocks[0] if len(blocks) == 1 else graph.node("Concat", blocks, "encoded", axis=1)
    x = _layers(graph, model.layers, _encoded_order(model, order), x)
    if model.task == "regression":
        x = graph.node("Mul", [x, graph.constant("target_std", np.float32([model.target.std]))], "scaled")
        out_name, width = "value", 1
        x = graph.node("Add", [x, graph.constant("target_mean", np.float32([model.target.mean]))], "value")
    else:
        out_name, width = "probabilities", model.n_outputs
    graph.nodes.append(helper.make_node("Identity", [x], [out_name]))
    output = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [None, width])
    onnx_graph = helper.make_graph(graph.nodes, "finf", inputs, [output], graph.initializers,
                                   doc_string=__doc__.split("\n\n", 1)[1])
    onnx_model = helper.make_model(onnx_graph, producer_name="finf",
                                   opset_imports=[helper.make_opsetid("", OPSET),
                                                  helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    onnx_model.ir_version = IR_VERSION
    helper.set_model_props(onnx_model, _metadata(model))
    checker.check_model(onnx_model, full_check=True)
    return onnx_model.SerializeToString()


def _numbers(graph, features):
    """(rows, N) standardized numbers: missing ones (NaN) filled, then (x - mean) / std."""
    x = "x"
    fills = [f.fill for f in features]
    if any(fill is not None for fill in fills):
        # NaN where a feature has no fill stays NaN, as finf would refuse the row
        fill = np.float32([np.nan if v is None else v for v in fills])
        missing = graph.node("IsNaN", [x], "missing")
        x = graph.node("Where", [missing, graph.constant("fill", fill), x], "filled")
    mean = graph.constant("mean", np.float32([f.mean for f in features]))
    std = graph.constant("std", np.float32([f.std for f in features]))
    return graph.node("Div", [graph.node("Sub", [x, mean], "centered"), std], "standardized")


def _one_hot(graph, feature, k):
    """(rows, C) one-hot float32 of column k of `categories`; '' is the fill's, an unknown category none."""
    column = graph.node("Gather", ["categories", graph.constant("column", np.int64(k))], "category", axis=1)
    keys = list(feature.categories) + ([""] if feature.fill is not None else [])
    values = list(range(len(feature.categories))) + ([feature.index(feature.fill)] if feature.fill is not None else [])
    index = graph.node("LabelEncoder", [column], "index", domain="ai.onnx.ml", keys_strings=keys,
                       values_int64s=values, default_int64=-1)
    index = graph.node("Unsqueeze", [index, graph.constant("axis", np.int64([1]))], "index_column")
    hot = graph.node("Equal", [index, graph.constant("codes", np.arange(len(feature.categories), dtype=np.int64))],
                     "is_category")
    return graph.node("Cast", [hot], "one_hot", to=1)  # 1: float32


def _encoded_order(model, order):
    """The encoded row's columns (finf's order) as the graph concatenates them: numbers first, then each one-hot."""
    start, at = {}, 0
    for j, feature in enumerate(model.features):
        start[j] = at
        at += feature.width
    numeric = [start[j] for j in order if model.features[j].kind == "numeric"]
    rest = [start[j] + c for j in order if model.features[j].kind == "categorical"
            for c in range(model.features[j].width)]
    return numeric + rest


def _layers(graph, layers, columns, x):
    """The network: Gemm per Linear (the first one's columns in the graph's order), an op per activation."""
    first = True
    for layer in layers:
        if isinstance(layer, finf.Linear):
            weight = np.array(layer.weight, dtype=np.float32)
            if first:
                weight, first = weight[:, columns], False
            x = graph.node("Gemm", [x, graph.constant("weight", weight),
                                    graph.constant("bias", np.float32(layer.bias))], "linear", transB=1)
        elif layer.kind == "softmax":
            x = graph.node("Softmax", [x], "softmax", axis=-1)
        else:
            x = graph.node(_ACTIVATIONS[layer.kind], [x], layer.kind)
    return x


def _metadata(model):
    features = [{"name": f.name, "kind": f.kind, **({"categories": list(f.categories)} if f.kind == "categorical"
                                                    else {}), "fill": f.fill} for f in model.features]
    props = {"finf:features": json.dumps(features), "finf:task": model.task}
    if model.task == "classification" and model.classes:
        props["finf:classes"] = json.dumps(list(model.classes))
    if model.target.name:
        props["finf:target"] = model.target.name
    return props
