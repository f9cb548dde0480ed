package loadtest

import "unsafe"

// bytesString views b as a string without copying, for parsing numbers in hot loops;
// the string must not outlive b.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
