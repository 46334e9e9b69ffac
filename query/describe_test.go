package query

import (
	"context"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/transform"
)

func TestDescribe(t *testing.T) {
	_, w := refreshed(t)
	ctx := context.Background()
	res, err := DescribeTables(ctx, w.DB())
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]Value{}
	for _, r := range res.Rows {
		rows[r[0].Text] = r
	}
	if g := rows["grabs"]; g == nil || g[1].Text != "lake" || g[2].Text != "6" || !strings.HasPrefix(g[3].Text, "One row per envelope_grabbed event") {
		t.Errorf("grabs in the table list = %v", g)
	}
	if g := rows["claims_per_minute"]; g == nil || g[1].Text != "model" || g[2].Text != "3" {
		t.Errorf("claims_per_minute in the table list = %v", g)
	}
	d, err := transform.DescribeTable(ctx, w.DB(), "grabs")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	ColumnsResult(d).Write(&b, FormatCSV)
	for _, want := range []string{
		"column,type,about\n",
		"ts,TIMESTAMP WITH TIME ZONE,\"When the event happened: an instant, shown in Beijing time (Asia/Shanghai, UTC+8).\"\n",
		"amount_fen,BIGINT,\"The share claimed, in fen; NULL when missed.\"\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("describe grabs lacks %q:\n%s", want, b.String())
		}
	}
}
