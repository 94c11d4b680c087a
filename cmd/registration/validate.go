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

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/reflection"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
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
	// Reflection is the version of gRPC server reflection that answered:
	// grpc.reflection.v1, or grpc.reflection.v1alpha from a server without
	// v1.
	Reflection string `json:"reflection" yaml:"reflection"`
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

const validateDescription = `Validate registration files ("-" for standard input) with the reader every
verb uses: syntax, the registration.v1 JSON Schema and the rules beyond it
(duplicate services, methods and fields, binding paths, trailing data).
Every problem of a file is listed with its line, column and JSON pointer.
With --server, also compare the services of the valid files with a live
server through gRPC server reflection (grpc.reflection.v1, or
grpc.reflection.v1alpha from a server without v1, as grpcurl does):
services and methods it lacks, streaming shapes and message types that
differ. Services and methods the server has beyond the registrations are
listed but are not problems (grpc.reflection and grpc.health.v1 are
ignored).`

const validateExit = `
Exit status:
  0  every file is valid (and the server serves what they register)
  1  bad arguments, a file that cannot be read, a server that cannot be
     reached within --timeout
  2  an invalid file (one that does not parse included), or a server that
     differs
`

// validateOptions are the flags of validate.
type validateOptions struct {
	format, server, caFile, serverName string
	timeout                            time.Duration
	tls                                bool
}

func validateCommand() *cobra.Command {
	var o validateOptions
	cmd := &cobra.Command{
		Use:   "validate [flags] FILE...",
		Short: "Check files with the reader and, with --server, against a live server",
		Long:  validateDescription,
		Example: `  registration validate gen/*/v1/*.registration.json
  registration validate --server localhost:9090 gen/aggregate/registry.registration.json
  registration validate --server api.example.com:443 --tls --timeout 30s gen/aggregate/registry.registration.json -o json`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: validateExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			return validateFiles(cmd.Context(), cmd.OutOrStdout(), o, files)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	cli.FormatFlag(cmd, &o.format)
	fs.StringVar(&o.server, "server", "", "compare with the gRPC server at this `ADDRESS` (host:port) through server reflection")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "with --server: give up when the server has not answered everything within this time")
	fs.BoolVar(&o.tls, "tls", false, "with --server: connect with TLS (default: plaintext)")
	fs.StringVar(&o.caFile, "tls-ca", "", "with --tls: PEM `FILE` of the CA certificates to trust instead of the system's")
	fs.StringVar(&o.serverName, "tls-server-name", "", "with --tls: the server `NAME` to verify instead of the address's host")
	_ = cmd.MarkFlagFilename("tls-ca")
	return cmd
}

// validateFiles checks files, and the server of --server against them.
func validateFiles(ctx context.Context, stdout io.Writer, o validateOptions, files []string) error {
	format, err := cli.Format(o.format, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return cli.Usagef("name at least one registration file")
	}
	if o.timeout <= 0 {
		return fmt.Errorf("flag --timeout=%v: want a positive duration", o.timeout)
	}
	if !o.tls && (o.caFile != "" || o.serverName != "") {
		return errors.New("flags --tls-ca and --tls-server-name need --tls")
	}
	if i := slices.Index(files, load.Stdin); i >= 0 && slices.Contains(files[i+1:], load.Stdin) {
		return errors.New(`standard input ("-") named twice`)
	}

	res := validateResult{Files: []fileResult{}}
	var regs []*registration.Registration
	for _, file := range files {
		display, data, err := load.Read(file)
		if err != nil {
			return err
		}
		reg, errs := load.Check(display, data)
		fr := fileResult{File: display, Valid: len(errs) == 0}
		for _, e := range errs {
			fr.Problems = append(fr.Problems, newFileProblem(e))
		}
		if reg != nil {
			regs = append(regs, reg)
		}
		res.Files = append(res.Files, fr)
	}
	failed := slices.ContainsFunc(res.Files, func(f fileResult) bool { return !f.Valid })

	if o.server != "" && len(regs) > 0 {
		creds := insecure.NewCredentials()
		if o.tls {
			cfg := &tls.Config{ServerName: o.serverName}
			if o.caFile != "" {
				pem, err := os.ReadFile(o.caFile)
				if err != nil {
					return fmt.Errorf("flag --tls-ca: %v", err)
				}
				cfg.RootCAs = x509.NewCertPool()
				if !cfg.RootCAs.AppendCertsFromPEM(pem) {
					return fmt.Errorf("flag --tls-ca: %s holds no PEM certificate", o.caFile)
				}
			}
			creds = credentials.NewTLS(cfg)
		}
		ctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		sr, err := compareServer(ctx, o.server, creds, mergeServices(regs))
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded {
				return fmt.Errorf("server %s: no answer within %v: %v", o.server, o.timeout, err)
			}
			return fmt.Errorf("server %s: %v", o.server, err)
		}
		res.Server = sr
		failed = failed || len(sr.Problems) > 0
	}

	err = report.Write(stdout, format, res, func(w io.Writer) error { return validateTable(w, res, o.server != "" && res.Server == nil) })
	if err != nil {
		return err
	}
	if failed {
		return &cli.Findings{}
	}
	return nil
}

// newFileProblem is a problem the reader found, as validate reports it.
func newFileProblem(e *load.Error) fileProblem {
	// The table shows the problem under its file: the message less the
	// file's name.
	text := strings.TrimLeft(strings.TrimPrefix(e.Error(), e.File), ": ")
	return fileProblem{Location: e.Pointer, Line: e.Line, Column: e.Column, Message: e.Msg, text: text}
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
	fmt.Fprintf(w, "server %s (%s): %s checked, %s\n", sr.Address, sr.Reflection, report.Plural(sr.Services, "service"), report.Plural(len(sr.Problems), "problem"))
	tw := report.NewTable(w)
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
	c := registry.Compare(expected, served.Services)
	res := &serverResult{Address: address, Reflection: served.Protocol, Services: len(svcs), Problems: []serverProblem{}, Unregistered: c.Unregistered}
	for _, p := range c.Problems {
		res.Problems = append(res.Problems, serverProblem{Kind: string(p.Kind), Element: p.Element(), Message: p.String()})
	}
	return res, nil
}
