"""gemm() gives the CLI's D (bit for bit) and its `--json` metrics on the same inputs."""

import json
import math

import numpy as np
import pytest

import floatscope
from conftest import same_bits

CASES = [
    dict(model="h100-fp8", a_format="e4m3"),
    dict(model="a100-bf16"),
    dict(a_format="fp16", acc_format="fp16", rounding="sr", seed=3, order="pairwise"),
    dict(a_format="bf16", acc_format="e5m10", rounding="rtz", block_fma="16,12", promote=64),
    dict(a_format="fp32", acc_format="fp32", compensation="kahan", reference="mpfr", permutations=4),
    dict(a_format="bf16", acc_format="fp32", output_format="e5m2", output_scale=1.25, output_scale_mode="after"),
    # The custom unit parts `fit` prints (docs/check-and-fit.md, custom-model flags).
    dict(a_format="bf16", acc_format="fp32", rounding="rne", block_fma="4,24", subnormals="flush",
         unit_overflow="saturate", zero_sign="ieee", c_format="bf16", align="rne", outer_format="fp16",
         outer_rounding="rtz", promote=32),
    dict(a_format="fp16", acc_format="fp16", block_fma="8,20", interleaved_pairs=True, promote=16,
         normalised_products=True, c_format="fp16"),
]
# Block-scaled GEMMs (no initial C: the block path takes none).
BLOCK_CASES = [
    dict(scheme="mxfp8-e4m3", scale_rule="rceil", acc_format="fp32"),
    dict(scheme="nvfp4", acc_format="fp32"),
    dict(scheme="fp8-tile1x128+fp8-block128x128", model="h100-fp8-promote128"),
]


def flags(options):
    out = []
    for k, v in options.items():
        out += ["--" + k.replace("_", "-")] if v is True else ["--" + k.replace("_", "-"), str(v)]
    return out


def same_metrics(got, want):
    assert set(got) == set(want)
    for k, w in want.items():
        g = got[k]
        if k == "seconds":
            continue
        if w is None or isinstance(w, str) and w in ("inf", "-inf", "nan"):
            assert (g is None) if w is None else math.isinf(g) and str(g) == w, (k, g, w)
        elif isinstance(w, (int, float)) and not isinstance(w, bool):
            assert g == w or (math.isnan(g) and math.isnan(w)), (k, g, w)
        else:
            assert g == w, (k, g, w)


@pytest.mark.parametrize("options", CASES, ids=lambda o: "-".join(str(v) for v in o.values()))
def test_gemm_on_given_inputs_matches_cli(cli, tmp_path, options):
    rng = np.random.default_rng(4)
    A, B, C = rng.normal(size=(7, 96)), rng.normal(size=(96, 5)), rng.normal(size=(7, 5)).astype(np.float32)
    for name, m in (("A", A), ("B", B), ("C", C)):
        np.save(tmp_path / f"{name}.npy", m)
    out = cli(["gemm", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--c",
               str(tmp_path / "C.npy"), "--out", str(tmp_path / "D.npy"), "--json", *flags(options)])
    D, metrics = floatscope.gemm(A, B, C, **options)
    assert same_bits(D, np.load(tmp_path / "D.npy")).all()
    same_metrics(metrics, json.loads(out.stdout))


@pytest.mark.parametrize("options", BLOCK_CASES, ids=lambda o: "-".join(str(v) for v in o.values()))
def test_block_scaled_gemm_matches_cli(cli, tmp_path, options):
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(6, 256)), rng.normal(size=(256, 4)) * 30
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "B.npy", B)
    out = cli(["gemm", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--out",
               str(tmp_path / "D.npy"), "--json", *flags(options)])
    D, metrics = floatscope.gemm(A, B, **options)
    assert same_bits(D, np.load(tmp_path / "D.npy")).all()
    same_metrics(metrics, json.loads(out.stdout))
    assert metrics["clamped_frac"] is not None


def test_gemm_on_generated_inputs_matches_cli(cli, tmp_path):
    options = dict(model="h100-fp8-promote128", M=6, N=4, K=300, dist="uniform01", seed=8)
    out = cli(["gemm", "--out", str(tmp_path / "D.npy"), "--json", *flags(options)])
    D, metrics = floatscope.gemm(**options, threads=2)
    assert same_bits(D, np.load(tmp_path / "D.npy")).all()
    same_metrics(metrics, json.loads(out.stdout))


def test_strassen_matches_cli(cli, tmp_path):
    options = dict(a_format="bf16", acc_format="bf16", algorithm="strassen:2", M=8, N=12, K=16,
                   dist="rowscaled:3", seed=5)
    out = cli(["gemm", "--out", str(tmp_path / "D.npy"), "--json", *flags(options)])
    D, metrics = floatscope.gemm(**options)
    assert same_bits(D, np.load(tmp_path / "D.npy")).all()
    same_metrics(metrics, json.loads(out.stdout))
    assert metrics["algorithm"] == "strassen:2"
    assert metrics["products"] == 49 * 2 * 3 * 4  # 7^2 leaves of 2 x 3 x 4


def test_codes_as_inputs(cli, tmp_path):
    rng = np.random.default_rng(6)
    A = rng.integers(0, 0x7f, size=(3, 40), dtype=np.uint8)  # positive e4m3 codes
    B = rng.integers(0, 0x7f, size=(40, 2), dtype=np.uint8)
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "B.npy", B)
    cli(["gemm", "--a", str(tmp_path / "A.npy"), "--b", str(tmp_path / "B.npy"), "--a-format", "e4m3",
         "--model", "h100-fp8", "--out", str(tmp_path / "D.npy"), "--json"])
    D, _ = floatscope.gemm(A, B, model="h100-fp8", a_format="e4m3")
    assert same_bits(D, np.load(tmp_path / "D.npy")).all()
