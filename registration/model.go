// Package registration defines the registration.v2 format (and reads registration.v1): the model that the
// plugin writes and that every binary of the project reads.
//
// A Registration lists services by full name. Each service carries its methods
// and, per method, the REST bindings through which it is reached. Every
// inferred fact says where it came from in a Source field. The JSON and YAML
// encodings share field names (snake_case); schema.json describes them.
package registration

// Format is the value of Registration.Format for this version of the format.
const Format = "registration.v2"

// FormatV1 is the format before services, methods, messages and enums
// carried their source locations and the messages their fields: readers
// accept its documents, which are v2 documents without those.
const FormatV1 = "registration.v1"

// Where a fact comes from.
const (
	// SourceAnnotation marks a fact read from an option in the proto files,
	// such as google.api.http.
	SourceAnnotation = "annotation"
	// SourceConfig marks a fact read from a YAML service configuration.
	SourceConfig = "config"
	// SourceDeclared marks a fact declared through the registration options.
	SourceDeclared = "declared"
	// SourceRule marks a fact derived from a user rule file.
	SourceRule = "rule"
	// SourceInferred marks a fact that was inferred, not stated anywhere.
	SourceInferred = "inferred"
)

// Streaming shapes of a method.
const (
	StreamingUnary  = "unary"
	StreamingClient = "client"
	StreamingServer = "server"
	StreamingBidi   = "bidi"
)

// Registration is one registration document: the services of one proto file,
// or of a whole request in aggregate mode.
type Registration struct {
	// Format is always Format.
	Format string `json:"format" yaml:"format"`
	// Files lists the proto files the services were read from, in request order.
	Files []string `json:"files" yaml:"files"`
	// Services in declaration order, file by file.
	Services []*Service `json:"services" yaml:"services"`
	// Conflicts lists pairs of bindings that match the same requests.
	Conflicts []*Conflict `json:"conflicts,omitempty" yaml:"conflicts,omitempty"`
	// Diagnostics are located warnings about the proto files, such as a path
	// template that production gateways accept although google/api/http.proto's
	// grammar does not, sorted by file and position.
	Diagnostics []*Diagnostic `json:"diagnostics,omitempty" yaml:"diagnostics,omitempty"`
	// Messages describe, once each and sorted by full name, the messages
	// that travel over the declared REST bindings of the services: request
	// and response messages (or the response_body field's message) of
	// methods with an annotated or configured binding, and every message
	// their fields hold, since JSON nests them. Well-known types
	// (google.protobuf) are named by fields, not described: their JSON
	// form is fixed. Methods name them by InputType and OutputType, and
	// fields by TypeName.
	Messages []*Message `json:"messages,omitempty" yaml:"messages,omitempty"`
	// Enums describe the enums of the fields of Messages, once each,
	// sorted by full name: JSON carries their values by name.
	Enums []*Enum `json:"enums,omitempty" yaml:"enums,omitempty"`
}

// Message is a message that travels over a REST binding, with the fields
// that make its JSON form.
type Message struct {
	// Name is the message's full name, such as "library.v1.Book".
	Name string `json:"name" yaml:"name"`
	// File is the proto file that declares it.
	File string `json:"file" yaml:"file"`
	// Line and Column are where the message starts in File, counting from
	// 1; given only when File is a file of this registration, so that a
	// file's registration does not depend on which others were generated
	// with it.
	Line   int `json:"line,omitempty" yaml:"line,omitempty"`
	Column int `json:"column,omitempty" yaml:"column,omitempty"`
	// Fields are the message's fields in declaration order.
	Fields []*Field `json:"fields" yaml:"fields"`
}

// Field cardinalities. A singular field, the most common, has none: the
// format leaves it out.
const (
	CardinalitySingular = ""
	CardinalityOptional = "optional"
	CardinalityRepeated = "repeated"
	CardinalityMap      = "map"
)

// Field is one field of a Message, as a REST client sees it.
type Field struct {
	// Name is the field's proto name, such as "display_name".
	Name string `json:"name" yaml:"name"`
	// Number is the field number.
	Number int `json:"number" yaml:"number"`
	// JSONName is the field's name in JSON, such as "displayName".
	JSONName string `json:"json_name" yaml:"json_name"`
	// Type is the proto type: a scalar ("string", "int64", "bool",
	// "bytes", ...), "message" or "enum"; for a map, the value's type.
	Type string `json:"type" yaml:"type"`
	// TypeName is the full name of the message or enum of Type.
	TypeName string `json:"type_name,omitempty" yaml:"type_name,omitempty"`
	// MapKey is the key type of a map field.
	MapKey string `json:"map_key,omitempty" yaml:"map_key,omitempty"`
	// Cardinality is CardinalityOptional (explicit presence: proto3
	// optional, proto2 optional, editions' explicit), CardinalityRepeated,
	// CardinalityMap, or empty for a singular field.
	Cardinality string `json:"cardinality,omitempty" yaml:"cardinality,omitempty"`
	// Required reports google.api.field_behavior REQUIRED.
	Required bool `json:"required,omitempty" yaml:"required,omitempty"`
	// OutputOnly reports google.api.field_behavior OUTPUT_ONLY.
	OutputOnly bool `json:"output_only,omitempty" yaml:"output_only,omitempty"`
	// Oneof is the oneof the field belongs to, if any (not a proto3
	// optional's synthetic one).
	Oneof string `json:"oneof,omitempty" yaml:"oneof,omitempty"`
	// Line and Column locate the field, as Message's do.
	Line   int `json:"line,omitempty" yaml:"line,omitempty"`
	Column int `json:"column,omitempty" yaml:"column,omitempty"`
}

// Enum is an enum of a field of a Message.
type Enum struct {
	// Name is the enum's full name.
	Name string `json:"name" yaml:"name"`
	// File, Line and Column locate it, as Message's do.
	File   string `json:"file" yaml:"file"`
	Line   int    `json:"line,omitempty" yaml:"line,omitempty"`
	Column int    `json:"column,omitempty" yaml:"column,omitempty"`
	// Values are the value names in declaration order: JSON carries them
	// by name.
	Values []string `json:"values" yaml:"values"`
}

// Diagnostic is a located warning about an element of a proto file.
type Diagnostic struct {
	// Rule is the warning's stable identifier, such as
	// "HTTP_DEEP_WILDCARD_NOT_LAST".
	Rule string `json:"rule" yaml:"rule"`
	// File, Line and Column locate the element; Line and Column count from
	// one and are zero when the request carries no source info.
	File   string `json:"file" yaml:"file"`
	Line   int    `json:"line,omitempty" yaml:"line,omitempty"`
	Column int    `json:"column,omitempty" yaml:"column,omitempty"`
	// Element is the full name of the element, such as a method.
	Element string `json:"element" yaml:"element"`
	// Message says what is wrong and what is done about it.
	Message string `json:"message" yaml:"message"`
}

// Service is one gRPC service.
type Service struct {
	// Name is the service's full name, such as "library.v1.LibraryService".
	Name string `json:"name" yaml:"name"`
	// Package is the proto package.
	Package string `json:"package" yaml:"package"`
	// Version is the version component of the package, such as "v1" or
	// "v1beta2"; empty when the package has none.
	Version string `json:"version,omitempty" yaml:"version,omitempty"`
	// File is the path of the proto file that declares the service.
	File string `json:"file" yaml:"file"`
	// Line and Column are where the service starts in File ("service"),
	// counting from 1; zero when the request had no source info.
	Line   int `json:"line,omitempty" yaml:"line,omitempty"`
	Column int `json:"column,omitempty" yaml:"column,omitempty"`
	// Description is the service's leading comment.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Deprecated reports the service's deprecated option.
	Deprecated bool `json:"deprecated,omitempty" yaml:"deprecated,omitempty"`
	// Owner is the team or person the service's options declare.
	Owner string `json:"owner,omitempty" yaml:"owner,omitempty"`
	// Tags are free-form labels the service's options declare.
	Tags []string `json:"tags,omitempty" yaml:"tags,omitempty"`
	// DefaultHost is the service's google.api.default_host, such as
	// "pubsub.googleapis.com": the host its REST bindings are served on.
	DefaultHost string `json:"default_host,omitempty" yaml:"default_host,omitempty"`
	// OAuthScopes are the scopes of the service's google.api.oauth_scopes,
	// in the order written.
	OAuthScopes []string `json:"oauth_scopes,omitempty" yaml:"oauth_scopes,omitempty"`
	// Methods in declaration order, without those the options exclude.
	Methods []*Method `json:"methods" yaml:"methods"`
	// Capabilities are what the service can do, sorted by name.
	Capabilities []*Capability `json:"capabilities,omitempty" yaml:"capabilities,omitempty"`
	// Dependencies are the services this one needs, sorted by service name
	// and kind.
	Dependencies []*Dependency `json:"dependencies,omitempty" yaml:"dependencies,omitempty"`
	// Events are the domain events the service emits, sorted by name.
	Events []*Event `json:"events,omitempty" yaml:"events,omitempty"`
	// Health says how the service's health is checked.
	Health *Health `json:"health,omitempty" yaml:"health,omitempty"`
	// MessageTypes are the full names of every message type the service's
	// methods use, followed through fields, sorted.
	MessageTypes []string `json:"message_types,omitempty" yaml:"message_types,omitempty"`
}

// Capability is something a service can do, such as "crud:library.example.com/Book",
// "streaming" or a name from a rule file.
type Capability struct {
	// Name of the capability.
	Name string `json:"name" yaml:"name"`
	// Source is SourceInferred, SourceRule or SourceDeclared.
	Source string `json:"source" yaml:"source"`
	// Methods are the short names of the methods that give the capability,
	// in declaration order; empty for a declared capability.
	Methods []string `json:"methods,omitempty" yaml:"methods,omitempty"`
}

// Kinds of dependency.
const (
	// DependencyResource: the service refers to a resource type that the
	// target owns (google.api.resource_reference).
	DependencyResource = "resource"
	// DependencySchema: the service's messages use types that the target's
	// package defines.
	DependencySchema = "schema"
	// DependencyDeclared: the service's options declare the dependency.
	DependencyDeclared = "declared"
)

// How the target of a resource dependency was found; see ResolveOwner.
const (
	// ResolutionSamePackage: the only owner in the referring service's package.
	ResolutionSamePackage = "same_package"
	// ResolutionSameAPI: the only owner in the same API and version (the
	// package up to its version, "google.cloud.kms.v1").
	ResolutionSameAPI = "same_api_version"
	// ResolutionDefaultHost: the only owner whose google.api.default_host is
	// the resource type's service name ("pubsub.googleapis.com/Topic").
	ResolutionDefaultHost = "default_host"
	// ResolutionOnlyOwner: the only owner in view, where it has no default
	// host and is not of another version of the referring service's API.
	// Small APIs without google.api.default_host resolve this way.
	ResolutionOnlyOwner = "only_owner"
	// ResolutionUnresolved: no owner is visible, or several are and no rule
	// picks one; Service is then the resource type.
	ResolutionUnresolved = "unresolved"
)

// Dependency is an edge from a service to a service it needs.
type Dependency struct {
	// Service is the target's full name. For an external dependency, one
	// whose target is not a service the registration can see, it is the
	// name the target is known by: a service name, a resource type or a
	// package.
	Service string `json:"service" yaml:"service"`
	// Kind is one of the Dependency constants.
	Kind string `json:"kind" yaml:"kind"`
	// External reports a target that is not a known service: outside the
	// proto file and its imports (or the request, for an aggregate), or an
	// unresolved resource type.
	External bool `json:"external,omitempty" yaml:"external,omitempty"`
	// ResourceType is the resource type a resource dependency refers to.
	ResourceType string `json:"resource_type,omitempty" yaml:"resource_type,omitempty"`
	// Resolution says how a resource dependency's target was found: one of
	// the Resolution constants.
	Resolution string `json:"resolution,omitempty" yaml:"resolution,omitempty"`
	// AcrossFiles reports a target found by reading several files (the
	// aggregate output, registration-graph) where the proto file and its
	// imports alone left the dependency unresolved.
	AcrossFiles bool `json:"across_files,omitempty" yaml:"across_files,omitempty"`
	// Candidates are, for an unresolved dependency, the services that own
	// the resource type and that no rule could choose between, sorted.
	Candidates []string `json:"candidates,omitempty" yaml:"candidates,omitempty"`
	// Evidence says what creates the edge: field paths such as
	// "library.v1.Loan.member", or the option that declares it.
	Evidence []string `json:"evidence,omitempty" yaml:"evidence,omitempty"`
}

// Event is a domain event that a service emits.
type Event struct {
	// Name is the event's name, such as "library.v1.Book.created".
	Name string `json:"name" yaml:"name"`
	// Method is the full name of the method that emits it, if known.
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	// Source is SourceInferred or SourceDeclared.
	Source string `json:"source" yaml:"source"`
}

// Health says how a service's health is checked. Addresses are not part of
// a registration: they depend on where the service runs.
type Health struct {
	// GRPCService is the service name to send in a grpc.health.v1
	// HealthCheckRequest: the service's full name.
	GRPCService string `json:"grpc_service" yaml:"grpc_service"`
	// HTTPPath is the path of the service's HTTP health endpoint.
	HTTPPath string `json:"http_path" yaml:"http_path"`
	// Source says where HTTPPath came from: SourceInferred for the default,
	// SourceConfig for the plugin's health_path parameter, SourceDeclared
	// for the service's registration option.
	Source string `json:"source" yaml:"source"`
}

// Method is one RPC of a service.
type Method struct {
	// Name is the method's short name, such as "GetBook".
	Name string `json:"name" yaml:"name"`
	// FullName is the method's full name, such as "library.v1.LibraryService.GetBook".
	FullName string `json:"full_name" yaml:"full_name"`
	// Line and Column are where the method starts in its service's file
	// ("rpc"), counting from 1; zero when the request had no source info.
	Line   int `json:"line,omitempty" yaml:"line,omitempty"`
	Column int `json:"column,omitempty" yaml:"column,omitempty"`
	// InputType is the full name of the request message.
	InputType string `json:"input_type" yaml:"input_type"`
	// OutputType is the full name of the response message.
	OutputType string `json:"output_type" yaml:"output_type"`
	// Streaming is one of the Streaming constants.
	Streaming string `json:"streaming" yaml:"streaming"`
	// Kind is the method's kind after the API Improvement Proposals'
	// standard methods: one of the Kind constants.
	Kind string `json:"kind" yaml:"kind"`
	// Resource is the resource the method acts on, if one is known.
	Resource *Resource `json:"resource,omitempty" yaml:"resource,omitempty"`
	// Idempotency is "no_side_effects" or "idempotent" when the method's
	// idempotency_level says so, empty otherwise.
	Idempotency string `json:"idempotency,omitempty" yaml:"idempotency,omitempty"`
	// ReadOnly reports a method that changes nothing: NO_SIDE_EFFECTS, or a
	// get, list, search or watch method.
	ReadOnly bool `json:"read_only,omitempty" yaml:"read_only,omitempty"`
	// LongRunning is set for methods that return a google.longrunning.Operation
	// with google.longrunning.operation_info.
	LongRunning *LongRunning `json:"long_running,omitempty" yaml:"long_running,omitempty"`
	// RequiredFields are the request fields marked REQUIRED with
	// google.api.field_behavior, as dotted paths.
	RequiredFields []string `json:"required_fields,omitempty" yaml:"required_fields,omitempty"`
	// Description is the method's leading comment.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Deprecated reports the method's deprecated option.
	Deprecated bool `json:"deprecated,omitempty" yaml:"deprecated,omitempty"`
	// Bindings are the REST bindings of the method, the primary one first.
	Bindings []*Binding `json:"bindings,omitempty" yaml:"bindings,omitempty"`
}

// Method kinds, after the API Improvement Proposals (AIP-131 to AIP-136,
// AIP-231 to AIP-235 and the search, watch, import and export conventions).
const (
	KindGet         = "get"
	KindList        = "list"
	KindCreate      = "create"
	KindUpdate      = "update"
	KindDelete      = "delete"
	KindBatchGet    = "batch_get"
	KindBatchCreate = "batch_create"
	KindBatchUpdate = "batch_update"
	KindBatchDelete = "batch_delete"
	KindSearch      = "search"
	KindWatch       = "watch"
	KindImport      = "import"
	KindExport      = "export"
	KindCustom      = "custom"
)

// Resource is the resource a method acts on.
type Resource struct {
	// Type is the resource type, such as "library.example.com/Book", or,
	// for a message without google.api.resource, the message's full name.
	Type string `json:"type" yaml:"type"`
	// Source is SourceAnnotation when google.api.resource or
	// resource_reference names it, SourceInferred otherwise.
	Source string `json:"source" yaml:"source"`
	// Evidence is what names it: a field path such as "name" or "parent",
	// or a message such as "library.v1.Book".
	Evidence string `json:"evidence" yaml:"evidence"`
}

// LongRunning describes a long-running method's eventual result.
type LongRunning struct {
	// ResponseType and MetadataType are from google.longrunning.operation_info,
	// qualified with the method's package when given unqualified.
	ResponseType string `json:"response_type" yaml:"response_type"`
	MetadataType string `json:"metadata_type,omitempty" yaml:"metadata_type,omitempty"`
}

// Binding is one way to reach a method over HTTP.
type Binding struct {
	// Method is the HTTP method: GET, PUT, POST, DELETE, PATCH or, for a
	// custom binding, its kind.
	Method string `json:"method" yaml:"method"`
	// Custom reports a google.api.CustomHttpPattern binding.
	Custom bool `json:"custom,omitempty" yaml:"custom,omitempty"`
	// Path is the path template in its canonical form.
	Path string `json:"path" yaml:"path"`
	// Body is "*", the request field bound to the body, or empty.
	Body string `json:"body,omitempty" yaml:"body,omitempty"`
	// ResponseBody is the response field returned as the body, or empty.
	ResponseBody string `json:"response_body,omitempty" yaml:"response_body,omitempty"`
	// PathParams are the request fields bound by the path, in template order.
	PathParams []*PathParam `json:"path_params,omitempty" yaml:"path_params,omitempty"`
	// QueryParams are the request fields bound by neither path nor body.
	QueryParams []string `json:"query_params,omitempty" yaml:"query_params,omitempty"`
	// Source is SourceAnnotation, SourceConfig or SourceInferred.
	Source string `json:"source" yaml:"source"`
}

// PathParam is a request field bound by a path variable.
type PathParam struct {
	// Field is the dotted field path, such as "book.name".
	Field string `json:"field" yaml:"field"`
	// Pattern is the segments the variable matches, such as "shelves/*".
	Pattern string `json:"pattern" yaml:"pattern"`
}

// Conflict is a pair of bindings of two methods that match the same
// requests: the same host, the same HTTP method and path templates that
// match at least one common path.
type Conflict struct {
	// Host is the google.api.default_host both services share, if any.
	Host string `json:"host,omitempty" yaml:"host,omitempty"`
	// Method is the HTTP method both bindings share.
	Method string `json:"method" yaml:"method"`
	// First and Second name the methods and paths, first in request order.
	First  ConflictSide `json:"first" yaml:"first"`
	Second ConflictSide `json:"second" yaml:"second"`
}

// ConflictSide is one binding of a Conflict.
type ConflictSide struct {
	// RPC is the full name of the method the binding belongs to.
	RPC string `json:"rpc" yaml:"rpc"`
	// Path is the binding's path template.
	Path string `json:"path" yaml:"path"`
}
