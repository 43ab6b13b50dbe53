#!/bin/bash
# SIGINT and SIGTERM stop `recon` cleanly (and a crash leaves no temporary either): during a write (.npy, and NIfTI through ITK) the
# hidden temporary goes, during a computation nothing was written; the exit status is
# 128 + the signal (130, 143) and the folder holds what it held before.
# Usage: signals.sh RECON WORK_DIR OUTPUT...   (OUTPUT: the names written while signalled)
set -u
recon=$1
work=$2
shift 2
outputs=("$@")
rm -rf "$work"
mkdir -p "$work"
failed=0

fail() {
  echo "FAIL  $*"
  failed=1
}

# Polls (up to 120 s) until a hidden entry starting with $2 appears in folder $1 or process $3 ends.
wait_for_temporary() {
  local folder=$1 prefix=$2 pid=$3
  for _ in $(seq 12000); do
    if ls -A "$folder" | grep -q -F -- "$prefix"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}

# A signal while the output is being written: a large volume converted (its reading is quick).
"$recon" phantom shepp-logan --size 320x320x320 "$work/volume.npy" >/dev/null || fail "phantom for the input"
for sig in INT TERM; do
  expected=$([ $sig = INT ] && echo 130 || echo 143)
  for out in "${outputs[@]}"; do
    dir="$work/write-$sig-$out"
    mkdir -p "$dir"
    (cd "$dir" && exec "$recon" convert ../volume.npy "$out" >/dev/null 2>"$dir.err") &
    pid=$!
    if ! wait_for_temporary "$dir" ".$out" $pid; then
      wait $pid
      fail "$sig during the write of $out: no temporary seen before the command ended"
      continue
    fi
    kill -s $sig $pid
    wait $pid
    rc=$?
    [ $rc = "$expected" ] || fail "$sig during the write of $out: exit $rc, expected $expected"
    left=$(ls -A "$dir")
    [ -z "$left" ] || fail "$sig during the write of $out: left behind: $left"
    [ $rc = "$expected" ] && [ -z "$left" ] && echo "ok    $sig during the write of $out"
  done
done

# A crash (here a SIGSEGV sent by kill) during a write: still reported as the crash (exit 139 in
# the shell), and the temporaries are gone all the same.
out=${outputs[${#outputs[@]}-1]}
dir="$work/crash-$out"
mkdir -p "$dir"
(ulimit -c 0; cd "$dir" && exec "$recon" convert ../volume.npy "$out" >/dev/null 2>"$dir.err") &
pid=$!
if wait_for_temporary "$dir" ".$out" $pid; then
  kill -s SEGV $pid
  wait $pid 2>/dev/null  # not the shell's "Segmentation fault" line
  rc=$?
  left=$(ls -A "$dir")
  # Under AddressSanitizer the crash is re-raised to its handler, which aborts (134).
  [ $rc = 134 ] && ldd "$recon" | grep -q libasan && rc=139
  [ $rc = 139 ] || fail "SEGV during the write of $out: exit $rc, expected 139"
  [ -z "$left" ] || fail "SEGV during the write of $out: left behind: $left"
  [ $rc = 139 ] && [ -z "$left" ] && echo "ok    SEGV during the write of $out"
else
  wait $pid
  fail "SEGV during the write of $out: no temporary seen before the command ended"
fi

# A signal during a long computation, before any output exists; the inputs stay as they were.
setup="$work/inputs"
mkdir -p "$setup"
cat >"$setup/g.json" <<'JSON'
{"volume": {"shape": [128, 128]},
 "projection": {"type": "parallel2d", "detector_shape": [180],
                "angles": {"start": 0, "stop": 3.141592653589793, "count": 180}}}
JSON
"$recon" ct simulate --geometry "$setup/g.json" "$setup/sino.npy" >/dev/null || fail "ct simulate for the inputs"
for sig in INT TERM; do
  expected=$([ $sig = INT ] && echo 130 || echo 143)
  dir="$work/compute-$sig"
  cp -a "$setup" "$dir"
  before=$(cd "$dir" && ls -lA --time-style=+%s.%N)
  (cd "$dir" && exec "$recon" ct sirt --geometry g.json sino.npy "$out" --iters 1000000 --tol 0 \
     --log log.json >/dev/null 2>"$dir.err") &
  pid=$!
  sleep 1.5
  kill -s $sig $pid
  wait $pid
  rc=$?
  after=$(cd "$dir" && ls -lA --time-style=+%s.%N)
  [ $rc = "$expected" ] || fail "$sig while computing: exit $rc, expected $expected"
  [ "$before" = "$after" ] || fail "$sig while computing: the folder changed: $after"
  [ $rc = "$expected" ] && [ "$before" = "$after" ] && echo "ok    $sig while computing"
done
exit $failed
