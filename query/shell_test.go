package query

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// Ctrl-C while a statement runs cancels that statement, and the session goes on.
func TestShellInterrupt(t *testing.T) {
	db := memoryDB(t)
	interrupts := make(chan os.Signal, 1)
	var out, errOut bytes.Buffer
	sh := &Shell{DB: db, Out: &out, Err: &errOut, Format: FormatCSV, Interactive: true, Interrupts: interrupts}
	// Ctrl-C as the endless statement starts: it must stop it, not the session.
	sh.beforeRun = func(stmt string) {
		if strings.Contains(stmt, "range(") {
			interrupts <- os.Interrupt
		}
	}
	start := time.Now()
	in := NewLineReader(strings.NewReader("SELECT count(*) FROM range(1000000000000) a;\nSELECT 42 AS answer;\n"))
	if err := sh.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the interrupted statement ran %s", d)
	}
	if !strings.Contains(errOut.String(), "Error: canceled after ") || out.String() != "answer\n42\n" {
		t.Errorf("out %q, errors %q", out.String(), errOut.String())
	}
}

// Interactive input may end mid-statement: the prompt drops it, a script runs it.
func TestShellEndOfInput(t *testing.T) {
	db := memoryDB(t)
	for interactive, want := range map[bool]string{true: "a\n1\n", false: "a\n1\nb\n2\n"} {
		var out bytes.Buffer
		sh := &Shell{DB: db, Out: &out, Err: &out, Format: FormatCSV, Interactive: interactive}
		if err := sh.Run(context.Background(), NewLineReader(strings.NewReader("-- start\n\nSELECT 1 AS a; SELECT\n 2 AS b"))); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("interactive=%v: %q, want %q", interactive, out.String(), want)
		}
	}
}
