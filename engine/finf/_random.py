"""The engine's own random numbers, so a seed gives the same text in every Python that runs finf.

SplitMix64 (Steele, Lea and Flood, 2014; Vigna's reference splitmix64.c): the state is a 64-bit integer,
the seed reduced modulo 2**64; each step adds GAMMA to the state and mixes it:

    state = (state + 0x9E3779B97F4A7C15) mod 2**64
    z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9 mod 2**64
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB mod 2**64
    output z ^ (z >> 31)

random() is the top 53 bits of an output over 2**53, a float in [0, 1). Only integer arithmetic, so the
numbers are the same bits in CPython 3.11, Pyodide's 3.14 and anywhere else; random.Random's algorithm is
not promised across versions. Seed 0's first output is 0xE220A8397B1DCDAF.
"""

import os

_MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


class SplitMix64:
    """A seeded stream of 64-bit integers and floats in [0, 1); seed None takes 8 bytes from os.urandom."""

    def __init__(self, seed=None):
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, not {seed!r}")
        self.state = seed & _MASK

    def next_u64(self):
        self.state = (self.state + GAMMA) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))
