package templates

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/compiler/protogen"
)

// Literal returns v as a Go expression that evaluates to an equal value: a
// composite literal such as &registration.Service{Name: "a.v1.S", ...} for
// a pointer to a struct. Type names are written through qualify, which
// should be the QualifiedGoIdent of the file the expression goes into, so
// that imports are declared by protogen.
//
// It walks v by reflection, so that a field added to the model appears in
// generated code without a change here. Zero fields are left out; an empty
// but non-nil slice is kept, because encodings tell it from nil. Strings,
// booleans, integers, finite floats, pointers to structs, structs, slices
// and maps with ordered keys (written in key order) are supported; anything
// else, and unexported fields, is an error naming the field.
func Literal(v any, qualify func(protogen.GoIdent) string) (string, error) {
	p := literalPrinter{qualify: qualify}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "nil", nil
	}
	if err := p.value(rv, false); err != nil {
		return "", err
	}
	return string(p.b), nil
}

// literalPrinter writes one expression. Layout is left to the printer that
// protogen runs over the whole file: it only needs a line break after each
// field and element of a multi-line literal.
type literalPrinter struct {
	b       []byte
	qualify func(protogen.GoIdent) string
	path    []string // field names down to the value being written, for errors
	depth   int      // literals entered
}

// FlatDepth is the nesting depth from which literals are written on one line.
var FlatDepth = 100

// value writes v. elided reports a slice or map element whose type the
// enclosing literal already gives, so that "&T{...}" and "T{...}" become
// "{...}".
func (p *literalPrinter) value(v reflect.Value, elided bool) error {
	switch v.Kind() {
	case reflect.String:
		p.b = strconv.AppendQuote(p.b, v.String())
	case reflect.Bool:
		p.b = strconv.AppendBool(p.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.b = strconv.AppendInt(p.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.b = strconv.AppendUint(p.b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return p.errorf("non-finite float %v", f)
		}
		p.b = strconv.AppendFloat(p.b, f, 'g', -1, v.Type().Bits())
	case reflect.Pointer:
		if v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		if v.Elem().Kind() != reflect.Struct {
			return p.errorf("pointer to %v: only pointers to structs have a literal", v.Elem().Type())
		}
		if !elided {
			p.b = append(p.b, '&')
		}
		return p.value(v.Elem(), elided)
	case reflect.Struct:
		return p.structValue(v, elided)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		return p.list(v)
	case reflect.Map:
		if v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		return p.mapValue(v)
	default:
		return p.errorf("%v values are not supported", v.Type())
	}
	return nil
}

func (p *literalPrinter) structValue(v reflect.Value, elided bool) error {
	t := v.Type()
	if !elided {
		p.b = append(p.b, p.typeName(t)...)
	}
	p.b = append(p.b, "{"...)
	info := structFields(t)
	first := true
	multi := p.depth < FlatDepth
	p.depth++
	defer func() { p.depth-- }()
	for _, f := range info {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		if !f.exported {
			return p.errorf("unexported field %s.%s", t.Name(), f.name)
		}
		if first {
			if multi {
				p.b = append(p.b, '\n')
			}
		} else if !multi {
			p.b = append(p.b, ", "...)
		}
		first = false
		p.b = append(p.b, f.name...)
		p.b = append(p.b, ": "...)
		p.path = append(p.path, f.name)
		if err := p.value(fv, false); err != nil {
			return err
		}
		p.path = p.path[:len(p.path)-1]
		if multi {
			p.b = append(p.b, ",\n"...)
		}
	}
	p.b = append(p.b, "}"...)
	return nil
}

// maxLine is the length above which a list of scalars is written one
// element per line, for readable lines.
const maxLine = 80

// list writes a slice or array. Elements that are themselves literals go one
// per line; scalars stay on one line unless it gets long.
func (p *literalPrinter) list(v reflect.Value) error {
	p.b = append(p.b, p.typeName(v.Type())...)
	p.b = append(p.b, "{"...)
	start := len(p.b)
	multiline := composite(v.Type().Elem())
	flat := p.depth >= FlatDepth
	p.depth++
	defer func() { p.depth-- }()
	if !multiline || flat {
		// Write the scalars on one line, and start again one per line if
		// that line is too long.
		for i := range v.Len() {
			if i > 0 {
				p.b = append(p.b, ", "...)
			}
			if err := p.value(v.Index(i), true); err != nil {
				return err
			}
		}
		if flat || len(p.b)-start <= maxLine {
			p.b = append(p.b, "}"...)
			return nil
		}
		p.b = p.b[:start]
		multiline = true
	}
	for i := range v.Len() {
		if i == 0 {
			p.b = append(p.b, '\n')
		}
		p.path = append(p.path, "["+strconv.Itoa(i)+"]")
		if err := p.value(v.Index(i), true); err != nil {
			return err
		}
		p.path = p.path[:len(p.path)-1]
		p.b = append(p.b, ",\n"...)
	}
	p.b = append(p.b, "}"...)
	return nil
}

// mapValue writes a map, one entry per line in key order: map iteration
// order is random, and generated code must not depend on it.
func (p *literalPrinter) mapValue(v reflect.Value) error {
	keys := v.MapKeys()
	var cmp func(a, b reflect.Value) int
	switch v.Type().Key().Kind() {
	case reflect.String:
		cmp = func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		cmp = func(a, b reflect.Value) int { return compareOrdered(a.Int(), b.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		cmp = func(a, b reflect.Value) int { return compareOrdered(a.Uint(), b.Uint()) }
	default:
		return p.errorf("maps keyed by %v are not supported", v.Type().Key())
	}
	slices.SortFunc(keys, cmp)
	p.b = append(p.b, p.typeName(v.Type())...)
	p.b = append(p.b, "{"...)
	for i, k := range keys {
		if i == 0 {
			p.b = append(p.b, '\n')
		}
		if err := p.value(k, true); err != nil {
			return err
		}
		p.b = append(p.b, ": "...)
		p.path = append(p.path, "["+fmt.Sprint(k.Interface())+"]")
		if err := p.value(v.MapIndex(k), true); err != nil {
			return err
		}
		p.path = p.path[:len(p.path)-1]
		p.b = append(p.b, ",\n"...)
	}
	p.b = append(p.b, "}"...)
	return nil
}

func compareOrdered[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// composite reports element types written as multi-line literals.
func composite(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		return true
	}
	return false
}

// typeName writes t as it is spelled in the generated file.
func (p *literalPrinter) typeName(t reflect.Type) string {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name() // predeclared
		}
		return p.qualify(protogen.GoIdent{GoName: t.Name(), GoImportPath: protogen.GoImportPath(t.PkgPath())})
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + p.typeName(t.Elem())
	case reflect.Slice:
		return "[]" + p.typeName(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + p.typeName(t.Elem())
	case reflect.Map:
		return "map[" + p.typeName(t.Key()) + "]" + p.typeName(t.Elem())
	}
	return t.String()
}

func (p *literalPrinter) errorf(format string, args ...any) error {
	where := strings.ReplaceAll(strings.Join(p.path, "."), ".[", "[")
	if where == "" {
		where = "value"
	}
	return fmt.Errorf("Go literal of %s: %s", where, fmt.Sprintf(format, args...))
}

// field is what the printer needs about one struct field.
type field struct {
	name     string
	index    int
	exported bool
}

// fieldCache holds the fields of each struct type seen, in declaration
// order: reflect.Type.Field allocates, and the same few model types are
// walked for every service.
var fieldCache sync.Map // reflect.Type -> []field

func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	fields := make([]field, t.NumField())
	for i := range fields {
		sf := t.Field(i)
		fields[i] = field{name: sf.Name, index: i, exported: sf.IsExported()}
	}
	fieldCache.Store(t, fields)
	return fields
}
