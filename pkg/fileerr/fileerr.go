// Package fileerr is the error about a place in a user's file: the file, the line, the
// key or column, and what is wrong, printed "file:line: key: message" with the parts that
// are known. Load-test readers, normalized metrics, the configuration, the history and the
// report parser all return it, so that every message about an input has one shape and a
// caller can tell where the problem is (errors.As).
package fileerr

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a problem at a place in a file.
type Error struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // JSON key path, CSV column or configuration key, when known
	Msg  string
	// Err is the cause, when the problem comes from another error (a read, a decoder).
	Err error
}

// Error returns "file:line: key: message" (the parts that are known).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	if e.Msg == "" && e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// At returns an *Error at a line of file.
func At(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns err, a failure while reading file, as an *Error naming the file: err
// itself when it already is one (it knows its place better).
func Wrap(file string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{File: file, Err: err}
}
