package main

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/corpus"
)

// corpusRequest returns the CodeGeneratorRequest for every .proto file of
// the googleapis tree at src: a directory, or a .tgz/.tar.gz of one, which
// is unpacked into work/corpus first. The tree is its own and only import
// path (it holds google/api, google/rpc, ...); the google/protobuf files
// come from protocompile's standard imports, as they come from protoc's
// include directory. It is the request the plugin's corpus test builds.
func corpusRequest(ctx context.Context, src, work string) (*pluginpb.CodeGeneratorRequest, error) {
	dir := src
	if strings.HasSuffix(src, ".tgz") || strings.HasSuffix(src, ".tar.gz") {
		dir = filepath.Join(work, "corpus")
		if err := corpus.Unpack(src, dir); err != nil {
			return nil, fmt.Errorf("unpacking %s: %w", src, err)
		}
	}
	req, err := corpus.Request(ctx, dir, "")
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", src, err)
	}
	return req, nil
}

// requestStats counts the services and the distinct proto packages of the
// files to generate in req, for the row's heading and time per service.
func requestStats(req *pluginpb.CodeGeneratorRequest) (services, packages int) {
	gen := map[string]bool{}
	for _, f := range req.GetFileToGenerate() {
		gen[f] = true
	}
	pkgs := map[string]bool{}
	for _, fd := range req.GetProtoFile() {
		if gen[fd.GetName()] {
			services += len(fd.GetService())
			pkgs[fd.GetPackage()] = true
		}
	}
	return services, len(pkgs)
}

// goMappings returns the M parameters ("Mfile=importpath;name", comma
// separated) that give every file of req without a go_package option a Go
// package, as someone running protoc-gen-go on the tree has to: the
// go_package of another file of its proto package when there is one, else a
// path of its own under goPackageBase. Without them protogen, and so the
// protogen floor and any Go plugin, refuses the whole request (googleapis
// has a file like that).
func goMappings(req *pluginpb.CodeGeneratorRequest) string {
	byPackage := map[string]string{}
	for _, fd := range req.GetProtoFile() {
		if gp := fd.GetOptions().GetGoPackage(); gp != "" {
			if _, seen := byPackage[fd.GetPackage()]; !seen {
				byPackage[fd.GetPackage()] = gp
			}
		}
	}
	var params []string
	for _, fd := range req.GetProtoFile() {
		if fd.GetOptions().GetGoPackage() != "" {
			continue
		}
		gp, ok := byPackage[fd.GetPackage()]
		if !ok {
			dir := path.Dir(fd.GetName())
			gp = goPackageBase + "corpus/" + dir + ";" + strings.ReplaceAll(path.Base(dir), ".", "_")
		}
		params = append(params, "M"+fd.GetName()+"="+gp)
	}
	return strings.Join(params, ",")
}

// withParam returns programs with extra appended to each one's parameter.
func withParam(programs []program, extra string) []program {
	if extra == "" {
		return programs
	}
	out := slices.Clone(programs)
	for i := range out {
		if out[i].Param == "" {
			out[i].Param = extra
		} else {
			out[i].Param += "," + extra
		}
	}
	return out
}
