# Indicator tables from the collected responses (analyse).
# Sourced by scripts/demo with OUT, SRC, VIGIE_SURVEYS and the tool paths set; POSIX sh, set -e.
# Reads the store collect filled ($OUT/store/<survey>.sqlite), or its CSV export.
tables=$OUT/tables
mkdir -p "$tables"

analyse_input() {
    if [ -f "$OUT/store/$1.sqlite" ]; then
        analyse_in_opt=--store
        analyse_in_path=$OUT/store/$1.sqlite
    else
        analyse_in_opt=--data
        analyse_in_path=$OUT/data/$1.csv
    fi
}

analyse_input recrutement
"$ANALYSE" shortage -q --survey recrutement "$analyse_in_opt" "$analyse_in_path" \
    --by region --by sector --markdown -o "$tables/shortage.csv"
echo "analyse: $tables/shortage.csv (shortage indicators by region, sector and job family; summary shortage.md)"

"$ANALYSE" estimate -q --survey recrutement "$analyse_in_opt" "$analyse_in_path" \
    --var difficulty --by region --ci wilson -o "$tables/difficulty_wilson.csv"
echo "analyse: $tables/difficulty_wilson.csv (recruitment difficulty by region, Wilson intervals)"

analyse_input numerique
"$ANALYSE" digital -q --survey numerique "$analyse_in_opt" "$analyse_in_path" \
    --by region --by sector --by size --markdown -o "$tables/digital.csv"
echo "analyse: $tables/digital.csv (digital readiness by region, sector and size; summary digital.md)"
