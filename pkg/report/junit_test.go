package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// jenkinsXSD is Jenkins xUnit's JUnit schema (source in testdata/junit/README.md).
const jenkinsXSD = "../../testdata/junit/junit-10.xsd"

// evaluations are the cases the JUnit file must render validly: real comparisons from
// testdata and made-up endpoint names that XML, Jenkins and GitLab find awkward.
func evaluations(t *testing.T) map[string]*threshold.Evaluation {
	t.Helper()
	load := func(name string) *metrics.File {
		f, _, err := metrics.Load([]string{"../../testdata/" + name}, metrics.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	eval := func(b, c string) *threshold.Evaluation {
		return threshold.Evaluate(load(b), load(c), threshold.Builtin())
	}
	p95, _ := threshold.ParseChange("p95_latency_ms", "+50%")
	p95.Expr = "+50% <tags> & ]]>" // the reason (and so the failure message) holds it
	levels := map[threshold.Status]threshold.Level{threshold.Fail: threshold.BeyondLimit, threshold.Warn: threshold.BeyondWarn}
	var hostile threshold.Evaluation
	hostile.Common = 6
	for i, svc := range []string{"/api/v1.2/users", "GET https://example.com/a.b?c=1&d=<2>", "ctrl\x01char", "end]]>cdata", "line\nbreak \"quoted\" 'single'", "rocket 🚀"} {
		st := []threshold.Status{threshold.Fail, threshold.Warn, threshold.Pass, threshold.NotCompared}[i%4]
		hostile.Results = append(hostile.Results, threshold.Result{Service: svc, Metric: "p95_latency_ms", Baseline: 100, Current: 200, HasBaseline: true, HasCurrent: true, Threshold: p95, Status: st,
			Value: 1, Level: levels[st], Skip: map[bool]threshold.Skip{true: threshold.NotInCurrent}[st == threshold.NotCompared],
			Evidence: &threshold.Evidence{Rule: threshold.ThresholdOnly, Alone: threshold.NoDistribution, Nb: 10, Nc: 10}})
	}
	return map[string]*threshold.Evaluation{
		"failures and warnings": eval("compare/examples_baseline.json", "compare/examples_current.json"),
		"not compared":          eval("seed/sample_baselines.json", "seed/sample_baselines.json"),
		"no common service":     eval("seed/sample_baselines.json", "compare/other_services.json"),
		"hostile names":         &hostile,
		"empty":                 {},
	}
}

func render(t *testing.T, ev *threshold.Evaluation) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := JUnit(&b, ev, JUnitOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xmllint validates doc with libxml2's xmllint against the schema. Where xmllint is not
// installed the Go checker alone decides, unless PERFGATE_REQUIRE_XMLLINT is set (make
// test installs libxml2-utils and sets it, so CI always runs both).
func xmllint(t *testing.T, doc []byte) (valid bool, out string, ran bool) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("PERFGATE_REQUIRE_XMLLINT") != "" {
			t.Fatalf("xmllint not found and PERFGATE_REQUIRE_XMLLINT is set: install libxml2-utils (make tools)")
		}
		t.Log("xmllint not installed: checked with the Go XSD checker only (make test installs libxml2-utils)")
		return false, "", false
	}
	p := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(p, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := exec.Command(bin, "--noout", "--schema", jenkinsXSD, p).CombinedOutput()
	return err == nil, string(o), true
}

// TestJUnitValidAgainstJenkinsXSD: every JUnit file perfgate writes is valid against
// Jenkins xUnit's junit-10.xsd, checked by xmllint and by the Go checker.
func TestJUnitValidAgainstJenkinsXSD(t *testing.T) {
	t.Parallel()
	schema, err := loadXSD(jenkinsXSD)
	if err != nil {
		t.Fatal(err)
	}
	for name, ev := range evaluations(t) {
		t.Run(name, func(t *testing.T) {
			doc := render(t, ev)
			if errs := schema.validate(doc); len(errs) > 0 {
				t.Errorf("Go XSD checker: %s\n%s", strings.Join(errs, "\n"), doc)
			}
			if valid, out, ran := xmllint(t, doc); ran && !valid {
				t.Errorf("xmllint: %s\n%s", out, doc)
			}
		})
	}
}

// TestXSDCheckersRejectInvalidJUnit: both checkers reject what Jenkins rejects — the
// `skipped` attribute on <testsuites> that perfgate used to write, a time with four
// decimals, a missing required attribute, an undeclared element — so that the valid
// verdicts above mean something.
func TestXSDCheckersRejectInvalidJUnit(t *testing.T) {
	t.Parallel()
	schema, err := loadXSD(jenkinsXSD)
	if err != nil {
		t.Fatal(err)
	}
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"skipped on testsuites (perfgate before)", `<testsuites name="perfgate" tests="1" failures="0" errors="0" skipped="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"/></testsuite></testsuites>`, `attribute "skipped" is not allowed`},
		{"time with four decimals", `<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0.1234"><testcase name="c"/></testsuite></testsuites>`, `does not match SUREFIRE_TIME`},
		{"testsuite without errors", `<testsuites><testsuite name="s" tests="1" failures="0"><testcase name="c"/></testsuite></testsuites>`, `required attribute "errors" is missing`},
		{"undeclared element", `<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"><warning/></testcase></testsuite></testsuites>`, `do not fit the content model`},
		{"text in testsuites", `<testsuites>text<testsuite name="s" tests="0" failures="0" errors="0"/></testsuites>`, `not mixed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := strings.Join(schema.validate([]byte(head+tc.doc)), "\n")
			if !strings.Contains(errs, tc.want) {
				t.Errorf("Go XSD checker: %q, want an error containing %q", errs, tc.want)
			}
			if valid, out, ran := xmllint(t, []byte(head+tc.doc)); ran && valid {
				t.Errorf("xmllint accepted it: %s", out)
			}
		})
	}
}

// junitDoc is the JUnit file as the viewers read it.
type junitDoc struct {
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Time     *string `xml:"time,attr"`
	Suites   []struct {
		Tests    int     `xml:"tests,attr"`
		Failures int     `xml:"failures,attr"`
		Errors   int     `xml:"errors,attr"`
		Skipped  int     `xml:"skipped,attr"`
		Time     *string `xml:"time,attr"`
		Cases    []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Time      *string   `xml:"time,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
			Skipped   *struct{} `xml:"skipped"`
			SystemOut *string   `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestJUnitCountsNamesClassnames: the counts add up, every suite and case has a time,
// each case's name says service and metric, and each classname has exactly one dot, so
// that Jenkins shows one package "perfgate" with one class per service.
func TestJUnitCountsNamesClassnames(t *testing.T) {
	t.Parallel()
	for name, ev := range evaluations(t) {
		t.Run(name, func(t *testing.T) {
			doc := render(t, ev)
			var d junitDoc
			if err := xml.Unmarshal(doc, &d); err != nil {
				t.Fatal(err)
			}
			if len(d.Suites) != 1 || d.Time == nil || d.Suites[0].Time == nil {
				t.Fatalf("want one suite, with times:\n%s", doc)
			}
			s := d.Suites[0]
			var fails, errs, skipped int
			for _, c := range s.Cases {
				if c.Time == nil {
					t.Errorf("%s: no time", c.Name)
				}
				if strings.Count(c.Classname, ".") > 1 || !strings.HasPrefix(c.Classname, "perfgate") {
					t.Errorf("classname %q: Jenkins would split it into packages", c.Classname)
				}
				if c.Failure != nil {
					fails++
				}
				if c.Error != nil {
					errs++
				}
				if c.Skipped != nil {
					skipped++
				}
			}
			if s.Tests != len(s.Cases) || s.Failures != fails || s.Errors != errs || s.Skipped != skipped || d.Tests != s.Tests || d.Failures != fails || d.Errors != errs {
				t.Errorf("counts do not add up: testsuites %d/%d/%d, suite %d/%d/%d/%d, cases %d/%d/%d/%d", d.Tests, d.Failures, d.Errors, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), fails, errs, skipped)
			}
			wantCases := len(ev.Results) + len(ev.Missing)
			if ev.Compared() == 0 {
				wantCases++
				if errs != 1 {
					t.Errorf("nothing comparable but %d error cases", errs)
				}
			}
			if len(s.Cases) != wantCases {
				t.Errorf("%d cases, want %d", len(s.Cases), wantCases)
			}
			for i, r := range ev.Results {
				c := s.Cases[i]
				if want := xmlRoundTrip(r.Service + ": " + r.Metric); c.Name != want {
					t.Errorf("case %d named %q, want service %q and metric %q", i, c.Name, r.Service, r.Metric)
				}
				if (r.Status == threshold.Warn) != (c.SystemOut != nil && strings.HasPrefix(*c.SystemOut, "warning: ")) {
					t.Errorf("%s: a warning has a system-out note, nothing else does", c.Name)
				}
			}
		})
	}
}

// xmlRoundTrip is what a name reads as after writing and parsing XML: characters XML
// cannot hold become U+FFFD.
func xmlRoundTrip(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	var v struct {
		S string `xml:",chardata"`
	}
	xml.Unmarshal([]byte("<x>"+b.String()+"</x>"), &v)
	return v.S
}

func TestJUnitClassname(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"api_gateway":          "perfgate.api_gateway",
		"/v1/chat/completions": "perfgate./v1/chat/completions",
		"/api/v1.2/users":      "perfgate./api/v1_2/users",
		"GET example.com/a":    "perfgate.GET example_com/a",
	} {
		if got := JUnitClassname(in); got != want {
			t.Errorf("JUnitClassname(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJUnitFailsWithTheGate: with --warn-as-error a warning fails the build, with
// --fail-on-missing a metric not compared or a baseline service the run lacks does; the
// JUnit file then shows those cases failed (a green file next to a red build misleads),
// and stays valid against the schema.
func TestJUnitFailsWithTheGate(t *testing.T) {
	t.Parallel()
	schema, err := loadXSD(jenkinsXSD)
	if err != nil {
		t.Fatal(err)
	}
	evs := evaluations(t)
	gone := *evs["failures and warnings"]
	gone.Missing = append(gone.Missing, threshold.MissingService{Service: "checkout", Side: threshold.BaselineOnly})
	strict := *evs["failures and warnings"]
	strict.Comparability = []string{"duration: the baseline ran 30 s, the current run 300 s"}
	for _, tc := range []struct {
		name                string
		ev                  *threshold.Evaluation
		opt                 JUnitOptions
		failures, skipped   int
		failureType, reason string
	}{
		{"warnings", evs["failures and warnings"], JUnitOptions{}, 3, 0, "", ""},
		{"warnings, --warn-as-error", evs["failures and warnings"], JUnitOptions{WarnAsError: true}, 5, 0, "warning", "(--warn-as-error)"},
		{"not compared", evs["not compared"], JUnitOptions{}, 0, 2, "", ""},
		{"not compared, --fail-on-missing", evs["not compared"], JUnitOptions{FailOnMissing: true}, 2, 0, "not-compared", "(--fail-on-missing)"},
		{"service gone, --fail-on-missing", &gone, JUnitOptions{FailOnMissing: true}, 4, 0, "not-compared", "no current results for this service: it was not tested, or its name changed (--fail-on-missing)"},
		{"not comparable", &strict, JUnitOptions{}, 3, 0, "", ""},
		{"not comparable, --strict-comparability", &strict, JUnitOptions{StrictComparability: true}, 3, 0, "incomparable", "runs not comparable (--strict-comparability): duration: the baseline ran 30 s, the current run 300 s"},
	} {
		var b bytes.Buffer
		if err := JUnit(&b, tc.ev, tc.opt); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		s := doc.Suites[0]
		if doc.Failures != tc.failures || s.Failures != tc.failures || s.Skipped != tc.skipped {
			t.Errorf("%s: %d failures (suite %d), %d skipped; want %d and %d\n%s", tc.name, doc.Failures, s.Failures, s.Skipped, tc.failures, tc.skipped, b.String())
		}
		if tc.failureType != "" && (!strings.Contains(b.String(), `type="`+tc.failureType+`"`) || !strings.Contains(b.String(), tc.reason)) {
			t.Errorf("%s: no failure of type %s saying %q\n%s", tc.name, tc.failureType, tc.reason, b.String())
		}
		if errs := schema.validate(b.Bytes()); len(errs) > 0 {
			t.Errorf("%s: %s", tc.name, strings.Join(errs, "\n"))
		}
	}
}
