package simulate

import "github.com/hongbao/hongbao/refdata"

// DefaultBanks is the reference data's bank table: about 180 banks with assumed
// debit-card shares, 12 of them bindable by WeChat Pay in early 2014.
func DefaultBanks() []Bank { return BanksFrom(refdata.Banks()) }

// BanksFrom turns reference-data banks (for example a user's --banks file) into the
// simulator's table.
func BanksFrom(rb []refdata.Bank) []Bank {
	banks := make([]Bank, len(rb))
	for i, b := range rb {
		banks[i] = Bank{Code: b.Code, CardShare: b.DebitCardShare, WeChatPay: b.WeChatPay, Alipay: b.Alipay}
	}
	return banks
}

// DefaultScenarios weights each provider's payment scenarios as the reference data does.
func DefaultScenarios() *Scenarios {
	s := &Scenarios{WeChatPay: map[string]float64{}, Alipay: map[string]float64{}}
	for _, sc := range refdata.Scenarios() {
		switch sc.Provider {
		case "wechat_pay":
			s.WeChatPay[sc.Code] += sc.Weight
		case "alipay":
			s.Alipay[sc.Code] += sc.Weight
		}
	}
	return s
}
