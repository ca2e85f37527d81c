#!/bin/sh
# Fail-stop and recovery: an enrolment job on R ranks is killed (SIGKILL to
# mpirun and its ranks) after some lines were acknowledged. A restarted job
# must find every acknowledged record, and answer identify and dedup exactly
# as a single process given the acknowledged lines (plus, perhaps, lines
# written whose acknowledgement had not reached the client).
#   run_mpi_kill.sh MPI_BIN_DIR TEST_BIN_DIR RANKS WORK_DIR
set -eu
bin=$1 tests=$2 ranks=$3 work=$4
mpi="mpirun --oversubscribe -np"
[ "$(id -u)" -eq 0 ] && mpi="mpirun --allow-run-as-root --oversubscribe -np"
export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMP_NUM_THREADS=1
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work"
"$tests/mpi_make_dataset" "$work/data" 40 0
grep -v '^delete' "$work/data/enroll.txt" > "$work/lines.txt"
total=$(wc -l < "$work/lines.txt")
want=$((total / 2))

# Feed lines slowly through a pipe so the job is mid-stream when killed.
mkfifo "$work/feed"
: > "$work/acks.txt" # polled below before the job may have opened it
setsid $mpi "$ranks" "$bin/biomatch-mpi" enroll --db "$work/db" --shards 2 --batch 1 < "$work/feed" > "$work/acks.txt" 2> "$work/enroll.err" &
job=$!
exec 3> "$work/feed"
n=0
while IFS= read -r line; do
  printf '%s\n' "$line" >&3
  n=$((n + 1))
  if [ "$n" -ge "$want" ]; then
    # wait until these lines are acknowledged, then kill the whole job
    tries=0
    while [ "$(wc -l < "$work/acks.txt")" -lt "$want" ] && [ "$tries" -lt 3000 ]; do sleep 0.1; tries=$((tries + 1)); done
    break
  fi
done < "$work/lines.txt"
# a few more lines in flight when the kill comes
sed -n "$((want + 1)),$((want + 5))p" "$work/lines.txt" >&3 || true
kill -KILL -- "-$job" 2>/dev/null || kill -KILL "$job" 2>/dev/null || true
exec 3>&-
wait "$job" 2>/dev/null || true
acked=$(wc -l < "$work/acks.txt")
[ "$acked" -ge "$want" ] || fail "only $acked of $want lines acknowledged before the kill"

# Restart: every acknowledged record is there.
$mpi "$ranks" "$bin/biomatch-mpi" stats --db "$work/db" --json > "$work/stats.json"
records=$(sed 's/.*"records": \([0-9]*\).*/\1/' "$work/stats.json" | awk '{s += $1} END {print s}')
acked_ids=$(sed 's/^ok //' "$work/acks.txt" | sort -u | wc -l)
[ "$records" -ge "$acked_ids" ] || fail "$records records after restart, $acked_ids acknowledged"

# The lines the gallery holds are a prefix of the input (one line at a time
# is applied with --batch 1): at least the acknowledged ones, at most the
# lines fed (acknowledgements still on their way through mpirun when the
# kill came are lost with it). Both answers must match one such prefix.
probes=$(head -n 12 "$work/data/probes.txt")
# shellcheck disable=SC2086
$mpi "$ranks" "$bin/biomatch-mpi" identify --db "$work/db" --json --top 5 --position 1 $probes \
  > "$work/identify.got" || [ $? -eq 3 ]
$mpi "$ranks" "$bin/biomatch-mpi" dedup --db "$work/db" --json --fmr 1e-3 > "$work/dedup.got"
matched=no
fed=$((want + 5))
for extra in $(seq 0 $((fed - acked))); do
  head -n "$((acked + extra))" "$work/lines.txt" > "$work/prefix.txt"
  "$tests/mpi_reference" "$work/prefix.txt" dedup 1e-3 0 > "$work/dedup.expected"
  # shellcheck disable=SC2086
  "$tests/mpi_reference" "$work/prefix.txt" identify 5 1 0 $probes > "$work/identify.expected"
  if cmp -s "$work/dedup.expected" "$work/dedup.got" && cmp -s "$work/identify.expected" "$work/identify.got"; then
    matched=yes
    break
  fi
done
[ "$matched" = yes ] || fail "the restarted gallery answers as no prefix of $acked..$fed lines"
echo "killed after $acked acknowledged lines; restarted job holds them all and answers as one process"
