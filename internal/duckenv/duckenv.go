// Package duckenv reads the environment's say over DuckDB: HONGBAO_DUCKDB_MEMORY, the
// cap on DuckDB's memory that the warehouse, the SQL sandbox and the quarantine tools
// all start their databases with.
package duckenv

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// MemoryVar names the variable that sets DuckDB's memory cap.
const MemoryVar = "HONGBAO_DUCKDB_MEMORY"

// size is a memory size as DuckDB reads one: a number and a unit of bytes.
var size = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*(b|bytes?|kb|kib|mb|mib|gb|gib|tb|tib)\s*$`)

// MemoryLimit is the memory cap to start DuckDB with: the variable's value when it is
// set, else def. A value that is not a size above zero is an error that names the
// variable and the form it takes, before DuckDB sees it (DuckDB's own message names
// neither, and takes "-1GB").
func MemoryLimit(def string) (string, error) {
	v, ok := os.LookupEnv(MemoryVar)
	if !ok || v == "" {
		return def, nil
	}
	m := size.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("%s=%q is not a memory size: write a number and a unit, such as 4GB or 512MB", MemoryVar, v)
	}
	if n, _ := strconv.ParseFloat(m[1], 64); n <= 0 {
		return "", fmt.Errorf("%s=%q: the cap must be above zero (such as 4GB)", MemoryVar, v)
	}
	return v, nil
}

// WithMemoryHint adds to DuckDB's Out of Memory error the cap it ran with, limit, and
// the variable that raises it; DuckDB's own advice (SET memory_limit, SET threads) names
// settings hongbao's users cannot change. Other errors come back as they are.
func WithMemoryHint(err error, limit string) error {
	if !IsOutOfMemory(err) || strings.Contains(err.Error(), hinted) {
		return err
	}
	return fmt.Errorf("%w\nDuckDB ran out of the %s "+hinted+" higher (e.g. %s=4GB) and run it again", err, limit, MemoryVar)
}

// hinted is the part of the hint that says it was given.
const hinted = "it may use here: set " + MemoryVar

// IsOutOfMemory reports whether err is DuckDB's Out of Memory error.
func IsOutOfMemory(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Out of Memory Error")
}
