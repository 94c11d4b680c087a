package corpus

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/descriptorpb"
)

// slice is the real googleapis slice the plugin's tests use.
const slice = "../../plugin/testdata/real"

func names(files []*descriptorpb.FileDescriptorProto) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.GetName()
	}
	return out
}

func TestDerivedRequests(t *testing.T) {
	req, err := Request(context.Background(), slice, "strict=false")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(req)
	if err != nil {
		t.Fatal(err)
	}

	alone, err := s.Alone("google/cloud/scheduler/v1/cloudscheduler.proto")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := alone.GetFileToGenerate(), []string{"google/cloud/scheduler/v1/cloudscheduler.proto"}; !slices.Equal(got, want) {
		t.Errorf("alone: file_to_generate = %q, want %q", got, want)
	}
	if alone.GetParameter() != "strict=false" {
		t.Errorf("alone: parameter = %q, want the request's", alone.GetParameter())
	}
	got := names(alone.GetProtoFile())
	if !Topological(alone.GetProtoFile()) || got[len(got)-1] != "google/cloud/scheduler/v1/cloudscheduler.proto" {
		t.Errorf("alone: proto_file %q is not a dependency order ending in the file", got)
	}
	for _, name := range got {
		if strings.Contains(name, "v1beta1") || strings.Contains(name, "pubsub") {
			t.Errorf("alone: proto_file has %s, which the file does not import", name)
		}
	}

	rnd := rand.New(rand.NewPCG(1, 2))
	shuffled := s.Shuffled(rnd)
	if !Topological(shuffled.GetProtoFile()) {
		t.Errorf("shuffled: proto_file %q is not a dependency order", names(shuffled.GetProtoFile()))
	}
	if slices.Equal(names(shuffled.GetProtoFile()), names(req.GetProtoFile())) {
		t.Errorf("shuffled: proto_file kept the request's order")
	}
	if slices.Equal(shuffled.GetFileToGenerate(), req.GetFileToGenerate()) {
		t.Errorf("shuffled: file_to_generate kept the request's order")
	}
	if !sameSet(shuffled.GetFileToGenerate(), req.GetFileToGenerate()) || !sameSet(names(shuffled.GetProtoFile()), names(req.GetProtoFile())) {
		t.Errorf("shuffled: the files are not the request's")
	}

	unordered, err := s.Unordered(rnd)
	if err != nil {
		t.Fatal(err)
	}
	if Topological(unordered.GetProtoFile()) {
		t.Errorf("unordered: proto_file %q is a dependency order", names(unordered.GetProtoFile()))
	}
	if !sameSet(names(unordered.GetProtoFile()), names(req.GetProtoFile())) {
		t.Errorf("unordered: the files are not the request's")
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestUnpack(t *testing.T) {
	write := func(entries map[string]string) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range entries {
				if !yield(k) {
					return
				}
			}
		}) {
			body := entries[name]
			if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o444, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(body))
		}
		tw.Close()
		zw.Close()
		path := filepath.Join(t.TempDir(), "tree.tgz")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	dir := t.TempDir()
	if err := Unpack(write(map[string]string{"a/b.proto": "syntax = \"proto3\";\n"}), dir); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "a", "b.proto")); err != nil || string(data) != "syntax = \"proto3\";\n" {
		t.Errorf("a/b.proto = %q, %v", data, err)
	}

	err := Unpack(write(map[string]string{"../escape.proto": "x"}), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `entry "../escape.proto" is outside the tree`) {
		t.Errorf("unpacking ../escape.proto: error %v, want one naming the entry", err)
	}
}
