#!/usr/bin/env python3
"""floatscope.round against ml_dtypes' astype and against the C++ call, side by side (issue 13).

10^7 float32 values (normal, scaled to cover each format's range), one thread, best of
--repeats runs each:
  floatscope.round(x, fmt, threads=1)     the package (float32 in, a new float32 array out; the
                                          previous result, freed, is reused by the result pool)
  ... fresh memory                        the same with the pool emptied before each call: the new
                                          array's pages are faulted in and zeroed by the kernel
  ... out=buf                             the same into a reused output buffer (as the C++ call)
  C++ round_array                         the same library call timed inside C++ (no Python)
  x.astype(ml_dtype)                      ml_dtypes' cast (float32 -> 8/16-bit array)
  x.astype(ml_dtype).astype(float32)      the same values back in float32, as round() returns
Goals: floatscope.round >= 3x faster than ml_dtypes astype, and within 1.3x of the C++ call.
The load average is printed with the table: on a shared machine the numbers move with it.

Run with the built module (PYTHONPATH=build/release/python) or an installed package:
  .venv-test/bin/python bench/bench_python.py
"""

import argparse
import os
import time

import numpy as np

import floatscope
from floatscope import _core

try:
    import ml_dtypes
except ImportError:  # the floatscope columns still print
    ml_dtypes = None

ML = {"bf16": "bfloat16", "e4m3": "float8_e4m3fn", "e5m2": "float8_e5m2"}


def best(fn, repeats, before=None):
    t = float("inf")
    for _ in range(repeats):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10**7)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--formats", default="bf16,e4m3,e5m2")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(args.n) * 8).astype(np.float32)
    out = np.empty_like(x)
    print(f"{args.n:.0e} float32 values, threads=1, best of {args.repeats} (ms); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'format':<7} {'floatscope':>10} {'fresh mem':>9} {'out=buf':>8} {'C++ call':>9} {'ml astype':>10} "
          f"{'ml roundtrip':>13} {'vs astype':>10} {'vs roundtrip':>13} {'py/C++':>7} {'out=/C++':>9}")
    for fmt in args.formats.split(","):
        t_fs = best(lambda: floatscope.round(x, fmt, threads=1), args.repeats)
        t_fresh = best(lambda: floatscope.round(x, fmt, threads=1), args.repeats, before=_core.pool_clear)
        buf = np.empty_like(x)
        t_buf = best(lambda: floatscope.round(x, fmt, threads=1, out=buf), args.repeats)
        t_cpp = _core.time_round_f32(x, out, fmt, "rne", args.repeats, 1)
        if ml_dtypes is not None:
            dt = getattr(ml_dtypes, ML[fmt])
            t_ml = best(lambda: x.astype(dt), args.repeats)
            t_rt = best(lambda: x.astype(dt).astype(np.float32), args.repeats)
            ml_cols = f"{t_ml * 1e3:>10.1f} {t_rt * 1e3:>13.1f} {t_ml / t_fs:>9.1f}x {t_rt / t_fs:>12.1f}x"
        else:
            ml_cols = f"{'-':>10} {'-':>13} {'-':>10} {'-':>13}"
        print(f"{fmt:<7} {t_fs * 1e3:>10.1f} {t_fresh * 1e3:>9.1f} {t_buf * 1e3:>8.1f} {t_cpp * 1e3:>9.1f} {ml_cols} "
              f"{t_fs / t_cpp:>6.2f}x {t_buf / t_cpp:>8.2f}x")
    print(f"SIMD level: {_core.simd_level()}; ratios 'vs' are ml_dtypes time / floatscope.round time; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
