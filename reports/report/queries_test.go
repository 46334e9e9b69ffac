package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryFilesAreRead fails on a file in sql/ that no code of the report reads.
func TestQueryFilesAreRead(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var code strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	for name := range reportSQL {
		if !strings.Contains(code.String(), `reportSQL.Query("`+name+`")`) {
			t.Errorf("sql/%s.sql is read by no code of the report", name)
		}
	}
}
