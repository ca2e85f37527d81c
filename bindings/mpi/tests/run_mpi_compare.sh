#!/bin/sh
# End-to-end test of biomatch-mpi on R ranks (loopback), against a single
# process on the same records:
#   1. enrol the synthetic lines in two jobs with a checkpoint between them
#      (the second half, deletes included, lives only in each rank's log);
#   2. identify every probe and deduplicate: JSON equal to mpi_reference;
#   3. run identify and dedup again in fresh jobs (each rank recovers from its
#      own snapshot + log): identical answers;
#   4. a job with another rank count is refused.
#   run_mpi_compare.sh MPI_BIN_DIR TEST_BIN_DIR RANKS WORK_DIR FACE_DIMENSION
set -eu
bin=$1 tests=$2 ranks=$3 work=$4 face=$5
mpi="mpirun --oversubscribe -np"
[ "$(id -u)" -eq 0 ] && mpi="mpirun --allow-run-as-root --oversubscribe -np"
export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMP_NUM_THREADS=1
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work"
"$tests/mpi_make_dataset" "$work/data" 60 "$face"
lines=$(wc -l < "$work/data/enroll.txt")
half=$((lines / 2))
head -n "$half" "$work/data/enroll.txt" > "$work/part1.txt"
tail -n +"$((half + 1))" "$work/data/enroll.txt" > "$work/part2.txt"
probes=$(cat "$work/data/probes.txt")

# 1. enrolment in two jobs, a checkpoint between them
$mpi "$ranks" "$bin/biomatch-mpi" enroll --db "$work/db" --face-dim "$face" --shards 3 --batch 7 \
  < "$work/part1.txt" > "$work/ack1.txt"
$mpi "$ranks" "$bin/biomatch-mpi" checkpoint --db "$work/db"
$mpi "$ranks" "$bin/biomatch-mpi" enroll --db "$work/db" --batch 5 < "$work/part2.txt" > "$work/ack2.txt"
acks=$(cat "$work/ack1.txt" "$work/ack2.txt" | wc -l)
[ "$acks" -eq "$lines" ] || fail "$acks acknowledgements for $lines lines"
grep -q "^deleted person-00000$" "$work/ack2.txt" || fail "delete not acknowledged"

# 2. answers against the single process
# shellcheck disable=SC2086
"$tests/mpi_reference" "$work/data/enroll.txt" identify 5 1 "$face" $probes > "$work/identify.expected"
# shellcheck disable=SC2086
$mpi "$ranks" "$bin/biomatch-mpi" identify --db "$work/db" --json --top 5 --position 1 --batch 3 --window 2 \
  $probes > "$work/identify.got" || [ $? -eq 3 ]
cmp "$work/identify.expected" "$work/identify.got" || { diff "$work/identify.expected" "$work/identify.got" | head -20; fail "identify differs"; }
grep -q '"id": "dup-' "$work/identify.got" || fail "identify found no duplicate record (data set broken?)"

"$tests/mpi_reference" "$work/data/enroll.txt" dedup 1e-4 "$face" > "$work/dedup.expected"
$mpi "$ranks" "$bin/biomatch-mpi" dedup --db "$work/db" --json --fmr 1e-4 > "$work/dedup.got"
cmp "$work/dedup.expected" "$work/dedup.got" || { diff "$work/dedup.expected" "$work/dedup.got" | head -20; fail "dedup differs"; }
grep -q '"trip-00021"' "$work/dedup.got" || fail "dedup missed the planted cluster (data set broken?)"

# 3. restarted jobs answer as before
# shellcheck disable=SC2086
$mpi "$ranks" "$bin/biomatch-mpi" identify --db "$work/db" --json --top 5 --position 1 \
  $probes > "$work/identify.again" || [ $? -eq 3 ]
cmp "$work/identify.expected" "$work/identify.again" || fail "identify after restart differs"
$mpi "$ranks" "$bin/biomatch-mpi" dedup --db "$work/db" --json --fmr 1e-4 > "$work/dedup.again"
cmp "$work/dedup.expected" "$work/dedup.again" || fail "dedup after restart differs"

# 4. another rank count is refused (records are owned by rank)
other=$((ranks + 1))
if $mpi "$other" "$bin/biomatch-mpi" stats --db "$work/db" > /dev/null 2> "$work/other.err"; then
  fail "a job with $other ranks opened a gallery of $ranks"
fi
grep -q "over $ranks ranks" "$work/other.err" || fail "no clear message for a wrong rank count"
# 5. bad input: a specific error on stderr and exit status 1, the rest still done
printf 'bad-line\nnewcomer 1 %s\nnobody 1 /nonexistent.bmt\ndelete never-enrolled\n' \
  "$(head -n 1 "$work/data/enroll.txt" | cut -d' ' -f3)" > "$work/bad.txt"
if $mpi "$ranks" "$bin/biomatch-mpi" enroll --db "$work/db" --batch 4 < "$work/bad.txt" > "$work/bad.out" 2> "$work/bad.err"; then
  fail "enrol with bad lines exited 0"
fi
grep -q "^ok newcomer$" "$work/bad.out" || fail "good line among bad ones not acknowledged"
grep -q "^error bad-line: BM_ERR_INVALID_ARGUMENT" "$work/bad.err" || fail "malformed line not reported"
grep -q "^error nobody: BM_ERR_IO" "$work/bad.err" || fail "unreadable file not reported"
grep -q "^error never-enrolled: BM_ERR_NOT_FOUND" "$work/bad.err" || fail "delete of an unknown id not reported"
set +e
$mpi "$ranks" "$bin/biomatch-mpi" identify --db "$work/db" --position 1 /nonexistent.bmt "$(head -n 1 "$work/data/enroll.txt" | cut -d' ' -f3)" \
  > "$work/badprobe.out" 2> "$work/badprobe.err"
code=$?
set -e
[ "$code" -eq 1 ] || fail "identify with an unreadable probe exited $code"
grep -q "nonexistent.bmt: BM_ERR_IO" "$work/badprobe.err" || fail "unreadable probe not reported"
grep -q "newcomer" "$work/badprobe.out" || fail "the readable probe was not answered"
echo "ranks=$ranks: enrol, identify, dedup and restart equal to the single process"
