package plugin

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// restRoots adds to roots the messages that travel over the declared
// (annotated or configured) bindings of a method: its request message,
// whose fields fill the path, the query and the body, and its response
// message, or the message of the response_body field. Inferred bindings
// are no published contract and add nothing.
func restRoots(md protoreflect.MethodDescriptor, bindings []*registration.Binding, roots map[protoreflect.FullName]protoreflect.MessageDescriptor) {
	for _, b := range bindings {
		if b.Source == registration.SourceInferred {
			continue
		}
		roots[md.Input().FullName()] = md.Input()
		out := md.Output()
		if b.ResponseBody != "" {
			if f := out.Fields().ByName(protoreflect.Name(b.ResponseBody)); f != nil && f.Message() != nil && !f.IsMap() {
				out = f.Message()
			} else if f != nil {
				continue // a scalar response body: no message travels
			}
		}
		roots[out.FullName()] = out
	}
}

// wellKnown reports a type of google.protobuf, whose JSON form is fixed by
// the JSON mapping: fields name it, the registration does not describe it.
func wellKnown(name protoreflect.FullName) bool {
	return strings.HasPrefix(string(name), "google.protobuf.")
}

// describeMessages describes roots and every message their fields hold,
// each once, and the enums of their fields, both sorted by full name.
// located says whether a file's elements get their line and column.
func (r *run) describeMessages(roots map[protoreflect.FullName]protoreflect.MessageDescriptor, located func(path string) bool) ([]*registration.Message, []*registration.Enum) {
	if len(roots) == 0 {
		return nil, nil
	}
	seen := make(map[protoreflect.FullName]bool, len(roots))
	queue := make([]protoreflect.MessageDescriptor, 0, len(roots))
	for name, md := range roots {
		if !wellKnown(name) && !md.IsMapEntry() {
			seen[name] = true
			queue = append(queue, md)
		}
	}
	enums := map[protoreflect.FullName]protoreflect.EnumDescriptor{}
	var messages []*registration.Message
	for len(queue) > 0 {
		md := queue[0]
		queue = queue[1:]
		msg, held, used := r.describedMessage(md, located(md.ParentFile().Path()))
		messages = append(messages, msg)
		for _, sub := range held {
			if !seen[sub.FullName()] && !wellKnown(sub.FullName()) {
				seen[sub.FullName()] = true
				queue = append(queue, sub)
			}
		}
		for _, ed := range used {
			enums[ed.FullName()] = ed
		}
	}
	slices.SortFunc(messages, func(a, b *registration.Message) int { return strings.Compare(a.Name, b.Name) })
	out := make([]*registration.Enum, 0, len(enums))
	for _, ed := range enums {
		if wellKnown(ed.FullName()) {
			continue
		}
		e := &registration.Enum{Name: string(ed.FullName()), File: ed.ParentFile().Path()}
		// Enums are few: described per file, not shared.
		if located(e.File) {
			e.Line, e.Column = r.positions.of(r.sourceInfo, ed.ParentFile().Path(), elementPath(ed))
		}
		values := ed.Values()
		e.Values = make([]string, values.Len())
		for i := range values.Len() {
			e.Values[i] = string(values.Get(i).Name())
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *registration.Enum) int { return strings.Compare(a.Name, b.Name) })
	return messages, out
}

// describedMessage describes a message once per request and placement:
// files that share a message (a package's files, a common import) share
// its description, which the output never changes.
func (r *run) describedMessage(md protoreflect.MessageDescriptor, here bool) (*registration.Message, []protoreflect.MessageDescriptor, []protoreflect.EnumDescriptor) {
	key := describedKey{md.FullName(), here}
	if d, ok := r.described.Load(key); ok {
		d := d.(*described)
		return d.msg, d.held, d.used
	}
	msg, held, used := r.describeMessage(md, here)
	d, _ := r.described.LoadOrStore(key, &described{msg, held, used})
	dd := d.(*described)
	return dd.msg, dd.held, dd.used
}

// describedKey and described are what describedMessage keeps.
type describedKey struct {
	name protoreflect.FullName
	here bool
}

type described struct {
	msg  *registration.Message
	held []protoreflect.MessageDescriptor
	used []protoreflect.EnumDescriptor
}

// describeMessage describes one message, located when here is set, and
// returns the messages and enums its fields hold.
func (r *run) describeMessage(md protoreflect.MessageDescriptor, here bool) (*registration.Message, []protoreflect.MessageDescriptor, []protoreflect.EnumDescriptor) {
	file := md.ParentFile().Path()
	msg := &registration.Message{Name: string(md.FullName()), File: file}
	var mpath []int32
	if here {
		mpath = elementPath(md)
		msg.Line, msg.Column = r.positions.of(r.sourceInfo, file, mpath)
	}
	fields := md.Fields()
	msg.Fields = make([]*registration.Field, fields.Len())
	slab := make([]registration.Field, fields.Len()) // one allocation for every field
	var held []protoreflect.MessageDescriptor
	var used []protoreflect.EnumDescriptor
	for i := range fields.Len() {
		fd := fields.Get(i)
		f := &slab[i]
		*f = registration.Field{Name: string(fd.Name()), Number: int(fd.Number()), JSONName: fd.JSONName()}
		value := fd
		switch {
		case fd.IsMap():
			f.Cardinality = registration.CardinalityMap
			f.MapKey = fd.MapKey().Kind().String()
			value = fd.MapValue()
		case fd.IsList():
			f.Cardinality = registration.CardinalityRepeated
		case fd.HasPresence() && fd.Message() == nil && fd.ContainingOneof() == nil || fd.HasOptionalKeyword():
			f.Cardinality = registration.CardinalityOptional
		}
		f.Type = value.Kind().String()
		switch value.Kind() {
		case protoreflect.MessageKind, protoreflect.GroupKind:
			f.TypeName = string(value.Message().FullName())
			held = append(held, value.Message())
		case protoreflect.EnumKind:
			f.TypeName = string(value.Enum().FullName())
			used = append(used, value.Enum())
		}
		if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
			f.Oneof = string(o.Name())
		}
		f.Required, f.OutputOnly = inference.FieldBehavior(fd)
		if here {
			f.Line, f.Column = r.positions.of(r.sourceInfo, file, append(slices.Clip(mpath), messageFieldField, int32(i)))
		}
		msg.Fields[i] = f
	}
	return msg, held, used
}

// Field numbers of descriptor.proto that paths of source locations use.
const (
	fileMessageField   = 4 // FileDescriptorProto.message_type
	fileEnumField      = 5 // FileDescriptorProto.enum_type
	messageFieldField  = 2 // DescriptorProto.field
	messageNestedField = 3 // DescriptorProto.nested_type
	messageEnumField   = 4 // DescriptorProto.enum_type
)

// elementPath is the source location path of a message or an enum.
func elementPath(d protoreflect.Descriptor) []int32 {
	parent, ok := d.Parent().(protoreflect.MessageDescriptor)
	if !ok {
		top := int32(fileMessageField)
		if _, isEnum := d.(protoreflect.EnumDescriptor); isEnum {
			top = fileEnumField
		}
		return []int32{top, int32(d.Index())}
	}
	field := int32(messageNestedField)
	if _, isEnum := d.(protoreflect.EnumDescriptor); isEnum {
		field = messageEnumField
	}
	return append(elementPath(parent), field, int32(d.Index()))
}

// filePositions indexes where the messages, enums and fields of the
// generated files start, each file once, when first asked: one pass over
// the file's source code info keeps the spans of those elements only,
// rather than protoreflect's index of every location.
type filePositions struct {
	mu    sync.Mutex
	files map[string]*positionIndex
}

type positionIndex struct {
	once  sync.Once
	start map[string][2]int
}

// of returns the 1-based line and column where the element at path
// starts in file, or zeros when the file has no source info.
func (p *filePositions) of(info map[string]*descriptorpb.SourceCodeInfo, file string, path []int32) (int, int) {
	p.mu.Lock()
	if p.files == nil {
		p.files = map[string]*positionIndex{}
	}
	idx := p.files[file]
	if idx == nil {
		idx = &positionIndex{}
		p.files[file] = idx
	}
	p.mu.Unlock()
	idx.once.Do(func() {
		locs := info[file].GetLocation()
		idx.start = make(map[string][2]int)
		for _, loc := range locs {
			lp := loc.GetPath()
			if len(lp) < 2 || len(lp)%2 != 0 || (lp[0] != fileMessageField && lp[0] != fileEnumField) {
				continue
			}
			if span := loc.GetSpan(); len(span) >= 2 {
				idx.start[pathKey(lp)] = [2]int{int(span[0]) + 1, int(span[1]) + 1}
			}
		}
	})
	s := idx.start[pathKey(path)]
	return s[0], s[1]
}

// pathKey packs a source location path into a map key.
func pathKey(path []int32) string {
	b := make([]byte, 0, 2*len(path))
	for _, v := range path {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return string(b)
}

// mergeMessages gathers the messages and enums that the files'
// registrations describe, each once (files describe a message they share
// alike), sorted by full name.
func mergeMessages(regs []*registration.Registration) ([]*registration.Message, []*registration.Enum) {
	var messages []*registration.Message
	var enums []*registration.Enum
	seenM, seenE := map[string]bool{}, map[string]bool{}
	for _, reg := range regs {
		for _, m := range reg.Messages {
			if !seenM[m.Name] {
				seenM[m.Name] = true
				messages = append(messages, m)
			}
		}
		for _, e := range reg.Enums {
			if !seenE[e.Name] {
				seenE[e.Name] = true
				enums = append(enums, e)
			}
		}
	}
	slices.SortFunc(messages, func(a, b *registration.Message) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(enums, func(a, b *registration.Enum) int { return strings.Compare(a.Name, b.Name) })
	return messages, enums
}
