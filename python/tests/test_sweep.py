"""sweep() writes the same results.csv and meta.json fingerprint as `floatscope sweep` for the same
config (dict or TOML), resumes, and read_results() gives the CSV contract's columns, typed."""

import json

import numpy as np
import pytest

import floatscope

CONFIG = {"title": "py", "a_format": ["fp16", "bf16"], "acc_format": "fp32", "K": [16, 64], "M": 4,
          "N": 3, "dist": "normal", "repeats": 2, "grid": [{"a_format": ["fp16", "bf16"]}, {"model": "h100-fp8", "a_format": "e4m3"}]}
TOML = """title = "py"
a_format = ["fp16", "bf16"]
acc_format = "fp32"
K = [16, 64]
M = 4
N = 3
dist = "normal"
repeats = 2
[[grid]]
a_format = ["fp16", "bf16"]
[[grid]]
model = "h100-fp8"
a_format = "e4m3"
"""


def rows_without_time(path):
    lines = path.read_text().splitlines()
    col = lines[0].split(",").index("seconds")
    return [line.split(",")[:col] + line.split(",")[col + 1:] for line in lines]


def test_sweep_matches_cli_and_resumes(cli, tmp_path):
    (tmp_path / "s.toml").write_text(TOML)
    cli(["sweep", str(tmp_path / "s.toml"), "-o", str(tmp_path / "cli"), "--quiet", "--threads", "2"])
    r = floatscope.sweep(CONFIG, tmp_path / "py", threads=2)
    assert r["new"] == r["points"] and r["skipped"] == 0
    assert rows_without_time(tmp_path / "py" / "results.csv") == rows_without_time(tmp_path / "cli" / "results.csv")
    meta_py = json.loads((tmp_path / "py" / "meta.json").read_text())
    meta_cli = json.loads((tmp_path / "cli" / "meta.json").read_text())
    assert meta_py["fingerprint"] == meta_cli["fingerprint"] and meta_py["complete"] is True
    # Resuming: nothing new, from Python (TOML path) and from the program.
    again = floatscope.sweep(tmp_path / "s.toml", tmp_path / "py")
    assert again["new"] == 0 and again["skipped"] == r["points"]
    p = cli(["sweep", str(tmp_path / "s.toml"), "-o", str(tmp_path / "py"), "--threads", "1"])
    assert "0 new" in p.stderr
    with pytest.raises(ValueError, match="holds a different sweep"):
        floatscope.sweep(dict(CONFIG, K=[16]), tmp_path / "py")


def test_read_results_types(tmp_path):
    floatscope.sweep(dict(CONFIG, repeats=1), tmp_path / "s", threads=2)
    df = floatscope.read_results(tmp_path / "s")
    header = (tmp_path / "s" / "results.csv").read_text().splitlines()[0].split(",")
    assert list(df.columns) == header
    assert len(df) == 6  # (2 formats + 1 model) x 2 K
    assert df["K"].dtype == np.int64 and df["seed"].dtype == np.uint64
    assert df["max_rel_err"].dtype == np.float64 and df["scale_a"].dtype == np.float64
    assert str(df["a_format"].dtype) == "string"
    assert sorted(set(df["a_format"])) == ["bf16", "e4m3", "fp16"]
    # Values a run did not measure are NaN (no permutations here), measured ones are numbers.
    assert df["distinct_results"].isna().all() and (df["products"] > 0).all()


def test_ctrl_c_stops_a_sweep_that_then_resumes(tmp_path):
    """SIGINT during sweep(): KeyboardInterrupt, the rows so far kept, meta.json "interrupted";
    the same call again runs only the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    config = {"a_format": "fp16", "acc_format": "fp16", "M": 16, "N": 16, "K": 1024, "repeats": 400}
    code = f"import floatscope; floatscope.sweep({config!r}, {str(tmp_path / 's')!r}, threads=2)"
    child = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    csv = tmp_path / "s" / "results.csv"
    deadline = time.time() + 60
    while time.time() < deadline and child.poll() is None:
        if csv.exists() and len(csv.read_text().splitlines()) > 3:
            break
        time.sleep(0.01)
    assert child.poll() is None, "the sweep ended before it could be interrupted"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode != 0 and "KeyboardInterrupt" in err, err
    meta = json.loads((tmp_path / "s" / "meta.json").read_text())
    rows = len(csv.read_text().splitlines()) - 1
    assert meta["status"] == "interrupted" and meta["complete"] is False and 0 < rows < 400
    again = floatscope.sweep(config, tmp_path / "s", threads=2)
    assert again["skipped"] == rows and again["new"] == 400 - rows
