#!/usr/bin/env bash
# Usage: expect_error.sh REGEX [--no-file PATH] -- COMMAND...
# Passes when COMMAND exits non-zero (and not by a signal), prints exactly one line on
# stderr matching REGEX, and (with --no-file) left no file at PATH.
set -u
regex=$1; shift
nofile=""
if [ "${1:-}" = "--no-file" ]; then nofile=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
err=$(mktemp)
"$@" >/dev/null 2>"$err"
rc=$?
lines=$(wc -l <"$err")
msg=$(cat "$err"); rm -f "$err"
if [ "$rc" -eq 0 ]; then echo "FAIL: exit code 0, expected an error"; exit 1; fi
if [ "$rc" -ge 128 ]; then echo "FAIL: killed by signal $((rc - 128)): $msg"; exit 1; fi
if [ "$lines" -ne 1 ]; then echo "FAIL: expected one line on stderr, got $lines: $msg"; exit 1; fi
if ! grep -Eq -- "$regex" <<<"$msg"; then echo "FAIL: stderr '$msg' does not match '$regex'"; exit 1; fi
if [ -n "$nofile" ] && [ -e "$nofile" ]; then echo "FAIL: output file $nofile was written"; exit 1; fi
echo "ok: exit $rc: $msg"
