// Package corpus builds CodeGeneratorRequests from a real proto tree, such as
// the googleapis corpus, for the plugin's acceptance tests. It unpacks a
// tree from a tarball and, from one compiled request, derives the requests
// that protoc or buf would send for the same files batched differently: one
// file alone, or the whole set in another order.
//
// Derived requests share the FileDescriptorProtos of the request they come
// from: treat every request as read-only.
package corpus

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
)

// Unpack extracts the regular files and directories of the gzipped tarball
// tgz below dir. An entry whose name would land outside dir is an error.
func Unpack(tgz, dir string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %v", tgz, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", tgz, err)
		}
		name := path.Clean(h.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("%s: entry %q is outside the tree", tgz, h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.Create(target)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %s: %v", tgz, h.Name, err)
			}
		}
	}
}

// Request compiles every .proto file below root, with root as the only
// import path besides the well-known types, into the request protoc would
// send to generate all of them: file_to_generate sorted, proto_file in
// dependency order with source info.
func Request(ctx context.Context, root, parameter string) (*pluginpb.CodeGeneratorRequest, error) {
	files, err := compile.ProtoFiles(root)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .proto files below %s", root)
	}
	return compile.Request(ctx, []string{root}, files, parameter)
}

// Set indexes a request's proto_file by name, to derive other requests
// from it.
type Set struct {
	req    *pluginpb.CodeGeneratorRequest
	byName map[string]*descriptorpb.FileDescriptorProto
}

// NewSet indexes req. Every import of every file must be in req.
func NewSet(req *pluginpb.CodeGeneratorRequest) (*Set, error) {
	s := &Set{req: req, byName: make(map[string]*descriptorpb.FileDescriptorProto, len(req.GetProtoFile()))}
	for _, f := range req.GetProtoFile() {
		if _, dup := s.byName[f.GetName()]; dup {
			return nil, fmt.Errorf("proto_file %s appears twice", f.GetName())
		}
		s.byName[f.GetName()] = f
	}
	for _, f := range req.GetProtoFile() {
		for _, dep := range f.GetDependency() {
			if s.byName[dep] == nil {
				return nil, fmt.Errorf("%s imports %s, which is not in the request", f.GetName(), dep)
			}
		}
	}
	return s, nil
}

// File returns the named file of the request, or nil.
func (s *Set) File(name string) *descriptorpb.FileDescriptorProto { return s.byName[name] }

// Closure returns the named files and everything they import, each after
// its imports, visiting roots and imports in declaration order: the order
// in which protoc writes proto_file.
func (s *Set) Closure(roots ...string) ([]*descriptorpb.FileDescriptorProto, error) {
	seen := make(map[string]bool)
	var out []*descriptorpb.FileDescriptorProto
	var visit func(name string) error
	visit = func(name string) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		f := s.byName[name]
		if f == nil {
			return fmt.Errorf("%s is not in the request", name)
		}
		for _, dep := range f.GetDependency() {
			if err := visit(dep); err != nil {
				return err
			}
		}
		out = append(out, f)
		return nil
	}
	for _, name := range roots {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Alone returns the request protoc sends to generate the named file alone:
// file_to_generate is that file, proto_file the file and its imports in
// dependency order, with the same parameter and compiler version.
func (s *Set) Alone(name string) (*pluginpb.CodeGeneratorRequest, error) {
	files, err := s.Closure(name)
	if err != nil {
		return nil, err
	}
	return s.derive([]string{name}, files), nil
}

// Shuffled returns the whole request with file_to_generate in another
// order and proto_file in another dependency order: whenever several files
// have all their imports listed already, rnd picks the next one.
func (s *Set) Shuffled(rnd *rand.Rand) *pluginpb.CodeGeneratorRequest {
	order := s.dependencyOrder(rnd)
	// With few files the draw may give the request's own order back: draw
	// again, a bounded number of times, as some graphs have one order only.
	for range 100 {
		if !slices.Equal(order, s.req.GetProtoFile()) {
			break
		}
		order = s.dependencyOrder(rnd)
	}
	return s.derive(permute(s.req.GetFileToGenerate(), rnd), order)
}

// dependencyOrder is a random dependency order of the request's files.
func (s *Set) dependencyOrder(rnd *rand.Rand) []*descriptorpb.FileDescriptorProto {
	files := s.req.GetProtoFile()
	// Kahn's algorithm over the import graph with a random choice among the
	// files that are ready.
	waiting := make(map[string]int, len(files))        // imports not yet placed
	importers := make(map[string][]string, len(files)) // file -> files importing it
	var ready []string
	for _, f := range files {
		deps := uniq(f.GetDependency())
		waiting[f.GetName()] = len(deps)
		for _, dep := range deps {
			importers[dep] = append(importers[dep], f.GetName())
		}
		if len(deps) == 0 {
			ready = append(ready, f.GetName())
		}
	}
	order := make([]*descriptorpb.FileDescriptorProto, 0, len(files))
	for len(ready) > 0 {
		i := rnd.IntN(len(ready))
		name := ready[i]
		ready[i] = ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		order = append(order, s.byName[name])
		for _, imp := range importers[name] {
			if waiting[imp]--; waiting[imp] == 0 {
				ready = append(ready, imp)
			}
		}
	}
	return order
}

// Unordered returns the whole request with file_to_generate in another
// order and proto_file in an order that is not a dependency order, some
// file coming before a file it imports: protoc never sends that, but a
// plugin that links with protodesc.NewFiles accepts it. It fails when no
// file imports another, as every order is then a dependency order.
func (s *Set) Unordered(rnd *rand.Rand) (*pluginpb.CodeGeneratorRequest, error) {
	files := slices.Clone(s.req.GetProtoFile())
	rnd.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	if Topological(files) {
		// Rare with many files: the reverse of a dependency order puts
		// every importer before its imports.
		files = slices.Clone(s.req.GetProtoFile())
		slices.Reverse(files)
		if Topological(files) {
			return nil, fmt.Errorf("no file of the request imports another")
		}
	}
	return s.derive(permute(s.req.GetFileToGenerate(), rnd), files), nil
}

func (s *Set) derive(toGenerate []string, files []*descriptorpb.FileDescriptorProto) *pluginpb.CodeGeneratorRequest {
	return &pluginpb.CodeGeneratorRequest{
		FileToGenerate:  toGenerate,
		Parameter:       s.req.Parameter,
		ProtoFile:       files,
		CompilerVersion: s.req.CompilerVersion,
	}
}

// Topological reports whether every file comes after the files it imports,
// each name once.
func Topological(files []*descriptorpb.FileDescriptorProto) bool {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if seen[f.GetName()] {
			return false
		}
		for _, dep := range f.GetDependency() {
			if !seen[dep] {
				return false
			}
		}
		seen[f.GetName()] = true
	}
	return true
}

// permute returns names in a random order other than the given one, when
// there is another.
func permute(names []string, rnd *rand.Rand) []string {
	out := slices.Clone(names)
	if len(uniq(out)) < 2 {
		return out
	}
	for {
		rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		if !slices.Equal(out, names) {
			return out
		}
	}
}

func uniq(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
