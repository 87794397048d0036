"""floatscope against ml_dtypes' own casts: RNE rounding of 10^6 random values per format (from
float32 and float64), every code's value, and the ml_dtypes arrays floatscope makes and takes."""

import numpy as np
import pytest

from conftest import CODE_BITS, ML_DTYPES, NearestValue, same_bits, wide_random

ml_dtypes = pytest.importorskip("ml_dtypes")
import floatscope  # noqa: E402

N = 10**6


def ml(fmt):
    return np.dtype(getattr(ml_dtypes, ML_DTYPES[fmt]))


def has_nan(fmt):
    return fmt not in ("e3m2", "e2m3", "e2m1")


def inputs(fmt, dtype, seed):
    x = wide_random(N, dtype, seed)
    if not has_nan(fmt):  # floatscope refuses NaN for formats without NaN, as the CLI does
        x = x[~np.isnan(x)]
    return x


@pytest.mark.parametrize("fmt", list(ML_DTYPES))
def test_rne_from_float32_matches_ml_dtypes(fmt):
    x = inputs(fmt, np.float32, seed=11)
    got = floatscope.round(x, fmt)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = x.astype(ml(fmt)).astype(np.float32)
    same = same_bits(got, ref)
    if fmt == "e8m0":
        # ml_dtypes differs below 2^-126 (float32 subnormal inputs); there floatscope must give the
        # nearest power of two, checked by exact search (E8M0 has no zero: 2^-127 is its minimum).
        tiny = np.abs(x) < 2.0**-126
        assert same[~tiny].all()
        oracle = NearestValue(ml(fmt), 8)
        for i in np.flatnonzero(~same)[:2000]:
            assert x[i] >= 0 and got[i] == oracle(float(x[i])), (x[i], got[i], ref[i])
        return
    bad = np.flatnonzero(~same)
    assert bad.size == 0, [(x[i], got[i], ref[i]) for i in bad[:5]]


@pytest.mark.parametrize("fmt", list(ML_DTYPES))
def test_rne_from_float64_matches_ml_dtypes_or_exact_nearest(fmt):
    """From float64, ml_dtypes rounds a few values twice (bf16: through float32; e8m0: NaN for
    values below 2^-127): each value where the two differ must be floatscope's exact nearest value
    (searched over ml_dtypes' own value table) and not ml_dtypes' result."""
    x = inputs(fmt, np.float64, seed=12)
    got = floatscope.round(x, fmt)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = x.astype(ml(fmt)).astype(np.float64)
    bad = np.flatnonzero(~same_bits(got, ref))
    assert bad.size < N // 50, bad.size  # a rare effect, not another rounding rule
    if bad.size:
        oracle = NearestValue(ml(fmt), CODE_BITS[fmt])
        for i in bad[:2000]:
            assert np.isfinite(x[i]) and abs(x[i]) <= oracle.values[-1], (x[i], got[i], ref[i])
            exact = oracle(float(x[i]))
            assert got[i] == exact and not (ref[i] == exact), (x[i], got[i], ref[i], exact)


@pytest.mark.parametrize("fmt", list(ML_DTYPES))
def test_every_code_decodes_like_ml_dtypes(fmt):
    bits = CODE_BITS[fmt]
    codes = np.arange(1 << bits, dtype=np.uint16 if bits > 8 else np.uint8)
    ref = codes.view(ml(fmt)).astype(np.float64)
    got = floatscope.decode(codes, fmt).astype(np.float64)
    assert same_bits(got, ref).all()
    # Every value encodes back to a code of the same value and sign (the bits, through ml_dtypes).
    finite = ~np.isnan(ref)
    enc = floatscope.encode(ref[finite], fmt)
    assert same_bits(enc.view(ml(fmt)).astype(np.float64), ref[finite]).all()


@pytest.mark.parametrize("fmt", list(ML_DTYPES))
def test_to_ml_dtypes_has_ml_dtypes_bits(fmt):
    x = inputs(fmt, np.float32, seed=13)[: N // 10]
    if fmt == "e8m0":
        x = x[np.abs(x) >= 2.0**-126]  # see test_rne_from_float32_matches_ml_dtypes
    got = floatscope.to_ml_dtypes(x, fmt)
    assert got.dtype == ml(fmt)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = x.astype(ml(fmt))
    u = np.uint16 if got.dtype.itemsize == 2 else np.uint8
    nan = np.isnan(ref.astype(np.float32))
    assert (got.view(u)[~nan] == ref.view(u)[~nan]).all()
    assert np.isnan(got.astype(np.float32)[nan]).all()


@pytest.mark.parametrize("fmt", list(ML_DTYPES))
def test_ml_dtypes_arrays_are_inputs(fmt):
    """An ml_dtypes array is read by its bits: the same results as its values in float32."""
    bits = CODE_BITS[fmt]
    codes = np.arange(1 << bits, dtype=np.uint16 if bits > 8 else np.uint8)
    arr = codes.view(ml(fmt))
    with np.errstate(invalid="ignore"):
        vals = arr.astype(np.float32)
    keep = ~np.isnan(vals)  # e2m1 below has no NaN
    for target in ("e2m1", "e4m3", "bf16"):
        got = floatscope.round(arr[keep], target, rounding="rtz")
        assert got.dtype == np.float32
        assert same_bits(got, floatscope.round(vals[keep], target, rounding="rtz")).all()
    A = arr[keep][:8].reshape(2, 4)
    D, _ = floatscope.gemm(A, A.T.copy(), a_format="fp32", reference="none")
    D2, _ = floatscope.gemm(vals[keep][:8].reshape(2, 4).astype(np.float64),
                            vals[keep][:8].reshape(2, 4).T.astype(np.float64), a_format="fp32",
                            reference="none")
    assert same_bits(D, D2).all()
