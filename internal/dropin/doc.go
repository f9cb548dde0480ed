// Package dropin holds the differential test of the four binaries against the recorded
// behaviour of the Python scripts they replace (testdata/python-reference): the same
// invocation must give the same exit code, write the same files at the same paths and
// print the same stdout lines, except for the differences the README lists under
// "Differences from the Python scripts", each of which the test asserts as such.
package dropin
