package refdata_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/refdata"
)

func TestBanks(t *testing.T) {
	banks := refdata.Banks()
	if len(banks) != 180 {
		t.Errorf("%d banks, want 180", len(banks))
	}
	var wechat []string
	alipay := 0
	sum, wechatShare := 0.0, 0.0
	codes := map[string]bool{}
	for i, b := range banks {
		if codes[b.Code] {
			t.Errorf("code %s appears twice", b.Code)
		}
		codes[b.Code] = true
		if b.NameZH == "" || b.NameEN == "" {
			t.Errorf("bank %s has no name", b.Code)
		}
		if i > 0 && b.DebitCardShare > banks[i-1].DebitCardShare {
			t.Errorf("bank %s (%g) is after a smaller share (%g)", b.Code, b.DebitCardShare, banks[i-1].DebitCardShare)
		}
		if b.DebitCardShare <= 0 {
			t.Errorf("bank %s has share %g", b.Code, b.DebitCardShare)
		}
		sum += b.DebitCardShare
		if b.WeChatPay {
			wechat = append(wechat, b.Code)
			wechatShare += b.DebitCardShare
			if !b.Alipay {
				t.Errorf("bank %s: WeChat Pay but not Alipay", b.Code)
			}
		}
		if b.Alipay {
			alipay++
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("shares sum to %.12f, want 1", sum)
	}
	wantWeChat := []string{"ICBC", "ABC", "CCB", "PSBC", "BOC", "BOCOM", "CMB", "CIB", "CITIC", "SPDB", "CMBC", "CEB"}
	if !reflect.DeepEqual(wechat, wantWeChat) {
		t.Errorf("WeChat Pay banks %v, want %v", wechat, wantWeChat)
	}
	if f, _ := refdata.Lookup("wechat_pay_banks"); int(f.Value) != len(wechat) {
		t.Errorf("fact wechat_pay_banks is %v, the table has %d", f.Value, len(wechat))
	}
	if alipay < 175 || alipay > 185 {
		t.Errorf("%d Alipay banks, want 175 to 185", alipay)
	}
	// The simulator's default calibration assumes 0.78; the facts registry quotes it.
	if math.Abs(wechatShare-0.78) > 1e-9 {
		t.Errorf("WeChat Pay banks hold %.6f of cards, want 0.78", wechatShare)
	}
	f, _ := refdata.Lookup("wechat_pay_banks")
	if !strings.Contains(f.Interpretation, "78%") || !strings.Contains(f.InterpretationZH, "78%") {
		t.Errorf("wechat_pay_banks interpretation does not quote the table's 78%%: %s", f.Interpretation)
	}
	f, _ = refdata.Lookup("alipay_banks")
	if !strings.Contains(f.Interpretation, "180 banks") || !strings.Contains(f.Interpretation, "178") || alipay != 178 {
		t.Errorf("alipay_banks interpretation does not match the table's %d of %d: %s", alipay, len(banks), f.Interpretation)
	}
}

func TestBankKinds(t *testing.T) {
	count := map[string]int{}
	for _, b := range refdata.Banks() {
		count[b.Kind]++
	}
	kinds := refdata.BankKinds()
	slices.Sort(kinds)
	var got []string
	for k := range count {
		got = append(got, k)
	}
	slices.Sort(got)
	if !reflect.DeepEqual(got, kinds) {
		t.Errorf("kinds in the table %v, want each of %v", got, kinds)
	}
	if count[refdata.BankStateOwned] != 5 || count[refdata.BankPostal] != 1 || count[refdata.BankJointStock] != 12 {
		t.Errorf("kinds %v: want 5 state-owned, 1 postal, 12 joint-stock", count)
	}
}

func TestParseBanksRoundTrip(t *testing.T) {
	csv := refdata.BanksCSV()
	if !bytes.Contains(csv, []byte("does not name the 12 banks")) {
		t.Error("the bank table's header does not say the article names no banks")
	}
	banks, err := refdata.ParseBanks(bytes.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(banks, refdata.Banks()) {
		t.Error("ParseBanks(BanksCSV()) differs from Banks()")
	}
}

func TestParseBanksNormalizes(t *testing.T) {
	in := "\ufeffkind,code,name_zh,name_en,wechat_pay,alipay,debit_card_share\n" +
		"# a comment\n" +
		"state-owned, ICBC ,中国工商银行,ICBC,yes,TRUE,3\n" +
		"rural,XRCB,某农商银行,Some RCB,false,1,1\n"
	banks, err := refdata.ParseBanks(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []refdata.Bank{
		{Code: "ICBC", NameZH: "中国工商银行", NameEN: "ICBC", Kind: "state-owned", WeChatPay: true, Alipay: true, DebitCardShare: 0.75},
		{Code: "XRCB", NameZH: "某农商银行", NameEN: "Some RCB", Kind: "rural", Alipay: true, DebitCardShare: 0.25},
	}
	if !reflect.DeepEqual(banks, want) {
		t.Errorf("got %+v\nwant %+v", banks, want)
	}
}

func TestParseBanksErrors(t *testing.T) {
	const header = "code,name_zh,name_en,kind,wechat_pay,alipay,debit_card_share\n"
	const good = "ICBC,中国工商银行,ICBC,state-owned,true,true,0.5\n"
	for _, c := range []struct {
		name, in string
		line     int
		column   string
		msg      string
	}{
		{"bad share", "# comment\n" + header + good + "CCB,中国建设银行,CCB,state-owned,true,true,lots\n", 4, "debit_card_share", `"lots" is not a number`},
		{"negative share", header + good + "CCB,中国建设银行,CCB,state-owned,true,true,-0.1\n", 3, "debit_card_share", "zero or more"},
		{"bad bool", header + good + "CCB,中国建设银行,CCB,state-owned,maybe,true,0.5\n", 3, "wechat_pay", `"maybe" is not true or false`},
		{"duplicate code", header + good + "ICBC,中国工商银行,ICBC,state-owned,true,true,0.5\n", 3, "code", "already the code of line 2"},
		{"bad code", header + "工行,中国工商银行,ICBC,state-owned,true,true,0.5\n", 2, "code", "ASCII"},
		{"unknown kind", header + good + "X,某银行,X,private,true,true,0.5\n", 3, "kind", `"private" is not one of`},
		{"empty name", header + "X,,X,rural,true,true,0.5\n", 2, "name_zh", "empty"},
		{"field count", header + good + "CCB,中国建设银行,CCB\n", 3, "", "wrong number of fields"},
		{"unknown column", "code,name_zh,name_en,kind,wechat,alipay,debit_card_share\n" + good, 1, "", `unknown column "wechat"`},
		{"missing column", "code,name_zh,name_en,kind,wechat_pay,alipay\n", 1, "", `missing column "debit_card_share"`},
		{"no rows", header, 0, "", "no data rows"},
		{"empty", "", 0, "", "empty file"},
		{"zero shares", header + "X,某银行,X,rural,true,true,0\n", 0, "debit_card_share", "add up to zero"},
	} {
		_, err := refdata.ParseBanks(strings.NewReader(c.in))
		var pe *refdata.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a *ParseError", c.name, err)
			continue
		}
		if pe.Line != c.line || pe.Column != c.column || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: line %d column %q %q; want line %d column %q containing %q",
				c.name, pe.Line, pe.Column, err, c.line, c.column, c.msg)
		}
	}
	_, err := refdata.ParseBanks(strings.NewReader(header + "CCB,中国建设银行,CCB,state-owned,true,true,lots\n"))
	if want := `line 2, column debit_card_share: "lots" is not a number of zero or more`; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// FuzzParseBanks: a user's bank table (--banks, DIR/banks.csv) of any bytes is refused
// with a *ParseError, or gives banks with distinct codes whose card shares are each from
// 0 to 1 and add up to 1.
func FuzzParseBanks(f *testing.F) {
	f.Add(refdata.BanksCSV())
	f.Add([]byte("\ufeffcode,name_zh,name_en,kind,wechat_pay,alipay,debit_card_share\n# c\nA,甲,A,state-owned,true,false,1e308\nB,乙,B,state-owned,false,true,1e308\n"))
	f.Add([]byte("debit_card_share,code,name_zh,name_en,kind,wechat_pay,alipay\n0.5,\"A\"\"\",x,x,joint-stock,true,true\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		banks, err := refdata.ParseBanks(bytes.NewReader(b))
		if err != nil {
			var pe *refdata.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseBanks = %v (%T), want a *ParseError", err, err)
			}
			return
		}
		seen := map[string]bool{}
		total := 0.0
		for _, bk := range banks {
			if seen[bk.Code] {
				t.Fatalf("code %q twice", bk.Code)
			}
			seen[bk.Code] = true
			if !(bk.DebitCardShare >= 0 && bk.DebitCardShare <= 1) {
				t.Fatalf("bank %s has share %g", bk.Code, bk.DebitCardShare)
			}
			total += bk.DebitCardShare
		}
		if math.Abs(total-1) > 1e-6 {
			t.Fatalf("the shares add up to %g, not 1", total)
		}
	})
}
