package transform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
)

// modelGoldens holds the expected rows of each model on the test world, one
// <model>.csv each; 'go test ./transform -run TestModelGoldens -update' rewrites them.
var modelGoldens = filepath.Join("testdata", "models")

// modelWorld is the small test world (testworld.Small: grabs by u1-u6 around midnight)
// with card bindings, withdrawals and payments added, so that every model has rows:
//
//	u1  claimed; bound ICBC to WeChat Pay, withdrew, paid
//	u2  claimed; refused HXB by WeChat Pay, then bound CMB; bound HXB to Alipay
//	u3  claimed; refused HXB by WeChat Pay, never bound
//	u4  missed; bound ABC to WeChat Pay without a claim, paid
//	u5  claimed; two Alipay tries at one instant: b5a (HXB, ok) is the first by event_id
//	u7  never grabbed; refused DBS by Alipay, paid with Alipay
//	u8  never grabbed nor bound; withdrew from WeChat Pay
func modelWorld(t *testing.T) *Warehouse {
	t.Helper()
	world, _, w := refreshedWorld(t)
	ts := testworld.TS
	world.Add(2,
		testworld.Binding("b1", ts("2014-01-31 00:10:00+08"), "u1", "wechat_pay", "ICBC", "ok"),
		testworld.Binding("b2", ts("2014-01-31 00:20:00+08"), "u2", "wechat_pay", "HXB", "bank_not_supported"),
		testworld.Binding("b3", ts("2014-01-31 00:21:00+08"), "u3", "wechat_pay", "HXB", "bank_not_supported"),
		testworld.Binding("b4", ts("2014-01-31 00:25:00+08"), "u2", "wechat_pay", "CMB", "ok"),
		testworld.Binding("b6", ts("2014-01-31 00:40:00+08"), "u2", "alipay", "HXB", "ok"),
		testworld.Binding("b7", ts("2014-01-31 00:50:00+08"), "u4", "wechat_pay", "ABC", "ok"),
		testworld.Binding("b5b", ts("2014-01-31 01:00:00+08"), "u5", "alipay", "DBS", "bank_not_supported"),
		testworld.Binding("b5a", ts("2014-01-31 01:00:00+08"), "u5", "alipay", "HXB", "ok"),
		testworld.Binding("b8", ts("2014-01-31 01:10:00+08"), "u7", "alipay", "DBS", "bank_not_supported"),
		testworld.Withdrawal("w1", ts("2014-01-31 00:30:00+08"), "u1", "wechat_pay", "ICBC", 500),
		testworld.Withdrawal("w2", ts("2014-01-31 03:00:00+08"), "u8", "wechat_pay", "ICBC", 100),
		testworld.Payment("p1", ts("2014-01-31 01:00:00+08"), "u1", "wechat_pay", "taxi", 2000, "ICBC"),
		testworld.Payment("p2", ts("2014-01-31 02:00:00+08"), "u4", "wechat_pay", "taxi", 1500, "ABC"),
		testworld.Payment("p3", ts("2014-01-31 02:30:00+08"), "u7", "alipay", "ecommerce", 3000, "DBS"),
	).Commit()
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestModelGoldens builds the warehouse of modelWorld and compares each model's rows,
// ordered by every column, with its CSV in testdata/models: a change to a model that
// changes a result shows here, row by row.
func TestModelGoldens(t *testing.T) {
	w := modelWorld(t)
	names := Models()
	for _, name := range names {
		got := filepath.Join(t.TempDir(), name+".csv")
		q := "COPY (SELECT * FROM " + quoteIdent(name) + " ORDER BY ALL) TO " + QuoteString(got) + " (HEADER, DELIMITER ',')"
		if _, err := w.DB().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(modelGoldens, name+".csv")
		if want := testworld.Golden(t, path, b, *update); string(b) != string(want) {
			t.Errorf("model %s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, b, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(modelGoldens, "*.csv"))
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".csv"); !slices.Contains(names, name) {
			t.Errorf("%s is the golden of no model: remove it", f)
		}
	}
}
