package locale

import (
	"math"
	"testing"
)

func TestGroup(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999": "999", "1000": "1,000", "-1234": "-1,234", "75000000.5": "75,000,000.5",
		"1234567.125": "1,234,567.125", "1e+20": "1e+20", "12345e3": "12345e3", "NaN": "NaN", "+Inf": "+Inf",
		"abcd": "abcd", "": "", "2014": "2,014", "12": "12", "1e+300": "1e+300", "0.9491": "0.9491",
		"-75000000.5": "-75,000,000.5",
	} {
		if got := Group(in); got != want {
			t.Errorf("Group(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 7969: "7,969", -1000: "-1,000", 100_000_000: "100,000,000", -999: "-999"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFixed(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{
		{7969.4, 0, "7,969"}, {7969.5, 0, "7,970"}, {10.7, 2, "10.70"}, {1234567.891, 1, "1,234,567.9"},
		{-1234.5, 2, "-1,234.50"}, {-0.4, 0, "0"}, {-0.004, 2, "0.00"}, {-0.006, 2, "-0.01"},
		{math.NaN(), 2, "NaN"}, {math.Inf(-1), 0, "-Inf"},
	} {
		if got := Fixed(c.v, c.d); got != c.want {
			t.Errorf("Fixed(%v, %d) = %q, want %q", c.v, c.d, got, c.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{1234567, "1,234,567"}, {0.25, "0.25"}, {-1500.5, "-1,500.5"}, {2.999, "3"}, {0.001, "0"},
		{-0.001, "0"}, {-0.5, "-0.5"}, {1234.567, "1,234.57"}, {10.7, "10.7"}, {9412, "9,412"}, {0, "0"}, {118737.09, "118,737.09"}, {100, "100"}, {math.Inf(1), "+Inf"},
	} {
		if got := Number(c.v); got != c.want {
			t.Errorf("Number(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
