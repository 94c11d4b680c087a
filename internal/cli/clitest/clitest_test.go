package clitest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHelpFlags(t *testing.T) {
	help := `Usage:
  tool [flags] FILE...

Flags:
  -o, --format string   output format (default "json")
      --depth int       how far (default -1)
  -h, --help            help for tool

Exit status:
  0  ok
`
	got, err := HelpFlags(help)
	if err != nil {
		t.Fatal(err)
	}
	want := []Flag{{Long: "format", Short: "o", Default: "json"}, {Long: "depth", Default: "-1"}, {Long: "help", Short: "h"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HelpFlags (-want +got):\n%s", diff)
	}
	if _, err := HelpFlags("Usage:\n  tool\n"); err == nil {
		t.Error("a help without flags: no error")
	}
}
