#!/usr/bin/env bash
# Torture the ingest over the real Kafka protocol, longer than 'go test ./...' does:
# 20 SIGKILLs of the ingester, 10 SIGKILLs of the broker (in its own process) under a
# draining ingester, two ingesters in one group on one lake and on two lakes, a
# broker that lost its data, and hostile input. Each test checks against the topic
# itself that every offset is in the lake once (an event table or quarantine) and that
# the exit status told the truth.
#
#   scripts/torture.sh            # all of them (about 5 minutes on 2 cores)
#   scripts/torture.sh -run Kill  # a subset (a go test -run pattern)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
run='Torture|UntilIdleAfterKilled|BrokerKilledUnder|TwoIngesters|BrokerLostData|Hostile'
if [[ "${1:-}" == "-run" ]]; then run="$2"; fi
HONGBAO_TORTURE=1 go test -count=1 -timeout 60m -run "$run" -v ./ingest/ 2>&1 |
	grep -E '^(=== RUN|--- |    |PASS|FAIL|ok)' 
