package loadtest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Names that are not UTF-8. A tool on a Windows in a legacy code page (Locust on a
// Chinese Windows writes its CSVs in GBK; an old JMeter on a Western one, Latin-1)
// writes endpoint names whose bytes are not UTF-8. Decoded as UTF-8, every such byte
// would become U+FFFD, and two different names would become one endpoint. perfgate does
// not guess the encoding: in a name that is not valid UTF-8, every byte above 0x7F is
// written as the four characters \xNN (lower-case hex) — also those that happen to form
// a UTF-8 character, which in such a name would be a misreading (the GBK bytes of 用户,
// D3 C3 BB A7, hold C3 BB, "û" in UTF-8) — so that names stay apart, and the input gets
// one note naming the file, the line and the first such name. A name that is valid UTF-8
// is kept as it is.

// escapeInvalid returns s as it is when it is valid UTF-8, else with every byte above
// 0x7F written \xNN.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			fmt.Fprintf(&b, `\x%02x`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// encodingNote is the warning about an input whose names are not UTF-8; line is where
// the first one is (0: unknown) and name is that name, escaped.
func encodingNote(file string, line int, name string) string {
	where := file
	if line > 0 {
		where = fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s: names that are not UTF-8 (the first: \"%s\"); their bytes above 0x7F are kept as \\xNN so that different names stay apart — the file was written in another encoding (a Windows code page such as GBK or Latin-1): convert it to UTF-8 (e.g. iconv -f GBK -t UTF-8) to see the names",
		where, shorten(name, 80))
}

// escapeInvalidJSON rewrites a JSON document that is not valid UTF-8 so that encoding/json
// keeps every name apart: in each string that is not valid UTF-8, every byte above 0x7F
// becomes the escape \\xNN (a backslash and xNN once decoded, as escapeInvalid writes it).
// It returns the new document and, for the first maxEscaped such strings, their text
// once decoded and the line where they are (Rows notes the names among them).
func escapeInvalidJSON(doc []byte) (out []byte, escaped map[string]int) {
	escaped = map[string]int{}
	out = make([]byte, 0, len(doc)+16)
	for i := 0; i < len(doc); {
		if doc[i] != '"' {
			out = append(out, doc[i])
			i++
			continue
		}
		end := i + 1 // the closing quote (or the end of doc)
		for end < len(doc) && doc[end] != '"' {
			if doc[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(doc))
		body := doc[i+1 : end]
		out = append(out, '"')
		if utf8.Valid(body) {
			out = append(out, body...)
		} else {
			if e := escapeInvalid(string(body)); len(escaped) < maxEscaped && escaped[e] == 0 {
				escaped[e] = LineOf(doc, int64(i))
			}
			for _, c := range body {
				if c >= utf8.RuneSelf {
					out = fmt.Appendf(out, `\\x%02x`, c)
				} else {
					out = append(out, c)
				}
			}
		}
		if end < len(doc) {
			out = append(out, '"')
		}
		i = end + 1
	}
	return out, escaped
}

// maxEscaped bounds the strings escapeInvalidJSON remembers.
const maxEscaped = 4096

// utf8Names escapes the names of the rows a reader sends that are not UTF-8 (a summary's
// names reach the rows as the file has them; a raw-sample reader's are escaped already)
// and keeps the row with the lowest line among them for the note.
// A JSON document's names were escaped before it was decoded (escapeInvalidJSON): escaped
// tells them, with their lines.
type utf8Names struct {
	file    string
	bad     Row // Line -1: none yet
	escaped map[string]int
}

func (u *utf8Names) sink(next Sink) Sink {
	return func(row Row) error {
		if !utf8.ValidString(row.Name) || !utf8.ValidString(row.Method) {
			row.Name, row.Method = escapeInvalid(row.Name), escapeInvalid(row.Method)
			u.note(row)
		} else if len(u.escaped) > 0 {
			for _, n := range []string{row.Name, row.Method} {
				if line := u.escaped[n]; line > 0 {
					r := row
					r.Line = line
					u.note(r)
				}
			}
		}
		return next(row)
	}
}

// note keeps row when it comes first in the file.
func (u *utf8Names) note(row Row) {
	if u.bad.Line < 0 || row.Line < u.bad.Line {
		u.bad = row
	}
}

// notes is the warning, when a name was escaped.
func (u *utf8Names) notes() []string {
	if u.bad.Line < 0 {
		return nil
	}
	return []string{encodingNote(u.file, u.bad.Line, strings.TrimSpace(u.bad.Method+" "+u.bad.Name))}
}
