#!/usr/bin/env bash
# Checks a bmby-ghl binary for old jump hosts:
#   scripts/portable-check.sh BIN [MAX_GLIBC]     (MAX_GLIBC default 2.17)
# - the highest GLIBC_ symbol version it needs (objdump -T) is at most MAX_GLIBC;
# - it needs no libssl/libcrypto (readelf -d NEEDED);
# - it is stripped (no .symtab) and `BIN --version` names a version and a commit;
# - with tmux, `BIN demo` draws its screen within 60 s (then it is stopped).
# Prints one summary line: `BIN: SIZE bytes (N MB), highest GLIBC_X, needs: …, version: …`.
# Exit 0 when every check passes, 1 with the failed check on stderr otherwise.
set -euo pipefail
BIN=${1:?usage: portable-check.sh BIN [MAX_GLIBC]}
MAX=${2:-2.17}
fail() { echo "portable-check: $BIN: $*" >&2; exit 1; }
[ -x "$BIN" ] || fail "not an executable file"

# Highest GLIBC_x.y[.z] among the dynamic symbols' versions.
highest=$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
[ -n "$highest" ] || highest=none
if [ "$highest" != none ]; then
  newest=$(printf '%s\n%s\n' "$highest" "$MAX" | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
  [ "$newest" = "$MAX" ] || [ "$highest" = "$MAX" ] || fail "needs GLIBC_$highest > $MAX"
fi

needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd, -)
case ",$needed," in
  *libssl*|*libcrypto*) fail "links OpenSSL ($needed)" ;;
esac

if readelf -S "$BIN" | grep -q '\.symtab'; then
  fail "not stripped (has .symtab)"
fi

version=$("$BIN" --version) || fail "--version failed"
case "$version" in
  "bmby-ghl "*"(commit "*")") ;;
  *) fail "--version says '$version', not 'bmby-ghl VERSION (commit HASH)'" ;;
esac

if command -v tmux >/dev/null 2>&1; then
  session="portable-check-$$"
  tmux new-session -d -s "$session" -x 100 -y 30 "$BIN demo" || fail "tmux could not start the demo"
  drawn=no
  for _ in $(seq 1 120); do
    if tmux capture-pane -p -t "$session" 2>/dev/null | grep -Eq 'Contacts [0-9]+'; then drawn=yes; break; fi
    sleep 0.5
  done
  screen=$(tmux capture-pane -p -t "$session" 2>/dev/null || true)
  tmux kill-session -t "$session" 2>/dev/null || true
  [ "$drawn" = yes ] || fail "demo did not draw its screen within 60 s; last screen:
$screen"
  demo="demo drew its screen"
else
  demo="demo not run (no tmux)"
fi

size=$(stat -c %s "$BIN")
echo "$BIN: $size bytes ($((size / 1048576)) MB), highest GLIBC_$highest (max $MAX), needs: $needed, no OpenSSL, stripped, $demo, version: $version"
