package fileerr

import (
	"errors"
	"io"
	"testing"
)

func TestError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&Error{File: "r.csv", Line: 3, Key: `column "elapsed"`, Msg: "not a number"}, `r.csv:3: column "elapsed": not a number`},
		{&Error{File: "c.yaml", Line: 7, Msg: "unknown key"}, "c.yaml:7: unknown key"},
		{&Error{File: "r.gz", Msg: "gzip data cut short"}, "r.gz: gzip data cut short"},
		{At("h.jsonl", 2, "no %s", "verdict"), "h.jsonl:2: no verdict"},
		{Wrap("r.jtl", io.ErrUnexpectedEOF), "r.jtl: unexpected EOF"},
		{Wrap("outer", At("inner", 4, "bad")), "inner:4: bad"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if !errors.Is(Wrap("r.jtl", io.ErrUnexpectedEOF), io.ErrUnexpectedEOF) {
		t.Error("the cause is kept")
	}
}
