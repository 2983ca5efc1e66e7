# Figures from the indicator tables (plot), as described by briefs/demo.json:
# SVG, PNG (300 dpi) and PDF with their gnuplot scripts, and an index page.
# Sourced by scripts/demo with OUT, SRC and the tool paths set; POSIX sh, set -e.
figures=$OUT/figures
for table in difficulty_wilson shortage digital pay_sector grid_smic; do
    if [ ! -f "$OUT/tables/$table.csv" ]; then
        echo "plot: $OUT/tables/$table.csv is missing (the analyse step did not write it)" >&2
        exit 1
    fi
done
mkdir -p "$figures"
"$PLOT" brief "$SRC/briefs/demo.json" --tables "$OUT/tables" -o "$figures" \
    >"$figures/.made"
grep -v '\.index\.html$' "$figures/.made" | sed 's/^/plot: /'
rm -f "$figures/.made"
