package inference

import (
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// MethodFacts are what can be said about one method on its own.
type MethodFacts struct {
	Kind           string
	Resource       *registration.Resource
	Idempotency    string
	ReadOnly       bool
	LongRunning    *registration.LongRunning
	RequiredFields []string
}

// DescribeMethod classifies a method and finds what it acts on; r resolves
// the messages that operation_info and method names point to.
func DescribeMethod(md protoreflect.MethodDescriptor, r Resolver) MethodFacts {
	f := MethodFacts{Kind: MethodKind(md), LongRunning: longRunning(md), RequiredFields: requiredFields(md.Input())}
	f.Resource = methodResource(md, r, f.Kind, f.LongRunning)
	switch md.Options().(*descriptorpb.MethodOptions).GetIdempotencyLevel() {
	case descriptorpb.MethodOptions_NO_SIDE_EFFECTS:
		f.Idempotency, f.ReadOnly = "no_side_effects", true
	case descriptorpb.MethodOptions_IDEMPOTENT:
		f.Idempotency = "idempotent"
	}
	switch f.Kind {
	case registration.KindGet, registration.KindList, registration.KindBatchGet, registration.KindSearch, registration.KindWatch:
		f.ReadOnly = true
	}
	return f
}

// MethodKind classifies a method after the API Improvement Proposals'
// standard methods. A name that starts with a standard verb is not enough:
// the verb must be a whole word ("ListenForEvents" is not a list method) and
// the response must have the standard shape ("GetIamPolicy" returns a
// Policy, not an IamPolicy, so it is custom).
func MethodKind(md protoreflect.MethodDescriptor) string {
	name := string(md.Name())
	out := md.Output()
	outName := string(out.Name())
	lro := isOperation(out)
	// AIP delete methods return google.protobuf.Empty; a local message
	// named Empty with no fields says the same.
	empty := out.FullName() == "google.protobuf.Empty" || (out.Name() == "Empty" && out.Fields().Len() == 0)
	verb, rest := splitVerb(name)
	switch verb {
	case "BatchGet", "BatchCreate", "BatchUpdate", "BatchDelete":
		if outName == name+"Response" || lro || (verb == "BatchDelete" && empty) {
			return map[string]string{
				"BatchGet": registration.KindBatchGet, "BatchCreate": registration.KindBatchCreate,
				"BatchUpdate": registration.KindBatchUpdate, "BatchDelete": registration.KindBatchDelete,
			}[verb]
		}
	case "Get":
		if outName == rest || outName == name+"Response" {
			return registration.KindGet
		}
	case "List":
		if outName == name+"Response" {
			return registration.KindList
		}
	case "Create", "Update":
		if outName == rest || outName == name+"Response" || lro {
			return strings.ToLower(verb)
		}
	case "Delete":
		if (empty || outName == rest || outName == name+"Response" || lro) && standardDelete(md, rest) {
			return registration.KindDelete
		}
	case "Search":
		return registration.KindSearch
	case "Watch":
		if md.IsStreamingServer() {
			return registration.KindWatch
		}
	case "Import":
		return registration.KindImport
	case "Export":
		return registration.KindExport
	}
	return registration.KindCustom
}

// standardDelete reports whether a method named Delete<rest> is AIP-135's
// standard Delete and not a custom method that happens to start with the
// verb: its HTTP binding, if it has one, is a DELETE without a custom verb
// (":purge" makes it custom), and the resource its name field refers to,
// if any, is the one it is named after.
func standardDelete(md protoreflect.MethodDescriptor, rest string) bool {
	if rule, ok := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule); ok && rule != nil {
		if _, isDelete := rule.GetPattern().(*annotations.HttpRule_Delete); !isDelete && rule.GetPattern() != nil {
			return false
		}
		if t, err := pathtemplate.Parse(rule.GetDelete()); err == nil && t.Verb != "" {
			return false
		}
	}
	if f := md.Input().Fields().ByName("name"); f != nil {
		if t, child := fieldReference(f); t != "" && !child && t[strings.LastIndex(t, "/")+1:] != rest {
			return false
		}
	}
	return true
}

// standardVerbs are the verbs of standard methods, longest first so that
// "BatchGet" is tried before a plain verb.
var standardVerbs = []string{"BatchCreate", "BatchDelete", "BatchUpdate", "BatchGet", "Create", "Delete", "Export", "Import", "Search", "Update", "Watch", "List", "Get"}

// splitVerb splits a method name into a standard verb and the rest when the
// verb is a whole word: the rest starts with an upper-case letter.
func splitVerb(name string) (verb, rest string) {
	for _, v := range standardVerbs {
		if r, ok := strings.CutPrefix(name, v); ok && r != "" && r[0] >= 'A' && r[0] <= 'Z' {
			return v, r
		}
	}
	return "", name
}

func isOperation(md protoreflect.MessageDescriptor) bool {
	return md.FullName() == "google.longrunning.Operation"
}

// operationInfoField is the number of google.longrunning.operation_info, an
// extension of MethodOptions.
const operationInfoField = 1049

// longRunning reads google.longrunning.operation_info from a method that
// returns an Operation. The extension is read from the options' unknown
// fields rather than through the google.longrunning Go package, which would
// add a module to the plugin for one two-field message; nothing in the
// plugin registers it, so protobuf keeps it there.
func longRunning(md protoreflect.MethodDescriptor) *registration.LongRunning {
	if !isOperation(md.Output()) {
		return nil
	}
	raw := md.Options().ProtoReflect().GetUnknown()
	var info []byte
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return nil
		}
		raw = raw[n:]
		m := protowire.ConsumeFieldValue(num, typ, raw)
		if m < 0 {
			return nil
		}
		if num == operationInfoField && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(raw[:m])
			info = append(info, v...) // repeated occurrences merge
		}
		raw = raw[m:]
	}
	if info == nil {
		return nil
	}
	var lr registration.LongRunning
	for len(info) > 0 {
		num, typ, n := protowire.ConsumeTag(info)
		if n < 0 {
			return nil
		}
		info = info[n:]
		m := protowire.ConsumeFieldValue(num, typ, info)
		if m < 0 {
			return nil
		}
		if typ == protowire.BytesType {
			v, _ := protowire.ConsumeString(info[:m])
			switch num {
			case 1:
				lr.ResponseType = qualify(v, md.ParentFile().Package())
			case 2:
				lr.MetadataType = qualify(v, md.ParentFile().Package())
			}
		}
		info = info[m:]
	}
	if lr.ResponseType == "" {
		return nil
	}
	return &lr
}

// qualify makes a type name from operation_info full: the AIP lets it be
// given relative to the method's package.
func qualify(name string, pkg protoreflect.FullName) string {
	name = strings.TrimPrefix(name, ".")
	if name == "" || strings.Contains(name, ".") || pkg == "" {
		return name
	}
	return string(pkg) + "." + name
}

// requiredFields lists the fields marked REQUIRED with
// google.api.field_behavior, descending into required singular messages.
func requiredFields(md protoreflect.MessageDescriptor) []string {
	var out []string
	var walk func(md protoreflect.MessageDescriptor, prefix string, stack []protoreflect.FullName)
	walk = func(md protoreflect.MessageDescriptor, prefix string, stack []protoreflect.FullName) {
		fields := md.Fields()
		for i := range fields.Len() {
			f := fields.Get(i)
			if !hasBehavior(f, annotations.FieldBehavior_REQUIRED) {
				continue
			}
			path := prefix + string(f.Name())
			out = append(out, path)
			if sub := f.Message(); sub != nil && !f.IsList() && !f.IsMap() && !slices.Contains(stack, sub.FullName()) {
				walk(sub, path+".", append(stack, sub.FullName()))
			}
		}
	}
	walk(md, "", []protoreflect.FullName{md.FullName()})
	return out
}

// hasBehavior reports whether a field's google.api.field_behavior lists
// want. It reads the list in place: converting it to a slice, as
// GetExtension does, costs an allocation for every field of every request.
func hasBehavior(f protoreflect.FieldDescriptor, want annotations.FieldBehavior) bool {
	opts := f.Options()
	if opts == nil {
		return false
	}
	m, xd := opts.ProtoReflect(), annotations.E_FieldBehavior.TypeDescriptor()
	if !m.Has(xd) {
		return false
	}
	list := m.Get(xd).List()
	for i := range list.Len() {
		if list.Get(i).Enum() == protoreflect.EnumNumber(want) {
			return true
		}
	}
	return false
}

// messageResource returns the google.api.resource type of a message, or "".
func messageResource(md protoreflect.MessageDescriptor) string {
	// GetExtension alone: for an unset message extension it gives an
	// empty value, and asking HasExtension first would look twice.
	r, _ := proto.GetExtension(md.Options(), annotations.E_Resource).(*annotations.ResourceDescriptor)
	return r.GetType()
}

// fieldReference returns the resource type a field refers to with
// google.api.resource_reference (type or child_type), or "". The wildcard
// "*", which refers to any resource, names no type.
func fieldReference(f protoreflect.FieldDescriptor) (typ string, child bool) {
	ref, _ := proto.GetExtension(f.Options(), annotations.E_ResourceReference).(*annotations.ResourceReference)
	if t := ref.GetType(); t != "" && t != "*" {
		return t, false
	}
	if t := ref.GetChildType(); t != "" && t != "*" {
		return t, true
	}
	return "", false
}

// methodResource finds the resource a method acts on, most specific
// evidence first: a resource message returned or sent, a reference in the
// request's name or parent field, a resource message in a request field;
// failing those, for a standard method, a message of the package named
// after the method.
func methodResource(md protoreflect.MethodDescriptor, r Resolver, kind string, lr *registration.LongRunning) *registration.Resource {
	in, out := md.Input(), md.Output()
	annotated := func(typ, evidence string) *registration.Resource {
		return &registration.Resource{Type: typ, Source: registration.SourceAnnotation, Evidence: evidence}
	}
	switch kind {
	case registration.KindGet, registration.KindCreate, registration.KindUpdate:
		if t := messageResource(out); t != "" {
			return annotated(t, string(out.FullName()))
		}
	}
	if f := in.Fields().ByName("name"); f != nil {
		if t, child := fieldReference(f); t != "" && !child {
			return annotated(t, "name")
		}
	}
	if f := in.Fields().ByName("parent"); f != nil {
		if t, child := fieldReference(f); t != "" && child {
			return annotated(t, "parent")
		}
	}
	fields := in.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if sub := f.Message(); sub != nil && !f.IsMap() {
			if t := messageResource(sub); t != "" {
				return annotated(t, string(f.Name()))
			}
		}
	}
	if kind == registration.KindList {
		outFields := out.Fields()
		for i := range outFields.Len() {
			f := outFields.Get(i)
			if sub := f.Message(); sub != nil && f.IsList() {
				if t := messageResource(sub); t != "" {
					return annotated(t, string(f.FullName()))
				}
			}
		}
	}
	if lr != nil {
		if d := findMessage(r, protoreflect.FullName(lr.ResponseType)); d != nil {
			if t := messageResource(d); t != "" {
				return annotated(t, lr.ResponseType)
			}
		}
	}
	if kind == registration.KindCustom {
		return nil
	}
	_, rest := splitVerb(string(md.Name()))
	pkg := md.ParentFile().Package()
	for _, candidate := range singulars(rest, kind) {
		if d := findMessage(r, pkg.Append(protoreflect.Name(candidate))); d != nil {
			typ := messageResource(d)
			if typ == "" {
				typ = string(d.FullName())
			}
			return &registration.Resource{Type: typ, Source: registration.SourceInferred, Evidence: string(md.Name())}
		}
	}
	return nil
}

// singulars returns the names a method's resource may have: the rest of its
// name, singularised for the methods that name a plural.
func singulars(rest, kind string) []string {
	switch kind {
	case registration.KindList, registration.KindBatchGet, registration.KindBatchCreate,
		registration.KindBatchUpdate, registration.KindBatchDelete, registration.KindSearch,
		registration.KindWatch, registration.KindImport, registration.KindExport:
		var c []string
		if s, ok := strings.CutSuffix(rest, "ies"); ok {
			c = append(c, s+"y")
		}
		if s, ok := strings.CutSuffix(rest, "es"); ok {
			c = append(c, s)
		}
		if s, ok := strings.CutSuffix(rest, "s"); ok {
			c = append(c, s)
		}
		return append(c, rest)
	}
	return []string{rest}
}

// Resolver finds descriptors by full name across a request;
// *protoregistry.Files is one.
type Resolver interface {
	FindDescriptorByName(protoreflect.FullName) (protoreflect.Descriptor, error)
}

// findMessage finds a message by full name, or returns nil.
func findMessage(r Resolver, name protoreflect.FullName) protoreflect.MessageDescriptor {
	d, err := r.FindDescriptorByName(name)
	if err != nil {
		return nil
	}
	md, _ := d.(protoreflect.MessageDescriptor)
	return md
}

// FieldBehavior reports whether a field's google.api.field_behavior lists
// REQUIRED and OUTPUT_ONLY.
func FieldBehavior(f protoreflect.FieldDescriptor) (required, outputOnly bool) {
	return hasBehavior(f, annotations.FieldBehavior_REQUIRED), hasBehavior(f, annotations.FieldBehavior_OUTPUT_ONLY)
}
