package loadtest

import "testing"

// BenchmarkSmallInput: reading a small raw file costs little besides the parsing (the
// fuzzers run it thousands of times a second; small CI files are the common case).
func BenchmarkSmallInput(b *testing.B) {
	data := firstLines(k6CSV(), 5)
	b.ReportAllocs()
	for b.Loop() {
		checkRows(nil, data, FormatK6CSV)
	}
}
