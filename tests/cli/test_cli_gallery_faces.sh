#!/usr/bin/env bash
# Several face embeddings per record through the command line (synthetic
# 64-d faces, no outside data): enroll lines adding photos to one ID, list
# --detail and the embedding count, identify matching a record on its
# best-agreeing photo (JSON face_index / faces_compared), the 16-photo limit,
# and the counts surviving a reopen.
#   test_cli_gallery_faces.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/cli_test_common.sh"

PYTHONPATH="$cli_tests" python3 - "$work" <<'PY'
import random, sys
from npy_file import write_npy as npy
random.seed(5)
out = sys.argv[1]
# person k: photos 0..2 are three unrelated-looking captures (far from each
# other), the probe is near photo 2 only
for person in range(4):
    for photo in range(3):
        centre = [random.gauss(0, 1) for _ in range(64)]
        npy("%s/p%d_%d.npy" % (out, person, photo), centre)
        if photo == 2:
            npy("%s/probe%d.npy" % (out, person), [c + 0.3 * random.gauss(0, 1) for c in centre])
PY
db="$work/db"
{
  for k in 0 1 2 3; do
    for photo in 0 1 2; do echo "person$k face $work/p${k}_$photo.npy"; done
  done
  echo "single face $work/p0_0.npy"
} >"$work/lines"
"$cli" enroll --db "$db" --face-dim 64 <"$work/lines" >"$work/enroll.out"
[ "$(grep -c '^ok ' "$work/enroll.out")" -eq 13 ] || fail "13 ok lines expected: $(cat "$work/enroll.out")"

"$cli" list --db "$db" --json >"$work/list.json"
"$cli" list --db "$db" --json --detail >"$work/detail.json"
"$cli" list --db "$db" --detail >"$work/detail.txt" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
listing = json.load(open(w + "/list.json"))
assert (listing["records"], listing["faces"]) == (5, 13), listing
detail = json.load(open(w + "/detail.json"))
assert detail["ids"] == listing["ids"]
assert [(d["id"], d["faces"], d["fingers"]) for d in detail["detail"]] == \
    [("person0", 3, 0), ("person1", 3, 0), ("person2", 3, 0), ("person3", 3, 0), ("single", 1, 0)], detail
lines = open(w + "/detail.txt").read().split("\n")
assert lines[0] == "person0 fingers 0 faces 3" and lines[4] == "single fingers 0 faces 1", lines
PY

# The probe near person 2's third photo finds person2 on that photo.
"$cli" identify --db "$db" --json --top 3 "face:$work/probe2.npy" >"$work/identify.json"
"$cli" identify --db "$db" --top 3 "face:$work/probe2.npy" >"$work/identify.txt"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
result = json.load(open(w + "/identify.json"))
best = result["candidates"][0]
assert best["id"] == "person2" and best["face_index"] == 2 and best["faces_compared"] == 3, best
assert best["face_score"] > 0.9 and best["fmr"] < 1e-4, best
for key in ("rank", "id", "score", "fmr", "fingers", "face_score"):  # the documented layout is kept
    assert key in best, key
text = open(w + "/identify.txt").read()
assert "person2" in text and "embedding 3 of 3" in text, text
PY

# The limit: 16 photos per record; the 17th line fails with its own code.
for n in $(seq 1 17); do echo "many face $work/p1_$((n % 3)).npy"; done >"$work/many"
set +e
"$cli" enroll --db "$db" <"$work/many" >"$work/many.out" 2>"$work/many.err"
status=$?
set -e
[ $status -eq 1 ] || fail "17 faces for one id should exit 1, got $status"
[ "$(grep -c '^ok ' "$work/many.out")" -eq 16 ] || fail "16 ok lines expected"
grep -q "BM_ERR_TOO_MANY_FACES" "$work/many.err" || fail "no BM_ERR_TOO_MANY_FACES: $(cat "$work/many.err")"
"$cli" list --db "$db" --detail 2>/dev/null | grep -qx "many fingers 0 faces 16" || fail "many: 16 faces after reopen"
"$cli" list --db "$db" --count | grep -q "6 records, 0 fingers, 29 faces" || fail "29 face embeddings"
echo "gallery faces commands: all checks passed"
