package plugin

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// linked is a request's files after linking.
type linked struct {
	files *protoregistry.Files
	// ordered holds the files in request order, dependencies first.
	ordered []protoreflect.FileDescriptor
	// sourceInfo holds the source code info of the files to generate, for
	// their comments.
	sourceInfo map[string]*descriptorpb.SourceCodeInfo
}

// link links the request's files, as protodesc.NewFiles would.
//
// protoc and buf send proto_file in topological order, dependencies first.
// Such a request is linked one file at a time, and with consume set each
// FileDescriptorProto is let go as soon as its file is linked: the linked
// descriptor holds all the plugin needs, so the two copies of the request
// are never live together and the collections that run while the rest is
// linked reclaim what is done. On large requests that keeps the plugin's
// peak memory at the floor's and saves the collector work. A request in
// any other order is linked whole with protodesc.NewFiles.
func link(req *pluginpb.CodeGeneratorRequest, consume bool) (*linked, error) {
	protoFiles := req.GetProtoFile()
	l := &linked{sourceInfo: make(map[string]*descriptorpb.SourceCodeInfo, len(req.GetFileToGenerate()))}
	for _, name := range req.GetFileToGenerate() {
		l.sourceInfo[name] = nil
	}
	keepInfo := func(f *descriptorpb.FileDescriptorProto) {
		if _, wanted := l.sourceInfo[f.GetName()]; wanted {
			l.sourceInfo[f.GetName()] = f.GetSourceCodeInfo()
		}
	}
	if !topological(protoFiles) {
		files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: protoFiles})
		if err != nil {
			return nil, fmt.Errorf("linking the request's files: %v", err)
		}
		l.files = files
		for _, f := range protoFiles {
			fd, err := files.FindFileByPath(f.GetName())
			if err != nil {
				return nil, fmt.Errorf("linking the request's files: %v", err)
			}
			l.ordered = append(l.ordered, fd)
			keepInfo(f)
		}
		return l, nil
	}
	l.files = new(protoregistry.Files)
	l.ordered = make([]protoreflect.FileDescriptor, 0, len(protoFiles))
	for i, f := range protoFiles {
		fd, err := protodesc.NewFile(f, l.files)
		if err != nil {
			return nil, fmt.Errorf("linking the request's files: %v", err)
		}
		if err := l.files.RegisterFile(fd); err != nil {
			return nil, fmt.Errorf("linking the request's files: %v", err)
		}
		l.ordered = append(l.ordered, fd)
		keepInfo(f)
		if consume {
			protoFiles[i] = nil
		}
	}
	if consume {
		req.ProtoFile = nil
	}
	return l, nil
}

// topological reports whether every file comes after the files it imports,
// each name once.
func topological(files []*descriptorpb.FileDescriptorProto) bool {
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
