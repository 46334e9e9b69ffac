// Package quarantine acts on the messages the ingester refused. It sits beside the lake,
// after ingest: List and Show review the lake's quarantine by reason (from the Parquet
// files alone, through an in-memory DuckDB, no warehouse needed); Replay re-validates
// the messages not yet replayed with today's rules (events.Decode, then the rules that
// span messages, checked against the lake) and lands those that now pass in their event
// tables, once, through the lake's replay commits; Evict moves the rows of a lake file
// DuckDB cannot read into the quarantine, so the warehouse refreshes whole again and
// Replay can land the valid ones.
package quarantine
