// Package templates holds the Go code templates of protoc-gen-registration,
// embedded in the plugin and executed into protogen.GeneratedFile values.
//
// Templates never write an import block: every identifier from another
// package goes through the template function ident, bound to the file's
// QualifiedGoIdent, so protogen declares the imports and picks their names.
package templates

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Import paths of the packages generated code uses.
const (
	// RegistryPackage is the runtime registry generated code registers into.
	RegistryPackage protogen.GoImportPath = "github.com/ovasabi/protoc-gen-registration/registration/registry"
	// RegistrationPackage is the registration model.
	RegistrationPackage protogen.GoImportPath = "github.com/ovasabi/protoc-gen-registration/registration"
	// ProtoreflectPackage is protobuf's descriptor API.
	ProtoreflectPackage protogen.GoImportPath = "google.golang.org/protobuf/reflect/protoreflect"
)

// File is one proto file's Go registration file: what the template needs.
type File struct {
	// Source is the proto file's path, as in the request.
	Source string
	// GoPackageName and GoImportPath are the Go package that protoc-gen-go
	// writes the file's code to.
	GoPackageName protogen.GoPackageName
	GoImportPath  protogen.GoImportPath
	// FileDescriptor is protoc-gen-go's variable for the file's descriptor,
	// File_<path>_proto.
	FileDescriptor protogen.GoIdent
	// Services are the file's services that have a registration, in
	// declaration order.
	Services []Service
}

// Service is one service of a File.
type Service struct {
	// GoName is the service's name in Go, as protoc-gen-go-grpc spells it.
	GoName string
	// Name and FullName are the service's proto names.
	Name, FullName string
	// MethodNames are the names of every method of the service's
	// descriptor, in declaration order, including those the registration
	// leaves out: the generated code checks them against the linked
	// descriptor.
	MethodNames []string
	// Registration is the registration to compile in.
	Registration *registration.Service
}

// fileData is File with what the template computes from it.
type fileData struct {
	*File
	Services           []serviceData
	SupportPackage     protogen.GoIdent
	NewGenerated       protogen.GoIdent
	Generated          protogen.GoIdent
	RegisterGenerated  protogen.GoIdent
	FileDescriptorType protogen.GoIdent
	Service            protogen.GoIdent
	Method             protogen.GoIdent
}

type serviceData struct {
	Service
	VarName     string
	FuncName    string
	MethodNames string   // MethodNames as a Go expression
	Literal     string   // the service, with Methods written as "m" when it is set
	HasM        bool     // Methods is not nil: m holds it
	Methods     []string // the methods
}

//go:embed registration.go.tmpl
var registrationTemplate string

// registrationTmpl is parsed once; Generate binds ident in a clone.
var registrationTmpl = template.Must(template.New("registration.go.tmpl").Funcs(template.FuncMap{
	"ident": func(protogen.GoIdent) (string, error) { return "", fmt.Errorf("ident is not bound to a file") },
	"quote": quote,
}).Parse(registrationTemplate))

// quote writes a string or an import path as a Go string literal.
func quote(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v), nil
	case protogen.GoImportPath:
		return strconv.Quote(string(v)), nil
	}
	return "", fmt.Errorf("quote: %T is not a string", v)
}

// VarName is the name of the variable that holds a service's registration.
func VarName(goName string) string { return goName + "Registration" }

// Generate writes f's registration file into g: a compile-time check of
// the registry's version, for each service a value holding its
// registration, built on first use and linked to its descriptor, and an
// init function that registers them.
func Generate(g *protogen.GeneratedFile, f *File) error {
	data := &fileData{
		File:               f,
		SupportPackage:     RegistryPackage.Ident("SupportPackageIsVersion1"),
		NewGenerated:       RegistryPackage.Ident("NewGenerated"),
		Generated:          RegistryPackage.Ident("Generated"),
		RegisterGenerated:  RegistryPackage.Ident("RegisterGenerated"),
		FileDescriptorType: ProtoreflectPackage.Ident("FileDescriptor"),
		Service:            RegistrationPackage.Ident("Service"),
		Method:             RegistrationPackage.Ident("Method"),
	}
	lp := newLiteralPrinter(g.QualifiedGoIdent)
	for _, s := range f.Services {
		sd := serviceData{Service: s, VarName: VarName(s.GoName), FuncName: "_" + s.GoName + "_Service", MethodNames: stringsLiteral(s.MethodNames)}
		// The function that builds the service writes each method as a
		// statement on one line. go/printer, which formats the file, prints
		// every element of a multi-line literal once more to measure it, so
		// the cost of a value grows with how deeply multi-line literals
		// nest around it, and methods are most of a registration.
		opts := LiteralOptions{OneLine: 2}
		if s.Registration.Methods != nil {
			sd.HasM = true
			opts.Fields = map[string]string{"Methods": "m"}
			for _, m := range s.Registration.Methods {
				lit, err := lp.literal(m, LiteralOptions{})
				if err != nil {
					return fmt.Errorf("method %s.%s: %v", s.FullName, m.Name, err)
				}
				sd.Methods = append(sd.Methods, lit)
			}
		}
		lit, err := lp.literal(s.Registration, opts)
		if err != nil {
			return fmt.Errorf("service %s: %v", s.FullName, err)
		}
		sd.Literal = lit
		data.Services = append(data.Services, sd)
	}
	// A clone shares the parsed template and gets its own functions, so
	// that files can be generated concurrently.
	t, err := registrationTmpl.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"ident": func(id protogen.GoIdent) (string, error) { return g.QualifiedGoIdent(id), nil }})
	return t.Execute(g, data)
}

// stringsLiteral writes a list of names as a Go expression, nil for none.
func stringsLiteral(names []string) string {
	if len(names) == 0 {
		return "nil"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return "[]string{" + strings.Join(quoted, ", ") + "}"
}
