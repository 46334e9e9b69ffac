// Package fontstest gives tests of the reports packages the fonts they draw with:
// the Chinese family (a test is skipped without one, and fails when CI=true) and
// the bundled Latin family.
package fontstest

import (
	"errors"
	"testing"

	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/reports/fonts"
)

// Chinese returns the Chinese family the machine has.
func Chinese(t testing.TB) fonts.Family {
	t.Helper()
	fam, err := fonts.Chinese("")
	if errors.Is(err, fonts.ErrNoChineseFont) {
		testenv.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fam
}

// Latin returns the bundled Latin family.
func Latin(t testing.TB) fonts.Family {
	t.Helper()
	fam, err := fonts.Latin()
	if err != nil {
		t.Fatal(err)
	}
	return fam
}
