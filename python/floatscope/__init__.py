"""floatscope: low-precision float formats, rounding modes and tensor-core GEMMs, emulated bit-exactly.

NumPy in, NumPy out; the results are the bits of the `floatscope` command-line program (the same
C++ library). The GIL is released while the C++ computes.

Arrays: float16, float32 and float64 of any shape; contiguous (C-order) arrays are read in place,
other layouts are copied once into a contiguous array first. ml_dtypes arrays (bfloat16, float8_*,
float6_*, float4_e2m1fn, float8_e8m0fnu) are accepted wherever values are: their bits are decoded
by floatscope's own codec.

Stochastic rounding: element i of the flattened (C-order) array draws index i of stream 0 of
`seed`, as line i+1 of `floatscope round` does; results do not depend on `threads`.

Errors: bad names and values raise ValueError with the message the CLI prints; arrays of an
unsupported dtype raise TypeError.

Checks and fits: fit(), check_round() and check_gemm() run `floatscope fit` and
`floatscope check round|gemm` on arrays and return the dicts of their `--json` reports.
"""

from __future__ import annotations

import os

import numpy as np

from . import _core

__all__ = [
    "formats",
    "models",
    "round",
    "encode",
    "decode",
    "to_ml_dtypes",
    "gemm",
    "quantize",
    "sweep",
    "read_results",
    "fit",
    "check_round",
    "check_gemm",
]

# floatscope preset -> the ml_dtypes (or NumPy) dtype with the same encoding.
_ML_DTYPE_NAMES = {
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
_NUMPY_DTYPES = {"fp16": np.float16, "fp32": np.float32, "fp64": np.float64}
_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def formats() -> list[dict]:
    """The named formats with their constants (the table of `floatscope formats --json`)."""
    return _core.formats()


def models() -> list[dict]:
    """The named hardware accumulation models (the table of `floatscope models --json`)."""
    import json
    return json.loads(_core.models())


def _ml_dtypes_formats() -> dict:
    """ml_dtypes dtype -> floatscope format name; empty without ml_dtypes."""
    try:
        import ml_dtypes
    except ImportError:
        return {}
    table = {}
    for name, attr in _ML_DTYPE_NAMES.items():
        if hasattr(ml_dtypes, attr):
            table[np.dtype(getattr(ml_dtypes, attr))] = name
    return table


def _as_values(x, what: str) -> np.ndarray:
    """x as a contiguous float16/32/64 array: ml_dtypes arrays decoded (to float32, which holds
    every value of theirs exactly), lists and scalars through np.asarray."""
    a = np.asarray(x)
    if a.dtype in _FLOAT_DTYPES:
        return np.ascontiguousarray(a)
    fmt = _ml_dtypes_formats().get(a.dtype)
    if fmt is not None:
        return decode(np.ascontiguousarray(a).view(np.uint16 if a.dtype.itemsize == 2 else np.uint8), fmt)
    raise TypeError(
        f"{what}: x has dtype {a.dtype}; expected float16, float32 or float64 (or an ml_dtypes array)"
    )


def _rounding_args(rounding, saturate, seed, sr_bits, threads):
    if not isinstance(rounding, str):
        raise TypeError(f"rounding must be a string, got {type(rounding).__name__}")
    return rounding, bool(saturate), int(seed), int(sr_bits), int(threads)


def _new_result(a: np.ndarray) -> np.ndarray:
    """An uninitialised array like a (float32/float64, C order). Large ones come from the module's
    result pool: memory that earlier results gave back, so the kernel need not zero fresh pages
    for every call (docs/python.md, "Speed"); the array owns it like any other."""
    if a.nbytes < _core.pooled_min_bytes:
        return np.empty_like(a, order="C")
    return (_core.pooled_empty_f32 if a.dtype == np.float32 else _core.pooled_empty_f64)(list(a.shape))


def round(x, format: str, rounding: str = "rne", saturate: bool = False, seed: int = 0,
          sr_bits: int = 64, threads: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """Rounds every value of x once onto `format`'s grid; returns an array of x's dtype and shape
    (float32 for ml_dtypes inputs).

    format: a preset name or alias (floatscope.formats()) or eXmY[:bias=..,specials=..,...].
    rounding: rne, rna, rtz, rup, rdn, rto, sr, sr-equal. saturate: clamp overflow to +-max
    instead of the spec's non-saturating rule. seed, sr_bits: stochastic rounding.
    threads: 0 = all cores (OMP_NUM_THREADS), 1 = serial; the bits do not depend on it.
    out: a C-contiguous array of x's dtype and shape to write into (and return), e.g. x itself to
    round in place, or a buffer reused across calls (saves allocating and faulting in new memory).

    A result the dtype cannot hold exactly raises ValueError rather than being rounded again
    (e.g. bf16 rounds 65504 to 65536, beyond float16; pass float32). float16 arrays are rounded
    through a float32 copy.
    """
    args = _rounding_args(rounding, saturate, seed, sr_bits, threads)
    a = _as_values(x, "round")
    if out is not None:
        if not isinstance(out, np.ndarray) or out.dtype != a.dtype or out.shape != a.shape:
            raise TypeError(f"round: out must be a {a.dtype} array of shape {a.shape}")
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("round: out must be C-contiguous and writeable")
    if a.dtype == np.float16:
        r32 = round(a.astype(np.float32), format, *args)
        r16 = r32.astype(np.float16)
        bad = ~((r16.astype(np.float32) == r32) | np.isnan(r32))
        if bad.any():
            i = int(np.flatnonzero(bad.reshape(-1))[0])
            raise ValueError(f"round: the result {r32.reshape(-1)[i]!r} at index {i} in format "
                             f"'{format}' is not a float16; pass a float32 array")
        if out is None:
            return r16
        out[...] = r16
        return out
    if out is None:
        out = _new_result(a)
    flat_in, flat_out = a.reshape(-1), out.reshape(-1)
    if a.dtype == np.float32:
        _core.round_f32(flat_in, flat_out, format, *args)
    else:
        _core.round_f64(flat_in, flat_out, format, *args)
    return out


def encode(x, format: str, rounding: str = "rne", saturate: bool = False, seed: int = 0,
           sr_bits: int = 64, threads: int = 0) -> np.ndarray:
    """Rounds x onto `format` and returns the codes: uint8 for formats of at most 8 bits, uint16
    for up to 16 (codes right-aligned, as `floatscope round` prints them). Options as round()."""
    args = _rounding_args(rounding, saturate, seed, sr_bits, threads)
    a = _as_values(x, "encode")
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    width = _core.format_info(format)["bits"]
    codes = np.empty(a.shape, dtype=np.uint8 if width <= 8 else np.uint16)
    _core.encode(a.reshape(-1), codes.reshape(-1), format, *args)
    return codes


def decode(codes, format: str) -> np.ndarray:
    """The values of uint8/uint16 codes of `format`: float32 when every value of the format is a
    float32, else float64. A code outside the format raises ValueError naming its index."""
    c = np.asarray(codes)
    if c.dtype not in (np.dtype(np.uint8), np.dtype(np.uint16)):
        raise TypeError(f"decode: codes have dtype {c.dtype}; expected uint8 or uint16")
    c = np.ascontiguousarray(c)
    out = np.empty(c.shape, dtype=np.float32 if _core.decodes_to_float32(format) else np.float64)
    _core.decode(c.reshape(-1), out.reshape(-1), format)
    return out


def to_ml_dtypes(x, format: str, rounding: str = "rne", saturate: bool = False, seed: int = 0,
                 sr_bits: int = 64, threads: int = 0) -> np.ndarray:
    """Rounds x onto `format` and returns it as the matching ml_dtypes array (float8_e4m3fn for
    e4m3, bfloat16 for bf16, ...; NumPy's float16/32/64 for fp16/fp32/fp64) with floatscope's bits.
    Options as round(). Needs ml_dtypes for the formats NumPy lacks."""
    name = _core.format_info(format)["name"]
    if name in _NUMPY_DTYPES:
        a = _as_values(x, "to_ml_dtypes").astype(np.float64)
        return round(a, name, rounding, saturate, seed, sr_bits, threads).astype(_NUMPY_DTYPES[name])
    if name not in _ML_DTYPE_NAMES:
        raise ValueError(f"to_ml_dtypes: format '{name}' has no ml_dtypes dtype (those that do: "
                         f"{', '.join(list(_ML_DTYPE_NAMES) + list(_NUMPY_DTYPES))})")
    try:
        import ml_dtypes
    except ImportError as e:
        raise ImportError("to_ml_dtypes needs the ml_dtypes package (pip install ml_dtypes)") from e
    attr = _ML_DTYPE_NAMES[name]
    if not hasattr(ml_dtypes, attr):
        raise ValueError(f"to_ml_dtypes: this ml_dtypes ({ml_dtypes.__version__}) has no {attr}")
    return encode(x, name, rounding, saturate, seed, sr_bits, threads).view(getattr(ml_dtypes, attr))


def _matrix(x, what: str, codes_format):
    """A gemm operand as a contiguous float64 matrix: floats converted, ml_dtypes arrays decoded,
    uint8/uint16 arrays read as codes of codes_format (as `floatscope gemm` reads .npy codes)."""
    if x is None:
        return None
    a = np.asarray(x)
    if a.ndim != 2:
        raise ValueError(f"gemm: {what} must be a 2-D matrix, got {a.ndim} dimension(s)")
    if a.dtype in (np.dtype(np.uint8), np.dtype(np.uint16)):
        if codes_format is None:
            raise TypeError(f"gemm: {what} holds integer codes ({a.dtype}); give its format with "
                            f"{what.lower()}_format")
        return decode(a, codes_format).astype(np.float64)
    if a.dtype in _FLOAT_DTYPES or a.dtype in _ml_dtypes_formats():
        return np.ascontiguousarray(_as_values(a, "gemm"), dtype=np.float64)
    raise TypeError(f"gemm: {what} has dtype {a.dtype}; expected float16/32/64, uint8/uint16 "
                    f"codes, or an ml_dtypes array")


def gemm(A=None, B=None, C=None, *, model=None, a_format=None, b_format=None, acc_format=None,
         rounding=None, sr_bits=None, order=None, product_format=None, compensation=None,
         output_format=None, output_rounding=None, output_scale=None, promote=None, block_fma=None,
         backend=None, scale_a=None, scale_b=None, input_rounding=None, permutations=None,
         reference=None, M=None, N=None, K=None, dist=None, b_dist=None, seed=None, scheme=None,
         scale_rule=None, input_overflow=None, algorithm=None, output_scale_mode=None, reference_of=None,
         amax_history_len=None, outlier_growth=None, c_format=None, c_rounding=None, outer_format=None,
         outer_rounding=None, align=None, normalised_products=None, interleaved_pairs=None,
         subnormals=None, unit_overflow=None, zero_sign=None, threads=0):
    """One emulated GEMM D = A*B (+C) measured against the exact result, as `floatscope gemm`.

    A (M x K), B (K x N), C (M x N): float16/32/64, ml_dtypes arrays, or uint8/uint16 codes of
    a_format (B: b_format, else a_format; C: fp32). Without A and B, M, N, K, dist and seed
    generate the inputs. The keywords are the CLI's options (--a-format -> a_format); None keeps
    the CLI's default. Inputs are rounded (input_rounding) onto the input formats first, or, with
    scheme (`floatscope schemes`: mxfp8-e4m3, nvfp4, fp8-tile1x128, ...; "A+B" for two), quantised
    block by block with scale_rule as `floatscope gemm --scheme` does.

    Returns (D, metrics): D the emulated result (float64, M x N), metrics the dict of
    `gemm --json` (same keys; Inf as float('inf'), values the run did not measure as None).
    """
    options = {k: v for k, v in dict(
        model=model, a_format=a_format, b_format=b_format, acc_format=acc_format,
        rounding=rounding, sr_bits=sr_bits, order=order, product_format=product_format,
        compensation=compensation, output_format=output_format, output_rounding=output_rounding,
        output_scale=output_scale, promote=promote, block_fma=block_fma, backend=backend,
        scale_a=scale_a, scale_b=scale_b, input_rounding=input_rounding,
        permutations=permutations, reference=reference, M=M, N=N, K=K, dist=dist, b_dist=b_dist,
        seed=seed, scheme=scheme, scale_rule=scale_rule, input_overflow=input_overflow,
        algorithm=algorithm, output_scale_mode=output_scale_mode, reference_of=reference_of,
        amax_history_len=amax_history_len, outlier_growth=outlier_growth, c_format=c_format,
        c_rounding=c_rounding, outer_format=outer_format, outer_rounding=outer_rounding, align=align,
        normalised_products=normalised_products, interleaved_pairs=interleaved_pairs,
        subnormals=subnormals, unit_overflow=unit_overflow, zero_sign=zero_sign).items()
        if v is not None}
    a = _matrix(A, "A", a_format)
    b = _matrix(B, "B", b_format if b_format is not None else a_format)
    c = _matrix(C, "C", "fp32")
    return _core.gemm(a, b, c, options, int(threads))


def quantize(x, scheme: str, *, format: str = "", block: int = 0, scale_rule: str = "floor",
             rounding: str = "rne", saturate: bool = True, seed: int = 0, sr_bits: int = 64,
             tensor_scale=None, block_scale_rounding: str = "rne", margin: float = 0.0,
             amax_history=None, pad: bool = False, axis: int = -1):
    """Block-scaled quantisation, as `floatscope quantize` (schemes: `floatscope schemes`).

    Blocks run along `axis` (the last by default; 128x128 blocks also span the rows of a 2-D
    array). Elements are x / scale rounded once onto the element format (saturating unless
    saturate=False). Returns (dequantised, elements, scales, stats): dequantised has x's shape
    (float64); elements (float64 values on the element grid) and scales have the blocked axis
    last, padded to whole blocks with pad=True; stats is the dict of `quantize --json`.
    """
    a = np.asarray(_as_values(x, "quantize"), dtype=np.float64)
    if a.ndim == 0:
        raise ValueError("quantize: a 0-d array has no blocks")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"quantize: axis {axis} is out of range for a {a.ndim}-D array")
    moved = np.moveaxis(a, axis, -1)
    rows2d = np.ascontiguousarray(moved.reshape(-1, moved.shape[-1]) if a.ndim != 1 else moved.reshape(1, -1))
    deq, elements, scales, summary = _core.quantize(
        rows2d, scheme, format, int(block), scale_rule, rounding, bool(saturate), int(seed), int(sr_bits),
        None if tensor_scale is None else float(tensor_scale), block_scale_rounding, float(margin),
        [float(v) for v in (amax_history or [])], bool(pad))
    import json
    deq = np.moveaxis(deq.reshape(moved.shape), -1, axis)
    return deq, elements, scales, json.loads(summary)


def sweep(config, out_dir, threads=None, shard: str = "1/1") -> dict:
    """Runs a sweep into out_dir (results.csv + meta.json), resumably, as
    `floatscope sweep CONFIG -o OUT_DIR`: points already in results.csv are skipped, and the CLI
    can resume, merge or report the directory.

    config: the path of a TOML file, or a dict of the same keys (a value or a list of values
    each; "grid": a list of dicts, one per sub-grid). threads: None or 0 = all cores.
    Returns {"points", "new", "skipped", "results"}.
    """
    if isinstance(config, dict):
        return _core.sweep("", config, os.fspath(out_dir), int(threads or 0), shard)
    if isinstance(config, (str, os.PathLike)):
        return _core.sweep(os.fspath(config), None, os.fspath(out_dir), int(threads or 0), shard)
    raise TypeError(f"sweep: config must be a TOML path or a dict, got {type(config).__name__}")


def _column(values: list, kind: str) -> np.ndarray:
    if kind == "str":
        return np.array(values, dtype=object)
    if kind == "int":
        return np.array([int(v) for v in values], dtype=np.int64)
    if kind == "uint64":
        return np.array([int(v) for v in values], dtype=np.uint64)
    # Metrics: an empty cell is a value the run did not measure (NaN); "inf", "nan" as written.
    return np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)


def read_results(out_dir):
    """out_dir/results.csv with typed columns under the CSV contract's names: a pandas DataFrame
    when pandas is installed, else a dict of NumPy arrays. Parameter columns take the sweep
    schema's types (str, int64, uint64 for seed, float64), metrics float64 (NaN where the run did
    not measure a value), point_id/accumulator/output_hash str."""
    header, rows = _core.read_results_table(os.fspath(out_dir))
    types = _core.csv_column_types()
    columns = {name: _column([r[i] for r in rows], types.get(name, "str"))
               for i, name in enumerate(header)}
    try:
        import pandas as pd
    except ImportError:
        return columns
    df = pd.DataFrame(columns)
    for name in header:
        if types.get(name, "str") == "str":
            df[name] = df[name].astype("string")
    return df


def _values(x, what: str, fn: str, codes_format=None) -> np.ndarray:
    """x as a contiguous float64 array of any shape: floats converted, ml_dtypes arrays decoded,
    uint8/uint16 arrays read as codes of codes_format and uint32 arrays as fp32 bit patterns (as
    the CLI reads .npy files; recorded hardware data store fp32 values so)."""
    a = np.asarray(x)
    if a.dtype == np.dtype(np.uint32):
        return np.ascontiguousarray(a).view(np.float32).astype(np.float64)
    if a.dtype in (np.dtype(np.uint8), np.dtype(np.uint16)):
        if codes_format is None:
            raise TypeError(f"{fn}: {what} holds integer codes ({a.dtype}); give its format")
        return np.ascontiguousarray(decode(a, codes_format), dtype=np.float64)
    if a.dtype in _FLOAT_DTYPES or a.dtype in _ml_dtypes_formats():
        return np.ascontiguousarray(_as_values(a, fn), dtype=np.float64)
    raise TypeError(f"{fn}: {what} has dtype {a.dtype}; expected float16/32/64, uint8/uint16 codes, "
                    f"uint32 fp32 bit patterns, or an ml_dtypes array")


def _count(v, name: str, fn: str, lo: int, hi: int) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{fn}: {name} must be an integer")
    if not lo <= v <= hi:
        raise ValueError(f"{fn}: {name} = {v} is out of range: expected an integer from {lo} to {hi}")
    return int(v)


def _gemm_call(options: dict, with_c: bool) -> str:
    """The gemm() call that runs a fitted model, as text (the Python form of the CLI's "gemm")."""
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return f"floatscope.gemm(A, B{', C' if with_c else ''}, {args})"


def fit(A, B, D, C=None, *, a_format=None, b_format=None, dot_rows=False, top=1, max_cases=20000,
        L_max=64, F_min=8, F_max=40, scalar=True, fused=True, aligners="auto", specials="auto",
        threads=0) -> dict:
    """The accumulation models that reproduce recorded outputs bit for bit, as `floatscope fit`.

    Without dot_rows: A (M x K), B (K x N), the recorded D and optional C (M x N); every output is a
    case (at most max_cases, evenly spaced). With dot_rows=True: A and B n x K, C and D n values
    (row i of A times row i of B plus C[i] gave D[i]; the first max_cases rows). Arrays:
    float16/32/64, ml_dtypes arrays, or (A, B) uint8/uint16 codes of a_format / b_format.
    a_format, b_format: the inputs' formats (default: B's is A's; without either, each is the
    narrowest of e4m3 e5m2 fp16 bf16 tf32 fp32 holding the values). The other keywords are the
    CLI's options (--top, --max-cases, --L-max, --F-min, --F-max, --no-scalar, --no-fused,
    --aligners, --specials, --threads).

    Returns the dict of `fit --json` (cases, K, a_format, b_format, candidates, output_formats,
    dot_products, completed, probes, seconds, full_matches, aligner_variants, special_variants,
    refine_dot_products, models). Each model also has gemm_options: the gemm() keywords that run
    it (gemm(A, B, C, **m["gemm_options"]) gives its D), or None when no keywords express it; its
    "gemm" is that call as text ("" with dot_rows: gemm() runs matrices).
    Bad input (shapes, off-grid values, unknown formats) raises ValueError.
    """
    fn = "fit"
    a = _values(A, "A", fn, a_format)
    b = _values(B, "B", fn, b_format if b_format is not None else a_format)
    d = _values(D, "D", fn)
    c = None if C is None else _values(C, "C", fn)
    for name, v in (("a_format", a_format), ("b_format", b_format), ("aligners", aligners),
                    ("specials", specials)):
        if v is not None and not isinstance(v, str):
            raise TypeError(f"{fn}: {name} must be a string, got {type(v).__name__}")
    report = _core.fit(
        a, b, c, d, a_format or "", b_format or "", bool(dot_rows),
        _count(top, "top", fn, 1, 1000), _count(max_cases, "max_cases", fn, 1, 100000000),
        _count(L_max, "L_max", fn, 1, 1024), _count(F_min, "F_min", fn, 1, 48), _count(F_max, "F_max", fn, 1, 48),
        bool(scalar), bool(fused), aligners, specials, _count(threads, "threads", fn, 0, 2**31 - 1))
    import json
    result = json.loads(report)
    for m in result["models"]:
        opts = m["gemm_options"] = None if m["gemm_options"] is None else dict(m["gemm_options"])
        m["gemm"] = "" if dot_rows or opts is None else _gemm_call(opts, C is not None)
    return result


def check_round(x, got=None, format=None, rounding: str = "rne", saturate: bool = False, show: int = 10, *,
                got_codes=None, max_mismatch: float = 0.0) -> dict:
    """Checks a conversion of x onto `format` (your got = round(x)) bit for bit, as
    `floatscope check round`.

    got: your results as values (float16/32/64, ml_dtypes; uint8/uint16 are read as codes of
    format, as the CLI's --got does), or got_codes: codes of format (uint8/uint16). x and got are
    compared element by element (flattened, C order). rounding: rne, rna, rtz, rup, rdn, rto, or
    "auto" (every mode with and without saturation: the best is checked and "auto" lists them all).
    show: mismatches listed; max_mismatch: the fraction allowed to pass.

    Returns the dict of `check round --json` (check, format, rounding, pass, max_mismatch, result
    with checked, wrong, match_rate, cases and mismatches; auto), and passed (= pass: a Python
    keyword cannot be an attribute name).
    """
    fn = "check_round"
    if not isinstance(format, str):
        raise TypeError(f"{fn}: format must be a string, got {type(format).__name__}")
    if not isinstance(rounding, str):
        raise TypeError(f"{fn}: rounding must be a string, got {type(rounding).__name__}")
    if (got is None) == (got_codes is None):
        raise ValueError(f"{fn}: give exactly one of got (values) and got_codes (codes of format)")
    xs = _values(x, "x", fn)
    if got is not None:
        g, name = _values(got, "got", fn, format), "got"
    else:
        codes = np.asarray(got_codes)
        if codes.dtype not in (np.dtype(np.uint8), np.dtype(np.uint16)):
            raise TypeError(f"{fn}: got_codes has dtype {codes.dtype}; expected uint8 or uint16 codes of {format}")
        g, name = np.ascontiguousarray(decode(codes, format), dtype=np.float64), "got_codes"
    import json
    report = json.loads(_core.check_round(xs.reshape(-1), g.reshape(-1), name, format, rounding, bool(saturate),
                                          _count(show, "show", fn, 0, 1000000), float(max_mismatch)))
    report["passed"] = report["pass"]
    return report


def check_gemm(A, B, got, C=None, *, model=None, a_format=None, b_format=None, acc_format=None, rounding=None,
               sr_bits=None, order=None, product_format=None, compensation=None, c_format=None,
               c_rounding=None, promote=None, block_fma=None, outer_format=None, outer_rounding=None,
               align=None, normalised_products=None, interleaved_pairs=None, subnormals=None,
               unit_overflow=None, zero_sign=None, output_format=None, output_rounding=None,
               output_scale=None, output_scale_mode=None, show: int = 10, max_mismatch: float = 0.0,
               threads: int = 0) -> dict:
    """Checks recorded GEMM outputs got = A*B (+C) against a model bit for bit, as
    `floatscope check gemm`.

    A (M x K), B (K x N), got and C (M x N): as gemm() takes them. The model: model= a named one,
    or the custom-model keywords of gemm() (acc_format, rounding, block_fma, promote, c_format,
    subnormals, ...). A and B must hold values of their formats.

    Returns the dict of `check gemm --json` (check, model, accumulator, M, N, K, checked, wrong,
    match_rate, max_ulps, nonfinite_wrong, out_format, pass, max_mismatch, mismatches) and passed
    (= pass: the CLI's exit 0 / 1 decision).
    """
    fn = "check_gemm"
    options = {k: v for k, v in dict(
        model=model, a_format=a_format, b_format=b_format, acc_format=acc_format, rounding=rounding,
        sr_bits=sr_bits, order=order, product_format=product_format, compensation=compensation,
        c_format=c_format, c_rounding=c_rounding, promote=promote, block_fma=block_fma,
        outer_format=outer_format, outer_rounding=outer_rounding, align=align,
        normalised_products=normalised_products, interleaved_pairs=interleaved_pairs,
        subnormals=subnormals, unit_overflow=unit_overflow, zero_sign=zero_sign,
        output_format=output_format, output_rounding=output_rounding, output_scale=output_scale,
        output_scale_mode=output_scale_mode).items() if v is not None}
    mats = []
    for what, m, codes in (("A", A, a_format), ("B", B, b_format if b_format is not None else a_format),
                           ("got", got, None), ("C", C, "fp32")):
        if m is None:
            mats.append(None)
            continue
        v = _values(m, what, fn, codes)
        if v.ndim != 2:
            raise ValueError(f"{fn}: {what} must be a 2-D matrix, got {v.ndim} dimension(s)")
        mats.append(v)
    import json
    report = json.loads(_core.check_gemm(mats[0], mats[1], mats[3], mats[2], options,
                                         _count(show, "show", fn, 0, 1000000), float(max_mismatch),
                                         _count(threads, "threads", fn, 0, 2**31 - 1)))
    report["passed"] = report["pass"]
    return report
