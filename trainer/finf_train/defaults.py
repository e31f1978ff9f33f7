"""The training defaults, in one place: train(), fit() and the `finf train` command all read them here."""

DEFAULTS = {
    "task": "auto",  # classification for text or a few whole numbers, regression for many numbers (data.py)
    "missing": "error",  # or "drop" the rows, or "impute" (fill values stored in the model)
    "ignore": (),
    "categorical": (),
    "hidden": (32,),  # () is no hidden layer: logistic or linear regression
    "activation": "relu",
    "optimizer": "adam",
    "lr": None,  # the optimizer's default: 0.01 for Adam, 0.1 for SGD
    "epochs": None,  # MODEL_DEFAULTS for the kind of model
    "batch_size": None,  # full batch
    "val_fraction": 0.2,
    "seed": 0,
}
