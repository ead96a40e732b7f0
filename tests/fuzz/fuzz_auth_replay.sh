#!/bin/sh
# Replays the committed corpus of the authentication parsers (a regression
# run; the fuzzing itself is `make fuzz-auth`).
set -e
dir="${srcdir:-$(dirname "$0")/../..}/tests/fuzz/corpus-auth"
n=$(ls "$dir" | wc -l)
test "$n" -gt 0 || { echo "empty corpus $dir"; exit 1; }
exec ./tests/fuzz/fuzz_auth_replay "$dir"/*
