"""floatscope.quantize against `floatscope quantize` (the same bits and statistics) and the OCP MX
worked vectors of docs/references.md s.4."""
import json

import numpy as np
import pytest

import floatscope


def test_mx_worked_vectors():
    # E4M3 block with amax 960: FLOOR gives scale 2 (957 -> 896), RCEIL scale 4 (957 -> 960).
    x = np.full(32, 1.0)
    x[0], x[1] = 960.0, 957.0
    deq, _, scales, stats = floatscope.quantize(x, "mxfp8-e4m3")
    assert scales[0, 0] == 2.0 and deq[1] == 896.0
    deq, _, scales, _ = floatscope.quantize(x, "mxfp8-e4m3", scale_rule="rceil")
    assert scales[0, 0] == 4.0 and deq[1] == 960.0
    assert stats["scheme"] == "mxfp8-e4m3" and stats["blocks"] == 1
    # E2M1 block with amax 7.5: FLOOR X = 1 (7.5 -> 6), RCEIL X = 2 (7.5 -> 8).
    y = np.zeros(32)
    y[0] = 7.5
    assert floatscope.quantize(y, "mxfp4")[0][0] == 6.0
    assert floatscope.quantize(y, "mxfp4", scale_rule="rceil")[0][0] == 8.0


@pytest.mark.parametrize("scheme,extra", [
    ("mxfp8-e4m3", []), ("mxfp4", ["--scale-rule", "rceil"]), ("nvfp4", ["--block-scale-rounding", "rup"]),
    ("fp8-row", ["--format", "e5m2"]), ("mxfp6-e2m3", ["--rounding", "sr", "--seed", "3"]),
])
def test_matches_cli(cli, tmp_path, scheme, extra):
    x = np.random.default_rng(2).standard_t(3, size=(8, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = cli(["quantize", "--scheme", scheme, "--in", str(tmp_path / "x.npy"), "--out", str(tmp_path / "d.npy"),
               "--scales", str(tmp_path / "s.npy"), "--json", *extra])
    opts = dict(zip((k.lstrip("-").replace("-", "_") for k in extra[0::2]), extra[1::2]))
    if "seed" in opts:
        opts["seed"] = int(opts["seed"])
    deq, _, scales, stats = floatscope.quantize(x, scheme, **opts)
    want = np.load(tmp_path / "d.npy")
    assert deq.shape == x.shape
    assert np.array_equal(deq.view(np.uint64), want.view(np.uint64))
    assert np.array_equal(scales.astype(np.float32), np.load(tmp_path / "s.npy"))
    assert stats == json.loads(out.stdout)


def test_axis_and_errors():
    x = np.random.default_rng(1).normal(size=(32, 3))
    deq0, _, scales, _ = floatscope.quantize(x, "mxfp8-e4m3", axis=0)
    assert deq0.shape == x.shape and scales.shape == (3, 1)
    deqT, _, _, _ = floatscope.quantize(np.ascontiguousarray(x.T), "mxfp8-e4m3")
    assert np.array_equal(deq0, deqT.T)
    with pytest.raises(ValueError, match="scheme"):
        floatscope.quantize(x, "mxfp9")
    with pytest.raises(ValueError, match="pad"):
        floatscope.quantize(np.ones(33), "mxfp8-e4m3")
