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
	"slices"
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/parallel"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
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
	format  codec.Encoding
	content []byte // a file rendered already (Go output), written as is
}

func (f outputFile) encode(dst []byte) ([]byte, error) {
	if f.reg == nil {
		return append(dst, f.content...), nil
	}
	data, err := codec.Append(dst, f.reg, f.format)
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
	allow    *conflictAllow
	routes   []inference.Route
	// routeOrigins holds, for each of routes, where its rule was written:
	// the method's google.api.http option or a rule of the service config.
	routeOrigins []origin
	// sourceInfo and positions locate the messages of the generated files.
	sourceInfo map[string]*descriptorpb.SourceCodeInfo
	positions  filePositions
	// described holds each message described so far (describedMessage).
	described sync.Map
}

// fileResult is what reading one proto file gives.
type fileResult struct {
	reg          *registration.Registration
	routes       []inference.Route
	routeOrigins []origin
	errs         errorList
}

// generate builds the files to write. With consume set, it may release the
// request's proto_file once it is linked, to keep peak memory down; the
// request is not usable afterwards.
func generate(req *pluginpb.CodeGeneratorRequest, warnings io.Writer, consume bool) ([]outputFile, error) {
	cfg, err := ParseParameter(req.GetParameter())
	if err != nil {
		return nil, err
	}
	if cfg.Aggregate != "" {
		if err := checkAggregateRequest(req, cfg); err != nil {
			return nil, err
		}
	}
	l, err := link(req, consume)
	if err != nil {
		return nil, err
	}
	files, ordered := l.files, l.ordered
	r := &run{cfg: cfg, files: files, sourceInfo: l.sourceInfo}
	if cfg.APIConfig != "" {
		data, err := readConfigFile("grpc_api_configuration", cfg.APIConfig)
		if err != nil {
			return nil, err
		}
		if r.apiRules, err = parseAPIConfig(cfg.APIConfig, data); err != nil {
			return nil, err
		}
	}
	if cfg.CapabilityRules != "" {
		data, err := readConfigFile("capability_rules", cfg.CapabilityRules)
		if err != nil {
			return nil, err
		}
		if r.capRules, err = parseCapabilityRules(cfg.CapabilityRules, data); err != nil {
			return nil, err
		}
	}
	if cfg.ConflictAllow != "" {
		data, err := readConfigFile("conflicts_allow", cfg.ConflictAllow)
		if err != nil {
			return nil, err
		}
		if r.allow, err = parseConflictAllow(cfg.ConflictAllow, data); err != nil {
			return nil, err
		}
	}
	toGenerate := make([]protoreflect.FileDescriptor, 0, len(req.GetFileToGenerate()))
	for _, name := range req.GetFileToGenerate() {
		fd, err := files.FindFileByPath(name)
		if err != nil {
			return nil, fmt.Errorf("file_to_generate %s is not among the request's proto_file", excerpt.Quote(name))
		}
		toGenerate = append(toGenerate, fd)
	}
	docs := make([]comments, len(toGenerate))
	parallel.For(len(toGenerate), func(i int) {
		docs[i] = leadingComments(toGenerate[i], l.sourceInfo[toGenerate[i].Path()])
	})
	r.index = inference.NewIndex(ordered, files, cfg.Infrastructure)
	// Files are independent once the index is built: read them on every
	// processor, each into its own slot, so that the result does not depend
	// on scheduling. Every problem of every file is gathered and reported
	// in one sorted list.
	results := make([]fileResult, len(toGenerate))
	parallel.For(len(toGenerate), func(i int) {
		results[i] = r.file(toGenerate[i], docs[i])
	})
	var errs errorList
	regs := make([]*registration.Registration, len(toGenerate))
	for i, res := range results {
		errs = append(errs, res.errs...)
		regs[i] = res.reg
		r.routes = append(r.routes, res.routes...)
		r.routeOrigins = append(r.routeOrigins, res.routeOrigins...)
	}
	errs = append(errs, r.checkSelectors()...)
	if err := errs.err(cfg.MaxErrors); err != nil {
		return nil, err
	}
	for _, reg := range regs {
		for _, d := range reg.Diagnostics {
			fmt.Fprintf(warnings, "%s: warning: method %s: %s [%s]\n", pos{d.File, d.Line, d.Column}, d.Element, d.Message, d.Rule)
		}
	}
	conflicts, err := r.conflicts(warnings)
	if err != nil {
		return nil, err
	}
	out, err := r.output(regs, conflicts)
	if err != nil {
		return nil, err
	}
	return r.withGo(req, regs, out)
}

// file builds the registration of one proto file and returns the routes of
// its bindings, or the problems found. It may run concurrently with other
// files.
func (r *run) file(fd protoreflect.FileDescriptor, comments comments) fileResult {
	res := fileResult{reg: &registration.Registration{Format: registration.Format, Files: []string{fd.Path()}}}
	reg := res.reg
	roots := map[protoreflect.FullName]protoreflect.MessageDescriptor{}
	services := fd.Services()
	for i := range services.Len() {
		sd := services.Get(i)
		opts := inference.ServiceOptions(sd)
		svc := &registration.Service{
			Name:        string(sd.FullName()),
			Package:     string(fd.Package()),
			Version:     registration.PackageVersion(string(fd.Package())),
			File:        fd.Path(),
			Line:        comments.servicePos[i][0],
			Column:      comments.servicePos[i][1],
			Description: comments.service(i),
			Deprecated:  sd.Options().(*descriptorpb.ServiceOptions).GetDeprecated(),
			Owner:       opts.GetOwner(),
			Tags:        opts.GetTags(),
			DefaultHost: inference.DefaultHost(sd),
			OAuthScopes: inference.OAuthScopes(sd),
			Methods:     make([]*registration.Method, 0, sd.Methods().Len()),
		}
		svc.Health = r.health(sd, &res.errs)
		methods := sd.Methods()
		kept := make([]protoreflect.MethodDescriptor, 0, methods.Len())
		for j := range methods.Len() {
			md := methods.Get(j)
			if inference.Excluded(md) {
				continue
			}
			m, ok := r.method(md, svc.DefaultHost, comments.method(i, j), &res)
			if !ok {
				continue
			}
			m.Line, m.Column = comments.methodPos[i][j][0], comments.methodPos[i][j][1]
			restRoots(md, m.Bindings, roots)
			svc.Methods = append(svc.Methods, m)
			kept = append(kept, md)
		}
		facts, err := r.index.DescribeService(sd, kept, r.capRules)
		if err != nil {
			res.errs.add(servicePos(sd, serviceOptionPath), "%v", err)
			continue
		}
		svc.Capabilities = facts.Capabilities
		svc.Dependencies = facts.Dependencies
		svc.Events = facts.Events
		svc.MessageTypes = facts.MessageTypes
		reg.Services = append(reg.Services, svc)
	}
	sortDiagnostics(reg.Diagnostics)
	// A file's registration locates the messages of its own file only, so
	// that it does not depend on which files were generated with it; the
	// aggregate locates those of every generated file.
	located := func(path string) bool { return path == fd.Path() }
	if r.cfg.Aggregate != "" {
		located = func(path string) bool { _, ok := r.sourceInfo[path]; return ok }
	}
	reg.Messages, reg.Enums = r.describeMessages(roots, located)
	return res
}

// method builds the registration of one method and adds its routes and
// diagnostics to res; on a problem it adds that to res.errs and returns
// false.
func (r *run) method(md protoreflect.MethodDescriptor, host, description string, res *fileResult) (*registration.Method, bool) {
	facts := r.index.Method(md)
	m := &registration.Method{
		Name:           string(md.Name()),
		FullName:       string(md.FullName()),
		InputType:      string(md.Input().FullName()),
		OutputType:     string(md.Output().FullName()),
		Streaming:      registration.StreamingShape(md.IsStreamingClient(), md.IsStreamingServer()),
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
	var origins []origin // where each rule was written, for errors
	configRules := 0     // rules from the service config come first
	for _, ar := range r.apiRules {
		if ar.matches(m.FullName) {
			ar.used.Store(true)
			rules = append(rules, inference.HTTPRule{Rule: ar.Rule, Source: registration.SourceConfig})
			origins = append(origins, origin{pos: ar.Pos})
			configRules++
		}
	}
	option := origin{method: md}
	if opts := md.Options(); proto.HasExtension(opts, annotations.E_Http) {
		rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
		rules = append(rules, inference.HTTPRule{Rule: rule, Source: registration.SourceAnnotation})
		origins = append(origins, option)
	}
	routes, err := inference.Bindings(md, rules, r.cfg.RESTFallback)
	if err != nil {
		if be, ok := err.(*inference.BindingError); ok && be.Rule >= 0 && be.Rule < configRules {
			res.errs.add(origins[be.Rule].resolve(), "http rule for %v", err)
		} else {
			res.errs.add(option.resolve(), "%v", err)
		}
		return nil, false
	}
	ok := true
	for _, rt := range routes {
		rt.Host = host
		from := option
		if rt.Rule >= 0 {
			from = origins[rt.Rule]
		}
		for _, d := range rt.Template.Deviations {
			// A diagnostic of an annotation is located at its method:
			// protoc starts an option's span at "option" and buf at the
			// option's name, while both start a method's at "rpc", and the
			// output must not depend on the compiler.
			origin := from.resolve()
			if from.method != nil {
				origin = methodPos(md, nil)
			}
			msg := fmt.Sprintf("%s %s: %s", strings.ToLower(rt.Binding.Method), excerpt.Quote(rt.Binding.Path), d.Msg)
			if r.cfg.Strict {
				res.errs.add(origin, "method %s: %s (strict=true; rule %s)", md.FullName(), msg, d.Rule)
				ok = false
				continue
			}
			res.reg.Diagnostics = append(res.reg.Diagnostics, &registration.Diagnostic{
				Rule: d.Rule, File: origin.file, Line: origin.line, Column: origin.col, Element: string(md.FullName()),
				Message: msg + "; registered as written, as grpc-gateway and Google's gateways serve it (strict=true makes this an error)",
			})
		}
		m.Bindings = append(m.Bindings, rt.Binding)
		res.routes = append(res.routes, rt)
		res.routeOrigins = append(res.routeOrigins, from)
	}
	return m, ok
}

// origin is where an HTTP rule was written: a position in a service
// config, or the google.api.http option of a method. The option's position
// is looked up only when a message needs it: the first lookup in a file
// indexes all its source locations, which on large requests costs more than
// the rest of the inference.
type origin struct {
	pos    pos
	method protoreflect.MethodDescriptor
}

func (o origin) resolve() pos {
	if o.method != nil {
		return methodPos(o.method, httpOptionPath)
	}
	return o.pos
}

// sortDiagnostics puts diagnostics in file and position order.
func sortDiagnostics(ds []*registration.Diagnostic) {
	slices.SortStableFunc(ds, func(a, b *registration.Diagnostic) int {
		return pos{a.File, a.Line, a.Column}.compare(pos{b.File, b.Line, b.Column})
	})
}

// health gives the service's health checks: the HTTP path from its options,
// or from the health_path parameter, or the default.
func (r *run) health(sd protoreflect.ServiceDescriptor, errs *errorList) *registration.Health {
	h := &registration.Health{GRPCService: string(sd.FullName()), HTTPPath: r.cfg.HealthPath, Source: registration.SourceInferred}
	if r.cfg.HealthPath != DefaultHealthPath {
		h.Source = registration.SourceConfig
	}
	if p := inference.ServiceOptions(sd).GetHealthPath(); p != "" {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# ") {
			errs.add(servicePos(sd, serviceOptionPath), "service %s: option (registration.v1.service): health_path %s: want an absolute URL path such as /healthz",
				sd.FullName(), excerpt.Quote(p))
			return h
		}
		h.HTTPPath, h.Source = p, registration.SourceDeclared
	}
	return h
}

// checkSelectors reports every configured rule whose selector names no
// method. Rules for methods of files that are not being generated are
// fine: one service configuration often covers more files than one request
// does.
func (r *run) checkSelectors() errorList {
	var errs errorList
	for _, ar := range r.apiRules {
		if ar.used.Load() || r.selectorMatchesAny(ar) {
			continue
		}
		errs.add(ar.Pos, "http rule selector %s matches no method", excerpt.Quote(ar.Selector))
	}
	return errs
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

// conflicts finds the conflicting routes of the request that the
// conflicts parameter and the allowlist leave, and reports them: as
// errors with conflicts=error, or as warnings, one line each, located at
// the later route.
func (r *run) conflicts(warnings io.Writer) ([]inference.Conflict, error) {
	if r.cfg.Conflicts == ConflictsOff {
		return nil, nil
	}
	var kept []inference.Conflict
	for _, c := range inference.Conflicts(r.routes) {
		a, b := r.routes[c.First], r.routes[c.Second]
		if r.allow.allows(string(a.Method.FullName()), string(b.Method.FullName())) {
			continue
		}
		kept = append(kept, c)
	}
	var errs errorList
	for _, c := range kept {
		a, b := r.routes[c.First], r.routes[c.Second]
		msg := fmt.Sprintf("method %s: route %s %s conflicts with method %s: %s %s (%s)",
			b.Method.FullName(), b.Binding.Method, excerpt.Plain(b.Binding.Path), a.Method.FullName(), a.Binding.Method, excerpt.Plain(a.Binding.Path), r.routeOrigins[c.First].resolve())
		if r.cfg.Conflicts == ConflictsError {
			errs.add(r.routeOrigins[c.Second].resolve(), "%s; conflicts=error", msg)
			continue
		}
		fmt.Fprintf(warnings, "%s: warning: %s\n", r.routeOrigins[c.Second].resolve(), msg)
	}
	// An allowlist entry that matches nothing is stale: say so, as a
	// linter reports an unused suppression.
	for _, u := range r.allow.unused() {
		fmt.Fprintf(warnings, "%s\n", u)
	}
	return kept, errs.err(r.cfg.MaxErrors)
}

// output lays out the files to write: one per proto file that has
// services, or one aggregate file.
//
// A per-file registration lists the conflicts between routes of its own
// file only, so that it stays a function of the file and its imports; the
// aggregate lists every conflict of the request, and finishes the
// resolution of dependencies across its files.
func (r *run) output(regs []*registration.Registration, conflicts []inference.Conflict) ([]outputFile, error) {
	if r.cfg.Aggregate != "" {
		all := &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{}}
		for _, c := range conflicts {
			all.Conflicts = append(all.Conflicts, c.Model(r.routes))
		}
		for _, reg := range regs {
			all.Files = append(all.Files, reg.Files...)
			all.Services = append(all.Services, reg.Services...)
			all.Diagnostics = append(all.Diagnostics, reg.Diagnostics...)
		}
		sortDiagnostics(all.Diagnostics)
		all.Messages, all.Enums = mergeMessages(regs)
		registration.ResolveDependencies(all.Services)
		return []outputFile{{name: r.cfg.aggregateFile(), reg: all, format: r.cfg.Format}}, nil
	}
	byFile := make(map[string][]*registration.Conflict)
	for _, c := range conflicts {
		a, b := r.routes[c.First].Method.ParentFile().Path(), r.routes[c.Second].Method.ParentFile().Path()
		if a == b {
			byFile[a] = append(byFile[a], c.Model(r.routes))
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
		if r.cfg.EmitRegistrations {
			if err := checkOutputName(name, excerpt.Plain(file)); err != nil {
				return nil, err
			}
		}
		out = append(out, outputFile{name: name, reg: reg, format: r.cfg.Format})
	}
	return out, nil
}
