#!/bin/sh
# Seeds the fuzz corpus with the real sample files and a few small synthetic runs.
# Usage (from crates/xtc2/fuzz): ./seed_corpus.sh [SHARED_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${DETCAL_SHARED_DIR:-$here/../../../../shared}}
corpus=$here/corpus/parse_file
mkdir -p "$corpus"
for f in "$shared"/data/xtc2/*.xtc2; do
    [ -f "$f" ] && cp "$f" "$corpus/" && chmod u+w "$corpus/$(basename "$f")"
done
# The real files are 2-4 MB; their first datagrams (Configure, BeginRun, BeginStep) make small
# seeds that reach the Names and ShapesData decoders quickly.
if [ -f "$shared/data/xtc2/test_jungfrau05M_calib.xtc2" ]; then
    head -c 27194 "$shared/data/xtc2/test_jungfrau05M_calib.xtc2" > "$corpus/jungfrau_transitions.xtc2"
fi
if [ -f "$shared/data/xtc2/test_epix_calib.xtc2" ]; then
    tail -c +1734051 "$shared/data/xtc2/test_epix_calib.xtc2" | head -c 96 > "$corpus/epix_beginrun.xtc2"
fi
ls -l "$corpus"
