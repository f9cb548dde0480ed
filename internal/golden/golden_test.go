package golden

import "testing"

func TestDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b, want string }{
		{"a\nb\nc\n", "a\nb\nc\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "@@ -1 +1 @@\n a\n-b\n+B\n c\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n", "@@ -7 +7 @@\n 7\n 8\n 9\n-10\n+ten\n"},
		{"x\n", "x", "@@ -1 +1 @@\n-x\n+x\n\\ no newline at end\n"},
		{"", "new\n", "@@ -1 +1 @@\n+new\n"},
	} {
		if got := Diff(tc.a, tc.b); got != tc.want {
			t.Errorf("Diff(%q, %q) =\n%s\nwant\n%s", tc.a, tc.b, got, tc.want)
		}
	}
}
