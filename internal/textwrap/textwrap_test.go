package textwrap

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// width counts a Han character as 2 and anything else as 1.
func width(s string) float64 {
	w := 0.0
	for _, r := range s {
		if wide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// wrapCase is a text, a width and the lines it wraps into.
type wrapCase struct {
	in    string
	width float64
	want  []string
}

// testWrap checks that wrap, named name, wraps each case as it wants.
func testWrap(t *testing.T, name string, wrap func(string, func(string) float64, float64) []string, cases []wrapCase) {
	t.Helper()
	for _, tc := range cases {
		if got := wrap(tc.in, width, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("%s(%q, %v) = %q, want %q", name, tc.in, tc.width, got, tc.want)
		}
	}
}

func TestLines(t *testing.T) {
	testWrap(t, "Lines", Lines, []wrapCase{
		{"WeChat Pay and Alipay", 10, []string{"WeChat Pay", "and Alipay"}},
		{"微信支付与支付宝", 8, []string{"微信支付", "与支付宝"}},
		{"微信支付，支付宝", 8, []string{"微信支", "付，支付", "宝"}},
		{"12 家银行对 180 家银行", 12, []string{"12 家银行对", "180 家银行"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"one\n\ntwo", 10, []string{"one", "", "two"}},
		{"", 10, []string{""}},
		// A rune wider than the width is a line of its own (it used to panic alone).
		{"紅", 1, []string{"紅"}},
		{"紅包", 1, []string{"紅", "包"}},
	})
}

// No rune is lost at a break, the bug that rules out fpdf's MultiCell.
func TestLinesKeepEveryRune(t *testing.T) {
	in := strings.Repeat("除夕零点，微信红包每分钟被领取的次数达到峰值。WeChat Pay 12 banks; Alipay 180. ", 5)
	got := strings.Join(Lines(in, width, 17), "")
	strip := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	if strip(got) != strip(in) {
		t.Errorf("runes lost:\n got %q\nwant %q", strip(got), strip(in))
	}
	for _, l := range Lines(in, width, 17) {
		if width(l) > 17 {
			t.Errorf("line %q is %v wide", l, width(l))
		}
		if r, _ := utf8.DecodeRuneInString(l); strings.ContainsRune(noLineStart, r) {
			t.Errorf("line %q starts with closing punctuation", l)
		}
	}
}

func TestBalanced(t *testing.T) {
	testWrap(t, "Balanced", Balanced, []wrapCase{
		{"2014年春节微信红包：零点高峰与支付覆盖", 36, []string{"2014年春节微信红包：", "零点高峰与支付覆盖"}},
		{"WeChat Pay and Alipay", 30, []string{"WeChat Pay and Alipay"}},
		{"aaa bbb ccc ddd e", 15, []string{"aaa bbb", "ccc ddd e"}},
	})
}

// FuzzLines: any text (a bank name from a user's table, a chart title) at any width
// wraps without losing a rune but white space (dropped at breaks), into lines no wider than the
// width unless one rune is, and Balanced into as many lines as Lines.
func FuzzLines(f *testing.F) {
	f.Add("除夕零点，微信红包每分钟被领取的次数达到峰值。WeChat Pay 12 banks; Alipay 180.", 17.0)
	f.Add("（《「『【〔([{ ，。、；：？！）》」』】〕…%,.;:?!)]}", 3.0)
	f.Add("a\n\n b  c\t\u200d", 0.5)
	f.Fuzz(func(t *testing.T, s string, w float64) {
		if len(s) > 2000 || !utf8.ValidString(s) || !(w > 0 && w < 1e6) {
			return
		}
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		lines := Lines(s, width, w)
		if got, want := strip(strings.Join(lines, "")), strip(s); got != want {
			t.Fatalf("Lines(%q, %v) lost runes: %q", s, w, lines)
		}
		for _, l := range lines {
			if width(l) > w && utf8.RuneCountInString(strings.TrimSpace(l)) > 1 {
				t.Fatalf("Lines(%q, %v): line %q is %v wide", s, w, l, width(l))
			}
		}
		balanced := Balanced(s, width, w)
		if len(balanced) != len(lines) || strip(strings.Join(balanced, "")) != strip(s) {
			t.Fatalf("Balanced(%q, %v) = %q; Lines gives %q", s, w, balanced, lines)
		}
	})
}
