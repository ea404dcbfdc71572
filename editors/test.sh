#!/usr/bin/env bash
# Headless tests of the editor support, for CI and for people: the TextMate
# grammar (VS Code), its packaging as a .vsix, and the Vim syntax file. The
# tree-sitter grammar is tested by `cargo test -p tree-sitter-upkeep` (part of
# `cargo test --workspace`), not here.
#
# Installs what it needs from the registries (npm packages with `npm ci`,
# Debian's vim if there is no vim with syntax support) and can be run again
# at will. Prints the assertions passed per editor and, last, one line
# `N passed, M failed`; exits non-zero on any failure.

set -uo pipefail
cd "$(dirname "$0")"
EDITORS=$(pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

TOTAL_PASSED=0
TOTAL_FAILED=0
STEP_FAILED=0

# Adds up the `N passed, M failed` line that a suite printed last.
tally() {
  local suite=$1 output=$2 line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$output" | tail -n 1)
  if [[ -z $line ]]; then
    echo "$suite: no result line (the suite did not run to its end)"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    return
  fi
  [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
  TOTAL_PASSED=$((TOTAL_PASSED + BASH_REMATCH[1]))
  TOTAL_FAILED=$((TOTAL_FAILED + BASH_REMATCH[2]))
}

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "editors/test.sh: $* is needed; run as root or install it" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- setup

command -v npm >/dev/null || apt_install nodejs npm || STEP_FAILED=1
# vim-tiny answers to `vim` too but has no syntax highlighting.
if ! vim --version 2>/dev/null | grep -q '+syntax'; then
  apt_install vim || STEP_FAILED=1
fi
(cd vscode && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) || {
  cat "$WORK/npm.log"
  STEP_FAILED=1
}

# ---------------------------------------------------------------- VS Code (TextMate)

echo "== VS Code: TextMate grammar"
for suite in config tokens all-files; do
  out=$(cd vscode && node "test/$suite.test.js" 2>&1)
  echo "$out"
  tally "textmate $suite" "$out"
done

# Assertion-comment files (`// ^^^ scope`), run by vscode-tmgrammar-test.
# In its compact format (-c) it reports each failed assertion on an
# `ERROR file:line:col:col …` line.
asserted=$(cat vscode/test/scopes/*.upk | grep -cE '^//\s*(\^|<-)')
out=$(cd vscode && npx --no-install vscode-tmgrammar-test -c -g syntaxes/upkeep.tmLanguage.json 'test/scopes/*.upk' 2>&1)
status=$?
failed=$(grep -c '^ERROR ' <<<"$out" || true)
if [[ $status -ne 0 ]]; then
  echo "$out"
  [[ $failed -eq 0 ]] && failed=1
fi
echo "textmate assertion files: $((asserted - failed)) passed, $failed failed"
tally "vscode-tmgrammar-test" "$((asserted - failed)) passed, $failed failed"

# Packaging: a .vsix with the grammar and the language configuration.
out=$(cd vscode && npx --no-install vsce package --skip-license --out "$WORK/" 2>&1)
vsix=$(ls "$WORK"/upkeep-*.vsix 2>/dev/null | head -n 1)
passed=0
failed=0
for entry in extension/package.json extension/syntaxes/upkeep.tmLanguage.json extension/language-configuration.json extension/readme.md; do
  # Entry names are stored uncompressed in a zip file's headers.
  if [[ -n $vsix ]] && grep -aqF "$entry" "$vsix"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL the .vsix lacks $entry"
  fi
done
[[ -z $vsix ]] && echo "$out"
echo "vsce package ($(basename "${vsix:-no .vsix}")): $passed passed, $failed failed"
tally "vsce package" "$passed passed, $failed failed"
TEXTMATE_DONE=$TOTAL_PASSED

# ---------------------------------------------------------------- Vim

echo "== Vim: syntax/upkeep.vim"
UPKEEP_VIM_RESULTS="$WORK/vim.txt" timeout 300 vim -es -N -u NONE -i NONE -S "$EDITORS/vim/test/run.vim" </dev/null >/dev/null 2>&1
out=$(cat "$WORK/vim.txt" 2>/dev/null || echo "vim wrote no results")
echo "$out"
tally "vim" "$out"

# ---------------------------------------------------------------- total

echo "== per editor: VS Code $TEXTMATE_DONE assertions passed, Vim $((TOTAL_PASSED - TEXTMATE_DONE)) passed" \
  "(tree-sitter: cargo test -p tree-sitter-upkeep)"
if [[ $STEP_FAILED -ne 0 ]]; then
  echo "a setup step failed (see above)"
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 ]]
