package quarantine

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/sqlrows"
)

// ReasonCount is one line of List: the quarantined messages of one topic with one reason.
type ReasonCount struct {
	Reason     events.Reason `json:"reason"`
	Topic      string        `json:"topic"`
	Messages   int64         `json:"messages"`   // in the lake's quarantine, replayed or not
	Replayed   int64         `json:"replayed"`   // of those, landed by a replay since
	Partitions int64         `json:"partitions"` // partitions they were read from
	// FirstOffset and LastOffset are the lowest and highest offset, over all partitions.
	FirstOffset int64 `json:"first_offset"`
	LastOffset  int64 `json:"last_offset"`
	// Example is the detail of the first message (lowest partition, then offset).
	Example string `json:"example"`
}

// Pending is the number of messages still waiting in quarantine.
func (c ReasonCount) Pending() int64 { return c.Messages - c.Replayed }

// List counts the lake's quarantined messages by reason and topic, most first; reason,
// if not empty, keeps only that reason. It reads the lake's Parquet files (DIR/lake), not
// the warehouse.
func List(ctx context.Context, dir string, reason events.Reason) ([]ReasonCount, error) {
	ldb, err := openLakeDB(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer ldb.Close()
	rows, err := ldb.db.QueryContext(ctx, `
		WITH replayed AS (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM `+ident("quarantine_replays")+`)
		SELECT q.reason, q.kafka_topic, count(*), count(r.kafka_offset), count(DISTINCT q.kafka_partition),
			min(q.kafka_offset), max(q.kafka_offset), arg_min(q.detail, (q.kafka_partition, q.kafka_offset))
		FROM quarantine q LEFT JOIN replayed r
			ON r.kafka_topic = q.kafka_topic AND r.kafka_partition = q.kafka_partition AND r.kafka_offset = q.kafka_offset
		WHERE ? = '' OR q.reason = ?
		GROUP BY q.reason, q.kafka_topic
		ORDER BY count(*) DESC, q.reason, q.kafka_topic`, string(reason), string(reason))
	if err != nil {
		return nil, ldb.explain(ctx, err, "quarantine", "quarantine_replays")
	}
	defer rows.Close()
	var out []ReasonCount
	for rows.Next() {
		var c ReasonCount
		if err := rows.Scan(&c.Reason, &c.Topic, &c.Messages, &c.Replayed, &c.Partitions,
			&c.FirstOffset, &c.LastOffset, &c.Example); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, ldb.explain(ctx, err, "quarantine", "quarantine_replays")
	}
	return out, nil
}

// Message is one quarantined message, as Show gives it.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte    // nil when the message had none
	KafkaTS   time.Time // zero when the message had none
	Reason    events.Reason
	Detail    string
	Raw       []byte
	// IngestedAt is when it was quarantined.
	IngestedAt time.Time
	// ReplayedAt is when a replay landed it; zero while it waits in quarantine.
	ReplayedAt time.Time
}

// ShowOptions choose the messages Show gives.
type ShowOptions struct {
	Reason  events.Reason // only this reason; empty for all
	Pending bool          // only messages not replayed
	Limit   int           // at most this many; 0 for all
}

// shown is the query of the quarantine rows Show gives, with when a replay landed each,
// selecting cols: its arguments are the reason (twice) and whether to leave out those
// replayed.
func shown(cols string) string {
	return `
	WITH replayed AS (SELECT kafka_topic, kafka_partition, kafka_offset, min(replayed_at) AS replayed_at
		FROM ` + ident("quarantine_replays") + ` GROUP BY ALL)
	SELECT ` + cols + `
	FROM quarantine q LEFT JOIN replayed r
		ON r.kafka_topic = q.kafka_topic AND r.kafka_partition = q.kafka_partition AND r.kafka_offset = q.kafka_offset
	WHERE (? = '' OR q.reason = ?) AND NOT (? AND r.replayed_at IS NOT NULL)`
}

// Show hands fn the lake's quarantined messages in Kafka order (topic, partition,
// offset), one at a time, so that a quarantine of any size streams: it lists the
// messages to give without their bytes, then reads them about readBytes at a time (the
// driver holds a query's whole result; in one query, 20,000 messages of 60 KB ran out of
// the 1 GB cap).
func Show(ctx context.Context, dir string, opts ShowOptions, fn func(*Message) error) error {
	ldb, err := openLakeDB(ctx, dir)
	if err != nil {
		return err
	}
	defer ldb.Close()
	filter := []any{string(opts.Reason), string(opts.Reason), opts.Pending}
	limit := ""
	args := append([]any(nil), filter...)
	if opts.Limit > 0 {
		limit = " LIMIT ?"
		args = append(args, opts.Limit)
	}
	chunks, err := spans(ctx, ldb.db, `
		SELECT kafka_topic, kafka_partition, min(kafka_offset), max(kafka_offset), count(*) FROM (
			SELECT kafka_topic, kafka_partition, kafka_offset,
				sum(size) OVER (ORDER BY kafka_topic, kafka_partition, kafka_offset ROWS UNBOUNDED PRECEDING) // ? AS chunk
			FROM (`+shown(`q.kafka_topic, q.kafka_partition, q.kafka_offset,
					octet_length(q.raw) + octet_length(coalesce(q.kafka_key, ''::BLOB)) + strlen(q.detail) + 64 AS size`)+`
				ORDER BY q.kafka_topic, q.kafka_partition, q.kafka_offset`+limit+`))
		GROUP BY kafka_topic, kafka_partition, chunk ORDER BY kafka_topic, kafka_partition, min(kafka_offset)`,
		append([]any{readBytes}, args...))
	if err != nil {
		return ldb.explain(ctx, err, "quarantine", "quarantine_replays")
	}
	for _, c := range chunks {
		err := sqlrows.Each(ctx, ldb.db, shown(`q.kafka_topic, q.kafka_partition, q.kafka_offset, q.kafka_key, q.kafka_ts,
				q.reason, q.detail, q.raw, q.ingested_at, r.replayed_at`)+`
			AND q.kafka_topic = ? AND q.kafka_partition = ? AND q.kafka_offset BETWEEN ? AND ?
			ORDER BY q.kafka_offset LIMIT ?`, append(append([]any(nil), filter...), c.topic, c.part, c.first, c.last, c.n),
			func(rows *sql.Rows) error {
				var m Message
				var kts, replayed sql.NullTime
				if err := rows.Scan(&m.Topic, &m.Partition, &m.Offset, &m.Key, &kts, &m.Reason, &m.Detail,
					&m.Raw, &m.IngestedAt, &replayed); err != nil {
					return err
				}
				m.KafkaTS, m.ReplayedAt = kts.Time, replayed.Time
				return fn(&m)
			})
		if err != nil {
			var de *duckdb.Error
			if errors.As(err, &de) {
				return ldb.explain(ctx, err, "quarantine", "quarantine_replays")
			}
			return err
		}
	}
	return nil
}
