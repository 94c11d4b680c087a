package plugin

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Config is the plugin's parameter, parsed and checked once.
type Config struct {
	// Format is the encoding of registration files.
	Format registration.Encoding
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

// params lists the plugin's own parameters for error messages and --help.
var params = []string{
	"aggregate=NAME",
	"capability_rules=FILE.yaml",
	"conflicts=warn|error|off",
	"conflicts_allow=FILE.yaml",
	"emit=json|yaml|go",
	"format=json|yaml",
	"grpc_api_configuration=FILE.yaml",
	"health_path=PATH",
	"infrastructure=PKG (repeatable; none for no package)",
	"max_errors=N",
	"module=PREFIX",
	"paths=import|source_relative",
	"rest_fallback=true|false",
	"strict=true|false",
	"M<file.proto>=<go/import/path>",
}

// Params returns the accepted parameters, for --help.
func Params() []string { return slices.Clone(params) }

// ParseParameter parses the CodeGeneratorRequest parameter: comma-separated
// key=value pairs. Every unknown key and bad value is an error that names it.
func ParseParameter(parameter string) (Config, error) {
	cfg := Config{Format: registration.JSON, RESTFallback: true, HealthPath: DefaultHealthPath,
		Conflicts: ConflictsWarn, MaxErrors: DefaultMaxErrors}
	infrastructure := []string(nil)
	var emitFormat, formatParam registration.Encoding
	emitGo := false
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
		switch key {
		case "format":
			enc, err := encoding(key, value)
			if err != nil {
				return Config{}, err
			}
			formatParam = enc
		case "emit":
			// emit lists what to write: registration files, with json or
			// yaml picking their encoding, and Go code.
			if value == "go" {
				emitGo = true
				continue
			}
			enc, err := encoding(key, value)
			if err != nil {
				return Config{}, fmt.Errorf("parameter emit=%s: want json, yaml or go", excerpt.Quote(value))
			}
			if emitFormat != "" && emitFormat != enc {
				return Config{}, fmt.Errorf("parameter emit=%s: json and yaml cannot both be emitted", value)
			}
			emitFormat = enc
		case "aggregate":
			if err := checkAggregate(value); err != nil {
				return Config{}, err
			}
			cfg.Aggregate = value
		case "grpc_api_configuration":
			if value == "" {
				return Config{}, fmt.Errorf("parameter grpc_api_configuration: want the path of a YAML service configuration")
			}
			cfg.APIConfig = value
		case "capability_rules":
			if value == "" {
				return Config{}, fmt.Errorf("parameter capability_rules: want the path of a YAML rule file")
			}
			cfg.CapabilityRules = value
		case "rest_fallback":
			b, err := boolean(key, value)
			if err != nil {
				return Config{}, err
			}
			cfg.RESTFallback = b
		case "conflicts":
			switch m := ConflictMode(value); m {
			case ConflictsWarn, ConflictsError, ConflictsOff:
				cfg.Conflicts = m
			default:
				return Config{}, fmt.Errorf("parameter conflicts=%s: want warn, error or off", excerpt.Quote(value))
			}
		case "conflicts_allow":
			if value == "" {
				return Config{}, fmt.Errorf("parameter conflicts_allow: want the path of a YAML file of allowed conflicts")
			}
			cfg.ConflictAllow = value
		case "strict":
			b, err := boolean(key, value)
			if err != nil {
				return Config{}, err
			}
			cfg.Strict = b
		case "infrastructure":
			// Each value adds a package; "none" stands for an empty list, so
			// that every package can count as a dependency.
			if infrastructure == nil {
				infrastructure = []string{}
			}
			if value == "none" {
				continue
			}
			if !validPackage(value) {
				return Config{}, fmt.Errorf("parameter infrastructure=%s: want a proto package such as google.type, or none", excerpt.Quote(value))
			}
			infrastructure = append(infrastructure, value)
		case "max_errors":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return Config{}, fmt.Errorf("parameter max_errors=%s: want a number, 0 for no limit", excerpt.Quote(value))
			}
			cfg.MaxErrors = n
		case "health_path":
			if !strings.HasPrefix(value, "/") || strings.ContainsAny(value, "?# ") {
				return Config{}, fmt.Errorf("parameter health_path=%s: want an absolute URL path such as /healthz", excerpt.Quote(value))
			}
			cfg.HealthPath = value
		case "paths":
			if value != "import" && value != "source_relative" {
				return Config{}, fmt.Errorf("parameter paths=%s: want import or source_relative", excerpt.Quote(value))
			}
			cfg.GoParams = append(cfg.GoParams, kv)
		case "module":
			cfg.GoParams = append(cfg.GoParams, kv)
		default:
			if strings.HasPrefix(key, "M") && len(key) > 1 {
				cfg.GoParams = append(cfg.GoParams, kv)
				continue
			}
			return Config{}, fmt.Errorf("unknown parameter %s; known parameters: %s", excerpt.Quote(kv), strings.Join(params, ", "))
		}
	}
	switch {
	case emitFormat != "" && formatParam != "" && emitFormat != formatParam:
		return Config{}, fmt.Errorf("parameters emit=%s and format=%s disagree", emitFormat, formatParam)
	case emitFormat != "":
		cfg.Format = emitFormat
	case formatParam != "":
		cfg.Format = formatParam
	}
	cfg.Infrastructure = DefaultInfrastructure
	if infrastructure != nil {
		cfg.Infrastructure = infrastructure
	}
	cfg.EmitGo = emitGo
	cfg.EmitRegistrations = emitFormat != "" || !emitGo
	if cfg.Aggregate != "" && !cfg.EmitRegistrations {
		return Config{}, fmt.Errorf("parameter aggregate=%s writes a registration file, but emit=go writes Go only; add json or yaml to emit", excerpt.Plain(cfg.Aggregate))
	}
	return cfg, nil
}

func encoding(key, value string) (registration.Encoding, error) {
	switch value {
	case "json":
		return registration.JSON, nil
	case "yaml":
		return registration.YAML, nil
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
