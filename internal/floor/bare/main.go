// Command bare is the benchmark's floor: the least work any protoc plugin
// that operates on exact descriptors must do.
//
// It reads a CodeGeneratorRequest from stdin, unmarshals it, links every
// entry of proto_file into a protoregistry.Files with protodesc.NewFiles
// (which validates and resolves all cross-file references, the step that
// turns raw FileDescriptorProtos into descriptors a generator can trust),
// and writes an empty CodeGeneratorResponse that only announces the
// supported features and editions. It generates nothing.
//
// internal/bench runs it next to protoc-gen-registration so that the
// plugin's cost can be read as "floor + our own work": whatever the bare
// floor spends is unavoidable for any plugin that reads the same request.
package main

import (
	"fmt"
	"io"
	"os"

	// Blank-imported so that proto.Unmarshal below sees the same registered
	// extensions (google.api.http, google.api.resource, field_behavior, ...)
	// as protoc-gen-registration does. With them registered, option bytes
	// are decoded into typed extension fields rather than kept as unknown
	// bytes, so the floor pays the same unmarshal cost as the real plugin.
	_ "google.golang.org/genproto/googleapis/api/annotations"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "bare floor: %v\n", err)
		os.Exit(1)
	}
}

// run does the floor's work: read, unmarshal, link, answer.
func run(in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading request: %w", err)
	}
	req := &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(data, req); err != nil {
		return fmt.Errorf("parsing request: %w", err)
	}
	// Linking is the part a plugin cannot skip if it wants resolved types.
	// The resulting registry is deliberately unused.
	if _, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.GetProtoFile()}); err != nil {
		return fmt.Errorf("linking proto_file: %w", err)
	}
	resp := &pluginpb.CodeGeneratorResponse{
		SupportedFeatures: proto.Uint64(uint64(
			pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL |
				pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)),
		MinimumEdition: proto.Int32(int32(descriptorpb.Edition_EDITION_2023)),
		MaximumEdition: proto.Int32(int32(descriptorpb.Edition_EDITION_2024)),
	}
	b, err := proto.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encoding response: %w", err)
	}
	if _, err := out.Write(b); err != nil {
		return fmt.Errorf("writing response: %w", err)
	}
	return nil
}
