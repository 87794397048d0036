"""Stochastic rounding: the bits do not depend on the thread count, and the draws behave as the
mode's definition says (P(up) = dropped fraction for sr, 1/2 for sr-equal)."""

import numpy as np

import floatscope
from conftest import same_bits, wide_random


def test_sr_bits_do_not_depend_on_threads():
    x = wide_random(10**6, np.float32, seed=21, lo=-12, hi=10)
    for fmt, mode in (("e4m3", "sr"), ("bf16", "sr"), ("e2m1", "sr-equal"), ("fp16", "sr")):
        if fmt == "e2m1":
            x = x[~np.isnan(x)]
        ref = floatscope.round(x, fmt, rounding=mode, seed=99, threads=1)
        for threads in (2, 3, 0):
            assert same_bits(floatscope.round(x, fmt, rounding=mode, seed=99, threads=threads), ref).all()
        assert not same_bits(floatscope.round(x, fmt, rounding=mode, seed=100, threads=1), ref).all()
        codes = floatscope.encode(x, fmt, rounding=mode, seed=99, threads=4)
        assert (codes == floatscope.encode(x, fmt, rounding=mode, seed=99, threads=1)).all()


def test_sr_probability_is_the_dropped_fraction():
    # 1 + 1/4 ulp of e4m3 (ulp 1/8 at 1): rounds up to 1.125 with probability 1/4 (sr), 1/2 (sr-equal).
    x = np.full(200_000, 1 + 0.25 / 8)
    for mode, p in (("sr", 0.25), ("sr-equal", 0.5)):
        r = floatscope.round(x, "e4m3", rounding=mode, seed=5)
        assert set(np.unique(r)) == {1.0, 1.125}
        up = (r == 1.125).mean()
        assert abs(up - p) < 5 * np.sqrt(p * (1 - p) / x.size), (mode, up)
    # sr_bits=1 keeps one random bit: a quarter-ulp remainder truncates to 0 -> always down.
    assert (floatscope.round(x, "e4m3", rounding="sr", sr_bits=1, seed=5) == 1.0).all()
