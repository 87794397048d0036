"""Bad input raises ValueError/TypeError with the message the CLI prints, and never crashes."""

import numpy as np
import pytest

import floatscope


def cli_message(cli, args, input=""):
    p = cli(args, input=input, check=False)
    assert p.returncode == 2, p
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith("floatscope: "), line
    return line[len("floatscope: "):]


def test_unknown_format_and_mode_have_the_cli_message(cli):
    with pytest.raises(ValueError) as e:
        floatscope.round(np.ones(3), "e4m9x")
    assert str(e.value) == cli_message(cli, ["round", "--format", "e4m9x"], "1\n")
    with pytest.raises(ValueError) as e:
        floatscope.round(np.ones(3), "e4m3", rounding="nearest-odd")
    assert str(e.value) == cli_message(cli, ["round", "--format", "e4m3", "--rounding", "nearest-odd"], "1\n")
    with pytest.raises(ValueError) as e:
        floatscope.gemm(np.ones((2, 2)), np.ones((2, 2)), model="h900")
    assert str(e.value) == cli_message(cli, ["gemm", "--model", "h900", "--M", "2", "--N", "2", "--K", "2"])


def test_nan_into_a_format_without_nan(cli):
    with pytest.raises(ValueError, match="NaN cannot be rounded to format 'e2m1', which has no NaN"):
        floatscope.round(np.array([1.0, np.nan]), "e2m1")
    cli_message(cli, ["round", "--format", "e2m1"], "nan\n")  # the program refuses it too


def test_wrong_dtypes_and_shapes():
    with pytest.raises(TypeError, match="int64"):
        floatscope.round(np.arange(3), "e4m3")
    with pytest.raises(TypeError, match="uint8 or uint16"):
        floatscope.decode(np.zeros(3, np.int32), "e4m3")
    with pytest.raises(ValueError, match="does not fit the 4 bits"):
        floatscope.decode(np.array([3, 17], np.uint8), "e2m1")
    with pytest.raises(ValueError, match="is not a value"):
        floatscope.decode(np.array([0x80], np.uint8), "int8")
    with pytest.raises(ValueError, match="19-bit codes"):
        floatscope.encode(np.ones(2), "tf32")
    with pytest.raises(ValueError, match="sr_bits"):
        floatscope.round(np.ones(2), "e4m3", rounding="sr", sr_bits=65)
    with pytest.raises(ValueError, match="threads"):
        floatscope.round(np.ones(2), "e4m3", threads=-1)
    with pytest.raises(ValueError, match="not a float16"):
        floatscope.round(np.array([65504.0], np.float16), "bf16")  # 65536 is beyond float16
    with pytest.raises(ValueError, match="shapes do not chain"):
        floatscope.gemm(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="2-D"):
        floatscope.gemm(np.ones(3), np.ones((3, 1)))
    with pytest.raises(TypeError, match="a_format"):
        floatscope.gemm(np.ones((2, 2), np.uint8), np.ones((2, 2), np.uint8))
    with pytest.raises(TypeError, match="a_format must be a string"):
        floatscope.gemm(np.ones((2, 2)), np.ones((2, 2)), a_format=3)
    with pytest.raises(ValueError, match="give both A and B"):
        floatscope.gemm(np.ones((2, 2)))
    with pytest.raises(ValueError, match="unknown key 'colour'"):
        floatscope.sweep({"colour": "red"}, "/nonexistent/never-written")
    with pytest.raises(TypeError, match="TOML path or a dict"):
        floatscope.sweep(3, "x")
    with pytest.raises(ValueError, match="not a sweep directory"):
        floatscope.read_results("/nonexistent")
