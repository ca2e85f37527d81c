#!/usr/bin/env bash
# biomatch demo on synthetic data only (the shared data folder is hidden
# with --data): it finishes, finds every planted duplicate and mated probe,
# accepts no non-mated probe, and writes its three pictures. Then, when the
# shared data exists, with the real FVC2002 prints and LFW faces.
#   test_cli_demo.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/cli_test_common.sh"

"$cli" demo --persons 60 --threads 2 --out "$work/out" --data "$work/no-data" --json >"$work/demo.json" ||
  fail "demo exits non-zero"
python3 - "$work/demo.json" "$work/out" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["real_data"] is False and d["gallery"]["records"] == 65, d["gallery"]
for kind in ("one_finger", "two_fingers", "face", "fingers_and_face"):
    t = d["identify"][kind]
    assert t["rank1"] == t["mated"] == 25, (kind, t)
    assert t["false_accepts"] == 0, (kind, t)
assert d["latent"]["candidates"][0]["id"] == d["latent"]["expected"], d["latent"]
assert d["dedup"]["planted_found"] == d["dedup"]["planted"] == 5, d["dedup"]
for name in ("minutiae.png", "match.png", "det.png"):
    with open(os.path.join(sys.argv[2], name), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", name
PY
echo "demo: synthetic run checked"

data=$2
if [ ! -d "$data/fvc2002_db1_b/png" ] || [ ! -d "$data/lfw_facenet512" ]; then
  echo "skipped: shared data absent ($data), synthetic run passed"
  exit 77
fi
"$cli" demo --persons 50 --threads 2 --out "$work/real" --data "$data" --json >"$work/real.json" ||
  fail "demo with the shared data exits non-zero"
python3 - "$work/real.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["real_data"] is True and d["gallery"]["real"] == 20, d["gallery"]
latent = d["latent"]
assert latent["expected"] == "fvc2002-db1-105" and latent["candidates"][0]["id"] == latent["expected"], latent
assert d["dedup"]["planted_found"] == 5, d["dedup"]
# FVC2002 DB1 templates and LFW FaceNet-512 faces: docs/matcher.md and docs/face.md give 2-5%.
assert d["det"]["fvc2002_db1_eer"] < 0.1 and d["det"]["lfw_face_eer"] < 0.1, d["det"]
PY
echo "demo: run with the shared data checked"
