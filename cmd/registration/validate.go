package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// validateResult is the JSON and YAML output of the validate command.
type validateResult struct {
	Files  []fileResult  `json:"files" yaml:"files"`
	Server *serverResult `json:"server,omitempty" yaml:"server,omitempty"`
}

// fileResult is the schema validation of one file.
type fileResult struct {
	File     string          `json:"file" yaml:"file"`
	Valid    bool            `json:"valid" yaml:"valid"`
	Problems []schemaProblem `json:"problems,omitempty" yaml:"problems,omitempty"`
}

// serverResult is the comparison with a live server.
type serverResult struct {
	Address string `json:"address" yaml:"address"`
	// Services is how many registered services were looked for.
	Services int `json:"services" yaml:"services"`
	// Problems are what the server lacks or does differently; any of them
	// fails the command.
	Problems []serverProblem `json:"problems" yaml:"problems"`
	// Unregistered lists services and methods that the server has and the
	// registrations do not (methods may have been excluded on purpose). They
	// do not fail the command.
	Unregistered []string `json:"unregistered,omitempty" yaml:"unregistered,omitempty"`
}

// Kinds of server problem.
const (
	problemMissingService    = "MISSING_SERVICE"
	problemMissingMethod     = "MISSING_METHOD"
	problemStreamingMismatch = "STREAMING_MISMATCH"
	problemInputType         = "INPUT_TYPE_MISMATCH"
	problemOutputType        = "OUTPUT_TYPE_MISMATCH"
)

// serverProblem is one difference between the registrations and a server.
type serverProblem struct {
	Kind    string `json:"kind" yaml:"kind"`
	Element string `json:"element" yaml:"element"`
	Message string `json:"message" yaml:"message"`
}

const validateDescription = `Validate registration files against the registration.v1 JSON Schema; each
problem names the file and the JSON pointer of the offending value. With
--server, also compare the services of the valid files with a live server
through gRPC server reflection (grpc.reflection.v1): services and methods it
lacks, streaming shapes and message types that differ. Services and methods
the server has beyond the registrations are listed but are not problems
(grpc.reflection and grpc.health.v1 are ignored).

Exits 2 when a file is invalid or the server differs, 1 when a file cannot be
read or parsed or the server cannot be reached within --timeout.`

func validate(args []string, stdout, stderr io.Writer) int {
	const name = "validate"
	fs, formatFlag := commandFlags(name, stderr)
	server := fs.String("server", "", "compare with the gRPC server at this address (host:port) through server reflection")
	timeout := fs.Duration("timeout", 10*time.Second, "with --server: give up when the server has not answered everything within this time")
	useTLS := fs.Bool("tls", false, "with --server: connect with TLS (default: plaintext)")
	caFile := fs.String("tls-ca", "", "with --tls: PEM file of the CA certificates to trust instead of the system's")
	serverName := fs.String("tls-server-name", "", "with --tls: the server name to verify instead of the address's host")
	fs.Usage = usageFunc(fs, "validate [--format table|json|yaml] [--server ADDRESS [--timeout D] [--tls]] FILE...", validateDescription)
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if fs.NArg() == 0 {
		return failf(stderr, name, "name at least one registration file")
	}
	if *timeout <= 0 {
		return failf(stderr, name, "flag --timeout=%v: want a positive duration", *timeout)
	}
	if !*useTLS && (*caFile != "" || *serverName != "") {
		return failf(stderr, name, "flags --tls-ca and --tls-server-name need --tls")
	}

	res := validateResult{Files: []fileResult{}}
	var regs []*registration.Registration
	for _, file := range fs.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			return failf(stderr, name, "%v", err)
		}
		problems, err := schemaProblems(data)
		if err != nil {
			return failf(stderr, name, "%s: %v", file, err)
		}
		fr := fileResult{File: file, Valid: len(problems) == 0, Problems: problems}
		if fr.Valid {
			reg, err := registration.Unmarshal(file, data)
			if err != nil {
				// The schema and the model disagree; say so rather than pass.
				fr.Valid, fr.Problems = false, []schemaProblem{{Message: err.Error()}}
			} else {
				regs = append(regs, reg)
			}
		}
		res.Files = append(res.Files, fr)
	}
	failed := slices.ContainsFunc(res.Files, func(f fileResult) bool { return !f.Valid })

	if *server != "" && len(regs) > 0 {
		creds := insecure.NewCredentials()
		if *useTLS {
			cfg := &tls.Config{ServerName: *serverName}
			if *caFile != "" {
				pem, err := os.ReadFile(*caFile)
				if err != nil {
					return failf(stderr, name, "flag --tls-ca: %v", err)
				}
				cfg.RootCAs = x509.NewCertPool()
				if !cfg.RootCAs.AppendCertsFromPEM(pem) {
					return failf(stderr, name, "flag --tls-ca: %s holds no PEM certificate", *caFile)
				}
			}
			creds = credentials.NewTLS(cfg)
		}
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		sr, err := compareServer(ctx, *server, creds, mergeServices(regs))
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded {
				return failf(stderr, name, "server %s: no answer within %v: %v", *server, *timeout, err)
			}
			return failf(stderr, name, "server %s: %v", *server, err)
		}
		res.Server = sr
		failed = failed || len(sr.Problems) > 0
	}

	err = writeOutput(stdout, format, res, func(w io.Writer) error { return validateTable(w, res, *server != "" && res.Server == nil) })
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if failed {
		return 2
	}
	return 0
}

// mergeServices lists the services of registrations, each name once.
func mergeServices(regs []*registration.Registration) []*registration.Service {
	seen := make(map[string]bool)
	var out []*registration.Service
	for _, r := range regs {
		for _, s := range r.Services {
			if s != nil && !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func validateTable(w io.Writer, res validateResult, serverSkipped bool) error {
	for _, f := range res.Files {
		if f.Valid {
			fmt.Fprintf(w, "%s: valid\n", f.File)
			continue
		}
		fmt.Fprintf(w, "%s: invalid\n", f.File)
		for _, p := range f.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if serverSkipped {
		fmt.Fprintln(w, "server not checked: no valid registration file")
	}
	sr := res.Server
	if sr == nil {
		return nil
	}
	fmt.Fprintf(w, "server %s: %s checked, %s\n", sr.Address, plural(sr.Services, "service"), plural(len(sr.Problems), "problem"))
	tw := newTable(w)
	for _, p := range sr.Problems {
		fmt.Fprintf(tw, "  %s\t%s\n", p.Kind, p.Message)
	}
	for _, u := range sr.Unregistered {
		fmt.Fprintf(tw, "  UNREGISTERED\t%s is served but not registered\n", u)
	}
	return tw.Flush()
}

// ignoredServices are infrastructure a server has beside its own services.
var ignoredServices = []string{"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "grpc.health.v1.Health"}

// compareServer asks the server at address for its services through
// server reflection and compares them with svcs.
func compareServer(ctx context.Context, address string, creds credentials.TransportCredentials, svcs []*registration.Service) (*serverResult, error) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		return nil, reflectionError(err)
	}
	defer stream.CloseSend()
	ask := func(req *rpb.ServerReflectionRequest) (*rpb.ServerReflectionResponse, error) {
		if err := stream.Send(req); err != nil {
			if err == io.EOF {
				_, err = stream.Recv() // the stream's real error
			}
			return nil, reflectionError(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			return nil, reflectionError(err)
		}
		return resp, nil
	}

	resp, err := ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}})
	if err != nil {
		return nil, err
	}
	if e := resp.GetErrorResponse(); e != nil {
		return nil, fmt.Errorf("listing services: %s", e.GetErrorMessage())
	}
	var served []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		if !slices.Contains(ignoredServices, s.GetName()) {
			served = append(served, s.GetName())
		}
	}
	slices.Sort(served)

	res := &serverResult{Address: address, Services: len(svcs), Problems: []serverProblem{}}
	add := func(kind, element, format string, args ...any) {
		res.Problems = append(res.Problems, serverProblem{Kind: kind, Element: element, Message: fmt.Sprintf(format, args...)})
	}
	registered := make(map[string]bool)
	// Files already sent on this stream are not sent again, so every
	// descriptor received is kept for the services still to look up.
	files := make(map[string]*descriptorpb.FileDescriptorProto)
	for _, s := range svcs {
		registered[s.Name] = true
		if _, ok := slices.BinarySearch(served, s.Name); !ok {
			add(problemMissingService, s.Name, "service %s is not served", s.Name)
			continue
		}
		sd := findService(files, s.Name)
		if sd == nil {
			resp, err := ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: s.Name}})
			if err != nil {
				return nil, err
			}
			if e := resp.GetErrorResponse(); e != nil {
				return nil, fmt.Errorf("describing service %s: %s", s.Name, e.GetErrorMessage())
			}
			for _, raw := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
				fd := &descriptorpb.FileDescriptorProto{}
				if err := proto.Unmarshal(raw, fd); err != nil {
					return nil, fmt.Errorf("describing service %s: %v", s.Name, err)
				}
				files[fd.GetName()] = fd
			}
			if sd = findService(files, s.Name); sd == nil {
				return nil, fmt.Errorf("describing service %s: the server's descriptors do not declare it", s.Name)
			}
		}
		compareMethods(s, sd, add, &res.Unregistered)
	}
	for _, name := range served {
		if !registered[name] {
			res.Unregistered = append(res.Unregistered, name)
		}
	}
	return res, nil
}

// findService looks a service up by full name in descriptors.
func findService(files map[string]*descriptorpb.FileDescriptorProto, fullName string) *descriptorpb.ServiceDescriptorProto {
	for _, fd := range files {
		prefix := ""
		if fd.GetPackage() != "" {
			prefix = fd.GetPackage() + "."
		}
		for _, sd := range fd.GetService() {
			if prefix+sd.GetName() == fullName {
				return sd
			}
		}
	}
	return nil
}

// compareMethods compares a registered service's methods with the server's.
func compareMethods(s *registration.Service, sd *descriptorpb.ServiceDescriptorProto, add func(kind, element, format string, args ...any), unregistered *[]string) {
	byName := make(map[string]*descriptorpb.MethodDescriptorProto, len(sd.GetMethod()))
	for _, md := range sd.GetMethod() {
		byName[md.GetName()] = md
	}
	for _, m := range s.Methods {
		full := s.Name + "." + m.Name
		md := byName[m.Name]
		if md == nil {
			add(problemMissingMethod, full, "method %s is not served", full)
			continue
		}
		if got := registration.StreamingShape(md.GetClientStreaming(), md.GetServerStreaming()); got != m.Streaming {
			add(problemStreamingMismatch, full, "method %s: registered as %s, served as %s", full, m.Streaming, got)
		}
		if got := strings.TrimPrefix(md.GetInputType(), "."); got != m.InputType {
			add(problemInputType, full, "method %s: registered request type %s, served %s", full, m.InputType, got)
		}
		if got := strings.TrimPrefix(md.GetOutputType(), "."); got != m.OutputType {
			add(problemOutputType, full, "method %s: registered response type %s, served %s", full, m.OutputType, got)
		}
	}
	for _, md := range sd.GetMethod() {
		if !slices.ContainsFunc(s.Methods, func(m *registration.Method) bool { return m.Name == md.GetName() }) {
			*unregistered = append(*unregistered, s.Name+"."+md.GetName())
		}
	}
}

// reflectionError explains a failed reflection call.
func reflectionError(err error) error {
	switch status.Code(err) {
	case codes.Unimplemented:
		return fmt.Errorf("the server does not offer gRPC server reflection (grpc.reflection.v1.ServerReflection): %v", err)
	case codes.Unavailable:
		return fmt.Errorf("unreachable: %v", err)
	}
	return err
}
