"""finf's trainer: numpy training that writes FINF models the engine reads."""
