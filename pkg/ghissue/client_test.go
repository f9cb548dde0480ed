package ghissue

import "testing"

func TestValidateAPIURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com":          "https://api.github.com/",
		"https://ghe.example.com/api/v3":  "https://ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/api/v3/",
		"http://127.0.0.1:8080/api/v3":    "http://127.0.0.1:8080/api/v3/",
		"http://localhost:9000":           "http://localhost:9000/",
		"http://[::1]:9000/":              "http://[::1]:9000/",
	} {
		u, err := ValidateAPIURL(in)
		if err != nil || u.String() != want {
			t.Errorf("ValidateAPIURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"http://ghe.example.com/api/v3", "http://10.0.0.1/", "ftp://x/", "api.github.com", ""} {
		if _, err := ValidateAPIURL(bad); err == nil {
			t.Errorf("ValidateAPIURL(%q) accepted", bad)
		}
	}
}

func TestValidateRepo(t *testing.T) {
	for _, ok := range []string{"o/r", "my-org/my.repo_1", "a/..b"} {
		if err := ValidateRepo(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "o", "o/r/x", "/r", "o/", "-o/r", "o/r x", "o/..", "o/."} {
		if err := ValidateRepo(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
