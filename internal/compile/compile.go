// Package compile builds CodeGeneratorRequests from .proto sources in
// process, with github.com/bufbuild/protocompile, the way protoc and buf
// would build them. Tests and the benchmark use it; the plugin does not.
package compile

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/pluginpb"
)

// Request compiles files, found in importPaths, and returns the request that
// protoc would send a plugin for them: proto_file holds every file and its
// imports, dependencies first, with source info; file_to_generate lists files
// in the given order.
func Request(ctx context.Context, importPaths, files []string, parameter string) (*pluginpb.CodeGeneratorRequest, error) {
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: importPaths}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := c.Compile(ctx, files...)
	if err != nil {
		return nil, err
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate:  files,
		CompilerVersion: &pluginpb.Version{Major: proto.Int32(5), Minor: proto.Int32(29), Patch: proto.Int32(0)},
	}
	if parameter != "" {
		req.Parameter = proto.String(parameter)
	}
	seen := make(map[string]bool)
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := range imports.Len() {
			add(imports.Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(fd))
	}
	for _, f := range compiled {
		add(f)
	}
	if len(req.ProtoFile) == 0 {
		return nil, fmt.Errorf("compiled no files")
	}
	// A plugin receives the request as bytes and parses its options with the
	// extensions linked into it; protocompile's descriptors carry options as
	// dynamic messages instead. A round trip gives what a plugin really sees.
	data, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	wire := &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(data, wire); err != nil {
		return nil, err
	}
	return wire, nil
}

// ProtoFiles lists the .proto files below dir, relative to it with slashes,
// sorted: the files_to_generate of a test case directory.
func ProtoFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".proto") {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	slices.Sort(files)
	return files, err
}
