package notebooks

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// shipped holds the notebooks that come with hongbao, so that 'hongbao notebook run
// NAME' works from the binary alone.
//
//go:embed *.md
var shipped embed.FS

// Shipped returns the names of the shipped notebooks, sorted.
func Shipped() []string {
	files, _ := fs.Glob(shipped, "*.md") // the pattern is valid
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(f, ".md")
	}
	slices.Sort(names)
	return names
}

// Source returns the Markdown of the shipped notebook name, to copy and edit.
func Source(name string) ([]byte, error) {
	b, err := shipped.ReadFile(strings.TrimSuffix(name, ".md") + ".md")
	if err != nil {
		return nil, fmt.Errorf("%w %q: the shipped notebooks are %s", ErrNoNotebook, name, strings.Join(Shipped(), ", "))
	}
	return b, nil
}

// Open parses a notebook: the Markdown file ref when one exists there (or ref ends in
// .md), else the shipped notebook named ref.
func Open(ref string) (*Notebook, error) {
	if _, err := os.Stat(ref); err == nil || strings.HasSuffix(ref, ".md") && strings.ContainsAny(ref, `/\`) {
		src, err := os.ReadFile(ref)
		if err != nil {
			return nil, err
		}
		return Parse(ref, src)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	src, err := Source(path.Base(ref))
	if err != nil {
		if strings.HasSuffix(ref, ".md") {
			return nil, fmt.Errorf("%w: no file %s, and no shipped notebook of that name (%s)", ErrNoNotebook, ref, strings.Join(Shipped(), ", "))
		}
		return nil, err
	}
	return Parse(strings.TrimSuffix(path.Base(ref), ".md")+".md", src)
}
