package report

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/transform"
)

// The hand-built warehouse: a few events per table, each placed so that every
// figure of the report can be worked out by hand (see the expectations in
// data_test.go). Times are China Standard Time.
var testLake = map[string]struct {
	columns string
	rows    []string
}{
	"envelopes": {"event_id, ts, envelope_id, sender_id, chat_id, kind, total_fen, shares, kafka_partition, kafka_offset", []string{
		`'s1jy-e1', '2014-01-26 10:00:00+08', 'e1', 'u9', 'g1', 'lucky', 800, 3`,
		`'s1jy-e2', '2014-01-30 20:59:59+08', 'e2', 'u8', 'g2', 'lucky', 250, 2`,
		`'s1jy-e3', '2014-01-30 23:59:00+08', 'e3', 'u1', 'g1', 'lucky', 600, 4`,
		`'s1jy-e4', '2014-01-31 00:02:00+08', 'e4', 'u8', 'g2', 'lucky', 580, 3`,
		`'s1jy-e5', '2014-01-31 15:58:00+08', 'e5', 'u10', 'p1', 'fixed', 20, 1`,
	}},
	"grabs": {"event_id, ts, envelope_id, user_id, outcome, amount_fen, kafka_partition, kafka_offset", []string{
		`'s1jy-g01', '2014-01-26 10:00:05+08', 'e1', 'u1', 'claimed', 500`,
		`'s1jy-g02', '2014-01-26 10:00:30+08', 'e1', 'u2', 'claimed', 300`,
		`'s1jy-g03', '2014-01-26 10:01:10+08', 'e1', 'u3', 'missed', NULL`,
		`'s1jy-g04', '2014-01-30 21:00:00+08', 'e2', 'u1', 'claimed', 100`,
		`'s1jy-g05', '2014-01-30 21:00:20+08', 'e2', 'u4', 'claimed', 150`,
		`'s1jy-g06', '2014-01-30 23:59:30+08', 'e3', 'u2', 'claimed', 200`,
		`'s1jy-g07', '2014-01-31 00:00:10+08', 'e3', 'u1', 'claimed', 250`,
		`'s1jy-g08', '2014-01-31 00:00:20+08', 'e3', 'u3', 'claimed', 50`,
		`'s1jy-g09', '2014-01-31 00:00:40+08', 'e3', 'u5', 'missed', NULL`,
		`'s1jy-g10', '2014-01-31 00:00:50+08', 'e3', 'u6', 'missed', NULL`,
		`'s1jy-g16', '2014-01-31 00:00:55+08', 'e3', 'u7', 'claimed', 100`,
		`'s1jy-g11', '2014-01-31 00:03:00+08', 'e4', 'u4', 'claimed', 400`,
		`'s1jy-g12', '2014-01-31 00:04:59+08', 'e4', 'u6', 'missed', NULL`,
		`'s1jy-g13', '2014-01-31 00:05:00+08', 'e4', 'u5', 'claimed', 100`,
		`'s1jy-g14', '2014-01-31 03:00:00+08', 'e4', 'u2', 'claimed', 80`,
		`'s1jy-g15', '2014-01-31 15:59:00+08', 'e5', 'u7', 'claimed', 20`,
	}},
	"card_bindings": {"event_id, ts, user_id, provider, bank_code, outcome, kafka_partition, kafka_offset", []string{
		`'s1jy-b1', '2014-01-26 11:00:00+08', 'u1', 'wechat_pay', 'ICBC', 'ok'`,
		`'s1jy-b2', '2014-01-26 12:00:00+08', 'u2', 'wechat_pay', 'HXB', 'bank_not_supported'`,
		`'s1jy-b3', '2014-01-26 12:30:00+08', 'u2', 'wechat_pay', 'CMB', 'ok'`,
		`'s1jy-b4', '2014-01-30 22:00:00+08', 'u4', 'wechat_pay', 'HXB', 'bank_not_supported'`,
		`'s1jy-b5', '2014-01-31 01:00:00+08', 'u3', 'wechat_pay', 'ABC', 'ok'`,
		`'s1jy-b6', '2014-01-31 01:30:00+08', 'u5', 'alipay', 'HXB', 'ok'`,
		`'s1jy-b7', '2014-01-31 02:00:00+08', 'u6', 'alipay', 'DBS', 'bank_not_supported'`,
		`'s1jy-b8', '2014-01-31 03:00:00+08', 'u9', 'wechat_pay', 'ICBC', 'ok'`,
	}},
	"withdrawals": {"event_id, ts, user_id, provider, bank_code, amount_fen, kafka_partition, kafka_offset", []string{
		`'s1jy-w1', '2014-01-26 15:00:00+08', 'u1', 'wechat_pay', 'ICBC', 500`,
		`'s1jy-w2', '2014-01-31 05:00:00+08', 'u3', 'wechat_pay', 'ABC', 50`,
		`'s1jy-w3', '2014-01-31 06:00:00+08', 'u9', 'wechat_pay', 'ICBC', 10`,
	}},
	"payments": {"event_id, ts, user_id, provider, scenario, amount_fen, bank_code, kafka_partition, kafka_offset", []string{
		`'s1jy-p1', '2014-01-27 10:00:00+08', 'u1', 'wechat_pay', 'hongbao_send', 1000, 'ICBC'`,
		`'s1jy-p2', '2014-01-28 10:00:00+08', 'u1', 'wechat_pay', 'taxi', 2000, 'ICBC'`,
		`'s1jy-p3', '2014-01-30 10:00:00+08', 'u2', 'wechat_pay', 'hongbao_send', 500, 'CMB'`,
		`'s1jy-p4', '2014-01-29 10:00:00+08', 'u5', 'alipay', 'ecommerce', 3000, 'HXB'`,
		`'s1jy-p5', '2014-01-30 10:00:00+08', 'u5', 'alipay', 'ecommerce', 1000, 'HXB'`,
		`'s1jy-p6', '2014-01-31 10:00:00+08', 'u5', 'alipay', 'mystery', 700, 'HXB'`,
	}},
	"links": {"event_id, ts, user_id, chat_id, url, kafka_partition, kafka_offset", []string{
		`'s1jy-l1', '2014-01-27 09:00:00+08', 'u3', 'g1', 'http://hongbao-1.example.invalid/claim?id=1'`,
		`'s1jy-l2', '2014-01-30 22:00:00+08', 'u4', 'g2', 'https://evil.example.com/x'`,
		`'s1jy-l3', '2014-01-30 23:00:00+08', 'u4', 'g1', 'http://weixin.qq.com/hongbao?x=1'`,
		`'s1jy-l4', '2014-01-31 01:00:00+08', 'u6', 'p9', 'http://hongbao-1.example.invalid/claim?id=2'`,
	}},
}

// testBanks is the hand-built bank table, a user's DIR/banks.csv: shares
// sum to 1 and, largest first, are ICBC 0.4, ABC 0.3, HXB 0.15, CMB 0.1,
// DBS 0.05.
const testBanks = `code,name_zh,name_en,kind,wechat_pay,alipay,debit_card_share
ICBC,中国工商银行,Industrial and Commercial Bank of China,state-owned,true,true,0.4
ABC,中国农业银行,Agricultural Bank of China,state-owned,true,true,0.3
CMB,招商银行,China Merchants Bank,joint-stock,true,true,0.1
HXB,华夏银行,Hua Xia Bank,joint-stock,false,true,0.15
DBS,星展银行（中国）,DBS Bank (China),foreign,false,false,0.05
`

var (
	testDirOnce sync.Once
	testDir     string
	testDirErr  error
)

// testWarehouse returns the data folder of the hand-built warehouse, built
// once per test binary: Parquet files written with DuckDB COPY into
// DIR/lake, the bank table as DIR/banks.csv, then transform's Refresh, as
// 'hongbao transform' does. Tests only read it.
func testWarehouse(t *testing.T) string {
	t.Helper()
	testDirOnce.Do(func() {
		testDir, testDirErr = os.MkdirTemp("", "hongbao-report-test-")
		if testDirErr == nil {
			testDirErr = buildWarehouse(testDir)
		}
	})
	if testDirErr != nil {
		t.Fatal(testDirErr)
	}
	return testDir
}

func buildWarehouse(dir string) error {
	mem, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer mem.Close()
	for table, l := range testLake {
		folder := filepath.Join(dir, "lake", table)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return err
		}
		rows := make([]string, len(l.rows))
		for i, r := range l.rows {
			// Kafka position: partition 0, offset = row number.
			rows[i] = fmt.Sprintf("(%s, 0, %d)", r, i)
		}
		cols := strings.Split(l.columns, ", ")
		casts := make([]string, len(cols))
		for i, c := range cols {
			casts[i] = c
			switch c {
			case "ts":
				casts[i] = "CAST(ts AS TIMESTAMPTZ) AS ts"
			case "total_fen", "amount_fen", "kafka_offset":
				casts[i] = "CAST(" + c + " AS BIGINT) AS " + c
			case "shares", "kafka_partition":
				casts[i] = "CAST(" + c + " AS INTEGER) AS " + c
			}
		}
		q := fmt.Sprintf("COPY (SELECT %s FROM (VALUES %s) AS t(%s)) TO '%s' (FORMAT parquet, COMPRESSION zstd)",
			strings.Join(casts, ", "), strings.Join(rows, ",\n"), l.columns, filepath.ToSlash(filepath.Join(folder, "p0-0.parquet")))
		if _, err := mem.Exec(q); err != nil {
			return fmt.Errorf("write lake table %s: %w", table, err)
		}
	}
	if err := os.WriteFile(datadir.Dir(dir).Banks(), []byte(testBanks), 0o644); err != nil {
		return err
	}
	w, err := transform.Open(dir)
	if err != nil {
		return err
	}
	if err := w.Refresh(context.Background()); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// openTest opens the hand-built warehouse read-only for one test.
func openTest(t *testing.T) *sql.DB {
	t.Helper()
	w, err := transform.OpenReadOnly(testWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w.DB()
}

// testRun reads the run of the test warehouse, which has no run record, as collect
// does before the sections.
func testRun(t *testing.T) RunInfo {
	t.Helper()
	ri, err := runInfo(context.Background(), openTest(t), datadir.Dir(testWarehouse(t)))
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testDir != "" {
		os.RemoveAll(testDir)
	}
	os.Exit(code)
}
