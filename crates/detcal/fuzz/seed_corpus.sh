#!/bin/sh
# Seeds the fuzz corpora with small valid inputs written here: psana text constants of several
# dtypes and ranks, .npy files (C and Fortran order, both byte orders, 0-D), dataset names and
# run ranges, plus the known crash inputs (a wrapping DIM product, an overflowing npy shape).
# Usage (from crates/detcal/fuzz): ./seed_corpus.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
c=$here/corpus
mkdir -p "$c/text" "$c/npy" "$c/gain_bin" "$c/dataset_name" "$c/run_range"

# psana text: 1-D (one line, leading space), 2-D without metadata, 3-D with DTYPE/NDIM/DIM.
printf '\n# HOST        h\n# SHAPE       (3,)\n# DATATYPE    uint64\n\n# DTYPE       uint64\n# NDIM        1\n# DIM:0       3\n\n 0 64 3 ' > "$c/text/one_d.data"
printf '1 2 3\n4 5 6\n' > "$c/text/plain.dat"
printf '# DTYPE       float32\n# NDIM        3\n# DIM:0       2\n# DIM:1       1\n# DIM:2       2\n\n1.000 2.500\n-3.000 4e3\n' > "$c/text/three_d.data"
printf '# DTYPE       int16\n# NDIM        2\n# DIM:0       2\n# DIM:1       2\n1 -2 # c\n\n3 4\n' > "$c/text/int16.txt"
printf '# NDIM 2\n# DIM:0 4611686018427387905\n# DIM:1 4\n1 2 3 4\n' > "$c/text/wrap.data"
# .npy, v1 headers as numpy writes them, padded to 64 bytes.
npy() { # name descr fortran shape data-bytes
    h="{'descr': '$2', 'fortran_order': $3, 'shape': $4, }"
    pad=$(( 63 - (10 + ${#h}) % 64 ))
    h="$h$(printf '%*s' "$pad" '')"
    len=$(( ${#h} + 1 ))
    { printf '\223NUMPY\001\000'; printf "$(printf '\\%03o\\%03o' $((len % 256)) $((len / 256)))";
      printf '%s\n' "$h"; printf "$5"; } > "$c/npy/$1"
}
npy u1.npy '|u1' False '(2, 3)' '\001\002\003\004\005\006'
npy f4.npy '<f4' False '(2,)' '\000\000\200\077\000\000\000\100'
npy i2_fortran.npy '<i2' True '(2, 2)' '\001\000\002\000\003\000\004\000'
npy u8_be.npy '>u8' False '(1,)' '\000\000\000\000\000\000\000\001'
npy scalar.npy '<f8' False '()' '\000\000\000\000\000\000\360\077'
npy wrap.npy '|u1' False '(4611686018427387905, 4)' '\001\002\003\004'

# Gain maps: valid files are 12 MiB or more, beyond -max_len; seeds exercise the size check.
printf '\000\000\000\000\000\000\360\077' > "$c/gain_bin/one_value.bin"
head -c 4096 /dev/zero > "$c/gain_bin/zeros.bin"

printf 'exp=xpptut15:run=3,7-9:dir=/tmp/x' > "$c/dataset_name/runs_dir"
printf 'exp=cxilu9218:run=242,243,244:smd' > "$c/dataset_name/smd"
printf 'run=7:exp=mfx101332224' > "$c/dataset_name/reordered"
printf 'mfx101332224-r0007-s000-c000.xtc2' > "$c/dataset_name/chunk_name"
printf 'xpptut15 1-99999' > "$c/dataset_name/exp_runs"

printf '5-end' > "$c/run_range/open"
printf '0010-0020' > "$c/run_range/closed"
printf '5-end.data\n1-end.data\n7-9.data\nHISTORY\n12-x.data' > "$c/run_range/dir_listing"
ls -l "$c"/*
