package refdata

import "fmt"

// MarketFigure is one reported figure about China's mobile-payment market, or about the
// context the article places red envelopes in. None is derivable from event data.
type MarketFigure struct {
	Year     int     // the year the figure is about
	Metric   string  // what is measured: "mobile_payments_count", "mobile_payments_amount", ...
	Unit     string  // "transactions", "yuan", "users", "platforms"
	Value    float64 // the reported number
	Bound    string  // as in Fact.Bound
	Forecast bool    // a forecast, not a measurement
	Source   string  // who reported it
	FactID   string  // the fact in the registry
}

// marketRows names the market figures; the numbers and sources come from the facts
// registry, so they are written down once.
var marketRows = []struct {
	year     int
	metric   string
	forecast bool
	fact     string
}{
	{2012, "mobile_payments_count", false, "mobile_payments_2012_count"},
	{2012, "mobile_payments_amount", false, "mobile_payments_2012_amount"},
	{2013, "mobile_payments_amount", true, "mobile_payments_2013_market"},
	{2014, "wechat_users", false, "wechat_platform_users"},
	{2014, "p2p_platforms_in_payment_crisis", false, "p2p_platform_crises"},
}

// Market returns the mobile-payment market figures: China's mobile payments in 2012 (count
// and amount), the 2013 forecast, and as context WeChat's user base and the P2P lending
// platforms in payment crisis in early 2014.
func Market() []MarketFigure {
	out := make([]MarketFigure, 0, len(marketRows))
	for _, m := range marketRows {
		f, ok := Lookup(m.fact)
		if !ok {
			panic(fmt.Sprintf("refdata: market figure %s: no fact %s", m.metric, m.fact))
		}
		out = append(out, MarketFigure{Year: m.year, Metric: m.metric, Unit: f.Unit, Value: f.Value,
			Bound: f.Bound, Forecast: m.forecast, Source: f.Source, FactID: f.ID})
	}
	return out
}
