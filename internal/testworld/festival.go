package testworld

import (
	"os"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/datadir"
)

// Festival writes the hand-built festival world into data folder dir, and returns it
// for more: a few events of every table, from launch day (2014-01-26) to Day 1
// (2014-01-31), each placed so that every figure of the report and of the facts sheet
// can be worked out by hand (see the expectations in reports/report/data_test.go and
// transform/facts/facts_test.go), all in partition 0; and its bank table as
// DIR/banks.csv, which a refresh loads instead of the built-in one.
func Festival(t testing.TB, dir string) *World {
	t.Helper()
	w := New(t, dir)
	w.Add(0, festivalEvents()...).Commit()
	if err := os.WriteFile(datadir.Dir(dir).Banks(), []byte(festivalBanks), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// festivalEvents are the festival world's events. Times are China Standard Time.
func festivalEvents() []events.Event {
	ts := TS
	return []events.Event{
		Envelope("s1jy-e1", ts("2014-01-26 10:00:00+08"), "e1", "u9", "g1", "lucky", 800, 3),
		Envelope("s1jy-e2", ts("2014-01-30 20:59:59+08"), "e2", "u8", "g2", "lucky", 250, 2),
		Envelope("s1jy-e3", ts("2014-01-30 23:59:00+08"), "e3", "u1", "g1", "lucky", 600, 4),
		Envelope("s1jy-e4", ts("2014-01-31 00:02:00+08"), "e4", "u8", "g2", "lucky", 580, 3),
		Envelope("s1jy-e5", ts("2014-01-31 15:58:00+08"), "e5", "u10", "p1", "fixed", 20, 1),
		Claim("s1jy-g01", ts("2014-01-26 10:00:05+08"), "e1", "u1", 500),
		Claim("s1jy-g02", ts("2014-01-26 10:00:30+08"), "e1", "u2", 300),
		Miss("s1jy-g03", ts("2014-01-26 10:01:10+08"), "e1", "u3"),
		Claim("s1jy-g04", ts("2014-01-30 21:00:00+08"), "e2", "u1", 100),
		Claim("s1jy-g05", ts("2014-01-30 21:00:20+08"), "e2", "u4", 150),
		Claim("s1jy-g06", ts("2014-01-30 23:59:30+08"), "e3", "u2", 200),
		Claim("s1jy-g07", ts("2014-01-31 00:00:10+08"), "e3", "u1", 250),
		Claim("s1jy-g08", ts("2014-01-31 00:00:20+08"), "e3", "u3", 50),
		Miss("s1jy-g09", ts("2014-01-31 00:00:40+08"), "e3", "u5"),
		Miss("s1jy-g10", ts("2014-01-31 00:00:50+08"), "e3", "u6"),
		Claim("s1jy-g16", ts("2014-01-31 00:00:55+08"), "e3", "u7", 100),
		Claim("s1jy-g11", ts("2014-01-31 00:03:00+08"), "e4", "u4", 400),
		Miss("s1jy-g12", ts("2014-01-31 00:04:59+08"), "e4", "u6"),
		Claim("s1jy-g13", ts("2014-01-31 00:05:00+08"), "e4", "u5", 100),
		Claim("s1jy-g14", ts("2014-01-31 03:00:00+08"), "e4", "u2", 80),
		Claim("s1jy-g15", ts("2014-01-31 15:59:00+08"), "e5", "u7", 20),
		Binding("s1jy-b1", ts("2014-01-26 11:00:00+08"), "u1", "wechat_pay", "ICBC", "ok"),
		Binding("s1jy-b2", ts("2014-01-26 12:00:00+08"), "u2", "wechat_pay", "HXB", "bank_not_supported"),
		Binding("s1jy-b3", ts("2014-01-26 12:30:00+08"), "u2", "wechat_pay", "CMB", "ok"),
		Binding("s1jy-b4", ts("2014-01-30 22:00:00+08"), "u4", "wechat_pay", "HXB", "bank_not_supported"),
		Binding("s1jy-b5", ts("2014-01-31 01:00:00+08"), "u3", "wechat_pay", "ABC", "ok"),
		Binding("s1jy-b6", ts("2014-01-31 01:30:00+08"), "u5", "alipay", "HXB", "ok"),
		Binding("s1jy-b7", ts("2014-01-31 02:00:00+08"), "u6", "alipay", "DBS", "bank_not_supported"),
		Binding("s1jy-b8", ts("2014-01-31 03:00:00+08"), "u9", "wechat_pay", "ICBC", "ok"),
		Withdrawal("s1jy-w1", ts("2014-01-26 15:00:00+08"), "u1", "wechat_pay", "ICBC", 500),
		Withdrawal("s1jy-w2", ts("2014-01-31 05:00:00+08"), "u3", "wechat_pay", "ABC", 50),
		Withdrawal("s1jy-w3", ts("2014-01-31 06:00:00+08"), "u9", "wechat_pay", "ICBC", 10),
		Payment("s1jy-p1", ts("2014-01-27 10:00:00+08"), "u1", "wechat_pay", "hongbao_send", 1000, "ICBC"),
		Payment("s1jy-p2", ts("2014-01-28 10:00:00+08"), "u1", "wechat_pay", "taxi", 2000, "ICBC"),
		Payment("s1jy-p3", ts("2014-01-30 10:00:00+08"), "u2", "wechat_pay", "hongbao_send", 500, "CMB"),
		Payment("s1jy-p4", ts("2014-01-29 10:00:00+08"), "u5", "alipay", "ecommerce", 3000, "HXB"),
		Payment("s1jy-p5", ts("2014-01-30 10:00:00+08"), "u5", "alipay", "ecommerce", 1000, "HXB"),
		Payment("s1jy-p6", ts("2014-01-31 10:00:00+08"), "u5", "alipay", "mystery", 700, "HXB"),
		Link("s1jy-l1", ts("2014-01-27 09:00:00+08"), "u3", "g1", "http://hongbao-1.example.invalid/claim?id=1"),
		Link("s1jy-l2", ts("2014-01-30 22:00:00+08"), "u4", "g2", "https://evil.example.com/x"),
		Link("s1jy-l3", ts("2014-01-30 23:00:00+08"), "u4", "g1", "http://weixin.qq.com/hongbao?x=1"),
		Link("s1jy-l4", ts("2014-01-31 01:00:00+08"), "u6", "p9", "http://hongbao-1.example.invalid/claim?id=2"),
	}
}

// festivalBanks is the festival world's bank table, a user's DIR/banks.csv: shares sum
// to 1 and, largest first, are ICBC 0.4, ABC 0.3, HXB 0.15, CMB 0.1, DBS 0.05.
const festivalBanks = `code,name_zh,name_en,kind,wechat_pay,alipay,debit_card_share
ICBC,中国工商银行,Industrial and Commercial Bank of China,state-owned,true,true,0.4
ABC,中国农业银行,Agricultural Bank of China,state-owned,true,true,0.3
CMB,招商银行,China Merchants Bank,joint-stock,true,true,0.1
HXB,华夏银行,Hua Xia Bank,joint-stock,false,true,0.15
DBS,星展银行（中国）,DBS Bank (China),foreign,false,false,0.05
`
