#!/usr/bin/env bash
# The real binary in tmux at 80x24 over a cache made by the startup bench:
#
#   BMBY_BENCH_N=1000000 BMBY_BENCH_DIR=/tmp/c1m cargo bench --bench startup   # makes/keeps it
#   cargo build --release && scripts/tmux-bench.sh /tmp/c1m
#
# Prints, from the screen (polled with `tmux capture-pane`, a few ms a poll, so these are upper
# bounds at that resolution) and from the log's timestamps (`--log-level debug`):
# start → early frame, start → the TUI's first frame, start → the full list loaded, and per
# query typed into `/` key by key (and one pasted), query sent → first screenful and → exact
# count, plus the RSS the log's timing lines carry (store opened, first frame, list loaded, index
# ready) and the process's peak RSS (VmHWM) at the end.
set -euo pipefail
DIR=${1:?usage: tmux-bench.sh DATA_DIR [BIN]}
BIN=${2:-target/release/bmby-ghl}
LOC=benchLocation0000001
S=bmbybench$$
LOG=$DIR/logs/bmby-ghl.log
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
screen() { tmux capture-pane -p -t "$S"; }
wait_for() { # extended regexp on the screen, timeout in s
  local end=$(( $(date +%s) + ${2:-60} ))
  while ! screen | grep -qE -- "$1"; do
    [ "$(date +%s)" -lt "$end" ] || { echo "timeout waiting for: $1" >&2; screen >&2; return 1; }
  done
}
log_ms() { # ms between the first log lines matching $1 and $2 after line $3 of the log
  tail -n +"$3" "$LOG" | awk -v a="$1" -v b="$2" '
    function t(s,  h,m,x){ split(substr(s,12,15),x,":"); return (x[1]*3600+x[2]*60+x[3])*1000 }
    $0 ~ a && !ta { ta=t($1) } $0 ~ b && ta && !tb { tb=t($1) }
    END { if (tb) printf "%.1f", tb-ta; else printf "?" }'
}
mkdir -p "$DIR/logs"; touch "$LOG"
FROM=$(( $(wc -l < "$LOG") + 1 ))
tmux new-session -d -s "$S" -x 80 -y 24 "bash --norc --noprofile"
trap 'tmux kill-session -t "$S" 2>/dev/null || true' EXIT
tmux send-keys -t "$S" "export PS1='READY '; clear" Enter
wait_for '^READY' 10
T0=$(now)
tmux send-keys -t "$S" "GHL_LOCATION_ID=$LOC XDG_CONFIG_HOME=$DIR/cfg exec $BIN --config /dev/null --data-dir $DIR --log-level debug" Enter
wait_for 'opening the cache|Contacts' 30; T1=$(now)
wait_for '┏▶ Contacts' 60; T2=$(now)
echo "start → early frame (screen): $(ms $T0 $T1) ms; → TUI first frame (screen): $(ms $T0 $T2) ms"
end=$(( $(date +%s) + 120 ))
until tail -n +"$FROM" "$LOG" | grep -q 'contact list loaded'; do [ "$(date +%s)" -lt "$end" ]; done
echo "log: start → first frame drawn $(log_ms ' start version' 'first frame drawn' "$FROM") ms; start → full list loaded $(log_ms ' start version' 'contact list loaded' "$FROM") ms"
query() { # $1 keys sent how ("keys" one by one, "paste" at once), $2 text
  tmux send-keys -t "$S" /; wait_for '^┃/ ' 10
  local from=$(( $(wc -l < "$LOG") + 1 ))
  if [ "$1" = paste ]; then tmux set-buffer -b q "$2"; tmux paste-buffer -b q -t "$S"; else
    local i; for (( i=0; i<${#2}; i++ )); do tmux send-keys -t "$S" -l "${2:$i:1}"; done; fi
  wait_for "^┃/ $2" 10
  # The exact count of the last query sent: its `filter result … complete=true` in the log.
  local end=$(( $(date +%s) + 120 )) g
  while :; do
    g=$(tail -n +"$from" "$LOG" | grep 'filter query sent' | tail -1 | grep -oE 'generation=[0-9]+' || true)
    [ -n "$g" ] && tail -n +"$from" "$LOG" | grep 'filter result' | grep -q "$g complete=true" && break
    [ "$(date +%s)" -lt "$end" ] || { echo "no result for $g" >&2; break; }
  done
  wait_for 'Contacts [0-9,]+/[0-9,]+ ·' 10
  tail -n +"$from" "$LOG" | awk '
    function t(s,  x){ split(substr(s,12,15),x,":"); return (x[1]*3600+x[2]*60+x[3])*1000 }
    /filter query sent/ { match($0,/generation=[0-9]+/); g=substr($0,RSTART+11,RLENGTH-11); sent[g]=t($1); order[++n]=g }
    /filter result/ { match($0,/generation=[0-9]+/); g=substr($0,RSTART+11,RLENGTH-11);
      if ($0 ~ /complete=false/) first[g]=t($1); else done[g]=t($1) }
    END { for (i=1;i<=n;i++) { g=order[i]; if (!(g in done)) continue;
      f = (g in first) ? sprintf("%.1f", first[g]-sent[g]) : "one step";
      printf "  key %d: first screenful %s ms, exact count %.1f ms\n", i, f, done[g]-sent[g] } }'
  echo "  → $(screen | grep -oE 'Contacts [0-9,]+/[0-9,]+' | head -1)"
  tmux send-keys -t "$S" Escape; wait_for '┏▶ Contacts [0-9,]+ ·' 30
}
echo "right after the list loaded (the search index is being built; the scan answers):"
echo "typed 'd':"; query keys d
until tail -n +"$FROM" "$LOG" | grep -q 'search index ready'; do :; done
echo "log: start → search index ready $(log_ms ' start version' 'search index ready' "$FROM") ms ($(tail -n +"$FROM" "$LOG" | grep -oE 'words=[0-9]+ bytes=[0-9]+' | head -1))"
for q in d כ da dan כה כהן; do echo "typed '$q':"; query keys "$q"; done
echo "pasted 'da':"; query paste da
echo "memory (log, MB resident / peak so far):"
tail -n +"$FROM" "$LOG" | grep -E 'store opened|first frame drawn|contact list loaded|search index ready' \
  | sed -E 's/^.*: ([a-z ]+) .*rss_mb=([0-9]+) peak_mb=([0-9]+).*$/  \1: \2 \/ \3/' | head -4
PID=$(pgrep -f "$BIN --config /dev/null --data-dir $DIR" | head -1)
echo "peak RSS: $(grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MB"}')"
tmux send-keys -t "$S" q
