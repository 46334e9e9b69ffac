package duckenv

import (
	"strings"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	for v, want := range map[string]string{"": "1GB", "8GB": "8GB", "512 MiB": "512 MiB", "1.5gb": "1.5gb", "2000000000 bytes": "2000000000 bytes"} {
		t.Setenv(MemoryVar, v)
		if got, err := MemoryLimit("1GB"); err != nil || got != want {
			t.Errorf("%s=%q: %q, %v; want %q", MemoryVar, v, got, err, want)
		}
	}
	for v, want := range map[string]string{
		"abc":          "is not a memory size: write a number and a unit, such as 4GB or 512MB",
		"8G":           "is not a memory size",
		"-1GB":         "is not a memory size",
		"1PB":          "is not a memory size",
		"1GB; SET x=1": "is not a memory size",
		"0GB":          "the cap must be above zero",
		"0.0 MB":       "the cap must be above zero",
	} {
		t.Setenv(MemoryVar, v)
		if _, err := MemoryLimit("1GB"); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), MemoryVar) {
			t.Errorf("%s=%q: %v; want an error naming the variable and saying %q", MemoryVar, v, err, want)
		}
	}
}
