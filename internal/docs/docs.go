// Package docs checks the README against the code: the flag tables of each command's
// section must name exactly the flags the command defines.
package docs

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

var flagName = regexp.MustCompile("`(--?[a-z][a-z0-9-]*)")

// ReadmeFlags returns the flags named in the first cell of the tables of the README
// section with the given "## " heading, without dashes, sorted.
func ReadmeFlags(readme, heading string) ([]string, error) {
	b, err := os.ReadFile(readme)
	if err != nil {
		return nil, err
	}
	text := string(b)
	start := strings.Index(text, "\n## "+heading+"\n")
	if start < 0 {
		return nil, fmt.Errorf("%s: no section %q", readme, "## "+heading)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), "|")
		if len(cells) < 3 || !strings.HasPrefix(line, "| `-") {
			continue
		}
		for _, m := range flagName.FindAllStringSubmatch(cells[1], -1) {
			seen[strings.TrimLeft(m[1], "-")] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	slices.Sort(out)
	return out, nil
}

// CheckFlags compares the flags fs defines (but -version, which every command has) with
// the README section's tables; it returns a description of the mismatch, or "".
func CheckFlags(readme, heading string, fs *flag.FlagSet) (string, error) {
	documented, err := ReadmeFlags(readme, heading)
	if err != nil {
		return "", err
	}
	var defined []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "version" {
			defined = append(defined, f.Name)
		}
	})
	slices.Sort(defined)
	var missing, extra []string
	for _, f := range defined {
		if !slices.Contains(documented, f) {
			missing = append(missing, "-"+f)
		}
	}
	for _, f := range documented {
		if !slices.Contains(defined, f) {
			extra = append(extra, "-"+f)
		}
	}
	if len(missing)+len(extra) == 0 {
		return "", nil
	}
	return fmt.Sprintf("README section %q: flags not documented %v, documented but not defined %v", heading, missing, extra), nil
}
