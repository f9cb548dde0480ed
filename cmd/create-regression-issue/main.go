// Command create-regression-issue is not implemented yet; it exits with status 2 (usage error) so that
// no pipeline mistakes it for a passing check.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "❌ create-regression-issue: not implemented")
	os.Exit(2)
}
