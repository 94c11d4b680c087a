package plugin

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/templates"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

func TestZZProfGo(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("REQ"))
	if err != nil {
		t.Skip(err)
	}
	req := &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(data, req); err != nil {
		t.Fatal(err)
	}
	req.Parameter = proto.String("emit=json,go")
	if err := WriteResponse(io.Discard, req, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}

func TestZZFlat(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("REQ"))
	if err != nil {
		t.Skip(err)
	}
	for _, d := range []int{100, 2, 1, 0} {
		templates.FlatDepth = d
		req := &pluginpb.CodeGeneratorRequest{}
		proto.Unmarshal(data, req)
		req.Parameter = proto.String("emit=go")
		start := time.Now()
		var buf bytes.Buffer
		if err := WriteResponse(&buf, req, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		t.Logf("flat %d: %v, %d bytes", d, time.Since(start), buf.Len())
	}
}

func TestZZFlat0(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("REQ"))
	if err != nil {
		t.Skip(err)
	}
	templates.FlatDepth = 0
	req := &pluginpb.CodeGeneratorRequest{}
	proto.Unmarshal(data, req)
	req.Parameter = proto.String("emit=go")
	var buf bytes.Buffer
	if err := WriteResponse(&buf, req, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}

func TestZZLayouts(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("REQ"))
	if err != nil {
		t.Skip(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	run := func(param string, d int) time.Duration {
		templates.FlatDepth = d
		best := time.Hour
		for range 2 {
			req := &pluginpb.CodeGeneratorRequest{}
			proto.Unmarshal(data, req)
			req.Parameter = proto.String(param)
			runtime.GC()
			start := time.Now()
			if err := WriteResponse(io.Discard, req, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	base := run("emit=json", 100)
	t.Logf("json: %v", base)
	for _, d := range []int{100, 3, 2, 1, 0} {
		t.Logf("json,go flat %d: +%v", d, run("emit=json,go", d)-base)
	}
}
