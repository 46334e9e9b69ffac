package query

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/hongbao/hongbao/internal/textwrap"
)

// span is a stretch of SQL text of one lexical kind.
type span struct {
	start, end int // byte offsets
	kind       spanKind
}

type spanKind uint8

const (
	spanCode    spanKind = iota // keywords, names, numbers, operators, ';'
	spanString                  // '...', E'...', $tag$...$tag$
	spanIdent                   // "quoted name"
	spanComment                 // -- to end of line, /* ... */
)

// lexSQL cuts text into spans, enough to tell a ';' that ends a statement from one in
// a string, a quoted name or a comment. An unterminated string or comment runs to the
// end of the text.
func lexSQL(text string) []span {
	var spans []span
	add := func(start, end int, k spanKind) {
		if end <= start {
			return
		}
		if n := len(spans); n > 0 && spans[n-1].kind == k && k == spanCode && spans[n-1].end == start {
			spans[n-1].end = end
			return
		}
		spans = append(spans, span{start, end, k})
	}
	code := 0 // start of the pending code span
	i := 0
	for i < len(text) {
		c := text[i]
		var end int
		var kind spanKind
		switch {
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			end, kind = lineEnd(text, i), spanComment
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			end, kind = blockCommentEnd(text, i), spanComment
		case c == '\'':
			escapes := i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') && (i == 1 || !isIdentByte(text[i-2]))
			end, kind = quoteEnd(text, i, '\'', escapes), spanString
		case c == '"':
			end, kind = quoteEnd(text, i, '"', false), spanIdent
		case c == '$' && (i == 0 || !isIdentByte(text[i-1])):
			tag, ok := dollarTag(text[i:])
			if !ok {
				i++
				continue
			}
			if j := strings.Index(text[i+len(tag):], tag); j >= 0 {
				end = i + len(tag) + j + len(tag)
			} else {
				end = len(text)
			}
			kind = spanString
		default:
			i++
			continue
		}
		add(code, i, spanCode)
		add(i, end, kind)
		i, code = end, end
	}
	add(code, len(text), spanCode)
	return spans
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func lineEnd(text string, i int) int {
	if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(text)
}

// blockCommentEnd finds the end of a /* comment */; they nest, as in PostgreSQL.
func blockCommentEnd(text string, i int) int {
	depth := 0
	for j := i; j < len(text)-1; j++ {
		switch text[j : j+2] {
		case "/*":
			depth++
			j++
		case "*/":
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(text)
}

// quoteEnd finds the end of a quoted string or name starting at i: a doubled quote is
// part of it, and so is a backslash-escaped one in an E” string.
func quoteEnd(text string, i int, q byte, escapes bool) int {
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			if escapes {
				j++
			}
		case q:
			if j+1 < len(text) && text[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(text)
}

// dollarTag returns the $tag$ that s starts with; a $1 parameter is not one.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || (j > 1 && c >= '0' && c <= '9'):
		default:
			return "", false
		}
	}
	return "", false
}

// SplitStatements cuts SQL text at the semicolons that end statements, not those in
// strings, quoted names or comments. It returns the complete statements, trimmed and
// without their semicolons (statements holding only comments are left out), and the
// text after the last semicolon, trimmed: an unfinished statement, or empty. Comments
// stay in the statements: DuckDB's error positions count them.
func SplitStatements(text string) (stmts []string, rest string) {
	start := 0
	for _, sp := range lexSQL(text) {
		if sp.kind != spanCode {
			continue
		}
		for i := sp.start; i < sp.end; i++ {
			if text[i] == ';' {
				if s := strings.TrimSpace(text[start:i]); HasCode(s) {
					stmts = append(stmts, s)
				}
				start = i + 1
			}
		}
	}
	return stmts, strings.TrimSpace(text[start:])
}

// HasCode reports whether text holds anything besides white space and comments.
func HasCode(text string) bool {
	for _, sp := range lexSQL(text) {
		if sp.kind != spanComment && strings.TrimSpace(text[sp.start:sp.end]) != "" {
			return true
		}
	}
	return false
}

// openComment reports whether text ends inside a /* comment */.
func openComment(text string) bool {
	spans := lexSQL(text)
	if len(spans) == 0 {
		return false
	}
	last := spans[len(spans)-1]
	c := text[last.start:last.end]
	return last.kind == spanComment && strings.HasPrefix(c, "/*") && blockCommentEnd(text, last.start) == len(text) &&
		(len(c) < 4 || !strings.HasSuffix(c, "*/"))
}

// duckLine is how DuckDB marks the place of an error: a LINE n: line and a caret.
var duckLine = regexp.MustCompile(`(?m)^LINE [0-9]+:`)

// The parts of DuckDB messages that name what went wrong, for errors that come without a
// place: the parser's "at or near", and the quoted or named object of binder and catalog
// errors.
var (
	nearToken = regexp.MustCompile(`at or near "((?:[^"]|"")*)"`)
	atEnd     = regexp.MustCompile(`at end of input`)
	namedObj  = []*regexp.Regexp{
		regexp.MustCompile(`with name "?([A-Za-z_][A-Za-z0-9_.]*)`),
		regexp.MustCompile(`column "((?:[^"]|"")+)"`),
		regexp.MustCompile(`"((?:[^"]|"")+)"`),
	}
)

// WithCaret returns err with the place in stmt where it failed, shown as DuckDB shows
// it ("LINE 2:" with the line and a caret under the column, counting a Chinese
// character as two cells), when DuckDB's message lacks one and the message names a
// token that occurs in the statement's code. Otherwise, and for a nil err, it returns
// err unchanged. The returned error wraps err.
func WithCaret(stmt string, err error) error {
	if err == nil || duckLine.MatchString(err.Error()) {
		return err
	}
	pos := errorPosition(stmt, err.Error())
	if pos < 0 {
		return err
	}
	return &caretError{err: err, caret: caretText(stmt, pos)}
}

type caretError struct {
	err   error
	caret string
}

func (e *caretError) Error() string { return e.err.Error() + "\n\n" + e.caret }
func (e *caretError) Unwrap() error { return e.err }

// errorPosition finds the byte offset in stmt that msg is about, or -1.
func errorPosition(stmt, msg string) int {
	first, _, _ := strings.Cut(msg, "\n")
	if atEnd.MatchString(first) {
		return len(strings.TrimRightFunc(stmt, unicode.IsSpace))
	}
	var token string
	if m := nearToken.FindStringSubmatch(first); m != nil {
		token = strings.ReplaceAll(m[1], `""`, `"`)
	} else {
		for _, re := range namedObj {
			if m := re.FindStringSubmatch(first); m != nil {
				token = strings.ReplaceAll(m[1], `""`, `"`)
				break
			}
		}
		if i := strings.LastIndexByte(token, '.'); i >= 0 && i < len(token)-1 {
			token = token[i+1:] // a qualified name: the part the statement surely spells out
		}
	}
	if token == "" {
		return -1
	}
	return findToken(stmt, token)
}

// findToken returns the offset of the first occurrence of token in stmt's code or quoted
// names, as a whole word when token is a word, compared without case; or -1.
func findToken(stmt, token string) int {
	word := true
	for i := 0; i < len(token); i++ {
		if !isIdentByte(token[i]) {
			word = false
		}
	}
	lower, ltok := asciiLower(stmt), asciiLower(token)
	for _, sp := range lexSQL(stmt) {
		if sp.kind == spanComment || (sp.kind == spanString && word) {
			continue
		}
		for from := sp.start; from < sp.end; {
			j := strings.Index(lower[from:sp.end], ltok)
			if j < 0 {
				break
			}
			at := from + j
			end := at + len(ltok)
			if !word || ((at == 0 || !isIdentByte(stmt[at-1])) && (end >= len(stmt) || !isIdentByte(stmt[end]))) {
				return at
			}
			from = at + 1
		}
	}
	return -1
}

// asciiLower lowers the ASCII letters of s and keeps every other byte, so that a byte
// offset into s is the same offset into the result. (strings.ToLower changes the length
// of some characters, the Kelvin sign's from three bytes to one, and of bytes that are
// not UTF-8.)
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// caretText writes the line of stmt holding byte offset pos and a caret under it, as
// DuckDB does.
func caretText(stmt string, pos int) string {
	line := 1 + strings.Count(stmt[:pos], "\n")
	begin := strings.LastIndexByte(stmt[:pos], '\n') + 1
	end := begin + strings.IndexByte(stmt[begin:]+"\n", '\n')
	prefix := fmt.Sprintf("LINE %d: ", line)
	col := textwrap.DisplayWidth(stmt[begin:pos])
	text := strings.TrimRightFunc(stmt[begin:end], unicode.IsSpace)
	return prefix + text + "\n" + strings.Repeat(" ", len(prefix)+col) + "^"
}
