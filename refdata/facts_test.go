package refdata_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/refdata"
)

// factIDs is the id column of the project's facts table (shared/FACTS.md), in order.
var factIDs = []string{
	"launch_date", "eve_participants", "users_eve_to_day1", "grabs_total", "claims_per_minute_avg",
	"claims_per_minute_avg_rounded", "peak_opens_per_minute", "first5min_participations",
	"avg_envelope_yuan", "max_claims_one_user", "claim_size_range", "wechat_platform_users",
	"wechat_pay_banks", "alipay_banks", "wechat_pay_scenarios", "mobile_payments_2012_count",
	"mobile_payments_2012_amount", "mobile_payments_2013_market", "p2p_platform_crises",
	"card_binding_required", "fake_envelope_links",
}

func TestFactIDs(t *testing.T) {
	facts := refdata.Facts()
	var got []string
	for _, f := range facts {
		got = append(got, f.ID)
	}
	if strings.Join(got, " ") != strings.Join(factIDs, " ") {
		t.Fatalf("fact ids\n got %v\nwant %v", got, factIDs)
	}
	for _, id := range factIDs {
		if f, ok := refdata.Lookup(id); !ok || f.ID != id {
			t.Errorf("Lookup(%q) = %q, %v", id, f.ID, ok)
		}
	}
	if _, ok := refdata.Lookup("no_such_fact"); ok {
		t.Error("Lookup of an unknown id succeeded")
	}
}

func TestFactValues(t *testing.T) {
	want := []struct {
		id      string
		kind    refdata.Kind
		value   float64
		bound   string
		display string
		quote   string
	}{
		{"launch_date", refdata.KindDate, 0, "=", "2014-01-26", `1月26日，"微信紅包"基于微信5.2版本上線`},
		{"eve_participants", refdata.KindEvent, 4820000, "=", "4,820,000", "除夕夜參與紅包活動的總人數達到482萬"},
		{"users_eve_to_day1", refdata.KindEvent, 5000000, ">", ">5,000,000", "截至大年初一16:00時，參與微信搶紅包的用戶超過500萬"},
		{"grabs_total", refdata.KindEvent, 75000000, ">", ">75,000,000", "總計搶紅包7500萬次以上"},
		{"claims_per_minute_avg", refdata.KindEvent, 9412, "=", "9,412", "平均每分鐘領取的紅包達到9412個"},
		{"claims_per_minute_avg_rounded", refdata.KindEvent, 9000, ">", ">9,000", "平均每分鐘有9000多個紅包被領取"},
		{"peak_opens_per_minute", refdata.KindEvent, 25000, "=", "25,000", "瞬間峰值達到每分鐘2.5萬個紅包被拆開"},
		{"first5min_participations", refdata.KindEvent, 585000, "=", "585,000", "前5分鐘內有58.5萬人次參與搶紅包"},
		{"avg_envelope_yuan", refdata.KindEvent, 10.7, "=", "10.7", "平均每個紅包10.7元"},
		{"max_claims_one_user", refdata.KindEvent, 869, "=", "869", "搶了最多紅包的：869個"},
		{"claim_size_range", refdata.KindEvent, 0, "range", "a few fen to a few yuan", "每個紅包幾元錢甚至幾分錢不等"},
		{"wechat_platform_users", refdata.KindMarket, 600000000, "=", "600,000,000", "擁有6億用戶群的社交平臺"},
		{"wechat_pay_banks", refdata.KindMarket, 12, "=", "12", "目前微信支付只接入了12家銀行"},
		{"alipay_banks", refdata.KindMarket, 180, "~", "~180", "支付寶接入的銀行近180家"},
		{"wechat_pay_scenarios", refdata.KindMarket, 10, "~", "~10", "理財通、手機話費充值、彩票、紅包、打車等十個"},
		{"mobile_payments_2012_count", refdata.KindMarket, 2113000000, "=", "2,113,000,000", "處理移動支付業務21.13億筆"},
		{"mobile_payments_2012_amount", refdata.KindMarket, 181194000000, "=", "181,194,000,000", "金額1811.94億元"},
		{"mobile_payments_2013_market", refdata.KindMarket, 800000000000, ">", ">800,000,000,000", "2013年移動支付市場規模預計超過8000億元"},
		{"p2p_platform_crises", refdata.KindMarket, 4, "=", "4", "有4家網貸平臺被爆出支付危機"},
		{"card_binding_required", refdata.KindRule, 1, "=", "yes", "都必須和自己的銀行卡綁定，開通微信支付才能順利提現"},
		{"fake_envelope_links", refdata.KindRule, 1, "=", "yes", "在微信中炮制假冒的紅包鏈接"},
	}
	if len(want) != len(factIDs) {
		t.Fatalf("the test checks %d facts, not all %d", len(want), len(factIDs))
	}
	for _, w := range want {
		f, _ := refdata.Lookup(w.id)
		if f.Kind != w.kind || f.Value != w.value || f.Bound != w.bound || f.Display != w.display || f.QuoteZH != w.quote {
			t.Errorf("%s = {%s %v %s %q %q}, want {%s %v %s %q %q}", w.id,
				f.Kind, f.Value, f.Bound, f.Display, f.QuoteZH, w.kind, w.value, w.bound, w.display, w.quote)
		}
	}
}

// The facts that rest on a consistency note cite it in both languages, and only those.
func TestFactNotes(t *testing.T) {
	notes := refdata.Notes()
	if len(notes) != 3 {
		t.Fatalf("%d notes, want 3", len(notes))
	}
	for i, n := range notes {
		if n.ID != i+1 {
			t.Errorf("note %d has id %d", i+1, n.ID)
		}
	}
	cited := map[int]int{}
	for _, f := range refdata.Facts() {
		for _, n := range notes {
			en := strings.Contains(f.Interpretation, fmt.Sprintf("(note %d)", n.ID))
			zh := strings.Contains(f.InterpretationZH, fmt.Sprintf("见说明%d", n.ID))
			has := false
			for _, x := range f.Notes {
				has = has || x == n.ID
			}
			if en != has || zh != has {
				t.Errorf("%s: notes %v, but interpretation cites note %d: en %v, zh %v", f.ID, f.Notes, n.ID, en, zh)
			}
			if has {
				cited[n.ID]++
			}
		}
	}
	for _, n := range notes {
		if cited[n.ID] < 2 {
			t.Errorf("note %d is cited by %d facts; a note reconciles at least two", n.ID, cited[n.ID])
		}
	}
}

// The CECRC attribution is named on every figure the article attributes to its monitoring
// data or its director.
func TestFactSources(t *testing.T) {
	cecrc := []string{"eve_participants", "users_eve_to_day1", "grabs_total", "claims_per_minute_avg",
		"peak_opens_per_minute", "first5min_participations", "avg_envelope_yuan", "max_claims_one_user",
		"wechat_platform_users", "wechat_pay_banks", "alipay_banks", "wechat_pay_scenarios",
		"mobile_payments_2012_count", "mobile_payments_2012_amount", "mobile_payments_2013_market"}
	for _, id := range cecrc {
		f, _ := refdata.Lookup(id)
		if !strings.Contains(f.Source, "CECRC") || !strings.Contains(f.SourceZH, "中国电子商务研究中心") {
			t.Errorf("%s: source %q / %q does not name CECRC", id, f.Source, f.SourceZH)
		}
	}
}

func TestFactsAreCopies(t *testing.T) {
	f, _ := refdata.Lookup("grabs_total")
	f.Notes[0] = 99
	refdata.Facts()[3].Notes[0] = 99
	if g, _ := refdata.Lookup("grabs_total"); g.Notes[0] != 1 {
		t.Errorf("changing a returned fact changed the registry: notes %v", g.Notes)
	}
}

func ExampleLookup() {
	f, _ := refdata.Lookup("grabs_total")
	fmt.Println(f.TitleEN+":", f.Display, f.Unit)
	fmt.Println(f.QuoteZH)
	fmt.Println(f.Source)
	// Output:
	// Total grabs (attempts): >75,000,000 grabs
	// 總計搶紅包7500萬次以上
	// CECRC monitoring data, reported by CRI Online (國際在線), 2014
}

// Every figure the other records touch has its corroboration, each record with a
// source and the readings it supports, and the default reading is B.
func TestReadingsAndCorroboration(t *testing.T) {
	if refdata.DefaultReading() != "B" || len(refdata.Readings()) != 2 || refdata.Readings()[0].ID != "B" {
		t.Fatalf("readings %v, default %q; want B (default) then A", refdata.Readings(), refdata.DefaultReading())
	}
	for _, id := range []string{"grabs_total", "claims_per_minute_avg", "claims_per_minute_avg_rounded", "users_eve_to_day1",
		"eve_participants", "launch_date", "peak_opens_per_minute", "avg_envelope_yuan", "mobile_payments_2012_amount", "mobile_payments_2013_market"} {
		f, _ := refdata.Lookup(id)
		if len(f.Corroboration) == 0 {
			t.Errorf("%s has no corroborating or contradicting record", id)
		}
	}
	g, _ := refdata.Lookup("grabs_total")
	if g.Reading != "B" || g.Text("A").Window == g.Text("B").Window {
		t.Errorf("grabs_total: reading %q, A and B windows %q / %q", g.Reading, g.Text("A").Window, g.Text("B").Window)
	}
	if !g.Corroboration[0].Agrees("B") || g.Corroboration[0].Agrees("A") {
		t.Errorf("Tenpay's release must support reading B and not A: %+v", g.Corroboration[0])
	}
}
