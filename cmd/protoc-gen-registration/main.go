// Command protoc-gen-registration is a protoc and buf plugin that writes a
// service registration for every gRPC service it is given: its methods, their
// streaming shapes and their REST bindings.
//
// Run it through protoc:
//
//	protoc -I . -I third_party/googleapis --registration_out=gen --registration_opt=aggregate=registry library/v1/*.proto
//
// or list it in buf.gen.yaml:
//
//	plugins:
//	  - local: protoc-gen-registration
//	    out: gen
//	    opt: [format=json]
//
// docs/plugin.md describes every parameter; --help lists them.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/plugin"
)

func main() {
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "--version", "-version":
			fmt.Println(plugin.Name, version())
			return
		case "--help", "-help", "-h":
			fmt.Print(usage())
			return
		}
	}
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q; run through protoc or buf, or with --help\n", plugin.Name, os.Args[1])
		os.Exit(1)
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", plugin.Name, err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading the request: %v", err)
	}
	req := &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(data, req); err != nil {
		return fmt.Errorf("parsing the CodeGeneratorRequest: %v", err)
	}
	if err := plugin.WriteResponse(out, req, os.Stderr); err != nil {
		return fmt.Errorf("writing the response: %v", err)
	}
	return nil
}

// version is the module version the binary was built from, as go install
// records it.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func usage() string {
	return fmt.Sprintf(`%s is a protoc and buf plugin; protoc or buf runs it, feeding a
CodeGeneratorRequest on standard input.

  protoc --registration_out=OUT_DIR --registration_opt=PARAM[,PARAM...] FILE.proto...

Parameters:
  %s

Flags:
  --version  print the version
  --help     print this help
`, plugin.Name, strings.Join(plugin.Params(), "\n  "))
}
