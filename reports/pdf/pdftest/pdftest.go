// Package pdftest reads the PDFs the tests of hongbao's reports write, with the tools of
// poppler-utils (pdfinfo, pdffonts, pdftotext): a test is skipped without them, and
// fails when CI=true.
package pdftest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testenv"
)

// Run runs a tool of poppler-utils with args and returns what it printed.
func Run(t testing.TB, tool string, args ...string) string {
	t.Helper()
	return testenv.Run(t, tool, "poppler-utils", args...)
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

// Pages is the number of pages pdfinfo counts in the PDF at path.
func Pages(t testing.TB, path string) int {
	t.Helper()
	info := Run(t, "pdfinfo", path)
	m := pagesLine.FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo reports no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Text is the text of the PDF at path as pdftotext extracts it, in UTF-8; opts are
// more of its options ("-layout").
func Text(t testing.TB, path string, opts ...string) string {
	t.Helper()
	args := append([]string{"-enc", "UTF-8"}, opts...)
	return Run(t, "pdftotext", append(args, path, "-")...)
}

// PageText is the text of page n (from 1) of the PDF at path, as Text.
func PageText(t testing.TB, path string, n int, opts ...string) string {
	t.Helper()
	p := strconv.Itoa(n)
	return Text(t, path, append([]string{"-f", p, "-l", p}, opts...)...)
}

// Fonts asserts that pdffonts finds every font of the PDF at path embedded (as a
// subset) with Identity-H encoding and a Unicode map, and returns how many fonts it
// lists.
func Fonts(t testing.TB, path string) int {
	t.Helper()
	out := Run(t, "pdffonts", path)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "---") {
		t.Fatalf("unexpected pdffonts output:\n%s", out)
	}
	rows := lines[2:]
	for _, r := range rows {
		f := strings.Fields(r)
		// name type... encoding emb sub uni object ID
		if len(f) < 7 || f[len(f)-6] != "Identity-H" || f[len(f)-5] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("font not embedded as Identity-H with a Unicode map: %q", r)
		}
	}
	return len(rows)
}
