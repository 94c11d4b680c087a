package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/pluginpb"
)

// compilerVersion is what the captured request claims protoc to be. Plugins
// must not depend on it; it is set only because protoc always sets it.
var compilerVersion = &pluginpb.Version{
	Major: proto.Int32(5),
	Minor: proto.Int32(29),
	Patch: proto.Int32(3),
}

// buildRequest compiles the files under protoRoot in-process and returns the
// CodeGeneratorRequest protoc would send for them: files_to_generate = files,
// proto_file = every file they transitively import plus themselves, in
// dependency order, with source code info (comments) included. The parameter
// is left unset; requestFiles fills it in per program.
func buildRequest(ctx context.Context, protoRoot, googleapis string, files []string) (*pluginpb.CodeGeneratorRequest, error) {
	compiler := protocompile.Compiler{
		// Our tree first, then the vendored google/api protos; the standard
		// imports (google/protobuf/*.proto) come built in, as with protoc.
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			ImportPaths: []string{protoRoot, googleapis},
		}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := compiler.Compile(ctx, files...)
	if err != nil {
		return nil, fmt.Errorf("compiling synthetic tree: %w", err)
	}
	roots := make([]protoreflect.FileDescriptor, len(compiled))
	for i, f := range compiled {
		roots[i] = f
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate:  files,
		CompilerVersion: compilerVersion,
	}
	for _, fd := range dependencyOrder(roots) {
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(fd))
	}
	return req, nil
}

// dependencyOrder lists roots and everything they import, each file after all
// of its imports, visiting roots and imports in declaration order. This is the
// order protoc uses for proto_file, and plugins are entitled to rely on it.
func dependencyOrder(roots []protoreflect.FileDescriptor) []protoreflect.FileDescriptor {
	seen := map[string]bool{}
	var out []protoreflect.FileDescriptor
	var visit func(fd protoreflect.FileDescriptor)
	visit = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := range imports.Len() {
			visit(imports.Get(i).FileDescriptor)
		}
		out = append(out, fd)
	}
	for _, fd := range roots {
		visit(fd)
	}
	return out
}

// requestFiles writes one serialized request per distinct parameter into dir
// and returns the file path for each parameter. Compilation happens once per
// N; only the parameter field differs between the files.
func requestFiles(dir string, base *pluginpb.CodeGeneratorRequest, params []string) (map[string]string, error) {
	paths := map[string]string{}
	for _, param := range params {
		if _, done := paths[param]; done {
			continue
		}
		req := proto.CloneOf(base)
		if param != "" {
			req.Parameter = proto.String(param)
		}
		data, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
		path := filepath.Join(dir, fmt.Sprintf("request-%d.pb", len(paths)))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
		paths[param] = path
	}
	return paths, nil
}
