// Package lake writes the Parquet lake, the system of record of the pipeline. It sits
// after decoding and validation in the ingester (Kafka → events → lake → warehouse):
// a PartitionWriter collects one Kafka partition's valid events and quarantined
// messages in Arrow record builders, and Commit lands them as zstd Parquet files, one
// per table, under DIR/lake/<table>/, together with a commit marker under
// DIR/lake/_commits/ that records the Kafka offsets they cover. Files are written under
// a temporary name, synced, and renamed only after the marker is durable, and Open
// rolls an interrupted commit forward or back, so the offsets in the markers, not the
// broker's committed offsets, say where a restarted ingester resumes: nothing is lost
// and nothing is stored twice. DuckDB and any other Parquet engine read the lake by the
// glob DIR/lake/<table>/*.parquet. Times and offsets are stored DELTA_BINARY_PACKED,
// event and envelope ids DELTA_BYTE_ARRAY and users' ids DELTA_LENGTH_BYTE_ARRAY,
// encodings of the Parquet format that DuckDB, Arrow C++ (pyarrow), Polars, hyparquet
// and Spark 3.3+ read; an older reader without them must be upgraded.
//
// The package owns the lake's contract (Contract: every table, its columns with their
// Arrow and DuckDB types, its money column), and Committed lists the files the markers
// commit, with the rows and money each marker records, for readers that must see
// exactly what was committed, as the warehouse does.
package lake
