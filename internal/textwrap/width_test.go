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
	for keepLines, cases := range map[bool]map[string]string{
		false: {
			"red\x1b[31m!\a":            `red\u{1b}[31m!\u{7}`,
			"abc\u202efed\u2066x\u2069": `abc\u{202e}fed\u{2066}x\u{2069}`,
			"line 1\n\tline 2":          `line 1\u{a}\u{9}line 2`,
			"紅　包 ok \u200d":             "紅　包 ok \u200d",
		},
		true: {
			"\x1b]52;c;cm0=\a\u009b2J": `\u{1b}]52;c;cm0=\u{7}\u{9b}2J`,
			"line 1\n\tline 2\rover":   "line 1\n\tline 2\\u{d}over",
		},
	} {
		for in, want := range cases {
			if got := Inert(in, keepLines); got != want {
				t.Errorf("Inert(%q, %v) = %q, want %q", in, keepLines, got, want)
			}
		}
	}
}
