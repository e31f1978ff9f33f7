"""Language models: character-level bigram and GPT, trained with numpy."""
