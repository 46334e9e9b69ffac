package refdata

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"regexp"
)

// banksCSV is the bank table. Its header comments say what is reported and what assumed.
//
//go:embed banks.csv
var banksCSV []byte

// The kinds of bank in the Kind column.
const (
	BankStateOwned     = "state-owned"     // the five large state-owned commercial banks
	BankPostal         = "postal"          // Postal Savings Bank of China
	BankJointStock     = "joint-stock"     // national joint-stock commercial banks
	BankCityCommercial = "city-commercial" // city commercial banks
	BankRural          = "rural"           // rural commercial banks and rural credit cooperative unions
	BankForeign        = "foreign"         // locally incorporated foreign banks
)

// BankKinds lists the values of Bank.Kind.
func BankKinds() []string {
	return []string{BankStateOwned, BankPostal, BankJointStock, BankCityCommercial, BankRural, BankForeign}
}

// Bank is one card-issuing bank: which provider can bind its debit cards, and its share of
// China's debit cards in early 2014. The article reports only how many banks each provider
// supports; which banks, and every share, are assumptions (see the header of BanksCSV).
type Bank struct {
	Code           string  // short ASCII code, the bank_code of card_bound, withdrawal and payment events
	NameZH         string  // name in Simplified Chinese
	NameEN         string  // name in English
	Kind           string  // one of BankKinds
	WeChatPay      bool    // WeChat Pay could bind its cards
	Alipay         bool    // Alipay could bind its cards
	DebitCardShare float64 // share of debit cards (assumed); all banks of a table sum to 1
}

var bankColumns = []string{"code", "name_zh", "name_en", "kind", "wechat_pay", "alipay", "debit_card_share"}

var bankCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,16}$`)

var embeddedBanks = embeddedTable("banks.csv", banksCSV, parseBanks)

// Banks returns the embedded bank table, 180 banks in order of debit card share, largest
// first. The caller may modify the slice.
func Banks() []Bank {
	return embeddedBanks()
}

// BanksCSV returns the embedded bank table as a CSV file, comments included, for a user to
// copy, edit and give back through ParseBanks.
func BanksCSV() []byte {
	return append([]byte(nil), banksCSV...)
}

// ParseBanks reads a bank table in the format of BanksCSV: a header line naming the columns
// code, name_zh, name_en, kind, wechat_pay, alipay, debit_card_share in any order, then one
// bank a line; lines starting with '#' are comments. Shares are weights: ParseBanks scales
// them to sum to 1, so a user can change one bank without rebalancing the others. Rows keep
// the file's order. An error is a *ParseError naming the line and column.
func ParseBanks(r io.Reader) ([]Bank, error) {
	return parseBanks("", r)
}

func parseBanks(file string, r io.Reader) ([]Bank, error) {
	recs, err := readCSV(file, r, bankColumns)
	if err != nil {
		return nil, err
	}
	banks := make([]Bank, 0, len(recs))
	lineOf := map[string]int{}
	total := 0.0
	for _, rec := range recs {
		var b Bank
		var err error
		if b.Code, err = rec.text(file, "code"); err != nil {
			return nil, err
		}
		if !bankCode.MatchString(b.Code) {
			return nil, &ParseError{File: file, Line: rec.line, Column: "code",
				Err: fmt.Errorf("%q: a code is 1 to 16 ASCII letters, digits, '_' or '-'", b.Code)}
		}
		if prev, dup := lineOf[b.Code]; dup {
			return nil, &ParseError{File: file, Line: rec.line, Column: "code",
				Err: fmt.Errorf("%q is already the code of line %d", b.Code, prev)}
		}
		lineOf[b.Code] = rec.line
		if b.NameZH, err = rec.text(file, "name_zh"); err != nil {
			return nil, err
		}
		if b.NameEN, err = rec.text(file, "name_en"); err != nil {
			return nil, err
		}
		if b.Kind, err = rec.oneOf(file, "kind", BankKinds()); err != nil {
			return nil, err
		}
		if b.WeChatPay, err = rec.boolean(file, "wechat_pay"); err != nil {
			return nil, err
		}
		if b.Alipay, err = rec.boolean(file, "alipay"); err != nil {
			return nil, err
		}
		if b.DebitCardShare, err = rec.share(file, "debit_card_share"); err != nil {
			return nil, err
		}
		total += b.DebitCardShare
		banks = append(banks, b)
	}
	if total <= 0 {
		return nil, &ParseError{File: file, Column: "debit_card_share", Err: fmt.Errorf("the shares add up to zero")}
	}
	if math.IsInf(total, 0) {
		return nil, &ParseError{File: file, Column: "debit_card_share",
			Err: fmt.Errorf("the shares add up to more than a number holds (%g is the largest); write them as fractions or percentages", math.MaxFloat64)}
	}
	// Rescale only a table that does not add up already: dividing by a sum that is 1
	// but for rounding would turn 0.15 into 0.14999999999999997.
	if math.Abs(total-1) > 1e-9 {
		for i := range banks {
			banks[i].DebitCardShare /= total
		}
	}
	return banks, nil
}
