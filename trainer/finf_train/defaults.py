"""The training defaults, in one place; plain data, so the command line can read them without numpy."""

DEFAULTS = {
    "task": "auto",  # classification for text or a few whole numbers, regression for many numbers (data.py)
    "missing": "error",  # or "drop" the rows, or "impute" (the fill values are stored in the model)
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
    "card_sample": 0,  # training rows put in the card for the page's map: none unless asked (they are data)
}
# A text model (--text): Embedding(vocabulary, 16) -> MeanPool -> Linear, as trainer/finf_train/text.py
# measured on the SMS Spam Collection: 10 epochs at lr 0.003 in batches of 32 reach 97.7% validation accuracy
# (30 epochs, or lr 0.01, overfit: 96.9%); 1,000 vocabulary entries keep the file near 73 KB.
TEXT_DEFAULTS = {"embedding_dim": 16, "vocab_size": 1000, "min_count": 2, "hidden": (), "epochs": 10,
                 "batch_size": 32, "lr": 0.003}
# How long each kind of model trains when fit's epochs and tol are None (tol > 0: stop once every element of
# the full-batch gradient is below it), with Adam at its default rate:
# - "linear", no hidden layer (logistic or linear regression): the loss is convex and full-batch Adam reaches
#   the optimum to float64 precision; on scikit-learn's diabetes data, least squares to 1e-4 in ~2,600 epochs.
# - "regression" with hidden layers overfits a small noisy target fast. Mean test R^2 on diabetes over five
#   80/20 splits and three seeds: 0.39 after 50 epochs, 0.05 after 300 (MLPRegressor((32,)): 0.38); on
#   make_friedman1 (500 rows), 50 epochs reach 0.84 (MLPRegressor: 0.80).
MODEL_DEFAULTS = {
    "classification": {"epochs": 300, "tol": 0.0},
    "regression": {"epochs": 50, "tol": 0.0},
    "linear": {"epochs": 5000, "tol": 1e-7},
}

# `finf train-lm` and train_lm(): a 2-layer, 64-wide, 4-head character GPT over windows of 64 characters.
# steps and lr None mean the model's own (lm/train.py: the bigram 500 steps of Adam at 0.1, the GPT 3,000 steps
# of AdamW at 3e-3).
LM_DEFAULTS = {"model": "gpt", "layers": 2, "embedding_dim": 64, "heads": 4, "block": 64, "steps": None,
               "batch_size": 32, "lr": None, "seed": 0}
