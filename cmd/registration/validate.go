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
	"google.golang.org/grpc/status"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/reflection"
)

// validateResult is the JSON and YAML output of the validate command.
type validateResult struct {
	Files  []fileResult  `json:"files" yaml:"files"`
	Server *serverResult `json:"server,omitempty" yaml:"server,omitempty"`
}

// fileResult is what registration/load finds in one file.
type fileResult struct {
	File     string        `json:"file" yaml:"file"`
	Valid    bool          `json:"valid" yaml:"valid"`
	Problems []fileProblem `json:"problems,omitempty" yaml:"problems,omitempty"`
}

// fileProblem is a *load.Error of a file, in the file's result.
type fileProblem struct {
	// Location is the JSON pointer of the offending value, "" for the
	// document itself or its syntax.
	Location string `json:"location" yaml:"location"`
	// Line and Column locate it, counting from 1; absent when unknown.
	Line    int    `json:"line,omitempty" yaml:"line,omitempty"`
	Column  int    `json:"column,omitempty" yaml:"column,omitempty"`
	Message string `json:"message" yaml:"message"`
	// text is the load.Error's message less the file name.
	text string
}

func (p fileProblem) String() string { return p.text }

// serverResult is the comparison with a live server.
type serverResult struct {
	Address string `json:"address" yaml:"address"`
	// Services is how many registered services were looked for.
	Services int `json:"services" yaml:"services"`
	// Problems are what the server lacks or does differently
	// (registry.Compare); any of them fails the command.
	Problems []serverProblem `json:"problems" yaml:"problems"`
	// Unregistered lists services and methods that the server has and the
	// registrations do not (methods may have been excluded on purpose). They
	// do not fail the command.
	Unregistered []string `json:"unregistered,omitempty" yaml:"unregistered,omitempty"`
}

// serverProblem is a registry.Problem as the output shows it.
type serverProblem struct {
	Kind    string `json:"kind" yaml:"kind"`
	Element string `json:"element" yaml:"element"`
	Message string `json:"message" yaml:"message"`
}

const validateDescription = `Validate registration files (- for standard input) with the reader every verb
uses: syntax, the registration.v1 JSON Schema and the rules beyond it
(duplicate services and methods, binding paths). Every problem of a file is
listed with its line, column and JSON pointer. With
--server, also compare the services of the valid files with a live server
through gRPC server reflection (grpc.reflection.v1): services and methods it
lacks, streaming shapes and message types that differ. Services and methods
the server has beyond the registrations are listed but are not problems
(grpc.reflection and grpc.health.v1 are ignored).

Exits 2 when a file is invalid (one that does not parse included) or the
server differs, 1 when a file cannot be read or the server cannot be reached
within --timeout.`

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
	if i := slices.Index(fs.Args(), load.Stdin); i >= 0 && slices.Contains(fs.Args()[i+1:], load.Stdin) {
		return failf(stderr, name, `standard input ("-") named twice`)
	}
	for _, file := range fs.Args() {
		display, data, err := readInput(file)
		if err != nil {
			return failf(stderr, name, "%v", err)
		}
		reg, errs := load.Check(display, data)
		fr := fileResult{File: display, Valid: len(errs) == 0}
		for _, e := range errs {
			text := strings.TrimLeft(strings.TrimPrefix(e.Error(), e.File), ": ")
			fr.Problems = append(fr.Problems, fileProblem{Location: e.Pointer, Line: e.Line, Column: e.Column, Message: e.Msg, text: text})
		}
		if reg != nil {
			regs = append(regs, reg)
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

// readInput reads a file, or standard input for load.Stdin, as load.File
// does, and returns the name that messages give it.
func readInput(name string) (string, []byte, error) {
	r, display := io.Reader(os.Stdin), "<stdin>"
	if name != load.Stdin {
		f, err := os.Open(name)
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		r, display = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, load.MaxSize+1))
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", display, err)
	}
	if len(data) > load.MaxSize {
		return "", nil, fmt.Errorf("%s: larger than %d MiB", display, load.MaxSize>>20)
	}
	return display, data, nil
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

// compareServer asks the server at address what it serves through server
// reflection and compares it with svcs.
func compareServer(ctx context.Context, address string, creds credentials.TransportCredentials, svcs []*registration.Service) (*serverResult, error) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	expected := make([]registry.Expected, len(svcs))
	names := make([]string, len(svcs))
	for i, s := range svcs {
		expected[i], names[i] = registry.Expected{Service: s}, s.Name
	}
	served, err := reflection.Served(ctx, conn, names)
	if err != nil {
		return nil, err
	}
	c := registry.Compare(expected, served)
	res := &serverResult{Address: address, Services: len(svcs), Problems: []serverProblem{}, Unregistered: c.Unregistered}
	for _, p := range c.Problems {
		res.Problems = append(res.Problems, serverProblem{Kind: string(p.Kind), Element: p.Element(), Message: p.String()})
	}
	return res, nil
}
