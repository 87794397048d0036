#!/usr/bin/env bash
# Checks issue 13's "done when" on a fresh clone of the committed tree: a new virtual environment,
# `pip install .` (scikit-build-core and nanobind fetched from PyPI through pip's build isolation,
# the library compiled from scratch), then the import line, which must print [448.]. Prints how
# long the install took. Needs the Debian packages of scripts/install-deps.sh and access to PyPI.
# Usage: scripts/check-pip-install.sh [REPO (default: this checkout)]
# CTest runs it as python.pip_install (labels python, exhaustive: minutes, and the network).
set -euo pipefail
repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q --no-local "$repo" "$work/src"
cd "$work/src"
/usr/bin/python3 -m venv "$work/v"
start=$(date +%s)
"$work/v/bin/pip" install -q --disable-pip-version-check . >"$work/pip.log" 2>&1 || {
  tail -40 "$work/pip.log"
  echo "check-pip-install: pip install . failed" >&2
  exit 1
}
seconds=$(( $(date +%s) - start ))
cd "$work"  # import the installed package, not the source tree
got="$("$work/v/bin/python" -c "import floatscope, numpy as np; print(floatscope.round(np.array([464.0]), 'e4m3'))")"
echo "check-pip-install: pip install . took ${seconds} s; the import line printed: $got"
[ "$got" = "[448.]" ] || { echo "check-pip-install: expected [448.]" >&2; exit 1; }
# The wheel picks its SIMD level at run time: every level this CPU has gives the same bits.
"$work/v/bin/python" - <<'PY'
import os, subprocess, sys
code = ("import floatscope, hashlib, numpy as np; x = np.linspace(-500, 500, 100001); "
        "print(floatscope._core.simd_level(), hashlib.sha256(floatscope.round(x, 'e4m3').tobytes() + "
        "floatscope.round(x, 'bf16', rounding='sr', seed=3).tobytes()).hexdigest())")
seen = {}
for level in ("scalar", "avx2", "avx512"):
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, FLOATSCOPE_SIMD=level),
                         capture_output=True, text=True)
    if out.returncode == 0:
        name, digest = out.stdout.split()[0], out.stdout.split()[-1]
        seen[name] = digest
print("check-pip-install: SIMD levels run:", ", ".join(seen))
assert len(set(seen.values())) == 1, seen
PY
