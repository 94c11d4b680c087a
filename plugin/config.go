package plugin

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// Config is the plugin's parameter, parsed and checked once.
type Config struct {
	// Format is the encoding of registration files.
	Format codec.Encoding
	// Aggregate, when set, is the name of the one file that holds every
	// service of the request; per-file registrations are then not written.
	Aggregate string
	// APIConfig is the path of a YAML service configuration whose http.rules
	// add bindings, as grpc-gateway's grpc_api_configuration parameter.
	APIConfig string
	// RESTFallback gives methods without any HTTP rule the inferred binding
	// "POST /package.Service/Method".
	RESTFallback bool
	// Conflicts says what to do with conflicting routes: warn (the
	// default), fail, or say nothing.
	Conflicts ConflictMode
	// ConflictAllow is the path of a YAML file of method pairs whose routes
	// may conflict.
	ConflictAllow string
	// Strict makes warnings about deviations from google/api/http.proto's
	// grammar that production gateways accept errors.
	Strict bool
	// Infrastructure lists the packages whose messages are shared
	// infrastructure, not schema dependencies: a package matches an entry
	// equal to it or to one of its parents.
	Infrastructure []string
	// MaxErrors caps how many errors a failed run reports; 0 reports all.
	MaxErrors int
	// HealthPath is the HTTP health path given to every service.
	HealthPath string
	// CapabilityRules is the path of a YAML file of rules that map method
	// names to capabilities.
	CapabilityRules string
	// EmitRegistrations reports that registration files are written: unless
	// emit names go alone.
	EmitRegistrations bool
	// EmitGo reports emit=go: a Go registration file per proto file with
	// services, in the file's Go package.
	EmitGo bool
	// GoParams holds protogen's own parameters (paths=, module=, M...) in the
	// order given. They shape Go output only and are accepted whatever is
	// emitted, so that one buf.gen.yaml entry can serve every output.
	GoParams []string
}

// DefaultHealthPath is the HTTP health path used when health_path is not set.
const DefaultHealthPath = "/healthz"

// ConflictMode is the value of the conflicts parameter.
type ConflictMode string

// Conflict modes.
const (
	ConflictsWarn  ConflictMode = "warn"
	ConflictsError ConflictMode = "error"
	ConflictsOff   ConflictMode = "off"
)

// DefaultInfrastructure are the packages whose messages every API shares:
// returning an Operation makes a method long-running, not a dependency on
// the Operations service. The infrastructure parameter replaces the list.
var DefaultInfrastructure = []string{
	"google.api",
	"google.cloud.location",
	"google.iam.v1",
	"google.longrunning",
	"google.protobuf",
	"google.rpc",
	"google.type",
}

// DefaultMaxErrors is how many errors a failed run reports unless
// max_errors says otherwise.
const DefaultMaxErrors = 20

// parsing is the state of ParseParameter: the Config being built and what
// is settled only once every parameter has been read.
type parsing struct {
	cfg            Config
	emitFormat     codec.Encoding // from emit=json|yaml
	formatParam    codec.Encoding // from format=
	emitGo         bool
	infrastructure []string // nil until an infrastructure= is read
}

// parameter is one plugin parameter, bound to the Config in this one
// place: its name, the form of its value, its default and meaning (which
// --help prints), and how it sets the Config. kv is the whole "key=value".
type parameter struct {
	name, value, def, doc string
	set                   func(p *parsing, kv, value string) error
}

// parameters are the accepted parameters in the order --help and error
// messages list them. "M" stands for every parameter that starts with M.
var parameters = []parameter{
	{"aggregate", "NAME", "off", "write one registration file with every service of the request instead of one per proto file (under buf: strategy: all)",
		func(p *parsing, _, v string) error {
			if err := checkAggregate(v); err != nil {
				return err
			}
			p.cfg.Aggregate = v
			return nil
		}},
	{"capability_rules", "FILE.yaml", "none", "a rule file mapping method names to capabilities",
		func(p *parsing, _, v string) error {
			if v == "" {
				return fmt.Errorf("parameter capability_rules: want the path of a YAML rule file")
			}
			p.cfg.CapabilityRules = v
			return nil
		}},
	{"conflicts", "warn|error|off", "warn", "what to do about routes that collide: warn on stderr, fail, or not look",
		func(p *parsing, _, v string) error {
			switch m := ConflictMode(v); m {
			case ConflictsWarn, ConflictsError, ConflictsOff:
				p.cfg.Conflicts = m
				return nil
			}
			return fmt.Errorf("parameter conflicts=%s: want warn, error or off", excerpt.Quote(v))
		}},
	{"conflicts_allow", "FILE.yaml", "none", "pairs of methods whose routes may collide",
		func(p *parsing, _, v string) error {
			if v == "" {
				return fmt.Errorf("parameter conflicts_allow: want the path of a YAML file of allowed conflicts")
			}
			p.cfg.ConflictAllow = v
			return nil
		}},
	{"emit", "json|yaml|go", "json", "what to write, as a list (emit=json,go): registration files in JSON or YAML, and Go code",
		func(p *parsing, _, v string) error {
			if v == "go" {
				p.emitGo = true
				return nil
			}
			enc, err := encoding("emit", v)
			if err != nil {
				return fmt.Errorf("parameter emit=%s: want json, yaml or go", excerpt.Quote(v))
			}
			if p.emitFormat != "" && p.emitFormat != enc {
				return fmt.Errorf("parameter emit=%s: json and yaml cannot both be emitted", v)
			}
			p.emitFormat = enc
			return nil
		}},
	{"format", "json|yaml", "json", "the encoding of registration files (the same as emit=json or emit=yaml)",
		func(p *parsing, _, v string) error {
			enc, err := encoding("format", v)
			p.formatParam = enc
			return err
		}},
	{"grpc_api_configuration", "FILE.yaml", "none", "a YAML service configuration whose http.rules add bindings, as in grpc-gateway",
		func(p *parsing, _, v string) error {
			if v == "" {
				return fmt.Errorf("parameter grpc_api_configuration: want the path of a YAML service configuration")
			}
			p.cfg.APIConfig = v
			return nil
		}},
	{"health_path", "PATH", DefaultHealthPath, "the HTTP health path recorded for every service",
		func(p *parsing, _, v string) error {
			if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, "?# ") {
				return fmt.Errorf("parameter health_path=%s: want an absolute URL path such as /healthz", excerpt.Quote(v))
			}
			p.cfg.HealthPath = v
			return nil
		}},
	{"infrastructure", "PKG", strings.Join(DefaultInfrastructure, " "), "a package (and those below it) whose messages are shared infrastructure, not schema dependencies; repeat it for several; it replaces the default list, and none empties it",
		func(p *parsing, _, v string) error {
			// Each value adds a package; "none" stands for an empty list,
			// so that every package can count as a dependency.
			if p.infrastructure == nil {
				p.infrastructure = []string{}
			}
			if v == "none" {
				return nil
			}
			if !validPackage(v) {
				return fmt.Errorf("parameter infrastructure=%s: want a proto package such as google.type, or none", excerpt.Quote(v))
			}
			p.infrastructure = append(p.infrastructure, v)
			return nil
		}},
	{"max_errors", "N", strconv.Itoa(DefaultMaxErrors), "how many errors a failed run lists; 0 lists all",
		func(p *parsing, _, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("parameter max_errors=%s: want a number, 0 for no limit", excerpt.Quote(v))
			}
			p.cfg.MaxErrors = n
			return nil
		}},
	{"module", "PREFIX", "none", "protogen's: strip PREFIX from Go output paths",
		func(p *parsing, kv, _ string) error {
			p.cfg.GoParams = append(p.cfg.GoParams, kv)
			return nil
		}},
	{"paths", "import|source_relative", "import", "protogen's: where Go output goes",
		func(p *parsing, kv, v string) error {
			if v != "import" && v != "source_relative" {
				return fmt.Errorf("parameter paths=%s: want import or source_relative", excerpt.Quote(v))
			}
			p.cfg.GoParams = append(p.cfg.GoParams, kv)
			return nil
		}},
	{"rest_fallback", "true|false", "true", "give methods without an HTTP rule the inferred binding POST /package.Service/Method",
		func(p *parsing, _, v string) error {
			b, err := boolean("rest_fallback", v)
			p.cfg.RESTFallback = b
			return err
		}},
	{"strict", "true|false", "false", "make warnings about gateway-accepted deviations from google/api/http.proto's grammar errors",
		func(p *parsing, _, v string) error {
			b, err := boolean("strict", v)
			p.cfg.Strict = b
			return err
		}},
	{"M<file.proto>", "<go/import/path>", "the file's go_package", "protogen's: the Go import path of a proto file",
		func(p *parsing, kv, _ string) error {
			p.cfg.GoParams = append(p.cfg.GoParams, kv)
			return nil
		}},
}

// lookupParameter finds the parameter that key names.
func lookupParameter(key string) *parameter {
	if strings.HasPrefix(key, "M") && len(key) > 1 {
		return &parameters[len(parameters)-1]
	}
	for i := range parameters[:len(parameters)-1] {
		if parameters[i].name == key {
			return &parameters[i]
		}
	}
	return nil
}

// knownParameters lists the parameters as error messages name them.
func knownParameters() string {
	names := make([]string, len(parameters))
	for i, p := range parameters {
		names[i] = p.name + "=" + p.value
	}
	return strings.Join(names, ", ")
}

// Params returns the accepted parameters for --help, each as the
// parameter and its value on one line and its meaning and default on the
// next.
func Params() []string {
	lines := make([]string, len(parameters))
	for i, p := range parameters {
		lines[i] = fmt.Sprintf("%s=%s\n      %s. Default: %s.", p.name, p.value, p.doc, p.def)
	}
	return lines
}

// ParseParameter parses the CodeGeneratorRequest parameter: comma-separated
// key=value pairs. Every unknown key and bad value is an error that names it.
func ParseParameter(parameter string) (Config, error) {
	p := &parsing{cfg: Config{Format: codec.JSON, RESTFallback: true, HealthPath: DefaultHealthPath,
		Conflicts: ConflictsWarn, MaxErrors: DefaultMaxErrors}}
	lastKey := ""
	for _, kv := range strings.Split(parameter, ",") {
		if kv == "" {
			continue
		}
		key, value, hasValue := strings.Cut(kv, "=")
		if !hasValue && lastKey == "emit" {
			// protoc separates parameters with commas, so "emit=json,go"
			// arrives as "emit=json" and "go": a bare word after emit
			// continues its list.
			key, value = "emit", kv
		}
		lastKey = key
		param := lookupParameter(key)
		if param == nil {
			return Config{}, fmt.Errorf("unknown parameter %s; known parameters: %s", excerpt.Quote(kv), knownParameters())
		}
		if err := param.set(p, kv, value); err != nil {
			return Config{}, err
		}
	}
	cfg := p.cfg
	switch {
	case p.emitFormat != "" && p.formatParam != "" && p.emitFormat != p.formatParam:
		return Config{}, fmt.Errorf("parameters emit=%s and format=%s disagree", p.emitFormat, p.formatParam)
	case p.emitFormat != "":
		cfg.Format = p.emitFormat
	case p.formatParam != "":
		cfg.Format = p.formatParam
	}
	cfg.Infrastructure = DefaultInfrastructure
	if p.infrastructure != nil {
		cfg.Infrastructure = p.infrastructure
	}
	cfg.EmitGo = p.emitGo
	cfg.EmitRegistrations = p.emitFormat != "" || !p.emitGo
	if cfg.Aggregate != "" && !cfg.EmitRegistrations {
		return Config{}, fmt.Errorf("parameter aggregate=%s writes a registration file, but emit=go writes Go only; add json or yaml to emit", excerpt.Plain(cfg.Aggregate))
	}
	return cfg, nil
}

func encoding(key, value string) (codec.Encoding, error) {
	switch value {
	case "json":
		return codec.JSON, nil
	case "yaml":
		return codec.YAML, nil
	}
	return "", fmt.Errorf("parameter %s=%s: want json or yaml", key, excerpt.Quote(value))
}

func boolean(key, value string) (bool, error) {
	switch value {
	case "true", "":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("parameter %s=%s: want true or false", key, excerpt.Quote(value))
}

// validPackage reports whether s is a dotted proto package name.
func validPackage(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, c := range part {
			if c != '_' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// checkAggregate rejects names that would write outside the output
// directory or name no file.
func checkAggregate(name string) error {
	clean := path.Clean(name)
	if name == "" || strings.HasSuffix(name, "/") || clean != name || path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("parameter aggregate=%s: want a relative file name such as \"registry\" or \"api/registry\"", excerpt.Quote(name))
	}
	return nil
}

// aggregateFile is the name of the aggregate output: the name as given when
// it already ends in the encoding's extension, or with ".registration" and
// the extension added.
func (c Config) aggregateFile() string {
	ext := c.Format.Extension()
	if strings.HasSuffix(c.Aggregate, ext) {
		return c.Aggregate
	}
	return c.Aggregate + ".registration" + ext
}
