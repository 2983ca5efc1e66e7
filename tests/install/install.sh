#!/bin/sh
# Install the build into a temporary prefix, move the prefix elsewhere (an installed toolkit
# must not depend on where it was installed, nor on the source tree), and run the demo and
# the tools from the moved prefix alone.
#   install.sh <build dir>
set -u
BUILD=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigie-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$BUILD" --prefix "$TMP/first" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log"; fail "cmake --install exited with an error"; }
mv "$TMP/first" "$TMP/moved"
P=$TMP/moved

for f in bin/collect bin/analyse bin/plot libexec/vigie/gensample; do
    [ -x "$P/$f" ] || fail "$f is not installed"
done
for f in share/vigie/surveys/recrutement/survey.json share/vigie/surveys/common/codelists.json \
         share/vigie/briefs/demo.json share/vigie/scripts/demo share/doc/vigie/README.md \
         share/man/man1/collect.1 share/man/man1/collect-fetch.1 share/man/man1/analyse-estimate.1 \
         share/man/man1/plot-brief.1; do
    [ -f "$P/$f" ] || fail "$f is not installed"
done

# Every option --help lists is in the man page (the pages are made from --help).
"$P/bin/collect" fetch --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z-]*\).*/\2/p' |
while read -r opt; do
    # troff writes each '-' as '\-'.
    esc=$(printf -- '--%s' "$opt" | sed 's/-/\\-/g')
    grep -qF -- "$esc" "$P/share/man/man1/collect-fetch.1" ||
        { echo "FAIL: --$opt is in 'collect fetch --help' but not in collect-fetch.1"; exit 1; }
done || exit 1

# Nothing from the source tree or the environment: a clean environment, another directory.
cd "$TMP" || fail "cd $TMP"
out=$(env -i PATH=/usr/bin:/bin HOME="$TMP" LC_ALL=C.UTF-8 OUT="$TMP/out" \
      "$P/share/vigie/scripts/demo" 2>&1)
status=$?
[ "$status" = 0 ] || { printf '%s\n' "$out"; fail "the installed demo exited with $status"; }
[ -f "$TMP/out/figures/index.html" ] || fail "the installed demo made no figures/index.html"
ls "$TMP/out/tables/"*.csv >/dev/null 2>&1 || fail "the installed demo made no table"

# A bare survey id resolves to the installed definitions without VIGIE_SURVEYS: a copy that
# exists only in the prefix must be found.
cp -R "$P/share/vigie/surveys/recrutement" "$P/share/vigie/surveys/seulementici"
env -i PATH=/usr/bin:/bin HOME="$TMP" "$P/bin/analyse" estimate -q --survey seulementici \
    --data "$TMP/out/data/recrutement.csv" --var difficulty -o "$TMP/d.csv" >"$TMP/e.log" 2>&1 ||
    { cat "$TMP/e.log"; fail "analyse --survey recrutement from the installed prefix failed"; }
grep -q '^difficulte_share,' "$TMP/d.csv" || fail "no difficulte_share row from the installed analyse"

# --version names the build.
v=$("$P/bin/collect" --version) || fail "collect --version failed"
case "$v" in "collect (vigie) "?*) ;; *) fail "collect --version printed '$v'" ;; esac
echo "ok: installed, moved, demo and tools run from $P alone ($v)"
