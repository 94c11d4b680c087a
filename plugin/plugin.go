// Package plugin turns a CodeGeneratorRequest into service registrations.
//
// It links the request's files with protodesc, runs package inference over
// the exact descriptors and encodes the result. protogen's view of the
// request is not built: registration files have no use for Go names, and on
// large requests building that view costs more than everything else.
package plugin

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/internal/parallel"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Name is the plugin's name as it appears in generated files and messages.
const Name = "protoc-gen-registration"

// Features the plugin declares to protoc and buf.
const (
	supportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL |
		pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)
	minimumEdition = int32(descriptorpb.Edition_EDITION_2023)
	maximumEdition = int32(descriptorpb.Edition_EDITION_2024)
)

// Generate runs the plugin on req. A problem with the request, its parameter
// or the user's protos is returned in the response's error field, with no
// files, as protoc expects. Warnings, such as conflicting routes when they
// are not errors, are written to warnings. The returned error is reserved for
// internal failures.
func Generate(req *pluginpb.CodeGeneratorRequest, warnings io.Writer) (*pluginpb.CodeGeneratorResponse, error) {
	resp := newResponse()
	files, err := generate(req, warnings, false)
	if err != nil {
		resp.Error = proto.String(err.Error())
		return resp, nil
	}
	for _, f := range files {
		content, err := f.encode(nil)
		if err != nil {
			return nil, err
		}
		resp.File = append(resp.File, &pluginpb.CodeGeneratorResponse_File{Name: proto.String(f.name), Content: proto.String(string(content))})
	}
	return resp, nil
}

func newResponse() *pluginpb.CodeGeneratorResponse {
	return &pluginpb.CodeGeneratorResponse{
		SupportedFeatures: proto.Uint64(supportedFeatures),
		MinimumEdition:    proto.Int32(minimumEdition),
		MaximumEdition:    proto.Int32(maximumEdition),
	}
}

// outputFile is a file to write: its name and the registration it holds,
// encoded only when it is written.
type outputFile struct {
	name    string
	reg     *registration.Registration
	format  registration.Encoding
	content []byte // a file rendered already (Go output), written as is
}

func (f outputFile) encode(dst []byte) ([]byte, error) {
	if f.reg == nil {
		return append(dst, f.content...), nil
	}
	data, err := registration.Append(dst, f.reg, f.format)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %v", f.name, err)
	}
	return data, nil
}

// run holds what one request needs while its services are read.
type run struct {
	cfg      Config
	files    *protoregistry.Files
	index    *inference.Index
	apiRules []*apiRule
	capRules []inference.CapabilityRule
	routes   []inference.Route
}

// generate builds the files to write. With consume set, it may release the
// request's proto_file once it is linked, to keep peak memory down; the
// request is not usable afterwards.
func generate(req *pluginpb.CodeGeneratorRequest, warnings io.Writer, consume bool) ([]outputFile, error) {
	cfg, err := ParseParameter(req.GetParameter())
	if err != nil {
		return nil, err
	}
	l, err := link(req, consume)
	if err != nil {
		return nil, err
	}
	files, ordered := l.files, l.ordered
	r := &run{cfg: cfg, files: files}
	if cfg.APIConfig != "" {
		data, err := os.ReadFile(cfg.APIConfig)
		if err != nil {
			return nil, fmt.Errorf("grpc_api_configuration: %v", err)
		}
		if r.apiRules, err = parseAPIConfig(cfg.APIConfig, data); err != nil {
			return nil, err
		}
	}
	if cfg.CapabilityRules != "" {
		data, err := os.ReadFile(cfg.CapabilityRules)
		if err != nil {
			return nil, fmt.Errorf("capability_rules: %v", err)
		}
		if r.capRules, err = parseCapabilityRules(cfg.CapabilityRules, data); err != nil {
			return nil, err
		}
	}
	toGenerate := make([]protoreflect.FileDescriptor, 0, len(req.GetFileToGenerate()))
	for _, name := range req.GetFileToGenerate() {
		fd, err := files.FindFileByPath(name)
		if err != nil {
			return nil, fmt.Errorf("file_to_generate %q is not among the request's proto_file", name)
		}
		toGenerate = append(toGenerate, fd)
	}
	docs := make([]comments, len(toGenerate))
	parallel.For(len(toGenerate), func(i int) {
		docs[i] = leadingComments(toGenerate[i], l.sourceInfo[toGenerate[i].Path()])
	})
	r.index = inference.NewIndex(ordered, files)
	// Files are independent once the index is built: read them on every
	// processor, each into its own slot, and take the first error in file
	// order so that the result does not depend on scheduling.
	regs := make([]*registration.Registration, len(toGenerate))
	routes := make([][]inference.Route, len(toGenerate))
	errs := make([]error, len(toGenerate))
	parallel.For(len(toGenerate), func(i int) {
		regs[i], routes[i], errs[i] = r.file(toGenerate[i], docs[i])
	})
	for i := range toGenerate {
		if errs[i] != nil {
			return nil, errs[i]
		}
		r.routes = append(r.routes, routes[i]...)
	}
	if err := r.checkSelectors(); err != nil {
		return nil, err
	}
	conflicts := inference.Conflicts(r.routes)
	if err := r.reportConflicts(conflicts, warnings); err != nil {
		return nil, err
	}
	return r.withGo(req, regs, r.output(regs, conflicts))
}

// file builds the registration of one proto file and returns the routes of
// its bindings. It may run concurrently with other files.
func (r *run) file(fd protoreflect.FileDescriptor, comments comments) (*registration.Registration, []inference.Route, error) {
	reg := &registration.Registration{Format: registration.Format, Files: []string{fd.Path()}}
	var routes []inference.Route
	services := fd.Services()
	for i := range services.Len() {
		sd := services.Get(i)
		opts := inference.ServiceOptions(sd)
		svc := &registration.Service{
			Name:        string(sd.FullName()),
			Package:     string(fd.Package()),
			Version:     packageVersion(fd.Package()),
			File:        fd.Path(),
			Description: comments.service(i),
			Deprecated:  sd.Options().(*descriptorpb.ServiceOptions).GetDeprecated(),
			Owner:       opts.GetOwner(),
			Tags:        opts.GetTags(),
			Methods:     make([]*registration.Method, 0, sd.Methods().Len()),
		}
		health, err := r.health(sd)
		if err != nil {
			return nil, nil, err
		}
		svc.Health = health
		methods := sd.Methods()
		kept := make([]protoreflect.MethodDescriptor, 0, methods.Len())
		for j := range methods.Len() {
			md := methods.Get(j)
			if inference.Excluded(md) {
				continue
			}
			m, rs, err := r.method(md, comments.method(i, j))
			if err != nil {
				return nil, nil, err
			}
			svc.Methods = append(svc.Methods, m)
			routes = append(routes, rs...)
			kept = append(kept, md)
		}
		facts, err := r.index.DescribeService(sd, kept, r.capRules)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", servicePosition(sd, serviceOptionPath), err)
		}
		svc.Capabilities = facts.Capabilities
		svc.Dependencies = facts.Dependencies
		svc.Events = facts.Events
		svc.MessageTypes = facts.MessageTypes
		reg.Services = append(reg.Services, svc)
	}
	return reg, routes, nil
}

// packageVersion returns the version component of a package name, the last
// one that looks like "v1", "v2alpha" or "v1beta2", or "".
func packageVersion(pkg protoreflect.FullName) string {
	parts := strings.Split(string(pkg), ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if versionPattern.MatchString(parts[i]) {
			return parts[i]
		}
	}
	return ""
}

var versionPattern = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]*)?$`)

func (r *run) method(md protoreflect.MethodDescriptor, description string) (*registration.Method, []inference.Route, error) {
	facts := r.index.Method(md)
	m := &registration.Method{
		Name:           string(md.Name()),
		FullName:       string(md.FullName()),
		InputType:      string(md.Input().FullName()),
		OutputType:     string(md.Output().FullName()),
		Streaming:      streaming(md),
		Kind:           facts.Kind,
		Resource:       facts.Resource,
		Idempotency:    facts.Idempotency,
		ReadOnly:       facts.ReadOnly,
		LongRunning:    facts.LongRunning,
		RequiredFields: facts.RequiredFields,
		Description:    description,
		Deprecated:     md.Options().(*descriptorpb.MethodOptions).GetDeprecated(),
	}
	var rules []inference.HTTPRule
	var origins []string // where each rule was written, for errors
	for _, ar := range r.apiRules {
		if ar.matches(m.FullName) {
			ar.used.Store(true)
			rules = append(rules, inference.HTTPRule{Rule: ar.Rule, Source: registration.SourceConfig})
			origins = append(origins, ar.Pos)
		}
	}
	if opts := md.Options(); proto.HasExtension(opts, annotations.E_Http) {
		rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
		rules = append(rules, inference.HTTPRule{Rule: rule, Source: registration.SourceAnnotation})
		origins = append(origins, "")
	}
	routes, err := inference.Bindings(md, rules, r.cfg.RESTFallback)
	if err != nil {
		if be, ok := err.(*inference.BindingError); ok && be.Rule >= 0 && origins[be.Rule] != "" {
			return nil, nil, fmt.Errorf("%s: http rule for %v", origins[be.Rule], err)
		}
		return nil, nil, fmt.Errorf("%s: %v", position(md, httpOptionPath), err)
	}
	for _, rt := range routes {
		m.Bindings = append(m.Bindings, rt.Binding)
	}
	return m, routes, nil
}

// health gives the service's health checks: the HTTP path from its options,
// or from the health_path parameter, or the default.
func (r *run) health(sd protoreflect.ServiceDescriptor) (*registration.Health, error) {
	h := &registration.Health{GRPCService: string(sd.FullName()), HTTPPath: r.cfg.HealthPath, Source: registration.SourceInferred}
	if r.cfg.HealthPath != DefaultHealthPath {
		h.Source = registration.SourceConfig
	}
	if p := inference.ServiceOptions(sd).GetHealthPath(); p != "" {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# ") {
			return nil, fmt.Errorf("%s: service %s: option (registration.v1.service): health_path %q: want an absolute URL path such as /healthz",
				servicePosition(sd, serviceOptionPath), sd.FullName(), p)
		}
		h.HTTPPath, h.Source = p, registration.SourceDeclared
	}
	return h, nil
}

func streaming(md protoreflect.MethodDescriptor) string {
	switch {
	case md.IsStreamingClient() && md.IsStreamingServer():
		return registration.StreamingBidi
	case md.IsStreamingClient():
		return registration.StreamingClient
	case md.IsStreamingServer():
		return registration.StreamingServer
	}
	return registration.StreamingUnary
}

// checkSelectors reports a configured rule whose selector names no method.
// Rules for methods of files that are not being generated are fine: one
// service configuration often covers more files than one request does.
func (r *run) checkSelectors() error {
	for _, ar := range r.apiRules {
		if ar.used.Load() || r.selectorMatchesAny(ar) {
			continue
		}
		return fmt.Errorf("%s: http rule selector %q matches no method", ar.Pos, ar.Selector)
	}
	return nil
}

func (r *run) selectorMatchesAny(ar *apiRule) bool {
	found := false
	r.files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				if ar.matches(string(methods.Get(j).FullName())) {
					found = true
					return false
				}
			}
		}
		return true
	})
	return found
}

// reportConflicts fails on conflicting routes when asked to, and otherwise
// warns about each one.
func (r *run) reportConflicts(conflicts []inference.Conflict, warnings io.Writer) error {
	if len(conflicts) > 0 && r.cfg.Conflicts == ConflictsError {
		c := conflicts[0]
		a, b := r.routes[c.First], r.routes[c.Second]
		return fmt.Errorf("%s: method %s: route %s %s conflicts with method %s: %s %s (conflicts=error)",
			position(b.Method, httpOptionPath), b.Method.FullName(), b.Binding.Method, b.Binding.Path,
			a.Method.FullName(), a.Binding.Method, a.Binding.Path)
	}
	for _, c := range conflicts {
		a, b := r.routes[c.First], r.routes[c.Second]
		fmt.Fprintf(warnings, "%s: warning: route %s %s of %s conflicts with %s %s of %s\n",
			Name, b.Binding.Method, b.Binding.Path, b.Method.FullName(), a.Binding.Method, a.Binding.Path, a.Method.FullName())
	}
	return nil
}

// output lays out the files to write: one per proto file that has
// services, or one aggregate file.
func (r *run) output(regs []*registration.Registration, conflicts []inference.Conflict) []outputFile {
	if r.cfg.Aggregate != "" {
		all := &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{}}
		for _, c := range conflicts {
			all.Conflicts = append(all.Conflicts, c.Model(r.routes))
		}
		for _, reg := range regs {
			all.Files = append(all.Files, reg.Files...)
			all.Services = append(all.Services, reg.Services...)
		}
		return []outputFile{{name: r.cfg.aggregateFile(), reg: all, format: r.cfg.Format}}
	}
	// A conflict between two files is listed in both.
	byFile := make(map[string][]*registration.Conflict)
	for _, c := range conflicts {
		a, b := r.routes[c.First].Method.ParentFile().Path(), r.routes[c.Second].Method.ParentFile().Path()
		byFile[a] = append(byFile[a], c.Model(r.routes))
		if b != a {
			byFile[b] = append(byFile[b], c.Model(r.routes))
		}
	}
	out := make([]outputFile, 0, len(regs))
	for _, reg := range regs {
		if len(reg.Services) == 0 {
			continue
		}
		file := reg.Files[0]
		reg.Conflicts = byFile[file]
		name := strings.TrimSuffix(file, ".proto") + ".registration" + r.cfg.Format.Extension()
		out = append(out, outputFile{name: name, reg: reg, format: r.cfg.Format})
	}
	return out
}
