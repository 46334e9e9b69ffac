package testworld

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TreeState lists every folder and file under each root, a file with its size and
// content hash, one a line: two states compare equal only if nothing was written,
// removed or changed there, which is how tests show that a refused statement, a
// read-only command or a notebook left the data folder as it found it.
func TreeState(t testing.TB, roots ...string) string {
	t.Helper()
	var b strings.Builder
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				fmt.Fprintf(&b, "%s/\n", p)
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %d %x\n", p, len(data), sha256.Sum256(data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
