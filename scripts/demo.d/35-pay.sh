# Pay tables (analyse pay, gender, grid, egapro) from the pay survey.
# Sourced by scripts/demo with OUT, SRC, VIGIE_SURVEYS and the tool paths set; POSIX sh, set -e.
# Reads the store collect filled, else its CSV export, else the sample file itself.
tables=$OUT/tables
mkdir -p "$tables"
if [ -f "$OUT/store/remuneration.sqlite" ]; then
    pay_in="--store $OUT/store/remuneration.sqlite"
elif [ -f "$OUT/data/remuneration.csv" ]; then
    pay_in="--data $OUT/data/remuneration.csv"
else
    pay_in="--data $OUT/sample/remuneration.csv"
fi

# shellcheck disable=SC2086
"$ANALYSE" pay -q --survey remuneration $pay_in --by job,employer_sector \
    -o "$tables/pay_sector.csv"
echo "analyse: $tables/pay_sector.csv (pay by job and employer sector, sector gaps, quantiles)"
# shellcheck disable=SC2086
"$ANALYSE" pay -q --survey remuneration $pay_in --by job,employer_sector \
    --without-segur -o "$tables/pay_sector_hors_segur.csv"
echo "analyse: $tables/pay_sector_hors_segur.csv (the same without the Ségur supplement)"
# shellcheck disable=SC2086
"$ANALYSE" pay -q --survey remuneration $pay_in --by employer_sector,region \
    -o "$tables/pay_region.csv"
echo "analyse: $tables/pay_region.csv (pay by employer sector and region)"
# shellcheck disable=SC2086
"$ANALYSE" gender -q --survey remuneration $pay_in \
    -o "$tables/pay_gender.csv"
echo "analyse: $tables/pay_gender.csv (gender gaps: Eurostat, median, adjusted, Oaxaca-Blinder)"
"$ANALYSE" grid -q --grid "$VIGIE_SURVEYS/common/grids/ccn66.json" --date 2024-11-01 \
    -o "$tables/grid_smic.csv"
echo "analyse: $tables/grid_smic.csv (CCN 66 steps against the SMIC of 1 November 2024)"
"$ANALYSE" egapro -q --workforce "$EGAPRO_WORKFORCE" --year 2025 \
    -o "$tables/egapro.csv"
echo "analyse: $tables/egapro.csv (Egapro index of a synthetic 150-employee workforce)"
