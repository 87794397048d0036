"""fit(), check_round() and check_gemm(): the CLI's `fit --json` / `check ... --json` dicts on the
same data, and the answers the independent oracles give: recorded H100 outputs (the shipped
hwdata subset), the unit that made a GEMM (played by gemm() under a named model or custom flags),
and an E4M3 table written from the OFP8 spec with planted errors (docs/check-and-fit.md)."""

import json
import math
import os

import numpy as np
import pytest

import floatscope
from conftest import same_bits

HWDATA = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "hwdata-subset", "H100_fp16")


def hwdata(name):
    """A recorded array of the subset: uint32 files hold fp32 bit patterns (as the CLI reads them)."""
    a = np.load(os.path.join(HWDATA, name))
    return a.view(np.float32).astype(np.float64) if a.dtype == np.uint32 else a.astype(np.float64)


def without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def fit_matches_cli(got, cli_json, python_only=("gemm_options",), differ=()):
    """got (fit's dict) equals the CLI's --json in every key but seconds (and `differ` of each model)."""
    want = json.loads(cli_json)
    assert without(got, "seconds", "models") == without(want, "seconds", "models")
    assert len(got["models"]) == len(want["models"])
    for g, w in zip(got["models"], want["models"]):
        assert without(g, *python_only, *differ) == without(w, *differ)


# ---- fit ----------------------------------------------------------------------------------------

def test_fit_recorded_h100_fp16_names_the_model_and_matches_cli(cli):
    files = {k: os.path.join(HWDATA, f"{k}.npy") for k in ("a", "b", "c")}
    a, b, c, d = hwdata("a.npy"), hwdata("b.npy"), hwdata("c.npy"), hwdata("d_fp32.npy")
    # threads=1: the count of dot products evaluated depends on the schedule of the threads.
    r = floatscope.fit(a, b, d, c, a_format="fp16", dot_rows=True, threads=1)
    out = cli(["fit", "--dot-rows", "--a", files["a"], "--b", files["b"], "--c", files["c"], "--got",
               os.path.join(HWDATA, "d_fp32.npy"), "--a-format", "fp16", "--json", "--threads", "1"])
    fit_matches_cli(r, out.stdout)
    assert r["cases"] == 500 and r["K"] == 16 and r["full_matches"] >= 1
    full = [m for m in r["models"] if m["matched"] == 500]
    assert any("h100-fp16" in m["same_as"].split(", ") for m in full)
    # The gemm() keywords of the fit reproduce the recorded hardware outputs: row i of A times row
    # i of B plus C[i] is the diagonal of A B^T + diag(C).
    for m in full:
        assert m["gemm"] == ""  # dot_rows: gemm() runs matrices, the CLI prints no command either
        D, _ = floatscope.gemm(a, b.T.copy(), np.diag(c), reference="none", **m["gemm_options"])
        assert same_bits(np.diag(D).copy(), d).all()


def random_on(fmt, shape, seed, scale=1.0):
    return floatscope.round(np.random.default_rng(seed).standard_normal(shape) * scale, fmt)


def test_fit_finds_the_fp8_promotion_model_and_its_options_reproduce_d(cli, tmp_path):
    A, B = random_on("e4m3", (8, 256), 1), random_on("e4m3", (256, 8), 2)
    D, _ = floatscope.gemm(A, B, model="h100-fp8-promote128", a_format="e4m3", reference="none")
    r = floatscope.fit(A, B, D, a_format="e4m3", threads=1)
    full = [m for m in r["models"] if m["matched"] == r["cases"]]
    assert r["cases"] == 64 and len(full) == r["full_matches"] >= 1
    assert any("h100-fp8-promote128" in m["same_as"].split(", ") for m in full)
    for m in full:
        opts = m["gemm_options"]
        assert opts is not None and opts["promote"] == 128 and isinstance(opts["promote"], int)
        D2, _ = floatscope.gemm(A, B, reference="none", **opts)
        assert same_bits(D2, D).all(), m["model"]
        assert m["gemm"] == "floatscope.gemm(A, B, " + ", ".join(f"{k}={v!r}" for k, v in opts.items()) + ")"
    # The CLI on the same matrices: the same report; its "gemm" is a command line with file names.
    for name, x in (("A", A), ("B", B), ("D", D)):
        np.save(tmp_path / f"{name}.npy", x)
    out = cli(["fit", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--got",
               str(tmp_path / "D.npy"), "--a-format", "e4m3", "--json", "--threads", "1"])
    fit_matches_cli(r, out.stdout, differ=("gemm",))
    for g, w in zip(r["models"], json.loads(out.stdout)["models"]):
        assert w["gemm"].endswith(w["gemm_flags"])  # the same flags the options came from


def test_fit_finds_a_flushing_unit():
    # README's example: bf16 inputs near the subnormal range (A scaled by 2^-124), a unit that
    # flushes subnormal inputs and results, played by gemm() with its custom flags.
    rng = np.random.default_rng(1)
    bf = lambda x: (x.astype(np.float32).view(np.uint32) & 0xFFFF0000).view(np.float32).astype(np.float64)
    A, B = bf(rng.standard_normal((16, 64)) * 2.0**-124), bf(rng.standard_normal((64, 16)))
    assert (np.abs(A[A != 0]) < 2.0**-126).mean() > 0.15  # about a fifth are subnormal bf16 values
    unit = dict(a_format="bf16", block_fma="8,24", acc_format="fp32", rounding="rtz", subnormals="flush")
    D, _ = floatscope.gemm(A, B, reference="none", **unit)
    r = floatscope.fit(A, B, D, a_format="bf16")
    full = [m for m in r["models"] if m["matched"] == r["cases"]]
    assert r["full_matches"] >= 1 and full
    for m in full:
        assert m["gemm_options"]["subnormals"] == "flush"
        rules = {f["rule"]: f for f in m["special_value_rules"]}
        assert rules["subnormal inputs"]["options"] == ["flush"] and rules["subnormal inputs"]["cases"] > 0
        assert rules["subnormal results"]["options"][0] == "flush"
        D2, _ = floatscope.gemm(A, B, reference="none", **m["gemm_options"])
        assert same_bits(D2, D).all()
    assert any(without(m["gemm_options"], "b_format") == unit for m in full)


# ---- check_round --------------------------------------------------------------------------------

# E4M3 under round-to-nearest-even with the spec's overflow rule, from OFP8's definition (max 448,
# 3 fraction bits, bias 7, NaN 0x7f, no Inf): input, result, code.
E4M3_RNE = [
    (1.0, 1.0, 0x38),
    (1.0625, 1.0, 0x38),      # tie between 1 (even) and 1.125
    (1.1875, 1.25, 0x3A),     # tie between 1.125 and 1.25 (even)
    (3.1, 3.0, 0x44),
    (-3.1, -3.0, 0xC4),
    (464.0, 448.0, 0x7E),     # tie between 448 (even) and 480 (beyond max)
    (500.0, math.nan, 0x7F),  # overflow: NaN
    (math.inf, math.nan, 0x7F),
    (2.0**-8, 2.0**-8, 0x02),  # subnormal 2 x 2^-9
    (1e-10, 0.0, 0x00),
    (-1e-10, -0.0, 0x80),
    (0.0, 0.0, 0x00),
]
# docs/check-and-fit.md's planted errors: ties away instead of even, saturation instead of NaN, a
# flushed subnormal, a lost zero sign.
PLANTED = {1: (1.125, 0x39), 6: (448.0, 0x7E), 8: (0.0, 0x00), 10: (0.0, 0x00)}


def planted():
    x = np.array([r[0] for r in E4M3_RNE])
    y = np.array([r[1] for r in E4M3_RNE])
    codes = np.array([r[2] for r in E4M3_RNE], dtype=np.uint8)
    for i, (v, c) in PLANTED.items():
        y[i], codes[i] = v, c
    return x, y, codes


def test_check_round_planted_errors_match_cli(cli, tmp_path):
    x, y, codes = planted()
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    r = floatscope.check_round(x, y, "e4m3")
    out = cli(["check", "round", "--format", "e4m3", "--in", str(tmp_path / "x.npy"), "--got",
               str(tmp_path / "y.npy"), "--json"], check=False)
    assert out.returncode == 1
    assert without(r, "passed") == json.loads(out.stdout)
    assert r["passed"] is False and r["pass"] is False
    res = r["result"]
    assert res["checked"] == 12 and res["wrong"] == 4
    assert [m["index"] for m in res["mismatches"]] == sorted(PLANTED)
    assert [m["case"] for m in res["mismatches"]] == ["tie", "overflow", "subnormal", "signed-zero"]
    assert res["mismatches"][0]["tie_rule"] == "odd, away"
    assert res["mismatches"][0]["got_bits"] == "0x39 (1.125)"
    # The same results as codes of e4m3.
    assert floatscope.check_round(x, format="e4m3", got_codes=codes) == r
    # Without the planted errors: every value matches.
    ok = floatscope.check_round(x, np.array([row[1] for row in E4M3_RNE]), "e4m3")
    assert ok["passed"] and ok["result"]["wrong"] == 0
    assert floatscope.check_round(x, y, "e4m3", max_mismatch=0.5)["passed"]


def test_check_round_auto_names_rna_saturate(cli, tmp_path):
    x, y, _ = planted()
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    r = floatscope.check_round(x, y, "e4m3", rounding="auto")
    out = cli(["check", "round", "--format", "e4m3", "--rounding", "auto", "--in", str(tmp_path / "x.npy"),
               "--got", str(tmp_path / "y.npy"), "--json"], check=False)
    assert without(r, "passed") == json.loads(out.stdout)
    # As the doc says: best rna+saturate, 3 wrong (saturation takes Inf to 448 where the table has
    # NaN; the flushed subnormal and the lost zero sign no mode gives), next rne (4 wrong).
    assert r["rounding"] == "rna+saturate" and r["result"]["wrong"] == 3
    assert [(m["index"], m["case"]) for m in r["result"]["mismatches"]] == [
        (7, "nan-inf"), (8, "subnormal"), (10, "signed-zero")]
    assert r["result"]["mismatches"][0]["expected_bits"] == "0x7e (448)"
    assert r["auto"][0] == {"rounding": "rna+saturate", "wrong": 3}
    assert r["auto"][1] == {"rounding": "rne", "wrong": 4}
    assert len(r["auto"]) == 12


# ---- check_gemm ---------------------------------------------------------------------------------

def test_check_gemm_h100_outputs_against_v100_and_h100(cli, tmp_path):
    rng = np.random.default_rng(7)
    A = floatscope.round(rng.standard_normal((5, 64)), "fp16")
    B = floatscope.round(rng.standard_normal((64, 6)) / 64, "fp16")
    C = floatscope.round(rng.standard_normal((5, 6)) * 1024, "fp32")
    D, _ = floatscope.gemm(A, B, C, model="h100-fp16", reference="none")
    for name, m in (("A", A), ("B", B), ("C", C), ("D", D)):
        np.save(tmp_path / f"{name}.npy", m)
    args = ["check", "gemm", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--c",
            str(tmp_path / "C.npy"), "--got", str(tmp_path / "D.npy"), "--json"]
    other = floatscope.check_gemm(A, B, D, C, model="v100-fp16", show=3)
    out = cli(args + ["--model", "v100-fp16", "--show", "3"], check=False)
    assert out.returncode == 1
    assert without(other, "passed") == json.loads(out.stdout)
    assert other["passed"] is False and 0 < other["wrong"] < 30 and len(other["mismatches"]) == 3
    same = floatscope.check_gemm(A, B, D, C, model="h100-fp16")
    assert without(same, "passed") == json.loads(cli(args + ["--model", "h100-fp16"]).stdout)
    assert same["passed"] is True and same["wrong"] == 0 and same["checked"] == 30
    # Custom keywords, as gemm() takes them: h100-fp16's unit.
    custom = floatscope.check_gemm(A, B, D, C, a_format="fp16", block_fma="16,25", acc_format="fp32",
                                   rounding="rtz")
    assert custom["passed"] and custom["model"] == "custom"
    assert floatscope.check_gemm(A, B, D, C, model="v100-fp16", max_mismatch=1.0)["passed"]
    # A and B as uint16 codes of fp16 (as .npy codes for the CLI), D as float32: the same check.
    codes = floatscope.check_gemm(floatscope.encode(A, "fp16"), floatscope.encode(B, "fp16"), D.astype(np.float32),
                                  C, model="v100-fp16", a_format="fp16", show=3)
    assert without(codes, "passed") == without(other, "passed")


def test_check_gemm_on_recorded_h100_rows():
    # Oracle: the recorded hardware outputs, one 1 x K times K x 1 product per row.
    a, b, c, d = hwdata("a.npy"), hwdata("b.npy"), hwdata("c.npy"), hwdata("d_fp32.npy")
    v100_wrong = 0
    for i in range(40):
        row = (a[i:i + 1], b[i:i + 1].T.copy(), d[i:i + 1].reshape(1, 1), c[i:i + 1].reshape(1, 1))
        assert floatscope.check_gemm(*row, model="h100-fp16", a_format="fp16")["passed"], i
        v100_wrong += floatscope.check_gemm(*row, model="v100-fp16", a_format="fp16")["wrong"]
    assert v100_wrong > 0


# ---- bad input ----------------------------------------------------------------------------------

def test_bad_input_raises_value_error_naming_it(cli, tmp_path):
    A, B = np.ones((2, 3)), np.ones((3, 2))
    with pytest.raises(ValueError, match=r"shapes do not chain: A is 2x3, B is 4x2"):
        floatscope.fit(A, np.ones((4, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"D is 2x3, expected 2x2"):
        floatscope.fit(A, B, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"C is 3x2, expected 2x2"):
        floatscope.fit(A, B, np.zeros((2, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"dot_rows: D holds 3 results for 2 rows of A"):
        floatscope.fit(A, A, np.zeros(3), dot_rows=True)
    with pytest.raises(ValueError, match=r"unknown format 'fp7'"):
        floatscope.fit(A, B, np.zeros((2, 2)), a_format="fp7")
    with pytest.raises(ValueError, match=r"aligners must be auto, standard or all, not 'x'"):
        floatscope.fit(A, B, np.zeros((2, 2)), aligners="x")
    with pytest.raises(ValueError, match=r"top = 0"):
        floatscope.fit(A, B, np.zeros((2, 2)), top=0)
    # Off-grid A: the message of `floatscope fit` itself.
    off = np.full((2, 3), 0.1)
    np.save(tmp_path / "A.npy", off)
    np.save(tmp_path / "B.npy", B)
    np.save(tmp_path / "D.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError) as e:
        floatscope.fit(off, B, np.zeros((2, 2)), a_format="fp16")
    p = cli(["fit", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--got",
             str(tmp_path / "D.npy"), "--a-format", "fp16"], check=False)
    assert p.returncode == 2 and str(e.value) in p.stderr and "A value 0.1" in str(e.value)
    with pytest.raises(ValueError, match=r"A\[0\] = 0.1 is not a fp16 value"):
        floatscope.check_gemm(off, B, np.zeros((2, 2)), model="h100-fp16", a_format="fp16")
    with pytest.raises(ValueError, match=r"shapes do not chain: A is 2x3, B is 2x2"):
        floatscope.check_gemm(A, np.ones((2, 2)), np.zeros((2, 2)), model="h100-fp16")
    with pytest.raises(ValueError, match=r"got is 3x2, expected 2x2"):
        floatscope.check_gemm(A, B, np.zeros((3, 2)), model="h100-fp16")
    with pytest.raises(ValueError, match=r"block_fma: a named model"):
        floatscope.check_gemm(A, B, np.zeros((2, 2)), model="h100-fp16", block_fma="8,24")
    with pytest.raises(ValueError, match=r"got holds 2 values but x holds 3"):
        floatscope.check_round(np.ones(3), np.ones(2), "e4m3")
    with pytest.raises(ValueError, match=r"unknown format 'e9m9x'"):
        floatscope.check_round(np.ones(3), np.ones(3), "e9m9x")
    with pytest.raises(ValueError, match=r"rounding sr: stochastic modes"):
        floatscope.check_round(np.ones(3), np.ones(3), "e4m3", rounding="sr")
    with pytest.raises(ValueError, match=r"exactly one of got"):
        floatscope.check_round(np.ones(3), np.ones(3), "e4m3", got_codes=np.ones(3, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"max_mismatch: 2 is not a fraction"):
        floatscope.check_round(np.ones(3), np.ones(3), "e4m3", max_mismatch=2)
