package locale

import "testing"

func TestLang(t *testing.T) {
	for _, c := range []struct {
		l          Lang
		pick, fmtd string
	}{
		{Chinese, "领取", "3 次"}, {English, "claims", "3 times"}, {"", "claims", "3 times"},
	} {
		if got := c.l.Pick("领取", "claims"); got != c.pick {
			t.Errorf("%q.Pick = %q, want %q", c.l, got, c.pick)
		}
		if got := c.l.Sprintf("%d 次", "%d times", 3); got != c.fmtd {
			t.Errorf("%q.Sprintf = %q, want %q", c.l, got, c.fmtd)
		}
	}
}
