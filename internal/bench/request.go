package main

import (
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// requestFiles writes one serialized request per distinct parameter into dir
// and returns the file path for each parameter. Compilation happens once per
// row; only the parameter field differs between the files.
func requestFiles(dir string, base *pluginpb.CodeGeneratorRequest, params []string) (map[string]string, error) {
	paths := map[string]string{}
	for _, param := range params {
		if _, done := paths[param]; done {
			continue
		}
		req := proto.CloneOf(base)
		req.Parameter = nil
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
