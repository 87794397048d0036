"""The arrays round() returns from its result pool (python/src/result_pool.hpp): each result is
its own memory while alive, keeps its values when later results reuse freed blocks, has the dtype,
shape and flags of the input, and its bits are ml_dtypes' casts (the oracle of test_ml_dtypes)."""

import gc

import numpy as np
import pytest

from conftest import same_bits

ml_dtypes = pytest.importorskip("ml_dtypes")
import floatscope  # noqa: E402

# Beyond the pool's threshold (1 MiB), with a shape that is not flat.
SHAPE = (300, 257, 5)


def data(dtype, seed):
    # float32 values (also as float64): ml_dtypes casts float64 through float32, which would round
    # twice for values float32 does not hold.
    return (np.random.default_rng(seed).standard_normal(SHAPE) * 16).astype(np.float32).astype(dtype)


def oracle(x, ml_name):
    return x.astype(getattr(ml_dtypes, ml_name)).astype(x.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_are_independent_arrays_with_the_oracle_bits(dtype):
    x = data(dtype, 1)
    assert x.nbytes >= 1 << 20
    a = floatscope.round(x, "bf16")
    want_a = oracle(x, "bfloat16")
    b = floatscope.round(x, "e4m3")
    assert not np.shares_memory(a, b) and not np.shares_memory(a, x)
    for r in (a, b):
        assert r.dtype == x.dtype and r.shape == x.shape
        assert r.flags.c_contiguous and r.flags.writeable
    assert same_bits(a, want_a).all()
    assert same_bits(b, oracle(x, "float8_e4m3fn")).all()
    # Freed results go back to the pool and are handed out again: a live one must not change.
    del a
    gc.collect()
    for fmt, ml_name in (("e5m2", "float8_e5m2"), ("bf16", "bfloat16"), ("e4m3", "float8_e4m3fn")):
        c = floatscope.round(x, fmt)
        assert not np.shares_memory(c, b)
        assert same_bits(c, oracle(x, ml_name)).all()
        del c
    assert same_bits(b, oracle(x, "float8_e4m3fn")).all()


def test_a_result_outlives_its_siblings_and_can_be_written():
    x = data(np.float32, 2)
    keep = [floatscope.round(x, "bf16", rounding="rtz") for _ in range(3)]
    keep[1][0, 0, 0] = 123.0  # writing one result touches no other
    assert keep[0][0, 0, 0] != 123.0 and keep[2][0, 0, 0] != 123.0
    keep[0] = None
    gc.collect()
    again = floatscope.round(x, "bf16", rounding="rtz")
    assert same_bits(again, keep[2]).all()
    assert not np.shares_memory(again, keep[1]) and not np.shares_memory(again, keep[2])


def test_small_results_and_in_place_are_unchanged():
    x = data(np.float32, 3)[:4]  # below the threshold: a plain NumPy array
    r = floatscope.round(x, "bf16")
    assert r.flags.owndata and same_bits(r, oracle(x, "bfloat16")).all()
    y = data(np.float32, 4)
    want = oracle(y, "bfloat16")
    assert floatscope.round(y, "bf16", out=y) is y
    assert same_bits(y, want).all()
