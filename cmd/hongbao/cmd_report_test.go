package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/reports/report"
)

func TestRunReportEnglish(t *testing.T) {
	g := sqlTestWarehouse(t)
	var out bytes.Buffer
	res, err := runReport(context.Background(), g, &reportOptions{lang: "en"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(g.dir, "reports", report.FileName)
	if res.PDF != want || res.Pages < 8 || len(res.Charts) < 5 {
		t.Errorf("result %+v, want %s with at least 8 pages and 5 charts", res, want)
	}
	if info, err := os.Stat(want); err != nil || info.Size() == 0 {
		t.Errorf("no PDF at %s: %v", want, err)
	}
	if !strings.Contains(out.String(), want) {
		t.Errorf("output does not name the PDF:\n%s", out.String())
	}
}

func TestRunReportRejectsLang(t *testing.T) {
	_, err := runReport(context.Background(), &globalOptions{dir: t.TempDir()}, &reportOptions{lang: "fr"}, new(bytes.Buffer))
	if !isUsage(err) || !strings.Contains(err.Error(), "zh, en or both") {
		t.Errorf("--lang fr: err = %v, want a usage error naming zh, en or both", err)
	}
}
