#!/usr/bin/env bash
# The slow statistical tests, one fresh process per test file (or per SLOW_TOGETHER group), SLOW_JOBS at a time.
#
# Why one process per file: dozens of full-draw fits in one process once ended in a segfault inside XLA's LLVM
# compile; a fresh JAX/XLA per file also keeps one file's state from reaching another.
# Why two at a time by default: a file's wall time is not all sampling — compiles run on one core, the question
# corpus is single-threaded Python — so two files side by side fill the second core. Verdicts do not change:
# every fit is seeded and no check reads the clock.
# Each file's output is printed whole when it ends, with its wall time; exit code 5 = no slow test in that file.
#
# usage: tests/run_slow.sh PYTHON [GROUPS]   (GROUPS: space-separated, files within a group joined by commas)
set -uo pipefail
cd "$(dirname "$0")/.."
py=$1
groups=${2:-}
jobs=${SLOW_JOBS:-2}

together=" ${groups//,/ } "
runs=$groups
for f in $(grep -l "mark.slow" tests/test_*.py); do
  case "$together" in *" $f "*) ;; *) runs="$runs $f" ;; esac
done

one() {  # one RUN: pytest -m slow on the run's files in a fresh process; prints its log and time when done
  local files=${1//,/ } start=$SECONDS log rc
  log=$(mktemp)
  echo "== $files" >"$log"
  "$py" -m pytest -m slow -q -p no:cacheprovider $files >>"$log" 2>&1
  rc=$?
  echo "== $files took $((SECONDS - start)) s" >>"$log"
  cat "$log"  # one file at a time: the two runs' lines do not interleave
  rm -f "$log"
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then echo "!! $files failed ($rc)"; return 1; fi
}
export -f one
export py

start=$SECONDS
# Longest first (by the last run's times, roughly: the question corpus, multi-outcome and long-term recovery), so
# the pool does not end on one long file.
printf '%s\n' $runs | awk '{w = /question_corpus|multi_recovery|long_term_engine/ ? 0 : 1; print w "\t" $0}' |
  sort -s -k1,1n | cut -f2 | xargs -P "$jobs" -I{} bash -c 'one "$1"' _ {}
status=$?
echo "== all slow tests took $((SECONDS - start)) s ($jobs at a time)"
exit $((status != 0))
