package refdata

import (
	_ "embed"
	"fmt"
	"io"
	"math"
)

//go:embed scenarios.csv
var scenariosCSV []byte

// The payment providers, as in the provider field of events.
const (
	ProviderWeChatPay = "wechat_pay"
	ProviderAlipay    = "alipay"
)

// The values of Scenario.Source.
const (
	SourceReported = "reported" // named in the source article
	SourceAssumed  = "assumed"  // a hongbao assumption
)

// Scenario is one payment scenario of a provider and its assumed share of that provider's
// payments.
type Scenario struct {
	Provider string  // ProviderWeChatPay or ProviderAlipay
	Code     string  // ASCII code, the scenario of payment events
	NameZH   string  // name in Simplified Chinese
	NameEN   string  // name in English
	Source   string  // SourceReported if the article names it, else SourceAssumed
	Weight   float64 // share of the provider's payments (assumed); each provider's sum to 1
}

var scenarioColumns = []string{"provider", "code", "name_zh", "name_en", "source", "weight"}

var embeddedScenarios = embeddedTable("scenarios.csv", scenariosCSV, parseScenarios)

// Scenarios returns the payment scenarios in table order, WeChat Pay's first. The caller may
// modify the slice.
func Scenarios() []Scenario {
	return embeddedScenarios()
}

func parseScenarios(file string, r io.Reader) ([]Scenario, error) {
	recs, err := readCSV(file, r, scenarioColumns)
	if err != nil {
		return nil, err
	}
	var out []Scenario
	seen := map[string]int{}
	sum := map[string]float64{}
	for _, rec := range recs {
		var s Scenario
		var err error
		if s.Provider, err = rec.oneOf(file, "provider", []string{ProviderWeChatPay, ProviderAlipay}); err != nil {
			return nil, err
		}
		if s.Code, err = rec.text(file, "code"); err != nil {
			return nil, err
		}
		if prev, dup := seen[s.Provider+"/"+s.Code]; dup {
			return nil, &ParseError{File: file, Line: rec.line, Column: "code",
				Err: fmt.Errorf("%s scenario %q is already on line %d", s.Provider, s.Code, prev)}
		}
		seen[s.Provider+"/"+s.Code] = rec.line
		if s.NameZH, err = rec.text(file, "name_zh"); err != nil {
			return nil, err
		}
		if s.NameEN, err = rec.text(file, "name_en"); err != nil {
			return nil, err
		}
		if s.Source, err = rec.oneOf(file, "source", []string{SourceReported, SourceAssumed}); err != nil {
			return nil, err
		}
		if s.Weight, err = rec.share(file, "weight"); err != nil {
			return nil, err
		}
		sum[s.Provider] += s.Weight
		out = append(out, s)
	}
	for p, w := range sum {
		if math.Abs(w-1) > 1e-9 {
			return nil, &ParseError{File: file, Column: "weight", Err: fmt.Errorf("the %s weights add up to %g, not 1", p, w)}
		}
	}
	return out, nil
}
