package transform

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/warehouse.md from the dictionary")

// docPath is the generated warehouse document, from this package's folder.
var docPath = filepath.Join("..", "docs", "warehouse.md")

// emptyWarehouse refreshes a warehouse over an empty lake: every table, no rows.
func emptyWarehouse(t *testing.T) *Warehouse {
	t.Helper()
	return openRefreshed(t, t.TempDir())
}

// TestDictionaryCoversWarehouse fails when a refresh builds a table or column that
// the dictionary does not describe, or when the dictionary describes one that no
// longer exists.
func TestDictionaryCoversWarehouse(t *testing.T) {
	w := emptyWarehouse(t)
	docs, err := Catalog(context.Background(), w.DB())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]map[string]bool{}
	for _, d := range docs {
		have[d.Name] = map[string]bool{}
		if d.Kind == "" || d.About == "" {
			t.Errorf("table %s is not described: add it to notes in transform/dictionary.go", d.Name)
		}
		for _, c := range d.Columns {
			have[d.Name][c.Name] = true
			if c.About == "" {
				t.Errorf("column %s.%s is not described: add it to notes in transform/dictionary.go (a lake table's to the lake contract in ingest/lake, a model's to the Columns: list of its SQL header)", d.Name, c.Name)
			}
			if c.Type == "" {
				t.Errorf("column %s.%s has no type in the catalog", d.Name, c.Name)
			}
		}
	}
	for _, d := range Dictionary() {
		cols, ok := have[d.Name]
		if !ok {
			t.Errorf("the dictionary describes table %s, which a refresh does not build", d.Name)
			continue
		}
		for _, c := range d.Columns {
			if !cols[c.Name] {
				t.Errorf("the dictionary describes column %s.%s, which the table does not have", d.Name, c.Name)
			}
		}
	}
	for name, n := range notes {
		if n.kind == KindLake {
			continue // Dictionary lists these from lakeTables
		}
		if _, ok := have[name]; !ok {
			t.Errorf("notes describe %s table %s, which a refresh does not build", n.kind, name)
		}
	}
}

// TestWarehouseDoc keeps docs/warehouse.md equal to what the dictionary generates;
// -update (or go generate ./transform) rewrites it.
func TestWarehouseDoc(t *testing.T) {
	w := emptyWarehouse(t)
	docs, err := Catalog(context.Background(), w.DB())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteDoc(&b, docs); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(docPath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v: run 'go generate ./transform' to write it", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is stale: run 'go generate ./transform' (or go test ./transform -run TestWarehouseDoc -update)", docPath)
	}
	// The tables DESIGN.md "Storage" names are there, each with its columns.
	for _, name := range []string{"envelopes", "grabs", "card_bindings", "withdrawals", "payments", "links", "quarantine", "banks", "claims_per_minute"} {
		if !bytes.Contains(got, []byte("\n### "+name+"\n")) {
			t.Errorf("%s does not describe table %s", docPath, name)
		}
	}
}

func TestDescribeTable(t *testing.T) {
	_, w := refreshed(t)
	ctx := context.Background()
	d, err := DescribeTable(ctx, w.DB(), "GRABS")
	if err != nil {
		t.Fatal(err)
	}
	if d.Heading() != "grabs (lake table, lake/grabs/*.parquet)" {
		t.Errorf("heading = %q", d.Heading())
	}
	if _, err := DescribeTable(ctx, w.DB(), "nosuch"); !errors.Is(err, ErrUnknownTable) ||
		!strings.HasPrefix(err.Error(), `no such table "nosuch" in the warehouse: the tables are envelopes, grabs, `) {
		t.Errorf("DescribeTable(nosuch) = %v", err)
	}
}
