package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"google.golang.org/protobuf/types/pluginpb"
)

// corpusRoots are the top-level directories of a googleapis tree whose
// .proto files make up the real-world request.
var corpusRoots = []string{"google/", "grafeas/"}

// corpusRequest returns the CodeGeneratorRequest for every .proto file under
// google/ and grafeas/ of the googleapis tree at src: a directory, or a
// .tgz/.tar.gz of one, which is unpacked into work/corpus first. The tree is
// its own and only import path (it holds google/api, google/rpc, ...); the
// google/protobuf files come from protocompile's standard imports, as they
// come from protoc's include directory.
func corpusRequest(ctx context.Context, src, work string) (*pluginpb.CodeGeneratorRequest, error) {
	dir := src
	if strings.HasSuffix(src, ".tgz") || strings.HasSuffix(src, ".tar.gz") {
		dir = filepath.Join(work, "corpus")
		if err := untar(src, dir); err != nil {
			return nil, fmt.Errorf("unpacking %s: %w", src, err)
		}
	}
	all, err := compile.ProtoFiles(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range all {
		for _, root := range corpusRoots {
			if strings.HasPrefix(f, root) {
				files = append(files, f)
				break
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .proto files under %s", src, strings.Join(corpusRoots, " or "))
	}
	req, err := compile.Request(ctx, []string{dir}, files, "")
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", src, err)
	}
	return req, nil
}

// untar unpacks the gzipped tar file src into dir, regular files and
// directories only, refusing any entry that would land outside dir.
func untar(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("entry %q leaves the target directory", h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeEntry(target, tr); err != nil {
				return err
			}
		}
	}
}

// writeEntry writes the current tar entry to target, creating its directory.
func writeEntry(target string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.Create(target)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
