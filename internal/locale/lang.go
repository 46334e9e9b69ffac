package locale

import "fmt"

// Lang is the language a text is written in.
type Lang string

// The languages hongbao writes.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// Pick returns the text of l: zh in Chinese, en otherwise. Chinese comes first
// everywhere a text is given in both, as the reports print it first.
func (l Lang) Pick(zh, en string) string {
	if l == Chinese {
		return zh
	}
	return en
}

// Sprintf formats the format string of l (zh in Chinese, en otherwise) with args.
func (l Lang) Sprintf(zh, en string, args ...any) string {
	return fmt.Sprintf(l.Pick(zh, en), args...)
}
