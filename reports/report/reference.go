package report

import (
	"fmt"

	"github.com/hongbao/hongbao/refdata"
)

// This file is the report's only door to the reference data: the article's
// figures and consistency notes, and the built-in bank and scenario tables.

type fact = refdata.Fact

// lookupFact returns the reported figure id, or an error naming it.
func lookupFact(id string) (fact, error) {
	f, ok := refdata.Lookup(id)
	if !ok {
		return fact{}, fmt.Errorf("the facts registry (refdata) has no figure %q", id)
	}
	return f, nil
}

// mustFact is lookupFact for ids the report is built around: a registry
// without them is a programming error caught by the tests.
func mustFact(id string) fact {
	f, err := lookupFact(id)
	if err != nil {
		panic(err)
	}
	return f
}

func refBanks() []refdata.Bank         { return refdata.Banks() }
func refScenarios() []refdata.Scenario { return refdata.Scenarios() }
func refNotes() []refdata.Note         { return refdata.Notes() }

// refMarket returns the mobile-payment market by year, from the market
// figures counted in transactions or yuan.
func refMarket() []MarketYear {
	var out []MarketYear
	idx := map[int]int{}
	for _, m := range refdata.Market() {
		if m.Metric != "mobile_payments_count" && m.Metric != "mobile_payments_amount" {
			continue
		}
		i, ok := idx[m.Year]
		if !ok {
			i = len(out)
			idx[m.Year] = i
			out = append(out, MarketYear{Year: m.Year})
		}
		y := &out[i]
		switch m.Metric {
		case "mobile_payments_count":
			y.Transactions = m.Value
		case "mobile_payments_amount":
			y.AmountYuan, y.Bound = m.Value, m.Bound
		}
		y.Forecast = y.Forecast || m.Forecast
	}
	return out
}
