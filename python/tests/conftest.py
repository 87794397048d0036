"""Shared fixtures of the pytest suite (run by CTest as python.<file>, label `python`).

Oracles: ml_dtypes' own casts and code tables, the `floatscope` command-line program (whose bits
the package must reproduce; path in FLOATSCOPE_CLI), and an exact nearest-value search over a
format's value table written here. A file whose every test skipped (ml_dtypes, pandas or the CLI
absent) exits 77, which CTest reports as Skipped, as the C++ tests do.
"""

import bisect
import os
import subprocess

import numpy as np
import pytest


# floatscope preset -> ml_dtypes attribute, written out here (not taken from the package).
ML_DTYPES = {
    "bf16": "bfloat16",
    "e4m3": "float8_e4m3fn",
    "e5m2": "float8_e5m2",
    "e4m3fnuz": "float8_e4m3fnuz",
    "e5m2fnuz": "float8_e5m2fnuz",
    "e3m2": "float6_e3m2fn",
    "e2m3": "float6_e2m3fn",
    "e2m1": "float4_e2m1fn",
    "e8m0": "float8_e8m0fnu",
}
CODE_BITS = {"bf16": 16, "e4m3": 8, "e5m2": 8, "e4m3fnuz": 8, "e5m2fnuz": 8, "e3m2": 6, "e2m3": 6,
             "e2m1": 4, "e8m0": 8}
PRESETS = ["fp64", "fp32", "tf32", "fp16", "bf16", "e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz", "e3m2",
           "e2m3", "e2m1", "e8m0", "int8"]
MODES = ["rne", "rna", "rtz", "rup", "rdn", "rto", "sr", "sr-equal"]


@pytest.fixture(scope="session")
def cli():
    """Runs the floatscope program: cli(args, input=None) -> CompletedProcess (text)."""
    path = os.environ.get("FLOATSCOPE_CLI", "")
    if not path or not os.path.exists(path):
        pytest.skip("the floatscope program is not built (FLOATSCOPE_CLI)")

    def run(args, input=None, check=True):
        p = subprocess.run([path, *args], input=input, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"floatscope {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p

    return run


def wide_random(n, dtype, seed, lo=-160, hi=160):
    """n random values of both signs with exponents spread over [lo, hi): every format's overflow,
    normal, subnormal and underflow ranges, plus the special values up front."""
    rng = np.random.default_rng(seed)
    m = rng.uniform(1, 2, n)
    e = rng.integers(lo, hi, n).astype(np.float64)
    s = rng.choice([-1.0, 1.0], n)
    with np.errstate(over="ignore"):
        x = (s * m * np.exp2(e)).astype(dtype)
    x[:5] = [np.inf, -np.inf, np.nan, -0.0, 0.0]
    return x


def same_bits(a, b):
    """Elementwise: identical bits, or both NaN (NaN payloads are not compared)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    u = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return (a.view(u) == b.view(u)) | (np.isnan(a) & np.isnan(b))


class NearestValue:
    """Round-to-nearest-even by search over a format's finite values (decoded by ml_dtypes from
    every code): the nearest value, ties to the one with an even code. Exact for any double input
    that lies within the format's finite range."""

    def __init__(self, ml_dtype, bits):
        codes = np.arange(1 << bits, dtype=np.uint16 if bits > 8 else np.uint8)
        values = codes.view(ml_dtype).astype(np.float64)
        keep = np.isfinite(values)
        pairs = sorted(set(zip(values[keep].tolist(), codes[keep].tolist())), key=lambda t: t[0])
        best = {}
        for v, c in pairs:  # one code per value (+0/-0 stay apart by sign below)
            best.setdefault(v, c)
        self.values = sorted(best)
        self.codes = [best[v] for v in self.values]

    def __call__(self, x):
        from fractions import Fraction
        i = bisect.bisect_left(self.values, x)
        cands = [j for j in (i - 1, i) if 0 <= j < len(self.values)]
        fx = Fraction(x)
        d = [abs(Fraction(self.values[j]) - fx) for j in cands]
        if len(cands) == 2 and d[0] == d[1]:
            j = cands[0] if self.codes[cands[0]] % 2 == 0 else cands[1]
        else:
            j = cands[d.index(min(d))]
        return self.values[j]


def pytest_sessionfinish(session, exitstatus):
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if tr is None or exitstatus != 0:
        return
    passed = len(tr.stats.get("passed", []))
    if passed == 0 and tr.stats.get("skipped"):
        session.exitstatus = 77
