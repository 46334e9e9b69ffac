package simulate

import (
	"fmt"
	"slices"
)

// Bank is one card-issuing bank as the simulator sees it: its share of users' cards
// and whether each provider can bind its cards.
type Bank struct {
	Code      string
	CardShare float64 // share of debit cards (an assumption where no source gives it)
	WeChatPay bool    // WeChat Pay could bind it in early 2014
	Alipay    bool    // Alipay could bind it in early 2014
}

// bankPicker draws a card's bank in proportion to card share.
type bankPicker struct {
	banks []Bank
	cum   []float64
}

func newBankPicker(banks []Bank) (*bankPicker, error) {
	if len(banks) == 0 {
		return nil, fmt.Errorf("the bank table is empty")
	}
	bp := &bankPicker{banks: banks}
	total := 0.0
	for _, b := range banks {
		if b.CardShare < 0 {
			return nil, fmt.Errorf("bank %s has a negative card share", b.Code)
		}
		total += b.CardShare
	}
	if total <= 0 {
		return nil, fmt.Errorf("the bank table's card shares add up to zero")
	}
	acc := 0.0
	for _, b := range banks {
		acc += b.CardShare / total
		bp.cum = append(bp.cum, acc)
	}
	bp.cum[len(bp.cum)-1] = 1
	return bp, nil
}

func (bp *bankPicker) pick(u float64) *Bank {
	i, _ := slices.BinarySearch(bp.cum, u)
	if i >= len(bp.banks) {
		i = len(bp.banks) - 1
	}
	return &bp.banks[i]
}
