#!/usr/bin/env bash
# The gallery commands end to end on synthetic templates and faces (no
# outside data): enroll acknowledgements and errors, list, identify (one
# finger, latent, multi-finger + face; text and JSON), dedup with a planted
# duplicate, delete, bench determinism; exit codes of docs/cli.md.
#   test_cli_gallery.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/cli_test_common.sh"

# 8 synthetic fingers x 2 impressions (xyt, ISO orientation, 400x400) and
# 64-d faces around per-person centres.
python3 "$(dirname "$0")/synthetic_xyt.py" "$work" "f%d_%d.xyt" 8 2 11
PYTHONPATH="$cli_tests" python3 - "$work" <<'PY'
import random, struct, sys
from npy_file import write_npy as npy
random.seed(11)
out = sys.argv[1]
for person in range(4):
    centre = [random.gauss(0, 1) for _ in range(64)]
    for impression in range(2):
        npy("%s/face%d_%d.npy" % (out, person, impression), [c + 0.4 * random.gauss(0, 1) for c in centre])
# raw little-endian float32 face, and malformed face files
with open(out + "/face3_raw.f32", "wb") as f:
    f.write(struct.pack("<64f", *[random.gauss(0, 1) for _ in range(64)]))
open(out + "/bad.npy", "wb").write(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<i8'}")
open(out + "/odd.f32", "wb").write(b"\x00" * 10)
PY
read_opts=(--iso-orientation --width 400 --height 400)
db="$work/db"
# Person k holds finger f(2k) at position 1 and f(2k+1) at position 2, and face k.
{
  for k in 0 1 2 3; do
    echo "person$k 1 $work/f$((2 * k))_0.xyt"
    echo "person$k 2 $work/f$((2 * k + 1))_0.xyt"
    echo "person$k face $work/face${k}_0.npy"
  done
  echo "dup 1 $work/f0_1.xyt"           # the same finger as person0 under another id
  echo "broken 1 $work/missing.xyt"     # unreadable file
  echo "broken2 face $work/bad.npy"     # malformed embedding
  echo "broken3 face $work/odd.f32"
  echo "broken4 12 $work/f0_0.xyt"      # bad position
} >"$work/lines"
set +e
"$cli" enroll --db "$db" --face-dim 64 "${read_opts[@]}" <"$work/lines" >"$work/enroll.out" 2>"$work/enroll.err"
status=$?
set -e
[ $status -eq 1 ] || fail "enroll with bad lines should exit 1, got $status"
[ "$(grep -c '^ok ' "$work/enroll.out")" -eq 13 ] || fail "13 ok lines expected: $(cat "$work/enroll.out")"
for id in broken broken2 broken3 broken4; do grep -q "$id" "$work/enroll.err" || fail "no error for $id"; done

"$cli" list --db "$db" --json >"$work/list.json"
python3 - "$work/list.json" <<'PY'
import json, sys
listing = json.load(open(sys.argv[1]))
assert listing["ids"] == ["dup", "person0", "person1", "person2", "person3"], listing
assert (listing["records"], listing["fingers"], listing["faces"]) == (5, 9, 4), listing
PY

# One finger at its position, then as a latent (position 0), then fingers + face.
"$cli" identify --db "$db" "${read_opts[@]}" --position 2 --json "$work/f3_1.xyt" >"$work/one.json"
"$cli" identify --db "$db" "${read_opts[@]}" --json "$work/f5_1.xyt" >"$work/latent.json"
"$cli" identify --db "$db" "${read_opts[@]}" --json --top 3 "1:$work/f4_1.xyt,2:$work/f5_1.xyt,face:$work/face2_1.npy" \
  "face:$work/face3_raw.f32" >"$work/multi.json"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
one = json.loads(open(w + "/one.json").read())
assert one["candidates"][0]["id"] == "person1", one
assert one["candidates"][0]["fingers"][0]["probe_position"] == 2
latent = json.loads(open(w + "/latent.json").read())
top = latent["candidates"][0]
best_finger = max(top["fingers"], key=lambda f: f["score"])
assert top["id"] == "person2" and best_finger["record_position"] == 2 and best_finger["probe_position"] == 0, latent
ranks = [c["rank"] for c in latent["candidates"]]
assert ranks == list(range(1, len(ranks) + 1))
scores = [c["score"] for c in latent["candidates"]]
assert scores == sorted(scores, reverse=True)
multi = [json.loads(line) for line in open(w + "/multi.json")]
assert len(multi) == 2 and len(multi[0]["candidates"]) <= 3
best = multi[0]["candidates"][0]
assert best["id"] == "person2" and best["face_score"] > 0.5 and len(best["fingers"]) == 2, best
assert multi[0]["candidates"][0]["fmr"] < 1e-6
PY
"$cli" identify --db "$db" "${read_opts[@]}" "$work/f1_1.xyt" | grep -q "person0" || fail "text output"
set +e
"$cli" identify --db "$db" "${read_opts[@]}" --fmr 1e-12 "$work/f7_1.xyt" >/dev/null; s=$?
[ $s -eq 3 ] || [ $s -eq 0 ] || fail "identify exit status $s"
"$cli" identify --db "$db" "${read_opts[@]}" "$work/missing.xyt" >/dev/null 2>&1; [ $? -eq 1 ] || fail "missing probe: 1"
"$cli" identify --db "$db" "9:$work/f1_1.xyt,face" >/dev/null 2>&1; [ $? -eq 1 ] || fail "bad probe list: 1"
"$cli" identify --db "$db" --top 0 "$work/f1_1.xyt" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--top 0: 2"
"$cli" identify "$work/f1_1.xyt" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no --db: 2"
set -e

# Dedup finds the planted duplicate (dup ~ person0).
"$cli" dedup --db "$db" --fmr 1e-4 --json >"$work/dedup.json"
python3 - "$work/dedup.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pairs_compared"] == 10, d
assert [(p["a"], p["b"]) for p in d["pairs"]] == [("dup", "person0")], d["pairs"]
assert d["clusters"] == [["dup", "person0"]], d
PY
"$cli" dedup --db "$db" --fmr 1e-4 --batch dup | grep -q "^cluster dup person0" || fail "dedup --batch"

"$cli" delete --db "$db" dup | grep -q "deleted dup" || fail "delete"
set +e
"$cli" delete --db "$db" dup >/dev/null 2>&1; [ $? -eq 1 ] || fail "deleting twice: 1"
set -e
[ "$("$cli" list --db "$db" | wc -l)" -eq 4 ] || fail "4 records after delete"

# bench: deterministic per seed (same accuracy and comparison counts), documented JSON fields.
for run in 1 2; do
  "$cli" bench --gallery 60 --fingers 2 --face 64 --probes 6 --dedup-batch 4 --threads 2 --seed 3 --json >"$work/bench$run.json"
done
python3 - "$work/bench1.json" "$work/bench2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for key in ("synthetic", "seed", "gallery", "fingers", "face_dimension", "threads", "isa", "enrol", "identify", "dedup",
            "memory", "bandwidth_gb_per_s"):
    assert key in a, key
assert a["synthetic"] is True and a["gallery"] == 60
for key in ("finger_comparisons", "mated", "rank1_hits_at_fmr_1e-4", "nonmated", "false_accepts_at_fmr_1e-4"):
    assert a["identify"][key] == b["identify"][key], key
assert a["identify"]["finger_comparisons"] == 6 * 60 * 2
assert a["identify"]["rank1_hits_at_fmr_1e-4"] == a["identify"]["mated"] == 3, a["identify"]
assert a["identify"]["false_accepts_at_fmr_1e-4"] == 0
assert a["memory"]["total_bytes"] == b["memory"]["total_bytes"] and a["memory"]["bytes_per_record"] > 0
assert a["dedup"]["record_pairs"] > 0 and a["enrol"]["records_per_second"] > 0
p = a["identify"]["latency_ms"]
assert 0 < p["p50"] <= p["p95"] <= p["p99"]
PY
echo "gallery commands: all checks passed"
