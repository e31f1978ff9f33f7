"""Language models: a character bigram and a small GPT, trained with numpy and exported for the engine."""
