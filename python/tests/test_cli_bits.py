"""round/encode give the bits of `floatscope round` for every preset format and rounding mode
(stochastic ones included: element i draws index i, as line i+1 does), from float64, float32 and
float16 arrays."""

import numpy as np
import pytest

from conftest import MODES, PRESETS, same_bits, wide_random

import floatscope

NO_NAN = {"e3m2", "e2m3", "e2m1", "int8"}


def cli_round(cli, x, fmt, extra):
    text = "".join(float(v).hex() + "\n" for v in x)
    out = cli(["round", "--format", fmt, *extra], input=text).stdout.splitlines()
    assert out[0] == "input,value,bits" and len(out) == len(x) + 1
    values = np.array([float.fromhex(line.split(",")[1]) for line in out[1:]])
    bits = [int(line.split(",")[2], 16) for line in out[1:]]
    return values, bits


def values_for(fmt, n, seed, dtype=np.float64):
    x = wide_random(n, dtype, seed, lo=-140, hi=140)
    if fmt in NO_NAN:
        x = x[~np.isnan(x)]
    return x


@pytest.mark.parametrize("fmt", PRESETS)
@pytest.mark.parametrize("mode", MODES)
def test_round_and_encode_match_cli(cli, fmt, mode):
    x = values_for(fmt, 300, seed=hash((fmt, mode)) % 1000)
    x32 = x.astype(np.float32)
    info = [f for f in floatscope.formats() if f["name"] == fmt][0]
    for saturate in (False, True) if mode in ("rne", "sr") else (False,):
        extra = ["--rounding", mode, "--seed", "77", "--sr-bits", "9"] + (["--saturate"] if saturate else [])
        # One run of the program for both inputs: the float64 values, then their float32 roundings.
        want, bits = cli_round(cli, np.concatenate([x, x32.astype(np.float64)]), fmt, extra)
        kw = dict(rounding=mode, saturate=saturate, seed=77, sr_bits=9)
        assert same_bits(floatscope.round(x, fmt, **kw), want[: x.size]).all()
        if info["bits"] <= 16:
            assert floatscope.encode(x, fmt, **kw).tolist() == bits[: x.size]
        # float32 inputs: the float64 path (checked above) on the same values gives the bits; for
        # the deterministic modes so do the program's lines (SR would draw other indices there).
        want32 = floatscope.round(x32.astype(np.float64), fmt, **kw)
        if mode not in ("sr", "sr-equal"):
            assert same_bits(want32, want[x.size:]).all()
        if np.array_equal(want32.astype(np.float32).astype(np.float64), want32, equal_nan=True):
            assert same_bits(floatscope.round(x32, fmt, **kw), want32.astype(np.float32)).all()
        else:
            with pytest.raises(ValueError, match="is not a float32"):
                floatscope.round(x32, fmt, **kw)


@pytest.mark.parametrize("fmt", ["e4m3", "e2m1", "bf16", "fp16"])
def test_float16_inputs(cli, fmt):
    x = values_for(fmt, 300, seed=5, dtype=np.float16)
    want, _ = cli_round(cli, x.astype(np.float64), fmt, ["--rounding", "sr", "--seed", "3"])
    got = floatscope.round(x, fmt, rounding="sr", seed=3)
    assert got.dtype == np.float16
    assert same_bits(got.astype(np.float64), want).all()


def test_shapes_and_layouts_keep_the_element_order(cli):
    x = values_for("e5m2", 240, seed=9).reshape(4, 6, 10)
    want, _ = cli_round(cli, x.reshape(-1), "e5m2", ["--rounding", "sr", "--seed", "1"])
    got = floatscope.round(x, "e5m2", rounding="sr", seed=1)
    assert got.shape == x.shape and same_bits(got.reshape(-1), want).all()
    # A non-contiguous view is copied first: its elements in C order are what it rounds.
    view = x[:, ::2, :]
    assert same_bits(floatscope.round(view, "e5m2"), floatscope.round(np.ascontiguousarray(view), "e5m2")).all()
    assert floatscope.round(np.float64(464.0), "e4m3") == 448.0


def test_out_buffer_and_in_place():
    x = values_for("e4m3", 1000, seed=4).astype(np.float32)
    want = floatscope.round(x, "e4m3", rounding="sr", seed=2)
    buf = np.empty_like(x)
    assert floatscope.round(x, "e4m3", rounding="sr", seed=2, out=buf) is buf
    assert same_bits(buf, want).all()
    y = x.copy()
    floatscope.round(y, "e4m3", rounding="sr", seed=2, out=y)
    assert same_bits(y, want).all()
    with pytest.raises(TypeError, match="out must be a float32 array"):
        floatscope.round(x, "e4m3", out=np.empty(x.shape, np.float64))
    with pytest.raises(ValueError, match="C-contiguous"):
        floatscope.round(x[:500], "e4m3", out=np.empty((1000,), np.float32)[::2])
