package quarantine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/duckenv"
	"github.com/hongbao/hongbao/internal/sqlrows"
)

// ReplayOptions choose what Replay does.
type ReplayOptions struct {
	// Reason replays only the messages quarantined for this reason; empty for all.
	Reason events.Reason
	// DryRun decides what would land and what would stay, and lands nothing.
	DryRun bool
	// BatchRows bounds the messages of one replay commit; 0 means 100,000.
	BatchRows int

	// afterCommit, if set, runs after each replay commit; an error stops the replay
	// there, as a crash would (tests only).
	afterCommit func(*lake.ReplayCommit) error
}

// TableCount is what a replay landed in one event table.
type TableCount struct {
	Rows   int64 `json:"rows"`
	SumFen int64 `json:"sum_fen"` // the table's money column (total_fen or amount_fen); 0 for tables without
}

// ReplayReport says what a replay did, or with DryRun would do.
type ReplayReport struct {
	DryRun bool `json:"dry_run"`
	// Considered is the number of quarantined messages not replayed before (with the
	// reason asked for, if any).
	Considered int64 `json:"considered"`
	// Landed counts the messages landed by the reason they had been quarantined for, and
	// Tables by the table they landed in.
	Landed map[events.Reason]int64 `json:"landed"`
	Tables map[string]TableCount   `json:"tables"`
	// Stays counts the messages left in quarantine, by the reason they fail today's
	// rules for (which may differ from the one they were quarantined for).
	Stays map[events.Reason]int64 `json:"stays"`
	// Commits are the replay commits made, in order.
	Commits []lake.ReplayCommit `json:"commits"`
}

// LandedTotal is the number of messages landed.
func (r *ReplayReport) LandedTotal() int64 { return sum(r.Landed) }

// StaysTotal is the number of messages left in quarantine.
func (r *ReplayReport) StaysTotal() int64 { return sum(r.Stays) }

func sum(m map[events.Reason]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// Replay re-validates the quarantined messages of the lake in dir that no replay landed
// yet, with today's rules, and lands those that pass in their event tables, keeping
// their Kafka partition and offset. The rules are events.Decode with the default
// validator, then, against the lake and the messages this replay lands before: the
// event_id has not landed (else duplicate_event_id); an envelope_sent's envelope_id has
// not landed (duplicate_envelope); a grab names an envelope that has (unknown_envelope)
// and a claim overdraws neither its shares nor its total (claims_exceed_shares,
// claims_exceed_total), counting the claims already landed.
//
// Replay runs in a lake maintenance session, so it fails while an ingester holds a
// partition, and lands through replay commits: each message lands once, and the
// replay log it writes (lake.ReplaysTable) keeps the next replay from landing it again,
// whatever point a crash stops it at. A second replay changes nothing.
func Replay(ctx context.Context, dir string, opts ReplayOptions) (*ReplayReport, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = 100_000
	}
	m, err := beginMaintenance(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	ldb, err := openLakeDB(ctx, dir) // after the session settled any interrupted commit
	if err != nil {
		return nil, err
	}
	defer ldb.Close()
	rp := &replayer{ldb: ldb, v: events.DefaultValidator(), rep: &ReplayReport{DryRun: opts.DryRun,
		Landed: map[events.Reason]int64{}, Tables: map[string]TableCount{}, Stays: map[events.Reason]int64{}}}
	if err := rp.run(ctx, m, opts); err != nil {
		var ue error
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, lake.ErrLocked) {
			ue = ldb.explain(ctx, err)
		}
		if ue != nil && errors.Is(ue, ErrUnreadable) {
			return rp.rep, ue
		}
		return rp.rep, duckenv.WithMemoryHint(err, ldb.limit)
	}
	return rp.rep, nil
}

type replayer struct {
	ldb *lakeDB
	v   *events.Validator
	rep *ReplayReport
}

func (rp *replayer) run(ctx context.Context, m *lake.Maintenance, opts ReplayOptions) error {
	db := rp.ldb.db
	if _, err := db.ExecContext(ctx, `CREATE TABLE cand (
		ord BIGINT, topic VARCHAR, part BIGINT, off BIGINT, orig_reason VARCHAR, raw BLOB,
		type VARCHAR, event_id VARCHAR, ts TIMESTAMPTZ, envelope_id VARCHAR, outcome VARCHAR,
		amount_fen BIGINT, shares BIGINT, total_fen BIGINT, verdict VARCHAR, detail VARCHAR)`); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if err := rp.decode(ctx, opts.Reason); err != nil {
		return err
	}
	if err := rp.checkLake(ctx); err != nil {
		return err
	}
	if err := rp.checkClaims(ctx); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT verdict, count(*) FROM cand WHERE verdict IS NOT NULL GROUP BY verdict`)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	for rows.Next() {
		var r events.Reason
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			rows.Close()
			return err
		}
		rp.rep.Stays[r] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return rp.land(ctx, m, opts)
}

// withAppender streams the rows of query on one connection while fn appends to table
// through another: DuckDB's appender is far quicker than INSERTs, and the first
// connection's result stays open meanwhile.
func (rp *replayer) withAppender(ctx context.Context, table, query string, args []any,
	fn func(rows *sql.Rows, app *duckdb.Appender) error) error {
	conn, err := rp.ldb.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		rows, err := rp.ldb.db.QueryContext(ctx, query, args...)
		if err != nil {
			app.Close()
			return err
		}
		err = fn(rows, app)
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if cerr := app.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// readBytes bounds the bytes of quarantined messages one query reads, about 16 MiB (and
// one message, at most events.MaxMessageBytes): the driver holds a query's whole result.
// Read in one query, 20,000 messages of 60 KB (a flood of bad ones) needed 4.9 GB and
// failed at the default 1 GB cap; see docs/BENCHMARKS.md. Tests lower it.
var readBytes int64 = 16 << 20

// span is a run of the quarantined messages of one partition, offsets first to last,
// that one query reads: about readBytes of them.
type span struct {
	topic       string
	part        int64
	first, last int64
	n           int64 // messages
}

// spans reads the spans query lists, as topic, partition, first and last offset, and
// number of messages.
func spans(ctx context.Context, db sqlrows.Queryer, query string, args []any) ([]span, error) {
	var out []span
	err := sqlrows.Each(ctx, db, query, args, func(rows *sql.Rows) error {
		var s span
		if err := rows.Scan(&s.topic, &s.part, &s.first, &s.last, &s.n); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// decode reads the messages not yet replayed and decodes each with today's codec: one
// that fails stays, counted by its reason; one that passes becomes a candidate. It first
// lists the messages without their bytes, one row each (the first quarantined, should a
// message have been quarantined twice), in chunks of readBytes within each partition,
// then reads their bytes a chunk at a time in Kafka order.
func (rp *replayer) decode(ctx context.Context, reason events.Reason) error {
	db := rp.ldb.db
	if _, err := db.ExecContext(ctx, `CREATE TABLE qkeys AS
		SELECT topic, part, off, first_at,
			sum(size) OVER (PARTITION BY topic, part ORDER BY off ROWS UNBOUNDED PRECEDING) // ? AS chunk
		FROM (SELECT q.kafka_topic AS topic, q.kafka_partition AS part, q.kafka_offset AS off,
				min(q.ingested_at) AS first_at, max(octet_length(q.raw)) + 64 AS size
			FROM quarantine q
			WHERE (? = '' OR q.reason = ?) AND NOT EXISTS (SELECT 1 FROM quarantine_replays r
				WHERE r.kafka_topic = q.kafka_topic AND r.kafka_partition = q.kafka_partition AND r.kafka_offset = q.kafka_offset)
			GROUP BY ALL)`, readBytes, string(reason), string(reason)); err != nil {
		return fmt.Errorf("replay: list the quarantine: %w", err)
	}
	chunks, err := spans(ctx, db, `SELECT topic, part, min(off), max(off), count(*) FROM qkeys
		GROUP BY topic, part, chunk ORDER BY topic, part, min(off)`, nil)
	if err != nil {
		return fmt.Errorf("replay: list the quarantine: %w", err)
	}

	var ord int64
	for _, c := range chunks {
		// The offsets bound the scan to the files and row groups that hold the chunk; a
		// tie of two quarantine rows of one offset at one instant keeps one.
		err := rp.withAppender(ctx, "cand", `
			SELECT q.kafka_topic, q.kafka_partition, q.kafka_offset, q.reason, q.raw
			FROM quarantine q SEMI JOIN qkeys k
				ON k.topic = q.kafka_topic AND k.part = q.kafka_partition AND k.off = q.kafka_offset
				AND k.first_at = q.ingested_at
			WHERE q.kafka_topic = ? AND q.kafka_partition = ? AND q.kafka_offset BETWEEN ? AND ?
				AND (? = '' OR q.reason = ?)
			QUALIFY row_number() OVER (PARTITION BY q.kafka_offset ORDER BY q.reason) = 1
			ORDER BY q.kafka_offset`, []any{c.topic, c.part, c.first, c.last, string(reason), string(reason)},
			func(rows *sql.Rows, app *duckdb.Appender) error {
				for rows.Next() {
					var topic, orig string
					var part, off int64
					var raw []byte
					if err := rows.Scan(&topic, &part, &off, &orig, &raw); err != nil {
						return err
					}
					rp.rep.Considered++
					e, err := rp.decodeOne(raw)
					if err != nil {
						var rej *events.RejectError
						if !errors.As(err, &rej) {
							return err
						}
						rp.rep.Stays[rej.Reason]++
						continue
					}
					ord++
					var env, outcome, amount, shares, total any
					if e.EnvelopeID != "" {
						env = e.EnvelopeID
					}
					switch e.Type {
					case events.EnvelopeSent:
						shares, total = int64(e.Shares), e.TotalFen
					case events.EnvelopeGrabbed:
						outcome, amount = e.Outcome, e.AmountFen
					}
					if err := app.AppendRow(ord, topic, part, off, orig, raw, string(e.Type), e.EventID, e.TS,
						env, outcome, amount, shares, total, nil, nil); err != nil {
						return err
					}
				}
				return nil
			})
		if err != nil {
			return fmt.Errorf("replay: read the quarantine: %w", err)
		}
	}
	return nil
}

// decodeOne is events.Decode, and a check that every string is UTF-8, whichever
// version of the codec is linked: a string that is not would make the lake file it
// lands in unreadable, which is how the quarantine got these rows in the first place.
func (rp *replayer) decodeOne(raw []byte) (events.Event, error) {
	e, err := events.Decode(raw, rp.v)
	if err != nil {
		return e, err
	}
	for _, f := range []struct{ name, v string }{
		{"event_id", e.EventID}, {"envelope_id", e.EnvelopeID}, {"sender_id", e.SenderID},
		{"chat_id", e.ChatID}, {"kind", e.Kind}, {"user_id", e.UserID}, {"outcome", e.Outcome},
		{"provider", e.Provider}, {"bank_code", e.BankCode}, {"scenario", e.Scenario}, {"url", e.URL},
	} {
		if !utf8.ValidString(f.v) {
			return events.Event{}, &events.RejectError{Reason: events.ReasonInvalidUTF8,
				Detail: fmt.Sprintf("field %s is not valid UTF-8", f.name)}
		}
	}
	return e, nil
}

// checkLake marks the candidates that repeat an event or an envelope: already in the
// lake, or earlier among the candidates (the first in Kafka order lands).
func (rp *replayer) checkLake(ctx context.Context) error {
	var union []string
	for _, t := range events.Types {
		union = append(union, fmt.Sprintf(
			"SELECT event_id, '%s' AS tbl, kafka_partition, kafka_offset FROM %s WHERE event_id IN (SELECT event_id FROM cand)",
			t.Table(), ident(t.Table())))
	}
	stmts := []string{
		`CREATE TABLE lake_ids AS SELECT event_id,
			arg_min(tbl || ' at partition ' || kafka_partition || ' offset ' || kafka_offset, kafka_offset) AS place
		FROM (` + joinUnion(union) + `) GROUP BY event_id`,
		`UPDATE cand SET verdict = 'duplicate_event_id',
			detail = 'event_id ' || cand.event_id || ' already landed in ' || l.place
		FROM lake_ids l WHERE cand.event_id = l.event_id`,
		`UPDATE cand SET verdict = 'duplicate_event_id',
			detail = 'event_id ' || cand.event_id || ' is also in quarantine at partition ' || f.part || ' offset ' || f.off || ', which lands instead'
		FROM (SELECT event_id, min(ord) AS first, arg_min(part, ord) AS part, arg_min(off, ord) AS off
			FROM cand WHERE verdict IS NULL GROUP BY event_id HAVING count(*) > 1) f
		WHERE cand.event_id = f.event_id AND cand.ord > f.first AND cand.verdict IS NULL`,
		`CREATE TABLE lake_envs AS SELECT envelope_id,
			arg_max(shares, kafka_offset) AS shares, arg_max(total_fen, kafka_offset) AS total_fen,
			arg_min('event ' || event_id || ' at partition ' || kafka_partition || ' offset ' || kafka_offset, kafka_offset) AS place
		FROM envelopes WHERE envelope_id IN (SELECT envelope_id FROM cand WHERE envelope_id IS NOT NULL)
		GROUP BY envelope_id`,
		`UPDATE cand SET verdict = 'duplicate_envelope',
			detail = 'envelope ' || cand.envelope_id || ' was already sent: ' || e.place
		FROM lake_envs e
		WHERE cand.type = 'envelope_sent' AND cand.verdict IS NULL AND cand.envelope_id = e.envelope_id`,
		`UPDATE cand SET verdict = 'duplicate_envelope',
			detail = 'envelope ' || cand.envelope_id || ' is also sent by the quarantined message at partition ' || f.part || ' offset ' || f.off || ', which lands instead'
		FROM (SELECT envelope_id, min(ord) AS first, arg_min(part, ord) AS part, arg_min(off, ord) AS off
			FROM cand WHERE type = 'envelope_sent' AND verdict IS NULL GROUP BY envelope_id HAVING count(*) > 1) f
		WHERE cand.type = 'envelope_sent' AND cand.envelope_id = f.envelope_id AND cand.ord > f.first AND cand.verdict IS NULL`,
	}
	for _, q := range stmts {
		if _, err := rp.ldb.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replay: check against the lake: %w", err)
		}
	}
	return nil
}

func joinUnion(parts []string) string {
	s := parts[0]
	for _, p := range parts[1:] {
		s += " UNION ALL " + p
	}
	return s
}

// checkClaims goes through the candidate grabs envelope by envelope, in time order, as
// the ingester's Tracker does: a grab must name an envelope in the lake or landing now,
// and a claim must fit in what the envelope has left, after the claims already landed
// and the candidate claims before it.
func (rp *replayer) checkClaims(ctx context.Context) error {
	db := rp.ldb.db
	for _, q := range []string{
		`CREATE TABLE verdicts (ord BIGINT, verdict VARCHAR, detail VARCHAR)`,
		`CREATE TABLE known_envs AS
			SELECT envelope_id, shares, total_fen FROM lake_envs
			UNION ALL SELECT envelope_id, shares, total_fen FROM cand WHERE type = 'envelope_sent' AND verdict IS NULL`,
		`CREATE TABLE lake_claims AS SELECT envelope_id, count(*) AS claims, coalesce(sum(amount_fen), 0) AS fen
			FROM grabs WHERE outcome = 'claimed'
				AND envelope_id IN (SELECT envelope_id FROM cand WHERE type = 'envelope_grabbed')
			GROUP BY envelope_id`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replay: check claims: %w", err)
		}
	}
	err := rp.withAppender(ctx, "verdicts", `
		SELECT c.ord, c.envelope_id, c.outcome, coalesce(c.amount_fen, 0), k.shares, k.total_fen,
			coalesce(lc.claims, 0), coalesce(lc.fen, 0)
		FROM cand c
		LEFT JOIN (SELECT envelope_id, any_value(shares) AS shares, any_value(total_fen) AS total_fen
			FROM known_envs GROUP BY envelope_id) k ON k.envelope_id = c.envelope_id
		LEFT JOIN lake_claims lc ON lc.envelope_id = c.envelope_id
		WHERE c.type = 'envelope_grabbed' AND c.verdict IS NULL
		ORDER BY c.envelope_id, c.ts, c.ord`, nil,
		func(rows *sql.Rows, app *duckdb.Appender) error {
			var current string
			var claims, fen int64
			for rows.Next() {
				var ord, amount, lakeClaims, lakeFen int64
				var env, outcome string
				var shares, total sql.NullInt64
				if err := rows.Scan(&ord, &env, &outcome, &amount, &shares, &total, &lakeClaims, &lakeFen); err != nil {
					return err
				}
				if env != current {
					current, claims, fen = env, lakeClaims, lakeFen
				}
				var reason events.Reason
				var detail string
				switch {
				case !shares.Valid:
					reason = events.ReasonUnknownEnvelope
					detail = fmt.Sprintf("envelope %s is not in the lake: no envelope_sent with that id has landed", env)
				case outcome != events.OutcomeClaimed:
				case claims+1 > shares.Int64:
					reason = events.ReasonClaimsExceedShares
					detail = fmt.Sprintf("envelope %s has %d shares and all were already claimed", env, shares.Int64)
				case fen+amount > total.Int64:
					reason = events.ReasonClaimOverTotal
					detail = fmt.Sprintf("envelope %s holds %d fen; claims would reach %d fen", env, total.Int64, fen+amount)
				default:
					claims++
					fen += amount
				}
				if reason != "" {
					if err := app.AppendRow(ord, string(reason), detail); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("replay: check claims: %w", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE cand SET verdict = v.verdict, detail = v.detail FROM verdicts v WHERE cand.ord = v.ord`); err != nil {
		return fmt.Errorf("replay: check claims: %w", err)
	}
	return nil
}

// land commits the candidates that passed, partition by partition in offset order, at
// most opts.BatchRows a commit: the envelopes first, then the other events, so that
// wherever a crash stops the replay no claim has landed before its envelope.
func (rp *replayer) land(ctx context.Context, m *lake.Maintenance, opts ReplayOptions) error {
	var b *lake.ReplayBatch
	var bTopic string
	var bPart int64
	var bPhase bool
	flush := func() error {
		if b == nil {
			return nil
		}
		defer func() { b.Release(); b = nil }()
		c, err := b.Commit()
		if err != nil || c == nil {
			return err
		}
		rp.rep.Commits = append(rp.rep.Commits, *c)
		if opts.afterCommit != nil {
			return opts.afterCommit(c)
		}
		return nil
	}
	defer func() {
		if b != nil {
			b.Release()
		}
	}()
	landOne := func(phase bool, topic string, part, off int64, orig string, raw []byte) error {
		e, err := rp.decodeOne(raw)
		if err != nil { // passed a moment ago; only the clock can have moved
			var rej *events.RejectError
			if !errors.As(err, &rej) {
				return err
			}
			rp.rep.Stays[rej.Reason]++
			return nil
		}
		if !opts.DryRun {
			if b != nil && (phase != bPhase || topic != bTopic || part != bPart || b.Len() >= int64(opts.BatchRows)) {
				if err := flush(); err != nil {
					return err
				}
			}
			if b == nil {
				b, bTopic, bPart, bPhase = m.NewReplayBatch(topic, int(part)), topic, part, phase
			}
			b.Append(off, &e, events.Reason(orig))
		}
		rp.rep.Landed[events.Reason(orig)]++
		tc := rp.rep.Tables[e.Type.Table()]
		tc.Rows++
		tc.SumFen += money(&e)
		rp.rep.Tables[e.Type.Table()] = tc
		return nil
	}
	// The candidates are numbered (ord) in Kafka order, so (phase, ord) is the order to
	// land in; they are read about readBytes at a time.
	chunks, err := rp.landChunks(ctx)
	if err != nil {
		return err
	}
	for _, c := range chunks {
		err := sqlrows.Each(ctx, rp.ldb.db, `SELECT topic, part, off, orig_reason, raw FROM cand
			WHERE verdict IS NULL AND (type <> 'envelope_sent') = ? AND ord BETWEEN ? AND ? ORDER BY ord`,
			[]any{c.phase, c.first, c.last}, func(rows *sql.Rows) error {
				var topic, orig string
				var part, off int64
				var raw []byte
				if err := rows.Scan(&topic, &part, &off, &orig, &raw); err != nil {
					return err
				}
				return landOne(c.phase, topic, part, off, orig, raw)
			})
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	return flush()
}

// landChunk is a run of candidates to land, ord first to last, of about readBytes.
type landChunk struct {
	phase       bool // claims and the others, after the envelopes
	first, last int64
}

func (rp *replayer) landChunks(ctx context.Context) ([]landChunk, error) {
	var out []landChunk
	err := sqlrows.Each(ctx, rp.ldb.db, `SELECT phase, chunk, min(ord), max(ord) FROM (
			SELECT ord, type <> 'envelope_sent' AS phase,
				sum(octet_length(raw) + 64) OVER (PARTITION BY type <> 'envelope_sent' ORDER BY ord ROWS UNBOUNDED PRECEDING) // ? AS chunk
			FROM cand WHERE verdict IS NULL)
		GROUP BY ALL ORDER BY phase, chunk`, []any{readBytes}, func(rows *sql.Rows) error {
		var c landChunk
		var n int64
		if err := rows.Scan(&c.phase, &n, &c.first, &c.last); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return out, nil
}

// money is the amount an event adds to its table's money column.
func money(e *events.Event) int64 {
	switch e.Type {
	case events.EnvelopeSent:
		return e.TotalFen
	case events.EnvelopeGrabbed:
		if e.Outcome == events.OutcomeClaimed {
			return e.AmountFen
		}
	case events.Withdrawal, events.Payment:
		return e.AmountFen
	}
	return 0
}

// beginMaintenance opens the lake of dir, which must exist, and starts a maintenance
// session on it: replay and evict hold every partition while they run.
func beginMaintenance(dir string) (*lake.Maintenance, error) {
	if err := checkLake(dir); err != nil {
		return nil, err
	}
	l, err := lake.Open(dir)
	if err != nil {
		return nil, err
	}
	return l.BeginMaintenance()
}
