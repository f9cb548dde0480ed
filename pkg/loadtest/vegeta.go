package loadtest

import "net/url"

// A Vegeta result (encode --to csv or --to json) is one request: its start (Unix ns),
// status code and latency (ns), and, since v12.8.0, its method and URL. A request
// succeeds with a status of 200–399; code 0 is a transport error. Results are keyed by
// method and URL path (Options.Name when there is no URL).

// vegetaAdd aggregates a result whose code and latency are whole numbers as written;
// false means they are not (or the latency is implausible).
func vegetaAdd(a *rawAgg, tsNs int64, code, latency, method, rawURL []byte, defaultName string) bool {
	c, ok1 := whole(code)
	lat, ok2 := whole(latency)
	if !ok1 || !ok2 || lat > maxLatencyMs*1e6 {
		return false
	}
	name := []byte(defaultName)
	if len(rawURL) > 0 {
		name = a.derive(rawURL, urlPath)
	}
	a.add(method, name, lat, c < 200 || c > 399, tsNs, tsNs+lat)
	return true
}

// urlPath is the name of a URL: its path, or the URL itself when it has none or does
// not parse.
func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		return u.Path
	}
	return raw
}
