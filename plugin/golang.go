package plugin

import (
	"fmt"
	"runtime/debug"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/parallel"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/templates"
)

// withGo finishes the list of files to write according to emit: it drops
// the registration files when emit names go alone, and adds a Go
// registration file for every generated proto file with services when emit
// names go. regs are the per-file registrations, in file_to_generate order.
func (r *run) withGo(req *pluginpb.CodeGeneratorRequest, regs []*registration.Registration, out []outputFile) ([]outputFile, error) {
	if !r.cfg.EmitRegistrations {
		out = out[:0]
	}
	if !r.cfg.EmitGo {
		return out, nil
	}
	goFiles, err := generateGo(req, r.files, r.cfg.GoParams, regs)
	if err != nil {
		return nil, err
	}
	return append(out, goFiles...), nil
}

// generateGo renders the Go registration files.
//
// protogen's view of the request is built here and only here: it works out
// Go packages, import paths and file names from go_package, M, paths= and
// module= exactly as protoc-gen-go does, so the files land beside
// protoc-gen-go's output. It is built from goView, not from the request: on
// the whole of a large request it would cost more than everything else the
// plugin does. goView reads the linked files, so the request's proto_file
// is not needed here.
//
// Files are rendered and formatted on every processor: formatting, which
// protogen does with go/printer, is most of the cost of Go output.
func generateGo(req *pluginpb.CodeGeneratorRequest, files *protoregistry.Files, goParams []string, regs []*registration.Registration) ([]outputFile, error) {
	view, err := goView(req, files)
	if err != nil {
		return nil, err
	}
	gen, err := protogen.Options{
		// The plugin's own parameters were checked by ParseParameter;
		// protogen handles its own (paths=, module=, M) and is told to
		// accept the rest.
		ParamFunc: func(name, value string) error { return nil },
	}.New(view)
	if err != nil {
		// protogen's message for a file without a Go package does not say
		// which parameter this plugin takes: give ours.
		if err := checkGoPackages(view, goParams); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("emit=go: %v", err)
	}
	byFile := make(map[string]*registration.Registration, len(regs))
	for _, reg := range regs {
		if len(reg.Files) > 0 {
			byFile[reg.Files[0]] = reg
		}
	}
	module := ""
	for _, kv := range goParams {
		if v, ok := strings.CutPrefix(kv, "module="); ok {
			module = v
		}
	}
	type job struct {
		source, name string // name is the output name, without module=
		g            *protogen.GeneratedFile
		data         *templates.File
	}
	var jobs []job
	for _, source := range req.GetFileToGenerate() {
		f, reg := gen.FilesByPath[source], byFile[source]
		if f == nil || reg == nil {
			continue
		}
		if data := goFileData(f, reg, files); data != nil {
			name := goFileName(f)
			out, err := trimModule(name, module)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", source, err)
			}
			// go_package, M and paths= decide where the file goes, and
			// protogen takes them as given: "../x;x" would write outside
			// the output directory.
			if err := checkOutputName(out, goOrigin(f, goParams)); err != nil {
				return nil, err
			}
			jobs = append(jobs, job{source: source, name: out, g: gen.NewGeneratedFile(name, f.GoImportPath), data: data})
		}
	}
	// Rendering makes much short-lived garbage (each file is parsed and
	// printed again by go/printer) next to a large live heap (the linked
	// request and its registrations), which each collection has to mark
	// again: collect less often while it runs. On a request of 5,000
	// services this saves about 5% of the plugin's time and raises its
	// peak memory from about 1.1 to 1.7 GB.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	out := make([]outputFile, len(jobs))
	errs := make([]error, len(jobs))
	parallel.For(len(jobs), func(i int) {
		out[i], errs[i] = renderGo(jobs[i].g, jobs[i].data, jobs[i].name)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %v", jobs[i].source, err)
		}
	}
	return out, nil
}

// renderGo executes the template into g and returns the formatted file
// under the output name name.
func renderGo(g *protogen.GeneratedFile, data *templates.File, name string) (outputFile, error) {
	if err := templates.Generate(g, data); err != nil {
		return outputFile{}, fmt.Errorf("generating %s: %v", name, err)
	}
	content, err := g.Content()
	if err != nil {
		return outputFile{}, fmt.Errorf("generating %s: %v", name, err)
	}
	return outputFile{name: name, content: content}, nil
}

// trimModule returns the output name of the Go file name as protogen names
// it: without the module= prefix.
func trimModule(name, module string) (string, error) {
	if module == "" {
		return name, nil
	}
	trimmed, ok := strings.CutPrefix(name, module+"/")
	if !ok {
		return "", fmt.Errorf("emit=go: generated file %s does not match prefix %q", name, module)
	}
	return trimmed, nil
}

// goOrigin says what put a proto file's Go output where it is, for
// checkOutputName: the file's own name under paths=source_relative,
// otherwise its Go import path, from an M parameter (which takes precedence,
// as in protogen) or the go_package option.
func goOrigin(f *protogen.File, goParams []string) string {
	source := f.Desc.Path()
	sourceRelative, mapping := false, ""
	for _, kv := range goParams {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case "paths":
			sourceRelative = v == "source_relative"
		case "M" + source:
			mapping = kv
		}
	}
	switch {
	case sourceRelative:
		return excerpt.Plain(source) + ", paths=source_relative"
	case mapping != "":
		return excerpt.Plain(source) + ", parameter " + excerpt.Plain(mapping)
	}
	if gp := f.Desc.Options().(*descriptorpb.FileOptions).GetGoPackage(); gp != "" {
		return fmt.Sprintf("%s, go_package %s", excerpt.Plain(source), excerpt.Quote(gp))
	}
	return excerpt.Plain(source)
}

// goFileData is what the template needs for one proto file, or nil when
// none of its services has a registration. Method names come from the
// linked files: protogen's view (goView) has no methods.
func goFileData(f *protogen.File, reg *registration.Registration, files *protoregistry.Files) *templates.File {
	byName := make(map[string]*registration.Service, len(reg.Services))
	for _, s := range reg.Services {
		byName[s.Name] = s
	}
	data := &templates.File{
		Source:         f.Desc.Path(),
		GoPackageName:  f.GoPackageName,
		GoImportPath:   f.GoImportPath,
		FileDescriptor: f.GoDescriptorIdent,
	}
	for _, s := range f.Services {
		svc := byName[string(s.Desc.FullName())]
		if svc == nil {
			continue
		}
		var methods []string
		if d, err := files.FindDescriptorByName(s.Desc.FullName()); err == nil {
			if sd, ok := d.(protoreflect.ServiceDescriptor); ok {
				for i := range sd.Methods().Len() {
					methods = append(methods, string(sd.Methods().Get(i).Name()))
				}
			}
		}
		data.Services = append(data.Services, templates.Service{
			GoName:       s.GoName,
			Name:         string(s.Desc.Name()),
			FullName:     string(s.Desc.FullName()),
			MethodNames:  methods,
			Registration: svc,
		})
	}
	if len(data.Services) == 0 {
		return nil
	}
	return data
}

// goView returns what decides where Go code goes and what it is called, as
// a request for protogen: the files to generate and everything they import,
// dependencies first, each with its name, package, imports, syntax or
// edition, options (go_package) and services by name; no messages, enums,
// extensions, methods or comments. protogen works out the same Go packages,
// file names, descriptor variables and service names from it as from the
// whole request, and its view of the whole request would link every file a
// second time and name every message, field and enum in Go, for nothing
// that the registration files use.
func goView(req *pluginpb.CodeGeneratorRequest, files *protoregistry.Files) (*pluginpb.CodeGeneratorRequest, error) {
	view := &pluginpb.CodeGeneratorRequest{
		FileToGenerate:  req.GetFileToGenerate(),
		Parameter:       req.Parameter,
		CompilerVersion: req.GetCompilerVersion(),
	}
	seen := make(map[string]bool)
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		lite := &descriptorpb.FileDescriptorProto{Name: proto.String(fd.Path())}
		if fd.Package() != "" {
			lite.Package = proto.String(string(fd.Package()))
		}
		imports := fd.Imports()
		for i := range imports.Len() {
			imp := imports.Get(i)
			add(imp.FileDescriptor)
			lite.Dependency = append(lite.Dependency, imp.Path())
			if imp.IsPublic {
				lite.PublicDependency = append(lite.PublicDependency, int32(i))
			}
		}
		// As protodesc.ToFileDescriptorProto does.
		if oi, ok := fd.(interface {
			OptionImports() protoreflect.FileImports
		}); ok {
			imports := oi.OptionImports()
			for i := range imports.Len() {
				lite.OptionDependency = append(lite.OptionDependency, imports.Get(i).Path())
			}
		}
		lite.Options, _ = fd.Options().(*descriptorpb.FileOptions)
		switch fd.Syntax() {
		case protoreflect.Proto3:
			lite.Syntax = proto.String("proto3")
		case protoreflect.Editions:
			lite.Syntax = proto.String("editions")
			if ed, ok := fd.(interface{ Edition() int32 }); ok {
				lite.Edition = descriptorpb.Edition(ed.Edition()).Enum()
			}
		}
		services := fd.Services()
		for i := range services.Len() {
			sd := services.Get(i)
			opts, _ := sd.Options().(*descriptorpb.ServiceOptions)
			lite.Service = append(lite.Service, &descriptorpb.ServiceDescriptorProto{Name: proto.String(string(sd.Name())), Options: opts})
		}
		view.ProtoFile = append(view.ProtoFile, lite)
	}
	for _, name := range req.GetFileToGenerate() {
		fd, err := files.FindFileByPath(name)
		if err != nil {
			return nil, fmt.Errorf("file_to_generate %q is not among the request's proto_file", name)
		}
		add(fd)
	}
	return view, nil
}

// checkGoPackages reports the first file of a goView, dependencies first,
// whose Go package is known neither from a go_package option nor from an M
// parameter.
func checkGoPackages(view *pluginpb.CodeGeneratorRequest, goParams []string) error {
	mapped := make(map[string]bool)
	for _, kv := range goParams {
		if file, path, _ := strings.Cut(kv, "="); strings.HasPrefix(file, "M") && path != "" {
			mapped[file[1:]] = true
		}
	}
	for _, f := range view.GetProtoFile() {
		if name := f.GetName(); f.GetOptions().GetGoPackage() == "" && !mapped[name] {
			return fmt.Errorf("%s: emit=go: the file's Go package is unknown: add option go_package = \"IMPORT/PATH;NAME\" to it, or pass the parameter M%s=IMPORT/PATH", name, name)
		}
	}
	return nil
}

// goFileName is the name of a proto file's Go registration file, beside
// protoc-gen-go's NAME.pb.go.
func goFileName(f *protogen.File) string { return f.GeneratedFilenamePrefix + ".registration.go" }
