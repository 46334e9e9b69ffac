package fonts

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// EnvFont names the environment variable that points at a font file to use
// for Chinese text, ahead of the scan.
const EnvFont = "HONGBAO_FONT"

// ChineseProbe is the text a font must cover to be chosen for Chinese reports:
// Chinese, Latin letters, digits and common punctuation, since one face draws
// all text of a chart.
const ChineseProbe = "微信支付宝红包银行元年月日时分万亿，。：（） WeChat Alipay ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 %.,:;-+()/"

// preferred lists font files known to work, best first; other files are
// tried after them in path order.
var preferred = []string{"wqy-microhei.ttc", "wqy-zenhei.ttc", "uming.ttc", "ukai.ttc"}

// SearchDirs returns the folders scanned for fonts: the system and local font
// folders and the user's ~/.fonts and ~/.local/share/fonts.
func SearchDirs() []string {
	dirs := []string{"/usr/share/fonts", "/usr/local/share/fonts"}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".fonts"), filepath.Join(home, ".local", "share", "fonts"))
	}
	return dirs
}

// Chinese returns a family for Chinese text. It loads path if path is not
// empty, else the file named by HONGBAO_FONT, else the first font under
// SearchDirs that covers ChineseProbe. A named file that does not qualify is an
// error, not a reason to fall back; when the scan finds nothing the error is
// ErrNoChineseFont.
func Chinese(path string) (Family, error) {
	source := "font"
	if path == "" {
		path = os.Getenv(EnvFont)
		source = EnvFont
	}
	if path != "" {
		f, err := Load(path) // its error names the file
		if err != nil {
			if source == EnvFont {
				err = fmt.Errorf("%s: %w", EnvFont, err)
			}
			return Family{}, err
		}
		if err := f.Check(ChineseProbe); err != nil {
			return Family{}, fmt.Errorf("%s %s cannot draw Chinese reports: %w", source, path, err)
		}
		return Family{Regular: f}, nil
	}
	f, err := Scan(SearchDirs())
	if err != nil {
		return Family{}, err
	}
	return Family{Regular: f}, nil
}

// Scan returns the first font file under dirs that has TrueType outlines and
// covers ChineseProbe, trying preferred files first; ErrNoChineseFont if none
// does. fc-match is not used: it happily answers with fonts that lack Chinese.
func Scan(dirs []string) (*Font, error) {
	var files []string
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable folders are skipped, as missing ones are
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".ttf", ".ttc", ".otf":
				if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
					files = append(files, p)
				}
			}
			return nil
		})
	}
	rank := func(p string) int {
		base := strings.ToLower(filepath.Base(p))
		for i, name := range preferred {
			if base == name {
				return i
			}
		}
		return len(preferred)
	}
	slices.SortStableFunc(files, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	for _, p := range files {
		if !likelyChinese(p) {
			continue
		}
		f, err := Load(p)
		if err != nil || f.Check(ChineseProbe) != nil {
			continue
		}
		return f, nil
	}
	return nil, ErrNoChineseFont
}

// likelyChinese reads only the headers of face 0 to reject files without
// glyf outlines or without Chinese before whole files are read.
func likelyChinese(path string) bool {
	file, err := os.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	off, _, err := faceOffset(file, 0)
	if err != nil {
		return false
	}
	dir, err := readDirectory(file, off)
	if err != nil {
		return false
	}
	return dir.hasGlyf() && coversChinese(file, dir)
}
