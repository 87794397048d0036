"""formats() and models(): the tables of `floatscope formats --json` / `models --json`, holding
the spec's constants (docs/references.md s.1: OCP OFP8, OCP MX v1.0, IEEE 754)."""

import json

import floatscope


def test_formats_are_the_cli_table(cli):
    assert floatscope.formats() == json.loads(cli(["formats", "--json"]).stdout)


def test_models_are_the_cli_table(cli):
    assert floatscope.models() == json.loads(cli(["models", "--json"]).stdout)


def test_format_constants_from_the_specs():
    f = {x["name"]: x for x in floatscope.formats()}
    spec = {  # name: (bits, max finite, min subnormal)
        "fp16": (16, 65504.0, 2.0**-24),
        "bf16": (16, (2 - 2.0**-7) * 2.0**127, 2.0**-133),
        "e4m3": (8, 448.0, 2.0**-9),
        "e5m2": (8, 57344.0, 2.0**-16),
        "e4m3fnuz": (8, 240.0, 2.0**-10),
        "e5m2fnuz": (8, 57344.0, 2.0**-17),
        "e3m2": (6, 28.0, 0.0625),
        "e2m3": (6, 7.5, 0.125),
        "e2m1": (4, 6.0, 0.5),
        "e8m0": (8, 2.0**127, 2.0**-127),
    }
    for name, (bits, max_finite, min_sub) in spec.items():
        assert (f[name]["bits"], f[name]["max_finite"], f[name]["min_subnormal"]) == (bits, max_finite, min_sub), name
    assert "float8_e4m3fn" in [a.lower() for a in f["e4m3"]["aliases"]]
    assert {m["name"] for m in floatscope.models()} >= {"h100-fp8", "a100-bf16", "b200-fp8"}
