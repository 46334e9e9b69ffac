package textwrap

import "testing"

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "紅包": 4, "ＡＢ": 4, "e\u0301": 1, "微信支付 WeChat": 15} {
		if got := DisplayWidth(s); got != want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}
