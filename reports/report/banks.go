package report

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/chart"
)

// BankData holds bank coverage: which share of users each provider can serve
// given the banks it binds, what the unsupported banks cost in bindings, and
// how the answer moves with the card-share assumption.
type BankData struct {
	// Banks is the bank table (assumed card shares, scaled to sum to 1), by
	// card share, largest first.
	Banks []Bank `json:"banks"`
	// TableSource is "warehouse" when the table came from the warehouse's
	// banks table, "refdata" when from the built-in reference data.
	TableSource string `json:"table_source"`
	// WeChatPayBanks and AlipayBanks count the banks each provider binds in
	// the table; ReportedWeChatPay and ReportedAlipay are the article's 12
	// and ~180.
	WeChatPayBanks    int     `json:"wechat_pay_banks"`
	AlipayBanks       int     `json:"alipay_banks"`
	ReportedWeChatPay float64 `json:"reported_wechat_pay"`
	ReportedAlipay    float64 `json:"reported_alipay"`
	// AssumedWeChatPay and AssumedAlipay are the shares of cards from banks
	// each provider binds, under the assumed card shares.
	AssumedWeChatPay float64 `json:"assumed_wechat_pay"`
	AssumedAlipay    float64 `json:"assumed_alipay"`
	// Providers are the computed binding outcomes of WeChat Pay, then Alipay.
	Providers []BindingOutcome `json:"providers"`
	// LostByBank are the banks with the most WeChat Pay bindings rejected
	// as unsupported, at most 8.
	LostByBank []BankLoss `json:"lost_by_bank"`
	// Curve is the share of cards covered by the n largest banks, n = 1 …
	// len(Banks), under the assumed shares, flatter and steeper ones, and the
	// cards seen in the data.
	Curve []CoveragePoint `json:"curve"`
	// Sensitivity is the coverage of each provider's banks under each
	// card-share variant: flatter, assumed, steeper.
	Sensitivity []Sensitivity `json:"sensitivity"`
}

// Bank is one row of the bank table.
type Bank struct {
	Code      string  `json:"code"`
	NameZH    string  `json:"name_zh"`
	NameEN    string  `json:"name_en"`
	WeChatPay bool    `json:"wechat_pay"`
	Alipay    bool    `json:"alipay"`
	Share     float64 `json:"share"`
}

// BindingOutcome is what the events say about one provider's bindings.
type BindingOutcome struct {
	Provider string `json:"provider"`
	// Users tried to bind a card; FirstOK of them succeeded with their
	// first card, so FirstOK/Users is the share of users whose bank the
	// provider supports.
	Users   int64 `json:"users"`
	FirstOK int64 `json:"first_ok"`
	// Rejected counts bindings refused as bank_not_supported; LostUsers
	// were refused and never bound; Recovered were refused, then bound
	// another card.
	Rejected  int64 `json:"rejected"`
	LostUsers int64 `json:"lost_users"`
	Recovered int64 `json:"recovered"`
}

// SupportedShare is FirstOK / Users.
func (o BindingOutcome) SupportedShare() float64 { return share(float64(o.FirstOK), float64(o.Users)) }

// BankLoss is the WeChat Pay bindings rejected for one bank.
type BankLoss struct {
	Code     string `json:"code"`
	NameZH   string `json:"name_zh"` // empty when the code is not in the bank table
	NameEN   string `json:"name_en"`
	Rejected int64  `json:"rejected"`
	Users    int64  `json:"users"`
}

// CoveragePoint is the share of cards the n largest banks cover.
type CoveragePoint struct {
	Banks    int     `json:"banks"`
	Flatter  float64 `json:"flatter"`
	Assumed  float64 `json:"assumed"`
	Steeper  float64 `json:"steeper"`
	Observed float64 `json:"observed"` // users' first cards in the data, banks in order of users
}

// Sensitivity is the coverage under one card-share variant.
type Sensitivity struct {
	Variant   string  `json:"variant"` // flatter, assumed, steeper
	Exponent  float64 `json:"exponent"`
	Top12     float64 `json:"top12"`  // the 12 largest banks
	Top180    float64 `json:"top180"` // the 180 largest banks
	WeChatPay float64 `json:"wechat_pay"`
	Alipay    float64 `json:"alipay"`
}

// Card-share variants: each share is raised to the exponent and the shares
// rescaled to sum to 1, so flatter spreads cards over more banks and steeper
// concentrates them in the largest.
var variants = []struct {
	name string
	exp  float64
}{{"flatter", 2.0 / 3}, {"assumed", 1}, {"steeper", 1.5}}

// bankData reads the bank table and the card bindings.
func bankData(ctx context.Context, src *source) (BankData, error) {
	db := src.db
	var d BankData
	var err error
	if d.Banks, d.TableSource, err = bankTable(ctx, db); err != nil {
		return d, err
	}
	for _, b := range d.Banks {
		if b.WeChatPay {
			d.WeChatPayBanks++
			d.AssumedWeChatPay += b.Share
		}
		if b.Alipay {
			d.AlipayBanks++
			d.AssumedAlipay += b.Share
		}
	}
	for id, v := range map[string]*float64{"wechat_pay_banks": &d.ReportedWeChatPay, "alipay_banks": &d.ReportedAlipay} {
		f, err := lookupFact(id)
		if err != nil {
			return d, err
		}
		*v = f.Value
	}

	d.Providers = []BindingOutcome{{Provider: wechatPay}, {Provider: alipay}}
	err = scanProviders(ctx, db, reportSQL.Query("binding_outcomes"), d.Providers, func(o *BindingOutcome) []any {
		return []any{&o.Provider, &o.Users, &o.FirstOK, &o.Rejected, &o.LostUsers, &o.Recovered}
	})
	if err != nil {
		return d, fmt.Errorf("binding outcomes: %w", err)
	}

	byCode := map[string]Bank{}
	for _, b := range d.Banks {
		byCode[b.Code] = b
	}
	err = eachRow(ctx, db, reportSQL.Query("refused_by_bank"), func(scan func(...any) error) error {
		var l BankLoss
		if err := scan(&l.Code, &l.Rejected, &l.Users); err != nil {
			return err
		}
		if b, ok := byCode[l.Code]; ok {
			l.NameZH, l.NameEN = b.NameZH, b.NameEN
		}
		d.LostByBank = append(d.LostByBank, l)
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("rejected bindings by bank: %w", err)
	}

	// Cards seen in the data: each user's first card, any provider.
	observed, err := observedShares(ctx, db)
	if err != nil {
		return d, err
	}
	shares := make([]float64, len(d.Banks))
	for i, b := range d.Banks {
		shares[i] = b.Share
	}
	curves := make([][]float64, len(variants))
	for vi, v := range variants {
		s := reshape(shares, v.exp)
		curves[vi] = cumulative(s)
		sens := Sensitivity{Variant: v.name, Exponent: v.exp}
		for i, b := range d.Banks {
			if b.WeChatPay {
				sens.WeChatPay += s[i]
			}
			if b.Alipay {
				sens.Alipay += s[i]
			}
		}
		sens.Top12 = coverageAt(curves[vi], 12)
		sens.Top180 = coverageAt(curves[vi], 180)
		d.Sensitivity = append(d.Sensitivity, sens)
	}
	obs := cumulative(observed)
	for n := 1; n <= len(d.Banks); n++ {
		d.Curve = append(d.Curve, CoveragePoint{Banks: n, Flatter: curves[0][n-1], Assumed: curves[1][n-1], Steeper: curves[2][n-1], Observed: coverageAt(obs, n)})
	}
	return d, nil
}

// bankTable reads the warehouse's banks table, or the built-in reference
// table when the warehouse has none, with shares scaled to sum to 1, largest
// first.
func bankTable(ctx context.Context, db *sql.DB) ([]Bank, string, error) {
	var banks []Bank
	source := "refdata"
	var n int
	err := db.QueryRowContext(ctx, reportSQL.Query("bank_table_columns")).Scan(&n)
	if err != nil {
		return nil, "", fmt.Errorf("look for the banks table: %w", err)
	}
	if n == 6 {
		err := eachRow(ctx, db, reportSQL.Query("bank_table"), func(scan func(...any) error) error {
			var b Bank
			if err := scan(&b.Code, &b.NameZH, &b.NameEN, &b.WeChatPay, &b.Alipay, &b.Share); err != nil {
				return err
			}
			banks = append(banks, b)
			return nil
		})
		if err != nil {
			return nil, "", fmt.Errorf("read the banks table: %w", err)
		}
		source = "warehouse"
	}
	if len(banks) == 0 {
		source = "refdata"
		for _, r := range refBanks() {
			banks = append(banks, Bank{Code: r.Code, NameZH: r.NameZH, NameEN: r.NameEN, WeChatPay: r.WeChatPay, Alipay: r.Alipay, Share: r.DebitCardShare})
		}
	}
	total := 0.0
	for _, b := range banks {
		total += max(b.Share, 0)
	}
	if total <= 0 {
		return nil, "", fmt.Errorf("the bank table (%s) has no positive card shares", source)
	}
	for i := range banks {
		banks[i].Share = max(banks[i].Share, 0) / total
	}
	slices.SortStableFunc(banks, func(a, b Bank) int { return cmp.Compare(b.Share, a.Share) })
	return banks, source, nil
}

// observedShares are the shares of users by the bank of their first card
// (first binding attempt, any provider), largest first.
func observedShares(ctx context.Context, db *sql.DB) ([]float64, error) {
	var counts []float64
	total := 0.0
	err := eachRow(ctx, db, reportSQL.Query("first_cards"), func(scan func(...any) error) error {
		var n int64
		if err := scan(&n); err != nil {
			return err
		}
		counts = append(counts, float64(n))
		total += float64(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("users by card bank: %w", err)
	}
	for i := range counts {
		counts[i] /= total
	}
	return counts, nil
}

// reshape raises each share to exp and rescales the shares to sum to 1.
func reshape(shares []float64, exp float64) []float64 {
	out := make([]float64, len(shares))
	total := 0.0
	for i, s := range shares {
		out[i] = math.Pow(s, exp)
		total += out[i]
	}
	for i := range out {
		out[i] /= total
	}
	return out
}

// cumulative returns the running sums of shares sorted largest first.
func cumulative(shares []float64) []float64 {
	s := append([]float64(nil), shares...)
	slices.SortFunc(s, func(a, b float64) int { return cmp.Compare(b, a) })
	acc := 0.0
	for i, v := range s {
		acc += v
		s[i] = acc
	}
	return s
}

// coverageAt is curve[n-1], the coverage of the n largest banks; past the end it is
// the last value (every bank covered), and 0 for an empty curve.
func coverageAt(curve []float64, n int) float64 {
	if len(curve) == 0 {
		return 0
	}
	return curve[min(n, len(curve))-1]
}

// variantNames name the card-share variants.
var variantNames = map[string][2]string{
	"flatter": {"更平（指数 2/3）", "flatter (exponent 2/3)"},
	"assumed": {"假设份额", "assumed shares"},
	"steeper": {"更陡（指数 3/2）", "steeper (exponent 3/2)"},
}

// banks renders section 4: 12 banks against about 180.
func (p *part) banks() {
	l, d, ri, doc := p.l, p.d.Banks, p.d.Method.Run, p.doc
	scale := sig(ri.Scale, 4)
	doc.PageBreak()
	doc.Heading(1, l.Pick("四、银行覆盖：12 家对约 180 家", "4 Bank coverage: 12 banks against about 180"))
	wp, ap := byProvider(d.Providers)
	doc.Paragraph(l.Sprintf("微信支付只接入了 12 家银行，支付宝接入的银行近 180 家（%s）。文章没有说是哪 12 家，也没有给出各银行的借记卡份额："+
		"银行参考表假设这 12 家是最大的零售银行，共持有 %s 的借记卡（假设值）。按此假设，微信支付能覆盖 %s 的持卡用户，支付宝能覆盖 %s（假设值）。"+
		"在事件数据中，尝试绑定微信支付的 %s 位用户里有 %s 第一张卡就绑定成功（计算值）。",
		"WeChat Pay could bind cards of 12 banks, Alipay of nearly 180 (%s). The article names neither the 12 banks nor any bank's share of debit cards: "+
			"the bank table assumes the 12 were the largest retail banks, holding %s of debit cards (assumed). Under that assumption WeChat Pay reaches %s of card holders and Alipay %s (assumed). "+
			"In the event data, of the %s users who tried to bind a card to WeChat Pay, %s succeeded with their first card (computed).",
		p.reported(), pct(sumTop(d.Banks, 12)), pct(d.AssumedWeChatPay), pct(d.AssumedAlipay), locale.Int(wp.Users), pct(wp.SupportedShare())))

	p.chart("banks-reach", &chart.Bar{
		Title:  l.Pick("持卡用户中开户银行获支持的比例", "Share of card holders whose bank each provider supports"),
		YLabel: l.Pick("用户（%）", "users (%)"),
		Source: l.Sprintf("来源：银行借记卡份额参考表（%s）；事件数据中每位用户第一次绑卡的结果（计算值），规模 %s。",
			"Source: bank table of debit card shares (%s); outcome of each user's first binding in the event data (computed), scale %s.", p.assumedShort(), scale),
		Categories: []string{
			l.Sprintf("微信支付（%s 家银行）", "WeChat Pay (%s banks)", locale.Number(d.ReportedWeChatPay)),
			l.Sprintf("支付宝（约 %s 家银行）", "Alipay (about %s banks)", locale.Number(d.ReportedAlipay)),
		},
		Groups: []chart.BarGroup{
			{Name: l.Pick("假设：按借记卡份额", "assumed: from debit card shares"), Values: []float64{round1(100 * d.AssumedWeChatPay), round1(100 * d.AssumedAlipay)}, Color: chart.Palette[4]},
			{Name: l.Pick("计算：第一张卡绑定成功", "computed: first card bound"), Values: []float64{round1(100 * wp.SupportedShare()), round1(100 * ap.SupportedShare())}, Color: chart.Palette[0]},
		},
		ValueLabels: true,
		Format:      percentFormat,
	}, 8*vg.Centimeter)
	doc.Note(l.Sprintf("支付宝的绑卡事件只有 %s 位用户（模拟参数，假设值），其计算值反映的是模拟所用的银行表，而不是 2014 年的实际情况。",
		"Only %s users bound cards to Alipay in the data (a simulation parameter, assumed): its computed bar reflects the simulator's bank table, not 2014.", locale.Int(ap.Users)))

	doc.Heading(2, l.Pick("因银行不支持而失去的绑卡", "Bindings lost to unsupported banks"))
	doc.Paragraph(l.Sprintf("微信支付有 %s 次绑卡因银行不支持而失败（计算值）：%s 位用户从未绑卡成功，%s 位用户换了另一张卡后成功。",
		"WeChat Pay refused %s bindings because the bank was not supported (computed): %s users never bound a card, %s bound another card afterwards.",
		locale.Int(wp.Rejected), locale.Int(wp.LostUsers), locale.Int(wp.Recovered)))
	if len(d.LostByBank) > 0 {
		lt := table(col(l.Pick("银行", "Bank"), 3, false), col(l.Pick("失败的绑卡（计算值）", "Refused bindings (computed)"), 1.5, true), col(l.Pick("用户（计算值）", "Users (computed)"), 1.2, true))
		named := 0
		for i, b := range d.LostByBank {
			if i == 5 {
				break
			}
			name := p.data(b.Code)
			if b.NameEN != "" {
				name = p.ref(b.NameZH, b.NameEN) + " (" + name + ")"
				named++
			}
			lt.Rows = append(lt.Rows, []string{name, locale.Int(b.Rejected), locale.Int(b.Users)})
		}
		doc.Table(lt)
		if named == 0 {
			doc.Note(l.Pick("这些银行代码不在银行参考表中：生成数据时模拟器使用的是另一张银行表。",
				"These bank codes are not in the bank table: the data were generated with another bank table."))
		}
	}

	// The coverage curve.
	doc.PageBreak()
	doc.Heading(2, l.Pick("覆盖曲线：接入多少家银行才够", "The coverage curve: how many banks are enough"))
	var xs, assumedY, flatY, steepY, obsY []float64
	for _, c := range d.Curve {
		xs = append(xs, float64(c.Banks))
		assumedY = append(assumedY, 100*c.Assumed)
		flatY = append(flatY, 100*c.Flatter)
		steepY = append(steepY, 100*c.Steeper)
		obsY = append(obsY, 100*c.Observed)
	}
	var notes []chart.Note
	if len(d.Curve) >= 12 {
		notes = append(notes, chart.Note{X: 12, Y: assumedY[11], Label: l.Sprintf("12 家（微信支付）：%s", "12 banks (WeChat Pay): %s", percent1(assumedY[11]))})
	}
	if n := min(len(d.Curve), 180); n > 12 {
		notes = append(notes, chart.Note{X: float64(n), Y: assumedY[n-1], Label: l.Sprintf("%d 家（支付宝约 180 家）：%s", "%d banks (Alipay ~180): %s", n, percent1(assumedY[n-1]))})
	}
	if len(xs) > 0 {
		p.chart("banks-coverage", &chart.Line{
			Title:  l.Pick("接入银行数与覆盖的持卡用户", "Banks supported and card holders covered"),
			XLabel: l.Pick("接入的银行（家，按借记卡份额从大到小）", "banks supported (in order of debit card share, largest first)"),
			YLabel: l.Pick("覆盖的持卡用户（%）", "card holders covered (%)"),
			Source: l.Sprintf("来源：银行借记卡份额参考表（%s，%d 家银行）；更平/更陡为份额取 2/3 或 3/2 次方后重新归一（%s）；计算线来自事件数据，规模 %s。",
				"Source: bank table of debit card shares (%s, %d banks); flatter/steeper raise each share to 2/3 or 3/2 and rescale (%s); computed line from the event data, scale %s.",
				p.assumedShort(), len(d.Banks), p.assumedShort(), scale),
			Series: []chart.Series{
				{Name: l.Pick(variantNames["assumed"][0], variantNames["assumed"][1]), X: xs, Y: assumedY, Color: chart.Palette[0]},
				{Name: l.Pick(variantNames["flatter"][0], variantNames["flatter"][1]), X: xs, Y: flatY, Color: chart.Palette[4]},
				{Name: l.Pick(variantNames["steeper"][0], variantNames["steeper"][1]), X: xs, Y: steepY, Color: chart.Palette[5]},
				{Name: l.Pick("计算：用户第一张卡", "computed: users' first cards"), X: xs, Y: obsY, Color: chart.Palette[3]},
			},
			Notes:  notes,
			Format: percentFormat,
		}, 10*vg.Centimeter)
	}
	caption := l.Pick("银行按借记卡份额从大到小依次接入，曲线给出能覆盖的持卡用户比例。另外两条线给出份额更平或更陡时的结果；计算线是事件数据中每位用户第一张卡所属银行的分布。",
		"Banks are added in order of debit card share, largest first; the curve is the share of card holders covered. Two more lines show flatter and steeper shares; "+
			"the computed line is the spread of users' first cards over banks in the event data.")
	if gap := maxGap(assumedY, obsY); len(obsY) > 0 && gap < 2 {
		caption += l.Sprintf("本数据中计算线与假设线最多相差 %s 个百分点，两线几乎重合：模拟器按同一张银行表抽取用户的银行卡。",
			" Here the two differ by at most %s percentage points and nearly coincide: the simulator drew users' cards from the same bank table.", sig(gap, 2))
	}
	doc.Note(caption)

	doc.Heading(2, l.Pick("借记卡份额假设的敏感性", "Sensitivity to the card-share assumption"))
	// With no more than 180 banks in the table the 180 largest are all of them.
	wide := len(d.Banks) > 180
	t := table(col(l.Pick("借记卡份额（假设值）", "Card shares (assumed)"), 2.4, false),
		col(l.Pick("最大 12 家", "12 largest"), 1.2, true),
		col(l.Pick("微信支付的银行", "WeChat Pay's banks"), 1.4, true),
		col(l.Pick("支付宝的银行", "Alipay's banks"), 1.4, true))
	if wide {
		t.Columns = append(t.Columns, col(l.Pick("最大 180 家", "180 largest"), 1.2, true))
	}
	for _, s := range d.Sensitivity {
		row := []string{l.Pick(variantNames[s.Variant][0], variantNames[s.Variant][1]), pct(s.Top12), pct(s.WeChatPay), pct(s.Alipay)}
		if wide {
			row = append(row, pct(s.Top180))
		}
		t.Rows = append(t.Rows, row)
	}
	doc.Table(t)
	doc.Note(l.Sprintf("参考表中微信支付接入 %d 家、支付宝接入 %d 家（报道为 12 家与约 180 家）。份额越平，12 家银行覆盖得越少，12 与 180 的差距越大。",
		"In the table WeChat Pay binds %d banks and Alipay %d (reported: 12 and about 180). The flatter the shares, the less 12 banks cover and the more the gap between 12 and 180 matters.",
		d.WeChatPayBanks, d.AlipayBanks))
}

// round1 rounds to one decimal, for percentages on bars.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// maxGap is the largest absolute difference between a and b, point by point.
func maxGap(a, b []float64) float64 {
	g := 0.0
	for i := range min(len(a), len(b)) {
		g = max(g, math.Abs(a[i]-b[i]))
	}
	return g
}
