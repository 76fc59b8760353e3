#!/usr/bin/env bash
# Writes one of the real datasets that Debian's python3-sklearn ships (no
# download: the files are in the package) as a CSV that autows.load reads:
# a header f0,...,f<d-1>,label and the class names as labels.
#
#   scripts/sklearn-csv.sh breast_cancer|digits|wine|iris OUT.csv
#
# sklearn's own files start with a line "rows,features,class names..."
# (digits has none and is gzipped), which is why they need this step.
set -euo pipefail
name=${1:?usage: sklearn-csv.sh breast_cancer|digits|wine|iris OUT.csv}
out=${2:?usage: sklearn-csv.sh NAME OUT.csv}
dir=${SKLEARN_DATA:-/usr/lib/python3/dist-packages/sklearn/datasets/data}
case "$name" in
  breast_cancer|wine|iris) src="$dir/$name.csv"; [ "$name" = wine ] && src="$dir/wine_data.csv"; read_src=(cat "$src");;
  digits) src="$dir/digits.csv.gz"; read_src=(zcat "$src");;
  *) echo "sklearn-csv.sh: unknown dataset '$name' (breast_cancer, digits, wine or iris)" >&2; exit 2;;
esac
if [ ! -r "$src" ]; then
  echo "sklearn-csv.sh: $src is missing; install python3-sklearn (scripts/deps.sh does)" >&2
  exit 1
fi
tmp="$out.tmp.$$"
"${read_src[@]}" | awk -F, -v headed="$([ "$name" = digits ] && echo 0 || echo 1)" '
  BEGIN { OFS = "," }
  NR == 1 && headed { for (i = 3; i <= NF; i++) cls[i - 3] = $i; next }
  !started {
    started = 1
    for (i = 1; i < NF; i++) printf "f%d,", i - 1
    print "label"
  }
  { lab = $NF; $NF = ((lab in cls) ? cls[lab] : "digit" lab); print }
' > "$tmp"
mv "$tmp" "$out"
