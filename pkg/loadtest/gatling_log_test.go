package loadtest

import (
	"strings"
	"testing"
)

// TestGatling1Refused: Gatling 1.x wrote ACTION records (FileDataWriter of 1.5: ACTION,
// scenario, user id, name, four timestamps, status, message), with "Start of scenario"
// and "End of scenario" among them; that layout is refused by name at its first record,
// never read as a log of no samples.
func TestGatling1Refused(t *testing.T) {
	const log = "RUN\t20130628083320\tmysim\t \n" +
		"ACTION\tScn\t1\tStart of scenario\t1372400000000\t1372400000000\t1372400000000\t1372400000000\tOK\t \n" +
		"ACTION\tScn\t1\tlogin\t1372400000000\t1372400000002\t1372400000072\t1372400000120\tKO\t \n"
	in, err := Open(strings.NewReader(log), "simulation.log", Options{})
	if err != nil || in.Format != FormatGatlingLog {
		t.Fatalf("%v %v", in, err)
	}
	_, err = in.Rows(func(Row) error { return nil })
	const want = "simulation.log:2: an ACTION record: the simulation.log of Gatling 1.x, whose layout is not read (Gatling 2.0 and later write REQUEST records)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
