// Command protogen is the do-nothing protogen plugin, a second floor for
// internal/bench.
//
// It lets google.golang.org/protobuf/compiler/protogen read the request and
// build its full view of every file (protogen.Plugin with Files, Messages,
// Services, comments, Go import paths), then returns without generating
// anything. Compared with the bare floor (internal/floor/bare) it shows what
// the protogen convenience layer costs on top of plain linking; compared with
// protoc-gen-registration it shows what a typical protogen-based plugin
// spends before writing its first byte.
package main

import (
	// Blank-imported so the request is unmarshalled with the same registered
	// extensions (google.api.http, google.api.resource, ...) that
	// protoc-gen-registration sees; otherwise option bytes would stay unknown
	// fields and this floor would be cheaper than the real plugin for reasons
	// that have nothing to do with protogen.
	_ "google.golang.org/genproto/googleapis/api/annotations"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	protogen.Options{}.Run(func(gen *protogen.Plugin) error {
		// Announce the same capabilities as protoc-gen-registration so that
		// protogen performs the same checks; generate nothing.
		gen.SupportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL |
			pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)
		gen.SupportedEditionsMinimum = descriptorpb.Edition_EDITION_2023
		gen.SupportedEditionsMaximum = descriptorpb.Edition_EDITION_2024
		return nil
	})
}
