package simulate

import "fmt"

// DefaultBanks is a placeholder bank table built from the calibration: 12 banks that
// WeChat Pay supports holding the calibrated share of cards, and 168 more that only
// Alipay supports, with card shares falling off by rank. The reference data replaces
// it with named banks.
func DefaultBanks(cal *Calibration) []Bank {
	supported := cal.Banks.WeChatSupportedShare
	var banks []Bank
	weights := func(n int) []float64 {
		w := make([]float64, n)
		s := 0.0
		for i := range w {
			w[i] = 1 / float64(i+1)
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
		return w
	}
	for i, w := range weights(12) {
		banks = append(banks, Bank{Code: fmt.Sprintf("W%02d", i+1), CardShare: w * supported, WeChatPay: true, Alipay: true})
	}
	for i, w := range weights(168) {
		banks = append(banks, Bank{Code: fmt.Sprintf("A%03d", i+1), CardShare: w * (1 - supported), Alipay: true})
	}
	return banks
}
