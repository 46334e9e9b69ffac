package textwrap

import "testing"

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "紅包": 4, "ＡＢ": 4, "e\u0301": 1, "微信支付 WeChat": 15} {
		if got := DisplayWidth(s); got != want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestInert: what a terminal would act on is written as \u{XX}; with keepLines a
// message keeps its line breaks and tabs; other text, Chinese and the ideographic space
// included, is returned as it is.
func TestInert(t *testing.T) {
	for _, tc := range []struct {
		in        string
		keepLines bool
		want      string
	}{
		{"red\x1b[31m!\a", false, `red\u{1b}[31m!\u{7}`},
		{"\x1b]52;c;cm0=\a\u009b2J", true, `\u{1b}]52;c;cm0=\u{7}\u{9b}2J`},
		{"abc\u202efed\u2066x\u2069", false, `abc\u{202e}fed\u{2066}x\u{2069}`},
		{"line 1\n\tline 2\rover", true, "line 1\n\tline 2\\u{d}over"},
		{"line 1\n\tline 2", false, `line 1\u{a}\u{9}line 2`},
		{"紅　包 ok \u200d", false, "紅　包 ok \u200d"},
	} {
		if got := Inert(tc.in, tc.keepLines); got != tc.want {
			t.Errorf("Inert(%q, %v) = %q, want %q", tc.in, tc.keepLines, got, tc.want)
		}
	}
}
