#!/usr/bin/env bash
# Acceptance of issue 8 with the real binary: the six situations an operator tried,
# run again end to end. The broker runs in its own process ('hongbao broker --data'),
# every ingest is the 'hongbao ingest' command under /usr/bin/time (peak RSS), and each
# lake is checked against the topic itself (log start and high watermark of every
# partition, read by scripts/kafkatool.go): every offset in exactly one lake row
# (event table or quarantine), no event_id twice, no claim in grabs whose envelope is
# not in envelopes.
#
#   1 SIGKILL loop       ingest --flush-rows 20000 SIGKILLed 10 times (after 3,1,4,1,5,9,2,6,5,3
#                        new commit markers), then ingest --until-idle 5s: exit 0, lake exact
#   2 broker SIGKILL     broker kill -9'd (after 2, 4 and 4 new commit markers) and restarted,
#                        down 2 s, same port and --data, 3 times under ingest --until-idle 20s:
#                        the topic is as produced, exit 0, lake exact
#   3 two ingesters,     two ingest --until-idle 8s, one group, one --dir, started together:
#     one lake           both exit 0, lake exact, warehouse refreshed (no "in use" failure);
#                        then hostile messages (invalid UTF-8, truncated JSON, a claim on an
#                        envelope never sent) produced with kcat (or kafkatool when kcat is
#                        missing) and ingested: quarantined with invalid_utf8, not_json,
#                        unknown_envelope, lake still exact
#   4 two ingesters,     the same with two --dir: a member that exits 0 has its lake exact,
#     two lakes          and at least one exits non-zero naming the partitions its lake lacks
#   5 broker lost data   situation 3's lake, a new broker with an empty --data on the same port,
#                        the topic produced again at a quarter of the scale: ingest exits
#                        non-zero naming the partition and saying to use another --dir, and
#                        the lake is byte for byte unchanged (sha256 and size of every file)
#   6 hostile input      HONGBAO_TORTURE=1 go test -run TestHostileInput -v ./ingest/
# Every ingest's peak RSS must stay under 1 GiB (1048576 KiB).
#
#   scripts/acceptance.sh [SCALE]      # SCALE defaults to 0.02 (2.83 M events, as in the issue)
#
# 5 to 9 minutes on 2 shared cores at 0.02 (plus 1 to 2 min of build on a cold cache). Scratch data
# (about 3 GB at 0.02) goes to $ACCEPTANCE_DIR or a new /tmp/hongbao-acceptance.XXXXXX,
# kept for inspection; ONLY="1 3" runs a subset (5 needs 3). Exit status: 0 when every
# situation passes, 1 otherwise.
set -uo pipefail

SCALE=${1:-0.02}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
W=${ACCEPTANCE_DIR:-$(mktemp -d /tmp/hongbao-acceptance.XXXXXX)}
mkdir -p "$W/bin" "$W/logs"
W=$(cd "$W" && pwd)
BIN=$W/bin/hongbao
KT=$W/bin/kafkatool
TOPIC=hongbao.events
ONLY=${ONLY:-1 2 3 4 5 6}
LIMIT_KIB=1048576
RESULTS=$W/results.txt
: >"$RESULTS"
START=$(date +%s)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

# --- processes -------------------------------------------------------------------
PIDS=()   # every background process this script started, ended by id on exit
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for c in $(pgrep -P "$p" 2>/dev/null); do kill -9 "$c" 2>/dev/null; done
	done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_port PORT SECONDS: until the port accepts a connection.
wait_port() {
	local deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_broker NAME PORT DATA: sets BPID.
start_broker() {
	"$BIN" broker --listen "127.0.0.1:$2" --data "$3" --dir "$W/x" >>"$W/logs/$1.log" 2>&1 &
	BPID=$!
	PIDS+=("$BPID")
	if ! wait_port "$2" 60; then
		log "broker $1 did not listen on $2 within 60 s: $(tail -3 "$W/logs/$1.log")"
		return 1
	fi
}
stop_broker() { kill -INT "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
kill_broker() { kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# start_ingest NAME ARGS...: 'hongbao ingest ARGS' under /usr/bin/time in the
# background; sets TPID (the time process; the ingester is its child).
start_ingest() {
	local name=$1
	shift
	/usr/bin/time -f '%M' -o "$W/logs/$name.rss" "$BIN" ingest "$@" >"$W/logs/$name.log" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
}
# child PID: the ingester under a time process (waits for it to exist).
child() {
	local c i
	for i in $(seq 100); do
		c=$(pgrep -P "$1" | head -1)
		[[ -n $c ]] && { echo "$c"; return 0; }
		sleep 0.05
	done
	return 1
}
# finish_ingest NAME TPID [TIMEOUT]: waits (SIGKILL after TIMEOUT s, default 600: a
# hang); sets RC and RSS, records the RSS.
finish_ingest() {
	local name=$1 tpid=$2 deadline=$((SECONDS + ${3:-600}))
	while kill -0 "$tpid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
	if kill -0 "$tpid" 2>/dev/null; then
		log "HANG: ingest $name still running after ${3:-600} s; SIGKILL"
		kill -9 "$(child "$tpid")" 2>/dev/null
		echo "HANG" >>"$W/logs/$name.log"
	fi
	wait "$tpid"
	RC=$?
	RSS=$(grep -E '^[0-9]+$' "$W/logs/$name.rss" | tail -1)
	RSS=${RSS:-0}
	echo "$name $RC $RSS" >>"$W/rss.txt"
}
# two_ingesters NAME GROUP DIR_A DIR_B: ingest NAME-a into DIR_A and NAME-b into DIR_B,
# started together in one consumer group, --until-idle 8s; sets rca rssa rcb rssb.
two_ingesters() {
	local ta tb
	start_ingest "$1-a" --brokers "127.0.0.1:$PORT" --dir "$3" --group "$2" --until-idle 8s
	ta=$TPID
	start_ingest "$1-b" --brokers "127.0.0.1:$PORT" --dir "$4" --group "$2" --until-idle 8s
	tb=$TPID
	finish_ingest "$1-a" "$ta"
	rca=$RC rssa=$RSS
	finish_ingest "$1-b" "$tb"
	rcb=$RC rssb=$RSS
}

markers() { find "$1/lake/_commits" -name '*.json' 2>/dev/null | wc -l; }
# wait_markers DIR N SECONDS TPID: until DIR has N commit markers, the ingest ended, or
# the time is up (returns 1).
wait_markers() {
	local deadline=$((SECONDS + $3))
	while (($(markers "$1") < $2)); do
		kill -0 "$4" 2>/dev/null || return 2
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# --- checks ----------------------------------------------------------------------
# The scratch folder is outside the data folder $W/q, so the sandbox must be told it may
# read it (--allow-read), as a user would.
q() { "$BIN" sql --dir "$W/q" --allow-read "$W" --format csv "$1" | tail -n +2; }

# ranges NAME PORT: the topic's partitions "P START END" into $W/NAME.ranges.
ranges() { "$KT" ranges "127.0.0.1:$2" "$TOPIC" >"$W/$1.ranges"; }

# check_lake DIR RANGES: sets TOPIC_N (messages in the topic), LAKE_N (lake rows),
# LAKE_OK (1 when every offset of the topic is in the lake once and nothing else),
# LAKE_NOTE (what is wrong).
check_lake() {
	local dir=$1 rf=$2 counts dups orphans tables=() all=() t g
	TOPIC_N=$(awk '$1 != "id" {s += $3 - $2} END {print s + 0}' "$rf")
	# The lake's tables that hold one row per message: the event tables and quarantine
	# (not quarantine_replays, whose rows are also in an event table).
	for t in envelopes grabs card_bindings withdrawals payments links quarantine; do
		compgen -G "$dir/lake/$t/*.parquet" >/dev/null && all+=("'$dir/lake/$t/*.parquet'")
	done
	if ((${#all[@]} > 0)); then
		g=$(IFS=,; echo "${all[*]}")
		counts=$(q "SELECT kafka_partition, count(*), count(DISTINCT kafka_offset), min(kafka_offset), max(kafka_offset)
			FROM read_parquet([$g], union_by_name = true) GROUP BY ALL ORDER BY 1")
	else
		counts=""
	fi
	echo "$counts" >"$dir.lakecounts"
	read -r LAKE_N LAKE_OK LAKE_NOTE < <(awk -F'[ ,]' '
		NR == FNR { if ($1 != "id") { s[$1] = $2; e[$1] = $3 } next }
		$0 != "" { n[$1] = $2; d[$1] = $3; lo[$1] = $4; hi[$1] = $5; tot += $2 }
		END {
			ok = 1; note = ""
			for (p in e) {
				if (e[p] == s[p] && !(p in n)) continue
				if (!(p in n)) { ok = 0; note = note sprintf("p%s:none-of-%d..%d;", p, s[p], e[p]-1); continue }
				if (n[p] != d[p] || lo[p] != s[p] || hi[p] != e[p]-1 || n[p] != e[p]-s[p]) {
					ok = 0; note = note sprintf("p%s:%d-rows/%d-distinct/%d..%d-of-%d..%d;", p, n[p], d[p], lo[p], hi[p], s[p], e[p]-1)
				}
			}
			for (p in n) if (!(p in e)) { ok = 0; note = note sprintf("p%s:not-in-topic;", p) }
			print tot + 0, ok, (note == "" ? "-" : note)
		}' "$rf" <(echo "$counts"))
	# No event_id twice, no claim on an envelope that is not in the lake.
	for t in envelopes grabs card_bindings withdrawals payments links; do
		compgen -G "$dir/lake/$t/*.parquet" >/dev/null && tables+=("'$dir/lake/$t/*.parquet'")
	done
	if ((${#tables[@]} > 0)); then
		g=$(IFS=,; echo "${tables[*]}")
		dups=$(q "SELECT count(*) - count(DISTINCT event_id) FROM read_parquet([$g], union_by_name = true)")
		if [[ "$dups" != 0 ]]; then LAKE_OK=0; LAKE_NOTE+=" event_id-twice:$dups"; fi
	fi
	if compgen -G "$dir/lake/grabs/*.parquet" >/dev/null && compgen -G "$dir/lake/envelopes/*.parquet" >/dev/null; then
		orphans=$(q "SELECT count(*) FROM read_parquet('$dir/lake/grabs/*.parquet') g
			ANTI JOIN read_parquet('$dir/lake/envelopes/*.parquet') e USING (envelope_id)")
		if [[ "$orphans" != 0 ]]; then LAKE_OK=0; LAKE_NOTE+=" orphan-grabs:$orphans"; fi
	fi
	t=$(find "$dir/lake" -name '.*.tmp' 2>/dev/null | wc -l)
	if ((t > 0)); then LAKE_NOTE+=" tmp-files-left:$t"; fi
}

# result SITUATION EXITS PASS|FAIL RSS NOTE...: one line of the table.
result() {
	local line
	line=$(printf '%-34s | %-22s | topic %9s / lake %9s %-6s | %8s KiB | %s' "$1" "$2" "$TOPIC_N" "$LAKE_N" \
		"${LAKE_WORD:-$([[ $LAKE_OK == 1 ]] && echo once || echo WRONG)}" "$4" "$3")
	[[ -n ${5:-} ]] && line+="  ($5)"
	echo "$line" | tee -a "$RESULTS"
}
maxrss() { printf '%s\n' "$@" | sort -n | tail -1; }

# --- build and the topic ---------------------------------------------------------
cd "$W" || exit 1
log "scratch $W, scale $SCALE, $(nproc) cores"
log "build"
(cd "$ROOT" && go build -o "$BIN" ./cmd/hongbao && go build -o "$KT" scripts/kafkatool.go) || { log "build failed"; exit 1; }
mkdir -p "$W/q/lake" # an empty lake: this warehouse only runs queries over the files named
"$BIN" transform --dir "$W/q" >/dev/null 2>&1 || { log "cannot make the query warehouse $W/q"; exit 1; }

# The topic is produced once, into a broker that is then stopped; each situation
# gets a copy of its --data (the same topic, id and offsets, no consumer groups).
log "produce the topic (scale $SCALE)"
GPORT=$(free_port)
start_broker golden "$GPORT" "$W/golden/broker" || exit 1
"$BIN" simulate --brokers "127.0.0.1:$GPORT" --scale "$SCALE" --dir "$W/golden" >"$W/logs/simulate.log" 2>&1 ||
	{ log "simulate failed: $(tail -3 "$W/logs/simulate.log")"; exit 1; }
PRODUCED=$(awk '$1 == "total" {print $2}' "$W/logs/simulate.log")
ranges golden "$GPORT" || exit 1
stop_broker "$BPID"
log "produced $PRODUCED messages; topic: $(tr '\n' ' ' <"$W/golden.ranges")"

# situation_broker N: a copy of the topic, a broker on a new port; sets PORT, BPID.
situation_broker() {
	rm -rf "$W/s$1/broker"
	mkdir -p "$W/s$1"
	cp -a "$W/golden/broker" "$W/s$1/broker"
	PORT=$(free_port)
	start_broker "s$1-broker" "$PORT" "$W/s$1/broker" || return 1
	ranges "s$1-start" "$PORT"
	if ! diff -q <(grep -v '^id' "$W/golden.ranges") <(grep -v '^id' "$W/s$1-start.ranges") >/dev/null; then
		log "situation $1: the copied topic differs from the produced one"
	fi
}

# --- 1. SIGKILL loop ---------------------------------------------------------------
if want 1; then
	log "1: ingest SIGKILLed 10 times, then --until-idle 5s"
	situation_broker 1 || exit 1
	D=$W/s1/lake-dir
	rss=()
	kills=0
	notes=""
	for k in 3 1 4 1 5 9 2 6 5 3; do
		before=$(markers "$D")
		start_ingest "s1-kill$kills" --brokers "127.0.0.1:$PORT" --dir "$D" --group acc1 --flush-rows 20000
		wait_markers "$D" $((before + k)) 60 "$TPID"
		w=$?
		if ((w == 2)); then notes+="kill$kills:ingest-ended-by-itself "; fi
		kill -9 "$(child "$TPID")" 2>/dev/null
		finish_ingest "s1-kill$kills" "$TPID"
		rss+=("$RSS")
		got=$(($(markers "$D") - before))
		log "  kill $kills after $got new markers (wanted $k), rss $RSS KiB"
		kills=$((kills + 1))
		if ((w == 1)); then
			# No k markers in 60 s: at a small scale the lake may hold the whole topic.
			notes+="kill$kills:$got-of-$k-markers-in-60s "
			((got == 0)) && { notes+="(stopped killing: no new marker) "; break; }
		fi
	done
	start_ingest s1-final --brokers "127.0.0.1:$PORT" --dir "$D" --group acc1 --flush-rows 20000 --until-idle 5s
	finish_ingest s1-final "$TPID"
	rc=$RC
	rss+=("$RSS")
	ranges s1 "$PORT"
	check_lake "$D" "$W/s1.ranges"
	log "  final ingest exit $rc: $(grep -E 'messages read|ingest:|drained|lacks|error|Error' "$W/logs/s1-final.log" | tail -3 | tr '\n' ' ')"
	verdict=FAIL
	[[ $rc == 0 && $LAKE_OK == 1 ]] && verdict=PASS
	[[ $rc == 0 && $LAKE_OK != 1 ]] && notes+="EXIT-0-NOT-DRAINED "
	result "1 SIGKILL loop (10 kills)" "kills 137x$kills, final $rc" $verdict "$(maxrss "${rss[@]}")" "${notes}${LAKE_NOTE}"
	stop_broker "$BPID"
fi

# --- 2. broker SIGKILL loop ----------------------------------------------------------
if want 2; then
	log "2: broker kill -9'd and restarted 3 times under ingest --until-idle 20s"
	situation_broker 2 || exit 1
	D=$W/s2/lake-dir
	notes=""
	start_ingest s2 --brokers "127.0.0.1:$PORT" --dir "$D" --group acc2 --until-idle 20s
	restarts=0
	for k in 1 1 1; do # kill after each next commit marker: a faster ingest must still meet all three kills mid-stream
		m=$(($(markers "$D") + k))
		wait_markers "$D" "$m" 180 "$TPID"
		w=$?
		if ((w == 2)); then notes+="ingest-ended-before-kill$((restarts + 1)) "; break; fi
		if ((w == 1)); then notes+="no-$m-markers-in-180s "; fi
		kill_broker "$BPID"
		sleep 2 # the broker stays down for 2 s
		start_broker "s2-broker" "$PORT" "$W/s2/broker" || { notes+="broker-restart-failed "; break; }
		restarts=$((restarts + 1))
		log "  broker killed at $(markers "$D") markers and restarted ($restarts)"
	done
	finish_ingest s2 "$TPID"
	rc=$RC
	ranges s2 "$PORT"
	if ! diff -q <(grep -v '^id' "$W/golden.ranges") <(grep -v '^id' "$W/s2.ranges") >/dev/null; then
		notes+="broker-lost-acknowledged-messages($(grep -v '^id' "$W/s2.ranges" | tr '\n' ' ')) "
	fi
	check_lake "$D" "$W/s2.ranges"
	log "  ingest exit $rc: $(grep -E 'messages read|drained|lacks|stall|error' "$W/logs/s2.log" | tail -3 | tr '\n' ' ')"
	verdict=FAIL
	[[ $rc == 0 && $LAKE_OK == 1 && $restarts == 3 ]] && verdict=PASS
	[[ $rc == 0 && $LAKE_OK != 1 ]] && notes+="EXIT-0-NOT-DRAINED "
	result "2 broker SIGKILL loop ($restarts restarts)" "$rc" $verdict "$RSS" "${notes}${LAKE_NOTE}"
	stop_broker "$BPID"
fi

# --- 3. two ingesters, one group, one lake; then hostile messages -----------------------
if want 3; then
	log "3: two ingest --until-idle 8s, one group, one lake"
	situation_broker 3 || exit 1
	S3PORT=$PORT
	D=$W/s3/lake-dir
	notes=""
	two_ingesters s3 acc3 "$D" "$D"
	ranges s3 "$PORT"
	check_lake "$D" "$W/s3.ranges"
	if grep -qi 'in use' "$W/logs/s3-a.log" "$W/logs/s3-b.log"; then notes+="warehouse-in-use-message "; fi
	# The warehouse holds every message once (event tables and quarantine).
	wh=$("$BIN" sql --dir "$D" --format csv "SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset)) FROM (
		SELECT kafka_partition, kafka_offset FROM envelopes UNION ALL SELECT kafka_partition, kafka_offset FROM grabs
		UNION ALL SELECT kafka_partition, kafka_offset FROM card_bindings UNION ALL SELECT kafka_partition, kafka_offset FROM withdrawals
		UNION ALL SELECT kafka_partition, kafka_offset FROM payments UNION ALL SELECT kafka_partition, kafka_offset FROM links
		UNION ALL SELECT kafka_partition, kafka_offset FROM quarantine)" 2>&1 | tail -1)
	wh_ok=0
	[[ $wh == "$TOPIC_N,$TOPIC_N" ]] && wh_ok=1 || notes+="warehouse:$wh-want-$TOPIC_N "
	for n in a b; do log "  ingest $n: $(grep -E 'messages read|warehouse|lacks|error' "$W/logs/s3-$n.log" | tail -3 | tr '\n' ' ')"; done
	verdict=FAIL
	[[ $rca == 0 && $rcb == 0 && $LAKE_OK == 1 && $wh_ok == 1 ]] && verdict=PASS
	result "3 two ingesters, one lake" "$rca, $rcb" $verdict "$(maxrss "$rssa" "$rssb")" "warehouse ${wh/,/ rows, } distinct; ${notes}${LAKE_NOTE}"

	# Hostile messages produced by another client, then the same lake ingested again.
	log "3b: hostile messages (kcat or kafkatool), ingest --until-idle 5s into the same lake"
	notes=""
	hostile=$W/s3/hostile.txt
	{
		printf 'acc-env-h1\t{"event_id":"acc-h1","type":"envelope_sent","ts":"2014-01-30T23:59:58+08:00","envelope_id":"acc-env-h1","sender_id":"u\xff\xfe","chat_id":"g9","kind":"lucky","total_fen":1070,"shares":3}\n'
		printf 'u3\t{"event_id":"acc-h2","type":"payment","ts":"2014-01-31T02:00:00+08:00","user_id":"u3","provi\n'
		printf 'acc-never-sent\t{"event_id":"acc-h3","type":"envelope_grabbed","ts":"2014-01-31T00:00:01+08:00","envelope_id":"acc-never-sent","user_id":"u1","outcome":"claimed","amount_fen":500}\n'
	} >"$hostile"
	before=$(awk '$1 != "id" {s += $3} END {print s}' "$W/s3.ranges")
	if command -v kcat >/dev/null; then
		producer=kcat
		kcat -P -b "127.0.0.1:$PORT" -t "$TOPIC" -K $'\t' <"$hostile" >"$W/logs/s3-kcat.log" 2>&1 || notes+="kcat-failed "
	else
		producer=kafkatool
		"$KT" produce "127.0.0.1:$PORT" "$TOPIC" <"$hostile" >"$W/logs/s3-kcat.log" 2>&1 || notes+="kafkatool-failed "
	fi
	ranges s3b "$PORT"
	after=$(awk '$1 != "id" {s += $3} END {print s}' "$W/s3b.ranges")
	((after - before == 3)) || notes+="topic-grew-by-$((after - before))-not-3 "
	start_ingest s3-hostile --brokers "127.0.0.1:$PORT" --dir "$D" --group acc3 --until-idle 5s
	finish_ingest s3-hostile "$TPID"
	rc=$RC
	check_lake "$D" "$W/s3b.ranges"
	reasons=$("$BIN" sql --dir "$D" --format csv "SELECT string_agg(reason, ' ' ORDER BY reason) FROM quarantine
		WHERE contains(hex(raw), hex('acc-h'))" 2>&1 | tail -1)
	"$BIN" quarantine list --dir "$D" >"$W/logs/s3-quarantine-list.log" 2>&1
	verdict=FAIL
	[[ $rc == 0 && $LAKE_OK == 1 && $reasons == "invalid_utf8 not_json unknown_envelope" ]] && verdict=PASS
	result "3b hostile lines via $producer" "$rc" $verdict "$RSS" "quarantined: $reasons; ${notes}${LAKE_NOTE}"
	stop_broker "$BPID"
fi

# --- 4. two ingesters, one group, two lakes ------------------------------------------
if want 4; then
	log "4: two ingest --until-idle 8s, one group, two lakes"
	situation_broker 4 || exit 1
	notes=""
	two_ingesters s4 acc4 "$W/s4/lake-a" "$W/s4/lake-b"
	ranges s4 "$PORT"
	verdict=PASS
	nonzero=0
	tn=0 ln=""
	for n in a b; do
		rc=$([[ $n == a ]] && echo "$rca" || echo "$rcb")
		check_lake "$W/s4/lake-$n" "$W/s4.ranges"
		ln+="${ln:+ + }$LAKE_N"
		said=$(grep -iE 'lacks|partition' "$W/logs/s4-$n.log" | tail -1)
		log "  ingest $n exit $rc, lake $LAKE_N of $TOPIC_N: ${said:-$(tail -1 "$W/logs/s4-$n.log")}"
		if [[ $rc == 0 ]]; then
			[[ $LAKE_OK == 1 ]] || { verdict=FAIL; notes+="$n:EXIT-0-WITH-PART-OF-THE-TOPIC($LAKE_NOTE) "; }
		else
			nonzero=$((nonzero + 1))
			grep -q 'lacks partition' "$W/logs/s4-$n.log" || { verdict=FAIL; notes+="$n:exit-$rc-without-naming-partitions "; }
			notes+="$n: lacks $(grep 'lacks partition' "$W/logs/s4-$n.log" | grep -oE 'partition [0-9]+ \(landed up to offset -?[0-9]+' |
				sed 's/ (landed up to offset /@/' | paste -sd, -) "
		fi
	done
	# Both exit 0 only if both lakes hold the whole topic (one drained it alone and left,
	# then the other got every partition): true, so not a failure, but said.
	((nonzero >= 1)) || notes+="both exited 0, each lake holding the whole topic "
	LAKE_N=$ln
	LAKE_OK=1 # each lake's own check is in the verdict above
	result "4 two ingesters, two lakes" "$rca, $rcb" $verdict "$(maxrss "$rssa" "$rssb")" "$notes"
	stop_broker "$BPID"
fi

# --- 5. the broker lost its data -------------------------------------------------------
if want 5; then
	log "5: new broker, empty --data, same port, topic produced again shorter; ingest into situation 3's lake"
	D=$W/s3/lake-dir
	PORT=${S3PORT:-}
	notes=""
	if [[ -z $PORT || ! -d $D/lake ]]; then
		TOPIC_N=0 LAKE_N=0 LAKE_OK=0
		result "5 broker lost its data" "-" FAIL 0 "needs situation 3 (ONLY must include 3)"
	else
		listing() { (cd "$D/lake" && find . -type f ! -name .lock -printf '%s %p\n' | sort -k2 && find . -type f ! -name .lock -print0 | sort -z | xargs -0 sha256sum); }
		listing >"$W/s5-before.txt"
		small=$(awk -v s="$SCALE" 'BEGIN {print s / 4}')
		start_broker s5-broker "$PORT" "$W/s5/broker-new" || exit 1
		"$BIN" simulate --brokers "127.0.0.1:$PORT" --scale "$small" --dir "$W/s5" >"$W/logs/s5-simulate.log" 2>&1 || notes+="simulate-failed "
		ranges s5 "$PORT"
		start_ingest s5 --brokers "127.0.0.1:$PORT" --dir "$D" --group acc3 --until-idle 5s
		finish_ingest s5 "$TPID"
		rc=$RC
		listing >"$W/s5-after.txt"
		said=$(grep -v '^$' "$W/logs/s5.log" | tail -2 | tr '\n' ' ')
		log "  ingest exit $rc: $said"
		unchanged=0
		cmp -s "$W/s5-before.txt" "$W/s5-after.txt" && unchanged=1 || notes+="LAKE-CHANGED(diff $W/s5-before.txt $W/s5-after.txt) "
		TOPIC_N=$(awk '$1 != "id" {s += $3 - $2} END {print s + 0}' "$W/s5.ranges")
		LAKE_N=$(awk '$1 != "id" {s += $3 - $2} END {print s + 0}' "$W/s3b.ranges" 2>/dev/null)
		LAKE_OK=$unchanged
		verdict=FAIL
		if [[ $rc != 0 && $unchanged == 1 ]] && grep -q 'another --dir' "$W/logs/s5.log" && grep -qi 'partition' "$W/logs/s5.log"; then
			verdict=PASS
		fi
		LAKE_WORD=$( ((unchanged)) && echo same || echo CHANGED)
		result "5 broker lost its data" "$rc" $verdict "$RSS" "lake $( ((unchanged)) && echo unchanged || echo CHANGED), $(wc -l <"$W/s5-before.txt") lines of listing; ${notes}"
		LAKE_WORD=""
		echo "    said: $said" | tee -a "$RESULTS"
		stop_broker "$BPID"
	fi
fi

# --- 6. hostile input: the repository's test ----------------------------------------------
if want 6; then
	log "6: HONGBAO_TORTURE=1 go test -run TestHostileInput -v ./ingest/"
	(cd "$ROOT" && HONGBAO_TORTURE=1 go test -count=1 -timeout 20m -run 'TestHostileInput$' -v ./ingest/) >"$W/logs/s6-gotest.log" 2>&1
	rc=$?
	TOPIC_N="-" LAKE_N="-" LAKE_WORD="-"
	verdict=FAIL
	[[ $rc == 0 ]] && grep -q '^--- PASS: TestHostileInput' "$W/logs/s6-gotest.log" && verdict=PASS
	result "6 hostile input (go test, 20,000)" "$rc" $verdict "-" "see below"
	LAKE_WORD=""
	grep -vE '^\s*$' "$W/logs/s6-gotest.log" | tail -8 | sed 's/^/    /' | tee -a "$RESULTS"
fi

# --- peak RSS of every ingest ----------------------------------------------------------
over=$(awk -v l=$LIMIT_KIB '$3 > l' "$W/rss.txt" 2>/dev/null)
peak=$(sort -k3 -n "$W/rss.txt" 2>/dev/null | tail -1)
echo "peak RSS of $(wc -l <"$W/rss.txt") ingests: max $peak KiB (limit $LIMIT_KIB KiB): $([[ -z $over ]] && echo PASS || echo "FAIL: $over")" | tee -a "$RESULTS"
echo "wall time $(($(date +%s) - START)) s, scale $SCALE, $PRODUCED messages produced, $(nproc) cores, scratch $W" | tee -a "$RESULTS"
if grep -q '| FAIL' "$RESULTS" || [[ -n $over ]]; then exit 1; fi
exit 0
