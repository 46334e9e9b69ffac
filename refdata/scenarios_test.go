package refdata_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/hongbao/hongbao/refdata"
)

func TestScenarios(t *testing.T) {
	sum := map[string]float64{}
	count := map[string]int{}
	var reported []string
	for _, s := range refdata.Scenarios() {
		sum[s.Provider] += s.Weight
		count[s.Provider]++
		if s.Source == refdata.SourceReported {
			reported = append(reported, s.Provider+" "+s.NameZH)
		}
	}
	// The five WeChat Pay scenarios the article names (理財通、手機話費充值、彩票、紅包、打車)
	// and Alipay Wallet's 討紅包.
	want := []string{"wechat_pay 红包", "wechat_pay 手机话费充值", "wechat_pay 理财通", "wechat_pay 打车", "wechat_pay 彩票", "alipay 讨红包"}
	if !reflect.DeepEqual(reported, want) {
		t.Errorf("reported scenarios %v, want %v", reported, want)
	}
	if f, _ := refdata.Lookup("wechat_pay_scenarios"); count[refdata.ProviderWeChatPay] != int(f.Value) {
		t.Errorf("%d WeChat Pay scenarios; the article says about %v", count[refdata.ProviderWeChatPay], f.Value)
	}
	if count[refdata.ProviderAlipay] <= count[refdata.ProviderWeChatPay] {
		t.Errorf("Alipay has %d scenarios, WeChat Pay %d: the article says Alipay has more", count[refdata.ProviderAlipay], count[refdata.ProviderWeChatPay])
	}
	for p, w := range sum {
		if math.Abs(w-1) > 1e-9 {
			t.Errorf("%s weights sum to %g", p, w)
		}
	}
}

func TestMarket(t *testing.T) {
	want := []refdata.MarketFigure{
		{2012, "mobile_payments_count", "transactions", 2113000000, "=", false, "CECRC monitoring data, reported by CRI Online (國際在線), 2014", "mobile_payments_2012_count"},
		{2012, "mobile_payments_amount", "yuan", 181194000000, "=", false, "CECRC monitoring data, reported by CRI Online (國際在線), 2014", "mobile_payments_2012_amount"},
		{2013, "mobile_payments_amount", "yuan", 800000000000, ">", true, "CECRC monitoring data, reported by CRI Online (國際在線), 2014", "mobile_payments_2013_market"},
		{2014, "wechat_users", "users", 600000000, "=", false, "Cao Lei (曹磊), director of CECRC, interviewed by CRI Online (國際在線), 2014", "wechat_platform_users"},
		{2014, "p2p_platforms_in_payment_crisis", "platforms", 4, "=", false, "Commentary in the course case article, 2014", "p2p_platform_crises"},
	}
	if got := refdata.Market(); !reflect.DeepEqual(got, want) {
		t.Errorf("Market()\n got %+v\nwant %+v", got, want)
	}
}
