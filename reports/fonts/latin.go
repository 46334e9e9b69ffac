package fonts

import (
	"fmt"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
)

var latin = sync.OnceValues(func() (Family, error) {
	regular, err := Parse(liberationsansregular.TTF)
	if err != nil {
		return Family{}, fmt.Errorf("bundled Liberation Sans: %w", err)
	}
	bold, err := Parse(liberationsansbold.TTF)
	if err != nil {
		return Family{}, fmt.Errorf("bundled Liberation Sans Bold: %w", err)
	}
	return Family{Regular: regular, Bold: bold}, nil
})

// Latin returns Liberation Sans regular and bold, the fonts gonum/plot bundles,
// for reports without Chinese text. It needs nothing installed.
func Latin() (Family, error) { return latin() }
