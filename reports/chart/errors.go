package chart

import "errors"

// ErrNoData reports a chart without any series, categories or values.
var ErrNoData = errors.New("chart has no data")

// ErrShape reports inconsistent input: x and y of different lengths, a
// series mixing times and numbers, or a bar group with the wrong number of
// values.
var ErrShape = errors.New("chart data is inconsistent")

// ErrSize reports a chart size too small to lay out.
var ErrSize = errors.New("chart size too small")
