#!/bin/sh
# Replays the committed fuzz corpus through the decoder and the engine's
# receive path (a regression run; the fuzzing itself is `make fuzz`).
set -e
dir="${srcdir:-$(dirname "$0")/../..}/tests/fuzz/corpus"
n=$(ls "$dir" | wc -l)
test "$n" -gt 0 || { echo "empty corpus $dir"; exit 1; }
./tests/fuzz/fuzz_wire_replay "$dir"/*
exec ./tests/fuzz/fuzz_events_replay "$dir"-events/*
