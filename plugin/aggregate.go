package plugin

import (
	"fmt"
	"path"

	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/inference"
)

// checkAggregateRequest refuses an aggregate request that can only be one
// of several partial ones. buf's default strategy, directory, runs a plugin
// once per directory of the input: each run would write an aggregate of
// one directory under the same name, and buf would keep one of them, with
// no more than a "duplicate generated file name" warning. Such a request
// can be told from a whole one when it comes from buf (protoc always sets
// compiler_version, buf does not), holds the files of one directory only,
// and imports a file of another directory that declares services outside
// the infrastructure packages: under strategy: all, that file would have
// been generated too. A module whose directories do not import one another
// cannot be told apart this way; the documentation says to use strategy:
// all.
func checkAggregateRequest(req *pluginpb.CodeGeneratorRequest, cfg Config) error {
	if req.CompilerVersion != nil || len(req.GetFileToGenerate()) == 0 {
		return nil
	}
	dir := path.Dir(req.GetFileToGenerate()[0])
	generated := make(map[string]bool, len(req.GetFileToGenerate()))
	for _, name := range req.GetFileToGenerate() {
		if path.Dir(name) != dir {
			return nil
		}
		generated[name] = true
	}
	for _, f := range req.GetProtoFile() {
		if generated[f.GetName()] || len(f.GetService()) == 0 || path.Dir(f.GetName()) == dir ||
			inference.InPackages(f.GetPackage(), cfg.Infrastructure) {
			continue
		}
		return fmt.Errorf("parameter aggregate=%s: this request holds only the files of directory %s, but they import %s, whose services would be missing: "+
			"buf's default strategy (directory) runs the plugin once per directory and each run would overwrite the aggregate; set `strategy: all` on this plugin in buf.gen.yaml",
			cfg.Aggregate, dir, f.GetName())
	}
	return nil
}
